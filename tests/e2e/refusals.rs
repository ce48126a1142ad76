//! When Discord says no: answers as Discord gives them (a full category in
//! a 50035 body, a permanent 403, a refused interaction answer, a global
//! 429) and what hikeshi does with each — nothing lost, nothing retried
//! for ever, nothing sent before Discord allows it.

use crate::support::fake::{ids, snowflake, Fault};
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use std::time::Duration;

/// The category filled up by hand after hikeshi last looked: Discord
/// refuses with `CHANNEL_PARENT_MAX_CHANNELS` nested in a 50035 body;
/// hikeshi looks again and opens the channel in an overflow category.
#[tokio::test]
async fn a_category_filled_behind_the_bots_back_is_refused_as_discord_does_and_the_report_overflows() {
    let app = TestApp::spawn().await;
    let first = app.report_malware(ids::ALICE).await;
    app.settled().await;
    for n in 0..49 {
        app.fake.add_channel(0, &format!("by-hand-{n}"), Some(ids::INCIDENT_CATEGORY));
    }
    app.fake.expect_refusal(50035);
    let second = app.report_malware(ids::DAVE).await;
    let refused: Vec<_> = app.fake.calls("POST", "/guilds/*/channels").into_iter().filter(|r| r.refused == Some(50035)).collect();
    assert_eq!(refused.len(), 1, "one attempt met the full category");
    assert!(refused[0].why.iter().any(|w| w.contains("CHANNEL_PARENT_MAX_CHANNELS")));
    let parent = app.fake.channel(second.channel.unwrap().0).unwrap()["parent_id"].as_str().unwrap().to_string();
    assert_eq!(app.fake.channel(parent.parse().unwrap()).unwrap()["name"], "incidents-2");
    assert_ne!(parent, snowflake(ids::INCIDENT_CATEGORY));
    app.settled().await;
    app.assert_one_channel_and_card(&first);
    app.assert_one_channel_and_card(&second);
}

/// A notice Discord refuses for good (403, Missing Permissions) is given
/// up at once, recorded, and does not hold back what comes after it.
#[tokio::test]
async fn a_post_refused_for_missing_permissions_is_given_up_and_the_rest_goes_on() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    app.fake.fail(
        "POST",
        &format!("/channels/{channel}/messages"),
        vec![Fault::Refused { status: 403, code: 50013, message: "Missing Permissions" }],
    );
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled_allowing_failures().await;
    let dead: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT kind, last_error FROM outbox WHERE status = 'dead'").fetch_all(app.store.pool()).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].0, "post_notice");
    assert!(dead[0].1.as_deref().unwrap_or("").contains("50013"), "{dead:?}");
    let tries = app.fake.calls("POST", &format!("/channels/{channel}/messages")).iter().filter(|r| r.status == 403).count();
    assert_eq!(tries, 1, "a permanent refusal is not retried");
    // Later effects of the same incident still go out.
    let reply = app.through_form(&i, ids::BOB, &format!("hk1:log:{}:status", i.id), &[("body", "端末を隔離した")]).await;
    assert!(crate::support::ephemeral_text(&reply).contains("記録しました"));
    app.wait_until("the §4.3 entry is posted", |f| {
        f.messages(channel).iter().any(|m| m["embeds"][0]["description"].as_str().is_some_and(|d| d.contains("端末を隔離した")))
    })
    .await;
    assert!(app.incident(i.number).await.commander.is_some(), "the command was taken all the same");
}

