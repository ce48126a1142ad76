//! One road to Discord (issue 23): the bot keeps Discord's rate limits as
//! Discord states them in its answers, and answers every interaction in
//! time, slash commands included.

use crate::support::fake::{ids, Fault};
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use serde_json::json;
use std::time::Duration;

/// A commander walks an incident through every phase at once: the notices,
/// the three records and the card's edits go into one channel faster than
/// its bucket allows (5 messages in 5 s). The bot reads the bucket from
/// Discord's headers and paces itself: Discord never has to refuse it.
#[tokio::test]
async fn a_burst_of_notices_into_one_channel_is_paced_by_the_bot_with_no_429() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 5).await;
    app.settled_within(Duration::from_secs(60)).await;
    let channel = i.channel.unwrap().0;
    let posts = app.fake.calls("POST", &format!("/channels/{channel}/messages"));
    assert!(posts.len() > 5, "the story needs more than one window of messages: {}", posts.len());
    assert_eq!(app.fake.rate_limited(), vec![], "Discord had to refuse the bot for a rate limit");
    assert!(posts.iter().all(|p| p.status == 200), "every notice was posted");
}

/// A route's 429 holds that route for as long as Discord asked, and only
/// that route: another incident's channel and card go on meanwhile.
#[tokio::test]
async fn a_route_429_delays_that_route_only_for_as_long_as_discord_asked() {
    let app = TestApp::spawn().await;
    let first = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let held = first.channel.unwrap().0;
    app.fake.fail("POST", &format!("/channels/{held}/messages"), vec![Fault::RateLimited { retry_after: 3.0, global: false }]);
    // Two notices for the held channel: a phase change, then a second one.
    app.click(ids::BOB, &first, &format!("hk1:take:{}", first.id)).await;
    let other = app.report_malware(ids::DAVE).await;
    app.settled_within(Duration::from_secs(30)).await;
    let posts = app.fake.calls("POST", &format!("/channels/{held}/messages"));
    let limited = posts.iter().find(|p| p.status == 429).expect("the injected 429");
    let after: Vec<_> = posts.iter().filter(|p| p.at > limited.at).collect();
    assert!(!after.is_empty(), "the held channel's notice was posted in the end");
    for p in &after {
        let waited = p.at.duration_since(limited.at);
        assert!(waited >= Duration::from_millis(2900), "a request on the held route went after {waited:?}, before the 3 s asked");
    }
    // The other incident's card did not wait for the held route.
    let card = app
        .fake
        .calls("POST", &format!("/channels/{}/messages", other.channel.unwrap().0))
        .into_iter()
        .find(|p| p.status == 200)
        .expect("the other incident's card");
    assert!(card.at < limited.at + Duration::from_millis(2500), "the other channel waited for the held route");
}

/// Discord forgets an interaction unanswered after 3 s. With the database
/// stalled for 4 s (a table locked by another process), `/stats`, `/audit`
/// and `/incident export` are each deferred in time and then edited with
/// their answer.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn commands_that_wait_on_a_stalled_database_are_deferred_in_time_and_answered() {
    use sqlx::Connection;
    let Some(mut app) = TestApp::without_bot_on_postgres("commands_that_wait_on_a_stalled_database").await else {
        return;
    };
    app.start_bot().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let committee = Who::new(ids::BOB, ids::COMMITTEE_CHANNEL).en();
    let in_channel = Who::new(ids::BOB, i.channel.unwrap().0).en();
    let export = json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "md"}]}]);
    for (name, who, options, answer) in [
        ("stats", committee, json!([]), "```"),
        ("audit", committee, json!([]), "Audit (§5)"),
        ("incident", in_channel, export, "The record of"),
    ] {
        let mut other = sqlx::PgConnection::connect(&app.db.0).await.unwrap();
        sqlx::query("BEGIN").execute(&mut other).await.unwrap();
        sqlx::query("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE").execute(&mut other).await.unwrap();
        let started = std::time::Instant::now();
        let id = app.id();
        let first = app.interact(payloads::slash(id, who, name, options)).await;
        assert_eq!(first["type"], 5, "/{name} is deferred, not missed: {first}");
        assert!(started.elapsed() < Duration::from_millis(2900), "/{name} deferred within Discord's 3 s: {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_secs(4).saturating_sub(started.elapsed())).await;
        sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
        app.wait_until(&format!("/{name}'s answer is edited in"), |f| {
            f.calls("PATCH", "/webhooks/*/*/messages/@original").iter().any(|r| {
                let text = format!("{}{}", r.body["content"], r.files.iter().map(|(n, _)| n.as_str()).collect::<String>());
                (200..300).contains(&r.status) && r.at > first_at(f, id) && text.contains(answer)
            })
        })
        .await;
    }
    // The export's file travels with the edit.
    let edits = app.fake.calls("PATCH", "/webhooks/*/*/messages/@original");
    assert!(edits.iter().any(|r| r.files.iter().any(|(n, _)| n.ends_with(".md"))), "the export's file is attached to the late answer");
}

