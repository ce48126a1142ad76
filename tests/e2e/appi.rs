//! APPI Art. 26: a personal-data breach with a possibly malicious cause.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use chrono::{Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_malicious_personal_data_breach_is_drafted_and_its_3_and_60_day_deadlines_reminded() {
    let t0 = Utc.with_ymd_and_hms(2026, 6, 1, 3, 0, 0).unwrap();
    let clock = ManualClock::new(t0);
    let app = TestApp::spawn_with_clock(Arc::new(clock.clone())).await;
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("unauthorised_access"),
            &[("title", "会員DBへの不正アクセス"), ("what", "攻撃者が会員情報を閲覧"), ("impact", "氏名・メールアドレス")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.click(ids::BOB, &i, &format!("hk1:advance:{}", i.id)).await;
    app.wait_until("the card asks the APPI questions", |_| app.card(&i).to_string().contains("個人情報保護法第26条")).await;

    let panel = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::BOB, i.channel.unwrap().0),
            "incident",
            json!([{"name": "appi", "type": 1, "options": []}]),
        ))
        .await;
    assert_eq!(panel["data"]["components"].as_array().unwrap().len(), 4, "four questions, nothing owed yet: {panel}");
    // The ephemeral panel as a message (a full one: serenity drops partial ones).
    let mut msg = app.card(&i);
    msg["components"] = panel["data"]["components"].clone();
    let updated = app
        .interact(payloads::button(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &format!("hk1:appi:{}:malicious:y", i.id), &msg))
        .await;
    assert_eq!(updated["type"], 7, "the panel updates in place: {updated}");
    assert_eq!(updated["data"]["components"].as_array().unwrap().len(), 5, "the filing buttons appear");

    // The draft for the PPC, with every heading.
    app.settled().await;
    let draft = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|p| p.files.iter().any(|(n, _)| n.ends_with("ppc-report.md")))
        .expect("the PPC draft");
    let md = &draft.files[0].1;
    for h in ["概要", "個人データの項目", "本人の数", "原因", "二次被害", "本人への対応", "公表", "再発防止", "その他"]
    {
        assert!(md.contains(h), "missing {h}:\n{md}");
    }
    assert!(md.contains("法的助言ではありません"));

    let said = |text: &str| {
        app.posts_in(ids::COMMITTEE_CHANNEL).iter().filter(|p| p.body["content"].as_str().unwrap_or("").contains(text)).count()
    };
    // Day 2: the preliminary report is due tomorrow (3 days from discovery).
    clock.set(t0 + Duration::days(2) + Duration::minutes(1));
    app.wait_until("the preliminary report is due soon", |_| said("速報の期限は") == 1).await;
    let prelim = (t0 + Duration::days(3)).timestamp();
    assert!(app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .iter()
        .any(|p| p.body["content"].as_str().unwrap_or("").contains(&format!("<t:{prelim}:f>"))));
    clock.set(t0 + Duration::days(3) + Duration::minutes(1));
    app.wait_until("the preliminary report is overdue", |_| said("速報の期限（") == 1).await;
    // Filed: no more about it.
    let filed = app
        .interact(payloads::button(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &format!("hk1:appifiled:{}:p", i.id), &msg))
        .await;
    assert_eq!(filed["type"], 7);
    // Day 59: the final report (60 days for a malicious cause) is due tomorrow.
    clock.set(t0 + Duration::days(29) + Duration::hours(1));
    app.ticks_pass(2).await;
    assert_eq!(said("確報の期限は"), 0, "not 30 days: the cause may be malicious");
    clock.set(t0 + Duration::days(59) + Duration::minutes(1));
    app.wait_until("the final report is due soon", |_| said("確報の期限は") == 1).await;
    let fin = (t0 + Duration::days(60)).timestamp();
    assert!(app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .iter()
        .any(|p| p.body["content"].as_str().unwrap_or("").contains(&format!("<t:{fin}:f>"))));
    assert_eq!(said("速報の期限"), 2, "nothing more about the filed preliminary report");
}
