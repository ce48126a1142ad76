//! Secrets and deployment values come from the environment, never from the
//! configuration file.

use std::fmt;

/// A secret that never prints: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A database URL whose password, if any, never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl DatabaseUrl {
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &self.0[s + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &self.0[..s + 3], &self.0[at..]),
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// The message when `DISCORD_TOKEN` is missing: what to set, where to get it.
pub const MISSING_TOKEN: &str = "DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications (your application → Bot → Reset Token) and export DISCORD_TOKEN=<token> before `hikeshi run`";

/// Discord's own API.
pub const DISCORD_API: &str = "https://discord.com";

/// The deployment environment.
#[derive(Debug, Clone)]
pub struct Env {
    pub token: Option<Secret>,
    pub database_url: DatabaseUrl,
    /// `HIKESHI_DISCORD_API`: the REST base URL (a rate-limit proxy or the
    /// tests' fake), Discord itself by default. It changes where requests
    /// go and nothing else.
    pub discord_api: String,
    /// `HIKESHI_OUTBOX_LEASE_SECONDS`: how long a claimed outbox item stays
    /// with a process that may have died (default 30).
    pub outbox_lease_seconds: Option<i64>,
    /// `HIKESHI_METRICS_ADDR`: serve `/healthz` and `/metrics` here (off when unset).
    pub metrics_addr: Option<String>,
    /// `HIKESHI_INTAKE_ADDR`: serve the alert intake here (off when unset).
    pub intake_addr: Option<String>,
    /// `HIKESHI_INTAKE_TOKEN`: the bearer token the intake requires.
    pub intake_token: Option<Secret>,
    /// `HIKESHI_SPOOL_DIR`: where reports held while the database is away
    /// are kept on disk (default `data/spool`).
    pub spool_dir: std::path::PathBuf,
}

/// Where held reports are kept unless `HIKESHI_SPOOL_DIR` says otherwise.
pub const DEFAULT_SPOOL_DIR: &str = "data/spool";

/// The default database: an SQLite file under `data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hikeshi.db?mode=rwc";

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Env {
            token: var("DISCORD_TOKEN").map(Secret::new),
            database_url: DatabaseUrl(var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())),
            discord_api: var("HIKESHI_DISCORD_API").unwrap_or_else(|| DISCORD_API.to_string()),
            outbox_lease_seconds: var("HIKESHI_OUTBOX_LEASE_SECONDS").and_then(|v| v.parse().ok()).filter(|s| *s > 0),
            metrics_addr: var("HIKESHI_METRICS_ADDR"),
            intake_addr: var("HIKESHI_INTAKE_ADDR"),
            intake_token: var("HIKESHI_INTAKE_TOKEN").map(Secret::new),
            spool_dir: var("HIKESHI_SPOOL_DIR").unwrap_or_else(|| DEFAULT_SPOOL_DIR.to_string()).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("MTA.secret.token");
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        let u = DatabaseUrl("postgres://hikeshi:hunter2@db:5432/x".into());
        assert_eq!(u.redacted(), "postgres://hikeshi:***@db:5432/x");
        assert!(!format!("{u:?}").contains("hunter2"));
        assert!(u.is_postgres());
        assert!(!DatabaseUrl(DEFAULT_DATABASE_URL.into()).is_postgres());
    }
}
