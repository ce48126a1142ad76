//! §4.2, §4.3 原因に基づく対応 and §4.1(1) 周知: an incident is reclassified
//! as its cause becomes clear (the playbook, its checklist and the Table 1
//! deadline follow), and the playbook's roles, contacts and triggers are in
//! the responders' hands whenever one is attached.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Category, Incident, PlaybookId, SubKind};
use serde_json::{json, Value};

async fn report_unsure(app: &TestApp, systems: &str) -> Incident {
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "unsure",
            None,
            &[
                ("title", "見知らぬ画面が出た"),
                ("what", "ログイン後に見慣れない画面"),
                ("noticed", ""),
                ("systems", systems),
                ("impact", ""),
            ],
        )
        .await;
    app.ready_incident(app.incident_from_reply(&reply).await.number).await
}

fn reclassify(app: &TestApp, user: u64, i: &Incident, options: Value) -> Value {
    payloads::slash(
        app.id(),
        Who::new(user, i.channel.unwrap().0),
        "incident",
        json!([{"name": "reclassify", "type": 1, "options": options}]),
    )
}

fn playbook_embed(app: &TestApp, i: &Incident) -> Option<Value> {
    app.card(i)["embeds"].as_array().unwrap().iter().find(|e| e["title"].as_str().unwrap_or("").starts_with("📘")).cloned()
}

