//! §4.4(2) 取締役会への報告: the committee decides whether the board hears
//! of an incident (the two questions are not the commander's), the board
//! hears of the plan the committee approved, and the committee records the
//! day the board met and what it decided or instructed. A "not applicable"
//! to both questions comes back in the §5 audit for the committee to
//! confirm.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Incident, Phase};
use serde_json::Value;

pub fn board_drafts(app: &TestApp) -> Vec<String> {
    app.posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .filter(|p| p.status == 200)
        .filter_map(|p| p.files.iter().find(|(n, _)| n.ends_with("board-report.md")).map(|(_, body)| body.clone()))
        .collect()
}

/// Presses "the board was told" under the draft and fills its form; the
/// reply the member sees (a refusal may come before the form).
pub async fn record_board_told(app: &TestApp, user: u64, i: &Incident, day: &str, decided: &str) -> String {
    let button = format!("hk1:boardtold:{}", i.id);
    let message = app.message_with(ids::COMMITTEE_CHANNEL, &button).expect("the draft's button");
    let form = app.interact(payloads::button(app.id(), Who::new(user, ids::COMMITTEE_CHANNEL), &button, &message)).await;
    if form["type"] != 9 {
        return ephemeral_text(&form);
    }
    assert!(form["data"]["components"].to_string().contains("2026-"), "today is filled in: {form}");
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let who = Who::new(user, ids::COMMITTEE_CHANNEL);
    ephemeral_text(&app.interact(payloads::modal(app.id(), who, &custom, &[("met_on", day), ("body", decided)])).await)
}

/// A member commands (appointed by the committee, §4.2) and reaches Lessons.
async fn commanded_by_dave(app: &TestApp) -> Incident {
    let i = app.report_malware(ids::ALICE).await;
    let card = app.card(&i);
    let appoint = format!("hk1:appoint:{}", i.id);
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &appoint, ids::DAVE, &card)).await;
    app.advance_times(ids::DAVE, &i, 5).await;
    let i = app.incident(i.number).await;
    assert_eq!(i.phase, Phase::Lessons);
    i
}

#[tokio::test]
async fn the_committee_answers_for_the_board_which_hears_of_the_approved_plan_and_its_meeting_is_recorded() {
    let app = TestApp::spawn().await;
    let i = commanded_by_dave(&app).await;
    let board = |q: &str| format!("hk1:board:{}:{q}", i.id);
    let commander = app.click(ids::DAVE, &i, &board("victim:y")).await;
    assert!(ephemeral_text(&commander).contains("委員会"), "{commander}");
    assert_eq!(app.incident(i.number).await.lessons.board.victim_of_outside_breach, None);
    app.click(ids::CAROL, &i, &board("victim:y")).await;
    app.click(ids::CAROL, &i, &board("harm:n")).await;
    app.settled().await;
    let first = board_drafts(&app);
    assert_eq!(first.len(), 1);
    assert!(first[0].contains("委員会の承認待ち"), "no plan before the committee approves one: {}", first[0]);
    // 経緯 in words, never the record's raw event names.
    for raw in ["command appointed", "commander_appointed", "phase advanced", "phase_advanced", "reported —"] {
        assert!(!first[0].contains(raw), "{raw} in {}", first[0]);
    }
    assert!(first[0].contains("実行責任者に任命"), "{}", first[0]);
    // §4.2 → §4.4: the analysis's findings are the draft's cause and
    // damage, and the plan's form starts from them.
    assert!(first[0].contains("## 原因\n\n不審メールの添付ファイル"), "{}", first[0]);
    let plan_form = app.click(ids::DAVE, &i, &format!("hk1:plan:{}", i.id)).await;
    assert!(plan_form["data"]["components"].to_string().contains("共有フォルダが2日使えなかった"), "{plan_form}");

    // The board hears of an approved plan: recording it needs one.
    let early = record_board_told(&app, ids::CAROL, &i, "2026-11-30", "承認後に再報告").await;
    assert!(early.contains("承認"), "{early}");
    app.through_form(&i, ids::DAVE, &format!("hk1:plan:{}", i.id), &[("technical", "EDRを全端末に導入"), ("organisational", "研修")]).await;
    app.settled().await;
    assert_eq!(board_drafts(&app).len(), 1, "a draft plan does not redraft the board report");
    let approve = app.message_with(i.channel.unwrap().0, "hk1:approve:").unwrap();
    let who = Who::new(ids::CAROL, i.channel.unwrap().0);
    app.interact(payloads::button(app.id(), who, &format!("hk1:approve:{}", i.id), &approve)).await;
    app.settled().await;
    let drafts = board_drafts(&app);
    assert!(drafts.last().unwrap().contains("EDRを全端末に導入"), "{drafts:?}");

    // The member may not; a date that cannot be read, or is still to come,
    // or no decision, says what to change.
    assert!(record_board_told(&app, ids::DAVE, &i, "2026-11-30", "x").await.contains("委員会"));
    assert!(record_board_told(&app, ids::CAROL, &i, "来週", "x").await.contains("YYYY-MM-DD"));
    assert!(record_board_told(&app, ids::CAROL, &i, "2099-01-01", "x").await.contains("未来"));
    assert!(record_board_told(&app, ids::CAROL, &i, "2026-11-30", "  ").await.contains("決定・指示"));
    assert!(app.incident(i.number).await.lessons.board_told.is_none());
    let told = record_board_told(&app, ids::CAROL, &i, "2026-11-30", "全社でEDR導入を前倒しするよう指示").await;
    assert!(told.contains("報告済み"), "{told}");
    let kept = app.incident(i.number).await.lessons.board_told.unwrap();
    assert_eq!(
        (kept.met_on.map(|d| d.to_string()), kept.decided.as_str()),
        (Some("2026-11-30".into()), "全社でEDR導入を前倒しするよう指示")
    );
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("取締役会への報告を記録（開催日 2026-11-30、決定・指示: 全社でEDR導入を前倒しするよう指示）"), "{md}");
    let json = String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "json"]).output().await.unwrap().stdout)
        .unwrap();
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["lessons"]["board_told"]["met_on"], "2026-11-30", "{}", json["lessons"]);
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn not_applicable_to_both_questions_comes_back_in_the_audit() {
    let app = TestApp::spawn().await;
    let i = commanded_by_dave(&app).await;
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:victim:n", i.id)).await;
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:harm:n", i.id)).await;
    app.settled().await;
    assert!(board_drafts(&app).is_empty());
    let audit = app.hikeshi().arg("audit").output().await.unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout).to_string();
    assert!(audit.contains(&format!("{}: 取締役会報告の2つの設問がどちらも「非該当」", i.number)), "{audit}");
}
