//! The composition root: the one place that builds the process — the store,
//! the service, the Discord client and its effect deliverer, the outbox
//! worker, the scheduler, the metrics server — and starts them. `hikeshi
//! run` and the tests start the bot through [`run`]; the other commands
//! open the service through [`open_service`].

use crate::clock::{Clock, SystemClock};
use crate::config::{Env, Settings, MISSING_TOKEN};
use crate::discord::Discord;
use crate::metrics::Metrics;
use crate::runner::{Answering, Scheduler, Worker};
use crate::service::Hikeshi;
use crate::store::Store;
use anyhow::Context as _;
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

/// `hikeshi verify`: the event chain, the transcript and the §4.3 entries
/// against it (§4.4(4)). Needs only the database, not the configuration.
pub async fn verify(env: &Env) -> anyhow::Result<Result<i64, crate::domain::event::ChainBreak>> {
    let store = open_store(env).await?;
    let result = store.verify().await?;
    store.close().await;
    Ok(result)
}

/// `hikeshi doctor`: the configuration, the database, then Discord — the
/// token, the intent, the server, the role, every configured place, the
/// bot's permissions there. One line each; all must pass.
pub async fn doctor(config: &Path, env: &Env) -> Vec<crate::discord::doctor::Check> {
    use crate::discord::doctor::Check;
    let mut out = vec![];
    let settings = match Settings::load(config) {
        Ok(s) => {
            out.push(Check::pass(format!("{}: the configuration and playbooks pass check-config", config.display())));
            Some(s)
        }
        Err(e) => {
            for p in e.0 {
                out.push(Check::fail(format!("{}: `{}`: {}", p.file.display(), p.key, p.what), p.fix));
            }
            None
        }
    };
    match Store::connect(&env.database_url).await {
        Ok(store) => {
            match store.pending_migrations().await {
                Ok(p) if p.is_empty() => {
                    out.push(Check::pass(format!("the database {} is reachable and migrated", env.database_url.redacted())))
                }
                Ok(p) => out.push(Check::fail(
                    format!("the database {} lacks {} migration(s) ({})", env.database_url.redacted(), p.len(), p.join(", ")),
                    "run `hikeshi migrate` (hikeshi run applies them too)",
                )),
                Err(e) => out.push(Check::fail(format!("cannot read the database's migrations: {e}"), "check DATABASE_URL")),
            }
            store.close().await;
        }
        Err(e) => out.push(Check::fail(
            format!("the database {} cannot be opened: {e}", env.database_url.redacted()),
            "check DATABASE_URL and that the server answers",
        )),
    }
    let Some(settings) = settings else {
        out.push(Check::fail("Discord was not checked", "fix the configuration first"));
        return out;
    };
    let Some(token) = &env.token else {
        out.push(Check::fail("DISCORD_TOKEN is not set", MISSING_TOKEN));
        return out;
    };
    out.extend(crate::discord::doctor::checks(token, &env.discord_api, &settings, settings.organisation.lang).await);
    out
}

/// `hikeshi setup`: finds or makes the server's places, then writes their
/// ids into the configuration's `[discord]` table (comments kept), or with
/// `print` only prints the table. Returns what it says.
pub async fn setup(config: &Path, env: &Env, guild: Option<u64>, print: bool) -> anyhow::Result<Vec<String>> {
    let settings = Settings::load(config)?;
    let token = env.token.clone().context(MISSING_TOKEN)?;
    let mut said = vec![];
    let places = crate::discord::setup::setup(&token, &env.discord_api, &settings, guild, &mut said).await?;
    if print {
        said.push(crate::discord::setup::table(&places));
        return Ok(said);
    }
    let text = std::fs::read_to_string(config).with_context(|| format!("could not read {}", config.display()))?;
    let new = crate::discord::setup::write_ids(&text, &places).with_context(|| format!("could not edit {}", config.display()))?;
    if new == text {
        said.push(format!("✔ {} already holds these ids: nothing changed", config.display()));
    } else {
        std::fs::write(config, new).with_context(|| format!("could not write {}", config.display()))?;
        said.push(format!("✔ wrote the ids into [discord] of {}", config.display()));
    }
    said.push("next: `hikeshi doctor`, then `hikeshi run`".into());
    Ok(said)
}

/// Loads the configuration, opens and migrates the database, connects to
/// Discord, and runs the bot until `stop` turns true.
pub async fn run(opts: RunOptions, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
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
    let app = Hikeshi::new(store.clone(), Arc::new(settings), opts.clock).with_spool(opts.env.spool_dir.clone());
    let metrics = Arc::new(Metrics::default());
    let discord = Discord::connect(&token, &opts.env.discord_api, metrics.clone()).await?;

    // Answers to interactions go first; the outbox worker yields to them.
    let answering = Arc::new(Answering::default());
    let deliver = Arc::new(discord.deliverer(app.clone()));
    let worker = Worker::new(app.clone(), deliver, worker_name())
        .yielding_to(answering.clone())
        .with_lease(chrono::Duration::seconds(opts.env.outbox_lease_seconds));
    let scheduler = Scheduler::new(app.clone(), opts.tick).counting(opts.ticks.clone());
    let ops = opts.env.metrics_addr.map(|addr| tokio::spawn(crate::metrics::serve(addr, app.clone(), metrics.clone(), stop.clone())));
    // §4.1(3): alerts from monitoring, where configured.
    let intake =
        opts.env.intake_addr.map(|addr| tokio::spawn(crate::intake::serve(addr, app.clone(), opts.env.intake_token.clone(), stop.clone())));
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
    if let Some(t) = intake {
        if let Ok(Err(e)) = t.await {
            tracing::error!(error = %e, "the alert intake stopped");
        }
    }
    if let Some(t) = ops {
        if let Ok(Err(e)) = t.await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    }
    store.close().await;
    result
}

/// Names this process's outbox claims (a second process has another).
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "hikeshi".into());
    format!("{host}-{}", std::process::id())
}
