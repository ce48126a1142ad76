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
