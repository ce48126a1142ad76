//! The record is whole (issue: messages while offline, threads,
//! attachments, held reports across a stop, an outbox no bad item or hung
//! request can stall).

use crate::support::fake::{ids, snowflake, user_json, Fault};
use crate::support::payloads;
use crate::support::TestApp;
use std::time::{Duration, Instant};

/// Item 9: a message event delivered again (a gateway resume replays what
/// the client had not acknowledged) is not a second version; an edit is.
#[tokio::test]
async fn a_redelivered_message_is_kept_once_and_an_edit_is_a_new_version() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let id = app.id();
    let message = payloads::user_message(id, ids::ALICE, channel, "サーバ室の鍵が開いていた");
    app.fake.dispatch("MESSAGE_CREATE", message.clone());
    app.fake.dispatch("MESSAGE_CREATE", message);
    let versions = || async {
        app.store.transcript(i.id).await.unwrap().into_iter().filter(|l| l.msg.message.0 == id).map(|l| l.version).collect::<Vec<_>>()
    };
    app.eventually("the message is kept", || async { !versions().await.is_empty() }).await;
    // A later message proves both deliveries of the first were handled.
    let later = app.id();
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(later, ids::ALICE, channel, "閉めました"));
    app.eventually("the later message is kept", || async {
        app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.message.0 == later)
    })
    .await;
    app.settled().await;
    assert_eq!(versions().await, vec![1], "one version for one text");
    let recorded = app
        .store
        .events_of(i.id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "transcript_recorded" && e.payload.contains(&id.to_string()))
        .count();
    assert_eq!(recorded, 1, "one event for one text");
    // An edit of the text is a new version; the same edit again is not.
    let edit = serde_json::json!({"id": snowflake(id), "channel_id": snowflake(channel), "guild_id": snowflake(ids::GUILD),
        "author": user_json(ids::ALICE), "content": "サーバ室の鍵が開いていた（2部屋）", "edited_timestamp": "2026-11-25T10:00:00.000000+00:00"});
    app.fake.dispatch("MESSAGE_UPDATE", edit.clone());
    app.fake.dispatch("MESSAGE_UPDATE", edit);
    app.eventually("the edit is kept", || async { versions().await.len() == 2 }).await;
    app.settled().await;
    assert_eq!(versions().await, vec![1, 2]);
}

/// Item 6: a request that never answers does not hold the outbox: the
/// delivery is abandoned before the claim's lease ends and retried, and
/// other reports go on meanwhile.
#[tokio::test]
async fn a_hung_request_is_abandoned_and_retried_and_holds_nothing_else() {
    let mut app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.outbox_lease_seconds = Some(3);
    app.start_bot().await;
    // The first channel request hangs for a minute.
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::Hang(Duration::from_secs(60))]);
    let started = Instant::now();
    let i = app.report_malware(ids::ALICE).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "the card came {took:?} after a hung request");
    assert!(app.fake.requests().iter().any(|r| r.why == ["hung"]), "the first request hung");
    app.settled().await;
    app.assert_one_channel_and_card(&i);
}

