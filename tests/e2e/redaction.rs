//! Redaction (issue 25, APPI): personal data posted by mistake is taken out
//! of the record, of Discord and of the database's files, while the chain
//! still proves what was recorded, and who took it out, when and why.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::clock::SystemClock;
use hikeshi::domain::transcript::REDACTED;
use serde_json::json;
use std::sync::Arc;

const NUMBER: &str = "マイナンバー 1234-5678-9012";
const FILE: &[u8] = b"DRIVING-LICENCE-SCAN-0xC0FFEE";

async fn redact(app: &TestApp, user: u64, channel: u64, message: &str) -> String {
    let options = json!([{"name": "message", "type": 3, "value": message}, {"name": "reason", "type": 3, "value": "個人番号の誤投稿"}]);
    let reply = app
        .interact(payloads::slash(
            app.id(),
            Who::new(user, channel),
            "incident",
            json!([{"name": "redact", "type": 1, "options": options}]),
        ))
        .await;
    ephemeral_text(&reply)
}

/// ALICE posts her ID number and a scan of her licence in an incident
/// channel; a member outside the committee cannot redact it; the committee
/// does, by the message's link. The record reads the marker (every export
/// too), Discord no longer holds the message, `verify` passes and names
/// who redacted, when and why, and the database's files no longer hold the
/// bytes (`scan`: what the backend's files hold, before and after).
async fn story(mut app: TestApp, scan: impl AsyncFn(&TestApp) -> (bool, bool)) {
    app.start_bot().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let (message, _) = app.fake.post_user_file(channel, ids::ALICE, NUMBER, "licence.png", FILE);
    app.eventually("the message and its file are kept", || async {
        app.store.events_of(i.id).await.unwrap().iter().any(|e| e.kind == "attachment_kept")
    })
    .await;
    app.settled().await;
    assert_eq!(scan(&app).await, (true, true), "the files hold the bytes before (the scan can see them)");
    let link = format!("https://discord.com/channels/{}/{channel}/{message}", ids::GUILD);

    let refused = redact(&app, ids::ALICE, channel, &link).await;
    assert!(refused.contains("委員会"), "{refused}");
    assert!(app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.content == NUMBER), "nothing changed");
    let done = redact(&app, ids::CAROL, channel, &link).await;
    assert!(done.contains("削除しました"), "{done}");
    app.settled().await;

    let gone = message.to_string();
    assert!(app.fake.messages(channel).iter().all(|m| m["id"].as_str() != Some(gone.as_str())), "deleted from Discord");
    let lines = app.store.transcript(i.id).await.unwrap();
    let line = lines.iter().find(|l| l.msg.message.0 == message).unwrap();
    assert_eq!(line.msg.content, REDACTED);
    let md = app.hikeshi().args(["export", &i.number.to_string()]).output().await.unwrap();
    let md = String::from_utf8_lossy(&md.stdout).to_string();
    assert!(md.contains(REDACTED) && !md.contains("1234-5678"), "{md}");
    assert!(md.contains("個人番号の誤投稿"), "the timeline says why: {md}");
    let verify = app.hikeshi().arg("verify").output().await.unwrap();
    let said = String::from_utf8_lossy(&verify.stdout).to_string();
    assert!(verify.status.success(), "{said}");
    assert!(said.contains(&format!("redacted: message {message}")) && said.contains(&format!("user:{}", ids::CAROL)), "{said}");
    assert!(said.contains("個人番号の誤投稿"), "{said}");
    // A second redaction of it finds nothing left to take.
    assert!(redact(&app, ids::CAROL, channel, &message.to_string()).await.contains("ありません"));
    assert_eq!(scan(&app).await, (false, false), "(the number, the file) still in the database's files");
}

fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// Whether `files` hold the number and the file's bytes.
fn scan_files(files: &[String]) -> (bool, bool) {
    let all: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap_or_default()).collect();
    (all.iter().any(|b| holds(b, "1234-5678-9012".as_bytes())), all.iter().any(|b| holds(b, FILE)))
}

#[tokio::test]
async fn a_redacted_message_leaves_the_record_discord_and_the_sqlite_file() {
    let app = TestApp::without_bot(Arc::new(SystemClock), |c| c).await;
    let path = app.db.0.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
    let files = [path.clone(), format!("{path}-wal")];
    story(app, async |_| scan_files(&files)).await;
}

#[tokio::test]
async fn a_redacted_message_leaves_postgresqls_tables() {
    let Some(app) = TestApp::without_bot_on_postgres("a_redacted_message_leaves_postgresqls_tables").await else { return };
    story(app, async |app| {
        let pool = app.store.pool();
        sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
        let dir: String = sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'data_directory'").fetch_one(pool).await.unwrap();
        let mut files = vec![];
        for table in ["transcript", "attachments"] {
            let sql = format!(
                "SELECT pg_relation_filepath('{table}') UNION ALL SELECT pg_relation_filepath(reltoastrelid) FROM pg_class WHERE relname = '{table}' AND reltoastrelid <> 0"
            );
            let paths: Vec<String> = sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
            files.extend(paths.into_iter().map(|p| format!("{dir}/{p}")));
        }
        assert!(files.len() >= 2, "{files:?}");
        scan_files(&files)
    })
    .await;
}
