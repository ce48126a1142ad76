//! §6 exceptions, §8 disclosure, §9 amendments and the yearly review.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use serde_json::json;
use std::sync::Arc;

pub(crate) fn last_post_with(app: &TestApp, channel: u64, text: &str) -> serde_json::Value {
    app.fake
        .messages(channel)
        .into_iter()
        .rfind(|m| m["content"].as_str().unwrap_or("").contains(text))
        .unwrap_or_else(|| panic!("no post with {text}"))
}

/// The committee clicks a decision button and gives a reason.
async fn decide(app: &TestApp, message: &serde_json::Value, user: u64, button: usize, reason: &str) -> serde_json::Value {
    let custom = message["components"][0]["components"][button]["custom_id"].as_str().unwrap().to_string();
    let form = app.interact(payloads::button(app.id(), Who::new(user, ids::COMMITTEE_CHANNEL), &custom, message)).await;
    if form["type"] != 9 {
        return form;
    }
    let modal = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(user, ids::COMMITTEE_CHANNEL), &modal, &[("body", reason)])).await
}

#[tokio::test]
async fn an_exception_is_requested_approved_listed_and_reminded_at_expiry() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 5, 10, 0, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(Arc::new(clock.clone())).await;
    let form = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::DAVE, ids::GENERAL),
            "exception",
            json!([{"name": "request", "type": 1, "options": []}]),
        ))
        .await;
    assert_eq!(form["type"], 9);
    let bad = app
        .interact(payloads::modal(
            app.id(),
            Who::new(ids::DAVE, ids::GENERAL),
            "hk1:exceptionm",
            &[("subject", "USBメモリ禁止"), ("text", "展示会のデモ"), ("until", "来週")],
        ))
        .await;
    assert!(ephemeral_text(&bad).contains("YYYY-MM-DD"));
    let ok = app
        .interact(payloads::modal(
            app.id(),
            Who::new(ids::DAVE, ids::GENERAL),
            "hk1:exceptionm",
            &[("subject", "USBメモリ禁止"), ("text", "展示会のデモ"), ("until", "2026-05-20")],
        ))
        .await;
    assert!(ephemeral_text(&ok).contains("DM"), "{ok}");
    app.settled().await;
    let card = last_post_with(&app, ids::COMMITTEE_CHANNEL, "例外申請");
    // A member cannot decide; the committee approves with a reason.
    let no = decide(&app, &card, ids::ALICE, 0, "x").await;
    assert!(ephemeral_text(&no).contains("だけ"));
    let yes = decide(&app, &card, ids::BOB, 0, "代替の暗号化USBを使うこと").await;
    assert!(ephemeral_text(&yes).contains("承認"), "{yes}");
    app.settled().await;
    assert!(
        app.dms_to(ids::DAVE).iter().any(|m| m.contains("承認") && m.contains("代替の暗号化USB") && m.contains("2026-05-20")),
        "{:?}",
        app.dms_to(ids::DAVE)
    );
    let twice = decide(&app, &card, ids::CAROL, 1, "no").await;
    assert!(ephemeral_text(&twice).contains("すでに決定されています"), "{twice}");
    let list = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::BOB, ids::COMMITTEE_CHANNEL),
            "exception",
            json!([{"name": "list", "type": 1, "options": []}]),
        ))
        .await;
    assert!(ephemeral_text(&list).contains("USBメモリ禁止"));
    // At the end of 20 May (Tokyo) the requester and the committee are told.
    clock.set(Utc.with_ymd_and_hms(2026, 5, 20, 15, 0, 0).unwrap());
    app.wait_until("the expiry is told", |_| app.dms_to(ids::DAVE).iter().any(|m| m.contains("期限を迎えました"))).await;
    assert!(app.fake.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| m["content"].as_str().unwrap_or("").contains("期限を迎えました")));
    clock.advance(Duration::hours(1));
    app.ticks_pass(2).await;
    assert_eq!(app.dms_to(ids::DAVE).iter().filter(|m| m.contains("期限を迎えました")).count(), 1, "reminded once");
    let list = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::BOB, ids::COMMITTEE_CHANNEL),
            "exception",
            json!([{"name": "list", "type": 1, "options": []}]),
        ))
        .await;
    assert!(ephemeral_text(&list).contains("有効な例外はありません"));
}

