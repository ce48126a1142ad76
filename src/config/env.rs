//! Secrets and deployment values come from the environment, never from the
//! configuration file.

use std::fmt;
use std::net::SocketAddr;

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
    /// with a process that may have died.
    pub outbox_lease_seconds: i64,
    /// `HIKESHI_METRICS_ADDR`: serve `/healthz` and `/metrics` here (off when unset).
    pub metrics_addr: Option<SocketAddr>,
    /// `HIKESHI_INTAKE_ADDR`: serve the alert intake here (off when unset).
    pub intake_addr: Option<SocketAddr>,
    /// `HIKESHI_INTAKE_TOKEN`: the bearer token the intake requires.
    pub intake_token: Option<Secret>,
    /// `HIKESHI_SPOOL_DIR`: where reports held while the database is away
    /// are kept on disk (default `data/spool`).
    pub spool_dir: std::path::PathBuf,
    /// `HIKESHI_LOG_FORMAT`: `json` for one JSON object a line.
    pub log_json: bool,
    /// `HIKESHI_KEY_FILE`: the deployment's Ed25519 signing key (made at
    /// first start), kept apart from the database it vouches for.
    pub key_file: std::path::PathBuf,
    /// `HIKESHI_WEBHOOK_SECRET`: the key of the webhooks' HMAC-SHA256
    /// signature (issue 26).
    pub webhook_secret: Option<Secret>,
    /// `HIKESHI_SMTP_USER` and `HIKESHI_SMTP_PASSWORD`: the escalation's
    /// mail server login, if it asks for one.
    pub smtp_login: Option<(String, Secret)>,
    /// `HIKESHI_WEB_ADDR`: serve the web console here (off when unset).
    pub web_addr: Option<SocketAddr>,
    /// `HIKESHI_OAUTH_SECRET`: the application's OAuth2 client secret,
    /// with which the console redeems Discord's sign-in codes.
    pub oauth_secret: Option<Secret>,
}

/// How long a claimed outbox item stays with a process unless
/// `HIKESHI_OUTBOX_LEASE_SECONDS` says otherwise.
pub const DEFAULT_OUTBOX_LEASE_SECONDS: i64 = 30;

/// Where held reports are kept unless `HIKESHI_SPOOL_DIR` says otherwise.
pub const DEFAULT_SPOOL_DIR: &str = "data/spool";

/// Where the signing key is kept unless `HIKESHI_KEY_FILE` says otherwise.
pub const DEFAULT_KEY_FILE: &str = "data/signing.key";

/// The default database: an SQLite file under `data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hikeshi.db?mode=rwc";

/// One environment variable the process reads: `--help` lists them all
/// from here, and a unit test checks nothing is read that is not here.
pub struct Variable {
    pub name: &'static str,
    /// What holds when it is unset.
    pub default: &'static str,
    pub about: &'static str,
}

