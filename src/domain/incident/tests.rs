//! The incident's rules, one operation at a time.

use super::*;
use crate::domain::effect::Notice;
use crate::domain::lessons::{BoardQuestion, ItDepartment, LessonItem, PreventionPlan};
use crate::domain::permission::Role;
use crate::domain::playbook::tests::playbook;
use chrono::TimeZone;

pub const REPORTER: UserId = UserId(100);
pub const CHAIR: UserId = UserId(200);
pub const OUTSIDER: UserId = UserId(300);

pub(crate) fn now() -> DateTime<Utc> {
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
        taken: None,
    };
    Incident::open(IncidentId(1), new, now()).0
}

pub(crate) fn committee() -> RoleSet {
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
        taken: None,
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
    assert_eq!(i.advance(CHAIR, &committee(), None, false, &LogKind::ALL, now()), Err(IncidentError::NeedsCommander));
    i.appoint(CHAIR, &committee(), OUTSIDER, now()).unwrap();
    let cmd = i.roles_of(OUTSIDER, false);
    i.advance(OUTSIDER, &cmd, None, false, &LogKind::ALL, now()).unwrap();
    assert_eq!(i.phase, Phase::Analysis);
}

#[test]
fn advancing_past_unticked_items_needs_confirmation_and_records_skips() {
    let pb = playbook("malware", &["breach/malware"], 3);
    let mut i = incident(true);
    i.take_command(CHAIR, &committee(), now()).unwrap();
    let cmd = i.roles_of(CHAIR, true);
    i.advance(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()).unwrap(); // Reported has no checklist
    i.tick(&cmd, Some(&pb), 1).unwrap();
    i.record_findings(CHAIR, &cmd, "file server", "a phishing mail", now()).unwrap();
    assert_eq!(i.advance(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()), Err(IncidentError::NeedsConfirmation(vec![0, 2])));
    assert_eq!(i.phase, Phase::Analysis);
    let out = i.advance(CHAIR, &cmd, Some(&pb), true, &LogKind::ALL, now()).unwrap();
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
    i.advance(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()).unwrap();
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
        if i.phase == Phase::Analysis {
            i.record_findings(CHAIR, &cmd, "file server", "a phishing mail", now()).unwrap();
        }
        i.advance(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()).unwrap();
    }
    assert_eq!(i.phase, Phase::Lessons);
    // §4.1(1): closing says whether the end trigger was met.
    assert_eq!(i.advance(CHAIR, &cmd, Some(&pb), true, &LogKind::ALL, now()), Err(IncidentError::EndTriggerUnanswered));
    // §4.4: not without the plan, the board answers and a note.
    assert_eq!(
        i.close_with_trigger(CHAIR, &cmd, Some(&pb), true, &LogKind::ALL, now()),
        Err(IncidentError::LessonsIncomplete(vec![LessonItem::Plan, LessonItem::BoardQuestions, LessonItem::ImprovementNotes]))
    );
    assert_eq!(i.end_trigger, None, "a refused close keeps no answer");
    let plan = PreventionPlan::new("patch the VPN", "train staff").unwrap();
    let out = i.set_plan(CHAIR, &cmd, plan, ItDepartment::NotConfigured, now()).unwrap();
    assert!(out.effects.contains(&Effect::Announce { incident: i.id }), "§4.4(3) announced to all");
    i.answer_board(&cmd, BoardQuestion::VictimOfOutsideBreach, false).unwrap();
    let out = i.answer_board(&cmd, BoardQuestion::HarmedOutsiders, true).unwrap();
    assert!(out.effects.contains(&Effect::BoardReport { incident: i.id }), "§4.4(2) a board report is owed");
    assert_eq!(
        i.close_with_trigger(CHAIR, &cmd, Some(&pb), true, &LogKind::ALL, now()),
        Err(IncidentError::LessonsIncomplete(vec![LessonItem::ImprovementNotes]))
    );
    assert!(matches!(
        i.waive(REPORTER, &i.roles_of(REPORTER, false), LessonItem::ImprovementNotes, "x"),
        Err(IncidentError::NotAllowed(_))
    ));
    i.waive(CHAIR, &committee(), LessonItem::ImprovementNotes, "the playbook held").unwrap();
    let out = i.close_with_trigger(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()).unwrap();
    assert_eq!(i.phase, Phase::Closed);
    assert!(out.effects.contains(&Effect::Archive { incident: i.id }));
    assert!(matches!(&out.events[0], EventPayload::EndTriggerAnswered { met: false, trigger, .. } if trigger == "終了"));
    assert_eq!(i.end_trigger.as_ref().map(|t| t.met), Some(false));
    assert_eq!(i.advance(CHAIR, &cmd, Some(&pb), false, &LogKind::ALL, now()), Err(IncidentError::Phase(PhaseError::AlreadyClosed)));
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
    let out = dup.mark_duplicate(CHAIR, &committee(), &mut original.clone(), now()).unwrap();
    assert_eq!(dup.phase, Phase::Closed);
    assert_eq!(dup.duplicate_of, Some(original.id));
    assert!(out.original.effects.contains(&Effect::GrantAccess { incident: original.id, user: OUTSIDER }));
    let mut again = incident(true);
    assert_eq!(again.mark_duplicate(CHAIR, &committee(), &mut original.clone(), now()), Err(IncidentError::BadOriginal));
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
    assert_eq!(e, "Only the incident commander or the security committee may do this.");
    let ja = IncidentError::NotAllowed(Action::Advance.allowed_roles()).text(crate::domain::Lang::Ja);
    assert_eq!(ja, "この操作は実行責任者または情報セキュリティ委員会だけが行えます。");
}

