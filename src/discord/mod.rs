//! The only module that knows serenity, organised by feature: each folder
//! holds its commands, its click and form handlers, its rendering and the
//! delivery of its side effects. What they share sits beside them: the
//! REST client, the custom-id and form tables, reply and text helpers.
//!
//! `app` assembles the process; this module connects, runs the gateway and
//! delivers effects, asking the service for every decision.

pub mod access;
pub mod appi;
mod channels;
pub mod commands;
mod console;
pub mod custom_id;
pub mod deliver;
mod dm;
pub mod doctor;
mod escalation;
mod findings;
pub mod forms;
mod gateway;
pub mod incident;
mod interactions;
pub mod lessons;
mod oncall;
mod options;
pub mod playbook;
pub mod records;
pub mod reminders;
pub mod render;
pub mod reply;
pub mod report;
pub mod requests;
pub mod rest;
pub mod setup;
mod slash;
pub mod text;
mod transcript;

use crate::config::Secret;
use crate::domain::UserId;
use crate::metrics::Metrics;
use crate::runner::Answering;
use crate::service::Hikeshi;
use anyhow::Context as _;
use serenity::all::{GatewayIntents, Http, HttpBuilder, LightMethod, Request, Route};
use std::sync::Arc;
use tokio::sync::watch;

/// The gateway events hikeshi uses, and no more. Message Content is
/// privileged: it must be enabled in the Developer Portal, or transcripts
/// stay empty (§4.2 "collected in one place").
/// Server Members (privileged too) is asked for when the application has
/// it enabled: it tells who can read each incident (issue 25); asked for
/// without it, Discord would refuse the connection (4014).
pub fn intents(members: bool) -> GatewayIntents {
    let base = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    if members {
        base | GatewayIntents::GUILD_MEMBERS
    } else {
        base
    }
}

/// The application's flags for the Server Members intent (enabled, or
/// enabled while the bot is in fewer than 100 servers).
pub const MEMBERS_FLAGS: u64 = (1 << 14) | (1 << 15);

/// What every handler needs.
#[derive(Clone)]
pub struct Ctx {
    pub app: Hikeshi,
    /// The one road to Discord's REST API, shared with the outbox (one
    /// global limit, one set of buckets).
    pub rest: rest::Rest,
    pub metrics: Arc<Metrics>,
    /// Counts answers in progress, for the outbox worker to let them go first.
    pub answering: Arc<Answering>,
    /// Reports held while the database is away, by interaction: told what
    /// became of them if the process stops first.
    pub held: Arc<std::sync::Mutex<std::collections::HashMap<String, report::HeldReply>>>,
    /// The bot itself: its own posts are recognised by their nonce.
    pub me: UserId,
    /// Channels unknown to every incident that a message came from, each
    /// looked up once: whether it is an incident's thread (see
    /// `transcript::message`).
    pub looked_up: Arc<std::sync::Mutex<std::collections::HashMap<u64, Arc<tokio::sync::OnceCell<bool>>>>>,
    /// The server as the gateway shows it: who can read each channel.
    pub access: access::Mirror,
}

impl Ctx {
    /// The incident whose channel a command was run in.
    pub async fn incident_here(
        &self,
        cmd: &serenity::all::CommandInteraction,
    ) -> Result<crate::domain::Incident, crate::service::ServiceError> {
        self.app.incidents().in_channel(crate::domain::ChannelId(cmd.channel_id.get())).await
    }

    /// How many members the server has, the bot left out (when known).
    pub fn members(&self) -> Option<usize> {
        self.access.members_but(self.me).map(|m| m.len())
    }
}

/// A connection to Discord (or to `HIKESHI_DISCORD_API`) whose token was
/// accepted.
pub struct Discord {
    token: Secret,
    api_base: String,
    rest: rest::Rest,
    metrics: Arc<Metrics>,
    me: UserId,
    /// The application has the Server Members intent enabled.
    members_intent: bool,
    /// The server as the gateway shows it, shared by the handlers that
    /// keep it and the deliverer that asks who holds the committee role.
    access: access::Mirror,
}

/// Tells the committee, once, that Discord refuses so many requests that
/// the road slows down (issue 23, item 3).
async fn warn_near_ban(rest: rest::Rest, app: Hikeshi) {
    rest.near_ban().notified().await;
    let count = u32::try_from(rest.invalid_recent()).unwrap_or(u32::MAX);
    if let Err(e) = app.delivery().warn_refusals(count).await {
        tracing::error!(error = %e, "could not queue the committee's warning about Discord's refusals");
    }
}

/// Whether the application may ask for the Server Members intent; when
/// it may not, who reads an incident is known by role only.
async fn members_intent(rest: &rest::Rest) -> bool {
    let app: Result<serde_json::Value, _> = rest.json(Request::new(Route::Oauth2ApplicationCurrent, LightMethod::Get)).await;
    match app {
        Ok(app) => {
            let on = channels::num(&app["flags"]) & MEMBERS_FLAGS != 0;
            if !on {
                tracing::warn!("the Server Members intent is off: who can read each incident is known by role only (enable it in the Developer Portal)");
            }
            on
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not read the application's intents; going on without the Server Members intent");
            false
        }
    }
}

