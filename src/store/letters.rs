//! Letters: what a member was to be told by DM and could not be, kept for
//! them; and their own reports, for `/report status`.

use super::incident::decode;
use super::{Result, Store};
use crate::clock::{from_ms, to_ms};
use crate::domain::letter::Letter;
use crate::domain::{Incident, IncidentId, UserId};
use chrono::{DateTime, Utc};
use sqlx::Row;

impl Store {
    /// Keeps a letter for `user` once per `source`. Returns whether it is
    /// the first kept for this member and incident (the committee is told
    /// then, not at every letter).
    pub async fn keep_letter(
        &self,
        user: UserId,
        incident: Option<IncidentId>,
        source: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let _turn = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM letters WHERE user_id = $1 AND incident_id IS NOT DISTINCT FROM $2")
            .bind(user.0 as i64)
            .bind(incident.map(|i| i.0))
            .fetch_one(&mut *tx)
            .await?;
        let kept = sqlx::query(
            "INSERT INTO letters (user_id, incident_id, source, text, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source) DO NOTHING",
        )
        .bind(user.0 as i64)
        .bind(incident.map(|i| i.0))
        .bind(source)
        .bind(text)
        .bind(to_ms(at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(kept.rows_affected() == 1 && before == 0)
    }

    /// The latest letters kept for `user`, newest first.
    pub async fn letters_for(&self, user: UserId, limit: i64) -> Result<Vec<Letter>> {
        let rows = sqlx::query("SELECT incident_id, text, at FROM letters WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(user.0 as i64)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let incident: Option<i64> = r.try_get("incident_id")?;
                Ok(Letter { incident: incident.map(IncidentId), text: r.try_get("text")?, at: from_ms(r.try_get("at")?) })
            })
            .collect()
    }

    /// The latest reports `user` made, newest first.
    pub async fn reports_by(&self, user: UserId, limit: i64) -> Result<Vec<Incident>> {
        let rows = sqlx::query("SELECT state FROM incidents WHERE reporter_id = $1 ORDER BY reported_at DESC, id DESC LIMIT $2")
            .bind(user.0 as i64)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }
}
