//! The committee's records on Discord: `/stats` (drills apart), `/audit`
//! (§5), and the monthly audit post.

mod commands;
mod deliver;

pub use commands::{commands, AUDIT, STATS};

use super::reply::{ephemeral, Reply};
use super::Ctx;
use crate::domain::Lang;
use crate::service::{Caller, ServiceError};
use serenity::all::CommandInteraction;

/// `/audit`: §5's checks, now (the committee's).
pub async fn audit(ctx: &Ctx, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    // What needs action first, whole findings within Discord's limit; the
    // last line says how many more `hikeshi audit` lists.
    Ok(ephemeral(crate::records::audit::report_within(&ctx.app.records().audit_for(caller, ctx.members()).await?, lang, 2000).0))
}

/// `/stats [period]`: the committee's figures, drills apart.
pub async fn stats(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
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
