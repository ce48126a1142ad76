//! §4.4: the Lessons phase.

use super::{Caller, Hikeshi, ServiceError};
use crate::domain::lessons::{BoardQuestion, LessonItem, PreventionPlan};
use crate::domain::{Actor, Effect, EventPayload, Incident, IncidentId};

impl Hikeshi {
    /// §4.4(1): records the plan (and announces it, §4.4(3)).
    pub async fn set_plan(&self, id: IncidentId, caller: Caller, plan: PreventionPlan) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.set_plan(&caller.roles(i), plan)).await
    }

    /// §4.4(2): answers one board question.
    pub async fn answer_board(&self, id: IncidentId, caller: Caller, question: BoardQuestion, yes: bool) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.answer_board(&caller.roles(i), question, yes)).await
    }

    /// The committee waives a Lessons item with a reason.
    pub async fn waive(&self, id: IncidentId, caller: Caller, item: LessonItem, reason: &str) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.waive(caller.user, &caller.roles(i), item, reason)).await
    }

    /// APPI Art. 26: one of the four questions.
    pub async fn answer_appi(
        &self,
        id: IncidentId,
        caller: Caller,
        q: crate::domain::appi::AppiQuestion,
        yes: bool,
    ) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.answer_appi(&caller.roles(i), q, yes)).await
    }

    /// APPI Art. 26: a report to the PPC was filed.
    pub async fn appi_filed(&self, id: IncidentId, caller: Caller, stage: crate::domain::appi::Stage) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.appi_filed(&caller.roles(i), stage)).await
    }

    /// §4.4(3): a member read the announced plan; `false` when they had.
    /// Only an announced plan can be read: a forged button for another
    /// incident records nothing.
    pub async fn read_announcement(&self, id: IncidentId, caller: Caller) -> Result<bool, ServiceError> {
        if self.announcement_message(id).await?.is_none() {
            return Err(ServiceError::NotFound(super::Missing::Announcement));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.incident(id).await?;
        let first = tx.record_read(id, caller.user, now).await?;
        if first {
            tx.append(Some(id), Actor::User(caller.user), now, &EventPayload::AnnouncementRead { user: caller.user }).await?;
            tx.enqueue(&Effect::RefreshAnnouncement { incident: id }, now).await?;
        }
        tx.commit().await?;
        Ok(first)
    }
}