/// ALICE asks for an amendment; BOB accepts it for the committee.
pub(crate) async fn amendment_accepted(app: &TestApp) {
    app.interact(payloads::modal(
        app.id(),
        Who::new(ids::ALICE, ids::GENERAL),
        "hk1:amendm",
        &[("subject", "§4.1(2)"), ("text", "訓練を年2回以上とする"), ("reason", "回数が決まっていない")],
    ))
    .await;
    app.settled().await;
    let card = last_post_with(app, ids::COMMITTEE_CHANNEL, "変更の申請");
    decide(app, &card, ids::BOB, 0, "委員会で承認").await;
}

#[tokio::test]
async fn an_amendment_is_accepted_and_announced_and_the_review_outcome_too() {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(Arc::new(clock.clone())).await;
    let form = app.interact(payloads::slash(app.id(), Who::new(ids::ALICE, ids::GENERAL), "amend", json!([]))).await;
    assert_eq!(form["type"], 9);
    amendment_accepted(&app).await;
    app.settled().await;
    // Accepting is not yet the amendment: the revised text follows.
    let notice = last_post_with(&app, ids::ANNOUNCEMENTS, "変更の申請が認められました");
    let notice = notice["content"].as_str().unwrap();
    assert!(notice.contains("訓練を年2回以上とする") && notice.contains("改訂した規程の本文は") && !notice.contains("改正"), "{notice}");
    assert!(app.dms_to(ids::ALICE).iter().any(|m| m.contains("変更が認められました")));

    // §9: the yearly review fires; acknowledging it asks for the outcome, which all members hear.
    // (A first tick starts counting the schedules from now.)
    app.ticks_pass(1).await;
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("the review reminder", |f| {
        f.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| m["content"].as_str().unwrap_or("").contains("内容の適切性の審議"))
    })
    .await;
    let reminder = last_post_with(&app, ids::COMMITTEE_CHANNEL, "内容の適切性の審議");
    decide(&app, &reminder, ids::CAROL, 0, "規程は妥当。§4.1(2) の改訂を反映済み").await;
    app.settled().await;
    assert!(last_post_with(&app, ids::ANNOUNCEMENTS, "内容の適切性の審議")["content"].as_str().unwrap().contains("規程は妥当"));
    let r = app.store.reminders().await.unwrap().into_iter().find(|r| r.kind == "annual_review").unwrap();
    assert_eq!(r.acknowledged_by, Some(ids::CAROL as i64));
}

#[tokio::test]
async fn the_regulation_is_shown_to_members_only_in_their_language() {
    let app = TestApp::spawn().await;
    let id = app.id();
    let mut ja = payloads::slash(id, Who::new(ids::DAVE, ids::GENERAL), "regulation", json!([{"name": "show", "type": 1, "options": []}]));
    ja["id"] = json!(id.to_string());
    let reply = app.interact(ja).await;
    assert!(ephemeral_text(&reply).contains("セキュリティインシデント報告・対応規程"));
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    assert!(callback.files[0].1.contains("趣旨"), "the full text is attached");
    let en = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::DAVE, ids::GENERAL).en(),
            "regulation",
            json!([{"name": "show", "type": 1, "options": []}]),
        ))
        .await;
    assert!(ephemeral_text(&en).contains("Security Incident Reporting and Response Regulation"));
    let mut outsider = Who::new(ids::DAVE, ids::GENERAL);
    outsider.guild = Some(9999);
    let no = app.interact(payloads::slash(app.id(), outsider, "regulation", json!([{"name": "show", "type": 1, "options": []}]))).await;
    assert!(!ephemeral_text(&no).contains("趣旨") && ephemeral_text(&no).contains("サーバー内"));
}