/// Who holds which role is read from the incident, person by person.
#[test]
fn roles_come_from_the_incident_person_by_person() {
    let mut i = incident(true);
    i.commander = Some(CHAIR);
    i.responders = vec![OUTSIDER];
    let r = i.roles_of(REPORTER, false);
    assert!(r.reporter && !r.responder && !r.commander && !r.committee);
    let c = i.roles_of(CHAIR, true);
    assert!(!c.reporter && !c.responder && c.commander && c.committee);
    let o = i.roles_of(OUTSIDER, false);
    assert!(!o.reporter && o.responder && !o.commander && !o.committee);
    assert_eq!(i.roles_of(UserId(999), false), RoleSet::default());
}

/// A confidential reporter hears of every phase change by DM; a named
/// reporter sees the channel instead.
#[test]
fn a_confidential_reporter_is_told_of_each_phase_change() {
    let pb = playbook("malware", &["breach/malware"], 0);
    let told = |confidential: bool| {
        let mut i = incident(true);
        i.confidential = confidential;
        i.commander = Some(CHAIR);
        let out = i.advance(CHAIR, &i.roles_of(CHAIR, true), Some(&pb), false, &LogKind::ALL, now()).unwrap();
        out.effects.contains(&Effect::TellReporter { incident: i.id })
    };
    assert!(told(true));
    assert!(!told(false));
}

/// APPI Art. 26: the first yes drafts the report to the PPC, once; a no
/// drafts nothing; a drill or another category is not asked.
#[test]
fn the_first_appi_yes_drafts_the_ppc_report_once() {
    use crate::domain::appi::AppiQuestion;
    let mut i = incident(true);
    let c = committee();
    let drafts = |o: &Outcome| o.effects.iter().filter(|e| matches!(e, Effect::AppiDraft { .. })).count();
    assert_eq!(drafts(&i.answer_appi(&c, AppiQuestion::OverThousand, false).unwrap()), 0);
    assert_eq!(drafts(&i.answer_appi(&c, AppiQuestion::Malicious, true).unwrap()), 1);
    assert_eq!(drafts(&i.answer_appi(&c, AppiQuestion::OverThousand, true).unwrap()), 0, "already drafted");
    let mut drill = incident(true);
    drill.number.drill = true;
    assert_eq!(drill.answer_appi(&c, AppiQuestion::Malicious, true), Err(IncidentError::AppiNotApplicable));
    let mut failure = incident(true);
    failure.category = Category::Failure;
    assert_eq!(failure.answer_appi(&c, AppiQuestion::Malicious, true), Err(IncidentError::AppiNotApplicable));
}