/// When the fake received the initial response to interaction `id`.
fn first_at(f: &crate::support::fake::FakeDiscord, id: u64) -> std::time::Instant {
    f.calls("POST", &format!("/interactions/{id}/*/callback")).first().map(|r| r.at).expect("answered")
}

/// A rate limit is Discord's time, not the organisation's: a 429 is waited
/// out by the clock on the wall even when the bot's own clock stands still
/// (a story's manual clock; a process whose clock is off). Before, the
/// delivery was put off by the bot's clock and, with it standing, never
/// came.
#[tokio::test]
async fn a_429_is_waited_out_in_real_time_whatever_the_bots_clock_says() {
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock)).await;
    app.fake.fail("POST", "/channels/*/messages", vec![Fault::RateLimited { retry_after: 0.5, global: false }]);
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let posts = app.fake.calls("POST", &format!("/channels/{}/messages", i.channel.unwrap().0));
    assert_eq!(posts.iter().filter(|p| p.status == 429).count(), 1);
    assert!(posts.iter().any(|p| p.status == 200), "the card was posted after the 429");
}

/// Item 11: an operator greps the log for an incident's number and finds
/// its whole road: the form that reported it (the interaction's span, with
/// its id and kind) and each delivery made for it (its span, with the
/// item, the effect's kind and the number), the card's among them.
#[tokio::test]
async fn one_grep_for_the_number_follows_a_report_from_the_form_to_its_card() {
    let app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    let bot = app.start_process_with("hikeshi=info", &[]).await;
    let (_, reply) = app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "PCが遅い"), ("what", "x")]).await;
    let i = app.incident_from_reply(&reply).await;
    app.settled().await;
    let (log, _) = bot.stop_keep_log().await;
    let number = i.number.to_string();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(&number)).collect();
    assert!(
        lines.iter().any(|l| l.contains("interaction{") && l.contains("kind=modal:") && l.contains("incident reported")),
        "the form's line:\n{log}"
    );
    for kind in ["create_channel", "post_card"] {
        assert!(
            lines.iter().any(|l| l.contains("delivery{") && l.contains(&format!("kind=\"{kind}\"")) && l.contains("delivered")),
            "{kind}'s delivery:\n{}",
            lines.join("\n")
        );
    }
}

/// The app with `/healthz` and `/metrics` served, and a getter of
/// `(status, body)` for a path.
async fn with_ops(
    mut app: TestApp,
) -> (TestApp, impl Fn(&'static str) -> std::pin::Pin<Box<dyn std::future::Future<Output = (u16, String)>>>) {
    app.serve_ops = true;
    app.start_bot().await;
    let base = app.ops_url("");
    // Bound when the bot was built: it answers from the start.
    let get = move |path: &'static str| -> std::pin::Pin<Box<dyn std::future::Future<Output = (u16, String)>>> {
        let url = format!("{base}{path}");
        Box::pin(async move {
            let r = reqwest::get(url).await.expect("the ops server answers");
            (r.status().as_u16(), r.text().await.unwrap())
        })
    };
    (app, get)
}

