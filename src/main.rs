//! The `hikeshi` command line.

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use hikeshi::app::{open_service, open_store, run, RunOptions};
use hikeshi::config::{Env, Settings, DEFAULT_PATH};
use hikeshi::domain::Category;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hikeshi", version, about = "火消し — security-incident response on Discord, by the regulation")]
struct Cli {
    /// The configuration file.
    #[arg(long, global = true, env = "HIKESHI_CONFIG", default_value = DEFAULT_PATH)]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot (the default).
    Run,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the configuration and playbooks.
    CheckConfig,
    /// Check the integrity of the event log.
    Verify,
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
    Audit,
    /// Side effects waiting or given up: list them, retry a dead one, drop one.
    Outbox {
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Export one incident's whole record (INC-2026-0007).
    Export {
        number: String,
        /// md, json or html.
        #[arg(long, default_value = "md")]
        format: String,
        /// Write to this file instead of standard output; to a folder (one
        /// that exists, or a path ending in `/`): the document and, under
        /// `files/`, every file kept as evidence.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum OutboxAction {
    /// Dead items and those still waiting, with their last error.
    List,
    /// Try a dead item again now.
    Retry { id: i64 },
    /// Set an item aside for good (it stays in the table as `dropped`).
    Drop { id: i64 },
}

fn main() -> ExitCode {
    let matches = Cli::command().after_help(hikeshi::config::env::help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A value the process cannot use stops it before anything starts.
    let env = match Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "hikeshi=info,serenity=warn,sqlx=warn".into());
    // HIKESHI_LOG_FORMAT=json: one JSON object a line, for log collectors.
    if env.log_json {
        tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).init();
    } else {
        // Colours for a terminal only: a log file or journal gets plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        tracing_subscriber::fmt().with_ansi(ansi).with_env_filter(filter).with_writer(std::io::stderr).init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(main_async(cli, env)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn main_async(cli: Cli, env: Env) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => {
            let (tx, rx) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("stopping");
                let _ = tx.send(true);
            });
            run(RunOptions::new(cli.config, env), rx).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open_store(&env).await?.close().await;
            println!("migrations applied to {}", env.database_url.redacted());
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig => match Settings::load(&cli.config) {
            Ok(s) => {
                print!("{}", summary(&s));
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprint!("{e}");
                Ok(ExitCode::FAILURE)
            }
        },
        Command::Audit => {
            let app = open_service(&cli.config, &env).await?;
            let findings = app.records().audit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", hikeshi::records::audit::report(&findings, app.settings.organisation.lang));
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { from, until, chart } => {
            let app = open_service(&cli.config, &env).await?;
            let day = |s: &str| -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
                use chrono::TimeZone;
                let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("`{s}`: write the day as YYYY-MM-DD"))?;
                let t = app
                    .settings
                    .organisation
                    .tz
                    .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                    .earliest()
                    .context("no such local time")?;
                Ok(t.with_timezone(&chrono::Utc))
            };
            let from = match from {
                Some(f) => day(&f)?,
                None => app.records().period_start(false),
            };
            let until = match until {
                Some(u) => day(&u)?,
                None => chrono::Utc::now() + chrono::Duration::seconds(1),
            };
            let stats = app.records().stats(from, until).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let lang = app.settings.organisation.lang;
            print!("{}", hikeshi::records::stats::table(&stats, lang));
            if let Some(path) = chart {
                let font = hikeshi::records::chart::machine_font().map_err(|e| anyhow::anyhow!(e))?;
                let png = hikeshi::records::chart::png(&stats, lang, &font).map_err(|e| anyhow::anyhow!(e))?;
                std::fs::write(&path, png).with_context(|| format!("could not write {}", path.display()))?;
                println!("chart: {}{}", path.display(), if font.japanese { "" } else { " (English labels: no Japanese font found)" });
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { number, format, output } => {
            let Some(format) = hikeshi::records::export::Format::parse(&format) else {
                eprintln!("error: --format {format}: use md, json or html");
                return Ok(ExitCode::FAILURE);
            };
            let number: hikeshi::domain::IncidentNumber = number.parse()?;
            let app = open_service(&cli.config, &env).await?;
            let record = app.records().record(number).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let text = hikeshi::records::export::render(&record, format, &app.settings);
            match output {
                Some(dir) if dir.is_dir() || dir.to_string_lossy().ends_with('/') => {
                    let page = dir.join(format!("{number}.{}", format.extension()));
                    std::fs::create_dir_all(dir.join("files")).with_context(|| format!("could not create {}", dir.display()))?;
                    std::fs::write(&page, text).with_context(|| format!("could not write {}", page.display()))?;
                    let files = hikeshi::records::export::files(&record);
                    for (name, bytes) in &files {
                        let path = dir.join(name);
                        std::fs::write(&path, bytes).with_context(|| format!("could not write {}", path.display()))?;
                    }
                    println!("wrote {} and {} file(s) kept as evidence under {}", page.display(), files.len(), dir.join("files").display());
                }
                Some(path) => std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Outbox { action } => {
            let app = open_service(&cli.config, &env).await?;
            let failed = |e: hikeshi::service::ServiceError| anyhow::anyhow!("{e}");
            match action {
                OutboxAction::List => {
                    let rows = app.delivery().outbox_rows().await.map_err(failed)?;
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
                    if app.delivery().revive_outbox(id).await.map_err(failed)? {
                        println!("item {id} will be tried again now (by the running bot)");
                        Ok(ExitCode::SUCCESS)
                    } else {
                        eprintln!("error: no dead item {id}: see `hikeshi outbox list`");
                        Ok(ExitCode::FAILURE)
                    }
                }
                OutboxAction::Drop { id } => {
                    if app.delivery().drop_outbox(id).await.map_err(failed)? {
                        println!("item {id} is dropped; it stays in the table for the audit");
                        Ok(ExitCode::SUCCESS)
                    } else {
                        eprintln!("error: no waiting or dead item {id}: see `hikeshi outbox list`");
                        Ok(ExitCode::FAILURE)
                    }
                }
            }
        }
        Command::Setup { guild, print } => {
            for line in hikeshi::app::setup(&cli.config, &env, guild, print).await? {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor => {
            let checks = hikeshi::app::doctor(&cli.config, &env).await;
            for c in &checks {
                println!("{}", c.line());
            }
            let failed = checks.iter().filter(|c| !c.ok).count();
            if failed == 0 {
                println!("all {} checks pass", checks.len());
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{failed} of {} checks fail", checks.len());
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Verify => match hikeshi::app::verify(&env).await? {
            Ok(n) => {
                println!("the event log is intact: {n} events");
                Ok(ExitCode::SUCCESS)
            }
            Err(brk) => {
                println!("the event log is BROKEN: {brk}");
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

fn summary(s: &Settings) -> String {
    let mut out = format!("{}: configuration OK ({})\n", s.path.display(), s.organisation.name);
    out.push_str("systems per recovery priority (Table 1):\n");
    for (p, n) in s.systems.count_by_priority() {
        out.push_str(&format!("  priority {p}: {n}\n"));
    }
    out.push_str("playbooks per category:\n");
    for c in Category::ALL {
        let ids: Vec<&str> = s
            .playbooks
            .all()
            .iter()
            .filter(|p| p.covers.iter().any(|cv| cv.fit(c, None).is_some() || c.sub_kinds().any(|k| cv.fit(c, Some(k)).is_some())))
            .map(|p| p.id.0.as_str())
            .collect();
        out.push_str(&format!(
            "  {}: {} {}\n",
            c.id(),
            ids.len(),
            if ids.is_empty() { String::new() } else { format!("({})", ids.join(", ")) }
        ));
    }
    out
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