/// `hikeshi outbox ARGS` against the test's database.
async fn outbox_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = app.hikeshi().arg("outbox").args(args).output().await.expect("hikeshi outbox");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Item 5: a row that no longer decodes (a kind from a newer version after
/// a rollback) is set aside as dead without stalling anything; the
/// committee is told in one message; an operator lists, retries and drops
/// it. A delivered reply link keeps no interaction token.
#[tokio::test]
async fn an_unreadable_outbox_item_is_set_aside_and_an_operator_can_act_on_it() {
    let app = TestApp::spawn().await;
    sqlx::query("INSERT INTO outbox (incident_id, kind, effect, not_before, created_at) VALUES (NULL, 'tomorrows_effect', '{\"type\":\"tomorrows_effect\"}', 0, 0)")
        .execute(app.store.pool())
        .await
        .unwrap();
    let i = app.report_malware(ids::ALICE).await;
    app.settled_allowing_failures().await;
    app.assert_one_channel_and_card(&i);
    let dead: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, kind, last_error FROM outbox WHERE status = 'dead'").fetch_all(app.store.pool()).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    let (id, kind, error) = dead[0].clone();
    assert_eq!(kind, "tomorrows_effect");
    assert!(error.unwrap_or_default().contains("cannot be read"));
    // The committee is told, once, and pinged for it.
    let told: Vec<_> = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .filter(|p| p.body["content"].as_str().is_some_and(|c| c.contains("hikeshi outbox list")))
        .collect();
    assert_eq!(told.len(), 1, "one message");
    assert!(told[0].body["content"].as_str().unwrap().contains("tomorrows_effect"));
    // The operator's view, a retry (it is set aside again), a drop.
    let (ok, listed) = outbox_cli(&app, &["list"]).await;
    assert!(ok && listed.contains(&id.to_string()) && listed.contains("dead") && listed.contains("cannot be read"), "{listed}");
    let (ok, said) = outbox_cli(&app, &["retry", &id.to_string()]).await;
    assert!(ok, "{said}");
    app.eventually("the retried item is set aside again", || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM outbox WHERE id = $1").bind(id).fetch_one(app.store.pool()).await.unwrap()
            == "dead"
    })
    .await;
    let (ok, said) = outbox_cli(&app, &["drop", &id.to_string()]).await;
    assert!(ok, "{said}");
    app.settled_allowing_failures().await;
    let (_, listed) = outbox_cli(&app, &["list"]).await;
    assert!(listed.contains("the outbox is empty"), "{listed}");
    let (ok, _) = outbox_cli(&app, &["retry", "999999"]).await;
    assert!(!ok, "no such item");
    // The committee's message now says nothing is left, edited in place.
    let message = app
        .fake
        .messages(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|m| m["content"].as_str().is_some_and(|c| c.contains("反映できなかった") || c.contains("届けられなかった")))
        .unwrap();
    assert!(message["content"].as_str().unwrap().contains("届けられなかった処理はありません"), "{message}");
    // No delivered row keeps an interaction token.
    let tokens: Vec<String> =
        sqlx::query_scalar("SELECT effect FROM outbox WHERE kind = 'link_reporter'").fetch_all(app.store.pool()).await.unwrap();
    assert!(!tokens.is_empty());
    for t in tokens {
        assert!(t.contains("\"token\":\"\""), "{t}");
    }
}