/// An incident in the Lessons phase, commanded by the chair.
pub(crate) fn in_lessons() -> Incident {
    let mut i = incident(true);
    i.commander = Some(CHAIR);
    i.phase = Phase::Lessons;
    i
}

#[test]
fn lessons_work_happens_in_the_lessons_phase_and_keeps_what_was_written() {
    let c = committee();
    let mut early = incident(true);
    assert_eq!(early.answer_board(&c, BoardQuestion::HarmedOutsiders, true), Err(IncidentError::NotInLessons));
    let plan =
        PreventionPlan { technical: " EDR ".into(), organisational: "訓練".into(), cause: " 添付 ".into(), damage: "なし".into() };
    assert_eq!(early.set_plan(CHAIR, &c, plan.clone(), ItDepartment::NotConfigured, now()), Err(IncidentError::NotInLessons));
    let mut i = in_lessons();
    let out = i.set_plan(CHAIR, &c, plan, ItDepartment::NotConfigured, now()).unwrap();
    let kept = i.lessons.plan.clone().unwrap();
    assert_eq!((kept.technical.as_str(), kept.cause.as_str(), kept.damage.as_str()), ("EDR", "添付", "なし"));
    assert!(out.effects.contains(&Effect::Announce { incident: i.id }), "§4.4(3)");
    // A note needs one of its two parts.
    assert_eq!(i.add_note(&c, " ", "", None, now()), Err(IncidentError::ReasonRequired));
    let out = i.add_note(&c, "", "連絡先が古い", None, now()).unwrap();
    assert_eq!(i.lessons.notes.len(), 1);
    assert_eq!(i.lessons.notes[0].missing, "連絡先が古い");
    assert!(out.events.iter().any(|e| matches!(e, EventPayload::NoteAdded { .. })));
    assert!(i.add_note(&c, "連携が良かった", "", None, now()).is_ok());
}

/// §4.4(2): the board report is drafted when both answers are in and one is
/// yes, and redrafted when an answer changes — not before, not for the same
/// answer twice.
#[test]
fn the_board_report_is_drafted_when_owed_and_redrafted_when_an_answer_changes() {
    let c = committee();
    let drafted = |o: &Outcome| o.effects.contains(&Effect::BoardReport { incident: IncidentId(1) });
    let mut i = in_lessons();
    assert!(!drafted(&i.answer_board(&c, BoardQuestion::VictimOfOutsideBreach, true).unwrap()), "one answer of two");
    assert!(drafted(&i.answer_board(&c, BoardQuestion::HarmedOutsiders, false).unwrap()));
    assert!(!drafted(&i.answer_board(&c, BoardQuestion::HarmedOutsiders, false).unwrap()), "the same answer again");
    assert!(drafted(&i.answer_board(&c, BoardQuestion::HarmedOutsiders, true).unwrap()), "a changed answer redrafts");
    let mut no = in_lessons();
    no.answer_board(&c, BoardQuestion::VictimOfOutsideBreach, false).unwrap();
    assert!(!drafted(&no.answer_board(&c, BoardQuestion::HarmedOutsiders, false).unwrap()), "two noes owe nothing");
}

/// Only the confidential reporter adds information this way, and not
/// nothing.
#[test]
fn only_the_confidential_reporter_adds_information() {
    let mut i = incident(true);
    assert_eq!(i.add_info(REPORTER, "追加"), Err(IncidentError::NotAllowed(&[Role::Reporter])), "not confidential");
    i.confidential = true;
    assert_eq!(i.add_info(OUTSIDER, "追加"), Err(IncidentError::NotAllowed(&[Role::Reporter])));
    assert_eq!(i.add_info(REPORTER, "  "), Err(IncidentError::InfoEmpty));
    let out = i.add_info(REPORTER, " 送信元は外部 ").unwrap();
    assert!(out
        .effects
        .contains(&Effect::PostNotice { incident: i.id, notice: Notice::ConfidentialInfo { text: "送信元は外部".into() } }));
}

