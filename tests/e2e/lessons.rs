//! §4.4: learning from the incident — plan, board report, announcement,
//! improvement notes; no close without them (or a recorded waiver).

use crate::support::fake::{ids, snowflake};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Incident, Phase};
use serde_json::json;

/// Takes command and walks to the Lessons phase.
async fn to_lessons(app: &TestApp) -> Incident {
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 5).await;
    let i = app.incident(i.number).await;
    assert_eq!(i.phase, Phase::Lessons);
    app.settled().await;
    i
}

#[tokio::test]
async fn lessons_lead_to_a_board_report_and_an_announcement_read_by_two_members() {
    let app = TestApp::spawn().await;
    let i = to_lessons(&app).await;
    let refused = app.click(ids::BOB, &i, &format!("hk1:close:{}:y", i.id)).await;
    let text = ephemeral_text(&refused);
    assert!(text.contains("まだ終了できません") && text.contains("再発防止計画"), "{text}");

    // The plan needs both parts.
    let empty = app
        .through_form(&i, ids::BOB, &format!("hk1:plan:{}", i.id), &[("technical", "EDRを全端末に導入"), ("organisational", "  ")])
        .await;
    assert!(ephemeral_text(&empty).contains("組織的対策が空"), "{empty}");
    let ok = app
        .through_form(
            &i,
            ids::BOB,
            &format!("hk1:plan:{}", i.id),
            &[
                ("technical", "EDRを全端末に導入"),
                ("organisational", "添付ファイルの取扱い研修"),
                ("cause", "不審メールの添付を開いた"),
                ("damage", "共有フォルダ2日停止"),
            ],
        )
        .await;
    assert!(ephemeral_text(&ok).contains("周知"), "{ok}");

    // §4.4(2): outside breach — yes; harm to outsiders — no.
    let card_ids = app.card_custom_ids(&app.incident(i.number).await);
    assert!(card_ids.contains(&format!("hk1:board:{}:victim:y", i.id)), "{card_ids:?}");
    app.click(ids::BOB, &i, &format!("hk1:board:{}:victim:y", i.id)).await;
    let answered = app.click(ids::BOB, &i, &format!("hk1:board:{}:harm:n", i.id)).await;
    assert!(ephemeral_text(&answered).contains("取締役会"), "{answered}");
    app.through_form(
        &i,
        ids::BOB,
        &format!("hk1:note:{}", i.id),
        &[("went_well", "隔離が早かった"), ("missing", "バックアップの復元手順が古い")],
    )
    .await;

    // The board report draft reaches the committee, with every heading.
    app.settled().await;
    let report = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|p| p.files.iter().any(|(n, _)| n.ends_with("board-report.md")))
        .expect("board report attached");
    assert_eq!(report.body["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]));
    let md = &report.files[0].1;
    for heading in ["概要", "経緯", "原因", "被害", "対応", "業務の再開", "関係者への影響", "再発防止計画"] {
        assert!(md.contains(&format!("## {heading}")), "missing {heading}:\n{md}");
    }
    assert!(md.contains("不審メールの添付を開いた") && md.contains("EDRを全端末に導入"));

    // §4.4(3): announced to all members; two of them read it.
    let ann = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().expect("announcement");
    assert!(ann["embeds"][0]["fields"][0]["value"].as_str().unwrap().contains("EDR"));
    for user in [ids::ALICE, ids::DAVE, ids::DAVE] {
        app.interact(payloads::button(app.id(), Who::new(user, ids::ANNOUNCEMENTS), &format!("hk1:read:{}", i.id), &ann)).await;
    }
    app.settled().await;
    let ann = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().unwrap();
    assert_eq!(ann["embeds"][0]["footer"]["text"], "既読 2人", "two readers (Dave twice counts once), edited in place: {ann}");
    assert_eq!(app.fake.messages(ids::ANNOUNCEMENTS).len(), 1);
    let who =
        app.interact(payloads::button(app.id(), Who::new(ids::CAROL, ids::ANNOUNCEMENTS), &format!("hk1:readers:{}", i.id), &ann)).await;
    let who = ephemeral_text(&who);
    assert!(who.contains(&format!("<@{}>", ids::ALICE)) && who.contains(&format!("<@{}>", ids::DAVE)) && who.contains("未読"), "{who}");
    let not_committee =
        app.interact(payloads::button(app.id(), Who::new(ids::DAVE, ids::ANNOUNCEMENTS), &format!("hk1:readers:{}", i.id), &ann)).await;
    assert!(ephemeral_text(&not_committee).contains("だけ"));

    // Now it may close, saying whether the end trigger was met (§4.1(1)):
    // the card's Close buttons ask it; a bare advance is refused.
    let card = app.card_custom_ids(&app.incident(i.number).await);
    assert!(card.contains(&format!("hk1:close:{}:y", i.id)) && card.contains(&format!("hk1:close:{}:n", i.id)), "{card:?}");
    let bare = app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await;
    assert!(ephemeral_text(&bare).contains("終了の契機"), "{bare}");
    let closed = app.click(ids::BOB, &i, &format!("hk1:close:{}:y", i.id)).await;
    assert!(ephemeral_text(&closed).contains("終了"), "{closed}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Closed);
    // The record of an incident walked through every phase, as a page:
    // `HIKESHI_EXPORT_SAMPLE=/tmp/x.html` keeps it for a look in a browser.
    app.settled().await;
    let out = app.hikeshi().args(["export", &i.number.to_string(), "--format", "html"]).output().await.unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    if let Some(path) = std::env::var_os("HIKESHI_EXPORT_SAMPLE") {
        std::fs::write(path, &page).unwrap();
    }
    assert!(page.contains("期限内に復旧") || page.contains("期限を超過して復旧"), "the Table 1 outcome is in the summary");
    assert!(page.contains("バックアップの復元手順が古い") && page.contains("該当"), "notes and board answers");
    // §4.1(1): what started the response, and that its end trigger was met.
    assert!(page.contains("対応組織が始動（始動の契機:") && page.contains("が終了の契機を満たしたとして終了"), "the 契機 in the record");
    // §4.4(4): the committee reads the notes on the playbook.
    let notes = |user: u64| {
        payloads::slash(
            app.id(),
            Who::new(user, ids::COMMITTEE_CHANNEL),
            "playbook",
            json!([{"name": "notes", "type": 1, "options": [{"name": "playbook", "type": 3, "value": "malware"}]}]),
        )
    };
    let listed = ephemeral_text(&app.interact(notes(ids::CAROL)).await);
    assert!(listed.contains("バックアップの復元手順が古い") && listed.contains(&i.number.to_string()), "{listed}");
    assert!(ephemeral_text(&app.interact(notes(ids::ALICE)).await).contains("だけ"));
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn the_committee_may_waive_an_item_with_a_reason_and_nothing_else_closes_early() {
    let app = TestApp::spawn().await;
    let i = to_lessons(&app).await;
    app.through_form(&i, ids::BOB, &format!("hk1:plan:{}", i.id), &[("technical", "パッチ適用"), ("organisational", "周知")]).await;
    app.click(ids::BOB, &i, &format!("hk1:board:{}:victim:n", i.id)).await;
    app.click(ids::BOB, &i, &format!("hk1:board:{}:harm:n", i.id)).await;
    let refused = app.click(ids::BOB, &i, &format!("hk1:close:{}:y", i.id)).await;
    assert!(ephemeral_text(&refused).contains("改善メモ"), "{refused}");
    // A member cannot waive; the committee can, with a reason.
    let card = app.card(&i);
    let no = app
        .interact(payloads::string_select(
            app.id(),
            Who::new(ids::ALICE, i.channel.unwrap().0),
            &format!("hk1:waive:{}", i.id),
            &["notes"],
            &card,
        ))
        .await;
    assert!(ephemeral_text(&no).contains("だけ"));
    let form = app
        .interact(payloads::string_select(
            app.id(),
            Who::new(ids::CAROL, i.channel.unwrap().0),
            &format!("hk1:waive:{}", i.id),
            &["notes"],
            &card,
        ))
        .await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(
        app.id(),
        Who::new(ids::CAROL, i.channel.unwrap().0),
        &custom,
        &[("body", "対応手順通りに進み改善点なし")],
    ))
    .await;
    app.click(ids::BOB, &i, &format!("hk1:close:{}:y", i.id)).await;
    let closed = app.incident(i.number).await;
    assert_eq!(closed.phase, Phase::Closed);
    assert_eq!(closed.lessons.waivers[0].reason, "対応手順通りに進み改善点なし");
    // No board report: both answers were no.
    app.settled().await;
    assert!(!app.posts_in(ids::COMMITTEE_CHANNEL).iter().any(|p| !p.files.is_empty()));
}

/// §4.3: the commander keeps three records; Recovery ends only with an
/// entry of each, or with the committee's waiver of one, with a reason that
/// the §5 audit lists again.
#[tokio::test]
async fn recovery_ends_only_with_the_three_records_or_the_committees_waiver() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 4).await;
    assert_eq!(app.incident(i.number).await.phase, Phase::Recovery);
    app.through_form(&i, ids::BOB, &format!("hk1:log:{}:status", i.id), &[("body", "全端末を復元")]).await;
    let refused = ephemeral_text(&app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await);
    assert!(refused.contains("ビジネス活動再開に関する情報") && refused.contains("顧客及び取引先等利害関係者の影響"), "{refused}");
    assert!(!refused.contains("発生状況及び対応状況"), "the status is logged: {refused}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Recovery);

    // Only the committee waives, from the card, with a reason.
    app.settled().await;
    let card = app.card(&i);
    let waive = format!("hk1:waiverec:{}", i.id);
    assert!(app.card_custom_ids(&i).contains(&waive));
    let channel = i.channel.unwrap().0;
    let no = app.interact(payloads::string_select(app.id(), Who::new(ids::DAVE, channel), &waive, &["stakeholders"], &card)).await;
    assert!(ephemeral_text(&no).contains("だけ"), "{no}");
    let form = app.interact(payloads::string_select(app.id(), Who::new(ids::CAROL, channel), &waive, &["stakeholders"], &card)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let blank = app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, channel), &custom, &[("body", "  ")])).await;
    assert!(ephemeral_text(&blank).contains("理由"), "{blank}");
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, channel), &custom, &[("body", "社外の利用者がいないシステム")])).await;
    let still = ephemeral_text(&app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await);
    assert!(still.contains("ビジネス活動再開に関する情報") && !still.contains("顧客及び取引先等利害関係者の影響"), "{still}");
    app.through_form(&i, ids::BOB, &format!("hk1:log:{}:business", i.id), &[("body", "翌朝から通常業務")]).await;
    app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await;
    assert_eq!(app.incident(i.number).await.phase, Phase::Lessons);

    // §5: the waiver is looked at again; the record says it in words.
    app.settled().await;
    let audit = String::from_utf8_lossy(&app.hikeshi().arg("audit").output().await.unwrap().stdout).to_string();
    assert!(audit.contains("顧客及び取引先等利害関係者の影響") && audit.contains("社外の利用者がいないシステム"), "{audit}");
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("§4.3 の記録「顧客及び取引先等利害関係者の影響」を免除（理由: 社外の利用者がいないシステム）"), "{md}");
    app.assert_no_schema_violations();
}
