//! One write transaction: the state change, its events and its side effects
//! commit together or not at all.

use super::{Backend, Result, Store, StoreError};
use crate::clock::to_ms;
use crate::domain::event::chain_hash;
use crate::domain::incident::Outcome;
use crate::domain::{Actor, Effect, EventPayload, Incident, IncidentId, IncidentNumber, LogKind, UserId};
use chrono::{DateTime, Datelike, Utc};
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    seq: i64,
    hash: String,
    appended: bool,
    /// Events and effects are written at commit (or before anything in the
    /// transaction reads them), many rows per statement: each statement is
    /// a round trip, and a batch of reports makes hundreds of rows.
    events: Vec<EventRow>,
    effects: Vec<(Effect, DateTime<Utc>)>,
    /// The latest time a person acted on each incident in this transaction
    /// (an event not the system's, a message not a bot's): kept in a column
    /// for the scheduler's "no activity" reminders, written at commit.
    activity: HashMap<i64, i64>,
    /// Whether this transaction queued any effect (the worker is woken at commit).
    queued: bool,
    wake: std::sync::Arc<tokio::sync::Notify>,
    /// Held until the transaction ends (after `tx`, so dropped after it).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// An appended event, until it is written.
struct EventRow {
    seq: i64,
    incident: Option<i64>,
    actor: String,
    at: i64,
    kind: &'static str,
    body: String,
    prev_hash: String,
    hash: String,
}

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound
/// parameters (32,766 and 65,535) at eight a row.
const ROWS_PER_STATEMENT: usize = 200;

/// `n` bind parameters from number `from` on: `$3, $4` on PostgreSQL;
/// on SQLite plain `?`s, since sqlx finds each numbered SQLite parameter by
/// its name, which costs O(n²) in a statement with hundreds of them (a
/// profile of the batched write path found a third of its time there).
fn params(backend: Backend, from: usize, n: usize) -> String {
    let one = |k: usize| match backend {
        Backend::Postgres => format!("${k}"),
        Backend::Sqlite => "?".to_string(),
    };
    (from..from + n).map(one).collect::<Vec<_>>().join(", ")
}

/// `($1, $2), ($3, $4)` for `rows` rows of `width` parameters each.
fn rows(backend: Backend, rows: usize, width: usize) -> String {
    (0..rows).map(|r| format!("({})", params(backend, r * width + 1, width))).collect::<Vec<_>>().join(", ")
}