/// Item 5: an item that keeps failing is set aside after a bounded number
/// of tries instead of being retried for ever unseen.
#[tokio::test]
async fn an_item_that_keeps_failing_is_set_aside_after_its_last_try() {
    let app = TestApp::spawn().await;
    app.settled().await;
    let last = hikeshi::runner::MAX_ATTEMPTS - 1;
    app.fake.fail("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL), vec![Fault::Status(500)]);
    app.queue_audit_on_its_last_try().await;
    app.settled_allowing_failures().await;
    let (status, error): (String, Option<String>) =
        sqlx::query_as("SELECT status, last_error FROM outbox WHERE kind = 'audit_report'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(status, "dead");
    assert!(error.unwrap_or_default().contains(&format!("failed {} times", last + 1)));
}

/// Item 7: the server is at Discord's 500 channels. The report is stored
/// and answered; the committee hears, with the number and what to do; the
/// reporter hears the report is safe; nothing is given up, and the channel
/// opens once someone makes room.
#[tokio::test]
async fn a_full_server_is_told_to_the_committee_and_the_channel_opens_once_there_is_room() {
    use chrono::TimeZone;
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    app.fake.expect_refusal(30013);
    let mut filler = vec![];
    while app.fake.channels().iter().filter(|c| c["type"] != 1).count() < 500 {
        filler.push(app.fake.add_channel(0, "old-chat", None));
    }
    let (_, reply) = app
        .submit_report(
            crate::support::payloads::Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[("title", "満杯"), ("what", "x")],
        )
        .await;
    let text = crate::support::ephemeral_text(&reply);
    let number: hikeshi::domain::IncidentNumber =
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).find_map(|w| w.parse().ok()).expect("a number");
    app.wait_until("the committee is told", |f| {
        f.calls("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL))
            .iter()
            .any(|p| p.body["content"].as_str().is_some_and(|c| c.contains(&number.to_string()) && c.contains("500")))
    })
    .await;
    app.wait_until("the reporter hears it is safe", |f| {
        f.calls("PATCH", "/webhooks/*/*/messages/@original")
            .iter()
            .any(|p| p.body["content"].as_str().is_some_and(|c| c.contains("安全に保存")))
    })
    .await;
    let dead: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'dead'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(dead, 0, "nothing is given up");
    assert!(app.incident(number).await.channel.is_none());
    // Someone deletes old channels; five minutes on, the channel opens.
    for c in filler.drain(..10) {
        app.fake.remove_channel(c);
    }
    clock.advance(chrono::Duration::minutes(6));
    let i = app.ready_incident(number).await;
    app.settled().await;
    app.assert_one_channel_and_card(&i);
    let told =
        app.posts_in(ids::COMMITTEE_CHANNEL).into_iter().filter(|p| p.body["content"].as_str().is_some_and(|c| c.contains("500"))).count();
    assert_eq!(told, 1, "told once");
}

/// Item 8: a transcript larger than Discord's upload limit is compressed
/// and split into parts that each fit; the parts join to the whole record.
#[tokio::test]
async fn a_transcript_over_the_upload_limit_is_compressed_and_split() {
    use std::io::Read as _;
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    // 16 MB of text that does not compress below the limit (as logs and
    // pasted dumps often do not), kept as the transcript already holds it.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let mut tx = app.store.begin().await.unwrap();
    for k in 0..800u64 {
        let m = crate::support::kept_message(
            i.channel.unwrap().0,
            5_000_000 + k,
            ids::ALICE,
            format!("dump {k}: {}", crate::support::noise(&mut x, 20_000)),
        );
        tx.record_message(i.id, &m).await.unwrap();
    }
    tx.commit().await.unwrap();
    // This server takes at most 5 MiB a request: the first part meets a 413.
    app.fake.set_upload_limit(5 * 1024 * 1024);
    app.fake.expect_refusal(40005);
    app.through_form(&i, ids::BOB, &format!("hk1:dismiss:{}", i.id), &[("body", "調査の結果、誤検知")]).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    let uploads: Vec<_> = app.posts_in(channel).into_iter().filter(|p| !p.raw_files.is_empty() && p.status < 300).collect();
    assert!(uploads.len() >= 2, "split into parts: {}", uploads.len());
    let mut joined = vec![];
    for (n, u) in uploads.iter().enumerate() {
        let (name, bytes) = &u.raw_files[0];
        assert_eq!(name, &format!("{}-transcript.md.gz.{:03}", i.number, n + 1));
        assert!(bytes.len() <= 5 * 1024 * 1024, "part {n} is {} bytes", bytes.len());
        joined.extend_from_slice(bytes);
    }
    assert!(app.fake.requests().iter().any(|r| r.status == 413), "the 413 was met and answered with smaller parts");
    let mut md = String::new();
    flate2::read::GzDecoder::new(&joined[..]).read_to_string(&mut md).unwrap();
    assert!(md.contains("dump 0: ") && md.contains("dump 799: "), "the whole record");
    assert_eq!(app.fake.channel(channel).unwrap()["parent_id"], crate::support::fake::snowflake(ids::ARCHIVE_CATEGORY));
}

use crate::resilience::edits_of as reply_edits;

/// A fresh PostgreSQL database the bots reach through a relay the test
/// can cut (the test's own view does not); `None` without PostgreSQL.
pub(crate) async fn behind_a_relay(test: &str) -> Option<(TestApp, crate::support::outage::Outage)> {
    behind_a_relay_at(test, std::sync::Arc::new(hikeshi::clock::SystemClock)).await
}

/// The same, with the bots' clock.
pub(crate) async fn behind_a_relay_at(
    test: &str,
    clock: std::sync::Arc<dyn hikeshi::clock::Clock>,
) -> Option<(TestApp, crate::support::outage::Outage)> {
    let mut app = TestApp::without_bot_on_postgres_at(test, clock).await?;
    let outage = crate::support::outage::Outage::relay("127.0.0.1:5432".parse().unwrap()).await;
    app.db = hikeshi::config::DatabaseUrl(app.db.0.replace("127.0.0.1:5432", &outage.addr.to_string()));
    Some((app, outage))
}

/// The held report reached the database once, with its channel and card,
/// and its copy on disk is gone.
async fn stored_once_from_disk(app: &TestApp) {
    app.eventually_within(Duration::from_secs(30), "the held report is stored", || async {
        app.store.open_incidents().await.unwrap().len() == 1
    })
    .await;
    app.settled_within(Duration::from_secs(30)).await;
    let open = app.store.open_incidents().await.unwrap();
    assert_eq!(open.len(), 1, "stored once");
    assert_eq!(open[0].title, "DB停止中の報告");
    app.assert_one_channel_and_card(&open[0]);
    assert_eq!(std::fs::read_dir(&app.spool).unwrap().count(), 0, "the disk copy goes once stored");
}

/// A report submitted while PostgreSQL (through the relay) is down, up to
/// the reply that says it is held on disk; returns its interaction token.
pub(crate) async fn report_while_down(app: &TestApp) -> String {
    use crate::support::payloads::Who;
    let report = payloads::modal(
        app.id(),
        Who::new(ids::DAVE, ids::GENERAL),
        "hk1:report:unsure:-:0",
        &[("title", "DB停止中の報告"), ("what", "不審なログイン通知が来た")],
    );
    let token = report["token"].as_str().unwrap().to_string();
    let first = app.interact(report).await;
    assert_eq!(first["type"], 5, "deferred: {first}");
    app.wait_until("the reporter reads it is held on disk", |_| {
        reply_edits(app, &token).iter().any(|t| t.contains("ディスクに保持") && t.contains("不審なログイン通知"))
    })
    .await;
    token
}

/// Item 4, a deploy: hikeshi is stopped (as by SIGTERM) while a report is
/// held. The reporter reads plainly that it is kept on disk; the next
/// start stores it, once.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn a_report_held_when_hikeshi_stops_is_kept_on_disk_and_stored_once_after_the_restart() {
    let test = "a_report_held_when_hikeshi_stops_is_kept_on_disk_and_stored_once_after_the_restart";
    let Some((mut app, outage)) = behind_a_relay(test).await else {
        return;
    };
    app.start_bot().await;
    outage.down();
    let token = report_while_down(&app).await;
    assert_eq!(std::fs::read_dir(&app.spool).unwrap().count(), 1, "kept on disk before the promise");
    app.stop_bot().await;
    let last = reply_edits(&app, &token).pop().unwrap();
    assert!(last.contains("停止") && last.contains("ディスクに保持") && last.contains("不審なログイン通知"), "{last}");

    outage.up();
    app.start_bot().await;
    stored_once_from_disk(&app).await;
    app.stop_bot().await;
}

/// Item 4, a crash: the process is killed (SIGKILL) while a report is held;
/// the next process stores it from disk, once.
#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn a_report_held_when_the_process_is_killed_is_stored_once_by_the_next_one() {
    let Some((app, outage)) = behind_a_relay("a_report_held_when_the_process_is_killed_is_stored_once_by_the_next_one").await else {
        return;
    };
    let bot = app.start_process("hikeshi=info").await;
    outage.down();
    report_while_down(&app).await;
    bot.kill().await;
    outage.up();
    let bot = app.start_process("hikeshi=info").await;
    stored_once_from_disk(&app).await;
    bot.stop_keep_log().await;
}

