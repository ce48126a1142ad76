//! The outbox: side effects waiting for delivery, claimed with a lease so
//! that two hikeshi processes never deliver the same item at once and a
//! crashed process's items are picked up again when its lease runs out.

use super::{Backend, Result, Store, WriteTx};
use crate::clock::to_ms;
use crate::domain::effect::{OutboxItem, OutboxRow, OutboxStats};
use crate::domain::Effect;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// The longest the committee's notice and status board wait for a burst's
/// channels and cards: during a storm of reports lasting longer, they are
/// still brought up to date this often.
pub const DEFER_AT_MOST: Duration = Duration::seconds(30);

/// What a claim took: the items to deliver, and rows that could not be
/// read (to be set aside as dead).
#[derive(Debug, Default)]
pub struct Claimed {
    pub items: Vec<OutboxItem>,
    pub unreadable: Vec<(i64, String)>,
}

impl Store {
    /// Claims up to `limit` due items for `worker` until `now + lease`,
    /// oldest first. An item is not claimed while an earlier item of the
    /// same incident is undelivered and not claimable now (waiting for its
    /// retry, or held by another worker): one incident's effects take
    /// effect in the order they were decided, across batches, retries and
    /// processes. Claimable earlier items are claimed in the same batch
    /// (they have lower ids), and the worker delivers a batch's items of
    /// one incident in order.
    ///
    /// Two more rules keep a burst of reports at Discord's pace:
    /// - the committee's notice and status board ([`Effect::DEFER_TO_REPORTS`])
    ///   wait while channels and cards are waiting or being delivered, at
    ///   most [`DEFER_AT_MOST`] after they were queued: the reports' channels
    ///   and cards go first, and the notice and the board then say once what
    ///   many reports would each have said;
    /// - an item is not claimed while another with its coalesce key is in
    ///   flight (two deliveries of one message never race).
    pub async fn claim(&self, worker: &str, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Claimed> {
        let _turn = self.writer_turn().await;
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let deferring = Effect::DEFER_TO_REPORTS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "UPDATE outbox SET status = 'inflight', claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT o.id FROM outbox AS o \
               WHERE ((o.status = 'pending' AND o.not_before <= $3) OR (o.status = 'inflight' AND o.claimed_until < $3)) \
               AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.incident_id = o.incident_id AND e.id < o.id \
                 AND ((e.status = 'pending' AND e.not_before > $3) OR (e.status = 'inflight' AND e.claimed_until >= $3))) \
               AND NOT EXISTS (SELECT 1 FROM outbox AS k WHERE k.coalesce_key = o.coalesce_key AND k.id <> o.id \
                 AND k.status = 'inflight' AND k.claimed_until >= $3) \
               AND NOT (o.kind IN ({deferring}) AND o.created_at > $5 AND EXISTS (SELECT 1 FROM outbox AS r \
                 WHERE r.kind IN ('create_channel', 'post_card') \
                 AND r.status IN ('pending', 'inflight'))) \
             ORDER BY o.id LIMIT $4{lock}) RETURNING id, effect, attempts"
        );
        let defer_since = to_ms(now - DEFER_AT_MOST);
        let query = || sqlx::query(&sql).bind(worker).bind(to_ms(now + lease)).bind(to_ms(now)).bind(limit).bind(defer_since);
        let rows = match self.backend {
            Backend::Sqlite => query().fetch_all(&self.pool).await?,
            Backend::Postgres => {
                // Claims are serialised across processes: otherwise two
                // could each take one item of an incident (the second
                // skipping the first's locked rows) and deliver them out
                // of order. A claim is one short statement.
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(4803290117)").execute(&mut *tx).await?;
                let rows = query().fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        // Row by row: one row that no longer decodes (a kind from a newer
        // version after a rollback, a hand edit) must not stall the rest.
        let mut claimed = Claimed::default();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let body: String = r.try_get("effect")?;
            match serde_json::from_str(&body) {
                Ok(effect) => claimed.items.push(OutboxItem { id, effect, attempts: r.try_get("attempts")? }),
                Err(e) => claimed.unreadable.push((id, format!("cannot be read: {e}"))),
            }
        }
        claimed.items.sort_by_key(|i| i.id);
        Ok(claimed)
    }

    /// Dead items and those still waiting, for `hikeshi outbox list`.
    pub async fn outbox_rows(&self) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT id, incident_id, kind, status, attempts, last_error FROM outbox WHERE status IN ('dead', 'pending', 'inflight') ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxRow {
                    id: r.try_get("id")?,
                    incident: r.try_get::<Option<i64>, _>("incident_id")?,
                    kind: r.try_get("kind")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// An operator tries a dead item again: due now, its attempts counted
    /// afresh. False when no dead item has that id.
    pub async fn revive(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let _turn = self.writer_turn().await;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = $1, done_at = NULL WHERE id = $2 AND status = 'dead'",
        )
        .bind(to_ms(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An operator drops an item for good (dead or waiting); it stays in the
    /// table as `dropped`. False when there is no such item left to drop.
    pub async fn drop_item(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let _turn = self.writer_turn().await;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'dropped', done_at = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2 AND status IN ('dead', 'pending', 'inflight')",
        )
        .bind(to_ms(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many items are dead, by kind.
    pub async fn dead_items(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT kind, COUNT(*) AS n FROM outbox WHERE status = 'dead' GROUP BY kind ORDER BY kind")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("n")?))).collect()
    }

    /// Puts an item back to be tried at `not_before`. A refresh for which a
    /// newer one is already pending is superseded instead. One statement, so
    /// SQLite never has to upgrade a read lock (which fails at once when
    /// another connection wrote meanwhile).
    pub async fn retry_at(&self, id: i64, not_before: DateTime<Utc>, error: &str, count_attempt: bool) -> Result<()> {
        let _turn = self.writer_turn().await;
        let uncount = if count_attempt { 0 } else { 1 };
        sqlx::query(
            "UPDATE outbox SET \
               status = CASE WHEN coalesce_key IS NOT NULL AND EXISTS \
                 (SELECT 1 FROM outbox AS newer WHERE newer.coalesce_key = outbox.coalesce_key AND newer.status = 'pending' AND newer.id <> outbox.id) \
                 THEN 'superseded' ELSE 'pending' END, \
               not_before = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL, attempts = attempts - $3 \
             WHERE id = $4",
        )
        .bind(to_ms(not_before))
        .bind(error)
        .bind(uncount)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on an item that can never succeed (Discord refused it for
    /// good, it cannot be read, it failed too often); it stays in the table
    /// for the operator (`hikeshi outbox`), the audit and the metrics.
    /// The committee hears of it (`notice`, coalesced), in the same
    /// transaction. An interaction token it held goes.
    pub async fn give_up(&self, id: i64, error: &str, now: DateTime<Utc>, notice: Option<&Effect>) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE outbox SET status = 'dead', last_error = $1, done_at = $2, claimed_by = NULL, claimed_until = NULL WHERE id = $3",
        )
        .bind(error)
        .bind(to_ms(now))
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.scrub_token(id).await?;
        if let Some(n) = notice {
            tx.enqueue(n, now).await?;
        }
        tx.commit().await
    }

    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").fetch_all(&self.pool).await?;
        let mut s = OutboxStats::default();
        for r in rows {
            let status: String = r.try_get("status")?;
            let n: i64 = r.try_get("n")?;
            match status.as_str() {
                "pending" => s.pending += n,
                "inflight" => s.inflight += n,
                "done" | "superseded" | "dropped" => s.done += n,
                _ => s.dead += n,
            }
        }
        Ok(s)
    }

    /// When the longest-waiting item that is due now became due: what
    /// `/healthz` judges a stuck outbox by. Items put off (a rate limit, a
    /// backoff) are not due yet and do not count.
    pub async fn outbox_oldest_due(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let oldest: Option<i64> =
            sqlx::query_scalar("SELECT MIN(not_before) FROM outbox WHERE status IN ('pending', 'inflight') AND not_before <= $1")
                .bind(to_ms(now))
                .fetch_one(&self.pool)
                .await?;
        Ok(oldest.map(crate::clock::from_ms))
    }

    /// The effects still waiting (pending or in flight), oldest first.
    pub async fn undelivered(&self) -> Result<Vec<Effect>> {
        let rows =
            sqlx::query("SELECT effect FROM outbox WHERE status IN ('pending', 'inflight') ORDER BY id").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("effect")?;
                Ok(serde_json::from_str(&body)?)
            })
            .collect()
    }
}

impl WriteTx {
    /// Marks an item delivered, in the transaction that records what the
    /// delivery produced (a channel id, a message id).
    pub async fn complete(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        // Reads or changes rows this transaction may have queued.
        self.flush().await?;
        sqlx::query("UPDATE outbox SET status = 'done', done_at = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2")
            .bind(to_ms(now))
            .bind(id)
            .execute(self.conn())
            .await?;
        self.scrub_token(id).await
    }

    /// A finished item keeps no interaction token (it would let anyone who
    /// reads the database edit the reporter's reply for 15 minutes).
    pub async fn scrub_token(&mut self, id: i64) -> Result<()> {
        let row =
            sqlx::query("SELECT effect FROM outbox WHERE id = $1 AND kind = 'link_reporter'").bind(id).fetch_optional(self.conn()).await?;
        let Some(row) = row else {
            return Ok(());
        };
        let body: String = row.try_get("effect")?;
        let mut v: serde_json::Value = serde_json::from_str(&body)?;
        v["token"] = serde_json::Value::String(String::new());
        sqlx::query("UPDATE outbox SET effect = $1 WHERE id = $2").bind(v.to_string()).bind(id).execute(self.conn()).await?;
        Ok(())
    }
}

impl WriteTx {
    /// Makes an incident's waiting items due now (its channel just appeared).
    pub async fn hurry(&mut self, incident: crate::domain::IncidentId, now: DateTime<Utc>) -> Result<()> {
        // Reads or changes rows this transaction may have queued.
        self.flush().await?;
        sqlx::query("UPDATE outbox SET not_before = $1 WHERE incident_id = $2 AND status = 'pending' AND not_before > $1")
            .bind(to_ms(now))
            .bind(incident.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
