//! Every action × every role, through Discord: allowed exactly where the
//! domain's permission table says — and then it does what it should —,
//! refused elsewhere, in another guild and in DMs, and a refusal changes
//! nothing at all (the event log, incidents, entries, requests, reminders,
//! reads, the outbox, every channel and message on Discord).

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use hikeshi::domain::{Action, Role, RoleSet};
use serde_json::{json, Value};

const RESPONDER: u64 = 3005;
const COMMANDER: u64 = 3006;

/// What an allowed action shows.
#[derive(Clone, Copy, Debug)]
enum Allowed {
    /// A form opens.
    Form,
    /// The reply says so and something was stored.
    Changes(&'static [&'static str]),
    /// The reply says so (a read-only answer).
    Says(&'static [&'static str]),
}

/// Builds the interaction for the person at cast position `n`.
type Build = Box<dyn Fn(&TestApp, Who, usize) -> Value>;

fn slash(name: &'static str, options: Value) -> Build {
    Box::new(move |app, who, _| payloads::slash(app.id(), who, name, options.clone()))
}

fn user_sub(sub: &'static str, base: u64) -> Build {
    Box::new(move |app, who, n| {
        let user = (base + n as u64).to_string();
        payloads::slash(
            app.id(),
            who,
            "incident",
            json!([{"name": sub, "type": 1, "options": [{"name": "user", "type": 6, "value": user}]}]),
        )
    })
}

/// The committee takes command of `i` and walks it to the Lessons phase.
async fn to_lessons(app: &TestApp, i: &hikeshi::domain::Incident) {
    app.click(ids::BOB, i, &format!("hk1:take:{}", i.id)).await;
    for _ in 0..5 {
        app.settled().await;
        app.advance_times(ids::BOB, i, 1).await;
    }
}

/// A reminder of `kind` as the scheduler would have fired it.
async fn fired_reminder(app: &TestApp, kind: &str, playbook: Option<&str>) -> i64 {
    let now = chrono::Utc::now();
    let playbook = playbook.map(|p| hikeshi::domain::PlaybookId(p.into()));
    let mut tx = app.store.begin().await.unwrap();
    let r = tx.insert_reminder(kind, now, 0, now, playbook.as_ref()).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    r
}

/// A member asks for an exception (request #1).
async fn request_exception(app: &TestApp) {
    app.interact(payloads::modal(
        app.id(),
        Who::new(ids::DAVE, ids::GENERAL),
        "hk1:exceptionm",
        &[("subject", "USB"), ("text", "出張で必要"), ("until", "2099-12-31")],
    ))
    .await;
}

