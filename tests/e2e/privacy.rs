//! Privacy under a hostile member and a flaky Discord (issue: confidential
//! reporters never revealed, access revoked in the order decided, command
//! handed over, user text never a link, redacted exports, archived threads).

use crate::support::fake::{ids, perms, snowflake, FakeDiscord, Fault};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Incident, UserId};
use serde_json::{json, Value};

/// A member reports confidentially (§1(1) leaks by a member).
pub(crate) async fn confidential_report(app: &TestApp, who: u64, title: &str, what: &str) -> Incident {
    let w = Who::new(who, ids::GENERAL);
    let options = json!([{"name": "category", "type": 3, "value": "breach"}, {"name": "kind", "type": 3, "value": "insider_leak"}, {"name": "confidential", "type": 5, "value": true}]);
    let form =
        app.interact(payloads::slash(app.id(), w, "report", serde_json::json!([{"name": "new", "type": 1, "options": options}]))).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    let reply = app.interact(payloads::modal(app.id(), w, &custom, &[("title", title), ("what", what)])).await;
    app.incident_from_reply(&reply).await
}

/// The user overwrite of `user` on `channel`, if any.
fn overwrite(f: &FakeDiscord, channel: u64, user: u64) -> Option<Value> {
    f.channel(channel)?["permission_overwrites"].as_array()?.iter().find(|o| o["id"] == snowflake(user)).cloned()
}

/// Every text the bot put into a channel or a DM (content and embeds).
fn everything_posted_in(app: &TestApp, channel: u64) -> String {
    app.fake.messages(channel).iter().map(|m| format!("{} {}", m["content"], m["embeds"])).collect::<Vec<_>>().join("\n")
}

/// Sequence 1: DAVE reports confidentially; ALICE reports the same thing
/// publicly; the committee closes DAVE's as a duplicate of ALICE's. DAVE
/// is never named, pinged or let in there; the channel reads an anonymous
/// note; DAVE hears by DM, keeps hearing of the original's progress, and
/// can add information to it without a name.
#[tokio::test]
async fn a_confidential_reporter_merged_into_a_public_incident_is_never_named_pinged_or_let_in() {
    let app = TestApp::spawn().await;
    let secret = confidential_report(&app, ids::DAVE, "同僚が顧客名簿を持ち出した", "私物USBにコピーしていた").await;
    let public = app.report_malware(ids::ALICE).await;
    let public_channel = public.channel.unwrap().0;
    app.settled().await;
    let before = app.fake.pings().len();

    let reply = app.through_form(&secret, ids::BOB, &format!("hk1:dup:{}", secret.id), &[("body", &public.number.to_string())]).await;
    assert!(ephemeral_text(&reply).contains("重複"), "{reply}");
    app.settled().await;

    // Nothing in the public channel names or pings DAVE, and DAVE is not let in.
    let dave = ids::DAVE.to_string();
    let posted = everything_posted_in(&app, public_channel);
    assert!(!posted.contains(&dave), "the public channel names the confidential reporter:\n{posted}");
    assert!(posted.contains("匿名の報告が1件"), "an anonymous note: {posted}");
    assert_eq!(overwrite(&app.fake, public_channel, ids::DAVE), None, "not let in");
    assert!(!app.fake.member_can(ids::DAVE, public_channel, perms::VIEW_CHANNEL));
    for (what, p) in &app.fake.pings()[before..] {
        assert!(!p.users.contains(&ids::DAVE), "{what} pings the confidential reporter");
    }
    // The merge keeps their confidentiality on the surviving incident.
    let merged = app.incident(public.number).await;
    assert_eq!(merged.merged.len(), 1);
    assert!(merged.merged[0].confidential && merged.merged[0].reporter == UserId(ids::DAVE));
    let card = app.card(&merged).to_string();
    assert!(!card.contains(&dave), "the card names them: {card}");

    // DAVE hears by DM where the report went, and later of the original's progress.
    let dms = app.dms_to(ids::DAVE);
    assert!(dms.iter().any(|m| m.contains(&public.number.to_string()) && m.contains("統合")), "{dms:?}");
    app.click(ids::BOB, &merged, &format!("hk1:take:{}", merged.id)).await;
    app.click(ids::BOB, &merged, &format!("hk1:advance!:{}", merged.id)).await;
    app.wait_until("DAVE hears of the analysis", |_| app.dms_to(ids::DAVE).iter().any(|m| m.contains("分析"))).await;
    // From the DM, DAVE adds information to the original, without a name.
    let dm: u64 =
        app.fake.channels().into_iter().find(|c| c["name"] == format!("dm-{dave}")).unwrap()["id"].as_str().unwrap().parse().unwrap();
    let mut in_dm = Who::new(ids::DAVE, dm);
    in_dm.guild = None;
    let thanks = app
        .interact(payloads::modal(app.id(), in_dm, &format!("hk1:addinfom:{}", merged.id), &[("body", "昨夜も同じUSBを見ました")]))
        .await;
    assert!(ephemeral_text(&thanks).contains("名前を伏せて"), "{thanks}");
    app.settled().await;
    let posted = everything_posted_in(&app, public_channel);
    assert!(posted.contains("昨夜も同じUSB") && !posted.contains(&dave), "{posted}");
    assert_eq!(overwrite(&app.fake, public_channel, ids::DAVE), None);
}

