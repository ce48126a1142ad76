//! §6 exceptions and §9 amendments.

use super::{Result, Store, StoreError, WriteTx};
use crate::clock::{from_ms, to_ms};
use crate::domain::request::{Request, RequestBody, RequestKind, RequestStatus};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, kind, requester, body, status, until, decided_by, decision_reason";

fn decode(r: &AnyRow) -> Result<Request> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Request {
        id: r.try_get("id")?,
        kind: RequestKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("request kind {kind}")))?,
        requester: UserId::from_i64(r.try_get("requester")?),
        body: serde_json::from_str::<RequestBody>(&r.try_get::<String, _>("body")?)?,
        status: RequestStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("request status {status}")))?,
        until: r.try_get::<Option<i64>, _>("until")?.map(from_ms),
        decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(UserId::from_i64),
        decision_reason: r.try_get("decision_reason")?,
    })
}

impl WriteTx {
    pub async fn insert_request(
        &mut self,
        kind: RequestKind,
        requester: UserId,
        body: &RequestBody,
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query("INSERT INTO requests (kind, requester, body, until, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(kind.id())
            .bind(requester.as_i64())
            .bind(serde_json::to_string(body)?)
            .bind(until.map(to_ms))
            .bind(to_ms(now))
            .fetch_one(self.conn())
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Decides a pending request; false when it was decided already.
    pub async fn decide_request(&mut self, id: i64, approved: bool, by: UserId, reason: &str, now: DateTime<Utc>) -> Result<bool> {
        let status = if approved { RequestStatus::Approved } else { RequestStatus::Denied };
        let done = sqlx::query(
            "UPDATE requests SET status = $1, decided_by = $2, decision_reason = $3, decided_at = $4 WHERE id = $5 AND status = 'pending'",
        )
        .bind(status.id())
        .bind(by.as_i64())
        .bind(reason)
        .bind(to_ms(now))
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks an exception's expiry as reminded; false when it was.
    /// §9: the approved amendments a revision of the regulation carried
    /// out, now enacted; their ids.
    pub async fn enact_amendments(&mut self) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM requests WHERE kind = 'amendment' AND status = 'approved' ORDER BY id")
            .fetch_all(self.conn())
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<std::result::Result<_, _>>()?;
        for id in &ids {
            sqlx::query("UPDATE requests SET status = 'enacted' WHERE id = $1 AND status = 'approved'")
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        Ok(ids)
    }

    pub async fn mark_expiry_reminded(&mut self, id: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE requests SET expiry_reminded = 1 WHERE id = $1 AND expiry_reminded = 0")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_review_outcome(&mut self, reminder: i64, outcome: &str) -> Result<()> {
        sqlx::query("UPDATE reminders SET outcome = $1 WHERE id = $2").bind(outcome).bind(reminder).execute(self.conn()).await?;
        Ok(())
    }
}

impl Store {
    pub async fn request(&self, id: i64) -> Result<Option<Request>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM requests WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(decode).transpose()
    }

    pub async fn requests(&self, kind: RequestKind, status: RequestStatus) -> Result<Vec<Request>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM requests WHERE kind = $1 AND status = $2 ORDER BY id"))
            .bind(kind.id())
            .bind(status.id())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }

    /// Approved exceptions whose end has come and was not yet reminded.
    pub async fn expired_unreminded(&self, now: DateTime<Utc>) -> Result<Vec<Request>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM requests WHERE kind = 'exception' AND status = 'approved' AND expiry_reminded = 0 AND until <= $1 ORDER BY id"))
            .bind(to_ms(now))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode).collect()
    }

    pub async fn review_outcome(&self, reminder: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT outcome FROM reminders WHERE id = $1").bind(reminder).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get::<Option<String>, _>("outcome")).transpose()?.flatten())
    }
}
