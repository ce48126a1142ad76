//! The composition root: the one place that builds the process — the store,
//! the services, the Discord client and its effect deliverer, the outbox
//! worker, the scheduler, the HTTP listeners — and then runs it. `hikeshi
//! run` and the tests start the bot through [`App::build`] and
//! [`App::run`]; the other commands open the services through
//! [`open_service`].

use crate::clock::{Clock, SystemClock};
use crate::config::{Env, Settings, MISSING_TOKEN};
use crate::discord::Discord;
use crate::http;
use crate::metrics::Metrics;
use crate::runner::{Answering, Scheduler, Worker};
use crate::service::Hikeshi;
use crate::store::Store;
use anyhow::Context as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

/// Everything `run` needs; `main` fills it from the command line and the
/// environment, tests from their harness.
pub struct RunOptions {
    pub config: PathBuf,
    pub env: Env,
    pub clock: Arc<dyn Clock>,
    /// How often the scheduler looks at the clock.
    pub tick: std::time::Duration,
    /// Counts the scheduler's completed ticks (tests wait on it).
    pub ticks: Arc<std::sync::atomic::AtomicU64>,
}

impl RunOptions {
    pub fn new(config: PathBuf, env: Env) -> Self {
        RunOptions { config, env, clock: Arc::new(SystemClock), tick: std::time::Duration::from_secs(30), ticks: Arc::default() }
    }
}

/// Opens the database named by `DATABASE_URL` and applies its migrations.
pub async fn open_store(env: &Env) -> anyhow::Result<Store> {
    let store =
        Store::connect(&env.database_url).await.with_context(|| format!("could not open the database {}", env.database_url.redacted()))?;
    store.migrate().await?;
    Ok(store)
}

/// The service without Discord, for the commands that read the records
/// (`export`, `stats`, `audit`, `verify`).
pub async fn open_service(config: &Path, env: &Env) -> anyhow::Result<Hikeshi> {
    let settings = Settings::load(config)?;
    let store = open_store(env).await?;
    Ok(Hikeshi::new(store, Arc::new(settings), Arc::new(SystemClock)))
}

/// The bot, built: the database open and migrated, Discord's answer to the
/// token in hand, every listener bound. Nothing runs until [`App::run`].
pub struct App {
    app: Hikeshi,
    store: Store,
    discord: Discord,
    answering: Arc<Answering>,
    worker: Worker,
    scheduler: Scheduler,
    ops: Option<(http::Bound, axum::Router)>,
    alerts: Option<(http::Bound, axum::Router)>,
    web: Option<(http::Bound, axum::Router)>,
}

/// Where the app listens, as bound (a port 0 asked for is a real one here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addresses {
    /// `/healthz` and `/metrics` (`HIKESHI_METRICS_ADDR`).
    pub ops: Option<SocketAddr>,
    /// The alert intake (`HIKESHI_INTAKE_ADDR`).
    pub alerts: Option<SocketAddr>,
    /// The web console (`HIKESHI_WEB_ADDR`).
    pub web: Option<SocketAddr>,
}

impl App {
    /// Loads the configuration, opens and migrates the database, checks the
    /// token with Discord, binds the listeners, and wires the loops.
    pub async fn build(opts: RunOptions) -> anyhow::Result<App> {
        let token = opts.env.token.clone().context(MISSING_TOKEN)?;
        let settings = Settings::load(&opts.config)?;
        let store = open_store(&opts.env).await?;
        tracing::info!(
            organisation = %settings.organisation.name,
            playbooks = settings.playbooks.all().len(),
            systems = settings.systems.all().len(),
            database = ?store.backend(),
            "starting"
        );
        // Issue 25: made at first start, so that every bundle can be signed.
        match crate::signing::load_or_make(&opts.env.key_file) {
            Ok(key) => tracing::info!(public_key = %crate::signing::public_hex(&key), "signing key ready"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "no signing key: exported bundles cannot be signed until it is put right"),
        }
        let app = Hikeshi::new(store.clone(), Arc::new(settings), opts.clock).with_spool(opts.env.spool_dir.clone());
        let metrics = Arc::new(Metrics::default());
        let ops = listen("HIKESHI_METRICS_ADDR", opts.env.metrics_addr, "/healthz and /metrics").await;
        let ops = ops.map(|b| (b, http::ops::router(app.delivery().clone(), app.clock.clone(), metrics.clone())));
        // §4.1(3): alerts from monitoring, where configured.
        if opts.env.intake_addr.is_some() && opts.env.intake_token.is_none() {
            tracing::warn!("HIKESHI_INTAKE_TOKEN is not set: the alert intake answers every request with 503");
        }
        let alerts = listen("HIKESHI_INTAKE_ADDR", opts.env.intake_addr, http::alerts::WHAT).await;
        let alerts = alerts.map(|b| (b, http::alerts::router(app.alerts().clone(), opts.env.intake_token.clone())));
        let web = listen("HIKESHI_WEB_ADDR", opts.env.web_addr, http::console::WHAT).await;
        let discord = Discord::connect(&token, &opts.env.discord_api, metrics).await?;
        // Issue 28: the console asks the bot who a member is now.
        let guild = app.settings.discord.guild;
        let app = app.with_members(discord.members(guild));
        let web = web.and_then(|b| console(&app, &opts.env, discord.application_id()).map(|r| (b, r)));
        // Answers to interactions go first; the outbox worker yields to them.
        let answering = Arc::new(Answering::default());
        let outside = crate::outside::OutsideEffects::new(app.clone(), opts.env.webhook_secret.clone(), opts.env.smtp_login.clone());
        let deliver = Arc::new(crate::runner::Roads { discord: Arc::new(discord.deliverer(app.clone())), outside: Arc::new(outside) });
        let worker = Worker::new(app.clone(), deliver, worker_name())
            .yielding_to(answering.clone())
            .with_lease(chrono::Duration::seconds(opts.env.outbox_lease_seconds));
        let scheduler = Scheduler::new(app.clone(), opts.tick).counting(opts.ticks.clone());
        Ok(App { app, store, discord, answering, worker, scheduler, ops, alerts, web })
    }

