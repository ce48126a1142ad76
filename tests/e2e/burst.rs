//! A burst of distinct reports at Discord's physical limit (#14): each
//! report's critical path is two requests (its channel, then its card with
//! the committee's ping), and the committee channel hears of the burst in
//! a few messages once the cards are out, each report on one line, once.

use crate::support::fake::{ids, Fault, Recorded};
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use std::collections::HashMap;
use std::time::Instant;

/// Dispatches `n` reports from distinct members at once; their titles are
/// `{tag} {k}`.
fn burst(app: &TestApp, n: u64, tag: &str) {
    for k in 0..n {
        let who = Who::new(7000 + k, ids::GENERAL);
        let payload = payloads::modal(app.id(), who, "hk1:report:unsure:-:0", &[("title", &format!("{tag} {k}")), ("what", "x")]);
        app.fake.dispatch("INTERACTION_CREATE", payload);
    }
}

/// Every line of the committee's notices, by incident number: how often
/// each number is listed (counting the messages as they stand now, edits
/// included).
fn notice_lines(app: &TestApp) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    for m in app.fake.messages(ids::COMMITTEE_CHANNEL) {
        for line in m["content"].as_str().unwrap_or("").lines().filter(|l| l.starts_with("🔥 INC-")) {
            *lines.entry(line[5..18].to_string()).or_insert(0) += 1;
        }
    }
    lines
}

fn is_card(r: &Recorded) -> bool {
    r.method == "POST" && r.status == 200 && r.body["content"].as_str().is_some_and(|c| c.contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)))
}

fn committee_posts(app: &TestApp) -> Vec<Recorded> {
    app.fake.calls("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL))
}

#[tokio::test]
async fn a_burst_of_reports_is_told_to_the_committee_in_a_few_messages_after_every_card() {
    let app = TestApp::spawn().await;
    let started = Instant::now();
    burst(&app, 25, "一斉報告");
    app.wait_until("every reporter got an answer", |f| f.calls("POST", "/interactions/*/*/callback").len() == 25).await;
    app.settled().await;
    let incidents = app.store.open_incidents().await.unwrap();
    assert_eq!(incidents.len(), 25);
    assert!(incidents.iter().all(|i| i.channel.is_some() && i.card_message.is_some() && !i.notice_owed));

    // Two requests on each report's way to its card: its channel, its card.
    let requests: Vec<Recorded> = app.fake.requests().into_iter().filter(|r| r.at >= started).collect();
    let cards: Vec<&Recorded> = requests.iter().filter(|r| is_card(r)).collect();
    assert_eq!(cards.len(), 25, "one card each, pinging the committee");
    let last_card = cards.iter().map(|r| r.at).max().unwrap();
    let channels = format!("/guilds/{}/channels", ids::GUILD);
    // Interaction endpoints (the answer, the link in it) are outside the limit.
    let limited = |r: &&Recorded| !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/");
    let first: Vec<&Recorded> = requests.iter().filter(|r| r.at <= last_card).filter(limited).collect();
    let others: Vec<String> = first
        .iter()
        .filter(|r| !(is_card(r) || (r.path == channels && r.method != "PATCH")))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(others.is_empty(), "before the last card, only channels and cards: {others:?}");
    assert_eq!(first.iter().filter(|r| r.method == "POST" && r.path == channels).count(), 25);

    // The committee channel: each report on one line, once, in order, in
    // three messages of ten lines at most, none before the last card.
    let lines = notice_lines(&app);
    assert_eq!(lines.len(), 25, "{lines:?}");
    assert!(lines.values().all(|n| *n == 1), "a report listed twice: {lines:?}");
    let posts = committee_posts(&app);
    let notices: Vec<&Recorded> = posts.iter().filter(|r| r.body["content"].as_str().is_some_and(|c| c.starts_with("🔥"))).collect();
    assert_eq!(notices.len(), 3, "25 lines, ten to a message");
    assert!(notices.iter().all(|r| r.at > last_card), "a notice went before a card");
    let all: Vec<String> = notices.iter().flat_map(|r| r.body["content"].as_str().unwrap().lines().map(|l| l[5..18].to_string())).collect();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "in the order reported");
    assert!(notices.iter().all(|r| r.body["content"].as_str().unwrap().chars().count() <= 2000));

    // One more report soon after joins the latest message, edited in place.
    let edits_before = app.fake.calls("PATCH", &format!("/channels/{}/messages/*", ids::COMMITTEE_CHANNEL)).len();
    let late = app.report_malware(ids::ALICE).await;
    app.settled().await;
    assert_eq!(committee_posts(&app).iter().filter(|r| r.body["content"].as_str().is_some_and(|c| c.starts_with("🔥"))).count(), 3);
    let edits: Vec<Recorded> = app.fake.calls("PATCH", &format!("/channels/{}/messages/*", ids::COMMITTEE_CHANNEL));
    let edit = edits[edits_before..].iter().find(|r| r.body["content"].as_str().is_some_and(|c| c.contains(&late.number.to_string())));
    let edit = edit.expect("the latest notice was edited to list the new report");
    assert_eq!(edit.body["content"].as_str().unwrap().lines().count(), 6, "the five it had and the new one");
    assert_eq!(notice_lines(&app).len(), 26);
    app.assert_no_schema_violations();
}