#[tokio::test]
async fn an_unsure_report_is_classified_and_reclassified_and_the_playbook_and_deadline_follow() {
    let app = TestApp::spawn().await;
    let i = report_unsure(&app, "intranet-wiki").await;
    assert_eq!((i.category, i.playbook.clone()), (Category::Unsure, None));
    assert!(playbook_embed(&app, &i).is_none());
    let channel = i.channel.unwrap().0;
    let classify = format!("hk1:classify:{}", i.id);
    assert!(app.card_custom_ids(&i).contains(&classify), "the committee classifies from the card");

    // A member cannot; the committee can, with a reason.
    let card = app.card(&i);
    let no = app
        .interact(payloads::string_select(app.id(), Who::new(ids::DAVE, channel), &classify, &["breach/unauthorised_access"], &card))
        .await;
    assert!(ephemeral_text(&no).contains("だけ"), "{no}");
    let form = app
        .interact(payloads::string_select(app.id(), Who::new(ids::CAROL, channel), &classify, &["breach/unauthorised_access"], &card))
        .await;
    let custom = form["data"]["custom_id"].as_str().expect("a form for the reason").to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, channel), &custom, &[("body", "外部IPからの不正ログインと判明")])).await;
    app.settled().await;
    let i = app.incident(i.number).await;
    assert_eq!((i.category, i.kind), (Category::Breach, Some(SubKind::UnauthorisedAccess)));
    assert_eq!(i.playbook, Some(PlaybookId("unauthorised-access".into())));
    // §4.1(1) 周知: the playbook's roles, contacts and triggers, beside the card.
    let pb = playbook_embed(&app, &i).expect("the playbook beside the card").to_string();
    for part in ["始動の契機", "終了の契機", "役割", "社外の連絡先", "個人情報保護委員会", "委託先セキュリティベンダー"]
    {
        assert!(pb.contains(part), "{part} missing: {pb}");
    }
    let notice = app.fake.messages(channel).into_iter().map(|m| m["content"].as_str().unwrap_or("").to_string()).find(|t| t.contains("🔁"));
    assert!(
        notice.as_deref().is_some_and(|t| t.contains("外部IPからの不正ログインと判明") && t.contains("対応手順が変わりました")),
        "{notice:?}"
    );
    assert!(!app.card_custom_ids(&i).contains(&classify), "classified: the select is gone");

    // The commander learns the cause: malware on the file server and mail.
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.click(ids::BOB, &i, &format!("hk1:advance:{}", i.id)).await;
    let wrong = ephemeral_text(
        &app.interact(reclassify(
            &app,
            ids::BOB,
            &i,
            json!([{"name": "category", "type": 3, "value": "failure"},
            {"name": "kind", "type": 3, "value": "malware"}, {"name": "reason", "type": 3, "value": "x"}]),
        ))
        .await,
    );
    assert!(wrong.contains("区分と種類"), "{wrong}");
    let reporter = ephemeral_text(
        &app.interact(reclassify(
            &app,
            ids::ALICE,
            &i,
            json!([{"name": "category", "type": 3, "value": "breach"},
            {"name": "reason", "type": 3, "value": "x"}]),
        ))
        .await,
    );
    assert!(reporter.contains("だけ"), "{reporter}");
    let done = ephemeral_text(
        &app.interact(reclassify(
            &app,
            ids::BOB,
            &i,
            json!([{"name": "category", "type": 3, "value": "breach"},
            {"name": "kind", "type": 3, "value": "malware"}, {"name": "reason", "type": 3, "value": "侵入口はマルウェア添付だった"},
            {"name": "systems", "type": 3, "value": "file-server, mail"}]),
        ))
        .await,
    );
    assert!(done.contains("マルウェア"), "{done}");
    app.settled().await;
    let i = app.incident(i.number).await;
    assert_eq!(i.playbook, Some(PlaybookId("malware".into())));
    // Table 1: mail (priority 2) is the strictest: one day from discovery.
    assert_eq!(i.deadline.at(), Some(i.noticed.at + chrono::Duration::days(1)));
    assert!(app.card(&i)["embeds"][0].to_string().contains("メール"), "the card shows the new systems");
    assert!(playbook_embed(&app, &i).unwrap().to_string().contains("マルウェア"));

    // The Playbook button and /playbook show: for the people working it.
    let button = format!("hk1:playbook:{}", i.id);
    assert!(app.card_custom_ids(&i).contains(&button));
    let shown = app.click(ids::ALICE, &i, &button).await;
    assert!(shown["data"]["embeds"].to_string().contains("（現在）"), "{shown}");
    let outsider = app.click(ids::DAVE, &i, &button).await;
    assert!(ephemeral_text(&outsider).contains("だけ"), "{outsider}");
    let show = |user: u64, channel: u64, options: Value| {
        payloads::slash(app.id(), Who::new(user, channel), "playbook", json!([{"name": "show", "type": 1, "options": options}]))
    };
    let here = app.interact(show(ids::BOB, channel, json!([]))).await;
    assert!(here["data"]["embeds"].to_string().contains("マルウェア"), "{here}");
    let named = |user| show(user, ids::GENERAL, json!([{"name": "playbook", "type": 3, "value": "dos"}]));
    assert!(ephemeral_text(&app.interact(named(ids::DAVE)).await).contains("だけ"));
    assert!(app.interact(named(ids::CAROL)).await["data"]["embeds"].to_string().contains("DoS"));

    // The record keeps each change with its reason.
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(
        md.contains("区分を「セキュリティに対する侵害／ウイルス・マルウェア感染」に変更（理由: 侵入口はマルウェア添付だった）"),
        "{md}"
    );
    app.assert_no_schema_violations();
}

