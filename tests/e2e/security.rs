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

/// Builds an interaction for a user at a place.
type Interaction = Box<dyn Fn(&TestApp, crate::support::payloads::Who) -> serde_json::Value>;

/// Every action × every role, through Discord: allowed exactly where the
/// domain's permission table says, refused in another guild and in DMs.
#[tokio::test]
async fn the_authorisation_matrix_holds_end_to_end() {
    use crate::support::ephemeral_text;
    use crate::support::payloads::{self, Who};
    use hikeshi::domain::{Action, Role, RoleSet};
    use serde_json::json;
    const RESPONDER: u64 = 3005;
    const COMMANDER: u64 = 3006;
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    // Set the cast: a responder and a commander who is not on the committee.
    app.interact(payloads::slash(
        app.id(),
        Who::new(ids::BOB, channel),
        "incident",
        json!([{"name": "add", "type": 1, "options": [{"name": "user", "type": 6, "value": RESPONDER.to_string()}]}]),
    ))
    .await;
    let card = app.card(&i);
    app.interact(payloads::user_select(app.id(), Who::new(ids::BOB, channel), &format!("hk1:appoint:{}", i.id), COMMANDER, &card)).await;
    app.settled().await;

    let cast = [
        (Role::Member, ids::DAVE),
        (Role::Reporter, ids::ALICE),
        (Role::Responder, RESPONDER),
        (Role::Commander, COMMANDER),
        (Role::Committee, ids::BOB),
    ];
    let id = i.id;
    // The card as a message for the clicks (its id never changes).
    let card = app.card(&i);
    let button = |custom: String| {
        let card = card.clone();
        Box::new(move |app: &TestApp, who: Who| payloads::button(app.id(), who, &custom, &card)) as Interaction
    };
    let actions: Vec<(Action, Interaction)> = vec![
        (Action::LogEntry, button(format!("hk1:log:{id}:status"))),
        (Action::Dismiss, button(format!("hk1:dismiss:{id}"))),
        (Action::MarkDuplicate, button(format!("hk1:dup:{id}"))),
        (Action::WriteLessons, button(format!("hk1:plan:{id}"))),
        (Action::TickChecklist, {
            let card = card.clone();
            Box::new(move |app: &TestApp, who: Who| payloads::string_select(app.id(), who, &format!("hk1:tick:{id}"), &["0"], &card))
        }),
        // Last: it moves the incident on.
        (Action::Advance, button(format!("hk1:advance:{id}"))),
        (
            Action::AddResponder,
            Box::new(move |app: &TestApp, who| {
                payloads::slash(
                    app.id(),
                    who,
                    "incident",
                    json!([{"name": "add", "type": 1, "options": [{"name": "user", "type": 6, "value": "3099"}]}]),
                )
            }),
        ),
        (
            Action::Export,
            Box::new(move |app: &TestApp, who| {
                payloads::slash(
                    app.id(),
                    who,
                    "incident",
                    json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "json"}]}]),
                )
            }),
        ),
    ];
    for (action, payload) in &actions {
        for (role, user) in cast {
            let reply = app.interact(payload(&app, Who::new(user, channel))).await;
            let refused = reply["type"] == 4 && ephemeral_text(&reply).contains("だけ");
            let expected = action.allowed(&RoleSet::only(role));
            assert_eq!(!refused, expected, "{action:?} by {role:?}: {reply}");
            // Another guild, and a DM: always refused, whoever asks.
            for guild in [Some(9999), None] {
                let mut who = Who::new(user, channel);
                who.guild = guild;
                let reply = app.interact(payload(&app, who)).await;
                assert!(ephemeral_text(&reply).contains("サーバー内でのみ"), "{action:?} by {role:?} from {guild:?}: {reply}");
            }
        }
    }
    // Committee-only actions refuse even the commander.
    let reply = app.interact(payloads::button(app.id(), Who::new(COMMANDER, channel), &format!("hk1:take:{}", i.id), &card)).await;
    assert!(ephemeral_text(&reply).contains("だけ") || ephemeral_text(&reply).contains("すでに"), "{reply}");
}

#[tokio::test]
async fn forged_custom_ids_are_refused_without_a_panic() {
    use crate::support::ephemeral_text;
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
        let reply = app.interact(payloads::button(app.id(), Who::new(ids::BOB, channel), forged, &card)).await;
        let text = ephemeral_text(&reply);
        assert!(text.contains("無効") || text.contains("見つかりません"), "{forged:?}: {text}");
        let modal = app.interact(payloads::modal(app.id(), Who::new(ids::BOB, channel), forged, &[("body", "x")])).await;
        assert!(ephemeral_text(&modal).contains("無効") || ephemeral_text(&modal).contains("見つかりません"), "{forged:?}");
    }
    // Still alive and unchanged.
    assert_eq!(app.incident(i.number).await.phase, hikeshi::domain::Phase::Reported);
    app.report_malware(ids::DAVE).await;
}
