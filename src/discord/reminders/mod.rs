//! Reminders and drills on Discord (§4.1(2), §9): the reminder's buttons
//! (Acknowledge; Start drill now; for the yearly review, its outcome),
//! `/drill start`, `/schedule`, and the delivery of reminders.

mod commands;
mod deliver;
pub mod render;

pub use commands::{commands, DRILL, SCHEDULE};

use super::custom_id::CustomId;
use super::forms::{self, Modal, F_BODY};
use super::reply::{self, ephemeral, Reply};
use super::Ctx;
use crate::domain::{Lang, PlaybookId};
use crate::service::{Acknowledging, Caller, InputError, ReviewOrAck, ServiceError};
use crate::tr;
use serenity::all::{CommandDataOptionValue, CommandInteraction, ComponentInteraction};

pub async fn click(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    Ok(match id {
        CustomId::Acknowledge(r) => match ctx.app.reminders().acknowledge_or_review(r, caller).await? {
            ReviewOrAck::AskOutcome => Modal::new(
                CustomId::ReviewModal(r),
                tr!(lang, "内容の適切性の審議（年１回）の結果（§9）", "Outcome of the yearly review (§9)"),
                lang,
            )
            .build(),
            ReviewOrAck::Acknowledged(Acknowledging::Recorded) => ephemeral(tr!(lang, "確認を記録しました。", "Acknowledged; recorded.")),
            ReviewOrAck::Acknowledged(Acknowledging::AlreadyDone) => {
                ephemeral(tr!(lang, "このリマインダーはすでに確認済みです。", "This reminder was already acknowledged."))
            }
        },
        CustomId::StartDrill(r) => {
            let number = ctx.app.reminders().start_drill_from_reminder(r, caller, &format!("interaction:{}", c.id)).await?.number;
            ephemeral(tr!(
                lang,
                "訓練 {number} を始めました。チャンネルを用意しています。",
                "Drill {number} started; its channel is being opened."
            ))
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// §9: the yearly review's outcome, recorded and announced.
pub async fn submit(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    match id {
        CustomId::ReviewModal(r) => {
            ctx.app.reminders().conclude_review(r, caller, forms::value(f, F_BODY)).await?;
            Ok(tr!(
                lang,
                "内容の適切性の審議（年１回）の結果を記録し、すべての会員に周知します（§9）。",
                "The review's outcome is recorded and announced to all (§9)."
            ))
        }
        _ => reply::refuse(InputError::InvalidForm),
    }
}

/// The `playbook` option of a subcommand (`/drill start`, `/playbook notes`).
pub(crate) fn playbook_option(cmd: &CommandInteraction) -> Option<PlaybookId> {
    cmd.data.options.first().and_then(|sub| match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => {
            opts.iter().find(|o| o.name == "playbook").and_then(|o| o.value.as_str().map(|s| PlaybookId(s.to_string())))
        }
        _ => None,
    })
}

/// `/drill start playbook:<id>`: a practice incident (§4.1(2)).
pub async fn drill(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let playbook = playbook_option(cmd).ok_or(InputError::NoPlaybookChosen)?;
    let number = ctx.app.reminders().start_drill(caller, &playbook, &format!("interaction:{}", cmd.id)).await?.number;
    Ok(ephemeral(tr!(
        lang,
        "🧯 訓練 {number} を始めました。チャンネルを用意しています。",
        "🧯 Drill {number} started; its channel is being opened."
    )))
}

/// `/schedule`: what is due next, in the organisation's time zone.
pub async fn schedule(ctx: &Ctx, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let o = ctx.app.reminders().overview(caller).await?;
    let s = &ctx.app.settings;
    let tz = s.organisation.tz;
    let local = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()).unwrap_or_else(|| "—".into())
    };
    let (drill, review) = (local(o.next_drill), local(o.next_review));
    let suggestion =
        o.suggested_playbook.as_ref().and_then(|p| s.playbooks.get(p)).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| "—".into());
    let mut text = tr!(
        lang,
        "**次の訓練（§4.1(2)）**: {drill}（おすすめ: {suggestion}）\n**次の内容の適切性の審議（年１回）（§9）**: {review}",
        "**Next drill (§4.1(2))**: {drill} (suggested: {suggestion})\n**Next annual review (§9)**: {review}"
    );
    if !o.unacknowledged.is_empty() {
        let n = o.unacknowledged.len();
        text.push_str(&tr!(lang, "\n**未確認のリマインダー**: {n}件", "\n**Unacknowledged reminders**: {n}"));
    }
    for i in o.deadlines.iter().take(10) {
        let number = i.number;
        let at = local(i.deadline.at());
        text.push_str(&tr!(lang, "\n**{number}** 復旧期限: {at}", "\n**{number}** recovery deadline: {at}"));
    }
    Ok(ephemeral(text))
}
