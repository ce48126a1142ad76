//! §4.2 (issue 26): the escalation chain. The scheduler queues each step
//! once, as it falls due, while a report waits for an acknowledgement;
//! the deliverers ask here whom a step reaches (and whether it is still
//! needed), and record what it reached.

use super::{core::Core, Oncall, ServiceError};
use crate::domain::escalation::{Road, Step};
use crate::domain::{Actor, Effect, EventPayload, Incident, IncidentId, UserId};
use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Escalation {
    core: Core,
    oncall: Oncall,
}

/// Whom a step in Discord reaches: the members to DM, and those left out
/// for their quiet hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recipients {
    pub dm: Vec<UserId>,
    pub quiet: Vec<UserId>,
}

impl Escalation {
    pub(super) fn new(core: Core, oncall: Oncall) -> Self {
        Escalation { core, oncall }
    }

    /// Queues the steps due for `i` and not queued yet (each once, across
    /// restarts and processes: the key is recorded in the same
    /// transaction). Called by the scheduler's tick.
    pub(super) async fn queue_due(&self, i: &Incident, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        // Most ticks find nothing due: the duty (a query) is read only when
        // a step could be (quiet hours only ever hold one back).
        if self.core.settings.escalation.due(i, false, now).is_empty() {
            return Ok(0);
        }
        let on_duty = self.oncall.duty_at(now).await?.and_then(|d| d.now);
        let quiet = on_duty.is_some_and(|m| self.oncall.quiet(m, now));
        let mut due = vec![];
        for step in self.core.settings.escalation.due(i, quiet, now) {
            if !self.core.store.was_sent(i.id, step.key()).await? {
                due.push(step);
            }
        }
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.core.store.begin().await?;
        let mut queued = 0;
        for step in due {
            if !tx.mark_sent(i.id, step.key(), now).await? {
                continue;
            }
            tx.append(Some(i.id), Actor::System, now, &EventPayload::Escalated { step }).await?;
            let effects = self.effects(i, step);
            for effect in &effects {
                tx.enqueue(effect, now).await?;
            }
            if effects.is_empty() {
                let missed = vec!["nothing configured outside Discord".to_string()];
                tx.append(Some(i.id), Actor::System, now, &EventPayload::EscalationDelivered { step, reached: vec![], missed }).await?;
            }
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// What delivers `step`: in Discord, one effect; outside it, one per
    /// road configured (none: the step is recorded as missed).
    fn effects(&self, i: &Incident, step: Step) -> Vec<Effect> {
        let outside = &self.core.settings.outside;
        match step {
            Step::Outside => [(outside.webhook.is_some(), Road::Webhook), (outside.mail.is_some(), Road::Mail)]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, road)| Effect::PageOutside { incident: i.id, road })
                .collect(),
            step => vec![Effect::Escalate { incident: i.id, step }],
        }
    }

    /// The incident, if it still waits for an acknowledgement (a step is
    /// never sent after one), and whom `step` reaches now. `committee`:
    /// the committee role's members as the server shows them, if known
    /// (else the rotation's).
    pub async fn reach(
        &self,
        id: IncidentId,
        step: Step,
        committee: Option<Vec<UserId>>,
    ) -> Result<Option<(Incident, Recipients)>, ServiceError> {
        let i = self.core.incident(id).await?;
        if !i.awaits_acknowledgement() {
            return Ok(None);
        }
        let now = self.core.clock.now();
        let people = match step {
            Step::OnDuty => self.oncall.duty_at(now).await?.and_then(|d| d.now).into_iter().collect(),
            Step::Committee => committee.unwrap_or_else(|| self.oncall.rotation()),
            Step::PingAgain | Step::Outside => vec![],
        };
        let (quiet, dm): (Vec<UserId>, Vec<UserId>) = people.into_iter().partition(|m| self.oncall.quiet(*m, now));
        Ok(Some((i, Recipients { dm, quiet })))
    }

    /// What a step reached and missed, in the incident's record (a drill's
    /// report lists it; a miss is a finding).
    pub async fn delivered(&self, id: IncidentId, step: Step, reached: Vec<String>, missed: Vec<String>) -> Result<(), ServiceError> {
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        tx.append(Some(id), Actor::System, now, &EventPayload::EscalationDelivered { step, reached, missed }).await?;
        tx.commit().await?;
        Ok(())
    }
}
