//! §4.4(1) 情報セキュリティ委員会および情報システム部は…再発防止計画を作成:
//! the IT department signs off each revision of the plan before the
//! committee approves it.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::lessons::{ItDepartment, ItSignOff};
use crate::domain::permission::{Action, RoleSet};
use chrono::{DateTime, Utc};

impl Incident {
    /// The plan as it stands waits for 情報システム部 (a drill's plan,
    /// which nothing owes, never does).
    pub fn awaits_signoff(&self, it: ItDepartment) -> bool {
        !self.is_drill() && self.lessons.awaits_signoff(it)
    }

    /// 情報システム部 signs off `revision`, the one its button was posted
    /// with: a plan revised since is read again before it is signed.
    pub fn sign_off_plan(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        revision: u32,
        it: ItDepartment,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::SignOffPlan, roles)?;
        self.in_lessons()?;
        let current = self.lessons.plan_revision;
        if !self.awaits_signoff(it) {
            return Err(IncidentError::NothingToSignOff);
        }
        if revision != current {
            return Err(IncidentError::SignOffStale(current));
        }
        self.lessons.it_signoff = Some(ItSignOff { revision, by, at: now });
        Ok(Outcome::default()
            .with(EventPayload::PlanSignedOff { revision })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::PlanSignedOff { by, revision } })
            .refreshed(self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{committee, in_lessons, incident, now, CHAIR, REPORTER};
    use super::*;
    use crate::domain::lessons::{LessonItem, PreventionPlan};
    use crate::domain::phase::Phase;

    const IT: UserId = UserId(77);
    const ON: ItDepartment = ItDepartment::Configured;

    fn it() -> RoleSet {
        RoleSet { it_department: true, ..Default::default() }
    }

    fn commander() -> RoleSet {
        RoleSet { commander: true, ..Default::default() }
    }

    fn plan() -> PreventionPlan {
        PreventionPlan::new("patch the VPN", "train the staff").unwrap()
    }

    #[test]
    fn a_drafted_plan_waits_for_the_it_department_before_the_committee_approves() {
        let mut i = in_lessons();
        let out = i.set_plan(REPORTER, &commander(), plan(), ON, now()).unwrap();
        assert!(out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::PostNotice { notice: Notice::PlanAwaitsApproval { revision: 1, signoff: true }, .. })));
        assert_eq!(i.approve_plan(CHAIR, &committee(), ON, now()), Err(IncidentError::PlanAwaitsSignOff));
        i.sign_off_plan(IT, &it(), 1, ON, now()).unwrap();
        assert!(i.lessons.signed_off());
        i.approve_plan(CHAIR, &committee(), ON, now()).unwrap();
        assert!(i.lessons.plan_approved());
    }

    #[test]
    fn only_the_it_department_signs_off_and_only_the_revision_it_read() {
        let mut i = in_lessons();
        i.set_plan(REPORTER, &commander(), plan(), ON, now()).unwrap();
        assert!(matches!(i.sign_off_plan(CHAIR, &committee(), 1, ON, now()), Err(IncidentError::NotAllowed(_))));
        assert!(matches!(i.sign_off_plan(REPORTER, &commander(), 1, ON, now()), Err(IncidentError::NotAllowed(_))));
        i.set_plan(REPORTER, &commander(), plan(), ON, now()).unwrap();
        assert_eq!(i.sign_off_plan(IT, &it(), 1, ON, now()), Err(IncidentError::SignOffStale(2)));
        i.sign_off_plan(IT, &it(), 2, ON, now()).unwrap();
        assert_eq!(i.sign_off_plan(IT, &it(), 2, ON, now()), Err(IncidentError::NothingToSignOff), "once");
    }

    #[test]
    fn a_revision_after_the_sign_off_waits_again_even_when_the_committee_saves_it() {
        let mut i = in_lessons();
        i.set_plan(REPORTER, &commander(), plan(), ON, now()).unwrap();
        i.sign_off_plan(IT, &it(), 1, ON, now()).unwrap();
        let out = i.set_plan(CHAIR, &committee(), plan(), ON, now()).unwrap();
        assert!(!i.lessons.plan_approved(), "a committee save is not approved past the IT department");
        assert!(!out.events.iter().any(|e| matches!(e, EventPayload::PlanApproved { .. })));
        assert_eq!(i.approve_plan(CHAIR, &committee(), ON, now()), Err(IncidentError::PlanAwaitsSignOff));
    }

    #[test]
    fn the_committee_may_waive_the_sign_off_with_a_reason() {
        let mut i = in_lessons();
        i.set_plan(REPORTER, &commander(), plan(), ON, now()).unwrap();
        i.waive(CHAIR, &committee(), LessonItem::ItSignOff, "紙の書類の紛失で情報システムは無関係").unwrap();
        assert_eq!(i.sign_off_plan(IT, &it(), 1, ON, now()), Err(IncidentError::NothingToSignOff));
        i.approve_plan(CHAIR, &committee(), ON, now()).unwrap();
    }

    #[test]
    fn without_a_configured_role_nothing_waits_and_a_committee_save_is_approved() {
        let off = ItDepartment::NotConfigured;
        let mut i = in_lessons();
        i.set_plan(CHAIR, &committee(), plan(), off, now()).unwrap();
        assert!(i.lessons.plan_approved());
        assert_eq!(i.sign_off_plan(IT, &it(), 1, off, now()), Err(IncidentError::NothingToSignOff));
    }

    #[test]
    fn a_drills_plan_waits_for_nobody() {
        let mut i = in_lessons();
        i.number.drill = true;
        i.set_plan(CHAIR, &committee(), plan(), ON, now()).unwrap();
        assert!(i.lessons.plan_approved(), "the committee's save is approved at once");
        assert_eq!(i.sign_off_plan(IT, &it(), 1, ON, now()), Err(IncidentError::NothingToSignOff));
    }

    #[test]
    fn the_sign_off_is_in_lessons_only() {
        let mut i = incident(true);
        i.phase = Phase::Recovery;
        assert_eq!(i.sign_off_plan(IT, &it(), 1, ON, now()), Err(IncidentError::NotInLessons));
    }
}
