//! §4.4(3): announcement reads.

use super::{Result, Store, WriteTx};
use crate::clock::{from_ms, to_ms};
use crate::domain::{IncidentId, UserId};
use chrono::{DateTime, Utc};
use sqlx::Row;

impl WriteTx {
    /// True when this is the user's first read of the announcement.
    pub async fn record_read(&mut self, incident: IncidentId, user: UserId, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO announcement_reads (incident_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT (incident_id, user_id) DO NOTHING",
        )
        .bind(incident.0)
        .bind(user.as_i64())
        .bind(to_ms(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// Who read the announcement of `incident`, first reader first.
    pub async fn readers(&self, incident: IncidentId) -> Result<Vec<(UserId, DateTime<Utc>)>> {
        let rows = sqlx::query("SELECT user_id, at FROM announcement_reads WHERE incident_id = $1 ORDER BY at, user_id")
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((UserId::from_i64(r.try_get("user_id")?), from_ms(r.try_get("at")?)))).collect()
    }
}