/// The operator's story: the notice's answer is lost (the message was
/// posted) and the next attempt meets a 500; the bot is restarted in
/// between. Each report is still listed exactly once.
#[tokio::test]
async fn a_notice_whose_answer_is_lost_is_not_posted_twice() {
    let mut app = TestApp::spawn().await;
    // A first report: the status board and a notice exist, so what the
    // burst posts in the committee channel is the notice's next message.
    app.report_malware(ids::ALICE).await;
    app.settled().await;
    let committee = format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL);
    let before = app.fake.calls("POST", &committee).len();
    let answered = app.fake.calls("POST", "/interactions/*/*/callback").len();
    app.fake.fail("POST", &committee, vec![Fault::LostAnswer, Fault::Status(500)]);
    burst(&app, 12, "再送");
    app.wait_until("every reporter got an answer", |f| f.calls("POST", "/interactions/*/*/callback").len() == answered + 12).await;
    // The retry finds the first post (the gateway showed it) or meets the 500.
    app.wait_until("the notice's answer was lost", |f| f.calls("POST", &committee).iter().skip(before).any(|c| c.status == 502)).await;
    app.restart().await;
    app.settled_within(std::time::Duration::from_secs(60)).await;
    let lines = notice_lines(&app);
    assert_eq!(lines.len(), 13, "{lines:?}");
    assert!(lines.values().all(|n| *n == 1), "a report listed twice: {lines:?}");
    let notices =
        app.fake.messages(ids::COMMITTEE_CHANNEL).iter().filter(|m| m["content"].as_str().is_some_and(|c| c.starts_with("🔥"))).count();
    assert_eq!(notices, 2, "the first message filled to ten lines, then one more");
    assert!(app.store.open_incidents().await.unwrap().iter().all(|i| !i.notice_owed));
}

/// An upgrade: a notice of its own queued by an earlier version is still
/// delivered, and never lists a report the latest message lists already.
#[tokio::test]
async fn a_notice_queued_by_an_earlier_version_is_delivered_and_never_doubles_a_line() {
    use hikeshi::domain::Effect;
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let posts = committee_posts(&app).len();
    let legacy = || async {
        let mut tx = app.store.begin().await.unwrap();
        tx.enqueue(&Effect::NoticeCommittee { incident: i.id }, chrono::Utc::now()).await.unwrap();
        tx.commit().await.unwrap();
        app.settled().await;
    };
    let edits = || app.fake.calls("PATCH", &format!("/channels/{}/messages/*", ids::COMMITTEE_CHANNEL)).len();
    let edited = edits();
    legacy().await;
    assert_eq!(notice_lines(&app).get(&i.number.to_string()), Some(&1));
    assert_eq!(committee_posts(&app).len(), posts, "nothing posted");
    assert_eq!(edits(), edited, "nothing edited: there was nothing to add");
    // A database from before this version keeps no latest message: the
    // earlier version's notice is delivered, a line in a message of its own.
    sqlx::query("DELETE FROM bot_state WHERE key = 'committee_notice'").execute(app.store.pool()).await.unwrap();
    legacy().await;
    let new: Vec<Recorded> = committee_posts(&app).into_iter().skip(posts).collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].body["content"].as_str().unwrap().starts_with(&format!("🔥 {}", i.number)), "{:?}", new[0].body);
}

