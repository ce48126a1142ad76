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

    /// §9 変更内容の通知: when the regulation's text as loaded differs from
    /// the version last seen, all members are told, once (whichever process
    /// swaps the stored digest announces): which revision, its 承認日 and
    /// 施行日, the sections that changed, and the approved change requests
    /// it carried out (now enacted). The first version is only noted.
    pub(super) async fn revise_regulation(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        let o = &self.core.settings.organisation;
        let Some(digest) = o.regulation_digest.clone() else {
            return Ok(());
        };
        let text = o.regulation_text.clone().unwrap_or_default();
        let mut tx = self.core.store.begin().await?;
        let before = tx.swap_state(REGULATION_TEXT, &text).await?;
        if tx.swap_state(REGULATION_DIGEST, &digest).await?.is_some() {
            let revision = tx.get_state(REGULATION_REVISION).await?.and_then(|r| r.parse::<u32>().ok()).unwrap_or(1) + 1;
            tx.set_state(REGULATION_REVISION, &revision.to_string()).await?;
            let changed = match before {
                Some(old) => {
                    crate::domain::regulation::changes(&old, &text).into_iter().map(|(h, c)| format!("{}:{h}", change_id(c))).collect()
                }
                None => vec![],
            };
            let enacted = tx.enact_amendments().await?;
            let (approved_on, effective_on) = (o.regulation_approved, o.regulation_effective);
            let revised = EventPayload::RegulationRevised { digest, revision, approved_on, effective_on, enacted, changed };
            tx.append(None, Actor::System, now, &revised).await?;
            tx.enqueue(&Effect::AnnounceRegulation, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// §4.1 周知・徹底: each playbook and the priority registry whose file
    /// changed since last loaded is recorded with its version and approval;
    /// the members a changed playbook's roles name are told. What is loaded
    /// the first time is only noted.
    pub(super) async fn revise_procedures(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        let s = &self.core.settings;
        let mut tx = self.core.store.begin().await?;
        for p in s.playbooks.all() {
            if tx.swap_state(&format!("playbook_digest:{}", p.id.0), &p.digest).await?.is_some() {
                let revised =
                    EventPayload::PlaybookRevised { playbook: p.id.0.clone(), digest: p.digest.clone(), approval: p.approval.clone() };
                tx.append(None, Actor::System, now, &revised).await?;
                if !p.named_members().is_empty() {
                    tx.enqueue(&Effect::TellPlaybookRevised { playbook: p.id.clone() }, now).await?;
                }
            }
        }
        if tx.swap_state("registry_digest", &s.registry.digest).await?.is_some() {
            let revised = EventPayload::RegistryRevised { digest: s.registry.digest.clone(), approval: s.registry.approval.clone() };
            tx.append(None, Actor::System, now, &revised).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest revision's notice, as recorded.
    pub async fn latest_revision(&self) -> Result<Option<EventPayload>, ServiceError> {
        Ok(self.core.store.latest_global_event("regulation_revised").await?)
    }
}

/// How a section's change is written in the record (`changed:４ 遵守事項`).
fn change_id(c: crate::domain::regulation::Change) -> &'static str {
    match c {
        crate::domain::regulation::Change::Added => "added",
        crate::domain::regulation::Change::Changed => "changed",
        crate::domain::regulation::Change::Removed => "removed",
    }
}

/// Where the regulation as last loaded is kept: its digest, its text (a
/// revision is compared with it), and which revision it is.
const REGULATION_DIGEST: &str = "regulation_digest";
const REGULATION_TEXT: &str = "regulation_text";
const REGULATION_REVISION: &str = "regulation_revision";
