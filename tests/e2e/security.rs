//! Security promises that span the whole bot.

use crate::support::fake::ids;
use crate::support::TestApp;
use std::sync::Arc;

#[tokio::test]
async fn the_token_never_appears_in_the_logs_of_a_full_run() {
    let app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    // Everything, serenity's and sqlx's traces included.
    let bot = app.start_process("trace").await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled().await;
    let status = bot.stop_keep_log().await;
    let (log, status) = status;
    assert!(status.success(), "clean exit on SIGTERM:\n{log}");
    assert!(log.lines().count() > 50, "the run was logged: {} lines", log.lines().count());
    assert!(log.contains("token accepted") && log.contains("incident reported"), "{log}");
    let secret = ids::TOKEN;
    for fragment in [secret, &secret[..12], &secret[secret.len() - 12..]] {
        assert!(!log.contains(fragment), "the token (or a part of it) is in the log");
    }
}

#[tokio::test]
async fn forged_custom_ids_are_refused_without_a_panic() {
    use crate::support::payloads::{self, Who};
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let card = app.card(&i);
    let channel = i.channel.unwrap().0;
    let long = format!("hk1:take:{}", "9".repeat(200));
    let other_incident = format!("hk1:advance:{}", i.id.0 + 1000);
    for forged in [
        "",
        "hk1",
        "hk1:take:-1",
        "hk1:nuke:1",
        "hk2:take:1",
        "hk1:take:1:2",
        "hk1:log:1:weather",
        "hk1:take:\u{0}",
        "hk1:take:１",
        "\u{202e}hk1:take:1",
        long.as_str(),
        other_incident.as_str(),
    ] {
        let click = payloads::button(app.id(), Who::new(ids::BOB, channel), forged, &card);
        let text = app.refused_and_unchanged(&format!("the button {forged:?}"), click).await;
        assert!(text.contains("無効") || text.contains("見つかりません"), "{forged:?}: {text}");
        let form = payloads::modal(app.id(), Who::new(ids::BOB, channel), forged, &[("body", "x")]);
        let text = app.refused_and_unchanged(&format!("the form {forged:?}"), form).await;
        assert!(text.contains("無効") || text.contains("見つかりません"), "{forged:?}: {text}");
    }
    // Still alive.
    app.report_malware(ids::DAVE).await;
}

/// A role that is not the committee (say, all staff).
const ALL_STAFF: u64 = 2999;

/// Mentions of everyone, of a role and of a bystander, hidden in spoilers,
/// links and bold; 96 characters, so it fits every field but one.
fn injection() -> String {
    format!("@everyone @here <@&{ALL_STAFF}> <@{d}> <@!{d}> ||@everyone|| [@here](https://x.invalid) **@everyone**", d = ids::DAVE)
}

/// The same and more for long fields: zero-width and full-width look-alikes,
/// a code fence that would end the bot's own, a mention inside a link, and
/// a mention right after a zero-width joiner.
fn long_injection() -> String {
    format!(
        "{} @\u{200B}everyone @every\u{200D}one ＠here ```\n@everyone\n``` [x](https://x.invalid/<@&{ALL_STAFF}>) \u{200D}<@&{ALL_STAFF}> \u{FEFF}@here",
        injection()
    )
}