#[test]
fn a_filing_is_recorded_only_when_a_report_is_owed() {
    use crate::domain::appi::{AppiQuestion, Stage};
    let c = committee();
    let mut i = incident(true);
    assert_eq!(i.appi_filed(&c, Stage::Preliminary), Err(IncidentError::NoPpcReportOwed));
    i.answer_appi(&c, AppiQuestion::OverThousand, true).unwrap();
    let out = i.appi_filed(&c, Stage::Preliminary).unwrap();
    assert!(i.appi.preliminary_filed && !i.appi.final_filed);
    assert!(out.events.contains(&EventPayload::AppiFiled { stage: Stage::Preliminary }));
    assert!(matches!(i.appi_filed(&RoleSet::default(), Stage::Final), Err(IncidentError::NotAllowed(_))));
}

/// A tick belongs to its phase: ticking item 0 in one phase leaves item 0
/// of another phase alone.
#[test]
fn a_tick_belongs_to_its_phase() {
    let pb = playbook("malware", &["breach/malware"], 2);
    let c = committee();
    let mut i = incident(true);
    i.commander = Some(CHAIR);
    i.phase = Phase::Analysis;
    i.tick(&c, Some(&pb), 0).unwrap();
    i.phase = Phase::Containment;
    i.tick(&c, Some(&pb), 0).unwrap();
    assert_eq!(i.marks.iter().filter(|m| m.item == 0 && m.state == MarkState::Done).count(), 2, "one mark per phase");
    i.tick(&c, Some(&pb), 0).unwrap();
    assert_eq!(i.marks, vec![ChecklistMark { phase: Phase::Analysis, item: 0, state: MarkState::Done }], "only this phase's was unticked");
}

/// The original of a duplicate: another open incident of the same kind
/// (real or drill); its reporter joins unless already there.
#[test]
fn duplicates_point_at_a_proper_original_and_its_channel_gains_the_reporter_once() {
    let c = committee();
    let original = {
        let mut o = incident(true);
        o.id = IncidentId(2);
        o
    };
    let mut dup = incident(true);
    dup.reporter = OUTSIDER;
    let out = dup.mark_duplicate(CHAIR, &c, &mut original.clone(), now()).unwrap();
    assert!(out.original.effects.contains(&Effect::GrantAccess { incident: IncidentId(2), user: OUTSIDER }));
    // The same reporter, or one already responding, is not added again.
    let mut same = incident(true);
    let out = same.mark_duplicate(CHAIR, &c, &mut original.clone(), now()).unwrap();
    assert!(!out.original.effects.iter().any(|e| matches!(e, Effect::GrantAccess { .. })));
    let mut responding = original.clone();
    responding.responders.push(OUTSIDER);
    let mut dup2 = incident(true);
    dup2.reporter = OUTSIDER;
    let out = dup2.mark_duplicate(CHAIR, &c, &mut responding.clone(), now()).unwrap();
    assert!(!out.original.effects.iter().any(|e| matches!(e, Effect::GrantAccess { .. })));
    // Not itself; not a duplicate; not across drills.
    let mut itself = incident(true);
    let copy = itself.clone();
    assert_eq!(itself.mark_duplicate(CHAIR, &c, &mut copy.clone(), now()), Err(IncidentError::BadOriginal));
    let mut closed_dup = original.clone();
    closed_dup.duplicate_of = Some(IncidentId(9));
    assert_eq!(incident(true).mark_duplicate(CHAIR, &c, &mut closed_dup.clone(), now()), Err(IncidentError::BadOriginal));
    let mut drill = original.clone();
    drill.number.drill = true;
    assert_eq!(incident(true).mark_duplicate(CHAIR, &c, &mut drill.clone(), now()), Err(IncidentError::BadOriginal));
}