/// §9 変更内容の通知: when the regulation's file itself changes, all members
/// hear of the new version once — not on the first start, not twice.
#[tokio::test]
async fn a_revised_regulation_file_is_announced_to_all_members_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/regulation");
    for f in ["ja.md", "en.md"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    let copy = dir.path().to_path_buf();
    let dated = |c: String, approved: &str| {
        c.replace(&root.display().to_string(), &copy.display().to_string()).replace(
            "[organisation]\n",
            &format!("[organisation]\nregulation_approved = \"{approved}\"\nregulation_effective = \"2027-01-01\"\n"),
        )
    };
    let mut app = TestApp::spawn_custom(Arc::new(hikeshi::clock::SystemClock), |c| dated(c, "2026-11-20")).await;
    let announced = |app: &TestApp| {
        app.fake.messages(ids::ANNOUNCEMENTS).iter().filter(|m| m["content"].as_str().unwrap_or("").contains("改訂されました")).count()
    };
    app.ticks_pass(2).await;
    assert_eq!(announced(&app), 0, "the first version is only noted");
    // A member's change request is accepted; the revision carries it out.
    amendment_accepted(&app).await;
    let ja = dir.path().join("ja.md");
    let text = std::fs::read_to_string(&ja).unwrap();
    let revised = text.replace("５\t運用確認事項\n", "５\t運用確認事項\n訓練は年2回以上行う。\n");
    assert_ne!(revised, text, "the story edits §5");
    std::fs::write(&ja, format!("{revised}\n１０\t附則\n2027年1月1日改訂\n")).unwrap();
    app.restart().await;
    app.ticks_pass(2).await;
    assert_eq!(announced(&app), 1);
    let m =
        app.fake.messages(ids::ANNOUNCEMENTS).into_iter().find(|m| m["content"].as_str().unwrap_or("").contains("改訂されました")).unwrap();
    let m = m["content"].as_str().unwrap();
    assert!(m.contains("セキュリティインシデント報告・対応規程") && m.contains("/規程"), "{m}");
    // §9: which revision, 承認日 and 施行日, what changed section by
    // section, and the request it carried out.
    assert!(m.contains("第2版") && m.contains("承認日: 2026-11-20") && m.contains("施行日: 2027-01-01"), "{m}");
    assert!(m.contains("- 変更: ５ 運用確認事項") && m.contains("- 追加: １０ 附則") && !m.contains("趣旨"), "{m}");
    let amendment = app
        .store
        .requests(hikeshi::domain::request::RequestKind::Amendment, hikeshi::domain::request::RequestStatus::Enacted)
        .await
        .unwrap();
    assert_eq!(amendment.len(), 1, "the accepted request is now enacted");
    assert!(m.contains(&format!("この改訂で反映された変更の申請: #{}", amendment[0].id)), "{m}");
    app.restart().await;
    app.ticks_pass(2).await;
    assert_eq!(announced(&app), 1, "once");
}

/// §4.1 周知・徹底 and §8: any member asks how to report, in their
/// language; nobody outside the server gets it.
#[tokio::test]
async fn members_are_shown_how_to_report() {
    let app = TestApp::spawn().await;
    let howto = json!([{"name": "howto", "type": 1, "options": []}]);
    let ja = ephemeral_text(&app.interact(payloads::slash(app.id(), Who::new(ids::DAVE, ids::GENERAL), "regulation", howto.clone())).await);
    assert!(ja.contains("報告のしかた") && ja.contains("/報告 新規") && ja.contains("匿名") && ja.contains("電話や対面"), "{ja}");
    let en =
        ephemeral_text(&app.interact(payloads::slash(app.id(), Who::new(ids::DAVE, ids::GENERAL).en(), "regulation", howto.clone())).await);
    assert!(en.contains("/report new"), "{en}");
    let mut outsider = Who::new(ids::DAVE, ids::GENERAL);
    outsider.guild = Some(9999);
    let no = ephemeral_text(&app.interact(payloads::slash(app.id(), outsider, "regulation", howto)).await);
    assert!(!no.contains("/報告 新規"), "{no}");
}