/// Polls `/healthz` until its status is `status`; returns the body.
async fn health_becomes(
    get: &impl Fn(&'static str) -> std::pin::Pin<Box<dyn std::future::Future<Output = (u16, String)>>>,
    status: u16,
) -> String {
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    loop {
        let (s, body) = get("/healthz").await;
        if s == status {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "/healthz stayed {s} ({body}), expected {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Item 9: `/healthz` says 503, and why, when the gateway has been down for
/// over a minute, when heartbeats go unacknowledged for over a minute, and
/// when a due side effect has waited over five minutes; within those
/// graces, and once things recover, it says ok. `/metrics` shows the same.
#[tokio::test]
async fn healthz_says_503_and_why_when_the_gateway_or_the_outbox_has_stalled() {
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc::now());
    let app = TestApp::without_bot(std::sync::Arc::new(clock.clone()), |c| c).await;
    let (app, get) = with_ops(app).await;
    app.eventually("the bot sees the gateway up", || async { get("/metrics").await.1.lines().any(|l| l == "hikeshi_gateway_connected 1") })
        .await;
    assert_eq!(health_becomes(&get, 200).await, "ok\n");

    // Discord's gateway goes away: fine for a minute, not after.
    app.fake.gateway_outage(true);
    app.eventually("the bot sees the gateway down", || async {
        get("/metrics").await.1.lines().any(|l| l == "hikeshi_gateway_connected 0")
    })
    .await;
    assert_eq!(get("/healthz").await.0, 200, "a minute's grace");
    clock.advance(chrono::Duration::seconds(61));
    let body = health_becomes(&get, 503).await;
    assert!(body.contains("gateway has been disconnected for 6"), "{body}");
    app.fake.gateway_outage(false);
    health_becomes(&get, 200).await;

    // Connected, but heartbeats go unanswered for over a minute.
    app.fake.answer_heartbeats(false);
    clock.advance(chrono::Duration::seconds(61));
    let body = health_becomes(&get, 503).await;
    assert!(body.contains("no heartbeat acknowledged") || body.contains("gateway has been disconnected"), "{body}");
    app.fake.answer_heartbeats(true);
    health_becomes(&get, 200).await;

    // A delivery hangs: its item stays due. Five minutes later, 503.
    app.fake.fail("POST", "/channels/*/messages", vec![Fault::Hang(Duration::from_secs(60))]);
    app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "止まった"), ("what", "x")]).await;
    app.wait_until("a post hangs", |f| f.calls("POST", "/channels/*/messages").iter().any(|c| c.status == 0)).await;
    clock.advance(chrono::Duration::minutes(5) + chrono::Duration::seconds(30));
    let body = health_becomes(&get, 503).await;
    assert!(body.contains("a due side effect has waited 33"), "{body}");
    let page = get("/metrics").await.1;
    let waited: f64 = page.lines().find_map(|l| l.strip_prefix("hikeshi_outbox_oldest_due_seconds ")).expect("the gauge").parse().unwrap();
    assert!(waited >= 330.0, "{page}");
}

/// Item 9, the database: when it does not answer, `/healthz` says so.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn healthz_says_503_when_the_database_does_not_answer() {
    let Some((app, outage)) = crate::record::behind_a_relay("healthz_says_503_when_the_database_does_not_answer").await else {
        return;
    };
    let (_app, get) = with_ops(app).await;
    health_becomes(&get, 200).await;
    outage.down();
    let body = health_becomes(&get, 503).await;
    assert!(body.contains("the database does not answer"), "{body}");
    outage.up();
    health_becomes(&get, 200).await;
}

/// Item 6: Discord drops a repeated post by its nonce for five minutes
/// only. A notice whose answer was lost is retried six minutes later; the
/// bot finds its first post (the gateway showed it, with its nonce) and
/// does not post again: the channel reads it once.
#[tokio::test]
async fn a_post_whose_answer_was_lost_appears_once_when_retried_after_the_nonce_window() {
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    let path = format!("/channels/{channel}/messages");
    app.fake.fail("POST", &path, vec![Fault::LostAnswer]);
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.wait_until("the answer to the notice is lost", |f| f.calls("POST", &path).iter().any(|c| c.status == 502)).await;
    let taken = |app: &TestApp| {
        app.fake.messages(channel).iter().filter(|m| m["content"].as_str().unwrap_or("").contains("実行責任者になりました")).count()
    };
    assert_eq!(taken(&app), 1, "the post took effect");
    app.eventually("the bot saw its own post", || async {
        app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.content.contains("実行責任者になりました"))
    })
    .await;
    // Six minutes pass before the retry, for Discord and for the bot.
    minutes_pass(&app, &clock, 6);
    app.settled().await;
    assert_eq!(taken(&app), 1, "posted once");
    assert_eq!(app.fake.calls("POST", &path).iter().filter(|c| c.status == 502).count(), 1);
}

/// Item 3: when Discord's refusals near its ban, the committee hears of it
/// (through the outbox, so it is not lost), pinged, in its language.
#[tokio::test]
async fn the_committee_is_told_when_discords_refusals_near_the_ban() {
    let app = TestApp::spawn().await;
    let settings = std::sync::Arc::new(hikeshi::config::Settings::load(&app.config).unwrap());
    let service = hikeshi::service::Hikeshi::new(app.store.clone(), settings, std::sync::Arc::new(hikeshi::clock::SystemClock));
    service.delivery().warn_refusals(5000).await.unwrap();
    app.settled().await;
    let told: Vec<String> = app
        .fake
        .messages(ids::COMMITTEE_CHANNEL)
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .filter(|t| t.contains("5000件拒否"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].starts_with(&format!("<@&{}>", ids::COMMITTEE_ROLE)) && told[0].contains("1時間遮断"), "{}", told[0]);
}

