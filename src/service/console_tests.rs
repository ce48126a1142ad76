//! Issue 28: the console's list — its filters, its pages, and that each
//! member finds only the incidents whose channel they read — and sign-ins
//! begun and made, by the service alone.

use super::*;
use crate::domain::report::ReportDraft;
use crate::domain::{Category, Phase};

async fn app(dir: &std::path::Path) -> Hikeshi {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config");
    let store = crate::store::testing::fresh_sqlite(dir).await.expect("store");
    Hikeshi::new(store, Arc::new(settings), Arc::new(crate::clock::SystemClock))
}

async fn report(app: &Hikeshi, who: Caller, category: Category, k: usize) -> Incident {
    // Each its own text: look-alike reports would join one incident (a wave).
    let draft =
        ReportDraft { category: Some(category), title: format!("t{k}"), description: format!("report number {k}"), ..Default::default() };
    app.reports().report(&draft, who, &format!("interaction:{k}"), None).await.unwrap().incident
}

#[tokio::test]
async fn the_list_filters_pages_and_shows_each_member_only_their_incidents() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let (alice, dave, committee) = (Caller::member(UserId(5), false), Caller::member(UserId(6), false), Caller::member(UserId(9), true));
    for k in 0..PER_PAGE + 2 {
        report(&app, alice, Category::Failure, k).await;
    }
    let threat = report(&app, dave, Category::Threat, 100).await;
    let list = |who, w: Wanted| {
        let app = app.clone();
        async move { app.records().incidents_for(who, &w).await.unwrap() }
    };
    let all = list(committee, Wanted::default()).await;
    assert_eq!((all.total, all.page, all.pages, all.incidents.len()), (PER_PAGE + 3, 1, 2, PER_PAGE));
    assert_eq!(all.incidents[0].id, threat.id, "newest first");
    let second = list(committee, Wanted { page: 2, ..Default::default() }).await;
    assert_eq!((second.page, second.incidents.len()), (2, 3));
    assert_eq!(list(committee, Wanted { page: 99, ..Default::default() }).await.page, 2, "past the end: the last page");
    let threats = list(committee, Wanted { category: Some(Category::Threat), ..Default::default() }).await;
    assert_eq!(threats.incidents.iter().map(|i| i.id).collect::<Vec<_>>(), vec![threat.id]);
    assert_eq!(list(committee, Wanted { phase: Some(Phase::Analysis), ..Default::default() }).await.total, 0);
    assert_eq!(list(committee, Wanted { shown: Shown::Closed, ..Default::default() }).await.total, 0);
    assert_eq!(list(committee, Wanted { shown: Shown::Drills, ..Default::default() }).await.total, 0);
    for shown in Shown::ALL {
        assert_eq!(Shown::parse(shown.id()), shown, "the address names each tab as it reads it");
    }
    assert_eq!(Shown::parse("everything"), Shown::Open);
    let year = threat.reported_at.with_timezone(&app.settings.organisation.tz).format("%Y").to_string().parse::<i32>().unwrap();
    assert_eq!(list(committee, Wanted { year: Some(year), ..Default::default() }).await.total, PER_PAGE + 3);
    assert_eq!(list(committee, Wanted { year: Some(year - 1), ..Default::default() }).await.total, 0);
    let priority = crate::domain::RecoveryPriority::NoDowntime;
    assert_eq!(list(committee, Wanted { priority: Some(priority), ..Default::default() }).await.total, 0, "no system named");
    // Dave reads his own only; Alice hers; someone else none.
    let daves = list(dave, Wanted::default()).await;
    assert_eq!(daves.incidents.iter().map(|i| i.id).collect::<Vec<_>>(), vec![threat.id]);
    assert_eq!(list(alice, Wanted::default()).await.total, PER_PAGE + 2);
    assert_eq!(list(Caller::member(UserId(7), false), Wanted::default()).await.total, 0);
    // The record: refused alike whether it exists or not, to a member.
    let refused = app.records().record_for(dave, all.incidents[1].number).await;
    assert!(matches!(refused, Err(ServiceError::Refused(_))), "{:?}", refused.map(|_| ()));
    let missing: crate::domain::IncidentNumber = "INC-2099-0001".parse().unwrap();
    assert!(matches!(app.records().record_for(dave, missing).await, Err(ServiceError::Refused(_))));
    assert!(matches!(app.records().record_for(committee, missing).await, Err(ServiceError::NotFound(_))));
    assert!(app.records().record_for(dave, threat.number).await.is_ok());
}

#[tokio::test]
async fn a_sign_in_is_answered_once_and_only_a_member_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let c = app.console();
    let begun = c.begin("https://evil.example/").await.unwrap();
    assert_eq!(begun.challenge.len(), 43);
    let (verifier, next) = c.answered(&begun.state).await.unwrap().unwrap();
    assert_eq!(next, "/", "only a path of this site");
    assert_eq!(crate::domain::console::pkce_challenge(&verifier), begun.challenge);
    assert_eq!(c.answered(&begun.state).await.unwrap(), Err(ConsoleError::UnknownAttempt), "once");
    assert_eq!(c.answered("forged").await.unwrap(), Err(ConsoleError::UnknownAttempt));
    let committee_role = app.settings.discord.committee_role;
    assert_eq!(c.open(UserId(5), None).await.unwrap().err(), Some(ConsoleError::NotMember));
    let opened = c.open(UserId(5), Some(&[committee_role])).await.unwrap().unwrap();
    assert!(opened.session.committee && !opened.session.it_department);
    let found = c.session(&opened.cookie).await.unwrap().unwrap().expect("signed in");
    assert_eq!((found.user, found.committee, &found.csrf), (UserId(5), true, &opened.session.csrf));
    assert_eq!(c.session("not-a-cookie").await.unwrap(), Ok(None));
    // The gateway says the role was taken: the committee's sign-in ends.
    c.member_changed(UserId(5), Some(&[])).await.unwrap();
    assert_eq!(c.session(&opened.cookie).await.unwrap(), Ok(None));
    let plain = c.open(UserId(6), Some(&[])).await.unwrap().unwrap();
    c.sign_out(&plain.cookie, UserId(6)).await.unwrap();
    assert_eq!(c.session(&plain.cookie).await.unwrap(), Ok(None), "signed out");
}
