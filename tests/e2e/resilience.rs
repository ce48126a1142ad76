//! Durable by design: state lives in the database, so a restart loses
//! nothing and every old button still works.

use crate::support::fake::{ids, Fault};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::Phase;

#[tokio::test]
async fn after_a_restart_mid_incident_the_old_buttons_still_work() {
    let mut app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled().await;
    app.restart().await;
    // The card posted before the restart, clicked after it.
    let reply = app.click(ids::BOB, &i, &format!("hk1:advance:{}", i.id)).await;
    assert!(ephemeral_text(&reply).contains("分析"), "{reply}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Analysis);
    app.settled().await;
    assert_eq!(app.fake.calls("POST", "/guilds/*/channels").len(), 1);
}

#[tokio::test]
async fn effects_queued_before_a_stop_are_delivered_once_after_the_start() {
    let mut app = TestApp::spawn().await;
    // Discord fails the channel creation twice (retries after 1 s and 2 s);
    // the bot stops before it succeeds.
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::Status(503), Fault::Status(503)]);
    let (_, reply) = app
        .submit_report(
            crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL),
            "failure",
            Some("power_anomaly"),
            &[("title", "停電"), ("what", "2階が停電")],
        )
        .await;
    assert!(ephemeral_text(&reply).contains("受け付けました"), "the reporter is told at once");
    app.wait_until("the first attempt failed", |f| !f.calls("POST", "/guilds/*/channels").is_empty()).await;
    app.stop_bot().await;
    let stats = app.store.outbox_stats().await.unwrap();
    assert!(stats.pending > 0 && stats.inflight == 0, "work is left in the outbox, none of it claimed: {stats:?}");
    app.start_bot().await;
    let i = app.incident_from_reply(&reply).await;
    app.settled().await;
    let made = app.fake.channels().into_iter().filter(|c| c["topic"].as_str().is_some_and(|t| t.contains(&i.number.to_string()))).count();
    assert_eq!(made, 1);
    let cards =
        app.posts_in(i.channel.unwrap().0).into_iter().filter(|p| p.body["components"].as_array().is_some_and(|c| !c.is_empty())).count();
    assert_eq!(cards, 1);
    let pings = app
        .posts_in(i.channel.unwrap().0)
        .into_iter()
        .filter(|p| p.body["content"].as_str().is_some_and(|c| c.contains(&format!("<@&{}>", ids::COMMITTEE_ROLE))))
        .count();
    assert_eq!(pings, 1);
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_told() {
    let app = TestApp::spawn().await;
    app.fake.fail("POST", "/channels/*/messages", vec![Fault::RateLimited { retry_after: 0.3, global: false }]);
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let posts = app.fake.calls("POST", "/channels/*/messages");
    let limited: Vec<_> = posts.iter().filter(|p| p.status == 429).collect();
    assert_eq!(limited.len(), 1);
    // The refused post is tried again no sooner than Discord asked.
    let retry = posts.iter().find(|p| p.at > limited[0].at && p.path == limited[0].path && p.body["nonce"] == limited[0].body["nonce"]);
    let waited = retry.expect("the retry").at.duration_since(limited[0].at);
    assert!(waited >= std::time::Duration::from_millis(300), "retried after {waited:?}");
    assert_eq!(
        app.posts_in(i.channel.unwrap().0)
            .iter()
            .filter(|p| p.status == 200 && p.body["components"].as_array().is_some_and(|c| !c.is_empty()))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_burst_of_200_reports_loses_none() {
    let app = TestApp::spawn().await;
    let mut replies = vec![];
    for n in 0..200 {
        let who = crate::support::payloads::Who::new(if n % 2 == 0 { ids::ALICE } else { ids::DAVE }, ids::GENERAL);
        let id = app.id();
        let payload = crate::support::payloads::modal(
            id,
            who,
            "hk1:report:breach:-:0",
            &[("title", &format!("フィッシングメール {n}")), ("what", "同じメールが届いた")],
        );
        app.fake.dispatch("INTERACTION_CREATE", payload);
        replies.push(id);
    }
    app.wait_until("every reporter got an answer", |f| f.calls("POST", "/interactions/*/*/callback").len() == 200).await;
    // 48 requests a second, two for each report: about 8.5 s (more in a
    // debug build on a loaded machine).
    app.settled_within(std::time::Duration::from_secs(90)).await;
    assert_eq!(app.store.count_incidents().await.unwrap(), 200);
    let incidents = app.store.open_incidents().await.unwrap();
    assert!(incidents.iter().all(|i| i.channel.is_some() && i.card_message.is_some()));
    let channels = app.fake.channels();
    let incident_channels: Vec<_> = channels.iter().filter(|c| c["topic"].as_str().is_some_and(|t| t.starts_with("[INC-"))).collect();
    assert_eq!(incident_channels.len(), 200, "one channel each");
    let mut per_parent = std::collections::HashMap::new();
    for c in &incident_channels {
        *per_parent.entry(c["parent_id"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    assert_eq!(per_parent.len(), 4, "incidents, incidents-2, -3, -4: {per_parent:?}");
    assert!(per_parent.values().all(|n| *n <= 50));
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn the_gateway_drops_reconnects_and_invalidates_and_events_after_it_are_handled() {
    use crate::support::fake::gateway::Control;
    let app = TestApp::spawn().await;
    for (n, control) in
        [Control::Drop, Control::Reconnect, Control::InvalidSession(false), Control::InvalidSession(true)].into_iter().enumerate()
    {
        let (identifies, resumes) = (app.fake.identifies(), app.fake.resumes());
        app.fake.control(control.clone());
        app.wait_until(&format!("the bot is back after {control:?}"), |f| f.identifies() > identifies || f.resumes() > resumes).await;
        // A report after the reconnect is handled like any other.
        let (_, reply) = app
            .submit_report(
                crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL),
                "unsure",
                None,
                &[("title", &format!("after reconnect {n}")), ("what", "x")],
            )
            .await;
        assert!(ephemeral_text(&reply).contains("受け付けました"), "{control:?}: {reply}");
    }
    assert_eq!(app.store.count_incidents().await.unwrap(), 4);
}

#[tokio::test]
async fn killed_inside_the_report_flow_the_bot_finishes_each_incident_once_after_a_restart() {
    let app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    // 1. Killed after storing, while the channel is being created.
    let bot = app.start_process("hikeshi=info").await;
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::LostAnswer]);
    let (_, reply) = app
        .submit_report(crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "停止1"), ("what", "x")])
        .await;
    app.wait_until("the channel request went out", |f| !f.calls("POST", "/guilds/*/channels").is_empty()).await;
    bot.kill().await;
    // 2. Killed after the channel, while the card is being posted.
    app.fake.fail("POST", "/channels/*/messages", vec![Fault::LostAnswer, Fault::LostAnswer, Fault::LostAnswer]);
    let bot = app.start_process("hikeshi=info").await;
    let first = app.incident_from_reply(&reply).await;
    let (_, reply2) = app
        .submit_report(crate::support::payloads::Who::new(ids::DAVE, ids::GENERAL), "unsure", None, &[("title", "停止2"), ("what", "y")])
        .await;
    app.wait_until("a card request was lost", |f| f.calls("POST", "/channels/*/messages").iter().filter(|r| r.status == 502).count() >= 3)
        .await;
    bot.kill().await;
    let bot = app.start_process("hikeshi=info").await;
    app.settled_within(std::time::Duration::from_secs(60)).await;
    let second = app.incident_from_reply(&reply2).await;
    for i in [&first, &second] {
        app.assert_one_channel_and_card(i);
    }
    assert_eq!(app.store.count_incidents().await.unwrap(), 2);
    let (_, status) = bot.stop_keep_log().await;
    assert!(status.success());
}

/// The operator's story: the metrics port is taken (the old process of a
/// rolling deploy still holds it). The bot starts all the same, without
/// /healthz and /metrics, and reports reach their channels.
#[tokio::test]
async fn a_taken_metrics_port_leaves_the_bot_taking_reports() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.ops_at = Some(taken.local_addr().unwrap());
    app.start_bot().await;
    assert_eq!(app.served.ops, None, "nothing is served where another listens");
    let incident = app.report_malware(ids::ALICE).await;
    app.settled().await;
    app.assert_one_channel_and_card(&incident);
    drop(taken);
}

