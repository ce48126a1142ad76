//! §4.2: a member reports; the committee is on it within seconds.

use crate::support::fake::{ids, snowflake, Fault};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::Phase;
use serde_json::{json, Value};

/// A permission bit set, whether sent as a number or a string.
fn bits(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(0)
}

fn overwrite(channel: &Value, id: u64) -> Option<&Value> {
    channel["permission_overwrites"].as_array()?.iter().find(|o| o["id"] == snowflake(id))
}

#[tokio::test]
async fn a_member_reports_and_the_committee_is_pinged_in_a_private_channel() {
    let app = TestApp::spawn().await;
    let (form, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[
                ("title", "ファイルサーバでランサムウェア"),
                ("what", "ファイル名が .locked に"),
                ("noticed", "09:30"),
                ("systems", "fileserver, printer"),
                ("impact", ""),
            ],
        )
        .await;
    // The form has the five fields and Japanese labels for a Japanese user.
    let inputs: Vec<&str> =
        form["data"]["components"].as_array().unwrap().iter().map(|row| row["components"][0]["custom_id"].as_str().unwrap()).collect();
    assert_eq!(inputs, ["title", "what", "noticed", "systems", "impact"]);
    assert_eq!(form["data"]["components"][0]["components"][0]["label"], "件名");

    let text = ephemeral_text(&reply);
    assert!(text.contains("INC-") && text.contains("受け付けました"), "{text}");
    let incident = app.incident_from_reply(&reply).await;
    app.settled().await;

    // Exactly one channel, under the incident category, private.
    let created = app.fake.calls("POST", "/guilds/*/channels");
    assert_eq!(created.len(), 1, "{}", app.describe_requests());
    let channel = app.fake.channel(incident.channel.unwrap().0).unwrap();
    assert!(
        channel["name"].as_str().unwrap().starts_with("inc-2026-") || channel["name"].as_str().unwrap().starts_with("inc-"),
        "{channel}"
    );
    assert_eq!(channel["parent_id"], snowflake(ids::INCIDENT_CATEGORY));
    let everyone = overwrite(&channel, ids::GUILD).expect("@everyone overwrite");
    assert_eq!(bits(&everyone["deny"]) & 1024, 1024, "@everyone may not view");
    let overwrites = channel["permission_overwrites"].as_array().unwrap();
    let mut who: Vec<&str> = overwrites.iter().map(|o| o["id"].as_str().unwrap()).collect();
    who.sort_unstable();
    let mut expected = [ids::ALICE, ids::BOT, ids::GUILD, ids::COMMITTEE_ROLE].map(|i| i.to_string());
    expected.sort_unstable();
    assert_eq!(who, expected, "everyone, committee, bot, reporter, and nobody else: {channel}");
    for who in [ids::COMMITTEE_ROLE, ids::ALICE, ids::BOT] {
        let allow = bits(&overwrite(&channel, who).unwrap_or_else(|| panic!("no overwrite for {who}"))["allow"]);
        assert_eq!(allow & (1024 | 2048 | 65536), 1024 | 2048 | 65536, "{who} can view, send and read history");
    }

    // One card with buttons, one ping limited to the committee role.
    let posts = app.posts_in(incident.channel.unwrap().0);
    let cards: Vec<_> = posts
        .iter()
        .filter(|p| {
            p.body["embeds"].as_array().is_some_and(|e| !e.is_empty()) && p.body["components"].as_array().is_some_and(|c| !c.is_empty())
        })
        .collect();
    assert_eq!(cards.len(), 1);
    let card = &cards[0].body;
    assert!(card["embeds"][0]["title"].as_str().unwrap().contains(&incident.number.to_string()));
    let pings: Vec<_> =
        posts.iter().filter(|p| p.body["content"].as_str().is_some_and(|c| c.contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)))).collect();
    assert_eq!(pings.len(), 1);
    assert_eq!(pings[0].body["allowed_mentions"], json!({"parse": [], "users": [], "roles": [snowflake(ids::COMMITTEE_ROLE)]}));

    // The reporter's reply now links the channel; the committee channel got a notice.
    app.wait_until("the reporter's reply links the channel", |f| {
        f.calls("PATCH", "/webhooks/*/*/messages/@original")
            .iter()
            .any(|r| r.body["content"].as_str().unwrap_or("").contains(&format!("<#{}>", incident.channel.unwrap())))
    })
    .await;
    assert!(app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .iter()
        .any(|p| p.body["content"].as_str().unwrap_or("").contains(&incident.number.to_string())));

    // Stored: the unknown system is kept and flagged, the known one carries priority 1.
    assert_eq!(incident.phase, Phase::Reported);
    assert_eq!(incident.affected.len(), 2);
    assert!(incident.affected.iter().any(|a| a.name == "printer" && a.system.is_none()));
    assert!(incident.playbook.is_some());
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn mentions_in_report_text_ping_no_one_and_japanese_round_trips() {
    let app = TestApp::spawn().await;
    let title = "@everyone 緊急 <@&2100> @here";
    let what = "詳細: <@3004> に連絡済み 🔥 — 改行\nあり";
    let (_, reply) = app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", title), ("what", what)]).await;
    let incident = app.incident_from_reply(&reply).await;
    app.settled().await;
    assert_eq!(incident.title, title);
    assert_eq!(incident.description, what);
    for r in app.fake.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/messages")) {
        let am = &r.body["allowed_mentions"];
        assert!(am.is_object(), "every message sets allowed_mentions: {}", r.body);
        assert_eq!(am["parse"], json!([]), "no mention type is parsed: {}", r.body);
        assert!(am["users"].as_array().unwrap().is_empty(), "no user pinged: {}", r.body);
        let roles = am["roles"].as_array().unwrap();
        assert!(
            roles.is_empty() || roles == &vec![json!(snowflake(ids::COMMITTEE_ROLE))],
            "only the committee role may be pinged: {}",
            r.body
        );
        // The ping message names the role itself, but user text is defused.
        let content = r.body["content"].as_str().unwrap_or("");
        assert!(!content.contains("@everyone") && !content.contains("@here"), "{content}");
    }
    let card = app.card(&incident);
    assert!(card["embeds"][0]["title"].as_str().unwrap().contains("緊急"));
}

