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

    /// `/oncall away`: `member` is not on duty between the two instants.
    pub async fn away(&self, caller: Caller, member: UserId, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Duty, ServiceError> {
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
