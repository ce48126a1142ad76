//! Reading incidents and their §4.3 log entries.

use super::{Result, Store, StoreError};
use crate::clock::from_ms;
use crate::domain::log_entry::LogEntry;
use crate::domain::{ChannelId, EventPayload, Incident, IncidentId, IncidentNumber, LogKind, Phase, UserId};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

pub(super) fn decode(row: &AnyRow) -> Result<Incident> {
    let state: String = row.try_get("state")?;
    serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("incident state: {e}")))
}

impl Store {
    pub async fn incident(&self, id: IncidentId) -> Result<Option<Incident>> {
        let row = sqlx::query("SELECT state FROM incidents WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?;
        row.map(|r| decode(&r)).transpose()
    }

    pub async fn incident_by_number(&self, number: IncidentNumber) -> Result<Option<Incident>> {
        let row = sqlx::query("SELECT state FROM incidents WHERE number = $1").bind(number.to_string()).fetch_optional(&self.pool).await?;
        row.map(|r| decode(&r)).transpose()
    }

    /// The incident of a channel, or of a thread of one.
    pub async fn incident_by_channel(&self, channel: ChannelId) -> Result<Option<Incident>> {
        let row = sqlx::query(
            "SELECT state FROM incidents WHERE channel_id = $1 \
             UNION ALL SELECT i.state FROM incidents i JOIN threads t ON t.incident_id = i.id WHERE t.thread_id = $1",
        )
        .bind(channel.as_i64())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| decode(&r)).transpose()
    }

