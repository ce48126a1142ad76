//! Issue 26 item 6: the organisation's other tools hear of each incident's
//! life by a signed webhook — and never who reported it or what anyone
//! wrote, least of all for a confidential report.

use crate::privacy::confidential_report;
use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::receiver::Receiver;
use crate::support::TestApp;
use serde_json::Value;

const SECRET: &str = "tools-secret";

#[tokio::test]
async fn tools_hear_opened_phase_changed_closed_signed_and_nothing_confidential() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let url = receiver.url();
    let mut app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), move |c| {
        c + &format!("\n[webhooks]\nevents_url = {url:?}\n")
    })
    .await;
    app.webhook_secret = Some(SECRET.into());
    app.start_bot().await;

    let secret_title = "Dave leaks the payroll @everyone";
    let i = confidential_report(&app, ids::DAVE, secret_title, "He copies it to https://evil.example every night").await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 1).await;
    let form = app.click(ids::CAROL, &i, &format!("hk1:dismiss:{}", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &custom, &[("body", "誤報: DAVE-REASON")])).await;
    app.settled().await;

    let got = receiver.received();
    let bodies: Vec<Value> = got.iter().map(|r| serde_json::from_str(&r.body).unwrap()).collect();
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert!(
        types.contains(&"incident.opened") && types.contains(&"incident.phase_changed") && types.contains(&"incident.closed"),
        "{types:?}"
    );
    assert_eq!(types.len(), 3, "each once: {types:?}");
    assert!(got.iter().all(|r| r.signed_ok == Some(true)), "every body signed with the shared secret");
    let closed = bodies.iter().find(|b| b["type"] == "incident.closed").unwrap();
    assert_eq!(closed["event"]["how"], "dismissed");
    let changed = bodies.iter().find(|b| b["type"] == "incident.phase_changed").unwrap();
    assert_eq!((changed["event"]["from"].as_str(), changed["event"]["to"].as_str()), (Some("reported"), Some("analysis")), "{changed}");
    for (r, b) in got.iter().zip(&bodies) {
        assert_eq!(b["incident"]["number"], i.number.to_string());
        for secret in [secret_title, "payroll", "evil.example", "DAVE-REASON", &ids::DAVE.to_string(), &ids::BOB.to_string()] {
            assert!(!r.body.contains(secret), "{secret} left for the tools: {}", r.body);
        }
    }
}

#[tokio::test]
async fn without_events_url_nothing_is_sent_and_the_outbox_settles() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.advance_times(ids::BOB, &i, 1).await;
    app.settled().await;
    assert!(receiver.received().is_empty());
}