    pub fn addresses(&self) -> Addresses {
        let addr = |l: &Option<(http::Bound, axum::Router)>| l.as_ref().map(|(b, _)| b.addr);
        Addresses { ops: addr(&self.ops), alerts: addr(&self.alerts), web: addr(&self.web) }
    }

    /// Runs the bot until `stop` turns true.
    pub async fn run(self, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
        let App { app, store, discord, answering, worker, scheduler, ops, alerts, web } = self;
        let serve = |(bound, router): (http::Bound, axum::Router)| tokio::spawn(http::serve(bound, router, stop.clone()));
        let (ops, alerts, web) = (ops.map(serve), alerts.map(serve), web.map(serve));
        let worker = tokio::spawn(worker.run(stop.clone()));
        // Reports held on disk by an earlier run (a stop while the database
        // was away) are stored first, and any held later as soon as it can be.
        let replay = tokio::spawn(crate::runner::replay_held(app.clone(), stop.clone()));
        let scheduler = tokio::spawn(scheduler.run(stop.clone()));

        let result = discord.run_gateway(app, answering, stop).await;
        if result.is_err() {
            // The gateway ended by itself: nothing will say stop to the loops.
            worker.abort();
            scheduler.abort();
            replay.abort();
        }
        let _ = worker.await;
        let _ = replay.await;
        let _ = scheduler.await;
        for (task, what) in [(alerts, "the alert intake"), (ops, "the metrics server"), (web, http::console::WHAT)] {
            let Some(task) = task else { continue };
            if let Ok(Err(e)) = task.await {
                tracing::error!(error = %e, "{what} stopped");
            }
        }
        store.close().await;
        result
    }
}

/// Binds a listener the environment asks for. One that cannot be bound
/// (the port taken, say by the old process of a rolling deploy) is said at
/// once and left out: reports matter more than the endpoints beside them.
async fn listen(var: &str, addr: Option<SocketAddr>, what: &'static str) -> Option<http::Bound> {
    match http::bind(var, addr?, what).await {
        Ok(bound) => Some(bound),
        Err(e) => {
            tracing::error!(error = %e, "running without {what}");
            None
        }
    }
}

/// Issue 28: the web console's routes, if it can sign anyone in: it needs
/// `[web] public_url` (where Discord sends members back) and
/// `HIKESHI_OAUTH_SECRET`. Without them it is said, and left out.
fn console(app: &Hikeshi, env: &crate::config::Env, client_id: u64) -> Option<axum::Router> {
    let Some(web) = app.settings.web.clone() else {
        tracing::error!("HIKESHI_WEB_ADDR is set but [web] public_url is not: running without the web console (write the address members open, e.g. public_url = \"https://hikeshi.example.org\", in {})", app.settings.path.display());
        return None;
    };
    let Some(secret) = env.oauth_secret.clone() else {
        tracing::error!("HIKESHI_WEB_ADDR is set but HIKESHI_OAUTH_SECRET is not: running without the web console (copy the client secret from the Developer Portal → OAuth2)");
        return None;
    };
    Some(http::console::router(app, web, http::console::Oauth::new(client_id, secret, &env.discord_api)))
}

/// Names this process's outbox claims (a second process has another).
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "hikeshi".into());
    format!("{host}-{}", std::process::id())
}
