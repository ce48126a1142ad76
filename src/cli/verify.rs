//! `hikeshi verify`: the event chain, the transcript and the §4.3 entries
//! against it (§4.4(4)). Needs only the database, not the configuration.

use crate::app::open_store;
use crate::config::Env;
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