/// #29 restart at scale: after a restart, what was written while away is
/// read first (Discord's `after`: one request here) and is in the record
/// at once; the whole history of a long channel is read again in the
/// background for edits and deletions, and a burst of reports meanwhile
/// has its channels and cards before any more of it.
#[tokio::test]
async fn after_a_restart_the_new_messages_come_first_and_a_burst_goes_before_the_rest_of_the_history() {
    let mut app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    // A long channel (60 pages), all of it in the record.
    let mut old = vec![];
    let mut tx = app.store.begin().await.unwrap();
    for k in 0..6000 {
        let content = format!("記録済み {k}");
        let id = app.fake.add_user_message(channel, ids::ALICE, &content);
        tx.record_message(i.id, &crate::support::kept_message(channel, id, ids::ALICE, content)).await.unwrap();
        old.push(id);
    }
    tx.commit().await.unwrap();
    app.settled().await;
    app.stop_bot().await;

    // Away: five new messages, an old one edited, another deleted.
    let new: Vec<u64> = (0..5).map(|n| app.fake.add_user_message(channel, ids::DAVE, &format!("停止中 {n}"))).collect();
    app.fake.edit_message_offline(channel, old[100], "記録済み 100（訂正）");
    app.fake.delete_message_offline(channel, old[200]);
    let restarted = Instant::now();
    app.start_bot().await;
    let history = |app: &TestApp| -> Vec<Recorded> {
        let path = format!("/channels/{channel}/messages");
        app.fake.requests().into_iter().filter(|r| r.at >= restarted && r.method == "GET" && r.path == path).collect()
    };
    app.eventually("what was written while away is in the record", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        new.iter().all(|m| t.iter().any(|l| l.msg.message.0 == *m))
    })
    .await;
    let first = &history(&app)[0];
    assert!(first.query.contains(&format!("after={}", old[5999])), "read from the newest the record holds: {}", first.query);

    // A burst while the rest of the history is read again.
    let burst_at = Instant::now();
    burst(&app, 20, "再読込中の報告");
    app.wait_until("every card is out", |f| f.requests().iter().filter(|r| r.at >= burst_at && is_card(r)).count() == 20).await;
    let last_card = app.fake.requests().into_iter().filter(|r| r.at >= burst_at && is_card(r)).map(|r| r.at).max().unwrap();
    let during: Vec<Recorded> = history(&app).into_iter().filter(|r| r.at > burst_at && r.at <= last_card).collect();
    assert!(during.is_empty(), "{} history pages went before a card", during.len());

    // Then the rest: the edit and the deletion found, told once with the
    // new when the whole history has been read again.
    let notices = |app: &TestApp| -> Vec<String> {
        let said = app.fake.messages(channel);
        said.iter().filter_map(|m| m["content"].as_str().filter(|c| c.contains("接続していなかった間")).map(str::to_string)).collect()
    };
    app.wait_until("the channel is told what was recovered", |_| !notices(&app).is_empty()).await;
    app.settled().await;
    let t = app.store.transcript(i.id).await.unwrap();
    assert!(t.iter().any(|l| l.msg.message.0 == old[200] && l.deleted_at.is_some()), "marked deleted while offline");
    let versions: Vec<&str> = t.iter().filter(|l| l.msg.message.0 == old[100]).map(|l| l.msg.content.as_str()).collect();
    assert_eq!(versions, ["記録済み 100", "記録済み 100（訂正）"]);
    assert!(history(&app).len() >= 60, "the whole channel read again");
    let notices = notices(&app);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("新しいメッセージ5件、編集1件、削除1件"), "{notices:?}");
    assert!(app.store.verify().await.unwrap().is_ok());
}
