//! §4.1(4) Table 1 per system: each affected system's outage start and its
//! restoration, each with its own deadline (業務復旧までの許容時間 from
//! the outage's start, by the system's recovery priority).

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::event::EventPayload;
use crate::domain::permission::{Action, RoleSet};
use crate::domain::priority::{RecoveryDeadline, RecoveryPriority};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One system's outage, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub system: String,
    pub priority: Option<RecoveryPriority>,
    pub started: DateTime<Utc>,
    pub restored: Option<DateTime<Utc>>,
}

impl Outage {
    /// Its own Table 1 deadline (none for priority 0 or unknown).
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        RecoveryDeadline::for_systems(self.started, self.priority).at()
    }

    /// Restored in time (`None`: not restored yet, or no deadline).
    pub fn met(&self) -> Option<bool> {
        Some(self.restored? <= self.deadline()?)
    }
}

impl Incident {
    /// An affected system went down at `at` (the report names it).
    pub fn outage_started(&mut self, roles: &RoleSet, system: &str, at: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::LogEntry, roles)?;
        self.open_phase()?;
        let a = self.affected.iter().find(|a| a.name.trim().eq_ignore_ascii_case(system.trim()));
        let a = a.ok_or_else(|| IncidentError::NotAffected(self.affected.iter().map(|a| a.name.clone()).collect()))?;
        let (name, priority) = (a.name.clone(), a.priority);
        if self.outages.iter().any(|o| o.system == name && o.restored.is_none()) {
            return Err(IncidentError::OutageOpen(name));
        }
        self.outages.push(Outage { system: name.clone(), priority, started: at, restored: None });
        Ok(Outcome::default().with(EventPayload::OutageStarted { system: name, at }).refreshed(self.id))
    }

    /// The system's open outage ended at `at`.
    pub fn system_restored(&mut self, roles: &RoleSet, system: &str, at: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::LogEntry, roles)?;
        self.open_phase()?;
        let open = self.outages.iter_mut().find(|o| o.system.trim().eq_ignore_ascii_case(system.trim()) && o.restored.is_none());
        let o = open.ok_or_else(|| IncidentError::NoOutage(system.trim().to_string()))?;
        if at < o.started {
            return Err(IncidentError::RestoredBeforeOutage);
        }
        o.restored = Some(at);
        let name = o.system.clone();
        Ok(Outcome::default().with(EventPayload::SystemRestored { system: name, at }).refreshed(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{incident, now};
    use chrono::Duration;

    #[test]
    fn each_system_has_its_own_deadline_from_its_outage() {
        let mut i = incident(true); // "fileserver", priority 2 (a day)
        let responder = RoleSet { responder: true, ..Default::default() };
        let member = RoleSet { reporter: true, ..Default::default() };
        assert!(matches!(i.outage_started(&member, "fileserver", now()), Err(IncidentError::NotAllowed(_))));
        assert_eq!(i.outage_started(&responder, "mail", now()), Err(IncidentError::NotAffected(vec!["fileserver".into()])));
        assert_eq!(i.system_restored(&responder, "fileserver", now()), Err(IncidentError::NoOutage("fileserver".into())));
        let down = now() + Duration::hours(2);
        i.outage_started(&responder, "FileServer", down).unwrap();
        assert_eq!(i.outage_started(&responder, "fileserver", down), Err(IncidentError::OutageOpen("fileserver".into())));
        assert_eq!(i.outages[0].deadline(), Some(down + Duration::hours(24)), "from the outage, not the report");
        assert_eq!(i.outages[0].met(), None);
        assert_eq!(i.system_restored(&responder, "fileserver", down - Duration::minutes(1)), Err(IncidentError::RestoredBeforeOutage));
        let mut blip = i.clone();
        blip.system_restored(&responder, "fileserver", down).expect("restored the minute it went down: a blip");
        i.system_restored(&responder, "fileserver", down + Duration::hours(24)).unwrap();
        assert_eq!(i.outages[0].met(), Some(true), "on the deadline is in time");
        i.outage_started(&responder, "fileserver", down + Duration::hours(30)).unwrap();
        i.system_restored(&responder, "fileserver", down + Duration::hours(55)).unwrap();
        assert_eq!(i.outages[1].met(), Some(false));
    }
}