/// Item 1: while hikeshi is stopped, members write, edit and delete in an
/// incident channel. After the restart the record has all of it, and the
/// channel is told once.
#[tokio::test]
async fn messages_written_edited_and_deleted_while_hikeshi_was_away_are_recovered() {
    let mut app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let edited = app.fake.post_user_message(channel, ids::ALICE, "共有フォルダは3つ");
    let deleted = app.fake.post_user_message(channel, ids::ALICE, "USBを抜きました");
    app.eventually("both are kept", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        [edited, deleted].iter().all(|m| t.iter().any(|l| l.msg.message.0 == *m))
    })
    .await;
    app.settled().await;
    app.stop_bot().await;

    // Away: 150 new messages (two pages of history), an edit, a deletion.
    let mut new = vec![];
    for n in 0..150 {
        new.push(app.fake.add_user_message(channel, ids::DAVE, &format!("停止中の書き込み {n}")));
    }
    app.fake.edit_message_offline(channel, edited, "共有フォルダは4つ（訂正）");
    app.fake.delete_message_offline(channel, deleted);

    app.start_bot().await;
    app.eventually("the history is recovered", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        new.iter().all(|m| t.iter().any(|l| l.msg.message.0 == *m))
    })
    .await;
    // Edits and deletions of older messages: found by the whole history
    // read again, in the background, then told.
    app.wait_until("the whole history is read again and told", |f| {
        f.messages(channel).iter().any(|m| m["content"].as_str().is_some_and(|c| c.contains("接続していなかった間")))
    })
    .await;
    app.settled().await;
    let t = app.store.transcript(i.id).await.unwrap();
    let versions: Vec<&str> = t.iter().filter(|l| l.msg.message.0 == edited).map(|l| l.msg.content.as_str()).collect();
    assert_eq!(versions, ["共有フォルダは3つ", "共有フォルダは4つ（訂正）"]);
    assert!(t.iter().filter(|l| l.msg.message.0 == deleted).all(|l| l.deleted_at.is_some()), "marked deleted while offline");
    let said = |app: &TestApp| {
        app.fake.messages(channel).iter().filter(|m| m["content"].as_str().is_some_and(|c| c.contains("接続していなかった間"))).count()
    };
    assert_eq!(said(&app), 1);
    let notice =
        app.fake.messages(channel).into_iter().find(|m| m["content"].as_str().is_some_and(|c| c.contains("接続していなかった間"))).unwrap();
    assert!(notice["content"].as_str().unwrap().contains("新しいメッセージ150件、編集1件、削除1件"), "{notice}");
    let verified = app.store.verify().await.unwrap();
    assert!(verified.is_ok(), "{verified:?}");
    // Another restart reads the history again and finds nothing new: no
    // second notice.
    let reads = app.fake.calls("GET", &format!("/channels/{channel}/messages")).len();
    app.restart().await;
    app.wait_until("the history is read again", |f| f.calls("GET", &format!("/channels/{channel}/messages")).len() > reads).await;
    app.settled().await;
    app.snapshot().await;
    assert_eq!(said(&app), 1, "told once");
}

