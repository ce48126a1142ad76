//! `hikeshi migrate`: the database's migrations applied, nothing else.

use crate::app::open_store;
use crate::config::Env;
use std::process::ExitCode;

/// Applies the database's migrations and exits.
pub async fn migrate(env: &Env) -> anyhow::Result<ExitCode> {
    open_store(env).await?.close().await;
    println!("migrations applied to {}", env.database_url.redacted());
    Ok(ExitCode::SUCCESS)
}
