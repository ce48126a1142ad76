//! The only module that knows serenity: it connects, registers commands,
//! turns Discord events into service calls, and delivers outbox effects.

pub mod commands;
pub mod custom_id;
pub mod effects;
pub mod errors;
pub mod forms;
mod handler;
pub mod i18n;
pub mod interactions;
pub mod lessons;
pub mod reminders;
pub mod render;
pub mod requests;
pub mod rest;

use crate::config::Secret;
use crate::domain::UserId;
use crate::outbox::Worker;
use crate::service::Hikeshi;
use anyhow::Context as _;
use serenity::all::{GatewayIntents, HttpBuilder};
use std::sync::Arc;
use tokio::sync::{watch, Notify};

/// The gateway events hikeshi uses, and no more. Message Content is
/// privileged: it must be enabled in the Developer Portal, or transcripts
/// stay empty (§4.2 "collected in one place").
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT
}

/// Connects to Discord (or to `api_base`), and runs until `stop` turns
/// true: the gateway client and the outbox worker.
pub async fn run(app: Hikeshi, env: &crate::config::Env, tick: std::time::Duration, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let token: &Secret = env.token.as_ref().context(crate::app::MISSING_TOKEN)?;
    let api_base = env.discord_api.as_deref();
    let make_http = || {
        let mut builder = HttpBuilder::new(token.expose());
        if let Some(base) = api_base {
            // serenity honours the proxy only with its rate limiter off; the
            // outbox's Rest does the limiting then (see rest.rs).
            builder = builder.proxy(base).ratelimiter_disabled(true);
        }
        builder.build()
    };
    let http = Arc::new(make_http());
    let me = http.get_current_user().await.map_err(|e| match &e {
        serenity::Error::Http(h) if h.status_code().is_some_and(|s| s.as_u16() == 401) => {
            anyhow::anyhow!(
                "Discord refused DISCORD_TOKEN (401 Unauthorized): copy the token again from the Developer Portal (Bot → Reset Token)"
            )
        }
        _ => anyhow::anyhow!("could not reach Discord to check the token: {e}"),
    })?;
    tracing::info!(bot = %me.name, id = %me.id, "token accepted");

    let wake = Arc::new(Notify::new());
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let ops_task = match &env.metrics_addr {
        Some(addr) => {
            let addr: std::net::SocketAddr =
                addr.parse().with_context(|| format!("HIKESHI_METRICS_ADDR={addr}: write an address such as 127.0.0.1:9090"))?;
            Some(tokio::spawn(crate::metrics::serve(addr, app.clone(), metrics.clone(), stop.clone())))
        }
        None => None,
    };
    let rest = rest::Rest::new(http.clone(), api_base, metrics.clone());
    let deliver = Arc::new(effects::DiscordEffects::new(rest, app.clone(), UserId(me.id.get())));
    let worker_name = format!("{}-{}", hostname(), std::process::id());
    let answering = Arc::new(crate::outbox::Answering::default());
    let mut worker = Worker::new(app.clone(), deliver, worker_name, wake.clone()).yielding_to(answering.clone());
    if let Some(secs) = env.outbox_lease_seconds {
        worker = worker.with_lease(chrono::Duration::seconds(secs));
    }
    let worker_task = tokio::spawn(worker.run(stop.clone()));
    let scheduler_task = tokio::spawn(crate::schedule::Scheduler::new(app.clone(), wake.clone(), tick).run(stop.clone()));

    let handler = handler::Handler::new(interactions::Ctx {
        app: app.clone(),
        http: http.clone(),
        wake: wake.clone(),
        metrics: metrics.clone(),
        answering,
    });
    // The gateway client gets an HTTP client with the same API base, so
    // that the gateway URL, too, comes from it.
    let mut client = serenity::all::ClientBuilder::new_with_http(make_http(), intents())
        .event_handler(handler)
        .await
        .context("could not build the Discord client")?;
    let shards = client.shard_manager.clone();
    let mut stop_gateway = stop.clone();
    let gateway = tokio::spawn(async move { client.start().await });
    tokio::select! {
        r = gateway => {
            r.context("the gateway task panicked")?.context("the gateway connection ended")?;
        }
        _ = async { let _ = stop_gateway.wait_for(|s| *s).await; } => {
            shards.shutdown_all().await;
        }
    }
    let _ = worker_task.await;
    let _ = scheduler_task.await;
    if let Some(t) = ops_task {
        if let Ok(Err(e)) = t.await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    }
    Ok(())
}

fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "hikeshi".into())
}