/// A public duplicate's reporter still joins the original, named.
#[tokio::test]
async fn a_public_duplicates_reporter_joins_the_original_and_keeps_reading_it_archived() {
    let app = TestApp::spawn().await;
    let original = app.report_malware(ids::ALICE).await;
    let dup = app.report_malware(ids::DAVE).await;
    app.through_form(&dup, ids::BOB, &format!("hk1:dup:{}", dup.id), &[("body", &original.number.to_string())]).await;
    let channel = original.channel.unwrap().0;
    app.wait_until("DAVE joins the original", |f| overwrite(f, channel, ids::DAVE).is_some()).await;
    app.settled().await;
    // Archived later, DAVE keeps reading it.
    app.through_form(&original, ids::BOB, &format!("hk1:dismiss:{}", original.id), &[("body", "訓練用のメールでした")]).await;
    app.settled().await;
    assert!(app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL | perms::READ_MESSAGE_HISTORY));
    assert!(!app.fake.member_can(ids::DAVE, channel, perms::SEND_MESSAGES));
}

/// Sequence 2: `/incident add DAVE` meets a 500 on the permission request
/// (retried a second later), then `/incident remove DAVE`: DAVE must not
/// see the channel at the end, and `/incident remove` and the state agree.
#[tokio::test]
async fn a_responder_removed_while_the_grant_is_retried_never_keeps_access() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    app.settled().await;
    let run = |sub: &str| {
        payloads::slash(
            app.id(),
            Who::new(ids::BOB, channel),
            "incident",
            json!([{"name": sub, "type": 1, "options": [{"name": "user", "type": 6, "value": snowflake(ids::DAVE)}]}]),
        )
    };
    app.fake.fail("PUT", "/channels/*/permissions/*", vec![Fault::Status(500)]);
    app.interact(run("add")).await;
    app.wait_until("the grant met the 500", |f| f.calls("PUT", "/channels/*/permissions/*").iter().any(|r| r.status == 500)).await;
    let removed = app.interact(run("remove")).await;
    assert!(ephemeral_text(&removed).contains("外しました"), "{removed}");
    app.settled().await;
    assert_eq!(overwrite(&app.fake, channel, ids::DAVE), None, "DAVE still sees the channel after removal");
    assert!(!app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL));
    assert!(!app.incident(i.number).await.responders.contains(&UserId(ids::DAVE)));
    // No successful grant reached Discord after the removal was decided.
    let requests = app.fake.requests();
    let decided = requests.iter().rposition(|r| {
        r.path.starts_with("/interactions/") && r.body["data"]["content"].as_str().is_some_and(|c| c.contains("外しました"))
    });
    let puts_after = requests[decided.unwrap_or(0)..]
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with(&format!("/permissions/{}", ids::DAVE)) && r.status < 300)
        .count();
    assert_eq!(puts_after, 0, "a grant went out after the removal");
    // Adding again works, in order.
    app.interact(run("add")).await;
    app.wait_until("DAVE is back", |f| overwrite(f, channel, ids::DAVE).is_some()).await;
}