    /// The threads of an incident's channel: `(thread, name)`, oldest first.
    pub async fn threads(&self, incident: IncidentId) -> Result<Vec<(ChannelId, String)>> {
        let rows = sqlx::query("SELECT thread_id, name FROM threads WHERE incident_id = $1 ORDER BY created_at, thread_id")
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((ChannelId::from_i64(r.try_get("thread_id")?), r.try_get("name")?))).collect()
    }

    /// Every incident not yet closed, oldest first.
    pub async fn open_incidents(&self) -> Result<Vec<Incident>> {
        let rows = sqlx::query("SELECT state FROM incidents WHERE phase <> 'closed' ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// Reports the committee channel has yet to hear of (§4.2), oldest first.
    pub async fn notices_owed(&self) -> Result<Vec<Incident>> {
        let rows = sqlx::query("SELECT state FROM incidents WHERE notice_owed = 1 AND held = 0 ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// Reports held by the flood guard and not yet decided, oldest first.
    pub async fn held_reports(&self) -> Result<Vec<Incident>> {
        let rows =
            sqlx::query("SELECT state FROM incidents WHERE held = 1 AND phase <> 'closed' ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    pub async fn count_incidents(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM incidents").fetch_one(&self.pool).await?;
        Ok(row.try_get("n")?)
    }

    pub async fn log_entry(&self, id: i64) -> Result<Option<LogEntry>> {
        let row = sqlx::query("SELECT id, incident_id, kind, body, author_id, at FROM log_entries WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| log_entry(&r)).transpose()
    }

    /// §4.3: the kinds of record an incident has an entry of.
    pub async fn logged_kinds(&self, incident: IncidentId) -> Result<Vec<LogKind>> {
        let rows =
            sqlx::query("SELECT DISTINCT kind FROM log_entries WHERE incident_id = $1").bind(incident.0).fetch_all(&self.pool).await?;
        rows.iter().map(|r| kind(r.try_get("kind")?)).collect()
    }

    /// The same for every incident (the §5 audit).
    pub async fn all_logged_kinds(&self) -> Result<Vec<(IncidentId, LogKind)>> {
        let rows = sqlx::query("SELECT DISTINCT incident_id, kind FROM log_entries").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((IncidentId(r.try_get("incident_id")?), kind(r.try_get("kind")?)?))).collect()
    }

    pub async fn log_entries(&self, incident: IncidentId) -> Result<Vec<LogEntry>> {
        let rows = sqlx::query("SELECT id, incident_id, kind, body, author_id, at FROM log_entries WHERE incident_id = $1 ORDER BY id")
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(log_entry).collect()
    }
}

fn kind(k: String) -> Result<LogKind> {
    LogKind::parse(&k).ok_or_else(|| StoreError::Corrupt(format!("log kind {k}")))
}

fn log_entry(r: &AnyRow) -> Result<LogEntry> {
    Ok(LogEntry {
        id: r.try_get("id")?,
        incident: IncidentId(r.try_get("incident_id")?),
        kind: kind(r.try_get("kind")?)?,
        body: r.try_get("body")?,
        author: UserId::from_i64(r.try_get("author_id")?),
        at: from_ms(r.try_get("at")?),
    })
}

impl Store {
    /// Incidents reported in `[from, until)`, with when each entered each
    /// phase (from the recorded phase changes).
    pub async fn incidents_with_phases(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<(Incident, crate::domain::phase::PhaseEntries)>> {
        use crate::clock::to_ms;
        let (from, until) = (to_ms(from), to_ms(until));
        let states = super::pages::states(&self.pool, self.backend, from, until).await?;
        // Every phase change of those incidents in one read (by the
        // incidents' report time, then the events' incident and kind).
        let changes = super::pages::kind_of_reported(&self.pool, self.backend, from, until, EventPayload::PHASE_ADVANCED).await?;
        let mut entered: HashMap<i64, crate::domain::phase::PhaseEntries> = HashMap::new();
        for (_, incident, payload, at) in &changes {
            let (_, to, at) = phase_change(payload, *at)?;
            entered.entry(*incident).or_default().insert(to, at);
        }
        states
            .iter()
            .map(|(id, state)| {
                let i: Incident = serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("incident state: {e}")))?;
                Ok((i, entered.remove(id).unwrap_or_default()))
            })
            .collect()
    }
}

/// Issue 28: which incidents a list asks for, by the columns beside the
/// state (the rest is asked of each incident above the store).
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing<'a> {
    pub drill: Option<bool>,
    /// `Some(true)`: not closed; `Some(false)`: closed.
    pub open: Option<bool>,
    pub category: Option<&'a str>,
    pub phase: Option<&'a str>,
    /// Reported in `[from, until)`.
    pub reported: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Store {
    /// The incidents `l` asks for, newest first.
    pub async fn incidents_listed(&self, l: &Listing<'_>) -> Result<Vec<Incident>> {
        let mut sql = String::from("SELECT state FROM incidents WHERE 1 = 1");
        let mut n = 0;
        let mut param = |sql: &mut String, cond: &str| {
            n += 1;
            sql.push_str(&cond.replace('?', &format!("${n}")));
        };
        if l.drill.is_some() {
            param(&mut sql, " AND drill = ?");
        }
        match l.open {
            Some(true) => sql.push_str(" AND phase <> 'closed'"),
            Some(false) => sql.push_str(" AND phase = 'closed'"),
            None => {}
        }
        if l.category.is_some() {
            param(&mut sql, " AND category = ?");
        }
        if l.phase.is_some() {
            param(&mut sql, " AND phase = ?");
        }
        if l.reported.is_some() {
            param(&mut sql, " AND reported_at >= ?");
            param(&mut sql, " AND reported_at < ?");
        }
        sql.push_str(" ORDER BY id DESC");
        let mut q = sqlx::query(&sql);
        if let Some(d) = l.drill {
            q = q.bind(i64::from(d));
        }
        for v in [l.category, l.phase].into_iter().flatten() {
            q = q.bind(v);
        }
        if let Some((from, until)) = l.reported {
            q = q.bind(crate::clock::to_ms(from)).bind(crate::clock::to_ms(until));
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    pub async fn all_incidents(&self) -> Result<Vec<Incident>> {
        let rows = sqlx::query("SELECT state FROM incidents ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter().map(decode).collect()
    }

    /// The incidents the scheduler must look at `now`: those marked as
    /// watched (see [`Incident::watched`]) whose time to be looked at again
    /// has come, or was never set. A tick at ten years reads these, not all.
    pub async fn incidents_to_look_at(&self, now: DateTime<Utc>) -> Result<Vec<Incident>> {
        let rows = sqlx::query("SELECT state FROM incidents WHERE watched = 1 AND (check_at IS NULL OR check_at <= $1) ORDER BY id")
            .bind(crate::clock::to_ms(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }

    /// Every watched incident is looked at by the next tick (the rules'
    /// settings may have changed with a restart).
    pub async fn look_at_all_again(&self) -> Result<()> {
        let _turn = self.writer_turn().await;
        sqlx::query("UPDATE incidents SET check_at = NULL WHERE watched = 1 AND check_at IS NOT NULL").execute(&self.pool).await?;
        Ok(())
    }
}

impl super::WriteTx {
    /// Marks an incident the scheduler need not read any more, if its state
    /// (read again under the write lock) says so: the rows that migration
    /// 0016 marked watched until a tick had looked at them.
    pub async fn unwatch(&mut self, id: IncidentId) -> Result<()> {
        if !self.incident(id).await?.watched() {
            sqlx::query("UPDATE incidents SET watched = 0 WHERE id = $1").bind(id.0).execute(self.conn()).await?;
        }
        Ok(())
    }

    /// When the scheduler must look at an incident again (`None`: at the
    /// next tick). Worked out by the caller from the state read in this
    /// transaction, so that no change slips between.
    pub async fn look_again_at(&mut self, id: IncidentId, at: Option<DateTime<Utc>>) -> Result<()> {
        sqlx::query("UPDATE incidents SET check_at = $1 WHERE id = $2")
            .bind(at.map(crate::clock::to_ms))
            .bind(id.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

/// The phase changes of an incident, `(from, to, at)` in order, read as
/// typed events.
pub(super) async fn phase_changes<'e, E>(db: E, incident: IncidentId) -> Result<Vec<(Phase, Phase, DateTime<Utc>)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let kind = EventPayload::PHASE_ADVANCED;
    let rows = sqlx::query("SELECT payload, at FROM events WHERE incident_id = $1 AND kind = $2 ORDER BY seq")
        .bind(incident.0)
        .bind(kind)
        .fetch_all(db)
        .await?;
    rows.iter().map(|r| phase_change(&r.try_get::<String, _>("payload")?, r.try_get("at")?)).collect()
}

/// A `phase_advanced` event's row as `(from, to, at)`.
fn phase_change(payload: &str, at: i64) -> Result<(Phase, Phase, DateTime<Utc>)> {
    match serde_json::from_str(payload)? {
        EventPayload::PhaseAdvanced { from, to, .. } => Ok((from, to, from_ms(at))),
        other => Err(StoreError::Corrupt(format!("a {} event holds {}", EventPayload::PHASE_ADVANCED, other.kind()))),
    }
}
