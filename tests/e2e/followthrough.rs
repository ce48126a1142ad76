//! §4.4 followed through: the commander drafts the plan and the committee
//! approves it before all members hear of it; a revision edits the
//! announcement in place and redrafts the board report; the committee
//! records when the board was told; the plan's measures and the playbook's
//! gaps become follow-up actions, reminded until done, after the close too.

use crate::support::fake::{ids, snowflake};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use hikeshi::domain::{Incident, Phase};
use serde_json::{json, Value};
use std::sync::Arc;

/// 2026-03-31 09:00 in Tokyo.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap()
}

fn followup(app: &TestApp, user: u64, i: &Incident, options: Value) -> Value {
    payloads::slash(
        app.id(),
        Who::new(user, i.channel.unwrap().0),
        "incident",
        json!([{"name": "followup", "type": 1, "options": options}]),
    )
}

use crate::board::board_drafts;

/// The playbooks, copied where the story can change one.
fn own_playbooks(config: String, dir: &std::path::Path) -> String {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/playbooks");
    for e in std::fs::read_dir(&shipped).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    config.replace(&format!("{:?}", shipped.display().to_string()), &format!("{:?}", dir.display().to_string()))
}

#[tokio::test]
async fn the_commanders_plan_is_approved_revised_in_place_told_to_the_board_and_followed_up_after_the_close() {
    let clock = ManualClock::new(start());
    let playbooks = tempfile::tempdir().unwrap();
    let pb_dir = playbooks.path().to_path_buf();
    let mut app = TestApp::spawn_custom(Arc::new(clock.clone()), |c| own_playbooks(c, &pb_dir)).await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    // The committee appoints Dave, a member outside it, to command (§4.2).
    let card = app.card(&i);
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, channel), &format!("hk1:appoint:{}", i.id), ids::DAVE, &card)).await;
    app.advance_times(ids::DAVE, &i, 5).await;
    assert_eq!(app.incident(i.number).await.phase, Phase::Lessons);

    // The commander's draft is not announced: it waits for the committee.
    let plan = |technical: &str| {
        vec![
            ("technical", technical.to_string()),
            ("organisational", "添付ファイルの取扱い研修".to_string()),
            ("cause", "不審メール".to_string()),
        ]
    };
    let fields = plan("EDRを全端末に導入");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = app.through_form(&i, ids::DAVE, &format!("hk1:plan:{}", i.id), &fields).await;
    assert!(ephemeral_text(&saved).contains("承認"), "{saved}");
    app.settled().await;
    assert!(app.fake.messages(ids::ANNOUNCEMENTS).is_empty(), "nothing reaches all members before approval");
    let asks = app.message_with(channel, "hk1:approve:").expect("the approval button in the channel");
    assert!(asks["content"].as_str().unwrap().contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)), "{asks}");
    let sent = app.posts_in(channel).into_iter().find(|p| p.body["components"].to_string().contains("hk1:approve:")).unwrap();
    assert_eq!(sent.body["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]), "only the committee is pinged");
    // Neither closing nor the commander's own approval get past it.
    let early = app.click(ids::DAVE, &i, &format!("hk1:close:{}:y", i.id)).await;
    assert!(ephemeral_text(&early).contains("委員会による再発防止計画の承認"), "{early}");
    let own = app.press(Who::new(ids::DAVE, channel), &format!("hk1:approve:{}", i.id)).await;
    assert!(own.contains("委員会"), "{own}");
    assert!(app.fake.messages(ids::ANNOUNCEMENTS).is_empty());
    let approved = app.press(Who::new(ids::CAROL, channel), &format!("hk1:approve:{}", i.id)).await;
    assert!(approved.contains("承認しました"), "{approved}");
    app.settled().await;
    let announced = app.fake.messages(ids::ANNOUNCEMENTS);
    assert_eq!(announced.len(), 1);
    assert!(announced[0]["embeds"][0]["fields"][0]["value"].as_str().unwrap().contains("EDRを全端末に導入"));

    // §4.4(2): the board report drafted with the plan; a changed answer redrafts it.
    let commander = app.click(ids::DAVE, &i, &format!("hk1:board:{}:victim:n", i.id)).await;
    assert!(ephemeral_text(&commander).contains("委員会"), "the committee answers the board's questions: {commander}");
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:victim:n", i.id)).await;
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:harm:y", i.id)).await;
    app.settled().await;
    assert_eq!(board_drafts(&app).len(), 1);
    assert!(board_drafts(&app)[0].contains("EDRを全端末に導入"), "the draft carries the plan");
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:victim:y", i.id)).await;
    app.settled().await;
    assert_eq!(board_drafts(&app).len(), 2, "changed answers redraft the report");

    // A revision: the announcement shows the approved text until the
    // committee approves the new one, then the same message is edited.
    let fields = plan("EDRと振る舞い検知を全端末に導入");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.through_form(&i, ids::DAVE, &format!("hk1:plan:{}", i.id), &fields).await;
    app.settled().await;
    let still = &app.fake.messages(ids::ANNOUNCEMENTS)[0];
    assert!(!still["embeds"][0]["fields"][0]["value"].as_str().unwrap().contains("振る舞い検知"), "a draft is never shown to all members");
    app.press(Who::new(ids::CAROL, channel), &format!("hk1:approve:{}", i.id)).await;
    app.settled().await;
    let announced = app.fake.messages(ids::ANNOUNCEMENTS);
    assert_eq!(announced.len(), 1, "a revision, not a second announcement");
    assert!(announced[0]["embeds"][0]["fields"][0]["value"].as_str().unwrap().contains("振る舞い検知"));
    assert!(announced[0]["embeds"][0]["footer"]["text"].as_str().unwrap().contains("改訂版（第2版）"), "{}", announced[0]);
    let drafts = board_drafts(&app);
    assert_eq!(drafts.len(), 3, "the approved revision redrafts the board report");
    assert!(drafts[2].contains("振る舞い検知"));

    // The plan's measures become follow-up actions with an owner and a date.
    let bad = ephemeral_text(
        &app.interact(followup(
            &app,
            ids::DAVE,
            &i,
            json!([{"name": "what", "type": 3, "value": "EDR導入"}, {"name": "due", "type": 3, "value": "来月末"}]),
        ))
        .await,
    );
    assert!(bad.contains("YYYY-MM-DD"), "{bad}");
    let not_member = ephemeral_text(
        &app.interact(followup(
            &app,
            ids::ALICE,
            &i,
            json!([{"name": "what", "type": 3, "value": "x"}, {"name": "due", "type": 3, "value": "2026-04-10"}]),
        ))
        .await,
    );
    assert!(not_member.contains("だけ"), "{not_member}");
    let added = ephemeral_text(
        &app.interact(followup(
            &app,
            ids::DAVE,
            &i,
            json!([{"name": "what", "type": 3, "value": "EDRを全端末に導入 @everyone"}, {"name": "due", "type": 3, "value": "2026-04-10"},
                   {"name": "owner", "type": 6, "value": snowflake(ids::DAVE)}]),
        ))
        .await,
    );
    assert!(added.contains("#1"), "{added}");
    // §4.4(4): what the playbook lacked becomes "update the playbook".
    app.through_form(&i, ids::DAVE, &format!("hk1:note:{}", i.id), &[("went_well", "隔離が早かった"), ("missing", "復元手順が古い")]).await;
    app.settled().await;
    let card = app.card(&i);
    let card_text = card["embeds"][0].to_string();
    assert!(card_text.contains("#1 EDRを全端末に導入") && card_text.contains("対応手順 malware の更新: 復元手順が古い"), "{card_text}");
    assert!(app.fake.problems().is_empty(), "{:?}", app.fake.problems());

    // Closing does not close them.
    let closed = app.click(ids::DAVE, &i, &format!("hk1:close:{}:y", i.id)).await;
    assert!(ephemeral_text(&closed).contains("終了"), "{closed}");
    app.settled().await;
    assert_eq!(app.incident(i.number).await.phase, Phase::Closed);

    // §5: the board report is owed until the committee records it.
    let audit = app.hikeshi().arg("audit").output().await.unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout).to_string();
    assert!(audit.contains("取締役会") && audit.contains(&i.number.to_string()), "{audit}");
    let member = app.press(Who::new(ids::DAVE, ids::COMMITTEE_CHANNEL), &format!("hk1:boardtold:{}", i.id)).await;
    assert!(member.contains("委員会"), "{member}");
    let told = crate::board::record_board_told(&app, ids::CAROL, &i, "2026-03-31", "計画どおり進めるよう指示").await;
    assert!(told.contains("報告済み"), "{told}");
    let twice = crate::board::record_board_told(&app, ids::CAROL, &i, "2026-03-31", "再度").await;
    assert!(twice.contains("すでに"), "{twice}");

    // Past the due date (10 April, Tokyo), the owner hears of it by DM and
    // the committee in its channel, once per week until done.
    let not_announcement = |app: &TestApp| app.dms_to(ids::DAVE).into_iter().filter(|m| !m.contains("§4.4(3)")).count();
    let dms = not_announcement(&app);
    clock.set(Utc.with_ymd_and_hms(2026, 4, 10, 15, 30, 0).unwrap());
    app.ticks_pass(2).await;
    let reminded = |app: &TestApp| app.dms_to(ids::DAVE).iter().filter(|m| m.contains("フォローアップ #1")).count();
    assert_eq!(reminded(&app), 1, "{:?}", app.dms_to(ids::DAVE));
    assert_eq!(
        not_announcement(&app),
        dms + 1,
        "the committee's own playbook update goes to the committee, not Dave: {:?}",
        app.dms_to(ids::DAVE)
    );
    let to_committee = |app: &TestApp| {
        app.posts_in(ids::COMMITTEE_CHANNEL).iter().filter(|p| p.body["content"].as_str().unwrap_or("").contains("📌")).count()
    };
    assert_eq!(to_committee(&app), 1);
    app.restart().await;
    app.ticks_pass(2).await;
    assert_eq!(reminded(&app), 1, "a restart sends nothing twice");
    clock.advance(Duration::days(7));
    app.ticks_pass(2).await;
    assert_eq!(reminded(&app), 2, "a week later, again");
    // Issue 23, item 7: Dave closes his DMs. The next week's reminder is
    // said in the incident's channel, mentioning him, and kept for him in
    // `/report status`; nothing is given up.
    app.fake.close_dms(ids::DAVE);
    clock.advance(Duration::days(7));
    app.ticks_pass(2).await;
    app.settled().await;
    assert_eq!(reminded(&app), 2, "the DM was refused");
    let channel = i.channel.unwrap().0;
    let said: Vec<String> = app
        .fake
        .messages(channel)
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .filter(|t| t.contains("フォローアップ #1") && t.contains("DM が届かない"))
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with(&format!("<@{}>", ids::DAVE)), "{}", said[0]);
    let post =
        app.posts_in(channel).into_iter().rev().find(|p| p.body["content"].as_str().is_some_and(|c| c.contains("DM が届かない"))).unwrap();
    assert_eq!(post.body["allowed_mentions"]["users"], json!([snowflake(ids::DAVE)]), "only Dave is pinged");
    let status = ephemeral_text(
        &app.interact(payloads::slash(
            app.id(),
            Who::new(ids::DAVE, ids::GENERAL),
            "report",
            json!([{"name": "status", "type": 1, "options": []}]),
        ))
        .await,
    );
    assert!(status.contains("フォローアップ #1"), "{status}");

    // The owner lists theirs and marks it done; the reminders stop.
    let listed = app.interact(payloads::slash(app.id(), Who::new(ids::DAVE, ids::COMMITTEE_CHANNEL), "followups", json!([]))).await;
    let text = ephemeral_text(&listed);
    assert!(text.contains("EDRを全端末に導入") && !text.contains("復元手順"), "Dave sees his own only: {text}");
    let done_id = format!("hk1:fudone:{}:1", i.id);
    let list_msg = app.fake.ephemeral_message(ids::COMMITTEE_CHANNEL, &listed["data"]);
    let alice = app.interact(payloads::button(app.id(), Who::new(ids::ALICE, ids::COMMITTEE_CHANNEL), &done_id, &list_msg)).await;
    assert!(ephemeral_text(&alice).contains("だけ"), "{alice}");
    let done = app.interact(payloads::button(app.id(), Who::new(ids::DAVE, ids::COMMITTEE_CHANNEL), &done_id, &list_msg)).await;
    assert!(ephemeral_text(&done).contains("完了"), "{done}");
    clock.advance(Duration::days(7));
    app.ticks_pass(2).await;
    assert_eq!(reminded(&app), 2, "done: no more reminders");
    let committee_list = ephemeral_text(
        &app.interact(payloads::slash(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL), "followups", json!([]))).await,
    );
    assert!(committee_list.contains("復元手順") && !committee_list.contains("EDRを全端末に導入"), "{committee_list}");

    // The playbook is updated: the action is done once hikeshi loads it.
    let file = playbooks.path().join("malware.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n# 2026-04: 復元手順を更新\n")).unwrap();
    app.restart().await;
    app.ticks_pass(2).await;
    let closed = app.incident(i.number).await;
    assert!(closed.lessons.followups.iter().all(|f| f.done.is_some()), "{:?}", closed.lessons.followups);
    assert_eq!(closed.lessons.followups[1].done.as_ref().unwrap().by, None, "done by the file's change");

    // The record says all of it, in words.
    let md = app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    for part in [
        "第2版を carol",
        "取締役会への報告: 報告済み",
        "#1 EDRを全端末に導入",
        "完了",
        "対応手順のファイルの更新を確認",
        "顧客や取引先等の社外に対して当法人が加害者となる場合: 該当",
    ] {
        assert!(md.contains(part), "{part} missing:\n{md}");
    }
    assert!(!md.contains("```json"), "the lessons are prose");
    let html = String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "html"]).output().await.unwrap().stdout)
        .unwrap();
    assert!(html.contains("フォローアップ（§4.4(1)）") && html.contains("報告済み"), "the document has follow-ups and the board");
    // `HIKESHI_FOLLOWTHROUGH_SAMPLE=/tmp/x.html` keeps the page for a look.
    if let Some(path) = std::env::var_os("HIKESHI_FOLLOWTHROUGH_SAMPLE") {
        std::fs::write(path, &html).unwrap();
    }
    let audit = String::from_utf8_lossy(&app.hikeshi().arg("audit").output().await.unwrap().stdout).to_string();
    let owed = audit.lines().filter(|l| l.contains(&i.number.to_string()) && !l.contains("周知（§4.4(3)）を確認した会員")).count();
    assert_eq!(owed, 0, "nothing owed any more (the announcement's figure stays a year): {audit}");
    app.assert_no_schema_violations();
}

