//! §4.1(1), §4.2, §4.3: the commander is guided through the phases; only
//! the committee and the commander may move an incident.

use crate::support::fake::{ids, snowflake};
use crate::support::payloads::{self, Who};
use crate::support::{card_field, ephemeral_text, TestApp};
use hikeshi::domain::{Incident, MarkState, Phase};
use serde_json::json;

async fn refreshed(app: &TestApp, i: &Incident, phase_label: &str) {
    app.wait_until(&format!("the card shows {phase_label}"), |_| card_field(&app.card(i), "フェーズ") == phase_label).await;
}

fn advance_id(i: &Incident) -> String {
    format!("hk1:advance:{}", i.id)
}

#[tokio::test]
async fn a_member_who_is_not_on_the_committee_is_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let card = app.card(&i);
    let channel = i.channel.unwrap().0;
    let click = |user: u64, custom: &str| {
        crate::support::payloads::button(app.id(), crate::support::payloads::Who::new(user, channel), custom, &card)
    };
    for (user, custom_id) in
        [(ids::DAVE, format!("hk1:take:{}", i.id)), (ids::ALICE, format!("hk1:take:{}", i.id)), (ids::DAVE, advance_id(&i))]
    {
        let text = app.refused_and_unchanged(&format!("{custom_id} by {user}"), click(user, &custom_id)).await;
        assert!(text.contains("委員会") && text.contains("だけ"), "{text}");
    }
    // Even a forged advance by the reporter changes nothing.
    let text = app.refused_and_unchanged("an advance by the reporter", click(ids::ALICE, &advance_id(&i))).await;
    assert!(text.contains("だけ"));
    let after = app.incident(i.number).await;
    assert_eq!((after.phase, after.commander), (Phase::Reported, None));
}

