//! Issue 25: which incidents have a channel to watch, the outsiders last
//! seen reading each, and whether a change of its overwrites is on its way.

use super::{Result, Store, WriteTx};
use crate::clock::to_ms;
use crate::domain::{ChannelId, IncidentId};
use chrono::{DateTime, Utc};

impl Store {
    /// Every incident with a channel, open or archived.
    pub async fn incident_channels(&self) -> Result<Vec<(IncidentId, ChannelId)>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, channel_id FROM incidents WHERE channel_id IS NOT NULL ORDER BY id").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(i, c)| (IncidentId(i), ChannelId::from_i64(c))).collect())
    }

    /// The outsiders last seen reading `id`'s channel (JSON), if it was seen.
    pub async fn access_seen(&self, id: IncidentId) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT outsiders FROM access_seen WHERE incident_id = $1").bind(id.0).fetch_optional(self.pool()).await?)
    }

    /// Whether an effect that changes `id`'s overwrites waits in the outbox.
    pub async fn access_changing(&self, id: IncidentId) -> Result<bool> {
        let sql = format!(
            "SELECT COUNT(*) FROM outbox WHERE incident_id = $1 AND status IN ('pending', 'inflight') AND kind IN ({})",
            crate::domain::Effect::CHANGING_ACCESS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ")
        );
        let n: i64 = sqlx::query_scalar(&sql).bind(id.0).fetch_one(self.pool()).await?;
        Ok(n > 0)
    }
}

impl WriteTx {
    pub async fn set_access_seen(&mut self, id: IncidentId, outsiders: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_seen (incident_id, outsiders, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (incident_id) DO UPDATE SET outsiders = excluded.outsiders, seen_at = excluded.seen_at",
        )
        .bind(id.0)
        .bind(outsiders)
        .bind(to_ms(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