/// Every environment variable the process reads.
pub const VARIABLES: &[Variable] = &[
    Variable { name: "DISCORD_TOKEN", default: "(none: required by run, setup and doctor)", about: "the bot's token" },
    Variable { name: "DATABASE_URL", default: DEFAULT_DATABASE_URL, about: "sqlite://… or postgres://…" },
    Variable { name: "HIKESHI_CONFIG", default: super::DEFAULT_PATH, about: "the configuration file (as --config)" },
    Variable { name: "HIKESHI_DISCORD_API", default: DISCORD_API, about: "where REST requests go (a proxy)" },
    Variable { name: "HIKESHI_OUTBOX_LEASE_SECONDS", default: "30", about: "how long a claimed side effect stays with a process" },
    Variable { name: "HIKESHI_METRICS_ADDR", default: "(off)", about: "serve /healthz and /metrics, e.g. 127.0.0.1:9090" },
    Variable { name: "HIKESHI_INTAKE_ADDR", default: "(off)", about: "serve the alert intake, e.g. 127.0.0.1:9095" },
    Variable { name: "HIKESHI_INTAKE_TOKEN", default: "(none: the intake refuses every request)", about: "bearer token of the intake" },
    Variable { name: "HIKESHI_SPOOL_DIR", default: DEFAULT_SPOOL_DIR, about: "reports held on disk while the database is away" },
    Variable { name: "HIKESHI_KEY_FILE", default: DEFAULT_KEY_FILE, about: "the Ed25519 key that signs exported bundles" },
    Variable { name: "HIKESHI_WEBHOOK_SECRET", default: "(none: signed webhooks are not sent)", about: "HMAC-SHA256 key of webhooks" },
    Variable { name: "HIKESHI_SMTP_USER", default: "(none: no login)", about: "the escalation's SMTP login" },
    Variable { name: "HIKESHI_SMTP_PASSWORD", default: "(none)", about: "its password" },
    Variable { name: "HIKESHI_WEB_ADDR", default: "(off)", about: "serve the web console, e.g. 127.0.0.1:8080 ([web] public_url)" },
    Variable { name: "HIKESHI_OAUTH_SECRET", default: "(none: nobody can sign in)", about: "the application's OAuth2 client secret" },
    Variable { name: "HIKESHI_LOG_FORMAT", default: "text", about: "text, or json for one object a line" },
    Variable { name: "HIKESHI_CHART_FONT", default: "(a system font, else DejaVu Sans)", about: "a .ttf/.ttc for /stats charts" },
    Variable { name: "RUST_LOG", default: "hikeshi=info,serenity=warn,sqlx=warn", about: "what is logged" },
    Variable { name: "HOSTNAME", default: "hikeshi", about: "names this process's outbox claims" },
];

/// The variables as `--help` shows them.
pub fn help() -> String {
    let width = VARIABLES.iter().map(|v| v.name.len()).max().unwrap_or(0);
    let mut out = String::from("Environment variables (default in brackets):\n");
    for v in VARIABLES {
        out.push_str(&format!("  {:width$}  {} [{}]\n", v.name, v.about, v.default));
    }
    out
}

/// A variable set to something the process cannot use: the start stops
/// rather than run on a default the operator did not choose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}={value}: {what} — fix: {fix}")]
pub struct EnvError {
    pub name: &'static str,
    pub value: String,
    pub what: &'static str,
    pub fix: &'static str,
}

/// `value` if it is an http(s) URL: checked at start, used as it is.
fn web_url(name: &'static str, value: String) -> Result<String, EnvError> {
    if value.starts_with("https://") || value.starts_with("http://") {
        return Ok(value);
    }
    Err(EnvError { name, value, what: "not an http(s):// URL", fix: "write e.g. http://127.0.0.1:8080, or unset it for Discord" })
}

impl Env {
    pub fn from_process() -> Result<Env, EnvError> {
        Env::from_vars(|k| std::env::var(k).ok())
    }