/// Sequence 3: the commander hands over (a user select on the card); the
/// old commander's own access goes unless the state still gives it; the
/// event is recorded and the card shows the new commander. A member who
/// is not the commander cannot hand over.
#[tokio::test]
async fn command_is_handed_over_and_the_old_commanders_access_follows_the_state() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let appoint = payloads::user_select(app.id(), Who::new(ids::BOB, channel), &format!("hk1:appoint:{}", i.id), ids::DAVE, &app.card(&i));
    app.interact(appoint).await;
    app.wait_until("DAVE commands and sees the channel", |f| overwrite(f, channel, ids::DAVE).is_some()).await;
    app.settled().await;
    let i = app.incident(i.number).await;
    let handover = format!("hk1:handover:{}", i.id);
    assert!(app.card_custom_ids(&i).contains(&handover), "the card offers the hand-over");

    // ALICE (the reporter, not the commander) cannot hand over.
    let forged = payloads::user_select(app.id(), Who::new(ids::ALICE, channel), &handover, ids::ALICE, &app.card(&i));
    let text = app.refused_and_unchanged("a hand-over by the reporter", forged).await;
    assert!(text.contains("だけ"), "{text}");

    // DAVE hands over to CAROL: DAVE's own access goes.
    let reply = app.interact(payloads::user_select(app.id(), Who::new(ids::DAVE, channel), &handover, ids::CAROL, &app.card(&i))).await;
    assert!(ephemeral_text(&reply).contains("引き継ぎました"), "{reply}");
    app.settled().await;
    let now = app.incident(i.number).await;
    assert_eq!(now.commander, Some(UserId(ids::CAROL)));
    assert_eq!(overwrite(&app.fake, channel, ids::DAVE), None, "the old commander keeps access");
    assert!(overwrite(&app.fake, channel, ids::CAROL).is_some());
    let card = app.card(&now);
    assert!(card["embeds"].to_string().contains(&format!("<@{}>", ids::CAROL)), "the card shows the new commander: {card}");
    let events = app.store.events_of(i.id).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "command_handed_over"), "recorded");
    // The new commander is told (pinged), the old is not.
    let notice =
        app.posts_in(channel).into_iter().find(|p| p.body["content"].as_str().is_some_and(|c| c.contains("引き継ぎました"))).unwrap();
    assert_eq!(notice.body["allowed_mentions"]["users"], json!([snowflake(ids::CAROL)]));

    // CAROL hands to ALICE, the reporter: CAROL's overwrite goes; ALICE's stays when handed on.
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, channel), &handover, ids::ALICE, &app.card(&now))).await;
    app.interact(payloads::user_select(app.id(), Who::new(ids::BOB, channel), &handover, ids::DAVE, &app.card(&now))).await;
    app.settled().await;
    assert_eq!(app.incident(i.number).await.commander, Some(UserId(ids::DAVE)));
    assert!(overwrite(&app.fake, channel, ids::ALICE).is_some(), "the reporter keeps access");
    assert_eq!(overwrite(&app.fake, channel, ids::CAROL), None);
}

