//! Issue 28: the web console's sign-ins begun and the sign-ins kept.

use super::{Result, Store};
use crate::clock::{from_ms, to_ms};
use crate::domain::console::{Ended, Session, ATTEMPT_LASTS};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use sqlx::Row;

const COLUMNS: &str = "user_id, committee, it_department, csrf, expires_ms, checked_ms";

fn session(r: &sqlx::any::AnyRow) -> Result<Session> {
    Ok(Session {
        user: UserId(r.try_get::<i64, _>("user_id")? as u64),
        committee: r.try_get::<i64, _>("committee")? != 0,
        it_department: r.try_get::<i64, _>("it_department")? != 0,
        csrf: r.try_get("csrf")?,
        expires: from_ms(r.try_get("expires_ms")?),
        checked: from_ms(r.try_get("checked_ms")?),
    })
}

impl Store {
    /// Keeps a sign-in begun, and forgets those begun too long ago.
    pub async fn begin_console_attempt(&self, state: &str, verifier: &str, next: &str, at: DateTime<Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("DELETE FROM console_attempts WHERE created_ms < $1").bind(to_ms(at - ATTEMPT_LASTS)).execute(&self.pool).await?;
        sqlx::query("INSERT INTO console_attempts (state, verifier, next_path, created_ms) VALUES ($1, $2, $3, $4)")
            .bind(state)
            .bind(verifier)
            .bind(next)
            .bind(to_ms(at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The sign-in begun with `state` — its verifier, where it goes, when
    /// it began — taken once: a second answer with the same state finds
    /// nothing.
    pub async fn take_console_attempt(&self, state: &str) -> Result<Option<(String, String, DateTime<Utc>)>> {
        let _turn = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT verifier, next_path, created_ms FROM console_attempts WHERE state = $1")
            .bind(state)
            .fetch_optional(&mut *tx)
            .await?;
        let taken = sqlx::query("DELETE FROM console_attempts WHERE state = $1").bind(state).execute(&mut *tx).await?;
        tx.commit().await?;
        match row {
            Some(r) if taken.rows_affected() == 1 => {
                Ok(Some((r.try_get("verifier")?, r.try_get("next_path")?, from_ms(r.try_get("created_ms")?))))
            }
            _ => Ok(None),
        }
    }

    /// Keeps a new sign-in under `id` (the digest of its cookie).
    pub async fn open_console_session(&self, id: &str, s: &Session, at: DateTime<Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query(
            "INSERT INTO console_sessions (id, user_id, committee, it_department, csrf, created_ms, expires_ms, checked_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(s.user.0 as i64)
        .bind(i64::from(s.committee))
        .bind(i64::from(s.it_department))
        .bind(&s.csrf)
        .bind(to_ms(at))
        .bind(to_ms(s.expires))
        .bind(to_ms(s.checked))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The sign-in kept under `id`, unless it ended.
    pub async fn console_session(&self, id: &str) -> Result<Option<Session>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM console_sessions WHERE id = $1 AND ended_ms IS NULL"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session).transpose()
    }

    /// Every open sign-in of `user`, with its key.
    pub async fn console_sessions_of(&self, user: UserId) -> Result<Vec<(String, Session)>> {
        let rows = sqlx::query(&format!("SELECT id, {COLUMNS} FROM console_sessions WHERE user_id = $1 AND ended_ms IS NULL"))
            .bind(user.0 as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, session(r)?))).collect()
    }

    /// The roles Discord said at `at`, on the sign-in kept under `id`.
    pub async fn console_checked(&self, id: &str, committee: bool, it_department: bool, at: DateTime<Utc>) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("UPDATE console_sessions SET committee = $1, it_department = $2, checked_ms = $3 WHERE id = $4 AND ended_ms IS NULL")
            .bind(i64::from(committee))
            .bind(i64::from(it_department))
            .bind(to_ms(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends one sign-in (`Some(id)`) or every sign-in of `user`. Returns
    /// how many ended.
    pub async fn end_console_sessions(&self, user: UserId, id: Option<&str>, why: Ended, at: DateTime<Utc>) -> Result<u64> {
        let _turn = self.writer_turn().await;
        let why: &str = why.into();
        let done = sqlx::query(
            "UPDATE console_sessions SET ended_ms = $1, ended_why = $2 WHERE user_id = $3 AND ($4 = '' OR id = $4) AND ended_ms IS NULL",
        )
        .bind(to_ms(at))
        .bind(why)
        .bind(user.0 as i64)
        .bind(id.unwrap_or(""))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
