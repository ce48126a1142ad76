//! The incident aggregate: its state and every move the regulation allows.
//! Each operation checks permission and preconditions, changes the state,
//! and returns the events to log and the side effects to deliver.

use super::alert::{self, Alert, Status as AlertStatus};
use super::category::{Category, SubKind};
use super::effect::{Effect, Notice};
use super::event::EventPayload;
use super::ids::{ChannelId, IncidentId, IncidentNumber, MessageId, PlaybookId, SystemId, UserId};
use super::lessons::Lessons;
use super::log_entry::LogKind;
use super::permission::{Action, RoleSet};
use super::phase::{Phase, PhaseError};
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

/// A report closed as a duplicate of this incident (§4.2 "one place"): its
/// reporter follows this incident from now on. A confidential reporter
/// stays confidential here too: never named in the channel, never let in,
/// told of changes by DM (§1(1) leaks by a member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedReport {
    pub number: IncidentNumber,
    pub reporter: UserId,
    pub confidential: bool,
    /// Gathered on arrival (a wave of the same report) rather than closed
    /// as a duplicate by the committee: it never had a channel, and the
    /// committee can split it out again.
    #[serde(default)]
    pub wave: bool,
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
    /// Reports closed as duplicates of this one, with their reporters.
    #[serde(default)]
    pub merged: Vec<MergedReport>,
    /// What all members read as this incident's name (§4.4(3)): the
    /// reporter's title can name a person or a system it should not (a
    /// confidential or insider case), so the committee sets this one.
    #[serde(default)]
    pub public_title: Option<String>,
    /// Held for the committee's triage (the reporter went past the flood
    /// guard): stored and numbered, but no channel, card or ping until the
    /// committee opens it, merges it or dismisses it.
    #[serde(default)]
    pub held: bool,
    /// §4.3 records the committee excused, with the reason (leaving
    /// Recovery needs an entry of each kind or this).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_waivers: Vec<RecordWaiver>,
    /// §4.2: the committee channel has yet to hear of this report. Its
    /// notice is one line in a message that gathers the reports arriving
    /// together ([`Effect::CommitteeNotices`]), so it is owed here rather
    /// than queued one message per report.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notice_owed: bool,
    /// §4.2: the committee member who said they have it (確認しました).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Acknowledgement>,
    /// §4.2: what the analysis found (damage, cause).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<findings::Findings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings_waiver: Option<findings::FindingsWaiver>,
    /// §4.2: taken by phone or in person, filed by the committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<crate::domain::proxy::Taken>,
    /// §4.1(1) 対応組織: the playbook's roles given to people.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisation: Vec<organisation::RoleHolder>,
    /// §4.1(1) 終了の契機, answered on closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_trigger: Option<organisation::EndTrigger>,
    /// §4.1(4) Table 1 per system: each system's outage and restoration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<outage::Outage>,
}

/// What an incident is about, as decided (and re-decided as the cause
/// becomes clear, §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub category: Category,
    pub kind: Option<SubKind>,
    pub affected: Vec<AffectedSystem>,
}

/// The committee excused one of the three §4.3 records, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordWaiver {
    pub kind: LogKind,
    pub reason: String,
    pub by: UserId,
}

mod acknowledge;
mod channel;
mod choose;
mod open;
pub mod organisation;
pub mod outage;
mod table1;
pub use open::NewIncident;
pub mod findings;
mod held;
mod lessons;
mod response;
mod signoff;
mod wave;

pub use super::refusal::IncidentError;
pub use acknowledge::Acknowledgement;

/// The longest public title (an embed title holds 256; the number and a
/// separator come before it).
pub const MAX_PUBLIC_TITLE: usize = 100;

/// What closing a report as a duplicate decided: for the duplicate, and for
/// the original it was merged into (each recorded under its own incident).
#[derive(Debug, Default, PartialEq)]
pub struct Merge {
    pub duplicate: Outcome,
    pub original: Outcome,
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

    /// Confidential reporters (this report's, and those of reports merged
    /// into it) hear of phase changes by DM.
    fn tell_reporter(self, i: &Incident) -> Self {
        if !i.confidential_reporters().is_empty() {
            self.effect(Effect::TellReporter { incident: i.id })
        } else {
            self
        }
    }
}

fn check(action: Action, roles: &RoleSet) -> Result<(), IncidentError> {
    if action.allowed(roles) {
        Ok(())
    } else {
        Err(IncidentError::NotAllowed(action.allowed_roles()))
    }
}

impl Incident {
    pub fn is_drill(&self) -> bool {
        self.number.drill
    }

