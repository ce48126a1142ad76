//! §4.1(2): drills are practice incidents; each ends with a report whose
//! timings compare with the last drill of the same playbook, and whose
//! procedure problems become playbook-improvement notes.

use crate::domain::escalation::Step;
use crate::domain::{EventPayload, Incident, Phase, Playbook, PlaybookId, Playbooks, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The playbook to drill next: one never drilled (in id order), else the one
/// drilled longest ago — so every playbook is drilled over a cycle.
pub fn least_recently_drilled(playbooks: &Playbooks, last: &HashMap<PlaybookId, DateTime<Utc>>) -> Option<PlaybookId> {
    playbooks.all().iter().min_by_key(|p| (last.get(&p.id).copied(), p.id.clone())).map(|p| p.id.clone())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseTime {
    pub phase: Phase,
    pub seconds: i64,
    /// Against the previous drill of the same playbook (negative = faster).
    pub change: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub phase: Phase,
    pub item: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillReport {
    pub number: String,
    pub playbook: PlaybookId,
    /// From the start of the drill until someone was in command.
    pub time_to_command: Option<i64>,
    pub time_to_command_change: Option<i64>,
    pub phases: Vec<PhaseTime>,
    pub skipped: Vec<Skipped>,
    /// Procedure problems found: "what was missing" of each note.
    pub problems: Vec<String>,
    pub previous: Option<String>,
    /// Issue 26: from the start until the committee acknowledged it.
    #[serde(default)]
    pub time_to_acknowledge: Option<i64>,
    /// The escalation chain as it ran: each step, when, what it reached
    /// and what it did not (a step that reached nobody is a finding).
    #[serde(default)]
    pub escalation: Vec<ChainStep>,
    /// §4.1(2): who took part — whoever acted in the drill or was in its
    /// response organisation (the commander, the responders).
    #[serde(default)]
    pub participants: Vec<UserId>,
}

/// One step of the chain in a drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStep {
    pub step: Step,
    /// Seconds from the start of the drill.
    pub after: i64,
    pub reached: Vec<String>,
    pub missed: Vec<String>,
}

impl ChainStep {
    /// A step that reached nobody it was meant for: a finding of the drill.
    pub fn is_finding(&self) -> bool {
        self.reached.is_empty() || !self.missed.iter().all(|m| m.starts_with("quiet:"))
    }
}

/// The chain from its events `(at, payload)` in order: each step queued,
/// with what its deliveries recorded (several roads for the last one).
pub fn chain(started: DateTime<Utc>, events: &[(DateTime<Utc>, EventPayload)]) -> Vec<ChainStep> {
    let mut out: Vec<ChainStep> = vec![];
    for (at, e) in events {
        match e {
            EventPayload::Escalated { step } => {
                out.push(ChainStep { step: *step, after: (*at - started).num_seconds().max(0), reached: vec![], missed: vec![] })
            }
            EventPayload::EscalationDelivered { step, reached, missed } => {
                if let Some(s) = out.iter_mut().rev().find(|s| s.step == *step) {
                    s.reached.extend(reached.iter().cloned());
                    s.missed.extend(missed.iter().cloned());
                }
            }
            _ => {}
        }
    }
    out
}

/// Builds the report from the phase changes `(from, to, at)` in order.
pub fn drill_report(
    i: &Incident,
    advances: &[(Phase, Phase, DateTime<Utc>)],
    playbook: Option<&Playbook>,
    previous: Option<&DrillReport>,
) -> DrillReport {
    let mut entered = i.reported_at;
    let mut phases = vec![];
    for (from, _, at) in advances {
        let seconds = (*at - entered).num_seconds().max(0);
        let change = previous.and_then(|p| p.phases.iter().find(|x| x.phase == *from)).map(|x| seconds - x.seconds);
        phases.push(PhaseTime { phase: *from, seconds, change });
        entered = *at;
    }
    let time_to_command = i.commander_since.map(|t| (t - i.reported_at).num_seconds().max(0));
    let skipped = i
        .marks
        .iter()
        .filter(|m| m.state == crate::domain::MarkState::Skipped)
        .map(|m| Skipped {
            phase: m.phase,
            item: m.item,
            text: playbook.and_then(|p| p.checklist(m.phase).get(m.item)).map(|t| t.en.clone()).unwrap_or_default(),
        })
        .collect();
    DrillReport {
        number: i.number.to_string(),
        playbook: i.playbook.clone().unwrap_or_else(|| PlaybookId("-".into())),
        time_to_command,
        time_to_command_change: match (time_to_command, previous.and_then(|p| p.time_to_command)) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        },
        phases,
        skipped,
        problems: i.lessons.notes.iter().map(|n| n.missing.clone()).filter(|m| !m.trim().is_empty()).collect(),
        previous: previous.map(|p| p.number.clone()),
        time_to_acknowledge: i.time_to_acknowledge().map(|d| d.num_seconds()),
        escalation: vec![],
        participants: vec![],
    }
}

/// Who took part in a drill: the members who acted in it (`actors`, in
/// any order, with repeats) and its commander and responders, each once,
/// in id order; never the confidential placeholder 0.
pub fn participants(i: &Incident, actors: &[UserId]) -> Vec<UserId> {
    let mut all: Vec<UserId> = actors.iter().copied().chain(i.commander).chain(i.responders.iter().copied()).filter(|u| u.0 != 0).collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;
    use crate::domain::playbook::tests::playbook;
    use chrono::Duration;

    #[test]
    fn participants_are_the_actors_and_the_response_organisation_once_each() {
        let mut i = incident(true);
        i.commander = Some(UserId(5));
        i.responders = vec![UserId(9), UserId(3)];
        let got = participants(&i, &[UserId(7), UserId(5), UserId(0), UserId(7)]);
        assert_eq!(got, vec![UserId(3), UserId(5), UserId(7), UserId(9)]);
        i.commander = None;
        i.responders.clear();
        assert_eq!(participants(&i, &[]), vec![]);
    }

    #[test]
    fn every_playbook_is_drilled_over_a_cycle() {
        let pbs = Playbooks::new(vec![playbook("b", &["breach"], 1), playbook("a", &["threat"], 1), playbook("c", &["failure"], 1)]);
        let mut last = HashMap::new();
        let t = Utc::now();
        assert_eq!(least_recently_drilled(&pbs, &last).unwrap().0, "a");
        last.insert(PlaybookId("a".into()), t);
        assert_eq!(least_recently_drilled(&pbs, &last).unwrap().0, "b");
        last.insert(PlaybookId("b".into()), t + Duration::days(1));
        last.insert(PlaybookId("c".into()), t + Duration::days(2));
        assert_eq!(least_recently_drilled(&pbs, &last).unwrap().0, "a");
    }

    #[test]
    fn the_report_times_each_phase_and_compares_with_the_last_drill() {
        let mut i = incident(true);
        let t0 = i.reported_at;
        i.commander_since = Some(t0 + Duration::minutes(5));
        let advances = vec![
            (Phase::Reported, Phase::Analysis, t0 + Duration::minutes(6)),
            (Phase::Analysis, Phase::Containment, t0 + Duration::minutes(36)),
        ];
        let first = drill_report(&i, &advances, None, None);
        assert_eq!(first.time_to_command, Some(300));
        assert_eq!(
            first.phases.iter().map(|p| (p.phase, p.seconds)).collect::<Vec<_>>(),
            vec![(Phase::Reported, 360), (Phase::Analysis, 1800)]
        );
        i.commander_since = Some(t0 + Duration::minutes(2));
        let second = drill_report(
            &i,
            &[
                (Phase::Reported, Phase::Analysis, t0 + Duration::minutes(3)),
                (Phase::Analysis, Phase::Containment, t0 + Duration::minutes(23)),
            ],
            None,
            Some(&first),
        );
        assert_eq!(second.time_to_command_change, Some(-180));
        assert!(second.skipped.is_empty(), "no item was skipped");
        assert_eq!(second.phases[1].change, Some(-600));
        assert_eq!(second.previous.as_deref(), Some("INC-2026-0001"));
    }

    /// Issue 26: the chain as its events tell it; a step that reached
    /// nobody, or missed someone awake, is a finding.
    #[test]
    fn the_chain_is_read_from_its_events_and_a_miss_is_a_finding() {
        let t0 = Utc::now();
        let at = |m| t0 + Duration::minutes(m);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let events = vec![
            (at(15), EventPayload::Escalated { step: Step::OnDuty }),
            (at(15), EventPayload::EscalationDelivered { step: Step::OnDuty, reached: s(&["dm:2"]), missed: s(&["quiet:3"]) }),
            (at(20), EventPayload::Escalated { step: Step::Outside }),
            (at(21), EventPayload::EscalationDelivered { step: Step::Outside, reached: s(&["webhook"]), missed: vec![] }),
            (at(22), EventPayload::EscalationDelivered { step: Step::Outside, reached: vec![], missed: s(&["mail: SMTP 554"]) }),
            (at(25), EventPayload::Escalated { step: Step::Committee }),
        ];
        let c = chain(t0, &events);
        assert_eq!(
            c.iter().map(|x| (x.step, x.after)).collect::<Vec<_>>(),
            vec![(Step::OnDuty, 900), (Step::Outside, 1200), (Step::Committee, 1500)]
        );
        assert!(!c[0].is_finding(), "quiet hours are not a failure");
        assert_eq!((c[1].reached.clone(), c[1].missed.clone()), (s(&["webhook"]), s(&["mail: SMTP 554"])));
        assert!(c[1].is_finding(), "the mail did not arrive");
        assert!(c[2].is_finding(), "never delivered");
    }

    /// §4.1(2): the items left unticked when a phase was advanced are the
    /// drill's findings; ticked ones are not.
    #[test]
    fn skipped_items_are_listed_with_their_text_and_done_ones_are_not() {
        use crate::domain::{ChecklistMark, MarkState};
        let mut i = incident(true);
        i.marks = vec![
            ChecklistMark { phase: Phase::Analysis, item: 0, state: MarkState::Done },
            ChecklistMark { phase: Phase::Analysis, item: 1, state: MarkState::Skipped },
        ];
        let pb = playbook("malware", &["breach/malware"], 2);
        i.lessons.notes = vec![
            crate::domain::lessons::ImprovementNote { playbook: None, went_well: "連絡".into(), missing: " ".into() },
            crate::domain::lessons::ImprovementNote { playbook: None, went_well: String::new(), missing: "手順書が古い".into() },
        ];
        let r = drill_report(&i, &[], Some(&pb), None);
        assert_eq!(r.problems, vec!["手順書が古い".to_string()], "blank notes are no problems");
        assert_eq!(r.skipped.len(), 1);
        assert_eq!((r.skipped[0].phase, r.skipped[0].item), (Phase::Analysis, 1));
        assert_eq!(r.skipped[0].text, pb.checklist(Phase::Analysis)[1].en);
    }
}