/// Sequence 4: a masked link, a heading and subtext in a report and a plan
/// show as typed on the card, in the announcement to all members and in
/// the Markdown export; the fake fails any story in which the bot showed a
/// masked link (see `FakeDiscord::masked_links`).
#[tokio::test]
async fn a_masked_link_shows_its_real_address_on_the_card_the_announcement_and_the_export() {
    let app = TestApp::spawn().await;
    let link = "[https://intranet.example/login](https://evil.example/x)";
    let what = format!("# ログインし直してください\n-# 情報システム部\n{link}");
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[("title", "偽ログイン"), ("what", &what), ("systems", "fileserver")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.settled().await;
    let card = app.card(&i);
    let description = card["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains(r"\[https://intranet.example/login\](https://evil.example/x)"), "{description}");
    assert!(description.starts_with(r"\# ") && description.contains(r"\-# "), "{description}");
    // Through to the announcement, with the link in the plan.
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 5).await;
    let plan = [("technical", link), ("organisational", "# 全員へ周知"), ("cause", "x"), ("damage", "y")];
    app.through_form(&i, ids::BOB, &format!("hk1:plan:{}", i.id), &plan).await;
    app.settled().await;
    let announced = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().expect("announced");
    let fields = announced["embeds"][0]["fields"].to_string();
    assert!(fields.contains(r"\\[https://intranet.example/login\\](https://evil.example/x)"), "{fields}");
    assert!(app.fake.masked_links().is_empty(), "{:?}", app.fake.masked_links());
    // The Markdown export escapes user text as the HTML export does.
    let record = app.store.incident_by_number(i.number).await.unwrap().unwrap();
    let md = hikeshi_export(&app, &record, "md").await;
    assert!(md.contains(r"\[https://intranet.example/login\](https://evil.example/x)"), "{md}");
    assert!(!outside_code(&md).contains(link), "{md}");
    assert!(md.contains(r"\# ログインし直してください"), "{md}");
}

/// A Markdown document without its fenced code blocks (which render
/// nothing, and so can hold a link as text).
fn outside_code(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(f) if ticks.len() >= f.len() && line.trim() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `hikeshi export NUMBER --format F` as the committee runs it.
async fn hikeshi_export(app: &TestApp, i: &Incident, format: &str) -> String {
    let out = app.hikeshi().args(["export", &i.number.to_string(), "--format", format]).output().await.expect("hikeshi export");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Sequence 6: a commander outside the committee exports a confidential
/// report: the reporter's id appears nowhere, and neither do the event
/// hashes that would let one test each member's id against them; the
/// document says so. The committee's export keeps both.
#[tokio::test]
async fn a_redacted_export_has_no_hash_to_test_member_ids_against() {
    let app = TestApp::spawn().await;
    let i = confidential_report(&app, ids::DAVE, "同僚が顧客名簿を持ち出した", "私物USBにコピーしていた").await;
    let channel = i.channel.unwrap().0;
    app.interact(payloads::user_select(app.id(), Who::new(ids::BOB, channel), &format!("hk1:appoint:{}", i.id), ids::ALICE, &app.card(&i)))
        .await;
    app.settled().await;
    let export = |user: u64| {
        let id = app.id();
        let mut p = payloads::slash(
            id,
            Who::new(user, channel),
            "incident",
            json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "json"}]}]),
        );
        p["id"] = json!(id.to_string());
        (id, p)
    };
    let (id, p) = export(ids::ALICE);
    app.interact(p).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    let (_, content) = &callback.files[0];
    let v: Value = serde_json::from_str(content).unwrap();
    assert!(!names(&v, ids::DAVE), "the confidential reporter's id is in the commander's export: {content}");
    assert!(v["timeline"].as_array().unwrap().iter().all(|e| e.get("hash").is_none()), "hashes in a redacted export");
    assert!(v["redacted"]["hashes"].as_str().is_some_and(|s| s.contains("omitted")), "the document says so: {}", v["redacted"]);
    // The committee's export is whole.
    let (id, p) = export(ids::BOB);
    app.interact(p).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    let v: Value = serde_json::from_str(&callback.files[0].1).unwrap();
    assert_eq!(v["reporter"], ids::DAVE.to_string());
    assert!(v["timeline"].as_array().unwrap().iter().all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)));
    assert!(v["redacted"].is_null());
}

/// Whether any value in `v` is `id` (as a number, a string, or an actor).
fn names(v: &Value, id: u64) -> bool {
    match v {
        Value::Number(n) => n.as_u64() == Some(id),
        Value::String(s) => s.parse::<u64>().ok() == Some(id) || *s == format!("user:{id}") || s.contains(&format!("<@{id}>")),
        Value::Array(a) => a.iter().any(|x| names(x, id)),
        Value::Object(o) => o.values().any(|x| names(x, id)),
        _ => false,
    }
}

/// Sequence 9: archiving denies writing, starting threads and writing in
/// threads; a thread left open is archived and locked.
#[tokio::test]
async fn an_archived_channel_denies_threads_and_locks_the_open_ones() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    let thread = app.fake.add_thread(channel, "調査メモ", false, ids::ALICE);
    assert!(app.fake.member_can(ids::ALICE, channel, perms::THREADS), "open: the reporter may use threads");
    app.through_form(&i, ids::BOB, &format!("hk1:dismiss:{}", i.id), &[("body", "訓練用のメールでした")]).await;
    app.settled().await;
    let ch = app.fake.channel(channel).unwrap();
    assert_eq!(ch["parent_id"], snowflake(ids::ARCHIVE_CATEGORY));
    for who in [ids::ALICE, ids::BOB] {
        assert!(app.fake.member_can(who, channel, perms::VIEW_CHANNEL | perms::READ_MESSAGE_HISTORY), "{who} still reads");
        for (name, bit) in [
            ("send", perms::SEND_MESSAGES),
            ("start public threads", perms::CREATE_PUBLIC_THREADS),
            ("start private threads", perms::CREATE_PRIVATE_THREADS),
            ("write in threads", perms::SEND_MESSAGES_IN_THREADS),
        ] {
            assert!(!app.fake.member_can(who, channel, bit), "{who} may still {name} in the archive");
        }
    }
    let t = app.fake.channel(thread).unwrap();
    assert_eq!(t["thread_metadata"]["archived"], true, "{t}");
    assert_eq!(t["thread_metadata"]["locked"], true, "{t}");
}

