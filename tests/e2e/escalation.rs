//! §4.2, Table 1 (issue 26): a report nobody of the committee acknowledges
//! is taken further, step by step, on a clock the tests move — the member
//! on duty by DM, the role again, every committee member by DM, then
//! outside Discord — and nothing more once someone acknowledges.

use crate::support::fake::{ids, snowflake, Fault};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{DateTime, Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use hikeshi::domain::Incident;
use serde_json::{json, Value};
use std::sync::Arc;

/// Bob and Carol on duty a week each from Monday 1 June 2026, 09:00 in
/// Tokyo; Carol is not DMed from 22:00 to 07:00.
pub fn with_oncall(config: String) -> String {
    config
        + "\n[oncall]\nrotation = [3002, 3003]\nstart = \"2026-06-01 09:00\"\n\
           quiet_hours = [{ member = 3003, from = \"22:00\", to = \"07:00\" }]\n"
}

/// `h:m` on Wednesday 3 June 2026 in Tokyo (Bob's week).
fn wednesday(h: u32, m: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo.with_ymd_and_hms(2026, 6, 3, h, m, 0).unwrap().with_timezone(&Utc)
}

fn custom_ids(message: &Value) -> Vec<String> {
    let rows = message["components"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

fn chain_dms(app: &TestApp, user: u64) -> Vec<String> {
    app.dms_to(user).into_iter().filter(|m| m.starts_with('🔔')).collect()
}

fn pings_again(app: &TestApp) -> Vec<Value> {
    app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().filter(|m| m["content"].as_str().is_some_and(|c| c.contains('⏰'))).collect()
}

/// The chain's events of `i`, as (kind, payload).
async fn chain_events(app: &TestApp, i: &Incident) -> Vec<(String, Value)> {
    let events = app.store.events_of(i.id).await.unwrap();
    events
        .into_iter()
        .filter(|e| e.kind.starts_with("escalat"))
        .map(|e| (e.kind.clone(), serde_json::from_str(&e.payload).unwrap()))
        .collect()
}

async fn at(app: &TestApp, clock: &ManualClock, t: DateTime<Utc>) {
    clock.set(t);
    app.ticks_pass(2).await;
}

#[tokio::test]
async fn an_unacknowledged_report_goes_to_the_member_on_duty_the_role_and_every_member_then_stops_at_the_acknowledgement() {
    let clock = ManualClock::new(wednesday(14, 0));
    let mut app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let i = app.report_malware(ids::ALICE).await; // the file server: priority 1, four hours
    app.settled().await;

    at(&app, &clock, wednesday(17, 59)).await;
    assert!(chain_dms(&app, ids::BOB).is_empty() && pings_again(&app).is_empty(), "nothing before the deadline");

    at(&app, &clock, wednesday(18, 0)).await;
    let bob = chain_dms(&app, ids::BOB);
    assert_eq!(bob.len(), 1, "{bob:?}");
    assert!(bob[0].contains(&i.number.to_string()) && bob[0].contains("当番として") && bob[0].contains("4時間"), "{}", bob[0]);
    assert!(chain_dms(&app, ids::CAROL).is_empty(), "only the member on duty first");
    // A restart between steps neither repeats one nor loses the next.
    app.restart().await;

    at(&app, &clock, wednesday(18, 5)).await;
    let pings = pings_again(&app);
    assert_eq!(pings.len(), 1);
    let ping = &pings[0];
    assert!(ping["content"].as_str().unwrap().starts_with(&format!("<@&{}> ⏰", ids::COMMITTEE_ROLE)), "{ping}");
    assert!(ping["content"].as_str().unwrap().contains("4時間5分") && ping["content"].as_str().unwrap().contains("優先度1"), "{ping}");
    let sent =
        app.posts_in(ids::COMMITTEE_CHANNEL).into_iter().find(|p| p.body["content"].as_str().is_some_and(|c| c.contains('⏰'))).unwrap();
    assert_eq!(sent.body["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]), "only the committee is pinged");
    assert!(custom_ids(ping).contains(&format!("hk1:iack:{}", i.id)), "with 確認しました");

    at(&app, &clock, wednesday(18, 10)).await;
    assert_eq!(chain_dms(&app, ids::BOB).len(), 2);
    let carol = chain_dms(&app, ids::CAROL);
    assert_eq!(carol.len(), 1);
    assert!(carol[0].contains("委員全員"), "{}", carol[0]);

    at(&app, &clock, wednesday(18, 15)).await;
    let events = chain_events(&app, &i).await;
    let steps: Vec<&str> = events.iter().filter(|(k, _)| k == "escalated").map(|(_, p)| p["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["on_duty", "ping_again", "committee", "outside"], "each step once, in order");
    let outside = events.iter().find(|(k, p)| k == "escalation_delivered" && p["step"] == "outside").expect("the last step recorded");
    assert_eq!(outside.1["missed"], json!(["nothing configured outside Discord"]));

    // Carol acknowledges from the ping: the chain is over.
    let reply =
        app.interact(payloads::button(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL), &format!("hk1:iack:{}", i.id), ping)).await;
    assert!(ephemeral_text(&reply).contains("エスカレーションは止まります"), "{reply}");
    at(&app, &clock, wednesday(23, 0)).await;
    at(&app, &clock, wednesday(23, 0) + Duration::days(2)).await;
    assert_eq!((chain_dms(&app, ids::BOB).len(), chain_dms(&app, ids::CAROL).len(), pings_again(&app).len()), (2, 1, 1));
    assert_eq!(chain_events(&app, &i).await.iter().filter(|(k, _)| k == "escalated").count(), 4);
}

#[tokio::test]
async fn a_step_waiting_when_the_committee_acknowledges_is_never_sent() {
    let clock = ManualClock::new(wednesday(10, 0));
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    // Discord fails to open Bob's DM channel, twice: the step waits.
    app.fake.fail("POST", "/users/@me/channels", vec![Fault::Status(500), Fault::Status(500)]);
    clock.set(wednesday(14, 0));
    app.eventually("the first step is queued", || async { !chain_events(&app, &i).await.is_empty() }).await;
    let card = app.card(&i);
    let pressed = std::time::Instant::now();
    app.interact(payloads::button(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &format!("hk1:iack:{}", i.id), &card)).await;
    app.eventually("the waiting step is settled", || async {
        app.store.outbox_rows().await.unwrap().iter().all(|r| r.kind != "escalate" || r.status == "done")
    })
    .await;
    let stopped = pressed.elapsed();
    eprintln!("from the acknowledgement to the chain's stop: {stopped:?}");
    assert!(stopped < std::time::Duration::from_secs(5), "{stopped:?}");
    at(&app, &clock, wednesday(20, 0)).await;
    assert!(chain_dms(&app, ids::BOB).is_empty() && chain_dms(&app, ids::CAROL).is_empty() && pings_again(&app).is_empty());
    let events = chain_events(&app, &i).await;
    assert_eq!(events.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["escalated"], "queued once, delivered never");
}

#[tokio::test]
async fn quiet_hours_leave_a_member_out_and_the_record_says_so() {
    let clock = ManualClock::new(wednesday(18, 0));
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    // 22:10 in Tokyo: every committee member is DMed but Carol, asleep.
    at(&app, &clock, wednesday(22, 10)).await;
    assert_eq!(chain_dms(&app, ids::BOB).len(), 2);
    assert!(chain_dms(&app, ids::CAROL).is_empty(), "quiet hours");
    let events = chain_events(&app, &i).await;
    let committee = events.iter().find(|(k, p)| k == "escalation_delivered" && p["step"] == "committee").unwrap();
    assert_eq!(committee.1["reached"], json!([format!("dm:{}", ids::BOB)]));
    assert_eq!(committee.1["missed"], json!([format!("quiet:{}", ids::CAROL)]));
}

#[tokio::test]
async fn two_processes_on_one_database_take_each_step_once() {
    let clock = ManualClock::new(wednesday(14, 0));
    let mut app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    // A second process on the same database (both get every interaction,
    // so the report came first).
    app.start_another_bot().await;
    for minute in [0, 5, 10, 15] {
        at(&app, &clock, wednesday(18, minute)).await;
    }
    for _ in 0..3 {
        app.ticks_pass(2).await;
    }
    assert_eq!((chain_dms(&app, ids::BOB).len(), chain_dms(&app, ids::CAROL).len(), pings_again(&app).len()), (2, 1, 1));
    let kinds: Vec<String> = chain_events(&app, &i).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "escalated").count(), 4, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "escalation_delivered").count(), 4, "{kinds:?}");
}
