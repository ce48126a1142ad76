//! What is due and what was sent: cron positions, fired reminders, sent
//! incident reminders, drill reports.

use super::{Result, Store, WriteTx};
use crate::clock::{from_ms, to_ms};
use crate::domain::drill::DrillReport;
use crate::domain::reminder::Activity;
use crate::domain::reminder::ReminderRow;
use crate::domain::{IncidentId, Phase, PlaybookId, UserId};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

fn reminder_row(r: &AnyRow) -> Result<ReminderRow> {
    Ok(ReminderRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        scheduled_at: from_ms(r.try_get("scheduled_at")?),
        missed: r.try_get("missed")?,
        fired_at: from_ms(r.try_get("fired_at")?),
        playbook: r.try_get::<Option<String>, _>("playbook")?.map(PlaybookId),
        acknowledged_by: r.try_get("acknowledged_by")?,
        escalated_at: r.try_get::<Option<i64>, _>("escalated_at")?.map(from_ms),
    })
}

const REMINDER_COLUMNS: &str = "id, kind, scheduled_at, missed, fired_at, playbook, acknowledged_by, escalated_at";

impl Store {
    pub async fn reminder(&self, id: i64) -> Result<Option<ReminderRow>> {
        let row =
            sqlx::query(&format!("SELECT {REMINDER_COLUMNS} FROM reminders WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(reminder_row).transpose()
    }

    pub async fn reminders(&self) -> Result<Vec<ReminderRow>> {
        let rows = sqlx::query(&format!("SELECT {REMINDER_COLUMNS} FROM reminders ORDER BY id")).fetch_all(&self.pool).await?;
        rows.iter().map(reminder_row).collect()
    }

    pub async fn unacknowledged_reminders(&self) -> Result<Vec<ReminderRow>> {
        let rows = sqlx::query(&format!("SELECT {REMINDER_COLUMNS} FROM reminders WHERE acknowledged_at IS NULL ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(reminder_row).collect()
    }

    /// What people last did on an incident: their actions (events by users;
    /// transcript events count through the transcript, where the bot's own
    /// posts are told apart), their messages, and the last §4.3 status entry.
    pub async fn activity(&self, incident: IncidentId, since: DateTime<Utc>) -> Result<Activity> {
        // The last activity is kept in a column as it happens: reading it
        // from the events would scan an incident's whole history each tick.
        let row = sqlx::query(
            "SELECT last_activity_at AS e, \
                    (SELECT MAX(at) FROM log_entries WHERE incident_id = $1 AND kind = 'status') AS s FROM incidents WHERE id = $1",
        )
        .bind(incident.0)
        .fetch_one(&self.pool)
        .await?;
        let e: Option<i64> = row.try_get("e")?;
        let s: Option<i64> = row.try_get("s")?;
        let last = e.map(from_ms).unwrap_or(since).max(since);
        Ok(Activity { last, last_status: s.map(from_ms) })
    }

    /// Whether `key` was sent for `incident` (a read: the tick opens a
    /// write transaction only for what is still to send).
    pub async fn was_sent(&self, incident: IncidentId, key: &str) -> Result<bool> {
        let row: Option<i64> = sqlx::query_scalar("SELECT 1 FROM sent_reminders WHERE incident_id = $1 AND key = $2")
            .bind(incident.0)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// When each playbook was last drilled.
    pub async fn last_drills(&self) -> Result<HashMap<PlaybookId, DateTime<Utc>>> {
        let rows = sqlx::query("SELECT state FROM incidents WHERE drill = 1").fetch_all(&self.pool).await?;
        let mut out: HashMap<PlaybookId, DateTime<Utc>> = HashMap::new();
        for r in &rows {
            let i = super::incident::decode(r)?;
            if let Some(p) = i.playbook {
                let e = out.entry(p).or_insert(i.reported_at);
                *e = (*e).max(i.reported_at);
            }
        }
        Ok(out)
    }

    pub async fn drill_report(&self, incident: IncidentId) -> Result<Option<DrillReport>> {
        let row =
            sqlx::query("SELECT report FROM drill_reports WHERE incident_id = $1").bind(incident.0).fetch_optional(&self.pool).await?;
        row.map(|r| -> Result<DrillReport> { Ok(serde_json::from_str(&r.try_get::<String, _>("report")?)?) }).transpose()
    }
}

impl Store {
    /// Reminders fired at or before `fired_by`, neither acknowledged nor
    /// escalated, but the audit's (which asks nobody to act on it).
    pub async fn reminders_to_escalate(&self, fired_by: DateTime<Utc>, audit: &str) -> Result<Vec<ReminderRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {REMINDER_COLUMNS} FROM reminders WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND kind <> $1 AND fired_at <= $2 ORDER BY id"
        ))
        .bind(audit)
        .bind(to_ms(fired_by))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reminder_row).collect()
    }

    /// Until when a schedule was last looked at (read without the write lock).
    pub async fn checked_until(&self, name: &str) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT checked_until FROM schedule_state WHERE name = $1").bind(name).fetch_optional(&self.pool).await?;
        Ok(at.map(from_ms))
    }
}

impl WriteTx {
    pub async fn checked_until(&mut self, name: &str) -> Result<Option<DateTime<Utc>>> {
        let row = sqlx::query("SELECT checked_until FROM schedule_state WHERE name = $1").bind(name).fetch_optional(self.conn()).await?;
        Ok(row.map(|r| r.try_get::<i64, _>("checked_until")).transpose()?.map(from_ms))
    }

