//! §4.2 "collected in one place": every message of an incident channel is
//! kept, the bot's too; edits keep every version, deletions are marked.

use crate::support::fake::{ids, snowflake, user_json};
use crate::support::payloads;
use crate::support::TestApp;
use serde_json::json;

#[tokio::test]
async fn messages_edits_and_deletions_are_kept_in_the_transcript() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;

    let first = app.id();
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(first, ids::ALICE, channel, "ファイルサーバの画面を撮りました"));
    let second = app.id();
    let mut reply = payloads::user_message(second, ids::BOB, channel, "LANケーブルを抜いてください @everyone");
    reply["message_reference"] =
        json!({"message_id": snowflake(first), "channel_id": snowflake(channel), "guild_id": snowflake(ids::GUILD)});
    reply["attachments"] = json!([{"id": snowflake(app.id()), "filename": "手順.pdf", "size": 10, "url": "https://cdn.example/手順.pdf", "proxy_url": "https://cdn.example/手順.pdf"}]);
    app.fake.dispatch("MESSAGE_CREATE", reply);
    // Not an incident channel: not recorded.
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ids::DAVE, ids::GENERAL, "lunch?"));
    app.fake.dispatch(
        "MESSAGE_UPDATE",
        json!({"id": snowflake(first), "channel_id": snowflake(channel), "guild_id": snowflake(ids::GUILD), "author": user_json(ids::ALICE),
            "content": "ファイルサーバの画面を撮りました（3台分）", "edited_timestamp": "2026-11-25T10:00:00.000000+00:00"}),
    );
    app.fake
        .dispatch("MESSAGE_DELETE", json!({"id": snowflake(first), "channel_id": snowflake(channel), "guild_id": snowflake(ids::GUILD)}));

    app.eventually("the transcript holds the edit and the deletion", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        t.iter().filter(|l| l.msg.message.0 == first).all(|l| l.deleted_at.is_some())
            && t.iter().filter(|l| l.msg.message.0 == first).count() == 2
            && t.iter().any(|l| l.msg.message.0 == second)
    })
    .await;
    let t = app.store.transcript(i.id).await.unwrap();
    let versions: Vec<&str> = t.iter().filter(|l| l.msg.message.0 == first).map(|l| l.msg.content.as_str()).collect();
    assert_eq!(versions, vec!["ファイルサーバの画面を撮りました", "ファイルサーバの画面を撮りました（3台分）"]);
    let bobs = t.iter().find(|l| l.msg.message.0 == second).expect("bob's reply");
    assert_eq!(bobs.msg.reply_to.map(|m| m.0), Some(first));
    assert_eq!(bobs.msg.attachments, vec![("手順.pdf".to_string(), "https://cdn.example/手順.pdf".to_string())]);
    assert!(bobs.deleted_at.is_none());
    // The bot's own posts (card, ping) are in the record too.
    assert!(t.iter().any(|l| l.msg.author_bot && l.msg.content.contains(&format!("<@&{}>", ids::COMMITTEE_ROLE))));
    assert!(!t.iter().any(|l| l.msg.content == "lunch?"));
    // And the record is tamper-evident.
    assert!(app.store.verify().await.unwrap().is_ok());
}