#[tokio::test]
async fn a_commander_takes_command_and_walks_the_incident_to_recovery() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    assert!(app.card_custom_ids(&i).contains(&format!("hk1:take:{}", i.id)));

    let reply = app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    assert!(ephemeral_text(&reply).contains("実行責任者になりました"));
    app.wait_until("the card names the commander", |_| card_field(&app.card(&i), "実行責任者") == format!("<@{}>", ids::BOB)).await;
    assert!(!app.card_custom_ids(&i).contains(&format!("hk1:take:{}", i.id)), "no take-command button once commanded");

    // Reported → Analysis: no checklist yet.
    app.click(ids::BOB, &i, &advance_id(&i)).await;
    refreshed(&app, &i, "分析").await;
    assert!(card_field(&app.card(&i), "チェックリスト").contains("☐ 1."));

    // Tick item 1 of the analysis checklist with the select.
    let card = app.card(&i);
    let tick = app
        .interact(payloads::string_select(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &format!("hk1:tick:{}", i.id), &["0"], &card))
        .await;
    assert!(ephemeral_text(&tick).contains("チェックしました"));
    app.wait_until("item 1 is ticked on the card", |_| card_field(&app.card(&i), "チェックリスト").contains("☑ 1.")).await;

    // §4.2: containment starts from what the analysis found — the damage
    // and its cause — recorded from the card; a member cannot.
    let early = app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await;
    assert!(ephemeral_text(&early).contains("調査結果"), "{early}");
    assert!(card_field(&app.card(&i), "調査結果").contains("未記録"));
    let outsider = app.click(ids::DAVE, &i, &format!("hk1:findings:{}", i.id)).await;
    assert!(ephemeral_text(&outsider).contains("だけ"), "{outsider}");
    let form = app.click(ids::BOB, &i, &format!("hk1:findings:{}", i.id)).await;
    assert_eq!(form["type"], 9, "{form}");
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let empty = app
        .interact(payloads::modal(
            app.id(),
            Who::new(ids::BOB, i.channel.unwrap().0),
            &custom,
            &[("damage", "共有フォルダ停止"), ("cause", " ")],
        ))
        .await;
    assert!(ephemeral_text(&empty).contains("両方"), "{empty}");
    app.record_findings(ids::BOB, &app.incident(i.number).await).await;
    app.wait_until("the card shows the findings", |_| card_field(&app.card(&i), "調査結果").contains("不審メールの添付ファイル")).await;
    let again = app.click(ids::BOB, &i, &format!("hk1:findings:{}", i.id)).await;
    assert!(again["data"]["components"].to_string().contains("不審メールの添付ファイル"), "the form holds them for a revision: {again}");

    // Advancing with item 2 unticked asks first, then records it as skipped.
    let ask = app.click(ids::BOB, &i, &advance_id(&i)).await;
    let text = ephemeral_text(&ask);
    assert!(text.contains("未チェック") && text.contains("☐ 2."), "{text}");
    let confirm = ask["data"]["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
    assert_eq!(confirm, format!("hk1:advance!:{}", i.id));
    assert_eq!(app.incident(i.number).await.phase, Phase::Analysis, "nothing moved before confirming");
    app.click(ids::BOB, &i, &confirm).await;
    refreshed(&app, &i, "封じ込め").await;

    for label in ["根絶", "復旧"] {
        app.click(ids::BOB, &i, &format!("hk1:advance!:{}", i.id)).await;
        refreshed(&app, &i, label).await;
    }
    let done = app.incident(i.number).await;
    assert_eq!(done.phase, Phase::Recovery);
    let skipped: Vec<(Phase, usize)> = done.marks.iter().filter(|m| m.state == MarkState::Skipped).map(|m| (m.phase, m.item)).collect();
    assert!(skipped.contains(&(Phase::Analysis, 1)), "{skipped:?}");
    assert!(skipped.iter().any(|(p, _)| *p == Phase::Containment));
    assert!(!skipped.contains(&(Phase::Analysis, 0)));
    // The skipped items are announced in the channel, and every step is an event.
    app.settled().await;
    assert!(app.posts_in(i.channel.unwrap().0).iter().any(|p| p.body["content"].as_str().unwrap_or("").contains("未完了のまま進めた項目")));
    let kinds: Vec<String> = app.store.events_of(i.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "phase_advanced").count(), 4);
    assert!(kinds.contains(&"command_taken".to_string()) && kinds.contains(&"checklist_ticked".to_string()));
    // The card was edited in place, never posted again.
    let cards =
        app.posts_in(i.channel.unwrap().0).into_iter().filter(|p| p.body["components"].as_array().is_some_and(|c| !c.is_empty())).count();
    assert_eq!(cards, 1);
    assert!(app.fake.calls("PATCH", &format!("/channels/{}/messages/{}", i.channel.unwrap(), i.card_message.unwrap())).len() >= 5);
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn without_a_playbook_analysis_waits_for_an_appointed_commander() {
    let app = TestApp::spawn().await;
    let (_, reply) = app
        .submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "見知らぬ人が受付に"), ("what", "名札なし")])
        .await;
    let i = app.incident_from_reply(&reply).await;
    assert!(i.playbook.is_none());
    assert!(card_field(&app.card(&i), "対応手順").contains("任命"));
    let ids_on_card = app.card_custom_ids(&i);
    assert!(!ids_on_card.iter().any(|c| c.starts_with("hk1:take:")), "no take-command without a playbook");

    let refused = app.click(ids::BOB, &i, &advance_id(&i)).await;
    assert!(ephemeral_text(&refused).contains("実行責任者が決まるまで"), "{refused}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Reported);
    let take = app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    assert!(ephemeral_text(&take).contains("任命"), "a forged take-command is refused too");

    // A plain member cannot appoint; the committee can.
    let card = app.card(&i);
    let appoint = format!("hk1:appoint:{}", i.id);
    let no = app.interact(payloads::user_select(app.id(), Who::new(ids::DAVE, i.channel.unwrap().0), &appoint, ids::DAVE, &card)).await;
    assert!(ephemeral_text(&no).contains("だけ"));
    let yes = app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &appoint, ids::DAVE, &card)).await;
    assert!(ephemeral_text(&yes).contains("任命しました"));
    // The commander is let into the channel and may now start the analysis.
    app.wait_until("the commander can see the channel", |f| {
        f.channel(i.channel.unwrap().0).unwrap()["permission_overwrites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == snowflake(ids::DAVE))
    })
    .await;
    let ok = app.click(ids::DAVE, &i, &advance_id(&i)).await;
    assert!(ephemeral_text(&ok).contains("分析"), "{ok}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Analysis);
}

#[tokio::test]
async fn the_commander_adds_and_removes_responders() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let run = |user: u64, sub: &str, target: u64| {
        payloads::slash(
            app.id(),
            Who::new(user, channel),
            "incident",
            json!([{"name": sub, "type": 1, "options": [{"name": "user", "type": 6, "value": snowflake(target)}]}]),
        )
    };
    let refused = app.interact(run(ids::ALICE, "add", ids::DAVE)).await;
    assert!(ephemeral_text(&refused).contains("だけ"));
    let added = app.interact(run(ids::BOB, "add", ids::DAVE)).await;
    assert!(ephemeral_text(&added).contains("加えました"), "{added}");
    let has_dave = |f: &crate::support::fake::FakeDiscord| {
        f.channel(channel).unwrap()["permission_overwrites"].as_array().unwrap().iter().any(|o| o["id"] == snowflake(ids::DAVE))
    };
    app.wait_until("dave can see the channel", has_dave).await;
    // The added responder is pinged, and only them.
    app.wait_until("dave is told", |f| {
        f.calls("POST", &format!("/channels/{channel}/messages"))
            .iter()
            .any(|p| p.body["allowed_mentions"]["users"] == json!([snowflake(ids::DAVE)]))
    })
    .await;
    app.interact(run(ids::BOB, "remove", ids::DAVE)).await;
    app.wait_until("dave no longer sees the channel", |f| !has_dave(f)).await;
    let elsewhere = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::BOB, ids::GENERAL),
            "incident",
            json!([{"name": "add", "type": 1, "options": [{"name": "user", "type": 6, "value": snowflake(ids::DAVE)}]}]),
        ))
        .await;
    assert!(ephemeral_text(&elsewhere).contains("インシデントのチャンネル"));
}

