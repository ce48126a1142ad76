//! §6 exceptions, §9 amendments and the yearly review's outcome.

use super::{core::Core, Caller, InputError, Missing, ServiceError};
use crate::domain::incident::IncidentError;
use crate::domain::request::{Request, RequestBody, RequestKind, RequestStatus};
use crate::domain::{Action, Actor, Effect, EventPayload};
use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Requests {
    core: Core,
}

impl Requests {
    pub(super) fn new(core: Core) -> Self {
        Requests { core }
    }

    /// A member asks the committee; the request goes to the committee channel.
    pub async fn make_request(
        &self,
        kind: RequestKind,
        caller: Caller,
        body: RequestBody,
        until: Option<DateTime<Utc>>,
    ) -> Result<i64, ServiceError> {
        if body.subject.trim().is_empty() || body.text.trim().is_empty() {
            return Err(InputError::RequiredFieldEmpty.into());
        }
        if kind == RequestKind::Exception && until.is_none() {
            return Err(InputError::EndDateMissing.into());
        }
        let now = self.core.clock.now();
        if until.is_some_and(|u| u <= now) {
            return Err(InputError::EndDatePassed.into());
        }
        let mut tx = self.core.store.begin().await?;
        let id = tx.insert_request(kind, caller.user, &body, until, now).await?;
        tx.append(None, Actor::User(caller.user), now, &EventPayload::RequestMade { request: id, kind }).await?;
        tx.enqueue(&Effect::PostRequest { request: id }, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// May `caller` decide requests? Asked before the reason form opens.
    pub fn may_decide(&self, caller: Caller) -> Result<(), ServiceError> {
        self.core.may_always(caller, Action::Decide)
    }

    /// The committee approves or denies, with a reason that is kept.
    pub async fn decide(&self, id: i64, caller: Caller, approved: bool, reason: &str) -> Result<Request, ServiceError> {
        self.core.may_always(caller, Action::Decide)?;
        if reason.trim().is_empty() {
            return Err(IncidentError::ReasonRequired.into());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        if !tx.decide_request(id, approved, caller.user, reason.trim(), now).await? {
            return Err(InputError::AlreadyDecided.into());
        }
        tx.append(
            None,
            Actor::User(caller.user),
            now,
            &EventPayload::RequestDecided { request: id, approved, reason: reason.trim().to_string() },
        )
        .await?;
        tx.enqueue(&Effect::RequestDecided { request: id }, now).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Approved exceptions still in force.
    pub async fn active_exceptions(&self) -> Result<Vec<Request>, ServiceError> {
        let now = self.core.clock.now();
        Ok(self
            .core
            .store
            .requests(RequestKind::Exception, RequestStatus::Approved)
            .await?
            .into_iter()
            .filter(|r| !r.expired(now))
            .collect())
    }

    /// Queues the expiry notice of every approved exception that ended.
    pub async fn remind_expired_exceptions(&self) -> Result<usize, ServiceError> {
        let now = self.core.clock.now();
        let mut n = 0;
        for r in self.core.store.expired_unreminded(now).await? {
            let mut tx = self.core.store.begin().await?;
            if tx.mark_expiry_reminded(r.id).await? {
                tx.enqueue(&Effect::RequestExpired { request: r.id }, now).await?;
                n += 1;
            }
            tx.commit().await?;
        }
        Ok(n)
    }

    pub async fn get(&self, id: i64) -> Result<Request, ServiceError> {
        self.core.store.request(id).await?.ok_or(ServiceError::NotFound(Missing::Request))
    }
}
