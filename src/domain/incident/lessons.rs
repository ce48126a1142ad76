//! The Lessons phase (§4.4), the confidential reporter's additions and
//! APPI Art. 26.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::category::Category;
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::followup::{Done, FollowUp, Source};
use crate::domain::ids::PlaybookId;
use crate::domain::ids::UserId;
use crate::domain::lessons::{
    BoardMeeting, BoardQuestion, BoardTold, ImprovementNote, ItDepartment, LessonItem, PlanApproval, PreventionPlan, Waiver,
};
use crate::domain::permission::{Action, Role, RoleSet};
use crate::domain::phase::Phase;
use chrono::{DateTime, Utc};

impl Incident {
    /// §4.4(4), §4.1(2): a note on the playbook — what went well, what was
    /// missing (for a drill: the procedure problems found).
    /// What was missing becomes the action "update the playbook", done when
    /// its file changes (`update`: the playbook's digest now, and when the
    /// update is due).
    pub fn add_note(
        &mut self,
        roles: &RoleSet,
        went_well: &str,
        missing: &str,
        update: Option<(String, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
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
        let mut out =
            Outcome::default().with(EventPayload::NoteAdded { playbook: self.playbook.as_ref().map(|p| p.0.clone()) }).refreshed(self.id);
        if let (Some(playbook), Some((digest, due)), false) = (self.playbook.clone(), update, missing.trim().is_empty()) {
            let action = self.push_followup(missing.trim(), None, due, Source::PlaybookUpdate { playbook, digest }, now);
            out.events.extend(action.events);
            out.effects
                .extend(action.effects.into_iter().filter(|e| !matches!(e, Effect::RefreshCard { .. } | Effect::RefreshStatusBoard)));
        }
        Ok(out)
    }

    pub(super) fn in_lessons(&self) -> Result<(), IncidentError> {
        if self.phase == Phase::Lessons {
            Ok(())
        } else {
            Err(IncidentError::NotInLessons)
        }
    }

    /// §4.4(1): the prevention plan (both parts required). The commander
    /// drafts it and the committee approves it; saved by a member of the
    /// committee, it is approved at once unless it waits for 情報システム部.
    /// Each save is a revision.
    pub fn set_plan(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        plan: PreventionPlan,
        it: ItDepartment,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.in_lessons()?;
        let plan = PreventionPlan::new(&plan.technical, &plan.organisational).map(|p| PreventionPlan {
            cause: plan.cause.trim().into(),
            damage: plan.damage.trim().into(),
            ..p
        })?;
        self.lessons.plan = Some(plan);
        self.lessons.plan_revision += 1;
        let out = Outcome::default().with(EventPayload::PlanRecorded).refreshed(self.id);
        let signoff = self.awaits_signoff(it);
        if roles.committee && !signoff {
            return Ok(self.approve_current(by, out, now));
        }
        let revision = self.lessons.plan_revision;
        Ok(out.effect(Effect::PostNotice { incident: self.id, notice: Notice::PlanAwaitsApproval { revision, signoff } }))
    }

    /// §4.4(1): the committee approves the plan as it stands, once
    /// 情報システム部 signed it off (or the committee waived that).
    pub fn approve_plan(&mut self, by: UserId, roles: &RoleSet, it: ItDepartment, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::ApprovePlan, roles)?;
        self.in_lessons()?;
        if self.lessons.plan.is_none() || self.lessons.plan_approved() {
            return Err(IncidentError::NothingToApprove);
        }
        if self.awaits_signoff(it) {
            return Err(IncidentError::PlanAwaitsSignOff);
        }
        Ok(self.approve_current(by, Outcome::default().refreshed(self.id), now))
    }

