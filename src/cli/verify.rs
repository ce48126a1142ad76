//! `hikeshi verify`: the event chain, the transcript and the §4.3 entries
//! against it (§4.4(4)). Needs only the database, not the configuration.

use crate::app::open_store;
use crate::config::Env;
use crate::store::Store;
use std::process::ExitCode;

/// The whole record, what followed event `since`, or (`new`) what followed
/// the last check that found it intact. An intact record moves the
/// checkpoint to its head.
pub async fn verify(env: &Env, since: Option<i64>, new: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(env).await?;
    let code = check(&store, since, new).await;
    store.close().await;
    code
}

async fn check(store: &Store, since: Option<i64>, new: bool) -> anyhow::Result<ExitCode> {
    let from = match (since, new) {
        (Some(s), _) if s < 0 => anyhow::bail!("--since {s}: an event number is 0 or more"),
        (Some(s), _) => s,
        (None, true) => store.verified_head().await?.unwrap_or(0),
        (None, false) => 0,
    };
    match store.verify_after(from).await? {
        Ok(v) => {
            // A copy of the database opened read-only (an auditor's) is
            // verified all the same; only the checkpoint is not kept.
            if let Err(e) = store.keep_verified_head(&v).await {
                eprintln!("note: the checkpoint could not be kept ({e}); the next --new reads the whole record");
            }
            match from {
                0 => println!("the event log is intact: {} events", v.events),
                _ => println!("the event log is intact: {} events after event {from}, {} in all", v.events, v.head.0),
            }
            // APPI redactions: the text is gone, the record says who, when and why.
            for e in &v.redactions {
                if let Ok(crate::domain::EventPayload::Redacted { message, reason, .. }) = e.payload() {
                    let at = crate::clock::from_ms(e.at_ms).format("%Y-%m-%d %H:%M UTC");
                    println!("redacted: message {message} of incident {} by {} at {at}: {reason}", e.incident.unwrap_or(0), e.actor);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(brk) => {
            println!("the event log is BROKEN: {brk}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A bundle (`export --bundle`), with nothing but the bundle: each thing
/// altered or missing named, exit 1 when any.
pub fn bundle(dir: &std::path::Path, key: Option<&str>) -> anyhow::Result<ExitCode> {
    let checked =
        crate::records::bundle::check(dir, key).map_err(|e| anyhow::anyhow!("could not read the bundle {}: {e}", dir.display()))?;
    if let Some(seal) = &checked.seal {
        println!("bundle of {}: {} events, sealed at event {} by key {}", seal.incident, seal.events, seal.head_seq, seal.public_key);
    }
    if checked.altered.is_empty() {
        println!("the bundle is intact");
        if key.is_none() {
            println!("(compare the key above with `hikeshi key` of the deployment, or pass it with --key)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!("the bundle is ALTERED:");
    for a in &checked.altered {
        println!("  {a}");
    }
    Ok(ExitCode::FAILURE)
}