    /// The environment read through `get` (blank counts as unset).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Env, EnvError> {
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let bad = |name, value: String, what, fix| EnvError { name, value, what, fix };
        let lease = match var("HIKESHI_OUTBOX_LEASE_SECONDS") {
            None => DEFAULT_OUTBOX_LEASE_SECONDS,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(s) if s > 0 => s,
                _ => {
                    return Err(bad(
                        "HIKESHI_OUTBOX_LEASE_SECONDS",
                        v,
                        "not a whole number of seconds above 0",
                        "write e.g. 30, or unset it for 30",
                    ))
                }
            },
        };
        let addr = |name: &'static str| -> Result<Option<SocketAddr>, EnvError> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| bad(name, v, "not an address with a port", "write e.g. 127.0.0.1:9090, or unset it to turn it off"))
                })
                .transpose()
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
            return Err(bad(
                "DATABASE_URL",
                DatabaseUrl(database_url).redacted(),
                "neither sqlite: nor postgres://",
                "write e.g. sqlite://data/hikeshi.db?mode=rwc or postgres://user@host/db",
            ));
        }
        let discord_api = web_url("HIKESHI_DISCORD_API", var("HIKESHI_DISCORD_API").unwrap_or_else(|| DISCORD_API.to_string()))?;
        let log_json = match var("HIKESHI_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(bad("HIKESHI_LOG_FORMAT", other.to_string(), "neither text nor json", "write json or text, or unset it"))
            }
        };
        Ok(Env {
            token: var("DISCORD_TOKEN").map(Secret::new),
            database_url: DatabaseUrl(database_url),
            discord_api,
            outbox_lease_seconds: lease,
            metrics_addr: addr("HIKESHI_METRICS_ADDR")?,
            intake_addr: addr("HIKESHI_INTAKE_ADDR")?,
            intake_token: var("HIKESHI_INTAKE_TOKEN").map(Secret::new),
            spool_dir: var("HIKESHI_SPOOL_DIR").unwrap_or_else(|| DEFAULT_SPOOL_DIR.to_string()).into(),
            log_json,
            key_file: var("HIKESHI_KEY_FILE").unwrap_or_else(|| DEFAULT_KEY_FILE.to_string()).into(),
            webhook_secret: var("HIKESHI_WEBHOOK_SECRET").filter(|s| !s.is_empty()).map(Secret::new),
            smtp_login: var("HIKESHI_SMTP_USER").map(|u| (u, Secret::new(var("HIKESHI_SMTP_PASSWORD").unwrap_or_default()))),
            web_addr: addr("HIKESHI_WEB_ADDR")?,
            oauth_secret: var("HIKESHI_OAUTH_SECRET").map(Secret::new),
        })
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

    fn env(pairs: &[(&str, &str)]) -> Result<Env, EnvError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::from_vars(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn a_value_that_does_not_parse_stops_the_start_naming_it() {
        for (name, value) in [
            ("HIKESHI_OUTBOX_LEASE_SECONDS", "abc"),
            ("HIKESHI_OUTBOX_LEASE_SECONDS", "0"),
            ("HIKESHI_METRICS_ADDR", "localhost"),
            ("HIKESHI_INTAKE_ADDR", "9095"),
            ("DATABASE_URL", "mysql://x"),
            ("HIKESHI_DISCORD_API", "discord.com"),
            ("HIKESHI_LOG_FORMAT", "yaml"),
        ] {
            let e = env(&[(name, value)]).expect_err(name);
            assert_eq!((e.name, e.value.as_str()), (name, value));
            assert!(e.to_string().starts_with(&format!("{name}={value}: ")) && e.to_string().contains("fix:"), "{e}");
        }
    }

    #[test]
    fn unset_or_blank_values_take_their_defaults_and_good_ones_are_kept() {
        let e = env(&[("HIKESHI_OUTBOX_LEASE_SECONDS", " "), ("HIKESHI_LOG_FORMAT", "")]).unwrap();
        assert_eq!((e.outbox_lease_seconds, e.log_json, e.discord_api.as_str()), (DEFAULT_OUTBOX_LEASE_SECONDS, false, DISCORD_API));
        assert_eq!((e.database_url.0.as_str(), e.metrics_addr), (DEFAULT_DATABASE_URL, None));
        let e = env(&[("HIKESHI_OUTBOX_LEASE_SECONDS", "45"), ("HIKESHI_METRICS_ADDR", "127.0.0.1:9090"), ("HIKESHI_LOG_FORMAT", "json")])
            .unwrap();
        assert_eq!((e.outbox_lease_seconds, e.metrics_addr, e.log_json), (45, Some("127.0.0.1:9090".parse().unwrap()), true));
    }

    #[test]
    fn help_lists_every_variable_the_process_reads() {
        let read = std::sync::Mutex::new(Vec::new());
        Env::from_vars(|k| {
            read.lock().unwrap().push(k.to_string());
            None
        })
        .unwrap();
        let help = help();
        for name in read.into_inner().unwrap() {
            assert!(VARIABLES.iter().any(|v| v.name == name), "{name} is read but not listed");
            assert!(help.contains(&name), "{help}");
        }
        // The variables read elsewhere in the process are listed too.
        for name in ["HIKESHI_CONFIG", "HIKESHI_CHART_FONT", "RUST_LOG", "HOSTNAME"] {
            assert!(help.contains(name), "{help}");
        }
        assert!(help.contains("HIKESHI_OUTBOX_LEASE_SECONDS") && help.contains(&format!("[{DEFAULT_OUTBOX_LEASE_SECONDS}]")), "{help}");
    }
}