#[tokio::test]
async fn the_authorisation_matrix_holds_end_to_end() {
    // The shipped flood guard: ALICE's fourth report is held for triage.
    let app = TestApp::spawn_custom(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| {
        c.replace("channels_per_member_per_hour = 1000", "channels_per_member_per_hour = 3")
    })
    .await;
    let a = app.report_malware(ids::ALICE).await;
    let ch = a.channel.unwrap().0;
    let committee = |c: u64| Who::new(ids::BOB, c);
    // The cast of incident A: a responder (and five more to remove), and a
    // commander who is not on the committee.
    for user in [RESPONDER, 3080, 3081, 3082, 3083, 3084] {
        app.interact(user_sub("add", user)(&app, committee(ch), 0)).await;
    }
    app.interact(payloads::user_select(app.id(), committee(ch), &format!("hk1:appoint:{}", a.id), COMMANDER, &app.card(&a))).await;
    // B: no commander yet (take, appoint). L: in the Lessons phase with the
    // same cast (ticks, board questions).
    let b = app.report_malware(ids::ALICE).await;
    let l = app.report_malware(ids::ALICE).await;
    let lch = l.channel.unwrap().0;
    to_lessons(&app, &l).await;
    app.settled().await;
    assert_eq!(app.incident(l.number).await.phase, hikeshi::domain::Phase::Lessons);
    app.interact(payloads::user_select(app.id(), committee(lch), &format!("hk1:appoint:{}", l.id), COMMANDER, &app.card(&l))).await;
    app.interact(user_sub("add", RESPONDER)(&app, committee(lch), 0)).await;
    // L's plan is announced to all members (§4.4(3)), with its read button.
    let plan = [("technical", "パッチ適用"), ("organisational", "周知"), ("cause", ""), ("damage", "")];
    app.through_form(&app.incident(l.number).await, ids::BOB, &format!("hk1:plan:{}", l.id), &plan).await;
    app.settled().await;
    let announcement = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().expect("L's plan is announced");
    // ALICE's fourth report within the hour waits on the triage post.
    let (_, reply) = app.submit_report(Who::new(ids::ALICE, ids::GENERAL), "unsure", None, &[("title", "四件目"), ("what", "x")]).await;
    let held_number: hikeshi::domain::IncidentNumber = crate::support::ephemeral_text(&reply)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(|w| w.parse().ok())
        .expect("a number");
    let held = app.incident(held_number).await;
    assert!(held.held);
    app.settled().await;
    let triage = app
        .fake
        .messages(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|m| m["embeds"][0]["title"] == "トリアージ待ちの報告")
        .expect("triage post");
    // A drill reminder and an exception request to act on.
    let reminder = fired_reminder(&app, "drill", Some("malware")).await;
    request_exception(&app).await;
    app.settled().await;

    let cast = [
        (Role::Member, ids::DAVE),
        (Role::Reporter, ids::ALICE),
        (Role::Responder, RESPONDER),
        (Role::Commander, COMMANDER),
        (Role::Committee, ids::BOB),
    ];
    let (ia, ib, il) = (a.id, b.id, l.id);
    let card_a = app.card(&a);
    let card_b = app.card(&b);
    let card_l = app.card(&app.incident(l.number).await);
    let button = |custom: String, card: &Value| -> Build {
        let card = card.clone();
        Box::new(move |app, who, _| payloads::button(app.id(), who, &custom, &card))
    };
    let in_l = move |who: Who| Who { channel: lch, ..who };
    let cells: Vec<(&str, Action, Allowed, Build)> = vec![
        ("log button", Action::LogEntry, Allowed::Form, button(format!("hk1:log:{ia}:status"), &card_a)),
        ("dismiss button", Action::Dismiss, Allowed::Form, button(format!("hk1:dismiss:{ia}"), &card_a)),
        ("duplicate button", Action::MarkDuplicate, Allowed::Form, button(format!("hk1:dup:{ia}"), &card_a)),
        ("plan button", Action::WriteLessons, Allowed::Form, button(format!("hk1:plan:{ia}"), &card_a)),
        ("add a responder", Action::AddResponder, Allowed::Changes(&["加えました"]), user_sub("add", 3090)),
        ("remove a responder", Action::RemoveResponder, Allowed::Changes(&["外しました"]), user_sub("remove", 3080)),
        (
            "export",
            Action::Export,
            Allowed::Says(&["の記録です"]),
            slash("incident", json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "json"}]}])),
        ),
        ("APPI answer", Action::WriteLessons, Allowed::Changes(&["個人情報保護法"]), button(format!("hk1:appi:{ia}:over1000:y"), &card_a)),
        ("take command", Action::TakeCommand, Allowed::Changes(&["実行責任者になりました"]), button(format!("hk1:take:{ib}"), &card_b)),
        (
            "appoint",
            Action::AppointCommander,
            Allowed::Changes(&["任命しました"]),
            Box::new({
                let card = card_b.clone();
                move |app: &TestApp, who, _| payloads::user_select(app.id(), who, &format!("hk1:appoint:{ib}"), ids::CAROL, &card)
            }),
        ),
        (
            "tick",
            Action::TickChecklist,
            Allowed::Changes(&["チェック"]),
            Box::new({
                let card = card_l.clone();
                move |app: &TestApp, who, _| payloads::string_select(app.id(), in_l(who), &format!("hk1:tick:{il}"), &["0"], &card)
            }),
        ),
        (
            "board answer",
            Action::AnswerBoard,
            Allowed::Changes(&["回答を記録しました"]),
            Box::new({
                let card = card_l.clone();
                move |app: &TestApp, who, _| payloads::button(app.id(), in_l(who), &format!("hk1:board:{il}:victim:n"), &card)
            }),
        ),
        (
            "start a drill",
            Action::StartDrill,
            Allowed::Changes(&["訓練"]),
            slash("drill", json!([{"name": "start", "type": 1, "options": [{"name": "playbook", "type": 3, "value": "malware"}]}])),
        ),
        ("acknowledge", Action::Acknowledge, Allowed::Changes(&["確認を記録しました"]), button(format!("hk1:ack:{reminder}"), &card_a)),
        ("decide", Action::Decide, Allowed::Form, button("hk1:decide:1:y".into(), &card_a)),
        ("stats", Action::ViewRecords, Allowed::Says(&["```"]), slash("stats", json!([]))),
        ("readers", Action::ViewRecords, Allowed::Says(&["既読"]), button(format!("hk1:readers:{il}"), &announcement)),
        (
            "open a held report",
            Action::Triage,
            Allowed::Changes(&["対応チャンネルを開きます"]),
            Box::new({
                let post = triage.clone();
                let held = held.id.0.to_string();
                move |app: &TestApp, who, _| payloads::string_select(app.id(), who, "hk1:triageopen", &[&held], &post)
            }),
        ),
        // Every member reads an announced plan (§4.4(3)).
        ("read", Action::Report, Allowed::Changes(&["既読を記録しました"]), button(format!("hk1:read:{il}"), &announcement)),
        (
            "hand over",
            Action::HandOver,
            Allowed::Changes(&["引き継ぎました"]),
            Box::new({
                let card = card_a.clone();
                // The commander hands to a committee member, who hands back.
                move |app: &TestApp, who, n| {
                    let to = if n == 3 { ids::BOB } else { COMMANDER };
                    payloads::user_select(app.id(), who, &format!("hk1:handover:{ia}"), to, &card)
                }
            }),
        ),
        // Last: it moves the incident on.
        // (the committee, second, is asked to confirm the unticked items)
        (
            "advance",
            Action::Advance,
            Allowed::Says(&["進みました", "未チェック", "調査結果"]),
            button(format!("hk1:advance:{ia}"), &card_a),
        ),
    ];
    // A read button forged for an incident whose plan was never announced
    // records nothing, whoever clicks.
    for user in [ids::DAVE, ids::BOB] {
        let forged = payloads::button(app.id(), Who::new(user, ids::ANNOUNCEMENTS), &format!("hk1:read:{ia}"), &announcement);
        let text = app.refused_and_unchanged("a read of an unannounced plan", forged).await;
        assert!(text.contains("周知されていません"), "{text}");
    }
    for (what, action, allowed, build) in &cells {
        for (n, (role, user)) in cast.iter().enumerate() {
            let who = Who::new(*user, ch);
            if action.allowed(&RoleSet::only(*role)) {
                let before = app.snapshot().await;
                let reply = app.interact(build(&app, who, n)).await;
                match allowed {
                    Allowed::Form => assert_eq!(reply["type"], 9, "{what} by {role:?} opens its form: {reply}"),
                    Allowed::Changes(says) | Allowed::Says(says) => {
                        let text = reply["data"]["content"].as_str().unwrap_or("");
                        assert!(says.iter().any(|s| text.contains(s)), "{what} by {role:?}: {reply}");
                    }
                }
                if let Allowed::Changes(_) = allowed {
                    assert!(before != app.snapshot().await, "{what} by {role:?} was allowed but stored nothing");
                }
            } else {
                let text = app.refused_and_unchanged(&format!("{what} by {role:?}"), build(&app, who, n)).await;
                assert!(text.contains("だけが行えます"), "{what} by {role:?} is refused as not allowed: {text}");
            }
            // Another guild, and a DM: always refused, whoever asks.
            for guild in [Some(9999), None] {
                let mut elsewhere = who;
                elsewhere.guild = guild;
                let text = app.refused_and_unchanged(&format!("{what} by {role:?} from {guild:?}"), build(&app, elsewhere, n)).await;
                assert!(text.contains("サーバー内でのみ"), "{what} by {role:?} from {guild:?}: {text}");
            }
        }
    }
}

