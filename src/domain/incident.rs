//! The incident aggregate: its state and every move the regulation allows.
//! Each operation checks permission and preconditions, changes the state,
//! and returns the events to log and the side effects to deliver.

use super::category::{Category, SubKind};
use super::effect::{Effect, Notice};
use super::event::EventPayload;
use super::ids::{ChannelId, IncidentId, IncidentNumber, MessageId, PlaybookId, SystemId, UserId};
use super::lessons::{BoardQuestion, ImprovementNote, LessonItem, Lessons, PreventionPlan, Waiver};
use super::permission::{Action, Role, RoleSet};
use super::phase::{Phase, PhaseError};
use super::playbook::Playbook;
use super::priority::{RecoveryDeadline, RecoveryPriority};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A system named in a report: matched against the registry, or kept as
/// typed and flagged as unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedSystem {
    pub name: String,
    pub system: Option<SystemId>,
    pub priority: Option<RecoveryPriority>,
}

impl AffectedSystem {
    pub fn is_known(&self) -> bool {
        self.system.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkState {
    Done,
    /// Left unticked when the phase was advanced; recorded for lessons.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistMark {
    pub phase: Phase,
    pub item: usize,
    pub state: MarkState,
}

/// When the reporter noticed the incident: the text they typed, and the
/// instant hikeshi understood it as (the report time where it could not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noticed {
    pub text: String,
    pub at: DateTime<Utc>,
    pub understood: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    pub number: IncidentNumber,
    pub category: Category,
    pub kind: Option<SubKind>,
    pub title: String,
    pub description: String,
    pub noticed: Noticed,
    pub impact: String,
    pub affected: Vec<AffectedSystem>,
    pub reporter: UserId,
    pub reported_at: DateTime<Utc>,
    pub playbook: Option<PlaybookId>,
    pub commander: Option<UserId>,
    pub commander_since: Option<DateTime<Utc>>,
    pub phase: Phase,
    pub phase_since: DateTime<Utc>,
    pub deadline: RecoveryDeadline,
    pub channel: Option<ChannelId>,
    pub card_message: Option<MessageId>,
    pub marks: Vec<ChecklistMark>,
    pub responders: Vec<UserId>,
    pub duplicate_of: Option<IncidentId>,
    pub close_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub lessons: Lessons,
    /// Reported confidentially (a leak by a member, §1(1), say): the
    /// reporter stays out of the channel and only the committee knows who
    /// it was; status changes reach them by DM.
    #[serde(default)]
    pub confidential: bool,
    /// APPI Art. 26 (breach incidents, where enabled).
    #[serde(default)]
    pub appi: super::appi::Appi,
}

/// What the domain refuses, worded for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    #[error("only {} may do this", roles_text(.0))]
    NotAllowed(&'static [Role]),
    #[error("no playbook matches this incident: the committee must appoint a commander instead (§4.2)")]
    NoPlaybook,
    #[error("<@{0}> is already in command")]
    AlreadyCommanded(UserId),
    #[error("analysis cannot start before a commander exists: take command or appoint one (§4.2)")]
    NeedsCommander,
    #[error("{} checklist item(s) are not ticked; confirm to advance and record them as skipped", .0.len())]
    NeedsConfirmation(Vec<usize>),
    #[error("the checklist of this phase has no item {0}")]
    NoSuchItem(usize),
    #[error(transparent)]
    Phase(#[from] PhaseError),
    #[error("a reason is required")]
    ReasonRequired,
    #[error("an incident cannot be a duplicate of itself or of a closed duplicate")]
    BadOriginal,
    #[error("<@{0}> is already a responder")]
    AlreadyResponder(UserId),
    #[error("<@{0}> is not a responder")]
    NotResponder(UserId),
    #[error("the incident cannot close yet: missing {0:?} (or a waiver by the committee)")]
    LessonsIncomplete(Vec<LessonItem>),
    #[error("this belongs to the Lessons phase")]
    NotInLessons,
    #[error("{0}")]
    Invalid(&'static str),
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| match r {
            Role::Member => "any member",
            Role::Reporter => "the reporter",
            Role::Responder => "responders",
            Role::Commander => "the incident commander",
            Role::Committee => "the security committee",
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// What an operation decided: events for the log, effects for the outbox.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub events: Vec<EventPayload>,
    pub effects: Vec<Effect>,
}

impl Outcome {
    fn with(mut self, e: EventPayload) -> Self {
        self.events.push(e);
        self
    }
    fn effect(mut self, e: Effect) -> Self {
        self.effects.push(e);
        self
    }
    /// Every change shows on the card and on the committee's status board.
    fn refreshed(self, id: IncidentId) -> Self {
        self.effect(Effect::RefreshCard { incident: id }).effect(Effect::RefreshStatusBoard)
    }

    /// A confidential reporter hears of phase changes by DM.
    fn tell_reporter(self, i: &Incident) -> Self {
        if i.confidential {
            self.effect(Effect::TellReporter { incident: i.id })
        } else {
            self
        }
    }
}

/// Everything about a new report that the reporter decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub number: IncidentNumber,
    pub category: Category,
    pub kind: Option<SubKind>,
    pub title: String,
    pub description: String,
    pub noticed: Noticed,
    pub impact: String,
    pub affected: Vec<AffectedSystem>,
    pub reporter: UserId,
    pub playbook: Option<PlaybookId>,
    pub confidential: bool,
}

fn check(action: Action, roles: &RoleSet) -> Result<(), IncidentError> {
    if action.allowed(roles) {
        Ok(())
    } else {
        Err(IncidentError::NotAllowed(action.allowed_roles()))
    }
}

impl Incident {
    /// §4.2: a report opens an incident; the channel, card and committee ping
    /// follow as effects.
    pub fn open(id: IncidentId, new: NewIncident, now: DateTime<Utc>) -> (Incident, Outcome) {
        let deadline = RecoveryDeadline::for_systems(new.noticed.at, new.affected.iter().filter_map(|a| a.priority));
        let incident = Incident {
            id,
            number: new.number,
            category: new.category,
            kind: new.kind,
            title: new.title,
            description: new.description,
            noticed: new.noticed,
            impact: new.impact,
            affected: new.affected,
            reporter: new.reporter,
            reported_at: now,
            playbook: new.playbook,
            commander: None,
            commander_since: None,
            phase: Phase::Reported,
            phase_since: now,
            deadline,
            channel: None,
            card_message: None,
            marks: vec![],
            responders: vec![],
            duplicate_of: None,
            close_reason: None,
            closed_at: None,
            lessons: Lessons::default(),
            confidential: new.confidential,
            appi: Default::default(),
        };
        let outcome = Outcome::default()
            .with(EventPayload::Reported { number: incident.number, title: incident.title.clone() })
            .effect(Effect::CreateChannel { incident: id })
            .effect(Effect::PostCard { incident: id })
            .effect(Effect::NoticeCommittee { incident: id })
            .effect(Effect::RefreshStatusBoard);
        (incident, outcome)
    }

    pub fn is_drill(&self) -> bool {
        self.number.drill
    }

    /// The roles `user` holds towards this incident.
    pub fn roles_of(&self, user: UserId, committee: bool) -> RoleSet {
        RoleSet {
            reporter: self.reporter == user,
            responder: self.responders.contains(&user),
            commander: self.commander == Some(user),
            committee,
        }
    }

    fn open_phase(&self) -> Result<(), IncidentError> {
        if self.phase.is_open() {
            Ok(())
        } else {
            Err(PhaseError::AlreadyClosed.into())
        }
    }

    fn set_commander(&mut self, user: UserId, now: DateTime<Utc>) {
        self.commander = Some(user);
        self.commander_since = Some(now);
    }

    /// §4.2: where a playbook matches, a committee member takes command.
    pub fn take_command(&mut self, by: UserId, roles: &RoleSet, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::TakeCommand, roles)?;
        self.open_phase()?;
        if self.playbook.is_none() {
            return Err(IncidentError::NoPlaybook);
        }
        if let Some(c) = self.commander {
            return Err(IncidentError::AlreadyCommanded(c));
        }
        self.set_commander(by, now);
        Ok(Outcome::default()
            .with(EventPayload::CommandTaken { commander: by })
            .effect(Effect::GrantAccess { incident: self.id, user: by })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::CommandTaken { commander: by } })
            .refreshed(self.id))
    }