#[tokio::test]
async fn healthz_and_metrics_report_what_happened() {
    let mut app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.serve_ops = true;
    app.start_bot().await;
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::Status(500)]);
    app.report_malware(ids::ALICE).await;
    app.settled().await;
    let get = |path: &str| {
        let url = app.ops_url(path);
        async move { reqwest::get(url).await.unwrap() }
    };
    let health = get("/healthz").await;
    assert_eq!(health.status(), 200);
    let text = get("/metrics").await.text().await.unwrap();
    for line in [
        "hikeshi_reports_total 1",
        "hikeshi_open_incidents 1",
        "hikeshi_outbox_depth{state=\"pending\"} 0",
        "hikeshi_discord_errors_total 1",
    ] {
        assert!(text.contains(line), "missing {line}:\n{text}");
    }
    let count: u64 = text.lines().find_map(|l| l.strip_prefix("hikeshi_interaction_seconds_count ")).unwrap().parse().unwrap();
    assert!(count >= 2, "the form and the submission were timed: {text}");
}

#[tokio::test]
async fn fifty_reports_in_one_second_stay_within_discords_global_limit() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        let who = crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL);
        let payload =
            crate::support::payloads::modal(app.id(), who, "hk1:report:unsure:-:0", &[("title", &format!("同時報告 {n}")), ("what", "x")]);
        app.fake.dispatch("INTERACTION_CREATE", payload);
    }
    app.wait_until("every reporter got an answer", |f| f.calls("POST", "/interactions/*/*/callback").len() == 50).await;
    app.settled_within(std::time::Duration::from_secs(60)).await;
    let channels = app.fake.channels().into_iter().filter(|c| c["topic"].as_str().is_some_and(|t| t.starts_with("[INC-"))).count();
    assert_eq!(channels, 50);
    let peak = app.fake.peak_requests_per_second();
    assert!(peak <= 50, "{peak} requests in one second: beyond Discord's global limit of 50");
    assert!(peak >= 30, "the limiter is not starving the bot: peak {peak}/s");
}

