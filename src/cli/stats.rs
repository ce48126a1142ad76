//! `hikeshi stats`: the committee's figures per category, and a chart.

use crate::app::open_service;
use crate::config::Env;
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
