//! §4.3's three records and §4.4 followed through: the committee's
//! approval of the plan, follow-up actions, record waivers.

use super::tests::{committee, in_lessons, incident, now, CHAIR, REPORTER};
use super::*;
use crate::domain::lessons::{ItDepartment, LessonItem, PreventionPlan};
use crate::domain::playbook::tests::playbook;

/// §4.4(1): the commander drafts, the committee approves; only approval
/// announces, and a later approval revises the announcement.
#[test]
fn the_commanders_plan_is_announced_only_once_the_committee_approves_it() {
    let mut i = in_lessons();
    let commander = i.roles_of(CHAIR, false);
    let plan = || PreventionPlan::new("EDR", "研修").unwrap();
    let draft = i.set_plan(CHAIR, &commander, plan(), ItDepartment::NotConfigured, now()).unwrap();
    assert!(!draft.effects.iter().any(|e| matches!(e, Effect::Announce { .. })), "a draft is not announced");
    assert_eq!(i.lessons.missing(false)[0], LessonItem::PlanApproval);
    assert!(matches!(i.approve_plan(CHAIR, &commander, ItDepartment::NotConfigured, now()), Err(IncidentError::NotAllowed(_))));
    let approved = i.approve_plan(REPORTER, &committee(), ItDepartment::NotConfigured, now()).unwrap();
    assert!(approved.effects.contains(&Effect::Announce { incident: i.id }));
    assert_eq!(i.approve_plan(REPORTER, &committee(), ItDepartment::NotConfigured, now()), Err(IncidentError::NothingToApprove));
    i.set_plan(CHAIR, &commander, PreventionPlan::new("EDR+NDR", "研修").unwrap(), ItDepartment::NotConfigured, now()).unwrap();
    assert_eq!(i.lessons.announced_plan().unwrap().technical, "EDR", "members still read the approved text");
    let revised = i.approve_plan(REPORTER, &committee(), ItDepartment::NotConfigured, now()).unwrap();
    assert!(revised.effects.contains(&Effect::RefreshAnnouncement { incident: i.id }));
    assert!(!revised.effects.iter().any(|e| matches!(e, Effect::Announce { .. })), "not a second announcement");
    assert_eq!(i.lessons.announced_plan().unwrap().technical, "EDR+NDR");
}

/// §4.4(1), §4.4(4): follow-up actions outlive the close; a playbook's is
/// done when its file changes, not before.
#[test]
fn follow_ups_are_done_by_their_owner_or_by_the_playbooks_change() {
    let c = committee();
    let mut i = in_lessons();
    i.playbook = Some(crate::domain::PlaybookId("malware".into()));
    let due = now() + chrono::Duration::days(10);
    let mut early = incident(true);
    assert_eq!(early.add_followup(&c, "EDR", None, due, now()), Err(IncidentError::FollowUpTooEarly));
    i.add_followup(&c, "EDR", Some(UserId(77)), due, now()).unwrap();
    i.add_note(&c, "", "復元手順が古い", Some(("d1".into(), due)), now()).unwrap();
    assert_eq!(i.lessons.followups.len(), 2);
    i.phase = Phase::Closed;
    // Its owner may mark it done without any role on the incident.
    let member = i.roles_of(UserId(78), false);
    assert!(matches!(i.complete_followup(UserId(78), &member, 1, now()), Err(IncidentError::NotAllowed(_))));
    i.complete_followup(UserId(77), &i.roles_of(UserId(77), false), 1, now()).unwrap();
    assert_eq!(i.complete_followup(UserId(77), &member, 1, now()), Err(IncidentError::FollowUpAlreadyDone(1)));
    assert!(i.playbooks_changed(|_| Some("d1".into()), now()).events.is_empty(), "the same file");
    let done = i.playbooks_changed(|_| Some("d2".into()), now());
    assert_eq!(done.events, vec![EventPayload::FollowUpDone { n: 2 }]);
    assert!(i.lessons.open_followups().next().is_none());
}

