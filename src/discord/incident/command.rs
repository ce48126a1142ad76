//! `/incident add @member`, `/incident remove @member`, `/incident appi`
//! and `/incident export`, run in an incident channel; who may is decided
//! by the service against the incident's stored state.

use crate::discord::reply::{self, ephemeral, Reply};
use crate::discord::Ctx;
use crate::domain::{ChannelId, Lang, UserId};
use crate::records::export::{render, Format};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{CommandDataOption, CommandDataOptionValue, CommandInteraction, CreateAttachment, CreateInteractionResponseMessage};

/// `/incident export format:…`: the record, attached to an ephemeral reply.
async fn export(ctx: &Ctx, cmd: &CommandInteraction, sub: &CommandDataOption, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let format = match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => {
            opts.iter().find(|o| o.name == "format").and_then(|o| o.value.as_str()).and_then(Format::parse)
        }
        _ => None,
    };
    let format = format.ok_or(InputError::NoFormatChosen)?;
    let record = ctx.app.export(caller, ChannelId(cmd.channel_id.get())).await?;
    let number = record.incident.number;
    let file = CreateAttachment::bytes(render(&record, format, &ctx.app.settings).into_bytes(), format!("{number}.{}", format.extension()));
    Ok(Reply::Message(
        CreateInteractionResponseMessage::new()
            .content(tr!(lang, "{number} の記録です。", "The record of {number}."))
            .add_file(file)
            .ephemeral(true)
            .allowed_mentions(crate::discord::render::no_mentions()),
    ))
}

/// `/incident title`: the committee names the incident for all members.
async fn public_title(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let title = match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => opts.iter().find(|o| o.name == "title").and_then(|o| o.value.as_str()),
        _ => None,
    };
    let incident = ctx.app.incident_in_channel(ChannelId(cmd.channel_id.get())).await?;
    let i = ctx.app.set_public_title(incident.id, caller, title.unwrap_or("")).await?;
    let (number, name) = (i.number, crate::discord::text::inert(&i.public_name(lang)));
    Ok(ephemeral(tr!(lang, "{number} の公開名を「{name}」にしました。", "{number} is now called “{name}” for all members.")))
}

pub async fn command(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let sub = cmd.data.options.first().ok_or(InputError::NoSubcommand)?;
    match sub.name.as_str() {
        "export" => return export(ctx, cmd, sub, caller, lang).await,
        "appi" => return crate::discord::appi::panel_command(ctx, cmd, lang).await,
        "title" => return public_title(ctx, cmd, sub, caller, lang).await,
        "followup" => return crate::discord::lessons::followups::add(ctx, cmd, sub, caller, lang).await,
        _ => {}
    }
    let user = match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => opts.iter().find_map(|o| match o.value {
            CommandDataOptionValue::User(u) => Some(UserId(u.get())),
            _ => None,
        }),
        _ => None,
    };
    let user = user.ok_or(InputError::NoMemberNamed)?;
    let incident = ctx.app.incident_in_channel(ChannelId(cmd.channel_id.get())).await?;
    Ok(ephemeral(match sub.name.as_str() {
        "add" => {
            ctx.app.add_responder(incident.id, caller, user).await?;
            tr!(lang, "<@{user}> を対応メンバーに加えました。", "<@{user}> joined the response.")
        }
        "remove" => {
            ctx.app.remove_responder(incident.id, caller, user).await?;
            tr!(lang, "<@{user}> を対応メンバーから外しました。", "<@{user}> left the response.")
        }
        _ => return reply::refuse(InputError::NoSubcommand),
    }))
}
