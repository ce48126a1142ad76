//! Working an incident: command, phases, checklist, records, people.

use super::{Caller, Hikeshi, InputError, Missing, ServiceError};
use crate::domain::incident::{Classification, IncidentError, Outcome};
use crate::domain::{Actor, Incident, IncidentId, IncidentNumber, LogKind, Playbook, UserId};
use crate::domain::{Category, SubKind};
use chrono::{DateTime, Utc};

/// Where the triage post's message id is kept.
const TRIAGE_POST: &str = "triage_message";

impl Hikeshi {
    /// Runs one domain operation on an incident inside a write transaction.
    /// A refusal rolls everything back and changes nothing.
    pub(super) async fn act<F>(&self, id: IncidentId, caller: Caller, op: F) -> Result<Incident, ServiceError>
    where
        F: FnOnce(&mut Incident, Option<&Playbook>, DateTime<Utc>) -> Result<Outcome, IncidentError>,
    {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // A missing incident is "not found"; a database error stays one.
        let mut incident = tx.incident(id).await?;
        let playbook = incident.playbook.as_ref().and_then(|p| self.settings.playbooks.get(p));
        let outcome = op(&mut incident, playbook, now)?;
        // A held report's channel effects wait for its channel.
        let outcome = incident.deliverable(outcome);
        tx.save_incident(&incident, now).await?;
        tx.record(Some(id), Actor::User(caller.user), now, &outcome).await?;
        if outcome.effects.contains(&crate::domain::Effect::PostDrillReport { incident: id }) {
            // §4.1(2): timed from the recorded phase changes, compared with
            // the last drill of the same playbook, stored with the close.
            let changes = tx.phase_changes(id).await?;
            let previous = match &incident.playbook {
                Some(p) => tx.last_drill_report(p).await?,
                None => None,
            };
            let report = crate::domain::drill::drill_report(&incident, &changes, playbook, previous.as_ref());
            tx.insert_drill_report(id, &report, now).await?;
        }
        tx.commit().await?;
        Ok(incident)
    }

