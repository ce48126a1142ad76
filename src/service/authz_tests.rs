//! Every committee-only read and decision is refused by the service itself
//! to a member, whatever the Discord layer showed; a read of a plan never
//! announced records nothing.

use super::*;
use crate::domain::incident::IncidentError;
use crate::domain::report::ReportDraft;
use crate::domain::{Category, PlaybookId};
use chrono::Utc;

async fn app(dir: &std::path::Path) -> (Hikeshi, Store) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config");
    let store = crate::store::testing::fresh_sqlite(dir).await.expect("store");
    (Hikeshi::new(store.clone(), Arc::new(settings), Arc::new(crate::clock::SystemClock)), store)
}

fn not_allowed<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::Refused(IncidentError::NotAllowed(_)))), "{r:?}");
}

#[tokio::test]
async fn committee_reads_and_decisions_are_refused_to_members_by_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app(dir.path()).await;
    let member = Caller::member(UserId(5), false);
    let draft = ReportDraft { category: Some(Category::Breach), title: "t".into(), description: "d".into(), ..Default::default() };
    let i = app.reports().report(&draft, member, "interaction:1", None).await.unwrap().incident;
    let (from, until) = (chrono::DateTime::<Utc>::MIN_UTC, Utc::now());
    not_allowed(app.lessons().readers(i.id, member).await);
    not_allowed(app.lessons().playbook_notes(member, &PlaybookId("malware".into())).await);
    not_allowed(app.reminders().overview(member).await);
    not_allowed(app.records().stats_for(member, from, until).await);
    not_allowed(app.records().audit_for(member, None).await);
    not_allowed(app.incidents().set_public_title(i.id, member, "x").await);
    not_allowed(app.incidents().hand_over(i.id, member, UserId(6)).await);
    // The reporter is no commander: no export for them either.
    let mut tx = store.begin().await.unwrap();
    let mut stored = tx.incident(i.id).await.unwrap();
    stored.channel = Some(crate::domain::ChannelId(77));
    tx.save_incident(&stored, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    not_allowed(app.records().export(member, crate::domain::ChannelId(77)).await);
    // A plan never announced cannot be read, by anyone.
    let committee = Caller::member(UserId(9), true);
    for who in [member, committee] {
        let r = app.lessons().read_announcement(i.id, who).await;
        assert!(matches!(r, Err(ServiceError::NotFound(Missing::Announcement))), "{r:?}");
    }
    assert!(store.readers(i.id).await.unwrap().is_empty());
}

/// The flood guard: past the limit a member's report is stored and held;
/// the committee is never held; the ping for held reports is queued once
/// per window.
#[tokio::test]
async fn a_members_reports_past_the_limit_are_held_and_pinged_once() {
    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app(dir.path()).await;
    let limit = app.settings.reports.channels_per_member_per_hour;
    // Each report its own (look-alike ones would join a wave instead).
    let draft = |n: usize, who: &str| ReportDraft {
        category: Some(Category::Unsure),
        title: format!("r{n}"),
        description: format!("{who} {n}"),
        ..Default::default()
    };
    let member = Caller::member(UserId(5), false);
    let committee = Caller::member(UserId(9), true);
    for n in 0..limit + 3 {
        let held = app.reports().report(&draft(n, "m"), member, &format!("m:{n}"), None).await.unwrap().incident.held;
        assert_eq!(held, n >= limit, "report {n}");
        let held = app.reports().report(&draft(n, "c"), committee, &format!("c:{n}"), None).await.unwrap().incident.held;
        assert!(!held, "the committee is never held");
    }
    assert_eq!(app.reports().held_reports().await.unwrap().len(), 3);
    let pings = store.undelivered().await.unwrap().into_iter().filter(|e| *e == crate::domain::Effect::PingTriage).count();
    assert_eq!(pings, 1, "one ping per window");
    // Another member is not held.
    let other = Caller::member(UserId(6), false);
    assert!(!app.reports().report(&draft(0, "o"), other, "o:0", None).await.unwrap().incident.held);
}