    pub async fn set_checked_until(&mut self, name: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO schedule_state (name, checked_until) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET checked_until = excluded.checked_until")
            .bind(name)
            .bind(to_ms(at))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records a fired reminder; `None` when this firing was recorded
    /// already (by another process, or before a crash).
    pub async fn insert_reminder(
        &mut self,
        kind: &str,
        scheduled_at: DateTime<Utc>,
        missed: i64,
        now: DateTime<Utc>,
        playbook: Option<&PlaybookId>,
    ) -> Result<Option<i64>> {
        let row = sqlx::query(
            "INSERT INTO reminders (kind, scheduled_at, missed, fired_at, playbook) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (kind, scheduled_at) DO NOTHING RETURNING id",
        )
        .bind(kind)
        .bind(to_ms(scheduled_at))
        .bind(missed)
        .bind(to_ms(now))
        .bind(playbook.map(|p| p.0.clone()))
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// True when this call acknowledged it (false: already acknowledged).
    pub async fn acknowledge_reminder(&mut self, id: i64, by: i64, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query("UPDATE reminders SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND acknowledged_at IS NULL")
            .bind(by)
            .bind(to_ms(now))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn mark_escalated(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query("UPDATE reminders SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND acknowledged_at IS NULL")
            .bind(to_ms(now))
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// True when the key was not sent before for this incident.
    pub async fn mark_sent(&mut self, incident: IncidentId, key: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO sent_reminders (incident_id, key, sent_at) VALUES ($1, $2, $3) ON CONFLICT (incident_id, key) DO NOTHING",
        )
        .bind(incident.0)
        .bind(key)
        .bind(to_ms(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves `key` from what it was to `value`: `Ok(Some(old))` when this
    /// transaction changed it (another process that read the same old value
    /// changes nothing), `Ok(None)` when it was unset (now set) or already
    /// `value`.
    pub async fn get_state(&mut self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM bot_state WHERE key = $1").bind(key).fetch_optional(self.conn()).await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    pub async fn swap_state(&mut self, key: &str, value: &str) -> Result<Option<String>> {
        let old: Option<String> = sqlx::query("SELECT value FROM bot_state WHERE key = $1")
            .bind(key)
            .fetch_optional(self.conn())
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        match old {
            None => {
                sqlx::query("INSERT INTO bot_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(self.conn())
                    .await?;
                Ok(None)
            }
            Some(old) if old == value => Ok(None),
            Some(old) => {
                let done = sqlx::query("UPDATE bot_state SET value = $2 WHERE key = $1 AND value = $3")
                    .bind(key)
                    .bind(value)
                    .bind(&old)
                    .execute(self.conn())
                    .await?;
                Ok((done.rows_affected() == 1).then_some(old))
            }
        }
    }

    /// The phase changes of an incident, `(from, to, at)` in order.
    pub async fn phase_changes(&mut self, incident: IncidentId) -> Result<Vec<(Phase, Phase, DateTime<Utc>)>> {
        // Reads or changes rows this transaction may have queued.
        self.flush().await?;
        super::incident::phase_changes(self.conn(), incident).await
    }

    /// The escalation chain's events of an incident, in order (issue 26:
    /// a drill's report lists them).
    pub async fn chain_events(&mut self, incident: IncidentId) -> Result<Vec<(DateTime<Utc>, crate::domain::EventPayload)>> {
        self.flush().await?;
        let rows = sqlx::query(
            "SELECT payload, at FROM events WHERE incident_id = $1 AND kind IN ('escalated', 'escalation_delivered') ORDER BY seq",
        )
        .bind(incident.0)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| Ok((crate::clock::from_ms(r.try_get("at")?), serde_json::from_str(&r.try_get::<String, _>("payload")?)?)))
            .collect()
    }

    /// The members who acted in an incident, each once: the actors of
    /// its events and the authors of its messages (never a bot: the bot's
    /// own messages are recorded under its user).
    pub async fn event_actors(&mut self, incident: IncidentId) -> Result<Vec<UserId>> {
        self.flush().await?;
        let acted =
            sqlx::query("SELECT DISTINCT actor FROM events WHERE incident_id = $1 AND actor LIKE 'user:%' AND kind NOT LIKE 'transcript%'")
                .bind(incident.0)
                .fetch_all(self.conn())
                .await?;
        let mut out = vec![];
        for r in acted {
            let actor: String = r.try_get("actor")?;
            if let Some(Ok(id)) = actor.strip_prefix("user:").map(str::parse::<u64>) {
                out.push(UserId(id));
            }
        }
        let wrote = sqlx::query("SELECT DISTINCT author_id FROM transcript WHERE incident_id = $1 AND author_bot = 0")
            .bind(incident.0)
            .fetch_all(self.conn())
            .await?;
        for r in wrote {
            out.push(UserId::from_i64(r.try_get("author_id")?));
        }
        Ok(out)
    }

    /// The newest drill report of a playbook.
    pub async fn last_drill_report(&mut self, playbook: &PlaybookId) -> Result<Option<DrillReport>> {
        let row = sqlx::query("SELECT report FROM drill_reports WHERE playbook = $1 ORDER BY created_at DESC, incident_id DESC LIMIT 1")
            .bind(&playbook.0)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| -> Result<DrillReport> { Ok(serde_json::from_str(&r.try_get::<String, _>("report")?)?) }).transpose()
    }

    pub async fn insert_drill_report(&mut self, incident: IncidentId, report: &DrillReport, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO drill_reports (incident_id, playbook, report, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO NOTHING")
            .bind(incident.0)
            .bind(&report.playbook.0)
            .bind(serde_json::to_string(report)?)
            .bind(to_ms(now))
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
