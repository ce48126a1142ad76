//! `hikeshi audit`: §5's operational checks, as an operator at the
//! database reads them.

use crate::app::open_service;
use crate::config::Env;
use std::path::Path;
use std::process::ExitCode;

/// §5: the operational checks, now; `all`: every waiver and dismissal
/// ever made, not only the last year's.
pub async fn audit(config: &Path, env: &Env, all: bool) -> anyhow::Result<ExitCode> {
    let app = open_service(config, env).await?;
    let findings = app.records().audit(all, None).await?;
    println!("{}", crate::records::audit::report(&findings, app.settings.organisation.lang));
    Ok(ExitCode::SUCCESS)
}