impl Discord {
    /// serenity's own client, for its gateway alone: the bot's requests
    /// take [`rest::Rest`]. With its rate limiter off, serenity sends to
    /// the proxy it is given, which is the API base (Discord by default).
    fn gateway_http(token: &Secret, api_base: &str) -> Http {
        HttpBuilder::new(token.expose()).proxy(api_base).ratelimiter_disabled(true).build()
    }

    /// Checks the token (`GET /users/@me`) and says plainly what to do when
    /// Discord refuses it.
    pub async fn connect(token: &Secret, api_base: &str, metrics: Arc<Metrics>) -> anyhow::Result<Discord> {
        let rest = rest::Rest::new(token, api_base, metrics.clone());
        let me: serenity::all::CurrentUser =
            rest.json(Request::new(Route::UserMe, LightMethod::Get)).await.map_err(|e| match e.status() {
                Some(401) => anyhow::anyhow!(
                    "Discord refused DISCORD_TOKEN (401 Unauthorized): copy the token again from the Developer Portal (Bot → Reset Token)"
                ),
                _ => anyhow::anyhow!("could not reach Discord to check the token: {e}"),
            })?;
        tracing::info!(bot = %me.name, id = %me.id, "token accepted");
        let members_intent = members_intent(&rest).await;
        let access = access::Mirror::new(members_intent);
        Ok(Discord { token: token.clone(), api_base: api_base.to_string(), rest, metrics, me: UserId(me.id.get()), members_intent, access })
    }

    /// A REST client alone, for the commands that talk to Discord without
    /// running the bot (`doctor`, `setup`): no token check, no gateway.
    pub(crate) fn rest_only(token: &Secret, api_base: &str) -> rest::Rest {
        rest::Rest::new(token, api_base, Arc::default())
    }

    /// The application's id: the bot's user id, which Discord gives every
    /// application made since 2019 (and so the OAuth2 client id).
    pub fn application_id(&self) -> u64 {
        self.me.0
    }

    /// Issue 28: the server's members as the bot reads them, for the web
    /// console's sign-ins.
    pub fn members(&self, guild: u64) -> std::sync::Arc<dyn crate::service::Members> {
        std::sync::Arc::new(console::ServerMembers { rest: self.rest.clone(), guild })
    }

    /// The outbox's deliverer of effects to Discord.
    pub fn deliverer(&self, app: Hikeshi) -> deliver::DiscordEffects {
        deliver::DiscordEffects::new(self.rest.clone(), app, self.me, self.access.clone())
    }

    /// Runs the gateway until `stop` turns true.
    pub async fn run_gateway(&self, app: Hikeshi, answering: Arc<Answering>, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
        let held: Arc<std::sync::Mutex<std::collections::HashMap<String, report::HeldReply>>> = Arc::default();
        let (app_clock, warn_app) = (app.clock.clone(), app.clone());
        let access = self.access.clone();
        let ctx = Ctx {
            app,
            rest: self.rest.clone(),
            metrics: self.metrics.clone(),
            answering,
            held: held.clone(),
            looked_up: Arc::default(),
            me: self.me,
            access,
        };
        let watcher = tokio::spawn(access::watch::run(ctx.clone()));
        let handler = gateway::Handler::new(ctx);
        // The gateway client gets an HTTP client with the same API base, so
        // that the gateway URL, too, comes from it.
        let mut client =
            serenity::all::ClientBuilder::new_with_http(Self::gateway_http(&self.token, &self.api_base), intents(self.members_intent))
                .event_handler(handler)
                .await
                .context("could not build the Discord client")?;
        let shards = client.shard_manager.clone();
        let watch = tokio::spawn(gateway::watch_shards(shards.clone(), self.metrics.clone(), app_clock));
        let warn = tokio::spawn(warn_near_ban(self.rest.clone(), warn_app));
        let mut stop = stop;
        let gateway = tokio::spawn(async move { client.start().await });
        let ended = tokio::select! {
            r = gateway => Some(r),
            _ = async { let _ = stop.wait_for(|s| *s).await; } => None,
        };
        watch.abort();
        warn.abort();
        watcher.abort();
        match ended {
            Some(r) => r.context("the gateway task panicked")?.context("the gateway connection ended")?,
            None => {
                shards.shutdown_all().await;
                self.tell_held_reporters(&held).await;
            }
        }
        Ok(())
    }

    /// Stopping with reports still held: each reporter reads plainly what
    /// became of theirs (kept on disk for the next start, or their text
    /// back), not a promise that "this message changes".
    async fn tell_held_reporters(&self, held: &std::sync::Mutex<std::collections::HashMap<String, report::HeldReply>>) {
        let held: Vec<report::HeldReply> = held.lock().unwrap_or_else(|e| e.into_inner()).drain().map(|(_, h)| h).collect();
        for h in held {
            let body = serenity::all::EditInteractionResponse::new()
                .content(text::clip(&report::stopping(&h), 2000))
                .allowed_mentions(render::no_mentions());
            if let Err(e) = reply::edit_original(&self.rest, h.application, &h.token, &body).await {
                tracing::warn!(error = %e, "could not tell a reporter what became of their held report");
            }
        }
    }
}
