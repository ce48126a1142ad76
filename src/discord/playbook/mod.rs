//! Playbooks on Discord (§4.1(1) 周知, §4.4(4)): `/playbook show` for
//! the committee and anyone working an incident, `/playbook notes` for the
//! committee; the playbook beside the card is drawn here too.

mod commands;
mod deliver;
pub mod render;

pub use commands::{commands, PLAYBOOK};

use super::reply::{ephemeral, Reply};
use super::text::inert;
use super::Ctx;
use crate::domain::Lang;
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::CommandInteraction;

/// `/playbook show [playbook]`: a named playbook for the committee, or
/// the one of the incident whose channel this is, for anyone working it.
pub async fn show(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let named = crate::discord::reminders::playbook_option(cmd);
    let channel = crate::domain::ChannelId(cmd.channel_id.get());
    let shown = ctx.app.incidents().playbook_to_show(caller, named.as_ref(), channel).await?;
    let incident = ctx.app.incidents().in_channel(channel).await.ok();
    Ok(match (shown, incident) {
        (Some(p), Some(i)) => render::reply(&p, &i, lang),
        (Some(p), None) => render::reply_alone(&p, lang),
        (None, _) => ephemeral(tr!(lang, "対応手順がありません。", "There is no playbook to show.")),
    })
}

/// `/playbook notes <id>`: every improvement note on a playbook, newest
/// first, from incidents and drills (§4.4(4), §4.1(2)).
pub async fn notes(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    // Who may see is asked first, whatever was chosen.
    ctx.app.records().may_view(caller)?;
    let id = crate::discord::reminders::playbook_option(cmd).ok_or(InputError::NoPlaybookChosen)?;
    let notes = ctx.app.lessons().playbook_notes(caller, &id).await?;
    let title = ctx.app.settings.playbooks.get(&id).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| id.0.clone());
    if notes.is_empty() {
        return Ok(ephemeral(tr!(lang, "「{title}」への改善メモはまだありません。", "No improvement notes on “{title}” yet.")));
    }
    let lines: Vec<String> = notes
        .iter()
        .map(|n| {
            let (number, well, missing) = (n.incident, inert(&n.went_well), inert(&n.missing));
            tr!(lang, "**{number}** ✅ {well}\n　⚠ {missing}", "**{number}** ✅ {well}\n　⚠ {missing}")
        })
        .collect();
    let n = lines.len();
    let body = lines.join("\n");
    Ok(ephemeral(tr!(lang, "「{title}」への改善メモ {n}件:\n{body}", "{n} improvement note(s) on “{title}”:\n{body}")))
}

/// `/playbook choose <id> <reason>` in an incident channel: the committee
/// chooses the playbook where none fits the report's kind (§4.2).
pub async fn choose(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let id = crate::discord::reminders::playbook_option(cmd).ok_or(InputError::NoPlaybookChosen)?;
    let reason =
        cmd.data.options.first().map(crate::discord::options::sub_options).and_then(|o| crate::discord::options::text(o, "reason"));
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.incidents().choose_playbook(incident.id, caller, &id, reason.unwrap_or("")).await?;
    let title = ctx.app.settings.playbooks.get(&id).map(|p| p.title.get(lang).to_string()).unwrap_or_default();
    let number = i.number;
    Ok(ephemeral(tr!(lang, "{number} は対応手順「{title}」に従います。", "{number} now follows the playbook “{title}”.")))
}