#[tokio::test]
async fn a_duplicate_is_closed_with_a_link_and_its_reporter_joins_the_original() {
    let app = TestApp::spawn().await;
    let original = app.report_malware(ids::ALICE).await;
    let dup = app.report_malware(ids::DAVE).await;
    let form = app.click(ids::BOB, &dup, &format!("hk1:dup:{}", dup.id)).await;
    assert_eq!(form["type"], 9, "the committee gets a form: {form}");
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let reply = app
        .interact(payloads::modal(app.id(), Who::new(ids::BOB, dup.channel.unwrap().0), &custom, &[("body", &original.number.to_string())]))
        .await;
    assert!(ephemeral_text(&reply).contains("重複"), "{reply}");
    let closed = app.incident(dup.number).await;
    assert_eq!(closed.phase, Phase::Closed);
    assert_eq!(closed.duplicate_of, Some(original.id));
    app.settled().await;
    let orig_channel = app.fake.channel(original.channel.unwrap().0).unwrap();
    assert!(
        orig_channel["permission_overwrites"].as_array().unwrap().iter().any(|o| o["id"] == snowflake(ids::DAVE)),
        "dave joined the original"
    );
    // The duplicate's channel is archived, read-only, with its transcript.
    let dup_channel = app.fake.channel(dup.channel.unwrap().0).unwrap();
    assert_eq!(dup_channel["parent_id"], snowflake(ids::ARCHIVE_CATEGORY));
    let committee = dup_channel["permission_overwrites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == snowflake(ids::COMMITTEE_ROLE))
        .unwrap()
        .clone();
    assert_eq!(committee["deny"].as_u64().unwrap() & 2048, 2048, "no one may write in an archived channel");
    let with_file = app.posts_in(dup.channel.unwrap().0).into_iter().find(|p| !p.files.is_empty()).expect("transcript attached");
    assert!(with_file.files[0].0.ends_with("-transcript.md"));
    assert!(with_file.files[0].1.contains(&dup.number.to_string()));
}

#[tokio::test]
async fn the_committee_closes_a_report_that_is_not_an_incident() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let no = app.click(ids::ALICE, &i, &format!("hk1:dismiss:{}", i.id)).await;
    assert!(ephemeral_text(&no).contains("だけ"), "the reporter cannot dismiss");
    let form = app.click(ids::CAROL, &i, &format!("hk1:dismiss:{}", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &custom, &[("body", "IT部門の訓練メールでした")]))
        .await;
    let closed = app.incident(i.number).await;
    assert_eq!(closed.phase, Phase::Closed);
    assert_eq!(closed.close_reason.as_deref(), Some("IT部門の訓練メールでした"));
    app.settled().await;
    assert_eq!(app.fake.channel(i.channel.unwrap().0).unwrap()["parent_id"], snowflake(ids::ARCHIVE_CATEGORY));
    assert!(app.card_custom_ids(&closed).is_empty(), "a closed card has no buttons");
}