/// §4.1 周知・徹底: a playbook and the priority registry carry the version
/// the committee approved; a change to either is recorded with it, and the
/// members a changed playbook's roles name hear of it by DM, once. The
/// first load is only noted. The audit lists a playbook with no approval.
#[tokio::test]
async fn a_changed_playbook_is_recorded_with_its_approval_and_the_members_it_names_are_told() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/playbooks");
    for e in std::fs::read_dir(&shipped).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let dos = dir.path().join("dos.toml");
    let named = std::fs::read_to_string(&dos).unwrap().replace(
        "name = { ja = \"ネットワーク担当\", en = \"Network engineer\" }",
        &format!("name = {{ ja = \"ネットワーク担当\", en = \"Network engineer\" }}\nmembers = [{}]", ids::ALICE),
    );
    std::fs::write(&dos, &named).unwrap();
    let copy = dir.path().to_path_buf();
    let mut app = TestApp::spawn_custom(Arc::new(hikeshi::clock::SystemClock), |c| {
        c.replace(&format!("{:?}", shipped.display().to_string()), &format!("{:?}", copy.display().to_string()))
    })
    .await;
    app.ticks_pass(2).await;
    let told = |app: &TestApp| app.dms_to(ids::ALICE).iter().filter(|m| m.contains("改訂されました")).count();
    assert_eq!(told(&app), 0, "the first load is only noted");

    std::fs::write(
        &dos,
        named.replace("version = \"1\"", "version = \"2\"").replace("approved_on = \"2026-11-01\"", "approved_on = \"2026-12-01\""),
    )
    .unwrap();
    let config = std::fs::read_to_string(&app.config).unwrap();
    std::fs::write(
        &app.config,
        config
            .replace("recovery_priority = 0", "recovery_priority = 1")
            .replace("version = \"1\"\napproved_on = \"2026-11-01\"\n\n# §3", "version = \"2\"\napproved_on = \"2026-12-01\"\n\n# §3"),
    )
    .unwrap();
    app.restart().await;
    app.ticks_pass(2).await;
    app.settled().await;
    assert_eq!(told(&app), 1);
    let dm = app.dms_to(ids::ALICE).into_iter().find(|m| m.contains("改訂されました")).unwrap();
    assert!(dm.contains("DoS攻撃対応手順") && dm.contains("第2版") && dm.contains("2026-12-01") && dm.contains("ネットワーク担当"), "{dm}");
    assert!(app.dms_to(ids::BOB).iter().all(|m| !m.contains("改訂されました")), "only those the roles name");
    let payloads: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, payload FROM events WHERE kind IN ('playbook_revised', 'registry_revised')")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    let playbook = payloads.iter().find(|(k, _)| k == "playbook_revised").expect("recorded").1.clone();
    assert!(playbook.contains("\"dos\"") && playbook.contains("\"version\":\"2\"") && playbook.contains("2026-12-01"), "{playbook}");
    assert_eq!(payloads.iter().filter(|(k, _)| k == "playbook_revised").count(), 1, "only the playbook that changed");
    let registry = payloads.iter().find(|(k, _)| k == "registry_revised").expect("the registry's change recorded").1.clone();
    assert!(registry.contains("\"version\":\"2\""), "{registry}");
    app.restart().await;
    app.ticks_pass(2).await;
    assert_eq!(told(&app), 1, "once");

    // A playbook with no approval is in the audit.
    std::fs::write(&dos, named.replace("version = \"1\"\n", "").replace("approved_on = \"2026-11-01\"\n", "")).unwrap();
    let audit = app.hikeshi().arg("audit").output().await.unwrap();
    let audit = String::from_utf8_lossy(&audit.stdout).to_string();
    assert!(
        audit.contains("委員会の承認（版・承認日）が記録されていない対応手順があります") && audit.contains("「DoS攻撃対応手順」"),
        "{audit}"
    );
}