/// §4.2: a system several playbooks are written for decides nothing. An
/// unsure report naming the server room is not an intrusion (power,
/// heat and disaster are written for it too): no playbook, the committee
/// is asked to choose one or appoint a 実行責任者, and chooses, with a
/// reason kept in the record. Nobody else may choose.
#[tokio::test]
async fn a_report_no_playbook_fits_gets_none_until_the_committee_chooses_one() {
    let app = TestApp::spawn().await;
    let i = report_unsure(&app, "server-room").await;
    assert_eq!(i.playbook, None, "four playbooks name the server room");
    app.settled().await;
    assert!(playbook_embed(&app, &i).is_none());
    let ping = app
        .fake
        .messages(i.channel.unwrap().0)
        .into_iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(ping.contains("該当する対応手順がないため"), "{ping}");
    assert!(app.card_custom_ids(&i).contains(&format!("hk1:appoint:{}", i.id)), "the committee may appoint instead");

    let channel = i.channel.unwrap().0;
    let choose = |user: u64, playbook: &str| {
        payloads::slash(
            app.id(),
            Who::new(user, channel),
            "playbook",
            json!([{"name": "choose", "type": 1, "options": [
                {"name": "playbook", "type": 3, "value": playbook},
                {"name": "reason", "type": 3, "value": "UPS の警報音が鳴っていた"}]}]),
        )
    };
    let reporter = ephemeral_text(&app.interact(choose(ids::ALICE, "power-anomaly")).await);
    assert!(reporter.contains("委員会") && reporter.contains("だけ"), "{reporter}");
    let unknown = ephemeral_text(&app.interact(choose(ids::CAROL, "no-such-playbook")).await);
    assert!(unknown.contains("対応手順"), "{unknown}");
    let done = ephemeral_text(&app.interact(choose(ids::CAROL, "power-anomaly")).await);
    assert!(done.contains("電源異常対応手順"), "{done}");
    app.settled().await;
    let i = app.incident(i.number).await;
    assert_eq!((i.category, i.playbook.clone()), (Category::Unsure, Some(PlaybookId("power-anomaly".into()))));
    assert!(playbook_embed(&app, &i).unwrap().to_string().contains("電源異常"));
    assert!(app.card_custom_ids(&i).contains(&format!("hk1:take:{}", i.id)), "now a committee member can take command");
    let again = ephemeral_text(&app.interact(choose(ids::CAROL, "power-anomaly")).await);
    assert!(again.contains("すでに"), "{again}");
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("対応手順「電源異常対応手順」を選択（理由: UPS の警報音が鳴っていた）"), "{md}");
    app.assert_no_schema_violations();
}

/// A breach naming the mail server is not a DoS: four breach playbooks are
/// written for mail, so none is attached by the system.
#[tokio::test]
async fn a_breach_of_no_known_kind_naming_a_shared_system_gets_no_playbook() {
    let app = TestApp::spawn().await;
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            None,
            &[("title", "メールがおかしい"), ("what", "送った覚えのないメール"), ("noticed", ""), ("systems", "mail"), ("impact", "")],
        )
        .await;
    let i = app.ready_incident(app.incident_from_reply(&reply).await.number).await;
    assert_eq!((i.category, i.kind, i.playbook), (Category::Breach, None, None));
}

/// §4.1(4) Table 1: a system the registry lacks is put to the committee,
/// who gives it a recovery priority; the deadline follows, and the audit
/// lists the unregistered systems reports named.
#[tokio::test]
async fn a_system_the_registry_lacks_gets_its_priority_from_the_committee() {
    let app = TestApp::spawn().await;
    let i = report_unsure(&app, "給与SaaS").await;
    assert_eq!(i.deadline.at(), None, "no priority, no deadline yet");
    app.settled().await;
    let systems = crate::support::card_field(&app.card(&i), "影響を受けるシステム");
    assert!(systems.contains("給与SaaS") && systems.contains("/インシデント 優先度"), "{systems}");
    let channel = i.channel.unwrap().0;
    let set = |user: u64, system: &str| {
        let options = json!([{"name": "system", "type": 3, "value": system}, {"name": "priority", "type": 4, "value": 3}]);
        payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": "priority", "type": 1, "options": options}]))
    };
    let reporter = ephemeral_text(&app.interact(set(ids::ALICE, "給与SaaS")).await);
    assert!(reporter.contains("委員会"), "{reporter}");
    let typo = ephemeral_text(&app.interact(set(ids::CAROL, "給与")).await);
    assert!(typo.contains("給与SaaS"), "the names to choose from: {typo}");
    let done = ephemeral_text(&app.interact(set(ids::CAROL, "給与saas")).await);
    assert!(done.contains("復旧優先度を3"), "{done}");
    app.settled().await;
    let i = app.incident(i.number).await;
    assert_eq!(i.deadline.at(), Some(i.noticed.at), "priority 3: restore at once");
    assert!(crate::support::card_field(&app.card(&i), "影響を受けるシステム").contains("復旧優先度3"));
    let audit = String::from_utf8_lossy(&app.hikeshi().arg("audit").output().await.unwrap().stdout).to_string();
    assert!(
        audit.contains(&format!("報告で挙げられたが登録されていないシステムがあります（§4.1(4) 表1）: 給与SaaS（{}）", i.number)),
        "{audit}"
    );
}
