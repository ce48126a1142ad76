//! `hikeshi verify`, `hikeshi audit`, `hikeshi stats`: the records read
//! by an operator at the database.

use crate::app::{open_service, open_store};
use crate::config::Env;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The event chain, the transcript and the §4.3 entries against it.
pub async fn verify(env: &Env) -> anyhow::Result<ExitCode> {
    match chain(env).await? {
        Ok(n) => {
            println!("the event log is intact: {n} events");
            Ok(ExitCode::SUCCESS)
        }
        Err(brk) => {
            println!("the event log is BROKEN: {brk}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `hikeshi verify`: the event chain, the transcript and the §4.3 entries
/// against it (§4.4(4)). Needs only the database, not the configuration.
async fn chain(env: &Env) -> anyhow::Result<Result<i64, crate::domain::event::ChainBreak>> {
    let store = open_store(env).await?;
    let result = store.verify().await?;
    store.close().await;
    Ok(result)
}

/// §5: the operational checks, now.
pub async fn audit(config: &Path, env: &Env) -> anyhow::Result<ExitCode> {
    let app = open_service(config, env).await?;
    let findings = app.records().audit().await?;
    println!("{}", crate::records::audit::report(&findings, app.settings.organisation.lang));
    Ok(ExitCode::SUCCESS)
}

/// Figures per category for `[from, until)` (days in the organisation's
/// zone), and a chart where asked.
pub async fn stats(
    config: &Path,
    env: &Env,
    from: Option<String>,
    until: Option<String>,
    chart: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let app = open_service(config, env).await?;
    let day = |s: &str| -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
        use chrono::TimeZone;
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("`{s}`: write the day as YYYY-MM-DD"))?;
        let t = app
            .settings
            .organisation
            .tz
            .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .context("no such local time")?;
        Ok(t.with_timezone(&chrono::Utc))
    };
    let from = match from {
        Some(f) => day(&f)?,
        None => app.records().period_start(false),
    };
    let until = match until {
        Some(u) => day(&u)?,
        None => chrono::Utc::now() + chrono::Duration::seconds(1),
    };
    let stats = app.records().stats(from, until).await?;
    let lang = app.settings.organisation.lang;
    print!("{}", crate::records::stats::table(&stats, lang));
    if let Some(path) = chart {
        let font = crate::records::chart::machine_font().map_err(|e| anyhow::anyhow!(e))?;
        let png = crate::records::chart::png(&stats, lang, &font).map_err(|e| anyhow::anyhow!(e))?;
        std::fs::write(&path, png).with_context(|| format!("could not write {}", path.display()))?;
        println!("chart: {}{}", path.display(), if font.japanese { "" } else { " (English labels: no Japanese font found)" });
    }
    Ok(ExitCode::SUCCESS)
}
