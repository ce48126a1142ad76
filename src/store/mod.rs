//! Storage: SQLite (the embedded default) or PostgreSQL behind one API.
//!
//! Queries are written once, in the SQL both accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`), and run through sqlx's `Any` driver; the
//! few differences (row claims) are chosen by [`Backend`].

mod access;
mod alerts;
mod console;
mod duty;
pub mod incident;
mod lessons;
mod letters;
mod outbox;
mod reminders;
mod requests;

mod pages;
mod redact;
mod streams;
pub mod testing;
mod transcript;
mod verify;
mod write;

pub use outbox::Claimed;
pub use write::WriteTx;

use crate::config::DatabaseUrl;
use crate::domain::event::EventRecord;
use crate::domain::{ChannelId, MessageId};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read back ({0}); was the database edited by hand?")]
    Corrupt(String),
    /// The incident a transaction was to change is not there.
    #[error("no such incident")]
    NoIncident,
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl StoreError {
    /// True for failures that may pass by themselves (locked database,
    /// lost connection): the user is asked to try again.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Db(e) => {
                matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed)
                    || e.as_database_error().is_some_and(|d| {
                        let m = d.message().to_ascii_lowercase();
                        m.contains("locked") || m.contains("busy") || m.contains("could not serialize") || m.contains("deadlock")
                    })
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time, and a writer that finds the file
    /// locked sleeps in SQLite's busy handler (1 ms, 2 ms, … 100 ms) before
    /// it looks again. Writers of this process queue here instead, in
    /// order, and never sleep; the busy timeout is left for other processes.
    writers: Arc<tokio::sync::Mutex<()>>,
    /// Signalled after every commit that queued side effects, so the outbox
    /// worker delivers them at once (and nobody has to remember to wake it).
    queued: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

impl Store {
    /// Connects; for SQLite creates the file (and its folder) on first run,
    /// with WAL, foreign keys and a busy timeout.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.is_postgres() { Backend::Postgres } else { Backend::Sqlite };
        if backend == Backend::Sqlite {
            create_sqlite_folder(&url.0);
        }
        let mut opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        opts = match backend {
            // SQLite allows one writer at a time; a few connections serve
            // reads in parallel under WAL.
            Backend::Sqlite => opts.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => opts.max_connections(10),
        };
        let pool = opts.connect(&url.0).await?;
        Ok(Store { pool, backend, writers: Arc::default(), queued: Arc::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This process's turn to write (SQLite only; PostgreSQL has row locks).
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writers.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// Notified whenever a commit queued side effects.
    pub fn queued_effects(&self) -> Arc<tokio::sync::Notify> {
        self.queued.clone()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// Migrations of this backend not applied yet (`hikeshi doctor`); all
    /// of them for a database never migrated. Applies nothing.
    pub async fn pending_migrations(&self) -> Result<Vec<String>> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // No table yet: nothing was ever applied.
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(&self.pool).await.unwrap_or_default();
        Ok(migrator.iter().filter(|m| !applied.contains(&m.version)).map(|m| format!("{} {}", m.version, m.description)).collect())
    }

    pub async fn close(&self) {
        self.pool.close().await
    }

    /// Starts a write transaction; see [`WriteTx`].
    pub async fn begin(&self) -> Result<WriteTx> {
        WriteTx::begin(self).await
    }

    /// The events of one incident, oldest first.
    pub async fn events_of(&self, incident: crate::domain::IncidentId) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT seq, incident_id, actor, at, kind, payload, prev_hash, hash FROM events WHERE incident_id = $1 ORDER BY seq",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_record).collect()
    }

    /// Records that this process handles interaction `id`; `false` when
    /// another delivery of it was recorded first.
    pub async fn first_sight(&self, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool> {
        let _turn = self.writer_turn().await;
        let done = sqlx::query("INSERT INTO interactions_seen (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(crate::clock::to_ms(now))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets interactions seen before `t` (Discord forgets them sooner).
    pub async fn forget_interactions_before(&self, t: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("DELETE FROM interactions_seen WHERE at < $1").bind(crate::clock::to_ms(t)).execute(&self.pool).await?;
        Ok(())
    }

    /// The bot's own post with `nonce` in `channel`, seen on the gateway.
    pub async fn saw_post(&self, channel: ChannelId, nonce: &str, message: MessageId, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("INSERT INTO posts_seen (channel_id, nonce, message_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(channel.0 as i64)
            .bind(nonce)
            .bind(message.0 as i64)
            .bind(crate::clock::to_ms(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The message a post with `nonce` in `channel` made, if it was seen.
    pub async fn post_seen(&self, channel: ChannelId, nonce: &str) -> Result<Option<MessageId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT message_id FROM posts_seen WHERE channel_id = $1 AND nonce = $2")
            .bind(channel.0 as i64)
            .bind(nonce)
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(|i| MessageId(i as u64)))
    }

    /// Forgets posts seen before `t`: a retry comes within hours.
    pub async fn forget_posts_before(&self, t: chrono::DateTime<chrono::Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("DELETE FROM posts_seen WHERE at < $1").bind(crate::clock::to_ms(t)).execute(&self.pool).await?;
        Ok(())
    }

    /// A small named value.
    pub async fn get_state(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM bot_state WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// The newest event of `kind` about no incident (a regulation's
    /// revision, say), as its payload.
    pub async fn latest_global_event(&self, kind: &str) -> Result<Option<crate::domain::EventPayload>> {
        let row = sqlx::query("SELECT payload FROM events WHERE incident_id IS NULL AND kind = $1 ORDER BY seq DESC LIMIT 1")
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<_> { Ok(serde_json::from_str(&r.try_get::<String, _>("payload")?)?) }).transpose()
    }

    pub async fn set_state(&self, key: &str, value: &str) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("INSERT INTO bot_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The overflow categories opened for `purpose` ("incidents", "archive").
    pub async fn overflow_categories(&self, purpose: &str) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT n, channel_id FROM overflow_categories WHERE purpose = $1 ORDER BY n")
            .bind(purpose)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("n")?, r.try_get("channel_id")?))).collect()
    }

    pub async fn add_overflow_category(&self, purpose: &str, n: i64, channel: i64) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("INSERT INTO overflow_categories (purpose, n, channel_id) VALUES ($1, $2, $3) ON CONFLICT (purpose, n) DO NOTHING")
            .bind(purpose)
            .bind(n)
            .bind(channel)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

pub(crate) fn event_record(r: &AnyRow) -> Result<EventRecord> {
    Ok(EventRecord {
        seq: r.try_get("seq")?,
        incident: r.try_get("incident_id")?,
        actor: r.try_get("actor")?,
        at_ms: r.try_get("at")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// `sqlite://data/hikeshi.db?mode=rwc` → creates `data/`.
fn create_sqlite_folder(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
pub(crate) mod tests;