/// §4.4(3) すべての会員に周知: a week after the announcement, each member
/// who has not confirmed it hears of it once by DM, with its link; those
/// who confirmed and the bot do not; a week later nobody hears again.
#[tokio::test]
async fn members_who_have_not_confirmed_the_announcement_are_reminded_once() {
    let clock = ManualClock::new(start());
    let app = TestApp::spawn_with_clock(Arc::new(clock.clone())).await;
    let (i, ann) = app.announced_plan(ids::ALICE).await;
    app.interact(payloads::button(app.id(), Who::new(ids::ALICE, ids::ANNOUNCEMENTS), &format!("hk1:read:{}", i.id), &ann)).await;
    let reminded = |app: &TestApp, user: u64| app.dms_to(user).iter().filter(|m| m.contains("まだ確認されていない")).count();

    clock.advance(Duration::days(6));
    app.ticks_pass(2).await;
    app.settled().await;
    assert_eq!(reminded(&app, ids::DAVE), 0, "not before the week is out");
    clock.advance(Duration::days(1) + Duration::minutes(1));
    app.ticks_pass(2).await;
    app.settled().await;
    for user in [ids::BOB, ids::CAROL, ids::DAVE] {
        assert_eq!(reminded(&app, user), 1, "{user}: {:?}", app.dms_to(user));
    }
    assert_eq!(reminded(&app, ids::ALICE), 0, "Alice confirmed it");
    assert_eq!(reminded(&app, ids::BOT), 0);
    let dm = app.dms_to(ids::DAVE).into_iter().find(|m| m.contains("まだ確認されていない")).unwrap();
    let link = format!("https://discord.com/channels/{}/{}/{}", ids::GUILD, ids::ANNOUNCEMENTS, ann["id"].as_str().unwrap());
    assert!(dm.contains(&link) && dm.contains(&i.number.to_string()), "{dm}");
    clock.advance(Duration::days(7));
    app.ticks_pass(2).await;
    app.settled().await;
    assert_eq!(reminded(&app, ids::DAVE), 1, "once");
    // §5: the audit shows the share of members who confirmed it.
    let audit = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "audit", json!([]))).await;
    let audit = ephemeral_text(&audit);
    assert!(audit.contains(&format!("{} の再発防止計画の周知（§4.4(3)）を確認した会員: 1人（会員4人中 25%）", i.number)), "{audit}");
}