/// The scheduler watches an incident while it is open, while a report to
/// the PPC is owed, and while a follow-up is not done; never a held report.
#[test]
fn an_incident_is_watched_while_something_can_fall_due() {
    let c = committee();
    let mut i = in_lessons();
    assert!(i.watched(), "open");
    i.held = true;
    assert!(!i.watched(), "held for triage");
    i.held = false;
    i.phase = Phase::Closed;
    assert!(!i.watched(), "closed, nothing owed");
    i.appi.set(crate::domain::appi::AppiQuestion::ALL[0], true);
    assert!(i.watched(), "a report to the PPC owed");
    i.appi.final_filed = true;
    assert!(!i.watched(), "the final report filed");
    i.phase = Phase::Lessons;
    i.add_followup(&c, "EDR", None, now() + chrono::Duration::days(10), now()).unwrap();
    i.phase = Phase::Closed;
    assert!(i.watched(), "a follow-up not done");
    i.complete_followup(REPORTER, &c, 1, now()).unwrap();
    assert!(!i.watched(), "every follow-up done");
}

/// §4.3: Recovery ends with an entry of each of the three records, or the
/// committee's waiver of the missing one, with a reason.
#[test]
fn recovery_ends_only_with_the_three_records_or_a_waiver() {
    let pb = playbook("malware", &["breach/malware"], 0);
    let mut i = in_lessons();
    i.phase = Phase::Recovery;
    let c = committee();
    let status = [LogKind::Status];
    assert_eq!(
        i.advance(CHAIR, &c, Some(&pb), true, &status, now()),
        Err(IncidentError::RecordsMissing(vec![LogKind::BusinessResumption, LogKind::StakeholderImpact]))
    );
    assert!(matches!(
        i.waive_record(CHAIR, &i.roles_of(CHAIR, false), LogKind::StakeholderImpact, "顧客なし"),
        Err(IncidentError::NotAllowed(_))
    ));
    assert_eq!(i.waive_record(CHAIR, &c, LogKind::StakeholderImpact, " "), Err(IncidentError::ReasonRequired));
    i.waive_record(CHAIR, &c, LogKind::StakeholderImpact, "社外の利用者はいない").unwrap();
    assert_eq!(i.records_missing(&status), vec![LogKind::BusinessResumption]);
    i.advance(CHAIR, &c, Some(&pb), true, &[LogKind::Status, LogKind::BusinessResumption], now()).unwrap();
    assert_eq!(i.phase, Phase::Lessons);
}

/// §4.4(2): the committee records the board's meeting once it owes one,
/// with the approved plan, a decision in words, and a day not ahead
/// (today is fine); once.
#[test]
fn the_board_is_told_of_an_approved_plan_on_a_day_it_met() {
    use crate::domain::lessons::{BoardMeeting, BoardQuestion};
    let c = committee();
    let mut i = in_lessons();
    let today = now().date_naive();
    let told = |day, decided: &str| BoardMeeting { met_on: day, decided: decided.into() };
    assert_eq!(i.board_told(REPORTER, &c, told(today, "了承"), now()), Err(IncidentError::NoBoardReportOwed));
    i.answer_board(&c, BoardQuestion::VictimOfOutsideBreach, true).unwrap();
    i.answer_board(&c, BoardQuestion::HarmedOutsiders, false).unwrap();
    assert!(matches!(i.board_told(CHAIR, &i.roles_of(CHAIR, false), told(today, "了承"), now()), Err(IncidentError::NotAllowed(_))));
    assert_eq!(i.board_told(REPORTER, &c, told(today, "了承"), now()), Err(IncidentError::BoardNeedsApprovedPlan));
    i.set_plan(REPORTER, &c, PreventionPlan::new("EDR", "研修").unwrap(), ItDepartment::NotConfigured, now()).unwrap();
    assert_eq!(i.board_told(REPORTER, &c, told(today, "  "), now()), Err(IncidentError::BoardDecisionEmpty));
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(i.board_told(REPORTER, &c, told(tomorrow, "了承"), now()), Err(IncidentError::BoardMeetingAhead));
    let out = i.board_told(REPORTER, &c, told(today, " 了承 "), now()).unwrap();
    assert!(matches!(&out.events[0], EventPayload::BoardTold { met_on: Some(d), decided } if *d == today && decided == "了承"));
    assert_eq!(i.lessons.board_told.as_ref().map(|t| (t.by, t.met_on)), Some((REPORTER, Some(today))));
    assert_eq!(i.board_told(REPORTER, &c, told(today, "了承"), now()), Err(IncidentError::BoardAlreadyTold));
}