#[tokio::test]
async fn a_locked_database_defers_the_answer_and_loses_no_report() {
    use sqlx::Connection;
    let app = TestApp::spawn().await;
    // Another process holds SQLite's write lock for four seconds.
    let mut other = sqlx::SqliteConnection::connect(&app.db.0).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let started = std::time::Instant::now();
    let (_, first) = app
        .submit_report(
            crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL),
            "unsure",
            None,
            &[("title", "ロック中の報告"), ("what", "x")],
        )
        .await;
    assert_eq!(first["type"], 5, "the answer is deferred, not missed: {first}");
    assert!(started.elapsed() < std::time::Duration::from_millis(2900), "deferred within Discord's 3 s: {:?}", started.elapsed());
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    app.wait_until("the stored report's answer is edited in", |f| {
        f.calls("PATCH", "/webhooks/*/*/messages/@original")
            .iter()
            .any(|r| r.body["content"].as_str().unwrap_or("").contains("受け付けました"))
    })
    .await;
    app.settled().await;
    assert_eq!(app.store.count_incidents().await.unwrap(), 1);
    assert!(app.store.verify().await.unwrap().is_ok(), "nothing half-written");
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn two_processes_on_one_postgres_database_never_deliver_twice() {
    let Some(app) = TestApp::without_bot_on_postgres("two_processes_on_one_postgres_database_never_deliver_twice").await else {
        return;
    };
    let a = app.start_process("hikeshi=info").await;
    let b = app.start_process("hikeshi=info").await;
    // Both gateway sessions receive every interaction, as in a rolling deploy.
    let report = |n: usize| {
        let who = crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL);
        crate::support::payloads::modal(app.id(), who, "hk1:report:unsure:-:0", &[("title", &format!("二重起動 {n}")), ("what", "x")])
    };
    for n in 0..20 {
        app.fake.dispatch("INTERACTION_CREATE", report(n));
    }
    app.eventually_within(std::time::Duration::from_secs(60), "twenty incidents with a card each", || async {
        app.store.open_incidents().await.unwrap().iter().filter(|i| i.card_message.is_some()).count() == 20
    })
    .await;
    // One process dies; the other finishes what comes next.
    a.kill().await;
    for n in 20..25 {
        app.fake.dispatch("INTERACTION_CREATE", report(n));
    }
    app.eventually_within(std::time::Duration::from_secs(60), "the survivor handles five more", || async {
        app.store.open_incidents().await.unwrap().iter().filter(|i| i.card_message.is_some()).count() == 25
    })
    .await;
    app.settled_within(std::time::Duration::from_secs(60)).await;
    let incidents = app.store.open_incidents().await.unwrap();
    assert_eq!(incidents.len(), 25, "one incident per interaction");
    for i in &incidents {
        app.assert_one_channel_and_card(i);
    }
    let (_, status) = b.stop_keep_log().await;
    assert!(status.success());
}