impl WriteTx {
    pub(super) async fn begin(store: &Store) -> Result<WriteTx> {
        let turn = store.writer_turn().await;
        let mut tx = store.pool.begin().await?;
        // Writing the head row first takes the write lock at once: SQLite
        // would otherwise fail a read-then-write transaction with BUSY, and
        // on PostgreSQL it queues concurrent writers so the chain stays one
        // line.
        let head = sqlx::query("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash").fetch_one(&mut *tx).await?;
        Ok(WriteTx {
            seq: head.try_get("seq")?,
            hash: head.try_get("hash")?,
            tx,
            backend: store.backend,
            appended: false,
            events: vec![],
            effects: vec![],
            activity: HashMap::new(),
            queued: false,
            wake: store.queued.clone(),
            _turn: turn,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub async fn commit(mut self) -> Result<()> {
        self.flush().await?;
        if self.appended {
            sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.seq)
                .bind(&self.hash)
                .execute(&mut *self.tx)
                .await?;
        }
        let (queued, wake) = (self.queued, self.wake.clone());
        self.tx.commit().await?;
        if queued {
            wake.notify_one();
        }
        Ok(())
    }

    /// Appends one event to the hash chain (written by [`Self::flush`]).
    pub async fn append(&mut self, incident: Option<IncidentId>, actor: Actor, at: DateTime<Utc>, payload: &EventPayload) -> Result<()> {
        let seq = self.seq + 1;
        let actor = actor.to_string();
        let body = serde_json::to_string(payload)?;
        let at = to_ms(at);
        let incident = incident.map(|i| i.0);
        let hash = chain_hash(&self.hash, seq, incident, &actor, at, payload.kind(), &body);
        let prev_hash = std::mem::replace(&mut self.hash, hash.clone());
        // Messages count as activity by their author (see `record_message`).
        if let (Some(i), false, false) = (incident, actor == "system", payload.kind().starts_with("transcript")) {
            self.acted(IncidentId(i), at);
        }
        self.events.push(EventRow { seq, incident, actor, at, kind: payload.kind(), body, prev_hash, hash });
        self.seq = seq;
        self.appended = true;
        Ok(())
    }

    /// A person acted on `incident` at `at` (ms).
    pub(super) fn acted(&mut self, incident: IncidentId, at: i64) {
        let last = self.activity.entry(incident.0).or_insert(at);
        *last = (*last).max(at);
    }

    /// Queues a side effect for the outbox worker. A refresh that is already
    /// pending absorbs the new one (it renders the state when delivered).
    pub async fn enqueue(&mut self, effect: &Effect, now: DateTime<Utc>) -> Result<()> {
        self.enqueue_all(std::slice::from_ref(effect), now).await
    }

    /// Queues several effects, in order (the worker delivers an incident's
    /// effects in the order of their ids); written by [`Self::flush`].
    pub async fn enqueue_all(&mut self, effects: &[Effect], now: DateTime<Utc>) -> Result<()> {
        self.queued |= !effects.is_empty();
        self.effects.extend(effects.iter().map(|e| (e.clone(), now)));
        Ok(())
    }

    /// Writes the appended events and queued effects, many rows per
    /// statement. A refresh already pending absorbs a new one (it renders
    /// the state when delivered).
    pub(crate) async fn flush(&mut self) -> Result<()> {
        for chunk in std::mem::take(&mut self.events).chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO events (seq, incident_id, actor, at, kind, payload, prev_hash, hash) VALUES {}",
                rows(self.backend, chunk.len(), 8)
            );
            let mut query = sqlx::query(&sql);
            for e in chunk {
                query = query
                    .bind(e.seq)
                    .bind(e.incident)
                    .bind(&e.actor)
                    .bind(e.at)
                    .bind(e.kind)
                    .bind(&e.body)
                    .bind(&e.prev_hash)
                    .bind(&e.hash);
            }
            query.execute(&mut *self.tx).await?;
        }
        for chunk in std::mem::take(&mut self.effects).chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO outbox (incident_id, kind, effect, coalesce_key, not_before, created_at) VALUES {} \
                 ON CONFLICT (coalesce_key) WHERE status = 'pending' DO NOTHING",
                rows(self.backend, chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for (effect, now) in chunk {
                let body = serde_json::to_string(effect)?;
                query = query
                    .bind(effect.incident().map(|i| i.0))
                    .bind(effect.kind())
                    .bind(body)
                    .bind(effect.coalesce_key())
                    .bind(to_ms(*now))
                    .bind(to_ms(*now));
            }
            query.execute(&mut *self.tx).await?;
        }
        for (incident, at) in std::mem::take(&mut self.activity) {
            sqlx::query(
                "UPDATE incidents SET last_activity_at = CASE WHEN last_activity_at IS NULL OR last_activity_at < $1 THEN $1 ELSE last_activity_at END WHERE id = $2",
            )
            .bind(at)
            .bind(incident)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Records what a domain operation decided: its events, then its effects.
    pub async fn record(&mut self, incident: Option<IncidentId>, actor: Actor, now: DateTime<Utc>, outcome: &Outcome) -> Result<()> {
        for e in &outcome.events {
            self.append(incident, actor, now, e).await?;
        }
        self.enqueue_all(&outcome.effects, now).await?;
        // Issue 26: what the organisation's tools hear of, in the same
        // transaction as the events it comes from.
        if let Some(incident) = incident {
            for what in crate::domain::webhooks::from_events(&outcome.events) {
                self.enqueue(&crate::domain::Effect::NotifyTools { incident, what }, now).await?;
            }
        }
        Ok(())
    }

    /// The next number of the year, counted apart for drills.
    pub async fn next_number(&mut self, drill: bool, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<IncidentNumber> {
        self.next_numbers(drill, now, tz, 1).await?.pop().ok_or_else(|| StoreError::Corrupt("no number".into()))
    }

    /// The next `n` numbers of the year, in order, with one statement.
    pub async fn next_numbers(&mut self, drill: bool, now: DateTime<Utc>, tz: chrono_tz::Tz, n: usize) -> Result<Vec<IncidentNumber>> {
        if n == 0 {
            return Ok(vec![]);
        }
        let year = now.with_timezone(&tz).year();
        let row = sqlx::query(
            "INSERT INTO incident_counters (drill, year, last) VALUES ($1, $2, $3) \
             ON CONFLICT (drill, year) DO UPDATE SET last = incident_counters.last + $3 RETURNING last",
        )
        .bind(drill as i64)
        .bind(year as i64)
        .bind(n as i64)
        .fetch_one(&mut *self.tx)
        .await?;
        let last: i64 = row.try_get("last")?;
        (last - n as i64 + 1..=last)
            .map(|seq| {
                let seq = u32::try_from(seq).map_err(|_| StoreError::Corrupt("incident counter overflow".into()))?;
                Ok(IncidentNumber { drill, year, seq })
            })
            .collect()
    }

    /// The incident a source (an interaction id) already created, if any.
    pub async fn incident_by_source(&mut self, source_key: &str) -> Result<Option<Incident>> {
        Ok(self.incidents_by_source(&[source_key]).await?.remove(source_key))
    }

    /// The incidents these sources already created, by source, with one
    /// statement.
    pub async fn incidents_by_source(&mut self, sources: &[&str]) -> Result<std::collections::HashMap<String, Incident>> {
        let mut found = std::collections::HashMap::new();
        for chunk in sources.chunks(ROWS_PER_STATEMENT) {
            let sql = format!("SELECT source_key, state FROM incidents WHERE source_key IN ({})", params(self.backend, 1, chunk.len()));
            let mut query = sqlx::query(&sql);
            for s in chunk {
                query = query.bind(*s);
            }
            for row in query.fetch_all(&mut *self.tx).await? {
                found.insert(row.try_get("source_key")?, super::incident::decode(&row)?);
            }
        }
        Ok(found)
    }

    /// The ids of `n` new incidents. Writers are serialised by the chain
    /// head (see [`WriteTx::begin`]), so no other transaction takes them
    /// meanwhile; on PostgreSQL they come from the column's own sequence,
    /// which an older process in a rolling deploy also uses.
    pub async fn reserve_incident_ids(&mut self, n: usize) -> Result<Vec<IncidentId>> {
        if n == 0 {
            return Ok(vec![]);
        }
        match self.backend {
            Backend::Postgres => {
                let rows = sqlx::query("SELECT nextval(pg_get_serial_sequence('incidents', 'id')) AS id FROM generate_series(1, $1)")
                    .bind(n as i64)
                    .fetch_all(&mut *self.tx)
                    .await?;
                rows.iter().map(|r| Ok(IncidentId(r.try_get("id")?))).collect()
            }
            Backend::Sqlite => {
                // AUTOINCREMENT never reuses an id: start past the highest
                // ever given out, not only the highest still present.
                let row = sqlx::query(
                    "SELECT MAX(COALESCE((SELECT MAX(id) FROM incidents), 0), \
                     COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'incidents'), 0)) AS last",
                )
                .fetch_one(&mut *self.tx)
                .await?;
                let last: i64 = row.try_get("last")?;
                Ok((1..=n as i64).map(|k| IncidentId(last + k)).collect())
            }
        }
    }

    /// Writes a new incident, whole, once: the state and its indexed columns.
    pub async fn insert_incident(&mut self, i: &Incident, source_key: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let state = serde_json::to_string(i)?;
        sqlx::query(
            "INSERT INTO incidents (id, number, drill, phase, category, channel_id, commander_id, reporter_id, reported_at, deadline_at, source_key, state, updated_at, held, notice_owed, watched) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(i.id.0)
        .bind(i.number.to_string())
        .bind(i.number.drill as i64)
        .bind(i.phase.id())
        .bind(i.category.id())
        .bind(i.channel.map(|c| c.as_i64()))
        .bind(i.commander.map(|c| c.as_i64()))
        .bind(i.reporter.as_i64())
        .bind(to_ms(i.reported_at))
        .bind(i.deadline.at().map(to_ms))
        .bind(source_key)
        .bind(state)
        .bind(to_ms(now))
        .bind(i.held as i64)
        .bind(i.notice_owed as i64)
        .bind(i.watched() as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn save_incident(&mut self, i: &Incident, now: DateTime<Utc>) -> Result<()> {
        let state = serde_json::to_string(i)?;
        // A changed state is looked at by the next tick (`check_at`).
        sqlx::query("UPDATE incidents SET phase = $1, category = $2, channel_id = $3, commander_id = $4, deadline_at = $5, state = $6, updated_at = $7, held = $9, notice_owed = $10, watched = $11, check_at = NULL WHERE id = $8")
            .bind(i.phase.id())
            .bind(i.category.id())
            .bind(i.channel.map(|c| c.as_i64()))
            .bind(i.commander.map(|c| c.as_i64()))
            .bind(i.deadline.at().map(to_ms))
            .bind(state)
            .bind(to_ms(now))
            .bind(i.id.0)
            .bind(i.held as i64)
            .bind(i.notice_owed as i64)
            .bind(i.watched() as i64)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// How many of each member's reports since `since` opened a channel
    /// (real incidents not held), for the flood guard.
    pub async fn channels_opened_since(&mut self, reporters: &[UserId], since: DateTime<Utc>) -> Result<HashMap<UserId, usize>> {
        let mut out = HashMap::new();
        for r in reporters {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM incidents WHERE reporter_id = $1 AND reported_at >= $2 AND drill = 0 AND held = 0",
            )
            .bind(r.as_i64())
            .bind(to_ms(since))
            .fetch_one(&mut *self.tx)
            .await?;
            out.insert(*r, n as usize);
        }
        Ok(out)
    }

    /// A small named value, written with the rest of the transaction.
    pub async fn set_state(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO bot_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Takes the window that starts at `now` for `key` if the last one
    /// began `every` or longer ago: one statement, so of two processes
    /// asking at once only one gets `true` (PostgreSQL re-checks the
    /// condition on the row the other just wrote).
    pub async fn take_window(&mut self, key: &str, now: DateTime<Utc>, every: chrono::Duration) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO bot_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value \
             WHERE CAST(bot_state.value AS BIGINT) <= $3",
        )
        .bind(key)
        .bind(to_ms(now).to_string())
        .bind(to_ms(now - every))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Reads an incident inside the transaction (the state it changes).
    pub async fn incident(&mut self, id: IncidentId) -> Result<Incident> {
        let row = sqlx::query("SELECT state FROM incidents WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NoIncident)?;
        super::incident::decode(&row)
    }

    /// Stores a §4.3 log entry and returns its id.
    pub async fn insert_log_entry(
        &mut self,
        incident: IncidentId,
        kind: LogKind,
        body: &str,
        author: UserId,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query("INSERT INTO log_entries (incident_id, kind, body, author_id, at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(incident.0)
            .bind(kind.id())
            .bind(body)
            .bind(author.as_i64())
            .bind(to_ms(now))
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get("id")?)
    }
}

#[cfg(test)]
mod tests {
    use super::{rows, Backend};

    #[test]
    fn rows_number_parameters_on_postgresql_and_use_plain_marks_on_sqlite() {
        assert_eq!(rows(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(rows(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
