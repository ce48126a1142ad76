//! The flood guard's held reports (§4.2 without a flood): stored and
//! numbered, but no channel, card or ping until the committee opens one.

use super::{check, Incident, IncidentError, NewIncident, Outcome};
use crate::domain::effect::Effect;
use crate::domain::event::EventPayload;
use crate::domain::ids::IncidentId;
use crate::domain::permission::{Action, RoleSet};
use chrono::{DateTime, Utc};

impl Incident {
    /// §4.2 without a flood: the same report, held for triage. Stored and
    /// numbered like any other; it opens no channel and pings nobody (the
    /// triage post lists it) until the committee decides.
    pub fn open_held(id: IncidentId, new: NewIncident, now: DateTime<Utc>) -> (Incident, Outcome) {
        let (mut incident, _) = Incident::open(id, new, now);
        incident.held = true;
        // The triage post lists it; the notice comes if it is opened.
        incident.notice_owed = false;
        let outcome = Outcome::default()
            .with(EventPayload::Reported { number: incident.number, title: incident.title.clone() })
            .with(EventPayload::HeldForTriage)
            .effect(Effect::RefreshTriage)
            .effect(Effect::RefreshStatusBoard);
        (incident, outcome)
    }

    /// The committee opens a held report's channel: from here it is an
    /// incident like any other (its card pings the committee).
    pub fn release(&mut self, roles: &RoleSet) -> Result<Outcome, IncidentError> {
        check(Action::Triage, roles)?;
        self.open_phase()?;
        if !self.held {
            return Err(IncidentError::NotHeld);
        }
        self.held = false;
        self.notice_owed = true;
        let mut outcome = Outcome::default()
            .with(EventPayload::Released)
            .effect(Effect::CreateChannel { incident: self.id })
            .effect(Effect::PostCard { incident: self.id })
            .effect(Effect::CommitteeNotices)
            .effect(Effect::RefreshTriage)
            .effect(Effect::RefreshStatusBoard);
        if self.confidential {
            outcome = outcome.effect(Effect::TellReporter { incident: self.id });
        }
        Ok(outcome)
    }

    /// What of `outcome` can take effect now: a held report has no channel,
    /// so what needs one waits for it (the channel, once opened, shows the
    /// state as it is then); the triage post follows every change.
    pub fn deliverable(&self, mut outcome: Outcome) -> Outcome {
        if self.held {
            outcome.effects.retain(|e| !e.needs_channel());
            outcome.effects.push(Effect::RefreshTriage);
        }
        outcome
    }
}
