//! `/incident add @member`, `/incident remove @member`, `/incident appi`
//! and `/incident export`, run in an incident channel; who may is decided
//! by the service against the incident's stored state.

use crate::discord::options::{sub_options, text};
use crate::discord::reply::{ephemeral, Reply};
use crate::discord::Ctx;
use crate::domain::{ChannelId, Lang, UserId};
use crate::records::export::Format;
use crate::service::{Caller, InputError, ServiceError, WriteError};
use crate::tr;
use serenity::all::{CommandDataOption, CommandDataOptionValue, CommandInteraction, CreateAttachment, CreateInteractionResponseMessage};

/// `/incident export format:…`: the record, attached to an ephemeral reply.
pub async fn export(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let format = text(sub_options(sub), "format").and_then(Format::parse).ok_or(InputError::NoFormatChosen)?;
    let record = ctx.app.records().export(caller, ChannelId(cmd.channel_id.get())).await?;
    let number = record.incident.number;
    // Written as read into one upload: as it is, else compressed; a record
    // too large even then is not sent to fail (the operator's command is).
    let mut upload = crate::records::Upload::new(super::deliver::UPLOAD_LIMIT);
    let written = ctx.app.records().write(&record, format, &mut upload).await;
    let file = match written {
        Ok(()) => upload.finish(&format!("{number}.{}", format.extension())),
        Err(WriteError::Write(e)) if e.get_ref().is_some_and(|e| e.is::<crate::records::TooLarge>()) => None,
        Err(WriteError::Read(e)) => return Err(e),
        Err(WriteError::Write(e)) => {
            tracing::error!(error = %e, "the export could not be built");
            return Err(ServiceError::Internal("the export could not be built"));
        }
    };
    let message = CreateInteractionResponseMessage::new().ephemeral(true).allowed_mentions(crate::discord::render::no_mentions());
    let Some((name, bytes)) = file else {
        let (format, mib) = (format.extension(), super::deliver::UPLOAD_LIMIT / (1024 * 1024));
        return Ok(Reply::message(message.content(tr!(
            lang,
            "{number} の記録は大きすぎて Discord に添付できません（圧縮しても {mib} MiB を超えます）。運用担当者がサーバーで `hikeshi export {number} --format {format} --output 保存先/` を実行すると、記録と証拠のファイルを書き出せます。",
            "The record of {number} is too large to attach on Discord (over {mib} MiB even compressed). An operator can write it, with the files kept as evidence, on the server: `hikeshi export {number} --format {format} --output DIR/`."
        ))));
    };
    let text = if name.ends_with(".gz") {
        tr!(lang, "{number} の記録です（gzip で圧縮しています）。", "The record of {number} (compressed with gzip).")
    } else {
        tr!(lang, "{number} の記録です。", "The record of {number}.")
    };
    Ok(Reply::message(message.content(text)).with_file(CreateAttachment::bytes(bytes, name)))
}

/// `/incident title`: the committee names the incident for all members.
pub async fn public_title(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let title = text(sub_options(sub), "title");
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().set_public_title(incident.id, caller, title.unwrap_or("")).await?;
    let (number, name) = (i.number, crate::discord::text::inert(&i.public_name(lang)));
    Ok(ephemeral(tr!(lang, "{number} の公開名を「{name}」にしました。", "{number} is now called “{name}” for all members.")))
}

/// The Table 1 deadline in a reply: the time, or "none".
fn deadline_at(i: &crate::domain::Incident, lang: Lang) -> String {
    match i.deadline.at() {
        Some(d) => crate::discord::render::when(d),
        None => tr!(lang, "なし", "none"),
    }
}

/// `/incident reclassify category reason [kind] [systems]`.
pub async fn reclassify(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let opts = sub_options(sub);
    let text = |name: &str| text(opts, name);
    let category = text("category").and_then(crate::domain::Category::parse).ok_or(InputError::NoCategoryChosen)?;
    let kind = match text("kind") {
        Some(k) => Some(crate::domain::SubKind::parse(k).ok_or(InputError::NoCategoryChosen)?),
        None => None,
    };
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().reclassify(incident.id, caller, category, kind, text("systems"), text("reason").unwrap_or("")).await?;
    let number = i.number;
    let deadline = deadline_at(&i, lang);
    let playbook = i
        .playbook
        .as_ref()
        .and_then(|p| ctx.app.settings.playbooks.get(p))
        .map(|p| p.title.get(lang).to_string())
        .unwrap_or_else(|| tr!(lang, "なし", "none"));
    Ok(ephemeral(tr!(
        lang,
        "{number} の区分を変更しました。対応手順: {playbook}、表1の復旧期限: {deadline}。",
        "{number} is reclassified. Playbook: {playbook}; Table 1 deadline: {deadline}."
    )))
}

