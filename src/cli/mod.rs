//! The `hikeshi` command line: what each subcommand parses, and one module
//! per subcommand doing it. `main.rs` only parses and calls [`dispatch`].

mod audit;
mod check_config;
mod doctor;
mod export;
mod key;
mod migrate;
mod outbox;
mod run;
mod setup;
mod stats;
mod verify;

use crate::config::{Env, DEFAULT_PATH};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hikeshi", version, about = "火消し — security-incident response on Discord, by the regulation")]
pub struct Cli {
    /// The configuration file.
    #[arg(long, global = true, env = "HIKESHI_CONFIG", default_value = DEFAULT_PATH)]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the bot (the default).
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the configuration and playbooks.
    CheckConfig,
    /// Check the integrity of the event log, and of the transcript, files
    /// and §4.3 entries against it. Each check that finds it intact is
    /// remembered as a checkpoint.
    Verify {
        /// Only what was recorded after event SEQ (the chain from there, and
        /// the rows its new events vouch for).
        #[arg(long, value_name = "SEQ", conflicts_with = "new")]
        since: Option<i64>,
        /// Only what was recorded after the last check that found the record
        /// intact (a daily check); the whole record when none was made.
        #[arg(long)]
        new: bool,
        /// Check an exported bundle instead (`export --bundle`): needs no
        /// database and no configuration.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["since", "new"])]
        bundle: Option<PathBuf>,
        /// The public key the bundle must be signed with (`hikeshi key` of
        /// the deployment that made it).
        #[arg(long, value_name = "HEX", requires = "bundle")]
        key: Option<String>,
    },
    /// Make a new server ready: the committee role, the incidents and archive
    /// categories, the committee and announcement channels; write their ids
    /// into the configuration. Running it again changes nothing.
    Setup {
        /// The server, when the bot is in more than one.
        #[arg(long)]
        guild: Option<u64>,
        /// Print the `[discord]` table instead of writing it.
        #[arg(long)]
        print: bool,
    },
    /// Check a real server's set-up: token, intent, server, role, channels,
    /// privacy, the bot's permissions, the database. Exit 0 when all pass.
    Doctor,
    /// Figures per category: counts, median times, deadlines met and missed.
    Stats {
        /// First day (YYYY-MM-DD, organisation's time zone); default: 1 January this year.
        #[arg(long)]
        from: Option<String>,
        /// Day after the last (YYYY-MM-DD); default: now.
        #[arg(long)]
        until: Option<String>,
        /// Also draw the figures as a chart into this PNG file.
        #[arg(long)]
        chart: Option<PathBuf>,
    },
    /// §5 operational checks: playbook coverage, owners, lessons, deadlines, drills.
    Audit {
        /// List every waiver and dismissal ever made, not only those of the
        /// last year (earlier ones are summed up in one line).
        #[arg(long)]
        all: bool,
    },
    /// Side effects waiting or given up: list them, retry a dead one, drop one.
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Print the deployment's public key (Ed25519, hex), which checks the
    /// bundles `export --bundle` signs; the key is made if absent.
    Key,
    /// Export one incident's whole record (INC-2026-0007).
    Export {
        number: String,
        /// md, json or html.
        #[arg(long, default_value = "md")]
        format: String,
        /// Write to this file instead of standard output; to a folder (one
        /// that exists, or a path ending in `/`): the document and, under
        /// `files/`, every file kept as evidence.
        #[arg(long, conflicts_with = "bundle")]
        output: Option<PathBuf>,
        /// Write a bundle that proves itself into this folder: the events
        /// with their hashes, the transcript, the §4.3 entries, the files,
        /// and a seal signed with the deployment's key.
        #[arg(long, value_name = "DIR")]
        bundle: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum OutboxAction {
    /// Dead items and those still waiting, with their last error.
    List,
    /// Try a dead item again now.
    Retry { id: i64 },
    /// Set an item aside for good (it stays in the table as `dropped`).
    Drop { id: i64 },
}

/// Runs one subcommand (`run` when none is named).
pub async fn dispatch(cli: Cli, env: Env) -> anyhow::Result<ExitCode> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => run::run(config, env).await,
        Command::Migrate => migrate::migrate(&env).await,
        Command::CheckConfig => check_config::check_config(&config),
        Command::Verify { bundle: Some(dir), key, .. } => verify::bundle(&dir, key.as_deref()),
        Command::Verify { since, new, .. } => verify::verify(&env, since, new).await,
        Command::Audit { all } => audit::audit(&config, &env, all).await,
        Command::Stats { from, until, chart } => stats::stats(&config, &env, from, until, chart).await,
        Command::Export { number, bundle: Some(dir), .. } => export::bundle(&config, &env, &number, &dir).await,
        Command::Export { number, format, output, .. } => export::export(&config, &env, &number, &format, output).await,
        Command::Outbox { action } => outbox::outbox(&config, &env, action).await,
        Command::Setup { guild, print } => setup::setup(&config, &env, guild, print).await,
        Command::Doctor => doctor::doctor(&config, &env).await,
        Command::Key => key::key(&env),
    }
}

/// Logs to standard error: one JSON object a line with
/// `HIKESHI_LOG_FORMAT=json` (for log collectors), else text, coloured on a
/// terminal only.
pub fn init_logs(env: &Env) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "hikeshi=info,serenity=warn,sqlx=warn".into());
    if env.log_json {
        tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).init();
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        tracing_subscriber::fmt().with_ansi(ansi).with_env_filter(filter).with_writer(std::io::stderr).init();
    }
}
