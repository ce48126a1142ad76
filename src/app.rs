//! Start-up: the one entry point `hikeshi run` and the tests share.

use crate::clock::{Clock, SystemClock};
use crate::config::{Env, Settings};
use crate::service::Hikeshi;
use crate::store::Store;
use anyhow::Context as _;
use std::path::PathBuf;
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
}

impl RunOptions {
    pub fn new(config: PathBuf, env: Env) -> Self {
        RunOptions { config, env, clock: Arc::new(SystemClock), tick: std::time::Duration::from_secs(30) }
    }
}

/// The message when `DISCORD_TOKEN` is missing: what to set, where to get it.
pub const MISSING_TOKEN: &str = "DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications (your application → Bot → Reset Token) and export DISCORD_TOKEN=<token> before `hikeshi run`";

/// Loads the configuration, opens and migrates the database, and runs the
/// bot until `stop` turns true.
pub async fn run(opts: RunOptions, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    anyhow::ensure!(opts.env.token.is_some(), MISSING_TOKEN);
    let settings = Settings::load(&opts.config)?;
    let store = Store::connect(&opts.env.database_url)
        .await
        .with_context(|| format!("could not open the database {}", opts.env.database_url.redacted()))?;
    store.migrate().await?;
    tracing::info!(
        organisation = %settings.organisation.name,
        playbooks = settings.playbooks.all().len(),
        systems = settings.systems.all().len(),
        database = ?store.backend(),
        "starting"
    );
    let app = Hikeshi::new(store.clone(), Arc::new(settings), opts.clock);
    let result = crate::discord::run(app, &opts.env, opts.tick, stop).await;
    store.close().await;
    result
}