/// Every form's submission, forged by a member and by the reporter, who
/// may not use it (Discord's client never shows them the form; anyone can
/// send the interaction): refused, and nothing changes.
#[tokio::test]
async fn forged_form_submissions_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = app.report_malware(ids::ALICE).await;
    let l = app.report_malware(ids::ALICE).await;
    to_lessons(&app, &l).await;
    let review = fired_reminder(&app, "annual_review", None).await;
    request_exception(&app).await;
    let (ia, il) = (a.id, l.id);
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("hk1:logm:{ia}:status"), vec![("body", "偽の記録")]),
        (format!("hk1:dismissm:{ia}"), vec![("body", "偽の理由")]),
        (format!("hk1:dupm:{ia}"), vec![("body", "INC-2026-0002")]),
        (format!("hk1:planm:{il}"), vec![("technical", "t"), ("organisational", "o"), ("cause", ""), ("damage", "")]),
        (format!("hk1:waivem:{il}:plan"), vec![("body", "偽の免除")]),
        (format!("hk1:notem:{il}"), vec![("went_well", "w"), ("missing", "m")]),
        ("hk1:decidem:1:y".to_string(), vec![("body", "偽の承認")]),
        (format!("hk1:reviewm:{review}"), vec![("body", "偽の結果")]),
        // Only a confidential reporter adds information this way.
        (format!("hk1:addinfom:{ia}"), vec![("body", "偽の情報")]),
    ];
    for (custom, fields) in &forms {
        for user in [ids::DAVE, ids::ALICE] {
            let channel = if custom.contains(&il.to_string()) { l.channel.unwrap().0 } else { a.channel.unwrap().0 };
            let text = app
                .refused_and_unchanged(&format!("{custom} by {user}"), payloads::modal(app.id(), Who::new(user, channel), custom, fields))
                .await;
            assert!(text.contains("だけが行えます"), "{custom} by {user}: {text}");
        }
    }
}
