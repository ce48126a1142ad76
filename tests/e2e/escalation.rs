//! §4.2, Table 1 (issue 26): a report nobody of the committee acknowledges
//! is taken further, step by step, on a clock the tests move — the member
//! on duty by DM, the role again, every committee member by DM, then
//! outside Discord — and nothing more once someone acknowledges.

use crate::support::fake::{ids, snowflake, Fault};
use crate::support::payloads::{self, Who};
use crate::support::receiver::Answer;
use crate::support::{custom_ids, ephemeral_text, TestApp};
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

const SECRET: &str = "the-committee's-webhook-secret";

/// The escalation's last step to `url`, in `format`.
fn with_webhook(url: &str, format: &str) -> impl FnOnce(String) -> String {
    let line = format!("step_every_minutes = 5\nwebhook_url = {url:?}\nwebhook_format = {format:?}");
    move |c: String| with_oncall(c.replace("step_every_minutes = 5", &line))
}

async fn outside_records(app: &TestApp, i: &Incident) -> Vec<Value> {
    chain_events(app, i).await.into_iter().filter(|(k, p)| k == "escalation_delivered" && p["step"] == "outside").map(|(_, p)| p).collect()
}

/// A report left unacknowledged until its last step, whose road outside
/// Discord finds nobody listening at first.
async fn outside_refused_at_first(app: &TestApp, clock: &ManualClock) -> Incident {
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    clock.set(wednesday(18, 15));
    app.ticks_only(2).await;
    app.eventually("a try failed", || async {
        app.store.outbox_rows().await.unwrap().iter().any(|r| r.kind == "page_outside" && r.attempts > 0)
    })
    .await;
    i
}

/// Moves the clock on a few seconds at a time, so the outbox's back-off
/// (on the app's clock) lets a failed road be tried again.
async fn retries_pass(app: &TestApp, clock: &ManualClock, seconds: i64) {
    for _ in 0..seconds / 5 {
        clock.advance(Duration::seconds(5));
        app.ticks_only(1).await;
    }
}

#[tokio::test]
async fn the_signed_webhook_is_away_fails_and_hangs_then_arrives_once_with_a_signature_that_holds() {
    let clock = ManualClock::new(wednesday(14, 0));
    let away = crate::support::receiver::nobody_listening().await;
    let url = format!("http://{away}/hikeshi");
    let mut app = TestApp::without_bot(Arc::new(clock.clone()), with_webhook(&url, "signed")).await;
    app.webhook_secret = Some(SECRET.into());
    app.start_bot().await;
    // Nobody listens: tried, refused at the door, tried again later.
    let i = outside_refused_at_first(&app, &clock).await;
    assert!(outside_records(&app, &i).await.is_empty(), "not delivered yet");
    // The receiver comes back, answers 503, then hangs, then 500, then 200.
    let receiver = crate::support::receiver::Receiver::start_at(away, Some(SECRET)).await;
    receiver.then(vec![Answer::Status(503), Answer::Hang, Answer::Status(500)]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while receiver.received().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the webhook never arrived:\n{:?}", app.store.outbox_rows().await.unwrap());
        retries_pass(&app, &clock, 60).await;
    }
    retries_pass(&app, &clock, 600).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "once, whatever failed before");
    assert_eq!(got[0].signed_ok, Some(true), "the signature holds under the shared secret");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "escalation");
    assert_eq!(body["incident"]["number"], i.number.to_string());
    assert_eq!(body["incident"]["priority"], 1);
    assert!(body["incident"]["link"].as_str().unwrap().ends_with(&i.channel.unwrap().0.to_string()));
    assert!(!got[0].body.contains(&i.title), "no text a member wrote leaves Discord: {}", got[0].body);
    assert!(got[0].headers.get("x-hikeshi-delivery").is_some());
    let records = outside_records(&app, &i).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["reached"], json!(["webhook"]));
}

#[tokio::test]
async fn ntfy_and_slack_bodies_and_a_refusal_is_recorded_as_missed() {
    for (format, check) in [("ntfy", 0), ("slack", 1), ("signed", 2)] {
        let clock = ManualClock::new(wednesday(14, 0));
        let receiver = crate::support::receiver::Receiver::start(None).await;
        let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_webhook(&receiver.url(), format)).await;
        let i = app.report_malware(ids::ALICE).await;
        app.settled().await;
        at(&app, &clock, wednesday(18, 15)).await;
        match check {
            0 => {
                app.eventually("ntfy got it", || async { !receiver.received().is_empty() }).await;
                let got = &receiver.received()[0];
                assert!(got.body.contains(&i.number.to_string()) && got.body.contains("確認しました"), "{}", got.body);
                assert_eq!(got.headers["priority"], "default", "priority 1");
                assert!(got.headers["title"].to_str().unwrap().starts_with("=?UTF-8?B?"), "a Japanese title, encoded");
            }
            1 => {
                app.eventually("slack got it", || async { !receiver.received().is_empty() }).await;
                let body: Value = serde_json::from_str(&receiver.received()[0].body).unwrap();
                assert!(body["text"].as_str().unwrap().contains(&i.number.to_string()), "{body}");
            }
            _ => {
                // Signed, but the operator set no secret: refused at once,
                // recorded as missed, nothing sent unsigned.
                app.eventually("the miss is recorded", || async { !outside_records(&app, &i).await.is_empty() }).await;
                let records = outside_records(&app, &i).await;
                assert!(records[0]["missed"][0].as_str().unwrap().contains("HIKESHI_WEBHOOK_SECRET"), "{records:?}");
                assert!(receiver.received().is_empty());
            }
        }
    }
}

