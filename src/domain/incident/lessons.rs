//! The Lessons phase (§4.4), the confidential reporter's additions and
//! APPI Art. 26.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::category::Category;
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::lessons::{BoardQuestion, ImprovementNote, LessonItem, PreventionPlan, Waiver};
use crate::domain::permission::{Action, Role, RoleSet};
use crate::domain::phase::Phase;

impl Incident {
    /// §4.4(4), §4.1(2): a note on the playbook — what went well, what was
    /// missing (for a drill: the procedure problems found).
    pub fn add_note(&mut self, roles: &RoleSet, went_well: &str, missing: &str) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.open_phase()?;
        if went_well.trim().is_empty() && missing.trim().is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        let note = ImprovementNote {
            playbook: self.playbook.clone(),
            went_well: went_well.trim().to_string(),
            missing: missing.trim().to_string(),
        };
        self.lessons.notes.push(note);
        Ok(Outcome::default().with(EventPayload::NoteAdded { playbook: self.playbook.as_ref().map(|p| p.0.clone()) }).refreshed(self.id))
    }

    fn in_lessons(&self) -> Result<(), IncidentError> {
        if self.phase == Phase::Lessons {
            Ok(())
        } else {
            Err(IncidentError::NotInLessons)
        }
    }

    /// §4.4(1): the prevention plan (both parts required); recording it
    /// announces it to all members (§4.4(3)) — drills excepted.
    pub fn set_plan(&mut self, roles: &RoleSet, plan: PreventionPlan) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.in_lessons()?;
        let plan = PreventionPlan::new(&plan.technical, &plan.organisational).map(|p| PreventionPlan {
            cause: plan.cause.trim().into(),
            damage: plan.damage.trim().into(),
            ..p
        })?;
        self.lessons.plan = Some(plan);
        let mut out = Outcome::default().with(EventPayload::PlanRecorded).refreshed(self.id);
        if !self.is_drill() {
            out = out.effect(Effect::Announce { incident: self.id });
        }
        Ok(out)
    }

    /// §4.4(2): one of the two board questions. Once both are answered and
    /// either is yes, the board report is drafted.
    pub fn answer_board(&mut self, roles: &RoleSet, question: BoardQuestion, yes: bool) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.in_lessons()?;
        if self.is_drill() {
            return Err(IncidentError::DrillNotForBoard);
        }
        let before = self.lessons.board;
        match question {
            BoardQuestion::VictimOfOutsideBreach => self.lessons.board.victim_of_outside_breach = Some(yes),
            BoardQuestion::HarmedOutsiders => self.lessons.board.harmed_outsiders = Some(yes),
        }
        let after = self.lessons.board;
        let mut out = Outcome::default().with(EventPayload::BoardAnswered { question, yes }).refreshed(self.id);
        let newly_required = after.answered() && after.board_report_required() && !(before.answered() && before.board_report_required());
        if newly_required {
            out = out.effect(Effect::BoardReport { incident: self.id });
        }
        Ok(out)
    }

    /// The committee excuses a Lessons item, with a reason that is kept.
    pub fn waive(&mut self, by: UserId, roles: &RoleSet, item: LessonItem, reason: &str) -> Result<Outcome, IncidentError> {
        check(Action::Dismiss, roles)?;
        self.in_lessons()?;
        if reason.trim().is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        self.lessons.waivers.push(Waiver { item, reason: reason.trim().to_string(), by });
        Ok(Outcome::default().with(EventPayload::Waived { item, reason: reason.trim().to_string() }).refreshed(self.id))
    }

    /// A confidential reporter adds information through the bot; it is
    /// posted in the channel without their name.
    pub fn add_info(&self, by: UserId, text: &str) -> Result<Outcome, IncidentError> {
        if !self.confidential_reporters().contains(&by) {
            return Err(IncidentError::NotAllowed(&[Role::Reporter]));
        }
        self.open_phase()?;
        let text = text.trim();
        if text.is_empty() {
            return Err(IncidentError::InfoEmpty);
        }
        Ok(Outcome::default()
            .with(EventPayload::InfoAdded)
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::ConfidentialInfo { text: text.to_string() } }))
    }

    /// APPI Art. 26: one of the four questions, asked of breach incidents.
    /// The first yes drafts the report to the PPC.
    pub fn answer_appi(&mut self, roles: &RoleSet, q: crate::domain::appi::AppiQuestion, yes: bool) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.open_phase()?;
        if self.category != Category::Breach || self.is_drill() {
            return Err(IncidentError::AppiNotApplicable);
        }
        let was = self.appi.reportable();
        self.appi.set(q, yes);
        let mut out = Outcome::default().with(EventPayload::AppiAnswered { question: q, yes }).refreshed(self.id);
        if !was && self.appi.reportable() {
            out = out.effect(Effect::AppiDraft { incident: self.id });
        }
        Ok(out)
    }

    /// The preliminary or final report to the PPC was filed.
    pub fn appi_filed(&mut self, roles: &RoleSet, stage: crate::domain::appi::Stage) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        if !self.appi.reportable() {
            return Err(IncidentError::NoPpcReportOwed);
        }
        match stage {
            crate::domain::appi::Stage::Preliminary => self.appi.preliminary_filed = true,
            crate::domain::appi::Stage::Final => self.appi.final_filed = true,
        }
        Ok(Outcome::default().with(EventPayload::AppiFiled { stage }).refreshed(self.id))
    }
}
