//! `hikeshi audit`: §5's operational checks, as an operator at the
//! database reads them.

use crate::app::open_service;
use crate::config::Env;
use std::path::Path;
use std::process::ExitCode;

/// §5: the operational checks, now.
pub async fn audit(config: &Path, env: &Env) -> anyhow::Result<ExitCode> {
    let app = open_service(config, env).await?;
    let findings = app.records().audit().await?;
    println!("{}", crate::records::audit::report(&findings, app.settings.organisation.lang));
    Ok(ExitCode::SUCCESS)
}
