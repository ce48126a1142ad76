//! Issue 26: who of the committee is on duty — the configured rotation
//! with the absences and swaps the committee recorded.

use super::{core::Core, Caller, InputError, ServiceError};
use crate::domain::oncall::{Duty, DutyChange};
use crate::domain::{Action, Actor, EventPayload, UserId};
use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Oncall {
    core: Core,
}

impl Oncall {
    pub(super) fn new(core: Core) -> Self {
        Oncall { core }
    }

    /// Who is on duty now and next; `None` without `[oncall]`.
    pub async fn duty(&self, caller: Caller) -> Result<Option<Duty>, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        self.duty_at(self.core.clock.now()).await
    }

    pub(super) async fn duty_at(&self, now: DateTime<Utc>) -> Result<Option<Duty>, ServiceError> {
        let Some(rotation) = &self.core.settings.oncall else { return Ok(None) };
        let changes = self.core.store.duty_changes(now).await?;
        Ok(Some(rotation.duty(&changes, now)))
    }

    /// Whether `member` is in their quiet hours at `now`.
    pub fn quiet(&self, member: UserId, now: DateTime<Utc>) -> bool {
        self.core.settings.oncall.as_ref().is_some_and(|r| r.quiet(member, now))
    }

    /// The rotation's members (who is DMed when the server's members are
    /// not known).
    pub fn rotation(&self) -> Vec<UserId> {
        self.core.settings.oncall.as_ref().map(|r| r.members.clone()).unwrap_or_default()
    }

    /// `/oncall away`: `member` is not on duty between the two times as
    /// typed (`YYYY-MM-DD`, the whole day, or `YYYY-MM-DD HH:MM`, in the
    /// organisation's zone).
    pub async fn away(&self, caller: Caller, member: UserId, from: &str, to: &str) -> Result<Duty, ServiceError> {
        let tz = self.core.settings.organisation.tz;
        let (from, to) = (local(from, tz, false)?, local(to, tz, true)?);
        if to <= from {
            return Err(InputError::AwayBackwards.into());
        }
        self.record(caller, DutyChange::Away { member, from, to }).await
    }

    /// `/oncall swap`: `member` is on duty from now until the next hand-off.
    pub async fn swap(&self, caller: Caller, member: UserId) -> Result<Duty, ServiceError> {
        let now = self.core.clock.now();
        let Some(rotation) = &self.core.settings.oncall else { return Err(InputError::NoRotation.into()) };
        self.record(caller, DutyChange::Swap { member, from: now, to: rotation.next_handoff(now) }).await
    }

    async fn record(&self, caller: Caller, change: DutyChange) -> Result<Duty, ServiceError> {
        self.core.may_always(caller, Action::ChangeDuty)?;
        if self.core.settings.oncall.is_none() {
            return Err(InputError::NoRotation.into());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        tx.record_duty_change(&change, caller.user, now).await?;
        tx.append(None, Actor::User(caller.user), now, &EventPayload::DutyChanged { change }).await?;
        tx.commit().await?;
        Ok(self.duty_at(now).await?.expect("a rotation is configured"))
    }
}

/// A local date (its start, or with `end` its end) or date and time.
fn local(typed: &str, tz: chrono_tz::Tz, end: bool) -> Result<DateTime<Utc>, InputError> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    let typed = typed.trim();
    let bad =
        || InputError::BadDate(typed.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | ':' | ' ')).take(20).collect());
    let naive = match NaiveDateTime::parse_from_str(typed, "%Y-%m-%d %H:%M") {
        Ok(t) => t,
        Err(_) => {
            let day = NaiveDate::parse_from_str(typed, "%Y-%m-%d").map_err(|_| bad())?;
            let day = if end { day.succ_opt().ok_or_else(bad)? } else { day };
            day.and_hms_opt(0, 0, 0).ok_or_else(bad)?
        }
    };
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::local;
    use chrono::{TimeZone, Utc};
    use chrono_tz::Asia::Tokyo;

    #[test]
    fn a_day_runs_from_its_start_to_the_next_days_and_a_time_is_local() {
        let at = |y, m, d, h, min| Tokyo.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc);
        assert_eq!(local("2026-06-03", Tokyo, false).unwrap(), at(2026, 6, 3, 0, 0));
        assert_eq!(local("2026-06-03", Tokyo, true).unwrap(), at(2026, 6, 4, 0, 0));
        assert_eq!(local(" 2026-06-03 18:30 ", Tokyo, true).unwrap(), at(2026, 6, 3, 18, 30));
        assert!(matches!(local("tomorrow <@1>", Tokyo, false), Err(super::InputError::BadDate(t)) if t == "tomorrow 1"));
    }
}