/// `/report status` as `who` sees it (ephemeral).
async fn report_status(app: &TestApp, who: u64) -> String {
    let asked = payloads::slash(app.id(), Who::new(who, ids::GENERAL), "report", json!([{"name": "status", "type": 1, "options": []}]));
    crate::support::ephemeral_text(&app.interact(asked).await)
}

/// Item 7: a confidential reporter closed their DMs. What they were to be
/// told is kept for them and `/report status` shows it with their report's
/// phase; the committee reads once that the confidential reporter of the
/// incident cannot be reached, never who it is; nothing is given up.
#[tokio::test]
async fn a_confidential_reporter_with_closed_dms_reads_their_news_in_report_status() {
    let app = TestApp::spawn().await;
    app.fake.close_dms(ids::DAVE);
    let i = crate::privacy::confidential_report(&app, ids::DAVE, "同僚が顧客名簿を持ち出した", "私物USBにコピーしていた").await;
    app.settled().await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 2).await;
    app.settled().await;
    assert!(app.dms_to(ids::DAVE).is_empty(), "Discord refused every DM");

    let committee: Vec<String> =
        app.fake.messages(ids::COMMITTEE_CHANNEL).iter().filter_map(|m| m["content"].as_str().map(str::to_string)).collect();
    let told: Vec<&String> = committee.iter().filter(|t| t.contains("DM が届きません")).collect();
    assert_eq!(told.len(), 1, "told once, however many messages wait: {told:?}");
    assert!(told[0].contains(&i.number.to_string()) && told[0].contains("/report status"), "{}", told[0]);
    assert!(!told[0].contains(&ids::DAVE.to_string()), "the notice names the confidential reporter: {}", told[0]);
    let channel = app.fake.messages(i.channel.unwrap().0).iter().map(|m| format!("{} {}", m["content"], m["embeds"])).collect::<String>();
    assert!(!channel.contains(&ids::DAVE.to_string()), "the incident channel names the confidential reporter: {channel}");

    let status = report_status(&app, ids::DAVE).await;
    let now = app.incident(i.number).await;
    assert!(status.contains(&i.number.to_string()) && status.contains(&now.phase.label().ja), "{status}");
    assert!(
        status.contains("保管しているお知らせ") && status.matches("ご報告いただいた ").count() >= 2,
        "the phase changes kept: {status}"
    );
    // Only one's own: another member sees nothing of it.
    let other = report_status(&app, ids::ALICE).await;
    assert!(!other.contains(&i.number.to_string()) && other.contains("まだありません"), "{other}");
}

/// Item 7, about no incident: the committee decides a member's request and
/// the member closed their DMs. The announcement channel mentions them
/// with no more than that a message waits; `/report status` holds it.
#[tokio::test]
async fn a_requester_with_closed_dms_is_pointed_to_report_status() {
    let app = TestApp::spawn().await;
    app.fake.close_dms(ids::ALICE);
    crate::governance::amendment_accepted(&app).await;
    app.settled().await;
    assert!(app.dms_to(ids::ALICE).is_empty());
    let pointed = crate::governance::last_post_with(&app, ids::ANNOUNCEMENTS, "/report status");
    let text = pointed["content"].as_str().unwrap();
    assert!(text.starts_with(&format!("<@{}>", ids::ALICE)) && !text.contains("委員会で承認"), "only that a message waits: {text}");
    let status = report_status(&app, ids::ALICE).await;
    assert!(status.contains("変更が認められました"), "{status}");
}

