//! `hikeshi run`: the bot, until Ctrl-C or SIGTERM.

use crate::app::{App, RunOptions};
use crate::config::Env;
use std::path::PathBuf;
use std::process::ExitCode;

/// Builds the bot, then runs it until Ctrl-C or SIGTERM.
pub async fn run(config: PathBuf, env: Env) -> anyhow::Result<ExitCode> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("stopping");
        let _ = tx.send(true);
    });
    App::build(RunOptions::new(config, env)).await?.run(rx).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