#[tokio::test]
async fn fields_at_the_limit_are_accepted_and_longer_ones_are_explained() {
    let app = TestApp::spawn().await;
    let title = "長".repeat(100);
    let what = "x".repeat(4000);
    let (_, reply) = app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "failure", None, &[("title", &title), ("what", &what)]).await;
    let incident = app.incident_from_reply(&reply).await;
    assert_eq!(incident.title.chars().count(), 100);
    assert_eq!(incident.description.len(), 4000);
    app.settled().await;
    app.assert_no_schema_violations();

    let too_long = "長".repeat(101);
    let (_, reply) =
        app.submit_report(Who::new(ids::ALICE, ids::GENERAL).en(), "failure", None, &[("title", &too_long), ("what", "x")]).await;
    let text = ephemeral_text(&reply);
    assert!(text.contains("101 characters") && text.contains("limit is 100") && text.contains("not saved"), "{text}");
    assert_eq!(app.store.count_incidents().await.unwrap(), 1);
}

#[tokio::test]
async fn channel_creation_failing_twice_still_ends_with_exactly_one_channel() {
    let app = TestApp::spawn().await;
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::Status(500), Fault::Status(500)]);
    let incident = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let attempts = app.fake.calls("POST", "/guilds/*/channels");
    assert_eq!(attempts.len(), 3);
    let made: Vec<_> =
        app.fake.channels().into_iter().filter(|c| c["topic"].as_str().is_some_and(|t| t.contains(&incident.number.to_string()))).collect();
    assert_eq!(made.len(), 1);
    assert_eq!(
        app.posts_in(incident.channel.unwrap().0).iter().filter(|p| p.body["components"].as_array().is_some_and(|c| !c.is_empty())).count(),
        1,
        "one card"
    );
}