    /// Approval announces the plan to all members (§4.4(3)) the first time,
    /// and revises that announcement in place after; the board report is
    /// redrafted so that it never lacks the plan (§4.4(2) 再発防止計画と共に).
    fn approve_current(&mut self, by: UserId, out: Outcome, now: DateTime<Utc>) -> Outcome {
        let revision = self.lessons.plan_revision;
        let Some(plan) = self.lessons.plan.clone() else { return out };
        self.lessons.plan_approval = Some(PlanApproval { revision, plan, by, at: now });
        let revised = self.lessons.announced_revision.is_some();
        let mut out = out
            .with(EventPayload::PlanApproved { revision })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::PlanApproved { by, revision, revised } });
        if !self.is_drill() {
            out = if revised {
                out.effect(Effect::RefreshAnnouncement { incident: self.id })
            } else {
                self.lessons.announced_revision = Some(revision);
                self.lessons.announced_at = Some(now);
                out.effect(Effect::Announce { incident: self.id })
            };
        }
        if self.lessons.board.report_due() {
            out = out.effect(Effect::BoardReport { incident: self.id });
        }
        out
    }

    /// §4.4(2): one of the two board questions, the committee's to answer
    /// (whether the board hears of it is not the commander's call). Once
    /// both are answered and either is yes, the board report is drafted;
    /// changed answers redraft it.
    pub fn answer_board(&mut self, roles: &RoleSet, question: BoardQuestion, yes: bool) -> Result<Outcome, IncidentError> {
        check(Action::AnswerBoard, roles)?;
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
        if after != before && after.report_due() {
            out = out.effect(Effect::BoardReport { incident: self.id });
        }
        Ok(out)
    }

    /// §4.4(2): the committee records that the board was told (in Lessons
    /// or after the close: boards meet when they meet): the day it met and
    /// what it decided or instructed. The board hears of an approved plan,
    /// so one must be approved first.
    pub fn board_told(&mut self, by: UserId, roles: &RoleSet, told: BoardMeeting, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::RecordBoardReport, roles)?;
        let board = self.lessons.board;
        if self.is_drill() || !board.report_due() {
            return Err(IncidentError::NoBoardReportOwed);
        }
        if self.lessons.board_told.is_some() {
            return Err(IncidentError::BoardAlreadyTold);
        }
        if !self.lessons.plan_approved() {
            return Err(IncidentError::BoardNeedsApprovedPlan);
        }
        let decided = told.decided.trim().to_string();
        if decided.is_empty() {
            return Err(IncidentError::BoardDecisionEmpty);
        }
        if told.met_on > now.date_naive() {
            return Err(IncidentError::BoardMeetingAhead);
        }
        self.lessons.board_told = Some(BoardTold { by, at: now, met_on: Some(told.met_on), decided: decided.clone() });
        Ok(Outcome::default().with(EventPayload::BoardTold { met_on: Some(told.met_on), decided }).refreshed(self.id))
    }

    /// §4.4(1) 適切に実施: a measure of the plan becomes an action with an
    /// owner and a due date, from the Lessons phase on (also after the
    /// close, where the plan's work goes on).
    pub fn add_followup(
        &mut self,
        roles: &RoleSet,
        what: &str,
        owner: Option<UserId>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        if self.phase < Phase::Lessons {
            return Err(IncidentError::FollowUpTooEarly);
        }
        let what = what.trim();
        if what.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        Ok(self.push_followup(what, owner, due, Source::Plan, now))
    }

    fn push_followup(&mut self, what: &str, owner: Option<UserId>, due: DateTime<Utc>, source: Source, now: DateTime<Utc>) -> Outcome {
        let n = self.lessons.followups.len() as u32 + 1;
        self.lessons.followups.push(FollowUp { n, what: what.to_string(), owner, due, source, added_at: now, done: None });
        let mut out = Outcome::default().with(EventPayload::FollowUpAdded { n, what: what.to_string(), owner, due }).refreshed(self.id);
        if self.phase.is_open() {
            out = out
                .effect(Effect::PostNotice { incident: self.id, notice: Notice::FollowUpAdded { n, what: what.to_string(), owner, due } });
        }
        out
    }

    /// A follow-up action is done: its owner, the commander or the
    /// committee says so.
    pub fn complete_followup(&mut self, by: UserId, roles: &RoleSet, n: u32, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        let f = self.lessons.followups.iter().find(|f| f.n == n).ok_or(IncidentError::NoSuchFollowUp(n))?;
        if !f.owned_by(by) {
            check(Action::WriteLessons, roles)?;
        }
        if !f.is_open() {
            return Err(IncidentError::FollowUpAlreadyDone(n));
        }
        Ok(self.mark_done(n, Some(by), now))
    }

    fn mark_done(&mut self, n: u32, by: Option<UserId>, now: DateTime<Utc>) -> Outcome {
        if let Some(f) = self.lessons.followups.iter_mut().find(|f| f.n == n) {
            f.done = Some(Done { at: now, by });
        }
        let mut out = Outcome::default().with(EventPayload::FollowUpDone { n }).refreshed(self.id);
        if self.phase.is_open() {
            out = out.effect(Effect::PostNotice { incident: self.id, notice: Notice::FollowUpDone { n } });
        }
        out
    }

    /// §4.4(4): "update playbook X" is done once X's file changed since the
    /// note (`digest_of` gives each playbook's SHA-256 as loaded now).
    pub fn playbooks_changed(&mut self, digest_of: impl Fn(&PlaybookId) -> Option<String>, now: DateTime<Utc>) -> Outcome {
        let changed: Vec<u32> = self
            .lessons
            .open_followups()
            .filter_map(|f| match &f.source {
                Source::PlaybookUpdate { playbook, digest } => digest_of(playbook).filter(|d| d != digest).map(|_| f.n),
                Source::Plan => None,
            })
            .collect();
        let mut out = Outcome::default();
        for n in changed {
            let done = self.mark_done(n, None, now);
            out.events.extend(done.events);
            for e in done.effects {
                if !out.effects.contains(&e) {
                    out.effects.push(e);
                }
            }
        }
        out
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

impl Incident {
    /// §4.4(3): all members were told and those who have not confirmed
    /// are still to be reminded.
    pub fn unread_pending(&self) -> bool {
        self.lessons.announced_at.is_some() && !self.lessons.unread_reminded
    }

    /// When members who have not confirmed are reminded: `after` the
    /// announcement.
    pub fn unread_due(&self, after: chrono::Duration) -> Option<DateTime<Utc>> {
        self.lessons.announced_at.filter(|_| self.unread_pending()).map(|at| at + after)
    }

    /// The reminder to those who have not confirmed, once: the scheduler's
    /// (no member asks for it). Only within `after` of falling due: a
    /// setting turned on years later, or a long outage, does not remind of
    /// old announcements (it is let go, and no longer looked at).
    pub fn remind_unread(&mut self, after: chrono::Duration, now: DateTime<Utc>) -> Outcome {
        let Some(at) = self.unread_due(after).filter(|at| *at <= now) else {
            return Outcome::default();
        };
        self.lessons.unread_reminded = true;
        if now >= at + after {
            return Outcome::default();
        }
        Outcome::default()
            .with(EventPayload::Reminded { key: "announcement:unread".into() })
            .effect(Effect::Remind { incident: self.id, what: crate::domain::IncidentReminder::Unread })
    }
}

#[cfg(test)]
mod unread_tests {
    use crate::domain::incident::tests::{incident, now};
    use chrono::Duration;

    #[test]
    fn members_who_have_not_confirmed_are_reminded_once_after_the_days_and_never_of_old_announcements() {
        let week = Duration::days(7);
        let mut i = incident(true);
        assert!(!i.unread_pending() && i.remind_unread(week, now() + week * 2).events.is_empty(), "nothing announced");
        i.lessons.announced_at = Some(now());
        assert!(i.watched(), "the scheduler looks at it until the reminder");
        assert_eq!(i.unread_due(week), Some(now() + week));
        assert!(i.remind_unread(week, now() + week - Duration::seconds(1)).effects.is_empty(), "not yet");
        assert!(i.unread_pending());
        let out = i.remind_unread(week, now() + week);
        assert_eq!(out.effects.len(), 1);
        assert_eq!(out.events.len(), 1);
        assert!(!i.unread_pending() && i.unread_due(week).is_none());
        assert!(i.remind_unread(week, now() + week + Duration::hours(1)).effects.is_empty(), "once");
        let mut old = incident(true);
        old.lessons.announced_at = Some(now());
        let late = old.remind_unread(week, now() + week * 2);
        assert!(late.effects.is_empty() && late.events.is_empty(), "a setting turned on later leaves old announcements alone");
        assert!(!old.unread_pending(), "and no longer looks at them");
    }
}