    /// Whether the scheduler has anything to watch for (Table 1 deadlines
    /// and status steps while open, APPI Art. 26 reports owed, follow-ups
    /// not done). Stored beside the state, so that a tick reads only these
    /// and not ten years of closed incidents. A report held for triage has
    /// no channel to remind in yet: the triage post is its reminder.
    pub fn watched(&self) -> bool {
        !self.held
            && (self.phase.is_open()
                || (self.appi.reportable() && !self.appi.final_filed)
                || self.lessons.open_followups().next().is_some()
                || self.unread_pending())
    }

    /// Whether `user` should have their own access to the channel, as the
    /// stored state says: a reporter who is not confidential (this report's
    /// or a merged one's), the commander, a responder. The committee sees
    /// the channel through its role. Access effects are delivered against
    /// this, so the channel converges to the state whatever order Discord
    /// accepted the requests in.
    pub fn has_access(&self, user: UserId) -> bool {
        (!self.confidential && self.reporter == user && !user.is_monitoring())
            || self.commander == Some(user)
            || self.responders.contains(&user)
            || self.merged.iter().any(|m| !m.confidential && m.reporter == user)
    }

    /// §4.4(1) 情報セキュリティ委員会および情報システム部は…作成: the IT
    /// department's role reads and writes in the channel while the plan
    /// is written (the Lessons phase of a real incident), and not before:
    /// what a report says reaches it only once the response is done.
    pub fn it_department_reads(&self) -> bool {
        self.phase == Phase::Lessons && !self.is_drill()
    }

    /// Issue 28: whether someone holding `roles` reads this incident's
    /// record on the web — whoever reads its channel, by the rule the
    /// channel's overwrites follow: the committee, those the state lets in
    /// (`has_access`: never a confidential reporter), and 情報システム部
    /// while it writes the plan.
    pub fn reads_record(&self, user: UserId, roles: &RoleSet) -> bool {
        roles.committee || self.has_access(user) || (roles.it_department && self.it_department_reads())
    }

    /// Everyone the state gives their own access to the channel (see
    /// `has_access`), each once.
    pub fn people_with_access(&self) -> Vec<UserId> {
        let mut people: Vec<UserId> = std::iter::once(self.reporter)
            .chain(self.commander)
            .chain(self.responders.iter().copied())
            .chain(self.merged.iter().map(|m| m.reporter))
            .filter(|u| self.has_access(*u))
            .collect();
        people.sort_unstable_by_key(|u| u.0);
        people.dedup();
        people
    }

    /// §4.3: the kinds of record with neither an entry (`logged`) nor the
    /// committee's waiver. Drills practise the procedure, not the records.
    pub fn records_missing(&self, logged: &[LogKind]) -> Vec<LogKind> {
        if self.is_drill() {
            return vec![];
        }
        LogKind::ALL.into_iter().filter(|k| !logged.contains(k) && !self.record_waivers.iter().any(|w| w.kind == *k)).collect()
    }

    /// Everyone who reported this incident confidentially: never named,
    /// never let in, told by DM.
    pub fn confidential_reporters(&self) -> Vec<UserId> {
        let mut out: Vec<UserId> = self.confidential.then_some(self.reporter).into_iter().collect();
        for m in self.merged.iter().filter(|m| m.confidential) {
            if !out.contains(&m.reporter) {
                out.push(m.reporter);
            }
        }
        out
    }

    /// The name all members see (§4.4(3)): the committee's public title, or
    /// the category and number — never the reporter's own title.
    pub fn public_name(&self, lang: super::Lang) -> String {
        match &self.public_title {
            Some(t) => t.clone(),
            None => format!("{} {}", self.category.label().get(lang), self.number),
        }
    }

    /// §4.4(3): the committee names the incident for all members.
    pub fn set_public_title(&mut self, roles: &RoleSet, title: &str) -> Result<Outcome, IncidentError> {
        check(Action::SetPublicTitle, roles)?;
        let title = title.trim().to_string();
        self.public_title = Some(title.clone());
        Ok(Outcome::default().with(EventPayload::PublicTitleSet { title }).effect(Effect::RefreshAnnouncement { incident: self.id }))
    }

    /// The roles `user` holds towards this incident.
    pub fn roles_of(&self, user: UserId, committee: bool) -> RoleSet {
        RoleSet {
            reporter: self.reporter == user,
            responder: self.responders.contains(&user),
            commander: self.commander == Some(user),
            committee,
            it_department: false,
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
}

#[cfg(test)]
mod access_tests;
#[cfg(test)]
mod followup_tests;
#[cfg(test)]
pub(crate) mod tests;