#[tokio::test]
async fn the_status_board_is_one_message_edited_in_place() {
    let app = TestApp::spawn().await;
    let a = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let b = app.report_malware(ids::DAVE).await;
    app.click(ids::BOB, &b, &format!("hk1:take:{}", b.id)).await;
    app.settled().await;
    let boards: Vec<_> =
        app.posts_in(ids::COMMITTEE_CHANNEL).into_iter().filter(|p| p.body["embeds"].as_array().is_some_and(|e| !e.is_empty())).collect();
    assert_eq!(boards.len(), 1, "one board message");
    let id = app.store.get_state("status_board_message").await.unwrap().unwrap();
    let board = app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().find(|m| m["id"] == json!(id)).unwrap();
    let text = board["embeds"][0]["description"].as_str().unwrap().to_string();
    assert!(text.contains(&a.number.to_string()) && text.contains(&b.number.to_string()), "{text}");
    assert!(text.contains(&format!("<@{}>", ids::BOB)), "the commander is shown: {text}");
    assert!(!app.fake.calls("PATCH", &format!("/channels/{}/messages/{id}", ids::COMMITTEE_CHANNEL)).is_empty());
}

#[tokio::test]
async fn a_full_incident_category_overflows_into_a_new_one() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        app.fake.add_channel(0, &format!("old-{n}"), Some(ids::INCIDENT_CATEGORY));
    }
    let i = app.report_malware(ids::ALICE).await;
    let channel = app.fake.channel(i.channel.unwrap().0).unwrap();
    let parent = channel["parent_id"].as_str().unwrap().to_string();
    assert_ne!(parent, snowflake(ids::INCIDENT_CATEGORY));
    let category = app.fake.channel(parent.parse().unwrap()).unwrap();
    assert_eq!(category["name"], "incidents-2");
    assert_eq!(category["type"], 4);
    // The new category is private too.
    assert!(category["permission_overwrites"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == snowflake(ids::GUILD) && o["deny"].as_u64().unwrap() & 1024 == 1024));
    let j = app.report_malware(ids::DAVE).await;
    assert_eq!(app.fake.channel(j.channel.unwrap().0).unwrap()["parent_id"].as_str().unwrap(), parent, "the next one goes there too");
    assert_eq!(app.fake.channels().iter().filter(|c| c["name"] == "incidents-2").count(), 1);
}

