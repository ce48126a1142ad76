//! §4.2 (issue 26): the committee says it has a report — 確認しました on
//! the card, the status board and the committee's notice; once, by the
//! committee only; timed, and counted by priority in /stats.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{card_field, custom_ids, ephemeral_text, TestApp};
use chrono::{Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use hikeshi::domain::Incident;
use serde_json::{json, Value};
use std::sync::Arc;

fn ack(i: &Incident) -> String {
    format!("hk1:iack:{}", i.id)
}

/// The committee channel's messages now: the status board (an embed) and
/// the notices (text).
fn committee_messages(app: &TestApp) -> (Value, Vec<Value>) {
    let all = app.fake.messages(ids::COMMITTEE_CHANNEL);
    let board = all.iter().find(|m| m["embeds"].as_array().is_some_and(|e| !e.is_empty())).cloned().expect("a status board");
    let notices = all.into_iter().filter(|m| m["content"].as_str().is_some_and(|c| c.contains("🔥"))).collect();
    (board, notices)
}

#[tokio::test]
async fn the_committee_acknowledges_once_from_the_card_board_or_notice_and_the_time_is_counted() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(Arc::new(clock.clone())).await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;

    // Waiting: the card says so, and every place the committee looks has the button.
    assert!(card_field(&app.card(&i), "委員会の確認").contains("まだ誰も確認していません"));
    assert!(app.card_custom_ids(&i).contains(&ack(&i)), "{:?}", app.card_custom_ids(&i));
    let (board, notices) = committee_messages(&app);
    assert!(custom_ids(&board).contains(&ack(&i)), "the status board: {board}");
    assert_eq!(notices.len(), 1);
    assert!(custom_ids(&notices[0]).contains(&ack(&i)), "the notice: {}", notices[0]);

    // The reporter is not the committee: refused, nothing recorded.
    let text = app
        .refused_and_unchanged(
            "the reporter acknowledging",
            payloads::button(app.id(), Who::new(ids::ALICE, i.channel.unwrap().0), &ack(&i), &app.card(&i)),
        )
        .await;
    assert!(text.contains("委員会") && text.contains("だけ"), "{text}");

    // Seven minutes later Bob presses it on the status board.
    clock.advance(Duration::minutes(7));
    let reply = app.interact(payloads::button(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &ack(&i), &board)).await;
    assert!(ephemeral_text(&reply).contains("確認したことを記録しました"), "{reply}");
    app.settled().await;
    let card = app.card(&i);
    assert_eq!(card_field(&card, "委員会の確認"), format!("✅ <@{}>（報告から7分）", ids::BOB));
    assert!(!app.card_custom_ids(&i).contains(&ack(&i)), "no button once acknowledged");
    let (board, _) = committee_messages(&app);
    assert!(!custom_ids(&board).contains(&ack(&i)), "the board drops it: {board}");
    let after = app.incident(i.number).await;
    assert_eq!(after.acknowledged.map(|a| a.by.0), Some(ids::BOB));

    // Carol presses the notice's button afterwards, in English: told who did.
    let late = app.interact(payloads::button(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL).en(), &ack(&i), &notices[0])).await;
    assert_eq!(ephemeral_text(&late), format!("<@{}> has already acknowledged it.", ids::BOB));
    assert_eq!(app.incident(i.number).await.acknowledged, after.acknowledged, "the first acknowledgement stands");
    let events = app.store.events_of(i.id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == "acknowledged").count(), 1);

    // /stats: priority 1 (the file server), one acknowledged, 7 minutes.
    let stats = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL).en(), "stats", json!([]))).await;
    let text = ephemeral_text(&stats);
    let line = text.lines().find(|l| l.starts_with("priority 1")).unwrap_or_else(|| panic!("{text}"));
    assert_eq!(line.split_whitespace().collect::<Vec<_>>(), ["priority", "1", "1", "0h07m", "0h07m", "0"], "{text}");
    assert!(text.contains("to acknowledge"), "{text}");

    // §9: the yearly review (1 April, 10:00 in Tokyo) looks back at it.
    clock.set(Utc.with_ymd_and_hms(2027, 4, 1, 1, 0, 30).unwrap());
    let review = |app: &TestApp| {
        app.posts_in(ids::COMMITTEE_CHANNEL)
            .into_iter()
            .map(|p| p.body["content"].as_str().unwrap_or("").to_string())
            .find(|c| c.contains("内容の適切性の審議"))
    };
    app.wait_until("the yearly review is posted", |_| review(&app).is_some()).await;
    let text = review(&app).unwrap();
    assert!(text.contains("報告が委員会に確認されるまでの時間") && text.contains("優先度1"), "{text}");
}

#[tokio::test]
async fn taking_command_answers_the_ping() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::CAROL, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled().await;
    let after = app.incident(i.number).await;
    assert_eq!(after.acknowledged.map(|a| a.by.0), Some(ids::CAROL), "taking command is an acknowledgement");
    assert!(card_field(&app.card(&i), "委員会の確認").starts_with(&format!("✅ <@{}>", ids::CAROL)));
    let text = app
        .refused_and_unchanged(
            "acknowledging after command",
            payloads::button(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &ack(&i), &app.card(&i)),
        )
        .await;
    assert!(text.contains("すでに確認しました"), "{text}");
}