#[tokio::test]
async fn mentions_and_markdown_in_every_free_text_field_ping_no_one() {
    use crate::support::fake::{ids::*, snowflake};
    use crate::support::payloads::{self, Who};
    use serde_json::json;
    let app = TestApp::spawn().await;
    let short = injection();
    let long = long_injection();
    let (x, y) = (short.as_str(), long.as_str());
    let in_general = Who::new(ALICE, GENERAL);

    // A report with the injection in all five fields, and in the channel.
    let (_, reply) = app
        .submit_report(in_general, "breach", Some("malware"), &[("title", x), ("what", y), ("noticed", x), ("systems", y), ("impact", y)])
        .await;
    let i = app.incident_from_reply(&reply).await;
    let channel = i.channel.unwrap().0;
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ALICE, channel, x));
    app.click(BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.through_form(&i, BOB, &format!("hk1:log:{}:status", i.id), &[("body", y)]).await;
    // Through to the lessons: the plan, the board report, the notes.
    app.advance_times(BOB, &i, 5).await;
    let plan = [("technical", y), ("organisational", y), ("cause", y), ("damage", x)];
    app.through_form(&i, BOB, &format!("hk1:plan:{}", i.id), &plan).await;
    app.click(BOB, &i, &format!("hk1:board:{}:victim:y", i.id)).await;
    app.click(BOB, &i, &format!("hk1:board:{}:harm:n", i.id)).await;
    app.through_form(&i, BOB, &format!("hk1:note:{}", i.id), &[("went_well", y), ("missing", y)]).await;

    // Another report dismissed with the injection as the reason, one more
    // closed as a "duplicate" of a mention.
    let (_, reply) = app.submit_report(in_general, "unsure", None, &[("title", "two"), ("what", "x")]).await;
    let dismissed = app.incident_from_reply(&reply).await;
    app.through_form(&dismissed, BOB, &format!("hk1:dismiss:{}", dismissed.id), &[("body", y)]).await;
    let (_, reply) = app.submit_report(in_general, "unsure", None, &[("title", "three"), ("what", "x")]).await;
    let dup = app.incident_from_reply(&reply).await;
    app.through_form(&dup, BOB, &format!("hk1:dup:{}", dup.id), &[("body", &format!("@everyone<@{DAVE}>"))]).await;

    // An exception and an amendment, decided with the injection as reasons.
    for (form, fields) in [
        ("hk1:exceptionm", vec![("subject", x), ("text", y), ("until", "2099-12-31")]),
        ("hk1:amendm", vec![("subject", x), ("text", y), ("reason", y)]),
    ] {
        app.interact(payloads::modal(app.id(), in_general, form, &fields)).await;
        app.settled().await;
        // The request's card (other deliveries may land after it).
        let decides =
            |m: &serde_json::Value| m["components"][0]["components"][0]["custom_id"].as_str().is_some_and(|c| c.starts_with("hk1:decide:"));
        let card = app.fake.messages(COMMITTEE_CHANNEL).into_iter().rev().find(decides).unwrap();
        let decide = card["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
        let form = app.interact(payloads::button(app.id(), Who::new(BOB, COMMITTEE_CHANNEL), &decide, &card)).await;
        let modal = form["data"]["custom_id"].as_str().unwrap().to_string();
        app.interact(payloads::modal(app.id(), Who::new(BOB, COMMITTEE_CHANNEL), &modal, &[("body", y)])).await;
    }

    // A confidential reporter adds information from their DM.
    let options = json!([{"name": "category", "type": 3, "value": "unsure"}, {"name": "confidential", "type": 5, "value": true}]);
    let form = app
        .interact(payloads::slash(app.id(), in_general, "report", serde_json::json!([{"name": "new", "type": 1, "options": options}])))
        .await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let reply = app.interact(payloads::modal(app.id(), in_general, &custom, &[("title", x), ("what", y)])).await;
    let secret = app.incident_from_reply(&reply).await;
    app.click(BOB, &secret, &format!("hk1:take:{}", secret.id)).await;
    app.click(BOB, &secret, &format!("hk1:advance:{}", secret.id)).await;
    app.wait_until("the reporter hears by DM", |_| !app.dms_to(ALICE).is_empty()).await;
    let dm: u64 =
        app.fake.channels().into_iter().find(|c| c["name"] == format!("dm-{ALICE}")).unwrap()["id"].as_str().unwrap().parse().unwrap();
    let mut in_dm = Who::new(ALICE, dm);
    in_dm.guild = None;
    app.interact(payloads::modal(app.id(), in_dm, &format!("hk1:addinfom:{}", secret.id), &[("body", y)])).await;
    app.settled().await;

    // Whom Discord would have notified, message by message.
    let pings = app.fake.pings();
    assert!(pings.iter().any(|(_, p)| p.roles == vec![COMMITTEE_ROLE]), "the committee is pinged where it should be: {pings:?}");
    for (request, p) in &pings {
        assert!(!p.everyone, "{request} pings everyone");
        assert!(!p.roles.contains(&ALL_STAFF), "{request} pings a role from user text");
        assert!(!p.users.contains(&DAVE), "{request} pings a bystander named in user text");
        assert!(p.roles.iter().all(|r| *r == COMMITTEE_ROLE), "{request}: {p:?}");
    }
    // Where the text is shown, it is shown as typed, but inert.
    let notice =
        app.posts_in(COMMITTEE_CHANNEL).into_iter().find(|p| p.body["content"].as_str().unwrap_or("").contains("<@\u{200B}&2999>"));
    assert!(notice.is_some(), "the committee sees the title as typed, defused");
    assert!(app
        .fake
        .messages(COMMITTEE_CHANNEL)
        .iter()
        .all(|m| !m["content"].as_str().unwrap_or("").contains(&format!("<@&{ALL_STAFF}>"))));
    assert_eq!(snowflake(ALL_STAFF), "2999");
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn a_field_longer_than_its_form_allows_is_refused_with_the_limit_in_every_form() {
    use crate::support::fake::ids::*;
    use crate::support::payloads::{self, Who};
    let app = TestApp::spawn().await;
    let i = app.report_malware(ALICE).await;
    let channel = i.channel.unwrap().0;
    let id = i.id;
    // Forged submissions (Discord's client would not send them): each one
    // character over its field's limit.
    let cases: Vec<(String, &str, usize)> = vec![
        (format!("hk1:logm:{id}:status"), "body", 4000),
        (format!("hk1:dismissm:{id}"), "body", 1000),
        (format!("hk1:dupm:{id}"), "body", 20),
        (format!("hk1:planm:{id}"), "cause", 1000),
        (format!("hk1:notem:{id}"), "missing", 2000),
        (format!("hk1:waivem:{id}:notes"), "body", 1000),
        ("hk1:decidem:1:y".to_string(), "body", 1000),
        ("hk1:reviewm:1".to_string(), "body", 2000),
        ("hk1:exceptionm".to_string(), "subject", 200),
        ("hk1:exceptionm".to_string(), "until", 10),
        ("hk1:amendm".to_string(), "text", 2000),
        (format!("hk1:addinfom:{id}"), "body", 2000),
        ("hk1:report:unsure:-:0".to_string(), "title", 100),
        ("hk1:report:unsure:-:0".to_string(), "noticed", 100),
    ];
    for (form, field, max) in cases {
        let long = "長".repeat(max + 1);
        let mut fields = vec![(field, long.as_str())];
        if form.starts_with("hk1:report") && field != "title" {
            fields.push(("title", "t"));
            fields.push(("what", "w"));
        }
        let text =
            app.refused_and_unchanged(&format!("{form} {field}"), payloads::modal(app.id(), Who::new(BOB, channel), &form, &fields)).await;
        assert!(text.contains(&format!("上限は{max}文字")), "{form} {field}: {text}");
        assert!(text.contains(&format!("{}文字", max + 1)), "{form} {field} says how long it is: {text}");
    }
    assert_eq!(app.store.count_incidents().await.unwrap(), 1);
}

#[test]
fn the_fake_pings_as_discord_does_by_content_and_allowed_mentions() {
    use crate::support::fake::{pings_of, Pings};
    use serde_json::json;
    let everything = json!({"content": "@everyone <@&7> <@!8> <@9>"});
    assert_eq!(pings_of(&everything), Pings { everyone: true, roles: vec![7], users: vec![8, 9] });
    let none = json!({"content": "@everyone <@&7> <@8>", "allowed_mentions": {"parse": []}});
    assert_eq!(pings_of(&none), Pings::default());
    let listed = json!({"content": "<@&7> <@&6> <@8>", "allowed_mentions": {"parse": [], "roles": ["7"], "users": []}});
    assert_eq!(pings_of(&listed), Pings { everyone: false, roles: vec![7], users: vec![] });
    assert_eq!(pings_of(&json!({"content": "@\u{200B}everyone <@ 8> <@&x>"})), Pings::default());
}