#[tokio::test]
async fn the_three_records_of_section_4_3_are_logged_and_posted() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let refused = app.click(ids::DAVE, &i, &format!("hk1:log:{}:status", i.id)).await;
    assert!(ephemeral_text(&refused).contains("だけ"), "a member outside the response cannot log");
    for (kind, text) in
        [("status", "感染端末3台を隔離"), ("business", "共有フォルダは明朝再開見込み"), ("stakeholders", "取引先への影響なし")]
    {
        let form = app.click(ids::BOB, &i, &format!("hk1:log:{}:{kind}", i.id)).await;
        assert_eq!(form["type"], 9, "{form}");
        let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
        let ok = app.interact(payloads::modal(app.id(), Who::new(ids::BOB, channel), &custom, &[("body", text)])).await;
        assert!(ephemeral_text(&ok).contains("記録しました"), "{ok}");
    }
    let empty_form = app.click(ids::BOB, &i, &format!("hk1:log:{}:status", i.id)).await;
    let custom = empty_form["data"]["custom_id"].as_str().unwrap().to_string();
    let empty = app.interact(payloads::modal(app.id(), Who::new(ids::BOB, channel), &custom, &[("body", "   ")])).await;
    assert!(ephemeral_text(&empty).contains("記録が空です"), "{empty}");
    app.settled().await;
    let entries = app.store.log_entries(i.id).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].body, "共有フォルダは明朝再開見込み");
    let posted: Vec<String> = app
        .posts_in(channel)
        .iter()
        .filter_map(|p| p.body["embeds"][0]["title"].as_str().map(str::to_string))
        .filter(|t| t.starts_with("§4.3"))
        .collect();
    assert_eq!(posted.len(), 3, "{posted:?}");
    assert_eq!(app.store.events_of(i.id).await.unwrap().iter().filter(|e| e.kind == "log_entry_added").count(), 3);
}

#[tokio::test]
async fn a_full_archive_overflows_into_a_new_one() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        app.fake.add_channel(0, &format!("closed-{n}"), Some(ids::ARCHIVE_CATEGORY));
    }
    let i = app.report_malware(ids::ALICE).await;
    let form = app.click(ids::CAROL, &i, &format!("hk1:dismiss:{}", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &custom, &[("body", "誤報")])).await;
    app.settled().await;
    let parent = app.fake.channel(i.channel.unwrap().0).unwrap()["parent_id"].as_str().unwrap().to_string();
    assert_eq!(app.fake.channel(parent.parse().unwrap()).unwrap()["name"], "archive-2");
}

/// §4.2: where containment cannot wait for the findings, the committee
/// waives them with a reason; the commander cannot, and the record keeps it.
#[tokio::test]
async fn the_committee_may_let_containment_start_before_the_findings() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let card = app.card(&i);
    let appoint = format!("hk1:appoint:{}", i.id);
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, i.channel.unwrap().0), &appoint, ids::DAVE, &card)).await;
    app.click(ids::DAVE, &i, &format!("hk1:advance!:{}", i.id)).await;
    let waive = format!("hk1:waivefind:{}", i.id);
    app.wait_until("the waiver is on the card", |_| app.card_custom_ids(&i).contains(&waive)).await;
    let commander = app.click(ids::DAVE, &i, &waive).await;
    assert!(ephemeral_text(&commander).contains("委員会"), "{commander}");
    let form = app.click(ids::CAROL, &i, &waive).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let who = Who::new(ids::CAROL, i.channel.unwrap().0);
    app.interact(payloads::modal(app.id(), who, &custom, &[("body", "業務停止中のため封じ込めを優先")])).await;
    let moved = app.click(ids::DAVE, &i, &format!("hk1:advance!:{}", i.id)).await;
    assert!(ephemeral_text(&moved).contains("封じ込め"), "{moved}");
    assert_eq!(app.incident(i.number).await.phase, Phase::Containment);
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("調査結果の記録を免除（理由: 業務停止中のため封じ込めを優先）"), "{md}");
}