/// The last step by e-mail to `addr`, STARTTLS with the test CA.
fn with_mail(addr: std::net::SocketAddr) -> impl FnOnce(String) -> String {
    let ca = crate::support::mailserver::certificate().display().to_string();
    let lines = format!(
        "step_every_minutes = 5\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\nsmtp_ca_file = {ca:?}\n\
         mail_from = \"hikeshi@example.org\"\nmail_to = [\"security@example.org\", \"duty@example.org\"]",
        addr.port()
    );
    move |c: String| with_oncall(c.replace("step_every_minutes = 5", &lines))
}

#[tokio::test]
async fn the_mail_waits_for_a_server_that_is_away_then_arrives_once_over_starttls() {
    if !crate::support::mailserver::available() {
        assert!(std::env::var("CI").is_err(), "CI installs python3-aiosmtpd");
        eprintln!("SKIPPED: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd; .ci/run installs it)");
        return;
    }
    let clock = ManualClock::new(wednesday(14, 0));
    let away = crate::support::receiver::nobody_listening().await;
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_mail(away)).await;
    let i = outside_refused_at_first(&app, &clock).await;
    // The mail server comes up where it was looked for.
    let server = crate::support::mailserver::MailServer::start_at(away).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while server.mails().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no mail:\n{:?}", app.store.outbox_rows().await.unwrap());
        retries_pass(&app, &clock, 30).await;
    }
    retries_pass(&app, &clock, 300).await;
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "one message to both addresses, once");
    let m = &mails[0];
    assert_eq!(m.to, vec!["security@example.org".to_string(), "duty@example.org".to_string()]);
    assert_eq!(m.from, "hikeshi@example.org");
    assert!(m.subject.contains(&i.number.to_string()) && m.subject.contains("委員会の確認を待っています"), "{}", m.subject);
    assert!(m.body.contains("報告から") && m.body.contains("確認しました") && !m.body.contains(&i.title), "{}", m.body);
    assert!(m.message_id.starts_with("hikeshi-"), "{}", m.message_id);
    let records = outside_records(&app, &i).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["reached"], json!(["mail:security@example.org", "mail:duty@example.org"]));
}

/// Issue 26 item 4: a drill follows the same chain, says it is a drill,
/// and its report lists the steps, when, the time to acknowledge, and a
/// step that reached nobody as a finding.
#[tokio::test]
async fn a_drill_exercises_the_chain_and_its_report_lists_the_steps_and_what_failed() {
    let clock = ManualClock::new(wednesday(14, 0));
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let start = payloads::slash(
        app.id(),
        Who::new(ids::BOB, ids::COMMITTEE_CHANNEL),
        "drill",
        json!([{"name": "start", "type": 1, "options": [{"name": "playbook", "type": 3, "value": "malware"}]}]),
    );
    let d = app.incident_from_reply(&app.interact(start).await).await;
    app.settled().await;
    let card = app.card(&d);
    assert!(custom_ids(&card).contains(&format!("hk1:iack:{}", d.id)), "a drill's card carries 確認しました too");
    for minute in [0, 5, 10, 15] {
        at(&app, &clock, d.reported_at + Duration::hours(1) + Duration::minutes(minute)).await;
    }
    let bob = chain_dms(&app, ids::BOB);
    assert_eq!(bob.len(), 2, "{bob:?}");
    assert!(bob.iter().all(|m| m.contains("【訓練】")), "its messages say it is a drill: {bob:?}");
    assert!(pings_again(&app)[0]["content"].as_str().unwrap().contains("【訓練】"));

    // Bob acknowledges at 1 h 20, then walks the drill to its end.
    clock.advance(Duration::minutes(5));
    app.click(ids::BOB, &d, &format!("hk1:iack:{}", d.id)).await;
    app.click(ids::BOB, &d, &format!("hk1:take:{}", d.id)).await;
    for _ in 0..6 {
        let now = app.incident(d.number).await;
        if now.phase == hikeshi::domain::Phase::Lessons {
            let fields = [("technical", "EDRの設定見直し"), ("organisational", "連絡網の更新")];
            app.through_form(&now, ids::BOB, &format!("hk1:plan:{}", d.id), &fields).await;
            let note = [("went_well", "隔離が早かった"), ("missing", "連絡先リストが古い")];
            app.through_form(&now, ids::BOB, &format!("hk1:note:{}", d.id), &note).await;
        }
        app.advance_times(ids::BOB, &now, 1).await;
    }
    app.settled().await;
    assert_eq!(app.incident(d.number).await.phase, hikeshi::domain::Phase::Closed);
    let report = app.store.drill_report(d.id).await.unwrap().expect("a drill report");
    assert_eq!(report.time_to_acknowledge, Some(80 * 60));
    let steps: Vec<(String, i64)> = report.escalation.iter().map(|s| (format!("{:?}", s.step), s.after / 60)).collect();
    assert_eq!(steps, [("OnDuty".into(), 60), ("PingAgain".into(), 65), ("Committee".into(), 70), ("Outside".into(), 75)]);
    assert!(!report.escalation[0].is_finding());
    assert!(report.escalation[3].is_finding(), "nothing outside Discord is configured: a finding");
    let posted = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|p| p.body["embeds"][0]["title"].as_str().unwrap_or("").contains("訓練報告"))
        .expect("the drill report")
        .body;
    let field = posted["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().starts_with("エスカレーション"))
        .unwrap()
        .clone();
    let text = field["value"].as_str().unwrap();
    assert!(text.contains(&format!("<@{}>", ids::BOB)) && text.contains("⚠ Discord外への通知"), "{text}");
    let ack = posted["embeds"][0]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "委員会の確認まで").unwrap().clone();
    assert_eq!(ack["value"], "1h20m");
}
