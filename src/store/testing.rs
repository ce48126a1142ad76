//! Fresh databases for tests: an SQLite file in a temporary folder, or a new
//! PostgreSQL database on the server named by `TEST_DATABASE_URL`, so tests
//! run in parallel without seeing each other's rows.

use super::{Result, Store};
use crate::config::DatabaseUrl;
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

/// The prefix of every database the tests create (CI drops them first).
pub const PG_TEST_PREFIX: &str = "hikeshi_t_";

/// A migrated SQLite store in `dir`.
pub async fn fresh_sqlite(dir: &std::path::Path) -> Result<Store> {
    let url = DatabaseUrl(format!("sqlite://{}?mode=rwc", dir.join("hikeshi.db").display()));
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(store)
}

/// The URL of a new, empty PostgreSQL database, or `None` when
/// `TEST_DATABASE_URL` is not set.
pub async fn fresh_postgres_url() -> Result<Option<DatabaseUrl>> {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        return Ok(None);
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "{PG_TEST_PREFIX}{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    conn.close().await?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Ok(Some(DatabaseUrl(format!("{base}/{name}"))))
}

/// A migrated store on a new PostgreSQL database.
pub async fn fresh_postgres() -> Result<Option<Store>> {
    let Some(url) = fresh_postgres_url().await? else {
        return Ok(None);
    };
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(Some(store))
}

/// A PostgreSQL test that was built to run finds no `TEST_DATABASE_URL`:
/// it fails (it is marked ignored when built without one).
pub fn skipped_postgres(test: &str) {
    panic!("{test} needs PostgreSQL: TEST_DATABASE_URL was set when the tests were built but is not set now");
}
