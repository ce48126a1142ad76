//! `hikeshi doctor`: a real server's set-up, checked line by line.

use crate::config::{Env, Settings, MISSING_TOKEN};
use crate::discord::doctor::Check;
use crate::store::Store;
use std::path::Path;
use std::process::ExitCode;

/// Prints one line a check; exit 0 when all pass.
pub async fn doctor(config: &Path, env: &Env) -> anyhow::Result<ExitCode> {
    let checks = checks(config, env).await;
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

/// `hikeshi doctor`: the configuration, the database, then Discord — the
/// token, the intent, the server, the role, every configured place, the
/// bot's permissions there. One line each; all must pass.
async fn checks(config: &Path, env: &Env) -> Vec<Check> {
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
