//! The committee's records on Discord: `/stats` (drills apart), `/audit`
//! (§5), `/playbook notes` (§4.4(4), §4.1(2)), and the monthly audit post.

mod commands;
mod deliver;

pub use commands::{commands, AUDIT, PLAYBOOK, STATS};

use super::reply::{ephemeral, Reply};
use super::text::inert;
use super::Ctx;
use crate::domain::Lang;
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::CommandInteraction;

pub async fn command(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    match cmd.data.name.as_str() {
        STATS => stats(ctx, cmd, caller, lang).await,
        AUDIT => Ok(ephemeral(crate::records::audit::report(&ctx.app.records().audit_for(caller).await?, lang))),
        _ if cmd.data.options.first().is_some_and(|o| o.name == "show") => playbook_show(ctx, cmd, caller, lang).await,
        _ => playbook_notes(ctx, cmd, caller, lang).await,
    }
}

/// `/stats [period]`: the committee's figures, drills apart.
async fn stats(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let period = cmd.data.options.iter().find(|o| o.name == "period").and_then(|o| o.value.as_str()).unwrap_or("year");
    let from = match period {
        "month" => ctx.app.records().period_start(true),
        "all" => chrono::DateTime::<chrono::Utc>::MIN_UTC,
        _ => ctx.app.records().period_start(false),
    };
    let until = ctx.app.clock.now() + chrono::Duration::seconds(1);
    let stats = ctx.app.records().stats_for(caller, from, until).await?;
    let table = crate::records::stats::table(&stats, lang);
    let text = format!("```\n{table}```");
    // The same figures as a chart, when the machine has a font to draw with.
    // Drawing takes a while: off the async workers, so answers and
    // deliveries go on meanwhile.
    let figures = stats.clone();
    let chart = tokio::task::spawn_blocking(move || crate::records::chart::png_with_machine_font(&figures, lang))
        .await
        .unwrap_or_else(|e| Err(format!("the chart could not be drawn: {e}")));
    Ok(match chart {
        Ok(png) => Reply::message(
            serenity::all::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(crate::discord::render::no_mentions()),
        )
        .with_file(serenity::all::CreateAttachment::bytes(png, "hikeshi-stats.png")),
        Err(e) => {
            tracing::warn!(error = %e, "/stats without its chart");
            ephemeral(text)
        }
    })
}

/// `/playbook show [playbook]`: a named playbook for the committee, or
/// the one of the incident whose channel this is, for anyone working it.
async fn playbook_show(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let named = super::reminders::playbook_option(cmd);
    let channel = crate::domain::ChannelId(cmd.channel_id.get());
    let shown = ctx.app.incidents().playbook_to_show(caller, named.as_ref(), channel).await?;
    let incident = ctx.app.incidents().in_channel(channel).await.ok();
    Ok(match (shown, incident) {
        (Some(p), Some(i)) => super::incident::playbook::reply(&p, &i, lang),
        (Some(p), None) => super::incident::playbook::reply_alone(&p, lang),
        (None, _) => ephemeral(tr!(lang, "対応手順がありません。", "There is no playbook to show.")),
    })
}

/// `/playbook notes <id>`: every improvement note on a playbook, newest
/// first, from incidents and drills (§4.4(4), §4.1(2)).
async fn playbook_notes(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    // Who may see is asked first, whatever was chosen.
    ctx.app.records().may_view(caller)?;
    let id = super::reminders::playbook_option(cmd).ok_or(InputError::NoPlaybookChosen)?;
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