/// The texts the bot edited into the answer of the interaction with this
/// token (a deferred answer, and the link or result edited in later).
pub(crate) fn edits_of(app: &TestApp, token: &str) -> Vec<String> {
    app.fake
        .calls("PATCH", "/webhooks/*/*/messages/@original")
        .into_iter()
        .filter(|r| r.path.contains(token))
        .map(|r| r.body["content"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn postgres_going_away_holds_the_report_answers_every_click_and_loses_nothing() {
    use crate::support::outage::Outage;
    use crate::support::payloads::{self, Who};
    let test = "postgres_going_away_holds_the_report_answers_every_click_and_loses_nothing";
    let Some(mut app) = TestApp::without_bot_on_postgres(test).await else {
        return;
    };
    // The bot reaches PostgreSQL through a relay the test can cut; the
    // test's own view of the database does not.
    let outage = Outage::relay("127.0.0.1:5432".parse().unwrap()).await;
    app.db = hikeshi::config::DatabaseUrl(app.db.0.replace("127.0.0.1:5432", &outage.addr.to_string()));
    app.start_bot().await;
    let earlier = app.report_malware(ids::ALICE).await;
    app.settled().await;

    outage.down();
    // A report while the database is away: answered within Discord's 3 s,
    // then the reporter is told it is held, with their text.
    let report = payloads::modal(
        app.id(),
        Who::new(ids::DAVE, ids::GENERAL),
        "hk1:report:unsure:-:0",
        &[("title", "DB停止中の報告"), ("what", "不審なログイン通知が来た")],
    );
    let report_token = report["token"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let first = app.interact(report).await;
    assert!(started.elapsed() < std::time::Duration::from_millis(2900), "answered within 3 s: {:?}", started.elapsed());
    assert_eq!(first["type"], 5, "deferred: {first}");
    app.wait_until("the reporter is told the report is held", |_| {
        edits_of(&app, &report_token).iter().any(|t| t.contains("保持") && t.contains("不審なログイン通知"))
    })
    .await;
    // A click meanwhile is answered in time, and told to try again.
    let card = app.card(&earlier);
    let click = payloads::button(app.id(), Who::new(ids::BOB, earlier.channel.unwrap().0), &format!("hk1:take:{}", earlier.id), &card);
    let click_token = click["token"].as_str().unwrap().to_string();
    let started = std::time::Instant::now();
    let answer = app.interact(click).await;
    assert!(started.elapsed() < std::time::Duration::from_millis(2900), "answered within 3 s: {:?}", started.elapsed());
    let said = |app: &TestApp| {
        let mut all = edits_of(app, &click_token);
        all.push(answer["data"]["content"].as_str().unwrap_or("").to_string());
        all.iter().any(|t| t.contains("もう一度"))
    };
    app.eventually_within(std::time::Duration::from_secs(30), "the click is told to try again", || async { said(&app) }).await;

    outage.up();
    app.eventually_within(std::time::Duration::from_secs(30), "the held report is stored and the reporter told", || async {
        edits_of(&app, &report_token).iter().any(|t| t.contains("受け付けました"))
    })
    .await;
    app.settled_within(std::time::Duration::from_secs(30)).await;
    let open = app.store.open_incidents().await.unwrap();
    assert_eq!(open.len(), 2, "both reports, once each");
    for i in &open {
        app.assert_one_channel_and_card(i);
    }
    assert_eq!(app.incident(earlier.number).await.commander, None, "the refused click changed nothing");
    assert!(app.store.verify().await.unwrap().is_ok(), "nothing half-written");
    // The bot is still serving: a click now works.
    let card = app.card(&earlier);
    let ok = app
        .interact(payloads::button(app.id(), Who::new(ids::BOB, earlier.channel.unwrap().0), &format!("hk1:take:{}", earlier.id), &card))
        .await;
    assert!(ephemeral_text(&ok).contains("実行責任者"), "{ok}");
    app.stop_bot().await;
}
