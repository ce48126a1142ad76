//! `hikeshi outbox`: side effects waiting or given up — list them, retry a
//! dead one, drop one.

use super::OutboxAction;
use crate::app::open_service;
use crate::config::Env;
use std::path::Path;
use std::process::ExitCode;

pub async fn outbox(config: &Path, env: &Env, action: OutboxAction) -> anyhow::Result<ExitCode> {
    let app = open_service(config, env).await?;
    match action {
        OutboxAction::List => {
            let rows = app.delivery().outbox_rows().await?;
            if rows.is_empty() {
                println!("the outbox is empty: every side effect was delivered");
            }
            for r in rows {
                let incident = r.incident.map(|i| format!(" incident {i}")).unwrap_or_default();
                let error = r.last_error.map(|e| format!(" — {e}")).unwrap_or_default();
                println!("{:>6}  {:<8} {:<24} tries {}{incident}{error}", r.id, r.status, r.kind, r.attempts);
            }
            Ok(ExitCode::SUCCESS)
        }
        OutboxAction::Retry { id } => {
            if app.delivery().revive_outbox(id).await? {
                println!("item {id} will be tried again now (by the running bot)");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no dead item {id}: see `hikeshi outbox list`");
                Ok(ExitCode::FAILURE)
            }
        }
        OutboxAction::Drop { id } => {
            if app.delivery().drop_outbox(id).await? {
                println!("item {id} is dropped; it stays in the table for the audit");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no waiting or dead item {id}: see `hikeshi outbox list`");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