/// Item 2: threads of an incident channel belong to its record — their
/// start, name, messages, edits, deletions — and the bot joins a private
/// one to hear it; a thread started while hikeshi was away is found too.
/// A thread elsewhere is none of its business.
#[tokio::test]
async fn threads_of_an_incident_channel_are_kept_in_its_record() {
    use serde_json::json;
    let mut app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let thread = app.fake.start_thread(channel, "ログ解析", true, ids::ALICE);
    app.wait_until("the bot joins the private thread", |f| f.bot_in_thread(thread)).await;
    let said = app.fake.post_user_message(thread, ids::ALICE, "auth.log に不審なIP");
    let gone = app.fake.post_user_message(thread, ids::ALICE, "誤記です");
    app.eventually("the thread's messages are kept", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        [said, gone].iter().all(|m| t.iter().any(|l| l.msg.message.0 == *m && l.msg.channel.0 == thread))
    })
    .await;
    app.fake.dispatch(
        "MESSAGE_UPDATE",
        json!({"id": snowflake(said), "channel_id": snowflake(thread), "guild_id": snowflake(ids::GUILD), "author": user_json(ids::ALICE),
            "content": "auth.log に不審なIP（2件）", "edited_timestamp": "2026-12-01T10:00:00.000000+00:00"}),
    );
    app.fake.dispatch("MESSAGE_DELETE", json!({"id": snowflake(gone), "channel_id": snowflake(thread), "guild_id": snowflake(ids::GUILD)}));
    app.fake.rename_thread(thread, "ログ解析（auth.log）");
    app.eventually("the edit, the deletion and the new name are kept", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        let names = app.store.threads(i.id).await.unwrap();
        t.iter().any(|l| l.msg.message.0 == said && l.version == 2)
            && t.iter().any(|l| l.msg.message.0 == gone && l.deleted_at.is_some())
            && names.iter().any(|(_, n)| n == "ログ解析（auth.log）")
    })
    .await;
    let kinds: Vec<String> = app.store.events_of(i.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&"thread_opened".into()) && kinds.contains(&"thread_renamed".into()), "{kinds:?}");
    // A deleted thread is noted; what was said in it stays.
    app.fake.delete_thread(thread);
    app.eventually("the deletion is noted", || async {
        app.store.events_of(i.id).await.unwrap().iter().any(|e| e.kind == "thread_deleted")
    })
    .await;
    assert!(app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.message.0 == said));
    // A thread outside incident channels is not recorded, nor joined.
    let elsewhere = app.fake.start_thread(ids::GENERAL, "雑談", false, ids::DAVE);
    app.fake.post_user_message(elsewhere, ids::DAVE, "ランチどうする");
    // Away: a thread is started and written in without the bot.
    app.settled().await;
    app.stop_bot().await;
    let quiet = app.fake.add_thread(channel, "夜間の記録", false, ids::ALICE);
    let night = app.fake.add_user_message(quiet, ids::ALICE, "23時に再起動した");
    app.start_bot().await;
    app.eventually("the thread started while away is recovered", || async {
        app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.message.0 == night && l.msg.channel.0 == quiet)
    })
    .await;
    app.settled().await;
    assert!(!app.fake.bot_in_thread(elsewhere), "not joined");
    assert!(app.store.threads(i.id).await.unwrap().iter().all(|(t, _)| t.0 != elsewhere));
    assert!(app.store.transcript(i.id).await.unwrap().iter().all(|l| !l.msg.content.contains("ランチ")));
    // The export names the threads.
    let record = app.store.incident_by_number(i.number).await.unwrap().unwrap();
    let out = app.hikeshi().args(["export", &record.number.to_string(), "--format", "md"]).output().await.unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("スレッド「ログ解析（auth.log）」") && md.contains("auth.log に不審なIP（2件）"), "{md}");
    assert!(md.contains("スレッド「夜間の記録」") && md.contains("23時に再起動した"), "{md}");
}

