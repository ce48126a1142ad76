//! §4.2 報告を受けた委員会は、直ちに…: a report reaches the committee, and a
//! person of the committee says they have it. Until then the escalation
//! chain (`domain::escalation`) goes on; the time it took is a figure of
//! its own (/stats, the yearly review).

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::permission::{Action, RoleSet};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Who of the committee took the report, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub by: UserId,
    pub at: DateTime<Utc>,
}

impl Incident {
    /// 確認しました: a committee member presses Acknowledge (the card, the
    /// status board, the committee's notice). Once; the chain stops.
    pub fn acknowledge(&mut self, by: UserId, roles: &RoleSet, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::Acknowledge, roles)?;
        self.open_phase()?;
        if let Some(a) = self.acknowledged {
            return Err(IncidentError::AlreadyAcknowledged(a.by));
        }
        Ok(self.acknowledged_now(Outcome::default(), by, now).refreshed(self.id))
    }

    /// Taking command or being appointed by the committee answers the ping
    /// as well: recorded as the acknowledgement when none came before.
    pub(super) fn acknowledged_now(&mut self, outcome: Outcome, by: UserId, now: DateTime<Utc>) -> Outcome {
        if self.acknowledged.is_some() {
            return outcome;
        }
        self.acknowledged = Some(Acknowledgement { by, at: now });
        outcome.with(EventPayload::Acknowledged { by })
    }

    /// Table 1: the strictest priority of the registered systems it names
    /// (the acknowledgement's deadline and its figures go by it).
    pub fn priority(&self) -> Option<crate::domain::RecoveryPriority> {
        self.affected.iter().filter_map(|a| a.priority).max()
    }

    /// From the report to the committee's acknowledgement.
    pub fn time_to_acknowledge(&self) -> Option<Duration> {
        self.acknowledged.map(|a| (a.at - self.reported_at).max(Duration::zero()))
    }

    /// Whether the escalation chain still runs: open, out of triage, and
    /// nobody of the committee has said they have it. A commander in place
    /// is an answer too (an incident from before acknowledgements were
    /// recorded has one and no acknowledgement).
    pub fn awaits_acknowledgement(&self) -> bool {
        self.acknowledged.is_none() && self.commander.is_none() && self.phase.is_open() && !self.held
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{committee, incident, now};
    use crate::domain::Effect;

    const BOB: UserId = UserId(2);

    #[test]
    fn the_committee_acknowledges_once_and_the_time_is_kept() {
        let mut i = incident(true);
        assert!(i.awaits_acknowledgement());
        let member = RoleSet::default();
        assert!(matches!(i.acknowledge(BOB, &member, now()), Err(IncidentError::NotAllowed(_))));
        let later = now() + Duration::minutes(12);
        let out = i.acknowledge(BOB, &committee(), later).unwrap();
        assert_eq!(out.events, vec![EventPayload::Acknowledged { by: BOB }]);
        assert!(out.effects.contains(&Effect::RefreshCard { incident: i.id }) && out.effects.contains(&Effect::RefreshStatusBoard));
        assert_eq!(i.acknowledged, Some(Acknowledgement { by: BOB, at: later }));
        assert_eq!(i.time_to_acknowledge(), Some(Duration::minutes(12)));
        assert!(!i.awaits_acknowledgement());
        assert_eq!(i.acknowledge(UserId(3), &committee(), later), Err(IncidentError::AlreadyAcknowledged(BOB)));
    }

    #[test]
    fn command_acknowledges_once_and_nothing_waits_when_closed_held_or_commanded() {
        let mut i = incident(true);
        let out = i.take_command(BOB, &committee(), now() + Duration::minutes(3)).unwrap();
        assert_eq!(out.events[0], EventPayload::Acknowledged { by: BOB });
        assert_eq!(i.time_to_acknowledge(), Some(Duration::minutes(3)));
        let mut j = incident(false);
        j.appoint(UserId(3), &committee(), UserId(4), now()).unwrap();
        assert_eq!(j.acknowledged.map(|a| a.by), Some(UserId(3)), "the one who appointed");
        let again = j.appoint(BOB, &committee(), UserId(5), now()).unwrap();
        assert!(!again.events.contains(&EventPayload::Acknowledged { by: BOB }), "only the first counts");
        // Stored before acknowledgements were kept: a commander is answer enough.
        let mut old = incident(true);
        old.commander = Some(BOB);
        assert!(!old.awaits_acknowledgement());
        let mut held = incident(true);
        held.held = true;
        assert!(!held.awaits_acknowledgement());
        let mut closed = incident(true);
        closed.phase = crate::domain::Phase::Closed;
        assert!(!closed.awaits_acknowledgement());
        assert!(closed.acknowledge(BOB, &committee(), now()).is_err(), "a closed report is not acknowledged");
        assert_eq!(closed.priority(), Some(crate::domain::RecoveryPriority::OneDay));
    }
}
