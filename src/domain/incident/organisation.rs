//! §4.1(1) 対応組織: the playbook's roles given to people. A role holder
//! works the incident (is let into its channel) like a responder.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::permission::{Action, RoleSet};
use crate::domain::playbook::Playbook;
use crate::domain::text::Text;
use serde::{Deserialize, Serialize};

/// A role of the playbook, as named when it was given, and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    pub role: Text,
    pub member: UserId,
}

impl Playbook {
    /// The role typed: its number (1-based) or its name in either language.
    pub fn role_index(&self, typed: &str) -> Option<usize> {
        let t = typed.trim();
        if let Ok(n) = t.parse::<usize>() {
            return (1..=self.roles.len()).contains(&n).then(|| n - 1);
        }
        self.roles.iter().position(|r| r.name.ja.trim() == t || r.name.en.trim().eq_ignore_ascii_case(t))
    }
}

impl Incident {
    /// The commander or the committee gives one of the playbook's roles to
    /// a member, who is let into the channel if they were not already.
    pub fn assign_role(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        playbook: Option<&Playbook>,
        role: &str,
        member: UserId,
    ) -> Result<Outcome, IncidentError> {
        check(Action::AddResponder, roles)?;
        self.open_phase()?;
        let pb = playbook.ok_or(IncidentError::NoPlaybook)?;
        let index = pb.role_index(role).ok_or_else(|| IncidentError::NoSuchRole(pb.roles.iter().map(|r| r.name.clone()).collect()))?;
        let name = pb.roles[index].name.clone();
        if self.organisation.iter().any(|h| h.member == member && h.role == name) {
            return Err(IncidentError::AlreadyInRole(member));
        }
        let mut out = Outcome::default().with(EventPayload::RoleAssigned { role: name.ja.clone(), member });
        if !self.has_access(member) {
            self.responders.push(member);
            out = out.effect(Effect::GrantAccess { incident: self.id, user: member });
        }
        self.organisation.push(RoleHolder { role: name.clone(), member });
        let notice = Notice::RoleAssigned { role: name, member, by };
        Ok(out.effect(Effect::PostNotice { incident: self.id, notice }).refreshed(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{committee, incident};
    use crate::domain::playbook::tests::playbook;
    use crate::domain::playbook::PlaybookRole;

    fn with_roles() -> Playbook {
        let mut p = playbook("dos", &["breach/dos"], 1);
        let role = |ja: &str, en: &str| PlaybookRole { name: Text::new(ja, en), responsibilities: Text::new("", ""), members: vec![] };
        p.roles = vec![role("実行責任者", "Commander"), role("ネットワーク担当", "Network engineer")];
        p
    }

    #[test]
    fn a_role_is_found_by_number_or_name_and_its_holder_let_in_once() {
        let p = with_roles();
        assert_eq!((p.role_index("2"), p.role_index("ネットワーク担当"), p.role_index("network engineer")), (Some(1), Some(1), Some(1)));
        assert_eq!((p.role_index("0"), p.role_index("3"), p.role_index("広報")), (None, None, None));
        let mut i = incident(true);
        let out = i.assign_role(UserId(3), &committee(), Some(&p), "2", UserId(9)).unwrap();
        assert!(out.effects.contains(&Effect::GrantAccess { incident: i.id, user: UserId(9) }));
        assert!(i.has_access(UserId(9)) && i.organisation.len() == 1);
        assert_eq!(
            i.assign_role(UserId(3), &committee(), Some(&p), "ネットワーク担当", UserId(9)),
            Err(IncidentError::AlreadyInRole(UserId(9)))
        );
        let again = i.assign_role(UserId(3), &committee(), Some(&p), "1", UserId(9)).unwrap();
        assert!(!again.effects.iter().any(|e| matches!(e, Effect::GrantAccess { .. })), "already in the channel");
        assert!(
            matches!(i.assign_role(UserId(3), &committee(), Some(&p), "広報", UserId(9)), Err(IncidentError::NoSuchRole(names)) if names.len() == 2)
        );
        assert_eq!(i.assign_role(UserId(3), &committee(), None, "1", UserId(9)), Err(IncidentError::NoPlaybook));
        let member = RoleSet { reporter: true, ..Default::default() };
        assert!(matches!(i.assign_role(UserId(100), &member, Some(&p), "1", UserId(7)), Err(IncidentError::NotAllowed(_))));
    }

    /// A responder removed loses their roles; the others keep theirs.
    #[test]
    fn a_removed_responder_takes_only_their_own_roles_along() {
        let p = with_roles();
        let mut i = incident(true);
        i.assign_role(UserId(3), &committee(), Some(&p), "1", UserId(8)).unwrap();
        i.assign_role(UserId(3), &committee(), Some(&p), "2", UserId(9)).unwrap();
        i.remove_responder(UserId(3), &committee(), UserId(9)).unwrap();
        assert_eq!(i.organisation.iter().map(|h| h.member).collect::<Vec<_>>(), vec![UserId(8)]);
    }

    /// §4.1 周知: everyone a playbook's roles name, once each.
    #[test]
    fn a_playbook_names_each_member_once() {
        let mut p = with_roles();
        p.roles[0].members = vec![UserId(9), UserId(4)];
        p.roles[1].members = vec![UserId(4), UserId(6)];
        assert_eq!(p.named_members(), vec![UserId(4), UserId(6), UserId(9)]);
    }
}

/// §4.1(1) 終了の契機: whether the playbook's end trigger was met when the
/// incident closed, and the trigger as the playbook said it then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndTrigger {
    pub met: bool,
    pub trigger: Text,
    pub by: UserId,
}

/// The trigger where no playbook says one: the committee decided (§4.2).
fn committee_decision() -> Text {
    Text::new("委員会の判断（§4.2）", "the committee's decision (§4.2)")
}

impl Incident {
    /// §4.1(1) 始動の契機: the first 実行責任者 starts the response
    /// organisation; the record keeps what started it (the playbook's
    /// activation, or the committee's own decision where none applies).
    pub fn started(&self, out: Outcome, playbook: Option<&Playbook>, first: bool) -> Outcome {
        if !first {
            return out;
        }
        let trigger = playbook.map_or_else(committee_decision, |p| p.activation.clone());
        out.with(EventPayload::ResponseStarted { trigger: trigger.ja, trigger_en: trigger.en })
    }

    /// §4.1(1) 終了の契機: closing says whether the end trigger was met;
    /// the close itself follows (and is refused as any advance would be,
    /// leaving the answer unsaved with the rest).
    #[allow(clippy::too_many_arguments)]
    pub fn close_with_trigger(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        playbook: Option<&Playbook>,
        met: bool,
        logged: &[crate::domain::LogKind],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::Advance, roles)?;
        if self.phase != crate::domain::Phase::Lessons {
            return Err(IncidentError::NotInLessons);
        }
        let trigger = playbook.map_or_else(committee_decision, |p| p.termination.clone());
        let before = self.end_trigger.replace(EndTrigger { met, trigger: trigger.clone(), by });
        let mut out = self.advance(by, roles, playbook, true, logged, now).inspect_err(|_| self.end_trigger = before)?;
        out.events.insert(0, EventPayload::EndTriggerAnswered { met, trigger: trigger.ja, trigger_en: trigger.en });
        Ok(out)
    }
}

#[cfg(test)]
mod trigger_tests {
    use super::*;
    use crate::domain::incident::tests::incident;
    use crate::domain::playbook::tests::playbook;

    #[test]
    fn the_first_commander_starts_the_response_with_the_playbooks_activation() {
        let i = incident(true);
        let p = playbook("malware", &["breach/malware"], 1);
        let out = i.started(Outcome::default(), Some(&p), true);
        assert!(
            matches!(&out.events[..], [EventPayload::ResponseStarted { trigger, trigger_en }] if trigger == "開始" && trigger_en == "start")
        );
        assert!(i.started(Outcome::default(), Some(&p), false).events.is_empty(), "a later commander starts nothing");
        let none = i.started(Outcome::default(), None, true);
        assert!(matches!(&none.events[..], [EventPayload::ResponseStarted { trigger, .. }] if trigger.contains("委員会の判断")));
    }
}
