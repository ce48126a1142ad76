//! §4.1(3) and §4.2 storms: which open incident an alert's fingerprint,
//! or a wave of look-alike reports, belongs to.

use super::{Result, WriteTx};
use crate::clock::to_ms;
use crate::domain::IncidentId;
use chrono::{DateTime, Utc};
use sqlx::Row;

impl WriteTx {
    /// Open incidents reported since `since` that a wave could join (not
    /// held, not drills, not closed), oldest first.
    pub async fn recent_open_incidents(&mut self, since: DateTime<Utc>) -> Result<Vec<crate::domain::Incident>> {
        let rows =
            sqlx::query("SELECT state FROM incidents WHERE phase <> 'closed' AND held = 0 AND drill = 0 AND reported_at >= $1 ORDER BY id")
                .bind(to_ms(since))
                .fetch_all(self.conn())
                .await?;
        rows.iter().map(super::incident::decode).collect()
    }

    /// The open incident this fingerprint belongs to, if any.
    pub async fn incident_of_alert(&mut self, fingerprint: &str) -> Result<Option<IncidentId>> {
        let row = sqlx::query(
            "SELECT l.incident_id FROM alert_links l JOIN incidents i ON i.id = l.incident_id \
             WHERE l.fingerprint = $1 AND i.phase <> 'closed' ORDER BY l.incident_id DESC LIMIT 1",
        )
        .bind(fingerprint)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|r| r.try_get("incident_id")).transpose()?.map(IncidentId))
    }

    /// Records one notification of `fingerprint` on `incident`: the first
    /// links it, later ones count; `resolved` notes when it cleared.
    pub async fn link_alert(&mut self, fingerprint: &str, incident: IncidentId, resolved: bool, now: DateTime<Utc>) -> Result<()> {
        let at = to_ms(now);
        sqlx::query(
            "INSERT INTO alert_links (fingerprint, incident_id, first_at, last_at, notifications, resolved_at) VALUES ($1, $2, $3, $3, 1, $4) \
             ON CONFLICT (fingerprint, incident_id) DO UPDATE SET last_at = excluded.last_at, \
             notifications = alert_links.notifications + 1, resolved_at = excluded.resolved_at",
        )
        .bind(fingerprint)
        .bind(incident.0)
        .bind(at)
        .bind(resolved.then_some(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