/// A removed responder loses access — unless they are the reporter or the
/// commander, who keep it.
#[test]
fn removing_a_responder_revokes_access_unless_they_hold_another_role() {
    let c = committee();
    let mut i = incident(true);
    i.commander = Some(CHAIR);
    i.responders = vec![OUTSIDER, REPORTER, CHAIR];
    let revoked = |o: &Outcome, u: UserId| o.effects.contains(&Effect::RevokeAccess { incident: IncidentId(1), user: u });
    assert!(revoked(&i.remove_responder(CHAIR, &c, OUTSIDER).unwrap(), OUTSIDER));
    assert!(!revoked(&i.remove_responder(CHAIR, &c, REPORTER).unwrap(), REPORTER));
    assert!(!revoked(&i.remove_responder(CHAIR, &c, CHAIR).unwrap(), CHAIR));
}

/// §4.3: records are kept by the people working the incident, while it is
/// open; each carries the digest `verify` checks.
#[test]
fn log_entries_are_written_by_the_incidents_people_and_carry_their_digest() {
    let mut i = incident(true);
    i.responders = vec![OUTSIDER];
    assert!(matches!(i.may_log(&i.roles_of(REPORTER, false)), Err(IncidentError::NotAllowed(_))));
    assert!(i.may_log(&i.roles_of(OUTSIDER, false)).is_ok());
    let out = i.logged(5, crate::domain::LogKind::Status, "隔離した");
    assert_eq!(
        out.events,
        vec![EventPayload::LogEntryAdded {
            entry_id: 5,
            kind: crate::domain::LogKind::Status,
            digest: crate::domain::event::digest("隔離した")
        }]
    );
    assert_eq!(out.effects, vec![Effect::PostLogEntry { incident: i.id, entry_id: 5, kind: crate::domain::LogKind::Status }]);
    i.phase = Phase::Closed;
    assert_eq!(i.may_log(&committee()), Err(IncidentError::Phase(PhaseError::AlreadyClosed)));
}

#[test]
fn every_alert_is_recorded_and_the_channel_reads_each_or_one_summary() {
    use crate::domain::alert::{Alert, Source, Status, SUMMARISE_ABOVE};
    let i = incident(true);
    let alerts: Vec<Alert> = (0..SUMMARISE_ABOVE + 1)
        .map(|n| Alert {
            source: Source::Grafana,
            title: format!("t{n}"),
            description: String::new(),
            labels: Default::default(),
            fingerprint: format!("f{n}"),
            status: if n == 0 { Status::Resolved } else { Status::Firing },
            url: None,
        })
        .collect();
    let pairs: Vec<(&Alert, bool)> = alerts.iter().map(|a| (a, true)).collect();
    let notices = |o: &Outcome| -> Vec<Notice> {
        o.effects
            .iter()
            .filter_map(|e| match e {
                Effect::PostNotice { incident, notice } if *incident == i.id => Some(notice.clone()),
                _ => None,
            })
            .collect()
    };
    let few = i.alerts(&pairs[..SUMMARISE_ABOVE]);
    assert_eq!(few.events.len(), SUMMARISE_ABOVE);
    let told = notices(&few);
    assert_eq!(told.len(), SUMMARISE_ABOVE);
    assert!(matches!(&told[0], Notice::Alert { resolved: true, repeated: true, title, .. } if title == "t0"));
    assert!(matches!(
        &few.events[0],
        EventPayload::AlertReceived { resolved: true, fingerprint, source, .. } if fingerprint == "f0" && source == "Grafana"
    ));
    assert!(matches!(&few.events[1], EventPayload::AlertReceived { resolved: false, .. }));

    let many = i.alerts(&pairs);
    assert_eq!(many.events.len(), SUMMARISE_ABOVE + 1, "every alert in the record");
    let told = notices(&many);
    assert!(matches!(&told[..], [Notice::Alerts(s)] if s.total() == SUMMARISE_ABOVE + 1 && s.resolved == 1), "{told:?}");
}