    pub async fn take_command(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, now| i.take_command(caller.user, &caller.roles(i), now)).await
    }

    pub async fn appoint(&self, id: IncidentId, caller: Caller, commander: UserId) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, now| i.appoint(caller.user, &caller.roles(i), commander, now)).await
    }

    pub async fn advance(&self, id: IncidentId, caller: Caller, confirm: bool) -> Result<Incident, ServiceError> {
        // Entries are never deleted: read before the transaction, the kinds
        // can only have grown by the time it runs.
        let logged = self.store.logged_kinds(id).await?;
        self.act(id, caller, |i, pb, now| i.advance(caller.user, &caller.roles(i), pb, confirm, &logged, now)).await
    }

    /// §4.2, §4.3: reclassified as the cause becomes clear; `systems` as
    /// typed (`None` keeps them). The playbook that fits the new
    /// classification comes with it (a drill keeps its own).
    pub async fn reclassify(
        &self,
        id: IncidentId,
        caller: Caller,
        category: Category,
        kind: Option<SubKind>,
        systems: Option<&str>,
        reason: &str,
    ) -> Result<Incident, ServiceError> {
        let settings = &self.settings;
        self.act(id, caller, |i, _, _| {
            let affected = match systems {
                Some(typed) => crate::domain::report::system_names(typed).iter().map(|n| settings.systems.resolve(n)).collect(),
                None => i.affected.clone(),
            };
            let named: Vec<_> = affected.iter().filter_map(|a: &crate::domain::AffectedSystem| a.system.clone()).collect();
            let playbook =
                if i.is_drill() { i.playbook.clone() } else { settings.playbooks.suggest(category, kind, &named).map(|p| p.id.clone()) };
            i.reclassify(caller.user, &caller.roles(i), Classification { category, kind, affected }, playbook, reason)
        })
        .await
    }

    /// The committee makes a report confidential after the fact.
    pub async fn make_confidential(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.make_confidential(caller.user, &caller.roles(i))).await
    }

    /// §4.3: the committee excuses one of the three records, with a reason.
    pub async fn waive_record(&self, id: IncidentId, caller: Caller, kind: LogKind, reason: &str) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.waive_record(caller.user, &caller.roles(i), kind, reason)).await
    }

    pub async fn tick(&self, id: IncidentId, caller: Caller, item: usize) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, pb, _| i.tick(&caller.roles(i), pb, item)).await
    }

    pub async fn add_responder(&self, id: IncidentId, caller: Caller, user: UserId) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.add_responder(caller.user, &caller.roles(i), user)).await
    }

    pub async fn remove_responder(&self, id: IncidentId, caller: Caller, user: UserId) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.remove_responder(caller.user, &caller.roles(i), user)).await
    }

    pub async fn dismiss(&self, id: IncidentId, caller: Caller, reason: &str) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, now| i.dismiss(caller.user, &caller.roles(i), reason, now)).await
    }

    /// The incident a member typed the number of (`INC-2026-0007`).
    async fn numbered(&self, typed: &str) -> Result<IncidentId, ServiceError> {
        let number: IncidentNumber = typed.parse().map_err(|_| InputError::BadIncidentNumber(typed.trim().to_string()))?;
        let found = self.store.incident_by_number(number).await?;
        Ok(found.ok_or(ServiceError::NotFound(Missing::IncidentNumbered(number.to_string())))?.id)
    }

    /// Closes `id` as a duplicate of the incident numbered `original` and
    /// merges its reporter into that one: both incidents change in one
    /// transaction, each change recorded under its own incident.
    pub async fn mark_duplicate(&self, id: IncidentId, caller: Caller, original: &str) -> Result<Incident, ServiceError> {
        let original_id = self.numbered(original).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut incident = tx.incident(id).await?;
        let mut original = tx.incident(original_id).await?;
        let merge = incident.mark_duplicate(caller.user, &caller.roles(&incident), &mut original, now)?;
        tx.save_incident(&incident, now).await?;
        tx.record(Some(id), Actor::User(caller.user), now, &incident.deliverable(merge.duplicate)).await?;
        if incident.id != original.id {
            tx.save_incident(&original, now).await?;
            tx.record(Some(original.id), Actor::User(caller.user), now, &original.deliverable(merge.original)).await?;
        }
        tx.commit().await?;
        Ok(incident)
    }

    /// The committee splits a report gathered into the wave of the
    /// incident `id` out into an incident of its own.
    pub async fn split_out(&self, id: IncidentId, caller: Caller, report: &str) -> Result<Incident, ServiceError> {
        let split_id = self.numbered(report).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut original = tx.incident(id).await?;
        let mut split = tx.incident(split_id).await?;
        let merge = split.split_out(&caller.roles(&original), &mut original, now)?;
        tx.save_incident(&split, now).await?;
        tx.record(Some(split.id), Actor::User(caller.user), now, &merge.duplicate).await?;
        tx.save_incident(&original, now).await?;
        tx.record(Some(original.id), Actor::User(caller.user), now, &original.deliverable(merge.original)).await?;
        tx.commit().await?;
        Ok(split)
    }

    /// §4.4(3): the committee names the incident for all members.
    pub async fn set_public_title(&self, id: IncidentId, caller: Caller, title: &str) -> Result<Incident, ServiceError> {
        let (len, max) = (title.trim().chars().count(), crate::domain::incident::MAX_PUBLIC_TITLE);
        if len == 0 {
            return Err(InputError::RequiredFieldEmpty.into());
        }
        if len > max {
            return Err(InputError::EntryTooLong { len, max }.into());
        }
        self.act(id, caller, |i, _, _| i.set_public_title(&caller.roles(i), title)).await
    }

    /// The committee opens a held report's channel (the triage post).
    pub async fn release(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.release(&caller.roles(i))).await
    }

    /// Reports held by the flood guard, for the triage post.
    pub async fn held_reports(&self) -> Result<Vec<Incident>, ServiceError> {
        Ok(self.store.held_reports().await?)
    }

    /// Where the triage post was posted.
    pub async fn triage_message(&self) -> Result<Option<crate::domain::MessageId>, ServiceError> {
        Ok(self.store.get_state(TRIAGE_POST).await?.and_then(|v| v.parse().ok()).map(crate::domain::MessageId))
    }

    pub async fn remember_triage_message(&self, m: crate::domain::MessageId) -> Result<(), ServiceError> {
        Ok(self.store.set_state(TRIAGE_POST, &m.0.to_string()).await?)
    }

    /// §4.1(1): command changes hands (the commander or the committee).
    pub async fn hand_over(&self, id: IncidentId, caller: Caller, to: UserId) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, now| i.hand_over(caller.user, &caller.roles(i), to, now)).await
    }

    /// §4.4(4): a playbook-improvement note (for a drill, the procedure
    /// problems found, §4.1(2)).
    pub async fn add_note(&self, id: IncidentId, caller: Caller, went_well: &str, missing: &str) -> Result<Incident, ServiceError> {
        let update_within = self.settings.followups.playbook_update;
        self.act(id, caller, |i, pb, now| {
            let update = pb.map(|p| (p.digest.clone(), now + update_within));
            i.add_note(&caller.roles(i), went_well, missing, update, now)
        })
        .await
    }

    /// The confidential reporter adds information (posted without a name).
    pub async fn add_info(&self, id: IncidentId, caller: Caller, text: &str) -> Result<Incident, ServiceError> {
        self.act(id, caller, |i, _, _| i.add_info(caller.user, text)).await
    }

    /// §4.3: stores one of the three records and posts it in the channel.
    pub async fn log(&self, id: IncidentId, caller: Caller, kind: LogKind, body: &str) -> Result<i64, ServiceError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(InputError::EmptyEntry.into());
        }
        let (len, max) = (body.chars().count(), crate::domain::log_entry::MAX_LOG_BODY);
        if len > max {
            return Err(InputError::EntryTooLong { len, max }.into());
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let incident = tx.incident(id).await?;
        incident.may_log(&caller.roles(&incident))?;
        let entry = tx.insert_log_entry(id, kind, body, caller.user, now).await?;
        tx.record(Some(id), Actor::User(caller.user), now, &incident.logged(entry, kind, body)).await?;
        tx.commit().await?;
        Ok(entry)
    }
}
