//! §4.1(4) Table 1: a system a report names that the registry lacks is
//! put to the committee, who gives it a recovery priority for this
//! incident; the deadline follows.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::event::EventPayload;
use crate::domain::permission::{Action, RoleSet};
use crate::domain::priority::{RecoveryDeadline, RecoveryPriority};

impl Incident {
    /// The affected systems the registry does not know and no one has
    /// given a priority yet.
    pub fn unprioritised(&self) -> Vec<&str> {
        self.affected.iter().filter(|a| a.system.is_none() && a.priority.is_none()).map(|a| a.name.as_str()).collect()
    }

    /// The committee gives an unregistered system its recovery priority
    /// (by the name the report used); the Table 1 deadline is recomputed
    /// from the discovery time.
    pub fn assign_priority(&mut self, roles: &RoleSet, system: &str, priority: RecoveryPriority) -> Result<Outcome, IncidentError> {
        check(Action::AssignPriority, roles)?;
        self.open_phase()?;
        let unregistered: Vec<String> = self.affected.iter().filter(|a| a.system.is_none()).map(|a| a.name.clone()).collect();
        let a = self
            .affected
            .iter_mut()
            .find(|a| a.system.is_none() && a.name.trim().eq_ignore_ascii_case(system.trim()))
            .ok_or(IncidentError::NotUnregistered(unregistered))?;
        a.priority = Some(priority);
        let name = a.name.clone();
        self.deadline = RecoveryDeadline::for_systems(self.noticed.at, self.affected.iter().filter_map(|a| a.priority));
        Ok(Outcome::default().with(EventPayload::PriorityAssigned { system: name, priority: priority.level() }).refreshed(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{committee, incident};
    use crate::domain::incident::AffectedSystem;

    #[test]
    fn the_committee_gives_an_unregistered_system_its_priority_and_the_deadline_follows() {
        let mut i = incident(true);
        i.affected.push(AffectedSystem { name: "Payroll SaaS".into(), system: None, priority: None });
        assert_eq!(i.unprioritised(), vec!["Payroll SaaS"]);
        let before = i.deadline;
        let commander = RoleSet { commander: true, ..Default::default() };
        assert!(matches!(i.assign_priority(&commander, "payroll saas", RecoveryPriority::NoDowntime), Err(IncidentError::NotAllowed(_))));
        assert_eq!(
            i.assign_priority(&committee(), "fileserver", RecoveryPriority::NoDowntime),
            Err(IncidentError::NotUnregistered(vec!["Payroll SaaS".into()])),
            "a registered system keeps the registry's priority"
        );
        let out = i.assign_priority(&committee(), " payroll saas ", RecoveryPriority::NoDowntime).unwrap();
        assert!(matches!(&out.events[0], EventPayload::PriorityAssigned { system, priority: 3 } if system == "Payroll SaaS"));
        assert!(i.unprioritised().is_empty());
        assert_ne!(i.deadline, before);
        assert_eq!(i.deadline, RecoveryDeadline::Immediate(i.noticed.at), "priority 3: restore at once");
    }
}