/// Item 3: files posted in an incident channel are evidence. Each is
/// fetched when posted and kept with its SHA-256; one over the cap is
/// recorded as not kept with its size and name; a day later, when
/// Discord's links have expired, the export still has every kept file
/// beside it; `verify` fails on an altered or missing file.
#[tokio::test]
async fn posted_files_are_kept_as_evidence_and_outlive_discords_links() {
    let app = TestApp::spawn_custom(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| {
        c.replace("max_attachment_mib = 25", "max_attachment_mib = 1")
    })
    .await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let mut x: u32 = 12345;
    let screenshot: Vec<u8> = (0..300_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    let (_, shot) = app.fake.post_user_file(channel, ids::ALICE, "画面です", "screen shot.png", &screenshot);
    let (_, big) = app.fake.post_user_file(channel, ids::ALICE, "全部のログ", "all.log", &vec![b'x'; 1_500_000]);
    app.eventually("both files are dealt with", || async { app.store.attachments(i.id).await.unwrap().len() == 2 }).await;
    app.settled().await;
    let files = app.store.attachments(i.id).await.unwrap();
    let kept = files.iter().find(|a| a.id == shot).unwrap();
    match &kept.kept {
        hikeshi::domain::transcript::Kept::Stored { sha256, content } => {
            assert_eq!(content, &screenshot);
            assert_eq!(sha256, &hikeshi::domain::event::digest_bytes(&screenshot));
        }
        other => panic!("not kept: {other:?}"),
    }
    let not = files.iter().find(|a| a.id == big).unwrap();
    assert!(matches!(&not.kept, hikeshi::domain::transcript::Kept::NotKept { reason } if reason.contains("too large")), "{not:?}");
    assert_eq!((not.name.as_str(), not.size), ("all.log", 1_500_000));

    // A day later Discord's links are dead; the record is not.
    app.fake.expire_links();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = format!("{}/", dir.path().display());
    let out = app.hikeshi().args(["export", &i.number.to_string(), "--format", "html", "--output", &out_dir]).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(dir.path().join(format!("{}.html", i.number))).unwrap();
    let href = format!("files/{shot}-screen_shot.png");
    assert!(page.contains(&format!("href=\"{href}\"")), "the page links the kept copy");
    assert_eq!(std::fs::read(dir.path().join(&href)).unwrap(), screenshot, "the copy beside the page is the file");
    assert!(page.contains("all.log") && page.contains("too large"), "the file not kept is named with why");
    assert!(app.store.verify().await.unwrap().is_ok());

    // An altered file, then a missing one, and verify says so.
    sqlx::query("UPDATE attachments SET content = $1 WHERE attachment_id = $2")
        .bind(vec![0u8; 4])
        .bind(shot as i64)
        .execute(app.store.pool())
        .await
        .unwrap();
    let broken = app.store.verify().await.unwrap().unwrap_err().to_string();
    assert!(broken.contains(&format!("attachment {shot}")) && broken.contains("edited"), "{broken}");
    sqlx::query("DELETE FROM attachments WHERE attachment_id = $1").bind(shot as i64).execute(app.store.pool()).await.unwrap();
    let broken = app.store.verify().await.unwrap().unwrap_err().to_string();
    assert!(broken.contains(&format!("attachment {shot}")) && broken.contains("deleted"), "{broken}");
}

/// Issue 23, item 8: a thread is started and written in at once; the bot
/// handles the message before the thread's creation (gateway events run
/// side by side). The message is kept: its channel is looked up, found to
/// be a thread of the incident channel, and recorded first. Messages in an
/// ordinary channel cost one lookup for the process, and are not kept.
#[tokio::test]
async fn a_message_in_a_thread_the_bot_has_not_handled_yet_is_kept() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    let thread = app.fake.add_thread(channel, "初動メモ", false, ids::ALICE);
    let first = app.fake.post_user_message(thread, ids::ALICE, "最初の書き込み");
    app.eventually("the first message of the thread is kept", || async {
        app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.message.0 == first && l.msg.channel.0 == thread)
    })
    .await;
    // The creation arrives after: nothing twice.
    let mut created = app.fake.channel(thread).unwrap();
    created["newly_created"] = serde_json::json!(true);
    app.fake.dispatch("THREAD_CREATE", created);
    let second = app.fake.post_user_message(thread, ids::ALICE, "二つ目");
    app.eventually("the second is kept", || async { app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.message.0 == second) })
        .await;
    app.settled().await;
    assert_eq!(app.store.threads(i.id).await.unwrap().iter().filter(|(t, _)| t.0 == thread).count(), 1);
    assert_eq!(app.store.transcript(i.id).await.unwrap().iter().filter(|l| l.msg.message.0 == first).count(), 1);

    for text in ["ランチどうする", "カレーで"] {
        app.fake.post_user_message(ids::GENERAL, ids::DAVE, text);
    }
    app.settled().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.fake.calls("GET", &format!("/channels/{}", ids::GENERAL)).len() <= 1, "one lookup for an ordinary channel");
    assert!(app.store.transcript(i.id).await.unwrap().iter().all(|l| !l.msg.content.contains("ランチ")));
}