/// Sequence 7: the announcement to all members never shows the reporter's
/// title (here it names a colleague): it shows the category and number
/// until the committee sets a public title, and then that.
#[tokio::test]
async fn the_announcement_shows_the_committees_public_title_never_the_reporters() {
    let app = TestApp::spawn().await;
    let i = confidential_report(&app, ids::DAVE, "山田さんが顧客名簿を持ち出した", "私物USBにコピーしていた").await;
    let channel = i.channel.unwrap().0;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.advance_times(ids::BOB, &i, 5).await;
    let plan = [("technical", "USB書き込みの禁止"), ("organisational", "持ち出し手順の周知"), ("cause", ""), ("damage", "")];
    app.through_form(&i, ids::BOB, &format!("hk1:plan:{}", i.id), &plan).await;
    app.settled().await;
    let announced = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().expect("announced");
    assert!(!announced.to_string().contains("山田"), "the reporter's title reached all members: {announced}");
    assert_eq!(announced["embeds"][0]["title"], format!("セキュリティに対する侵害 {}", i.number));

    let title = |who: u64, t: &str| {
        payloads::slash(
            app.id(),
            Who::new(who, channel),
            "incident",
            json!([{"name": "title", "type": 1, "options": [{"name": "title", "type": 3, "value": t}]}]),
        )
    };
    let refused = app.refused_and_unchanged("a public title by a member", title(ids::DAVE, "山田さんの件")).await;
    assert!(refused.contains("だけ"), "{refused}");
    let set = app.interact(title(ids::BOB, "顧客情報の持ち出し")).await;
    assert!(ephemeral_text(&set).contains("顧客情報の持ち出し"), "{set}");
    app.settled().await;
    let edited = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().find(|m| m["id"] == announced["id"]).unwrap();
    assert_eq!(edited["embeds"][0]["title"], "顧客情報の持ち出し");
    assert!(app.store.events_of(i.id).await.unwrap().iter().any(|e| e.kind == "public_title_set"));
}