/// Item 5: an interaction's token lives 15 minutes. A report's channel
/// opens only 16 minutes later (Discord refused it meanwhile): the bot does
/// not edit the reporter's answer with the dead token, and tells them by
/// DM instead, with the number and the channel.
#[tokio::test]
async fn a_link_due_after_the_tokens_life_reaches_the_reporter_by_dm() {
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::Status(500)]);
    let (_, reply) = app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "遅れた報告"), ("what", "x")]).await;
    app.wait_until("the channel was refused", |f| f.calls("POST", "/guilds/*/channels").iter().any(|c| c.status == 500)).await;
    minutes_pass(&app, &clock, 16);
    let i = app.incident_from_reply(&reply).await;
    app.settled().await;
    let i = app.incident(i.number).await;
    let edits = app.fake.calls("PATCH", "/webhooks/*/*/messages/@original");
    assert!(edits.iter().all(|c| c.status == 200), "a dead token was used: {edits:?}");
    let dms = app.dms_to(ids::ALICE);
    assert!(
        dms.iter().any(|d| d.contains(&i.number.to_string()) && d.contains(&format!("<#{}>", i.channel.unwrap().0))),
        "told by DM: {dms:?}"
    );
}

/// Item 5, a held report: the database is away, the report is kept on disk
/// and hikeshi stops; it starts again 16 minutes later with the database
/// back. The report is stored from disk, and its reporter hears of the
/// number and channel by DM: the dead token is never used.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn a_held_report_replayed_after_the_tokens_life_is_told_by_dm() {
    let Some((mut app, outage, clock, token)) = held_while_down("a_held_report_replayed_after_the_tokens_life_is_told_by_dm").await else {
        return;
    };
    app.stop_bot().await;
    let edits_before = app.fake.calls("PATCH", "/webhooks/*/*/messages/@original").len();

    minutes_pass(&app, &clock, 16);
    outage.up();
    app.start_bot().await;
    stored_and_told_by_dm(&app, edits_before, &token).await;
    app.stop_bot().await;
}

/// Item 5, a held report stored late: the database is away for 16 minutes.
/// The reporter reads at 10 that their report is kept on disk (the token
/// still lives); at 16 the database answers, the report is stored, and the
/// reporter hears of its number and channel by DM, not through the dead
/// token.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn a_held_report_stored_after_the_tokens_life_is_told_by_dm() {
    let Some((mut app, outage, clock, token)) = held_while_down("a_held_report_stored_after_the_tokens_life_is_told_by_dm").await else {
        return;
    };
    // Ten minutes and more: the reply says, within the token's life, that
    // the report waits on disk.
    minutes_pass(&app, &clock, 11);
    app.wait_until("the reporter reads it is still held", |_| {
        crate::resilience::edits_of(&app, &token).iter().any(|t| t.contains("まだ接続できません"))
    })
    .await;
    let edits_before = app.fake.calls("PATCH", "/webhooks/*/*/messages/@original").len();
    minutes_pass(&app, &clock, 5);
    outage.up();
    stored_and_told_by_dm(&app, edits_before, &token).await;
    app.stop_bot().await;
}

/// The start of both held-report stories: the bot behind a relay to the
/// database, on a clock the test moves; the database goes away and DAVE
/// reports (held on disk). `None` without PostgreSQL. The reply's token.
async fn held_while_down(test: &str) -> Option<(TestApp, crate::support::outage::Outage, hikeshi::clock::ManualClock, String)> {
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc::now());
    let (mut app, outage) = crate::record::behind_a_relay_at(test, std::sync::Arc::new(clock.clone())).await?;
    app.start_bot().await;
    outage.down();
    let token = crate::record::report_while_down(&app).await;
    Some((app, outage, clock, token))
}

/// Time passes for Discord (the fake's clock) and for the bot alike.
fn minutes_pass(app: &TestApp, clock: &hikeshi::clock::ManualClock, minutes: u64) {
    app.fake.advance(Duration::from_secs(minutes * 60));
    clock.advance(chrono::Duration::minutes(minutes as i64));
}

/// The report held on disk is stored once the database is back, and its
/// reporter (DAVE) hears of its number and channel by DM: no edit of the
/// reply after `edits_before` (its token, `token`, is past its life).
async fn stored_and_told_by_dm(app: &TestApp, edits_before: usize, token: &str) {
    app.eventually_within(Duration::from_secs(30), "the held report is stored", || async {
        app.store.open_incidents().await.unwrap().len() == 1
    })
    .await;
    app.settled_within(Duration::from_secs(30)).await;
    let i = app.store.open_incidents().await.unwrap().remove(0);
    let late: Vec<_> = app.fake.calls("PATCH", "/webhooks/*/*/messages/@original").into_iter().skip(edits_before).collect();
    assert!(late.is_empty(), "the reply was edited with a token past its life ({token}): {late:?}");
    let dms = app.dms_to(ids::DAVE);
    assert!(dms.iter().any(|d| d.contains(&i.number.to_string()) && d.contains(&format!("<#{}>", i.channel.unwrap().0))), "{dms:?}");
}