/// Discord refuses the answer to a click (the interaction expired): what
/// the click did is stored, and hikeshi does not try to answer again.
#[tokio::test]
async fn an_answer_discord_refuses_keeps_what_the_click_did() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    app.fake.fail("POST", "/interactions/*/*/callback", vec![Fault::Refused { status: 404, code: 10062, message: "Unknown interaction" }]);
    let payload = payloads::button(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &format!("hk1:take:{}", i.id), &app.card(&i));
    let id = payload["id"].as_str().unwrap().to_string();
    app.fake.dispatch("INTERACTION_CREATE", payload);
    let answers = format!("/interactions/{id}/*/callback");
    app.wait_until("the bot tried to answer", |f| !f.calls("POST", &answers).is_empty()).await;
    app.settled().await;
    assert_eq!(app.incident(i.number).await.commander, Some(hikeshi::domain::UserId(ids::BOB)));
    assert_eq!(app.fake.calls("POST", &answers).len(), 1, "no second answer");
    assert!(app.fake.calls("POST", "/webhooks/*/*").is_empty(), "no follow-up either");
}

/// A global 429 (`retry_after` 1 s): nothing but interaction answers
/// reaches Discord until it has passed, and the refused request is tried
/// again no sooner.
#[tokio::test]
async fn after_a_global_429_nothing_is_sent_before_retry_after() {
    let app = TestApp::spawn().await;
    app.fake.fail("POST", "/guilds/*/channels", vec![Fault::RateLimited { retry_after: 1.0, global: true }]);
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let requests = app.fake.requests();
    let limited = requests.iter().find(|r| r.status == 429).expect("the 429");
    // A request that reached the fake within a few milliseconds of the one
    // answered 429 was already on its way (the worker delivers unrelated
    // effects in parallel): the bot could not have known. What the bot
    // decides after the answer must wait.
    let in_flight = Duration::from_millis(50);
    let after: Vec<_> = requests
        .iter()
        .filter(|r| r.at > limited.at + in_flight && !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/"))
        .collect();
    assert!(!after.is_empty());
    for r in &after {
        assert!(
            r.at.duration_since(limited.at) >= Duration::from_secs(1),
            "{} {} went out {:?} after the global 429",
            r.method,
            r.path,
            r.at.duration_since(limited.at)
        );
    }
    let retry = after.iter().find(|r| r.method == "POST" && r.path.ends_with("/channels")).expect("the retried channel");
    assert!(retry.at.duration_since(limited.at) >= Duration::from_secs(1));
    app.assert_one_channel_and_card(&i);
}

/// The server's admin took Embed Links from the bot's role (and
/// @everyone's): the bot cannot grant in a channel's overwrites what it
/// lacks itself, so Discord refuses the incident channel (50013). The report
/// is stored and answered; the channel is given up at once, not retried for
/// ever; and the committee hears of the report in its channel, with its
/// number.
#[tokio::test]
async fn without_embed_links_the_channel_is_refused_and_the_committee_still_hears_of_the_report() {
    use crate::support::fake::perms::{self, BOT_INVITE, EVERYONE_DEFAULT};
    let app = TestApp::spawn().await;
    app.fake.set_role_permissions(ids::BOT_ROLE, BOT_INVITE & !perms::EMBED_LINKS);
    app.fake.set_role_permissions(ids::GUILD, EVERYONE_DEFAULT & !perms::EMBED_LINKS);
    app.fake.expect_refusal(50013);
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[("title", "ランサムウェア"), ("what", "ファイルが暗号化された")],
        )
        .await;
    let text = crate::support::ephemeral_text(&reply);
    assert!(text.contains("受け付けました"), "{text}");
    let incident = app.store.open_incidents().await.unwrap().pop().expect("the report is stored");
    let number = incident.number.to_string();
    let alert = |f: &crate::support::fake::FakeDiscord| {
        f.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| {
            let c = m["content"].as_str().unwrap_or("");
            c.contains(&number) && c.contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)) && c.contains("用意できませんでした")
        })
    };
    app.wait_until("the committee is told the channel could not be made", alert).await;
    let refused: Vec<_> = app.fake.calls("POST", "/guilds/*/channels").into_iter().filter(|r| r.refused == Some(50013)).collect();
    assert_eq!(refused.len(), 1, "a permanent refusal is given up, not retried");
    assert!(app.store.incident_by_number(incident.number).await.unwrap().unwrap().channel.is_none());
}
