//! Looks at every incident channel again when the server changes (a role,
//! a member, a channel's overwrites), and every few seconds for channels
//! it has not looked at yet (a new incident's): the service says what is
//! drift and what to do. Within seconds of a change; 60 s is the promise.

use super::super::Ctx;
use crate::domain::access::Overwrite;
use crate::domain::{ChannelId, IncidentId};
use serenity::all::{LightMethod, Request, Route};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Changes come in bursts (a role edit reaches many members): one look
/// after they settle.
const SETTLE: Duration = Duration::from_millis(500);
/// Between looks when nothing is heard: new incidents' channels.
const EVERY: Duration = Duration::from_secs(5);

/// What the last looks saw: the server's version, and each incident's
/// overwrites under it. An incident seen unchanged is not asked about.
#[derive(Default)]
struct Seen {
    version: u64,
    overwrites: HashMap<IncidentId, Vec<Overwrite>>,
    /// Channels the gateway has not shown but Discord said exist (one
    /// created a moment ago): not asked about again.
    present: HashSet<u64>,
    /// When each channel the gateway does not show was first found
    /// missing: a channel just made is shown within moments of its
    /// creation, so only one missing for a while is asked about.
    missing_since: HashMap<u64, std::time::Instant>,
}

/// How long a channel may be missing from the gateway's view before
/// Discord is asked whether it still exists.
const MISSING_FOR: Duration = Duration::from_secs(2);

pub async fn run(ctx: Ctx) {
    let mut seen = Seen::default();
    loop {
        tokio::select! {
            _ = ctx.access.changed().notified() => tokio::time::sleep(SETTLE).await,
            _ = tokio::time::sleep(EVERY) => {}
        }
        look(&ctx, &mut seen).await;
    }
}

/// Every watched incident whose channel or server changed since it was
/// last seen, against the server as last seen. One that could not be
/// checked (the database away) is not marked seen: the next look retries.
async fn look(ctx: &Ctx, seen: &mut Seen) {
    let Some((version, server, channels)) = ctx.access.snapshot() else {
        return;
    };
    if version != seen.version {
        seen.version = version;
        seen.overwrites.clear();
    }
    let watched = match ctx.app.access().watched().await {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the incident channels to watch");
            return;
        }
    };
    for (incident, channel) in watched {
        let Some(overwrites) = channels.get(&channel.0) else {
            missing(ctx, seen, channel).await;
            continue;
        };
        seen.missing_since.remove(&channel.0);
        if seen.overwrites.get(&incident) == Some(overwrites) {
            continue;
        }
        match ctx.app.access().observe(incident, &server, overwrites, ctx.me).await {
            Ok(()) => {
                seen.overwrites.insert(incident, overwrites.clone());
            }
            Err(e) => tracing::warn!(incident = %incident.0, error = %e, "could not check who reads an incident"),
        }
    }
}

/// A channel deleted: if it was an incident's, the service opens a new one.
pub async fn deleted(ctx: &Ctx, channel: ChannelId) {
    if let Err(e) = ctx.app.access().channel_deleted(channel).await {
        tracing::error!(%channel, error = %e, "could not replace a deleted incident channel; it is looked at again");
    }
}

/// An incident's channel the server did not show (deleted while hikeshi
/// was away, or made a moment ago): once it has been missing a while,
/// Discord is asked once, when nothing else waits; "Unknown Channel"
/// means it was deleted.
async fn missing(ctx: &Ctx, seen: &mut Seen, channel: ChannelId) {
    if seen.present.contains(&channel.0) {
        return;
    }
    let since = *seen.missing_since.entry(channel.0).or_insert_with(std::time::Instant::now);
    if since.elapsed() < MISSING_FOR {
        return;
    }
    let req = Request::new(Route::Channel { channel_id: channel.0.into() }, LightMethod::Get);
    match ctx.rest.send_in(req, crate::discord::rest::Lane::Idle).await {
        Ok(_) => {
            seen.present.insert(channel.0);
        }
        Err(e) if e.code() == Some(UNKNOWN_CHANNEL) => {
            seen.missing_since.remove(&channel.0);
            deleted(ctx, channel).await
        }
        Err(e) => tracing::warn!(%channel, error = %e, "could not ask Discord whether an incident channel exists"),
    }
}

/// Discord's code for a channel that does not exist.
const UNKNOWN_CHANNEL: i64 = 10003;