/// §4.1(1) 対応組織: the commander gives the playbook's roles to people,
/// by number or name; each is let into the channel, named on the card and
/// in the record. A member cannot; a role the playbook lacks is refused
/// with the list to choose from.
#[tokio::test]
async fn the_playbooks_roles_are_given_to_people_who_join_the_response() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let role = |user: u64, role: &str, member: u64| {
        let options = json!([{"name": "role", "type": 3, "value": role}, {"name": "member", "type": 6, "value": snowflake(member)}]);
        payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": "role", "type": 1, "options": options}]))
    };
    let member = ephemeral_text(&app.interact(role(ids::ALICE, "1", ids::DAVE)).await);
    assert!(member.contains("だけ"), "{member}");
    let unknown = ephemeral_text(&app.interact(role(ids::BOB, "広報", ids::DAVE)).await);
    assert!(unknown.contains("その役割はありません") && unknown.contains("1. "), "{unknown}");
    let named = ephemeral_text(&app.interact(role(ids::BOB, "2", ids::DAVE)).await);
    assert!(named.contains(&format!("<@{}>", ids::DAVE)), "{named}");
    app.settled().await;
    let i = app.incident(i.number).await;
    let holder = i.organisation.first().expect("a role holder");
    assert_eq!(holder.member.0, ids::DAVE);
    let organisation = card_field(&app.card(&i), "対応組織");
    assert!(organisation.contains(&format!("{}: <@{}>", holder.role.ja, ids::DAVE)), "{organisation}");
    let overwrites = app.fake.channel(channel).unwrap()["permission_overwrites"].to_string();
    assert!(overwrites.contains(&snowflake(ids::DAVE)), "let into the channel: {overwrites}");
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains(&format!("を対応組織の役割「{}」に指名", holder.role.ja)), "{md}");
}

/// §4.1(4) Table 1 per system: each system's outage and restoration are
/// recorded with its own deadline, on the card and in the figures.
#[tokio::test]
async fn each_systems_outage_and_restoration_are_recorded_with_its_own_deadline() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let system = i.affected[0].name.clone();
    let outage = |user: u64, system: &str, state: &str, at: &str| {
        let options = json!([{"name": "system", "type": 3, "value": system}, {"name": "state", "type": 3, "value": state}, {"name": "at", "type": 3, "value": at}]);
        payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": "outage", "type": 1, "options": options}]))
    };
    let outsider = ephemeral_text(&app.interact(outage(ids::DAVE, &system, "down", "")).await);
    assert!(outsider.contains("だけ"), "{outsider}");
    let unknown = ephemeral_text(&app.interact(outage(ids::BOB, "メール", "down", "")).await);
    assert!(unknown.contains(&system), "the systems it names: {unknown}");
    let early = ephemeral_text(&app.interact(outage(ids::BOB, &system, "restored", "")).await);
    assert!(early.contains("停止はまだ記録されていません"), "{early}");
    let garbled = ephemeral_text(&app.interact(outage(ids::BOB, &system, "down", "あした")).await);
    assert!(garbled.contains("時刻として読めません"), "{garbled}");
    let down = ephemeral_text(&app.interact(outage(ids::BOB, &system, "down", "")).await);
    assert!(down.contains("停止中") && down.contains("期限"), "{down}");
    app.settled().await;
    assert!(card_field(&app.card(&i), "システムごとの復旧").contains("停止中"));
    // The chart's Table 1 panel has the system's bar, grey while it is down.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figures.png");
    let out = app.hikeshi().args(["stats", "--from", "2000-01-01", "--chart"]).arg(&path).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let picture = image::load_from_memory(&std::fs::read(&path).unwrap()).unwrap().to_rgb8();
    assert!(picture.pixels().any(|p| p.0 == [127, 140, 141]), "the system still down is drawn");
    let up = ephemeral_text(&app.interact(outage(ids::BOB, &system, "restored", "")).await);
    assert!(up.contains("期限内に復旧"), "{up}");
    app.settled().await;
    assert!(card_field(&app.card(&i), "システムごとの復旧").contains("期限内に復旧"));
    let out = app.hikeshi().args(["stats", "--from", "2000-01-01"]).output().await.unwrap();
    let stats = String::from_utf8_lossy(&out.stdout).to_string();
    let row = stats.lines().find(|l| l.trim_start().starts_with(&system)).unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(row.split_whitespace().skip(1).collect::<Vec<_>>(), vec!["1", "0", "0"], "met 1, missed 0, down 0: {stats}");
}
