//! §4.2: a member reports an incident, or a suspected one, without delay.

use super::{Hikeshi, ServiceError};
use crate::domain::incident::NewIncident;
use crate::domain::report::{parse_noticed, ReportDraft};
use crate::domain::{Actor, Effect, Incident, UserId};

/// Where the reporter's first reply can be edited to carry the channel
/// link once it exists (a Discord interaction's webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHandle {
    pub application_id: u64,
    pub token: String,
}

/// The stored incident, and whether this call created it (a retried
/// delivery of the same interaction finds the first one).
#[derive(Debug, Clone)]
pub struct Reported {
    pub incident: Incident,
    pub created: bool,
}

impl Hikeshi {
    /// Validates and stores a report, with its channel, card and pings queued
    /// in the same transaction. `source_key` makes it idempotent.
    pub async fn report(
        &self,
        draft: &ReportDraft,
        reporter: UserId,
        source_key: &str,
        reply: Option<ReplyHandle>,
    ) -> Result<Reported, ServiceError> {
        let problems = draft.problems();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let category = draft.category.ok_or(ServiceError::NotFound("category"))?;
        let now = self.clock.now();
        let tz = self.settings.organisation.tz;
        let mut tx = self.store.begin().await?;
        if let Some(existing) = tx.incident_by_source(source_key).await? {
            return Ok(Reported { incident: existing, created: false });
        }
        let number = tx.next_number(false, now, tz).await?;
        let id = tx.insert_incident(number, reporter, Some(source_key), now).await?;
        let affected = draft.system_names().iter().map(|n| self.settings.systems.resolve(n)).collect();
        let playbook = self.settings.playbooks.matching(category, draft.kind).map(|p| p.id.clone());
        let new = NewIncident {
            number,
            category,
            kind: draft.kind,
            title: draft.title.trim().to_string(),
            description: draft.description.trim().to_string(),
            noticed: parse_noticed(&draft.noticed, now, tz),
            impact: draft.impact.trim().to_string(),
            affected,
            reporter,
            playbook,
            confidential: draft.confidential,
        };
        let (incident, mut outcome) = Incident::open(id, new, now);
        // A confidential reporter cannot open the channel: no link for them.
        if let Some(r) = reply.filter(|_| !draft.confidential) {
            outcome.effects.push(Effect::LinkReporter { incident: id, application_id: r.application_id, token: r.token });
        }
        tx.save_incident(&incident, now).await?;
        tx.record(Some(id), Actor::User(reporter), now, &outcome).await?;
        tx.commit().await?;
        tracing::info!(incident = %incident.number, category = category.id(), "incident reported");
        Ok(Reported { incident, created: true })
    }
}
