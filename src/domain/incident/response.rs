//! Working an incident (§4.1(1), §4.2, §4.3): command, phases, the
//! checklist, duplicates and dismissals, responders, the §4.3 records.

use super::Classification;
use super::{check, ChecklistMark, Incident, IncidentError, MarkState, Merge, MergedReport, Outcome, RecordWaiver};
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::log_entry::LogKind;
use crate::domain::permission::{Action, RoleSet};
use crate::domain::phase::{Phase, PhaseError};
use crate::domain::playbook::Playbook;
use crate::domain::priority::RecoveryDeadline;
use chrono::{DateTime, Utc};

impl Incident {
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
        let outcome = self.acknowledged_now(Outcome::default(), by, now);
        Ok(outcome
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
        let previous = self.commander;
        self.set_commander(commander, now);
        let outcome = self.acknowledged_now(Outcome::default(), by, now);
        let outcome = outcome
            .with(EventPayload::CommanderAppointed { commander })
            .effect(Effect::GrantAccess { incident: self.id, user: commander })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::CommanderAppointed { commander, by } });
        Ok(self.revoke_unless_entitled(outcome, previous).refreshed(self.id))
    }

    /// Commanders change (shifts, absence): the commander or the committee
    /// hands command to someone else. The old commander keeps access only
    /// as reporter or responder (the committee sees through its role).
    pub fn hand_over(&mut self, by: UserId, roles: &RoleSet, to: UserId, now: DateTime<Utc>) -> Result<Outcome, IncidentError> {
        check(Action::HandOver, roles)?;
        self.open_phase()?;
        let Some(from) = self.commander else {
            return Err(IncidentError::NoCommanderToHandOver);
        };
        if from == to {
            return Err(IncidentError::AlreadyCommanded(to));
        }
        self.set_commander(to, now);
        let outcome = Outcome::default()
            .with(EventPayload::CommandHandedOver { from, to })
            .effect(Effect::GrantAccess { incident: self.id, user: to })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::CommandHandedOver { from, to, by } });
        Ok(self.revoke_unless_entitled(outcome, Some(from)).refreshed(self.id))
    }

    /// Takes `user`'s own access away unless the state still gives it.
    fn revoke_unless_entitled(&self, outcome: Outcome, user: Option<UserId>) -> Outcome {
        match user {
            Some(u) if !self.has_access(u) => outcome.effect(Effect::RevokeAccess { incident: self.id, user: u }),
            _ => outcome,
        }
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

    /// What entering `to` needs: a commander for the analysis (§4.2), its
    /// findings for containment, the §4.3 records for the lessons, and for
    /// the close the end trigger answered (§4.1(1)) and the §4.4 items.
    fn may_enter(&self, to: Phase, logged: &[LogKind]) -> Result<(), IncidentError> {
        if to == Phase::Analysis && self.commander.is_none() {
            return Err(IncidentError::NeedsCommander);
        }
        if to == Phase::Containment && self.findings_missing() {
            return Err(IncidentError::FindingsMissing);
        }
        if to == Phase::Lessons {
            let missing = self.records_missing(logged);
            if !missing.is_empty() {
                return Err(IncidentError::RecordsMissing(missing));
            }
        }
        if to == Phase::Closed && self.end_trigger.is_none() {
            return Err(IncidentError::EndTriggerUnanswered);
        }
        if to == Phase::Closed {
            let missing = self.lessons.missing(self.is_drill());
            if !missing.is_empty() {
                return Err(IncidentError::LessonsIncomplete(missing));
            }
        }
        Ok(())
    }

    /// §4.2–§4.4: moves to the next phase. Unticked items need `confirm`, and
    /// are then recorded as skipped. Leaving Recovery needs the three §4.3
    /// records (`logged`: the kinds with an entry) or the committee's waiver.
    pub fn advance(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        playbook: Option<&Playbook>,
        confirm: bool,
        logged: &[LogKind],
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::Advance, roles)?;
        self.open_phase()?;
        let to = self.phase.next().ok_or(PhaseError::AlreadyClosed)?;
        self.phase.transition(to)?;
        self.may_enter(to, logged)?;
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
        if self.it_department_reads() {
            // §4.4(1): 情報システム部 is let in to write the plan.
            outcome = outcome.effect(Effect::RestoreAccess { incident: self.id });
        }
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

    pub(super) fn close(&mut self, reason: String, now: DateTime<Utc>) {
        self.phase = Phase::Closed;
        self.phase_since = now;
        self.closed_at = Some(now);
        self.close_reason = Some(reason);
    }

    /// Many members report the same thing at once: the committee closes this
    /// one as a duplicate and merges its reporter into the original. A
    /// public reporter joins the original's channel; a confidential one is
    /// never named, pinged or let in there: the channel reads only that a
    /// confidential report was merged, and the reporter hears of it, and of
    /// every later phase change, by DM.
    pub fn mark_duplicate(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        original: &mut Incident,
        now: DateTime<Utc>,
    ) -> Result<Merge, IncidentError> {
        check(Action::MarkDuplicate, roles)?;
        self.phase.transition(Phase::Closed)?;
        if original.id == self.id || original.duplicate_of.is_some() || original.is_drill() != self.is_drill() {
            return Err(IncidentError::BadOriginal);
        }
        self.duplicate_of = Some(original.id);
        self.close(format!("duplicate of {}", original.number), now);
        let mut duplicate = Outcome::default()
            .with(EventPayload::MarkedDuplicate { original: original.id })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::MarkedDuplicate { by, original: original.number.to_string() } })
            .refreshed(self.id)
            .effect(Effect::Archive { incident: self.id });
        let mut merged = Outcome::default();
        let reporter = self.reporter;
        let known = original.reporter == reporter || original.merged.iter().any(|m| m.reporter == reporter);
        if !known {
            original.merged.push(MergedReport { number: self.number, reporter, confidential: self.confidential, wave: false });
            merged = merged.with(EventPayload::ReportMerged { duplicate: self.id, confidential: self.confidential });
        }
        if self.confidential {
            // The DM says where the report went; the original's channel
            // learns only that a confidential report joined it.
            duplicate = duplicate.effect(Effect::TellReporter { incident: self.id });
            if !known {
                merged = merged.effect(Effect::PostNotice { incident: original.id, notice: Notice::ConfidentialReportMerged });
            }
        } else if !known && !original.responders.contains(&reporter) {
            merged = merged.effect(Effect::GrantAccess { incident: original.id, user: reporter }).effect(Effect::PostNotice {
                incident: original.id,
                notice: Notice::DuplicateReporterJoined { user: reporter, duplicate: self.number.to_string() },
            });
        }
        if !known {
            merged = merged.refreshed(original.id);
        }
        Ok(Merge { duplicate, original: merged })
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
        self.organisation.retain(|h| h.member != user);
        let outcome = Outcome::default()
            .with(EventPayload::ResponderRemoved { user })
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::ResponderRemoved { user, by } });
        Ok(self.revoke_unless_entitled(outcome, Some(user)))
    }

    /// §4.2, §4.3 原因に基づく対応: as the cause becomes clear, the commander
    /// or the committee changes the category, kind and affected systems,
    /// with a reason. The playbook (`playbook`: the one that fits now), its
    /// checklist and the Table 1 deadline (from the discovery time) follow.
    pub fn reclassify(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        to: Classification,
        playbook: Option<crate::domain::PlaybookId>,
        reason: &str,
    ) -> Result<Outcome, IncidentError> {
        check(Action::Reclassify, roles)?;
        self.open_phase()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        if to.kind.is_some_and(|k| k.category() != to.category) {
            return Err(IncidentError::KindOutsideCategory);
        }
        let new_playbook = playbook != self.playbook;
        self.category = to.category;
        self.kind = to.kind;
        self.affected = to.affected;
        self.deadline = RecoveryDeadline::for_systems(self.noticed.at, self.affected.iter().filter_map(|a| a.priority));
        if new_playbook {
            // The new checklist starts unticked from the current phase on;
            // what was ticked before stays as history.
            let phase = self.phase;
            self.marks.retain(|m| m.phase < phase);
            self.playbook = playbook;
        }
        let event = EventPayload::Reclassified {
            category: self.category,
            kind: self.kind,
            systems: self.affected.iter().map(|a| a.name.clone()).collect(),
            playbook: self.playbook.as_ref().map(|p| p.0.clone()),
            reason: reason.to_string(),
        };
        let notice = Notice::Reclassified { by, category: self.category, kind: self.kind, new_playbook, reason: reason.to_string() };
        Ok(Outcome::default().with(event).effect(Effect::PostNotice { incident: self.id, notice }).refreshed(self.id))
    }

    /// The committee makes a report confidential after the fact (an
    /// insider case, §1(1)): the reporter leaves the channel and the card,
    /// and hears of the incident by DM from now on.
    pub fn make_confidential(&mut self, by: UserId, roles: &RoleSet) -> Result<Outcome, IncidentError> {
        check(Action::MakeConfidential, roles)?;
        self.open_phase()?;
        if self.confidential {
            return Err(IncidentError::AlreadyConfidential);
        }
        self.confidential = true;
        let outcome = Outcome::default()
            .with(EventPayload::MadeConfidential)
            .effect(Effect::PostNotice { incident: self.id, notice: Notice::MadeConfidential { by } })
            .effect(Effect::TellReporter { incident: self.id });
        Ok(self.revoke_unless_entitled(outcome, Some(self.reporter)).refreshed(self.id))
    }

    /// §4.3: the committee excuses one of the three records, with a reason
    /// that is kept (and listed by the §5 audit).
    pub fn waive_record(&mut self, by: UserId, roles: &RoleSet, kind: LogKind, reason: &str) -> Result<Outcome, IncidentError> {
        check(Action::Dismiss, roles)?;
        self.open_phase()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        self.record_waivers.push(RecordWaiver { kind, reason: reason.to_string(), by });
        Ok(Outcome::default().with(EventPayload::RecordWaived { kind, reason: reason.to_string() }).refreshed(self.id))
    }

    /// Checks that `roles` may write a §4.3 log entry now.
    pub fn may_log(&self, roles: &RoleSet) -> Result<(), IncidentError> {
        check(Action::LogEntry, roles)?;
        self.open_phase()
    }

    /// The record of a §4.3 log entry once stored.
    pub fn logged(&self, entry_id: i64, kind: crate::domain::log_entry::LogKind, body: &str) -> Outcome {
        let digest = crate::domain::event::digest(body);
        Outcome::default().with(EventPayload::LogEntryAdded { entry_id, kind, digest }).effect(Effect::PostLogEntry {
            incident: self.id,
            entry_id,
            kind,
        })
    }
}
