//! §4.2: where no playbook fits a report by its kind, the committee
//! chooses one (or appoints a 実行責任者, `response.rs`).

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::{PlaybookId, UserId};
use crate::domain::permission::{Action, RoleSet};

impl Incident {
    /// The committee chooses the playbook, with a reason kept in the
    /// record. Its checklist starts unticked from the current phase on;
    /// what was ticked before stays as history.
    pub fn choose_playbook(&mut self, by: UserId, roles: &RoleSet, playbook: PlaybookId, reason: &str) -> Result<Outcome, IncidentError> {
        check(Action::ChoosePlaybook, roles)?;
        self.open_phase()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        if self.playbook.as_ref() == Some(&playbook) {
            return Err(IncidentError::PlaybookAlreadyChosen);
        }
        let phase = self.phase;
        self.marks.retain(|m| m.phase < phase);
        self.playbook = Some(playbook.clone());
        let event = EventPayload::PlaybookChosen { playbook: playbook.0.clone(), reason: reason.to_string() };
        let notice = Notice::PlaybookChosen { by, playbook, reason: reason.to_string() };
        Ok(Outcome::default().with(event).effect(Effect::PostNotice { incident: self.id, notice }).refreshed(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{committee, incident, REPORTER};
    use crate::domain::permission::Role;

    #[test]
    fn the_committee_chooses_a_playbook_with_a_reason_and_only_the_committee() {
        let mut i = incident(false);
        let reporter = RoleSet { reporter: true, ..Default::default() };
        let dos = PlaybookId("dos".into());
        assert_eq!(i.choose_playbook(REPORTER, &reporter, dos.clone(), "r"), Err(IncidentError::NotAllowed(&[Role::Committee])));
        assert_eq!(i.choose_playbook(UserId(3), &committee(), dos.clone(), "  "), Err(IncidentError::ReasonRequired));
        let out = i.choose_playbook(UserId(3), &committee(), dos.clone(), "メールが止まった").unwrap();
        assert_eq!(i.playbook, Some(dos.clone()));
        assert!(
            matches!(&out.events[0], EventPayload::PlaybookChosen { playbook, reason } if playbook == "dos" && reason == "メールが止まった")
        );
        assert_eq!(i.choose_playbook(UserId(3), &committee(), dos, "again"), Err(IncidentError::PlaybookAlreadyChosen));
    }

    /// The phases done keep their ticks; the phase in hand starts the new
    /// playbook's checklist afresh (its items are other items).
    #[test]
    fn a_chosen_playbook_keeps_the_ticks_of_the_phases_done() {
        use crate::domain::incident::{ChecklistMark, MarkState};
        use crate::domain::Phase;
        let mut i = incident(false);
        i.phase = Phase::Containment;
        let mark = |phase| ChecklistMark { phase, item: 0, state: MarkState::Done };
        i.marks = vec![mark(Phase::Analysis), mark(Phase::Containment), mark(Phase::Eradication)];
        i.choose_playbook(UserId(3), &committee(), PlaybookId("dos".into()), "r").unwrap();
        assert_eq!(i.marks, vec![mark(Phase::Analysis)]);
    }
}
