//! Storms (§4.2 "one place"): many members report the same thing at once.
//! Look-alike reports join the first one's incident — one channel, one
//! ping, every reporter kept (a confidential one stays confidential) — and
//! the committee can split one out again.

use crate::support::fake::{ids, perms};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Incident, IncidentNumber, Phase};
use serde_json::json;
use std::sync::Arc;

async fn report(app: &TestApp, who: u64, kind: &str, title: &str, confidential: bool) -> (String, Incident) {
    let w = Who::new(who, ids::GENERAL);
    let mut options = vec![json!({"name": "category", "type": 3, "value": "breach"}), json!({"name": "kind", "type": 3, "value": kind})];
    if confidential {
        options.push(json!({"name": "confidential", "type": 5, "value": true}));
    }
    let form = app
        .interact(payloads::slash(app.id(), w, "report", serde_json::json!([{"name": "new", "type": 1, "options": json!(options)}])))
        .await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let fields = [("title", title), ("what", &format!("{title}: 共有フォルダが開けない")[..]), ("systems", "fileserver")];
    let reply = app.interact(payloads::modal(app.id(), w, &custom, &fields)).await;
    let text = ephemeral_text(&reply);
    // The reply names the report's own number first.
    let at = text.find("INC-").expect("a number in the reply");
    let number: IncidentNumber = text[at..at + 13].parse().expect("an incident number");
    (text.clone(), app.incident(number).await)
}

fn committee_alerts(app: &TestApp) -> usize {
    app.fake.messages(ids::COMMITTEE_CHANNEL).iter().filter(|m| m["content"].as_str().unwrap_or("").starts_with("🔥")).count()
}

fn committee_text(app: &TestApp) -> String {
    app.fake.messages(ids::COMMITTEE_CHANNEL).iter().map(|m| m["content"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join("\n")
}

fn incident_channels(app: &TestApp) -> usize {
    app.fake.channels().iter().filter(|c| c["parent_id"] == json!(ids::INCIDENT_CATEGORY.to_string())).count()
}

#[tokio::test]
async fn a_wave_of_the_same_report_makes_one_channel_one_ping_and_keeps_every_reporter() {
    let app = TestApp::spawn_custom(Arc::new(hikeshi::clock::SystemClock), |c| c.replace("wave_minutes = 0", "wave_minutes = 10")).await;
    let (_, first) = report(&app, ids::ALICE, "malware", "ファイルが暗号化された", false).await;
    let first = app.ready_incident(first.number).await;
    let channel = first.channel.unwrap().0;

    // Dave reports the same thing: answered at once with the first one's
    // number, let into its channel; no second channel, no second ping.
    let (said, dave) = report(&app, ids::DAVE, "malware", "うちの部署も同じ", false).await;
    assert!(said.contains(&first.number.to_string()) && said.contains("まとめ"), "{said}");
    assert_eq!((dave.phase, dave.duplicate_of), (Phase::Closed, Some(first.id)));
    // Carol, confidentially: joined, never named or let in.
    let (said, carol) = report(&app, ids::CAROL, "malware", "経理でも", true).await;
    assert!(said.contains("匿名") && said.contains(&first.number.to_string()), "{said}");
    app.settled().await;
    assert_eq!(incident_channels(&app), 1, "one channel for the wave");
    assert_eq!(committee_alerts(&app), 1, "one ping for the wave");
    for joined in [&dave, &carol] {
        assert!(!app.incident(joined.number).await.notice_owed, "the first report's line stands for the wave");
        assert!(!committee_text(&app).contains(&joined.number.to_string()));
    }
    assert!(app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL), "Dave joined the channel");
    let card = app.card(&app.incident(first.number).await)["embeds"][0].to_string();
    // As mentions: a bare id's digits can turn up inside a timestamp.
    assert!(card.contains(&dave.number.to_string()) && card.contains(&format!("<@{}>", ids::DAVE)), "listed for the committee: {card}");
    assert!(
        card.contains(&carol.number.to_string()) && !card.contains(&format!("<@{}>", ids::CAROL)),
        "the confidential one unnamed: {card}"
    );
    let all: String = app.fake.messages(channel).iter().map(|m| m.to_string()).collect();
    assert!(!all.contains(&format!("<@{}>", ids::CAROL)), "Carol is never named in the channel");
    assert_eq!(app.store.all_incidents().await.unwrap().len(), 3, "every report is kept, numbered");

    // Something else is not gathered.
    let (_, other) = report(&app, ids::ALICE, "dos", "サイトが落ちた", false).await;
    assert!(app.ready_incident(other.number).await.channel.is_some());

    // The committee splits Dave's out again: its own channel; he leaves the first.
    let split = |user: u64| {
        payloads::slash(
            app.id(),
            Who::new(user, channel),
            "incident",
            json!([{"name": "split", "type": 1, "options": [{"name": "report", "type": 3, "value": dave.number.to_string()}]}]),
        )
    };
    let no = app.refused_and_unchanged("a member splits a report out", split(ids::ALICE)).await;
    assert!(no.contains("だけ"), "{no}");
    let done = ephemeral_text(&app.interact(split(ids::BOB)).await);
    assert!(done.contains("切り出しました"), "{done}");
    let dave = app.ready_incident(dave.number).await;
    assert!(dave.phase.is_open() && dave.duplicate_of.is_none());
    app.settled().await;
    assert!(!app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL), "Dave left the first channel");
    assert!(app.fake.member_can(ids::DAVE, dave.channel.unwrap().0, perms::VIEW_CHANNEL));
    assert!(committee_text(&app).contains(&format!("🔥 {}", dave.number)), "split out: the committee hears of it");
    assert_eq!(app.incident(first.number).await.merged.len(), 1, "Carol's report stays");
    app.assert_no_schema_violations();
}
