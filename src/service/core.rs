//! What every feature's service shares: the store, the settings, the clock,
//! and the permission checks against stored state (one table: `Action`).

use super::{Caller, Missing, ServiceError};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::incident::{IncidentError, Outcome};
use crate::domain::{Action, Actor, ChannelId, Incident, IncidentId, Playbook};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The ground the feature services stand on; each holds a copy (cheap: all
/// shared handles).
#[derive(Clone)]
pub(super) struct Core {
    pub(super) store: Store,
    pub(super) settings: Arc<Settings>,
    pub(super) clock: Arc<dyn Clock>,
}

impl Core {
    /// May `caller` do `action` to incident `id` now? The incident, if so.
    /// Used before a form opens, so nobody types a long entry only to be
    /// refused; the submission is checked again.
    pub async fn may(&self, id: IncidentId, caller: Caller, action: Action) -> Result<Incident, ServiceError> {
        let incident = self.incident(id).await?;
        if !action.allowed(&caller.roles(&incident)) {
            return Err(IncidentError::NotAllowed(action.allowed_roles()).into());
        }
        Ok(incident)
    }

    /// May `caller` do an action that concerns no incident (the committee's
    /// commands and buttons)?
    pub fn may_always(&self, caller: Caller, action: Action) -> Result<(), ServiceError> {
        if action.allowed(&caller.standing()) {
            Ok(())
        } else {
            Err(IncidentError::NotAllowed(action.allowed_roles()).into())
        }
    }

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
            let mut report = crate::domain::drill::drill_report(&incident, &changes, playbook, previous.as_ref());
            report.escalation = crate::domain::drill::chain(incident.reported_at, &tx.chain_events(id).await?);
            report.participants = crate::domain::drill::participants(&incident, &tx.event_actors(id).await?);
            tx.insert_drill_report(id, &report, now).await?;
        }
        tx.commit().await?;
        Ok(incident)
    }

    pub async fn incident(&self, id: IncidentId) -> Result<Incident, ServiceError> {
        self.store.incident(id).await?.ok_or(ServiceError::NotFound(Missing::Incident))
    }

    /// The incident whose channel (or archived channel) this is.
    pub async fn incident_in_channel(&self, channel: ChannelId) -> Result<Incident, ServiceError> {
        self.store.incident_by_channel(channel).await?.ok_or(super::InputError::NotAnIncidentChannel.into())
    }
}