/// `/incident split report:<number>`: a gathered report becomes its own
/// incident (the committee's).
pub async fn split(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let incident = ctx.incident_here(cmd).await?;
    let split = ctx.app.incidents().split_out(incident.id, caller, text(sub_options(sub), "report").unwrap_or("")).await?;
    let number = split.number;
    Ok(ephemeral(tr!(
        lang,
        "{number} を別のインシデントとして切り出しました。対応チャンネルを開きます。",
        "{number} is split out into its own incident; its channel opens."
    )))
}

/// `/incident confidential`: §1(1) the reporter leaves the channel.
pub async fn confidential(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let incident = ctx.incident_here(cmd).await?;
    let number = ctx.app.incidents().make_confidential(incident.id, caller).await?.number;
    Ok(ephemeral(tr!(
        lang,
        "{number} の報告を匿名（報告者を秘匿）にしました。報告者はチャンネルから外れます。",
        "{number} is now confidential; the reporter leaves the channel."
    )))
}

/// `/incident add|remove @member`: a responder joins or leaves.
pub async fn responder(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
    joins: bool,
) -> Result<Reply, ServiceError> {
    let user = sub_options(sub).iter().find_map(|o| match o.value {
        CommandDataOptionValue::User(u) => Some(UserId(u.get())),
        _ => None,
    });
    let user = user.ok_or(InputError::NoMemberNamed)?;
    let incident = ctx.incident_here(cmd).await?;
    Ok(ephemeral(if joins {
        ctx.app.incidents().add_responder(incident.id, caller, user).await?;
        tr!(lang, "<@{user}> を対応者に加えました。", "<@{user}> joined the response.")
    } else {
        ctx.app.incidents().remove_responder(incident.id, caller, user).await?;
        tr!(lang, "<@{user}> を対応者から外しました。", "<@{user}> left the response.")
    }))
}

/// `/incident role role member`: §4.1(1) 対応組織.
pub async fn role(ctx: &Ctx, cmd: &CommandInteraction, sub: &CommandDataOption, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let opts = sub_options(sub);
    let member = crate::discord::options::user(opts, "member").ok_or(InputError::NoMemberNamed)?;
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().assign_role(incident.id, caller, text(opts, "role").unwrap_or(""), member).await?;
    let role = i.organisation.last().map(|h| h.role.get(lang).to_string()).unwrap_or_default();
    Ok(ephemeral(tr!(lang, "<@{member}> を役割「{role}」に指名しました。", "<@{member}> now holds the role “{role}”.")))
}

/// `/incident priority system priority`: §4.1(4) Table 1.
pub async fn priority(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let opts = sub_options(sub);
    let level = opts.iter().find(|o| o.name == "priority").and_then(|o| o.value.as_i64()).and_then(|n| u8::try_from(n).ok());
    let level = level.ok_or(InputError::InvalidControl)?;
    let system = text(opts, "system").unwrap_or("");
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().assign_priority(incident.id, caller, system, level).await?;
    let deadline = deadline_at(&i, lang);
    let system = crate::discord::text::inert(system.trim());
    Ok(ephemeral(tr!(
        lang,
        "「{system}」の復旧優先度を{level}にしました。表1の復旧期限: {deadline}。",
        "“{system}” now has recovery priority {level}. Table 1 deadline: {deadline}."
    )))
}

/// `/incident outage system state [at]`: §4.1(4) Table 1 per system.
pub async fn outage(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let opts = sub_options(sub);
    let (system, restored) = (text(opts, "system").unwrap_or(""), text(opts, "state") == Some("restored"));
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().outage(incident.id, caller, system, restored, text(opts, "at").unwrap_or("")).await?;
    let line =
        i.outages.iter().rev().find(|o| o.system.trim().eq_ignore_ascii_case(system.trim())).map(|o| super::card::outage_line(o, lang));
    Ok(ephemeral(line.unwrap_or_default()))
}