/// The triage post in the committee channel, as the fake holds it now.
fn triage_post(app: &TestApp) -> Value {
    app.fake
        .messages(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .find(|m| m["embeds"][0]["title"] == "トリアージ待ちの報告")
        .expect("the triage post")
}

/// Sequence 5: one member submits the form eight times. Each report is
/// stored and answered with its number; three open channels; the other
/// five open none and ping nobody: they wait on one triage post, and the
/// committee is pinged once for them. Another member is served as usual.
/// The committee opens, dismisses and merges held reports from the post;
/// a member cannot.
#[tokio::test]
async fn one_member_cannot_flood_the_guild_and_nothing_they_report_is_lost() {
    let app = TestApp::spawn_custom(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| {
        c.replace("channels_per_member_per_hour = 1000", "channels_per_member_per_hour = 3")
    })
    .await;
    let pings_before = app.fake.pings().len();
    let mut numbers = vec![];
    for n in 0..8 {
        let (_, reply) = app
            .submit_report(Who::new(ids::DAVE, ids::GENERAL), "unsure", None, &[("title", &format!("不審なメール {n}")), ("what", "x")])
            .await;
        let text = ephemeral_text(&reply);
        let number: hikeshi::domain::IncidentNumber =
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).find_map(|w| w.parse().ok()).expect("a number in every reply");
        if n >= 3 {
            assert!(text.contains("委員会が確認してから"), "held, and told so: {text}");
        }
        numbers.push(number);
    }
    let other = app.report_malware(ids::ALICE).await;
    assert!(other.channel.is_some(), "another member is served as usual");
    app.settled().await;

    // Nothing is lost: eight incidents stored; three with channels.
    let mut held = vec![];
    for (n, number) in numbers.iter().enumerate() {
        let i = app.incident(*number).await;
        assert_eq!(i.held, n >= 3, "{number}");
        assert_eq!(i.channel.is_some(), n < 3, "{number}");
        if i.held {
            held.push(i);
        }
    }
    // The committee was pinged for the three cards, ALICE's, and once for the held five.
    let role_pings: Vec<_> =
        app.fake.pings()[pings_before..].iter().filter(|(_, p)| p.roles.contains(&ids::COMMITTEE_ROLE)).cloned().collect();
    assert_eq!(role_pings.len(), 5, "{role_pings:?}");
    let post = triage_post(&app);
    let listed = post["embeds"][0]["description"].as_str().unwrap().to_string();
    for i in &held {
        assert!(listed.contains(&i.number.to_string()), "{} on the triage post: {listed}", i.number);
    }
    assert_eq!(
        app.fake.messages(ids::COMMITTEE_CHANNEL).iter().filter(|m| m["embeds"][0]["title"] == "トリアージ待ちの報告").count(),
        1,
        "one post"
    );

    // A member cannot use the post.
    let select = |who: u64, custom: &str, i: &Incident| {
        payloads::string_select(app.id(), Who::new(who, ids::COMMITTEE_CHANNEL), custom, &[&i.id.0.to_string()], &triage_post(&app))
    };
    let text = app.refused_and_unchanged("a member opening a held report", select(ids::DAVE, "hk1:triageopen", &held[0])).await;
    assert!(text.contains("だけ"), "{text}");

    // Open one: it becomes an incident like any other.
    let opened = app.interact(select(ids::BOB, "hk1:triageopen", &held[0])).await;
    assert!(ephemeral_text(&opened).contains(&held[0].number.to_string()), "{opened}");
    let released = app.ready_incident(held[0].number).await;
    assert!(!released.held);
    // Dismiss one, with a reason.
    let form = app.interact(select(ids::BOB, "hk1:triagedismiss", &held[1])).await;
    assert_eq!(form["type"], 9, "{form}");
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &custom, &[("body", "同じ内容の繰り返し")])).await;
    // Merge one into the first report.
    let form = app.interact(select(ids::BOB, "hk1:triagemerge", &held[2])).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &custom, &[("body", &numbers[0].to_string())]))
        .await;
    app.settled().await;
    assert_eq!(app.incident(held[1].number).await.phase, hikeshi::domain::Phase::Closed);
    assert_eq!(app.incident(held[2].number).await.duplicate_of, Some(app.incident(numbers[0]).await.id));
    let listed = triage_post(&app)["embeds"][0]["description"].as_str().unwrap().to_string();
    for (i, still) in held.iter().zip([false, false, false, true, true]) {
        assert_eq!(listed.contains(&i.number.to_string()), still, "{}: {listed}", i.number);
    }
}

/// The insider-leak playbook asks to protect the reporter, which only the
/// report form could: the committee makes a public report confidential
/// later, and the reporter leaves the channel and the card at once.
#[tokio::test]
async fn the_committee_makes_a_report_confidential_later_and_the_reporter_leaves_the_channel() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    app.settled().await;
    assert!(app.fake.member_can(ids::ALICE, channel, perms::VIEW_CHANNEL));
    let confidential = |user: u64| {
        payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": "confidential", "type": 1, "options": []}]))
    };
    for who in [ids::ALICE, ids::DAVE] {
        let no = app.refused_and_unchanged("a member makes it confidential", confidential(who)).await;
        assert!(no.contains("だけ"), "{no}");
    }
    let done = ephemeral_text(&app.interact(confidential(ids::CAROL)).await);
    assert!(done.contains("匿名（報告者を秘匿）"), "{done}");
    app.settled().await;
    assert!(!app.fake.member_can(ids::ALICE, channel, perms::VIEW_CHANNEL), "the reporter left the channel");
    let card = app.card(&app.incident(i.number).await).to_string();
    // As a mention: a bare id's digits can turn up inside a timestamp.
    assert!(!card.contains(&format!("<@{}>", ids::ALICE)), "the card no longer names the reporter: {card}");
    assert!(!app.dms_to(ids::ALICE).is_empty(), "the reporter hears of it by DM");
    let again = ephemeral_text(&app.interact(confidential(ids::CAROL)).await);
    assert!(again.contains("すでに"), "{again}");
    app.assert_no_schema_violations();
}