    /// §4.2: where no playbook matches (or the committee so decides), the
    /// committee appoints the executive in charge. Re-appointing hands over.
    pub fn appoint(&mut self, by: UserId, roles: &RoleSet, commander: UserId, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::AppointCommander, roles)?;
        self.open_phase()?;
        if self.commander == Some(commander) {
            return Err(IncidentError::AlreadyCommanded(commander));
        }
        self.set_commander(commander, now);
        Ok(Outcome::default()
            .with(EventPayload::CommanderAppointed { commander })
            .effect(Effect::GrantAccess { incident: self.id, user: commander })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::CommanderAppointed { commander, by } })
            .refreshed(self.id))
    }

    /// Ticks or unticks one checklist item of the current phase.
    pub fn tick(&mut self, roles: &RoleSet, playbook: Option<&Playbook>, item: usize) -> Result<Outcome, IncidentError> {
        check(Action::TickChecklist, roles)?;
        self.open_phase()?;
        let len = playbook.map(|p| p.checklist(self.phase).len()).unwrap_or(0);
        if item >= len {
            return Err(IncidentError::NoSuchItem(item + 1));
        }
        let phase = self.phase;
        let done = if let Some(i) = self.marks.iter().position(|m| m.phase == phase && m.item == item) {
            self.marks.remove(i);
            false
        } else {
            self.marks.push(ChecklistMark { phase, item, state: MarkState::Done });
            true
        };
        Ok(Outcome::default().with(EventPayload::ChecklistTicked { phase, item, done }).refreshed(self.id))
    }

    /// The items of the current phase's checklist not yet ticked.
    pub fn unticked(&self, playbook: Option<&Playbook>) -> Vec<usize> {
        let len = playbook.map(|p| p.checklist(self.phase).len()).unwrap_or(0);
        (0..len).filter(|i| !self.marks.iter().any(|m| m.phase == self.phase && m.item == *i)).collect()
    }

    /// §4.2–§4.4: moves to the next phase. Unticked items need `confirm`, and
    /// are then recorded as skipped.
    pub fn advance(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        playbook: Option<&Playbook>,
        confirm: bool,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::Advance, roles)?;
        self.open_phase()?;
        let to = self.phase.next().ok_or(PhaseError::AlreadyClosed)?;
        self.phase.transition(to)?;
        if to == Phase::Analysis && self.commander.is_none() {
            return Err(IncidentError::NeedsCommander);
        }
        if to == Phase::Closed {
            let missing = self.lessons.missing(self.is_drill());
            if !missing.is_empty() {
                return Err(IncidentError::LessonsIncomplete(missing));
            }
        }
        let unticked = self.unticked(playbook);
        if !unticked.is_empty() && !confirm {
            return Err(IncidentError::NeedsConfirmation(unticked));
        }
        let from = self.phase;
        for item in &unticked {
            self.marks.push(ChecklistMark { phase: from, item: *item, state: MarkState::Skipped });
        }
        self.phase = to;
        self.phase_since = now;
        let mut outcome = Outcome::default()
            .tell_reporter(self)
            .with(EventPayload::PhaseAdvanced { from, to, skipped: unticked.clone() })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::PhaseAdvanced { by, from, skipped: unticked.clone() } })
            .refreshed(self.id);
        if to == Phase::Closed {
            self.closed_at = Some(now);
            if self.is_drill() {
                // §4.1(2): the drill's timings and problems, before archiving.
                outcome = outcome.effect(Effect::PostDrillReport { incident: self.id });
            }
            outcome = outcome.effect(Effect::Archive { incident: self.id });
        }
        Ok(outcome)
    }

    /// The committee closes a report that is not an incident, with a reason.
    pub fn dismiss(&mut self, by: UserId, roles: &RoleSet, reason: &str, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::Dismiss, roles)?;
        self.phase.transition(Phase::Closed)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        self.close(reason.to_string(), now);
        Ok(Outcome::default()
            .tell_reporter(self)
            .with(EventPayload::Dismissed { reason: reason.to_string() })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::Dismissed { by, reason: reason.to_string() } })
            .refreshed(self.id)
            .effect(Effect::Archive { incident: self.id }))
    }

    fn close(&mut self, reason: String, now: DateTime<Utc>) {
        self.phase = Phase::Closed;
        self.phase_since = now;
        self.closed_at = Some(now);
        self.close_reason = Some(reason);
    }

    /// Many members report the same thing at once: the committee closes this
    /// one as a duplicate and adds its reporter to the original's channel.
    pub fn mark_duplicate(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        original: &Incident,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::MarkDuplicate, roles)?;
        self.phase.transition(Phase::Closed)?;
        if original.id == self.id || original.duplicate_of.is_some() || original.is_drill() != self.is_drill() {
            return Err(IncidentError::BadOriginal);
        }
        self.duplicate_of = Some(original.id);
        self.close(format!("duplicate of {}", original.number), now);
        let mut outcome = Outcome::default()
            .with(EventPayload::MarkedDuplicate { original: original.id })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::MarkedDuplicate { by, original: original.number.to_string() } })
            .refreshed(self.id)
            .effect(Effect::Archive { incident: self.id });
        if original.reporter != self.reporter && !original.responders.contains(&self.reporter) {
            outcome = outcome.effect(Effect::GrantAccess { incident: original.id, user: self.reporter }).effect(Effect::PostNotice {
                incident: original.id,
                notice: Notice::DuplicateReporterJoined { user: self.reporter, duplicate: self.number.to_string() },
            });
        }
        Ok(outcome)
    }

    /// `/incident add`: a responder joins the channel.
    pub fn add_responder(&mut self, by: UserId, roles: &RoleSet, user: UserId) -> Result<Outcome, IncidentError> {
        check(Action::AddResponder, roles)?;
        self.open_phase()?;
        if self.responders.contains(&user) {
            return Err(IncidentError::AlreadyResponder(user));
        }
        self.responders.push(user);
        Ok(Outcome::default()
            .with(EventPayload::ResponderAdded { user })
            .effect(Effect::GrantAccess { incident: self.id, user })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::ResponderAdded { user, by } }))
    }

    /// `/incident remove`: a responder leaves the channel. The reporter and
    /// the commander keep their access.
    pub fn remove_responder(&mut self, by: UserId, roles: &RoleSet, user: UserId) -> Result<Outcome, IncidentError> {
        check(Action::RemoveResponder, roles)?;
        self.open_phase()?;
        let i = self.responders.iter().position(|u| *u == user).ok_or(IncidentError::NotResponder(user))?;
        self.responders.remove(i);
        let mut outcome = Outcome::default()
            .with(EventPayload::ResponderRemoved { user })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::ResponderRemoved { user, by } });
        if user != self.reporter && Some(user) != self.commander {
            outcome = outcome.effect(Effect::RevokeAccess { incident: self.id, user });
        }
        Ok(outcome)
    }

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
        let plan = PreventionPlan::new(&plan.technical, &plan.organisational)
            .map(|p| PreventionPlan { cause: plan.cause.trim().into(), damage: plan.damage.trim().into(), ..p })
            .map_err(IncidentError::Invalid)?;
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
            return Err(IncidentError::Invalid("drills are never reported to the board"));
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
        if !self.confidential || by != self.reporter {
            return Err(IncidentError::NotAllowed(&[Role::Reporter]));
        }
        self.open_phase()?;
        let text = text.trim();
        if text.is_empty() {
            return Err(IncidentError::Invalid("the information is empty"));
        }
        Ok(Outcome::default()
            .with(EventPayload::InfoAdded)
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::ConfidentialInfo { text: text.to_string() } }))
    }

    /// APPI Art. 26: one of the four questions, asked of breach incidents.
    /// The first yes drafts the report to the PPC.
    pub fn answer_appi(&mut self, roles: &RoleSet, q: super::appi::AppiQuestion, yes: bool) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        self.open_phase()?;
        if self.category != Category::Breach || self.is_drill() {
            return Err(IncidentError::Invalid("the personal-data questions concern real breach incidents"));
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
    pub fn appi_filed(&mut self, roles: &RoleSet, stage: super::appi::Stage) -> Result<Outcome, IncidentError> {
        check(Action::WriteLessons, roles)?;
        if !self.appi.reportable() {
            return Err(IncidentError::Invalid("no report to the PPC is owed"));
        }
        match stage {
            super::appi::Stage::Preliminary => self.appi.preliminary_filed = true,
            super::appi::Stage::Final => self.appi.final_filed = true,
        }
        Ok(Outcome::default().with(EventPayload::AppiFiled { stage }).refreshed(self.id))
    }

    /// Checks that `roles` may write a §4.3 log entry now.
    pub fn may_log(&self, roles: &RoleSet) -> Result<(), IncidentError> {
        check(Action::LogEntry, roles)?;
        self.open_phase()
    }

    /// The record of a §4.3 log entry once stored.
    pub fn logged(&self, entry_id: i64, kind: super::log_entry::LogKind, body: &str) -> Outcome {
        let digest = super::event::digest(body);
        Outcome::default().with(EventPayload::LogEntryAdded { entry_id, kind, digest }).effect(Effect::PostLogEntry {
            incident: self.id,
            entry_id,
            kind,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::playbook::tests::playbook;
    use chrono::TimeZone;

    pub const REPORTER: UserId = UserId(100);
    pub const CHAIR: UserId = UserId(200);
    pub const OUTSIDER: UserId = UserId(300);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    }

    pub fn incident(with_playbook: bool) -> Incident {
        let new = NewIncident {
            number: IncidentNumber { drill: false, year: 2026, seq: 1 },
            category: Category::Breach,
            kind: Some(SubKind::Malware),
            title: "ransomware on file server".into(),
            description: "files renamed".into(),
            noticed: Noticed { text: "09:00".into(), at: now(), understood: true },
            impact: "shared drive down".into(),
            affected: vec![AffectedSystem {
                name: "fileserver".into(),
                system: Some(SystemId("fs".into())),
                priority: Some(RecoveryPriority::OneDay),
            }],
            reporter: REPORTER,
            playbook: with_playbook.then(|| PlaybookId("malware".into())),
            confidential: false,
        };
        Incident::open(IncidentId(1), new, now()).0
    }

    fn committee() -> RoleSet {
        RoleSet { committee: true, ..Default::default() }
    }

    #[test]
    fn a_report_opens_with_channel_card_and_ping() {
        let (i, out) = Incident::open(IncidentId(1), NewIncident { ..sample_new() }, now());
        assert_eq!(i.phase, Phase::Reported);
        assert_eq!(i.deadline, RecoveryDeadline::By(now() + chrono::Duration::hours(24)));
        assert!(out.effects.contains(&Effect::CreateChannel { incident: IncidentId(1) }));
        assert!(out.effects.contains(&Effect::PostCard { incident: IncidentId(1) }));
    }

    fn sample_new() -> NewIncident {
        let i = incident(true);
        NewIncident {
            number: i.number,
            category: i.category,
            kind: i.kind,
            title: i.title,
            description: i.description,
            noticed: i.noticed,
            impact: i.impact,
            affected: i.affected,
            reporter: i.reporter,
            playbook: i.playbook,
            confidential: false,
        }
    }

    #[test]
    fn only_the_committee_takes_command_and_only_with_a_playbook() {
        let mut i = incident(true);
        let reporter = i.roles_of(REPORTER, false);
        assert!(matches!(i.take_command(REPORTER, &reporter, now()), Err(IncidentError::NotAllowed(_))));
        assert_eq!(i.commander, None);
        i.take_command(CHAIR, &committee(), now()).unwrap();
        assert_eq!(i.commander, Some(CHAIR));
        assert_eq!(i.take_command(OUTSIDER, &committee(), now()), Err(IncidentError::AlreadyCommanded(CHAIR)));

        let mut none = incident(false);
        assert_eq!(none.take_command(CHAIR, &committee(), now()), Err(IncidentError::NoPlaybook));
    }

    #[test]
    fn analysis_needs_a_commander() {
        let mut i = incident(false);
        assert_eq!(i.advance(CHAIR, &committee(), None, false, now()), Err(IncidentError::NeedsCommander));
        i.appoint(CHAIR, &committee(), OUTSIDER, now()).unwrap();
        let cmd = i.roles_of(OUTSIDER, false);
        i.advance(OUTSIDER, &cmd, None, false, now()).unwrap();
        assert_eq!(i.phase, Phase::Analysis);
    }

    #[test]
    fn advancing_past_unticked_items_needs_confirmation_and_records_skips() {
        let pb = playbook("malware", &["breach/malware"], 3);
        let mut i = incident(true);
        i.take_command(CHAIR, &committee(), now()).unwrap();
        let cmd = i.roles_of(CHAIR, true);
        i.advance(CHAIR, &cmd, Some(&pb), false, now()).unwrap(); // Reported has no checklist
        i.tick(&cmd, Some(&pb), 1).unwrap();
        assert_eq!(i.advance(CHAIR, &cmd, Some(&pb), false, now()), Err(IncidentError::NeedsConfirmation(vec![0, 2])));
        assert_eq!(i.phase, Phase::Analysis);
        let out = i.advance(CHAIR, &cmd, Some(&pb), true, now()).unwrap();
        assert_eq!(i.phase, Phase::Containment);
        assert!(out.events.contains(&EventPayload::PhaseAdvanced { from: Phase::Analysis, to: Phase::Containment, skipped: vec![0, 2] }));
        let skipped: Vec<_> = i.marks.iter().filter(|m| m.state == MarkState::Skipped).map(|m| m.item).collect();
        assert_eq!(skipped, vec![0, 2]);
    }

    #[test]
    fn ticking_toggles_and_rejects_unknown_items() {
        let pb = playbook("malware", &["breach/malware"], 2);
        let mut i = incident(true);
        i.take_command(CHAIR, &committee(), now()).unwrap();
        let cmd = i.roles_of(CHAIR, true);
        i.advance(CHAIR, &cmd, Some(&pb), false, now()).unwrap();
        i.tick(&cmd, Some(&pb), 0).unwrap();
        i.tick(&cmd, Some(&pb), 0).unwrap();
        assert_eq!(i.unticked(Some(&pb)), vec![0, 1]);
        assert_eq!(i.tick(&cmd, Some(&pb), 5), Err(IncidentError::NoSuchItem(6)));
        assert!(matches!(i.tick(&RoleSet::default(), Some(&pb), 0), Err(IncidentError::NotAllowed(_))));
    }

    #[test]
    fn walking_to_closed_archives() {
        let pb = playbook("malware", &["breach/malware"], 0);
        let mut i = incident(true);
        i.take_command(CHAIR, &committee(), now()).unwrap();
        let cmd = i.roles_of(CHAIR, true);
        for _ in 0..5 {
            i.advance(CHAIR, &cmd, Some(&pb), false, now()).unwrap();
        }
        assert_eq!(i.phase, Phase::Lessons);
        // §4.4: not without the plan, the board answers and a note.
        assert_eq!(
            i.advance(CHAIR, &cmd, Some(&pb), false, now()),
            Err(IncidentError::LessonsIncomplete(vec![LessonItem::Plan, LessonItem::BoardQuestions, LessonItem::ImprovementNotes]))
        );
        let plan = PreventionPlan::new("patch the VPN", "train staff").unwrap();
        let out = i.set_plan(&cmd, plan).unwrap();
        assert!(out.effects.contains(&Effect::Announce { incident: i.id }), "§4.4(3) announced to all");
        i.answer_board(&cmd, BoardQuestion::VictimOfOutsideBreach, false).unwrap();
        let out = i.answer_board(&cmd, BoardQuestion::HarmedOutsiders, true).unwrap();
        assert!(out.effects.contains(&Effect::BoardReport { incident: i.id }), "§4.4(2) a board report is owed");
        assert_eq!(
            i.advance(CHAIR, &cmd, Some(&pb), false, now()),
            Err(IncidentError::LessonsIncomplete(vec![LessonItem::ImprovementNotes]))
        );
        assert!(matches!(
            i.waive(REPORTER, &i.roles_of(REPORTER, false), LessonItem::ImprovementNotes, "x"),
            Err(IncidentError::NotAllowed(_))
        ));
        i.waive(CHAIR, &committee(), LessonItem::ImprovementNotes, "the playbook held").unwrap();
        let out = i.advance(CHAIR, &cmd, Some(&pb), false, now()).unwrap();
        assert_eq!(i.phase, Phase::Closed);
        assert!(out.effects.contains(&Effect::Archive { incident: i.id }));
        assert_eq!(i.advance(CHAIR, &cmd, Some(&pb), false, now()), Err(IncidentError::Phase(PhaseError::AlreadyClosed)));
    }

    #[test]
    fn dismissal_needs_the_committee_and_a_reason() {
        let mut i = incident(true);
        assert_eq!(i.dismiss(CHAIR, &committee(), "  ", now()), Err(IncidentError::ReasonRequired));
        assert!(matches!(i.dismiss(REPORTER, &i.roles_of(REPORTER, false), "x", now()), Err(IncidentError::NotAllowed(_))));
        i.dismiss(CHAIR, &committee(), "test mail from IT", now()).unwrap();
        assert_eq!(i.phase, Phase::Closed);
        assert_eq!(i.close_reason.as_deref(), Some("test mail from IT"));
    }

    #[test]
    fn a_duplicate_closes_and_brings_its_reporter_to_the_original() {
        let original = incident(true);
        let mut dup = incident(true);
        dup.id = IncidentId(2);
        dup.reporter = OUTSIDER;
        let out = dup.mark_duplicate(CHAIR, &committee(), &original, now()).unwrap();
        assert_eq!(dup.phase, Phase::Closed);
        assert_eq!(dup.duplicate_of, Some(original.id));
        assert!(out.effects.contains(&Effect::GrantAccess { incident: original.id, user: OUTSIDER }));
        let mut again = incident(true);
        assert_eq!(again.mark_duplicate(CHAIR, &committee(), &original, now()), Err(IncidentError::BadOriginal));
    }

    #[test]
    fn responders_come_and_go() {
        let mut i = incident(true);
        let c = committee();
        i.add_responder(CHAIR, &c, OUTSIDER).unwrap();
        assert_eq!(i.add_responder(CHAIR, &c, OUTSIDER), Err(IncidentError::AlreadyResponder(OUTSIDER)));
        assert!(i.roles_of(OUTSIDER, false).responder);
        assert!(i.may_log(&i.roles_of(OUTSIDER, false)).is_ok());
        let out = i.remove_responder(CHAIR, &c, OUTSIDER).unwrap();
        assert!(out.effects.contains(&Effect::RevokeAccess { incident: i.id, user: OUTSIDER }));
        assert_eq!(i.remove_responder(CHAIR, &c, OUTSIDER), Err(IncidentError::NotResponder(OUTSIDER)));
    }

    #[test]
    fn refusals_name_who_may_act() {
        let e = IncidentError::NotAllowed(Action::Advance.allowed_roles()).to_string();
        assert_eq!(e, "only the incident commander or the security committee may do this");
    }
}
