//! Issue 26: the committee's absences and swaps of the on-duty rotation.

use super::{Result, Store, WriteTx};
use crate::clock::{from_ms, to_ms};
use crate::domain::oncall::DutyChange;
use crate::domain::UserId;
use chrono::{DateTime, Utc};

impl Store {
    /// The changes still in force at or after `now`, oldest first (a later
    /// swap wins over an earlier one).
    pub async fn duty_changes(&self, now: DateTime<Utc>) -> Result<Vec<DutyChange>> {
        let rows: Vec<(String, i64, i64, i64)> =
            sqlx::query_as("SELECT kind, member, from_ms, to_ms FROM duty_changes WHERE to_ms > $1 ORDER BY id")
                .bind(to_ms(now))
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, member, from, to)| {
                let (member, from, to) = (UserId(member as u64), from_ms(from), from_ms(to));
                match kind.as_str() {
                    "away" => Some(DutyChange::Away { member, from, to }),
                    "swap" => Some(DutyChange::Swap { member, from, to }),
                    _ => None,
                }
            })
            .collect())
    }
}

impl WriteTx {
    pub async fn record_duty_change(&mut self, change: &DutyChange, by: UserId, at: DateTime<Utc>) -> Result<()> {
        let (kind, member, from, to) = match change {
            DutyChange::Away { member, from, to } => ("away", member, from, to),
            DutyChange::Swap { member, from, to } => ("swap", member, from, to),
        };
        sqlx::query("INSERT INTO duty_changes (kind, member, from_ms, to_ms, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(kind)
            .bind(member.0 as i64)
            .bind(to_ms(*from))
            .bind(to_ms(*to))
            .bind(by.0 as i64)
            .bind(to_ms(at))
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