#[tokio::test]
async fn the_same_interaction_delivered_twice_makes_one_incident_and_one_answer() {
    let mut app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.serve_ops = true;
    app.start_bot().await;
    let who = Who::new(ids::ALICE, ids::GENERAL);
    let submit =
        payloads::modal(app.id(), who, "hk1:report:unsure:-:0", &[("title", "phishing"), ("what", "a mail asked for my password")]);
    let id = submit["id"].as_str().unwrap().to_string();
    app.interact(submit.clone()).await;
    // Delivered again (a gateway redelivery): Discord accepts one answer, so
    // the bot leaves the duplicate to the delivery that came first.
    app.fake.dispatch("INTERACTION_CREATE", submit);
    let metrics = app.ops_url("/metrics");
    app.eventually("the bot saw the duplicate", || async {
        reqwest::get(&metrics).await.unwrap().text().await.unwrap().contains("hikeshi_interactions_duplicate_total 1")
    })
    .await;
    let answers = app.fake.calls("POST", &format!("/interactions/{id}/*/callback"));
    assert_eq!(answers.len(), 1, "one answer, accepted: {:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    app.settled().await;
    assert_eq!(app.store.count_incidents().await.unwrap(), 1);
    assert_eq!(app.fake.calls("POST", "/guilds/*/channels").len(), 1);
}

#[tokio::test]
async fn a_suspicious_message_becomes_a_report_in_two_clicks() {
    let app = TestApp::spawn().await;
    let target =
        payloads::user_message(app.id(), ids::DAVE, ids::GENERAL, "このリンクからパスワードを再設定してください http://example.invalid");
    let form = app.interact(payloads::message_command(app.id(), Who::new(ids::ALICE, ids::GENERAL), &target)).await;
    assert_eq!(form["type"], 9);
    let what = form["data"]["components"][1]["components"][0]["value"].as_str().unwrap().to_string();
    assert!(what.contains("パスワード") && what.contains(&format!("/{}/{}", ids::GENERAL, target["id"].as_str().unwrap())), "{what}");
    let title = form["data"]["components"][0]["components"][0]["value"].as_str().unwrap().to_string();
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_string();
    let reply = app
        .interact(payloads::modal(app.id(), Who::new(ids::ALICE, ids::GENERAL), &custom_id, &[("title", &title), ("what", &what)]))
        .await;
    let incident = app.incident_from_reply(&reply).await;
    assert_eq!(incident.category, hikeshi::domain::Category::Unsure);
    assert!(incident.description.contains("http://example.invalid"));
}

#[tokio::test]
async fn commands_from_another_guild_or_a_dm_are_refused_politely() {
    let app = TestApp::spawn().await;
    let mut who = Who::new(ids::ALICE, ids::GENERAL).en();
    who.guild = Some(9999);
    let report = |who| {
        payloads::slash(
            app.id(),
            who,
            "report",
            serde_json::json!([{"name": "new", "type": 1, "options": json!([{"name": "category", "type": 3, "value": "breach"}])}]),
        )
    };
    let text = app.refused_and_unchanged("/report from another guild", report(who)).await;
    assert!(text.contains("only inside its organisation's server"), "{text}");
    who.guild = None;
    let text = app.refused_and_unchanged("/report from a DM", report(who)).await;
    assert!(text.contains("only inside"), "{text}");
    assert_eq!(app.store.count_incidents().await.unwrap(), 0);
}

#[tokio::test]
async fn commands_are_registered_with_japanese_names() {
    let app = TestApp::spawn().await;
    let put = app.fake.calls("PUT", "/applications/*/guilds/*/commands").remove(0);
    let report = put.body.as_array().unwrap().iter().find(|c| c["name"] == "report").unwrap().clone();
    assert_eq!(report["name_localizations"]["ja"], "報告");
    let subs: Vec<&str> = report["options"].as_array().unwrap().iter().map(|o| o["name_localizations"]["ja"].as_str().unwrap()).collect();
    assert_eq!(subs, vec!["新規", "状況", "代理"]);
    assert!(report["options"][0]["options"][0]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name_localizations"]["ja"] == "セキュリティに対する侵害"));
    assert!(put.body.as_array().unwrap().iter().any(|c| c["type"] == 3 && c["name"] == "Report as incident"));
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn a_confidential_report_keeps_the_reporter_out_and_talks_to_them_by_dm() {
    let app = TestApp::spawn().await;
    let who = Who::new(ids::DAVE, ids::GENERAL);
    let form = app
        .interact(payloads::slash(app.id(), who, "report", serde_json::json!([{"name": "new", "type": 1, "options": json!([{"name": "category", "type": 3, "value": "breach"}, {"name": "kind", "type": 3, "value": "insider_leak"}, {"name": "confidential", "type": 5, "value": true}])}])))
        .await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    assert!(custom.ends_with(":1"), "{custom}");
    let reply = app
        .interact(payloads::modal(app.id(), who, &custom, &[("title", "同僚が顧客名簿を持ち出した"), ("what", "私物USBにコピーしていた")]))
        .await;
    assert!(ephemeral_text(&reply).contains("匿名（報告者を秘匿）"), "{reply}");
    let i = app.incident_from_reply(&reply).await;
    assert!(i.confidential);
    app.settled().await;
    let channel = app.fake.channel(i.channel.unwrap().0).unwrap();
    assert!(
        !channel["permission_overwrites"].as_array().unwrap().iter().any(|o| o["id"] == snowflake(ids::DAVE)),
        "the reporter is not let in"
    );
    let card = app.card(&i).to_string();
    assert!(card.contains("🔒") && !card.contains(&format!("<@{}>", ids::DAVE)), "the card does not name them: {card}");
    assert!(app.fake.calls("PATCH", "/webhooks/*/*/messages/@original").is_empty(), "no channel link for them");
    let notice = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|p| p.body["content"].as_str().unwrap_or("").contains(&i.number.to_string()))
        .unwrap();
    assert!(notice.body["content"].as_str().unwrap().contains(&format!("<@{}>", ids::DAVE)), "the committee knows");

    // Progress reaches the reporter by DM, with a button to add information.
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.click(ids::BOB, &i, &format!("hk1:advance:{}", i.id)).await;
    app.wait_until("the reporter hears of the analysis", |_| app.dms_to(ids::DAVE).iter().any(|m| m.contains("分析"))).await;
    let dm_channel = app.fake.channels().into_iter().find(|c| c["name"] == format!("dm-{}", ids::DAVE)).unwrap();
    let dm_id: u64 = dm_channel["id"].as_str().unwrap().parse().unwrap();
    let dm = app.fake.messages(dm_id).into_iter().last().unwrap();
    let mut in_dm = Who::new(ids::DAVE, dm_id);
    in_dm.guild = None;
    let form = app.interact(payloads::button(app.id(), in_dm, &format!("hk1:addinfo:{}", i.id), &dm)).await;
    assert_eq!(form["type"], 9, "{form}");
    let thanks = app.interact(payloads::modal(app.id(), in_dm, &format!("hk1:addinfom:{}", i.id), &[("body", "昨日の18時ごろです")])).await;
    assert!(ephemeral_text(&thanks).contains("名前を伏せて"), "{thanks}");
    app.settled().await;
    let added = app
        .posts_in(i.channel.unwrap().0)
        .into_iter()
        .find(|p| p.body["content"].as_str().unwrap_or("").contains("昨日の18時ごろ"))
        .expect("posted");
    assert!(!added.body["content"].as_str().unwrap().contains(&ids::DAVE.to_string()));
    // Nobody else can add in their name.
    let mut alice_dm = Who::new(ids::ALICE, dm_id);
    alice_dm.guild = None;
    let no = app.interact(payloads::modal(app.id(), alice_dm, &format!("hk1:addinfom:{}", i.id), &[("body", "x")])).await;
    assert!(ephemeral_text(&no).contains("だけ"), "{no}");
}

/// `/report for`, as a committee member types it; the form it opens (or
/// the refusal).
async fn report_for(app: &TestApp, user: u64, options: Value) -> Value {
    let cmd = json!([{"name": "for", "type": 1, "options": options}]);
    app.interact(payloads::slash(app.id(), Who::new(user, ids::COMMITTEE_CHANNEL), "report", cmd)).await
}

/// §4.2 reports taken by phone or in person: a committee member files one
/// for a member (who is the reporter: the channel and the news are theirs)
/// and one for someone outside the server, by name; the card and the
/// record say who took it and how. A member cannot file for anyone.
#[tokio::test]
async fn the_committee_files_a_report_taken_by_phone_or_in_person() {
    let app = TestApp::spawn().await;
    let opt = |name: &str, value: Value| json!({"name": name, "type": if value.is_boolean() { 5 } else if name == "member" { 6 } else { 3 }, "value": value});
    let member = report_for(&app, ids::DAVE, json!([opt("category", json!("failure")), opt("via", json!("phone"))])).await;
    assert!(ephemeral_text(&member).contains("委員会"), "{member}");

    let by_phone = json!([opt("category", json!("failure")), opt("via", json!("phone")), opt("member", json!(snowflake(ids::ALICE)))]);
    let form = report_for(&app, ids::CAROL, by_phone).await;
    assert_eq!(form["type"], 9, "{form}");
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let fields =
        [("title", "停電でサーバ室の空調停止"), ("what", "携帯から電話で連絡あり"), ("noticed", "10:00"), ("systems", ""), ("impact", "")];
    let reply = app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL), &custom, &fields)).await;
    let i = app.incident_from_reply(&reply).await;
    assert_eq!(i.reporter.0, ids::ALICE, "the member who called is the reporter");
    let taken = i.taken.clone().expect("taken by the committee");
    assert_eq!((taken.by.0, taken.via), (ids::CAROL, hikeshi::domain::proxy::Via::Phone));
    let reporter = crate::support::card_field(&app.card(&i), "報告者");
    assert!(reporter.contains(&format!("<@{}>", ids::ALICE)) && reporter.contains(&format!("電話で受付: <@{}>", ids::CAROL)), "{reporter}");
    let channel = app.fake.channel(i.channel.unwrap().0).unwrap();
    assert!(channel["permission_overwrites"].to_string().contains(&snowflake(ids::ALICE)), "the reporter reads the channel: {channel}");

    // Confidential: the member who called is known to the committee only.
    let secret = json!([
        opt("category", json!("breach")),
        opt("via", json!("phone")),
        opt("member", json!(snowflake(ids::DAVE))),
        opt("confidential", json!(true))
    ]);
    let form = report_for(&app, ids::CAROL, secret).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let fields = [("title", "同僚が顧客名簿を持ち出した"), ("what", "電話で相談あり"), ("noticed", ""), ("systems", ""), ("impact", "")];
    let reply = app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL), &custom, &fields)).await;
    let k = app.incident_from_reply(&reply).await;
    assert!(k.confidential && k.reporter.0 == ids::DAVE);
    let card = app.card(&k).to_string();
    assert!(!card.contains(&snowflake(ids::DAVE)) && card.contains("匿名"), "never named in the channel: {card}");
    let channel = app.fake.channel(k.channel.unwrap().0).unwrap();
    assert!(!channel["permission_overwrites"].to_string().contains(&snowflake(ids::DAVE)), "{channel}");

    // Someone outside the server: named in the form, the committee member
    // the contact.
    let in_person = json!([opt("category", json!("threat")), opt("via", json!("in_person"))]);
    let form = report_for(&app, ids::CAROL, in_person).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    assert!(form["data"]["components"].to_string().contains("会員以外"), "the form asks the name: {form}");
    let who = Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL);
    let fields = [("title", "不審者"), ("what", "受付で不審な人物を見かけた"), ("noticed", ""), ("systems", "")];
    let unnamed = app.interact(payloads::modal(app.id(), who, &custom, &[fields[0], fields[1], fields[2], fields[3], ("from", " ")])).await;
    assert!(ephemeral_text(&unnamed).contains("報告者（会員でない場合の氏名）"), "{unnamed}");
    let reply = app
        .interact(payloads::modal(app.id(), who, &custom, &[fields[0], fields[1], fields[2], fields[3], ("from", "清掃委託先 山田様")]))
        .await;
    let j = app.incident_from_reply(&reply).await;
    assert_eq!(j.reporter.0, ids::CAROL);
    let reporter = crate::support::card_field(&app.card(&j), "報告者");
    assert!(reporter.contains("清掃委託先 山田様（会員外）") && reporter.contains("対面で受付"), "{reporter}");
    let md =
        String::from_utf8(app.hikeshi().args(["export", &j.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("対面で受けた報告を代理で登録（報告者: 清掃委託先 山田様（会員外））"), "{md}");
    app.assert_no_schema_violations();
}
