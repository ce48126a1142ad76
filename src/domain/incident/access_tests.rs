//! Who may be in the channel, as the state decides: reports merged into an
//! incident (a confidential reporter stays confidential), command handed
//! over, the people the archive keeps as readers.

use super::tests::{committee, incident, now, CHAIR, OUTSIDER, REPORTER};
use super::*;
use crate::domain::effect::Notice;

/// A confidential reporter merged into a public incident is never named,
/// pinged or let in there: an anonymous notice, a DM, and the merge keeps
/// them confidential on the original (DMs of its changes, Add information).
#[test]
fn a_confidential_duplicate_stays_confidential_on_the_original() {
    let c = committee();
    let mut original = incident(true);
    original.id = IncidentId(2);
    let mut dup = incident(true);
    dup.reporter = OUTSIDER;
    dup.confidential = true;
    let out = dup.mark_duplicate(CHAIR, &c, &mut original, now()).unwrap();
    assert!(out.duplicate.effects.contains(&Effect::TellReporter { incident: dup.id }));
    assert!(out.original.effects.contains(&Effect::PostNotice { incident: original.id, notice: Notice::ConfidentialReportMerged }));
    for e in &out.original.effects {
        assert!(
            !matches!(e, Effect::GrantAccess { .. } | Effect::PostNotice { notice: Notice::DuplicateReporterJoined { .. }, .. }),
            "{e:?}"
        );
    }
    assert_eq!(out.original.events, vec![EventPayload::ReportMerged { duplicate: dup.id, confidential: true }]);
    assert_eq!(original.merged, vec![MergedReport { number: dup.number, reporter: OUTSIDER, confidential: true, wave: false }]);
    assert!(!original.has_access(OUTSIDER));
    assert_eq!(original.confidential_reporters(), vec![OUTSIDER]);
    // Later changes of the original reach them by DM; they may add information.
    original.take_command(CHAIR, &c, now()).unwrap();
    let changed = original.advance(CHAIR, &c, None, true, &LogKind::ALL, now()).unwrap();
    assert!(changed.effects.contains(&Effect::TellReporter { incident: original.id }));
    assert!(original.add_info(OUTSIDER, "more").is_ok());
    assert!(original.add_info(UserId(99), "more").is_err());
}

/// Who keeps their own access (the archive's readers): reporter unless
/// confidential, commander, responders, public merged reporters, each once.
#[test]
fn the_people_with_access_follow_the_state() {
    let mut i = incident(true);
    i.commander = Some(REPORTER);
    i.responders = vec![OUTSIDER];
    i.merged = vec![
        MergedReport { number: i.number, reporter: UserId(5), confidential: false, wave: false },
        MergedReport { number: i.number, reporter: UserId(6), confidential: true, wave: false },
    ];
    assert_eq!(i.people_with_access(), vec![UserId(5), REPORTER, OUTSIDER]);
    i.confidential = true;
    i.commander = None;
    assert_eq!(i.people_with_access(), vec![UserId(5), OUTSIDER]);
}

/// The commander or the committee hands command over; the old commander
/// keeps access only while the state still gives it.
#[test]
fn command_is_handed_over_and_the_old_commanders_access_follows_the_state() {
    let c = committee();
    let mut i = incident(true);
    assert_eq!(i.hand_over(CHAIR, &c, OUTSIDER, now()), Err(IncidentError::NoCommanderToHandOver));
    i.take_command(CHAIR, &c, now()).unwrap();
    let old = i.commander.unwrap();
    assert_eq!(i.hand_over(CHAIR, &c, old, now()), Err(IncidentError::AlreadyCommanded(old)));
    assert!(matches!(i.hand_over(OUTSIDER, &i.roles_of(OUTSIDER, false), OUTSIDER, now()), Err(IncidentError::NotAllowed(_))));
    let out = i.hand_over(old, &i.roles_of(old, false), OUTSIDER, now()).unwrap();
    assert_eq!(i.commander, Some(OUTSIDER));
    assert_eq!(out.events, vec![EventPayload::CommandHandedOver { from: old, to: OUTSIDER }]);
    assert!(out.effects.contains(&Effect::GrantAccess { incident: i.id, user: OUTSIDER }));
    assert!(out.effects.contains(&Effect::RevokeAccess { incident: i.id, user: old }));
    assert!(out.effects.contains(&Effect::RefreshCard { incident: i.id }));
    // Handed back to someone who is also a responder: their access stays.
    i.responders.push(old);
    let out = i.hand_over(OUTSIDER, &i.roles_of(OUTSIDER, false), old, now()).unwrap();
    assert!(out.effects.contains(&Effect::RevokeAccess { incident: i.id, user: OUTSIDER }));
    i.responders.push(OUTSIDER);
    let out = i.hand_over(CHAIR, &c, UserId(77), now()).unwrap();
    assert!(!out.effects.iter().any(|e| matches!(e, Effect::RevokeAccess { .. })), "{:?}", out.effects);
}

/// Issue 28: the record on the web is read by whoever reads the channel:
/// the committee, the reporter, the commander and responders; 情報システム部
/// in Lessons only (never in drills); never a confidential reporter, an
/// outsider, or a responder once removed.
#[test]
fn the_record_is_read_by_whoever_reads_the_channel() {
    let c = committee();
    let member = RoleSet::default();
    let it = RoleSet { it_department: true, ..Default::default() };
    let mut i = incident(true);
    assert!(i.reads_record(REPORTER, &member));
    assert!(i.reads_record(OUTSIDER, &c));
    assert!(!i.reads_record(OUTSIDER, &member));
    i.commander = Some(CHAIR);
    i.responders.push(UserId(77));
    assert!(i.reads_record(CHAIR, &member));
    assert!(i.reads_record(UserId(77), &member));
    i.responders.clear();
    assert!(!i.reads_record(UserId(77), &member), "a removed responder reads no more");
    assert!(!i.reads_record(OUTSIDER, &it), "not before Lessons");
    i.phase = Phase::Lessons;
    assert!(i.reads_record(OUTSIDER, &it));
    i.number.drill = true;
    assert!(!i.reads_record(OUTSIDER, &it), "drills wait for nobody");
    i.number.drill = false;
    i.confidential = true;
    assert!(!i.reads_record(REPORTER, &member), "a confidential reporter is not let in");
    assert!(i.reads_record(REPORTER, &c));
}
