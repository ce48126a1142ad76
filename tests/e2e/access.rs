//! Who can read each incident (issue 25): listed with why, watched, and
//! put right when a hand edit or a role lets someone in.

use crate::support::fake::{ids, perms, snowflake};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::clock::SystemClock;
use hikeshi::domain::{EventPayload, Incident};
use serde_json::{json, Value};
use std::sync::Arc;

/// `/incident access` as `user` in the incident's channel: the ephemeral text.
async fn access(app: &TestApp, user: u64, i: &Incident) -> String {
    let channel = i.channel.unwrap().0;
    let reply = app
        .interact(payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": "access", "type": 1, "options": []}])))
        .await;
    ephemeral_text(&reply)
}

fn committee_posts(app: &TestApp) -> String {
    app.posts_in(ids::COMMITTEE_CHANNEL).iter().map(|p| p.body["content"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>().join("\n")
}

async fn access_events(app: &TestApp, i: &Incident) -> Vec<EventPayload> {
    let events = app.store.events_of(i.id).await.unwrap();
    events.into_iter().filter(|e| e.kind == "access_changed").map(|e| e.payload().unwrap()).collect()
}

/// hikeshi has seen the channel once (the owner and Administrators of
/// that moment are where it starts).
async fn watched(app: &TestApp, i: &Incident) {
    app.eventually("the channel is watched", || async { app.store.access_seen(i.id).await.unwrap().is_some() }).await;
}

fn names(overwrites: &Value, user: u64) -> bool {
    overwrites.as_array().unwrap().iter().any(|o| o["id"] == snowflake(user))
}

/// The commander and the committee see who reads the incident and why
/// (reporter, committee, the owner); a member outside it is refused and
/// sees no list.
#[tokio::test]
async fn who_can_read_an_incident_is_listed_with_why_for_the_committee_only() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let list = access(&app, ids::CAROL, &i).await;
    assert!(list.contains(&format!("<@{}> — 報告者", ids::ALICE)), "{list}");
    assert!(list.contains(&format!("<@{}> — 委員会", ids::CAROL)), "{list}");
    // The fake's owner is BOB, a committee member: Discord cannot deny the owner.
    assert!(list.contains(&format!("<@{}> — 委員会（サーバーの所有者", ids::BOB)), "{list}");
    assert!(!list.contains(&format!("<@{}>", ids::DAVE)), "DAVE cannot read it: {list}");
    assert!(!list.contains('⚠'), "nobody drifts: {list}");
    let refused = access(&app, ids::DAVE, &i).await;
    assert!(!refused.contains(&format!("<@{}>", ids::ALICE)), "a member outside the incident sees the list: {refused}");
    assert!(refused.contains("実行責任者") && refused.contains("委員会"), "says who may: {refused}");
}

/// In a thread of the incident's channel, `/incident access` lists the
/// channel's readers (a thread never widens them), as Discord sends a
/// thread's interaction: the thread's id, its parent named.
#[tokio::test]
async fn in_a_thread_the_channels_readers_are_listed() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    let thread = app.fake.start_thread(channel, "ログ調査", false, ids::ALICE);
    let mut p = payloads::slash(app.id(), Who::new(ids::CAROL, thread), "incident", json!([{"name": "access", "type": 1, "options": []}]));
    p["channel"]["type"] = json!(11);
    p["channel"]["parent_id"] = json!(snowflake(channel));
    let list = ephemeral_text(&app.interact(p).await);
    assert!(list.contains(&format!("<@{}> — 報告者", ids::ALICE)), "{list}");
    assert!(list.contains(&i.number.to_string()) && list.contains("スレッド"), "says the thread is read as its channel: {list}");
}

/// Someone with Manage Channels lets DAVE into an incident channel by hand:
/// within seconds hikeshi puts its overwrites back, the channel and the
/// committee are told who got in and how, and the chain records it.
#[tokio::test]
async fn a_hand_edit_that_lets_a_member_in_is_put_back_and_told() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    watched(&app, &i).await;
    let mut opened = app.fake.overwrites_of(channel);
    opened
        .as_array_mut()
        .unwrap()
        .push(json!({"id": snowflake(ids::DAVE), "type": 1, "allow": perms::VIEW_CHANNEL.to_string(), "deny": "0"}));
    app.fake.hand_edit_overwrites(channel, opened);
    assert!(app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL));

    app.wait_until("the overwrites are put back", |f| !names(&f.overwrites_of(channel), ids::DAVE)).await;
    app.settled().await;
    assert!(!app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL));
    assert!(app.fake.member_can(ids::ALICE, channel, perms::VIEW_CHANNEL), "the reporter keeps access");
    let told = committee_posts(&app);
    assert!(told.contains(&i.number.to_string()) && told.contains(&format!("<@{}>", ids::DAVE)), "{told}");
    assert!(told.contains("個別の権限設定") && told.contains("状態どおりに戻します"), "{told}");
    let in_channel = app.posts_in(channel).iter().map(|p| p.body["content"].to_string()).collect::<Vec<_>>().join("\n");
    assert!(in_channel.contains(&format!("<@{}>", ids::DAVE)), "the commander's channel is told: {in_channel}");
    let events = access_events(&app, &i).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let EventPayload::AccessChanged { before, after, undone } = &events[0] else { unreachable!() };
    assert!(*undone && before.iter().all(|r| r.through.reads_every_channel()), "{before:?}");
    assert!(after.iter().any(|r| format!("{:?}", r.who).contains(&ids::DAVE.to_string())), "{after:?}");
    // The committee's export carries the access change.
    let channel_of = Who::new(ids::BOB, channel);
    let export = json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "md"}]}]);
    let id = app.id();
    let mut p = payloads::slash(id, channel_of, "incident", export);
    p["id"] = json!(id.to_string());
    app.interact(p).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    let md = &callback.files[0].1;
    assert!(md.contains("状態にない閲覧者") && md.contains("権限設定を元に戻す"), "{md}");
    // Nobody is pinged by the list (the committee role only).
    for (what, p) in app.fake.pings() {
        assert!(!p.users.contains(&ids::DAVE), "{what} pings DAVE");
    }
    app.assert_no_schema_violations();
}

/// A role given Administrator reads every channel and Discord cannot deny
/// it: the committee is told, once, and nothing is "put back".
#[tokio::test]
async fn a_member_given_administrator_is_told_and_not_undone() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    watched(&app, &i).await;
    let before = app.fake.overwrites_of(channel);
    app.fake.edit_role(9100, "ops", perms::ADMINISTRATOR);
    app.fake.set_member_roles(ids::DAVE, vec![9100]);
    app.wait_until("the committee is told", |_| committee_posts(&app).contains(&format!("<@{}>", ids::DAVE))).await;
    app.settled().await;
    let told = committee_posts(&app);
    assert!(told.contains("<@&9100> の管理者権限") && told.contains("ロールを外して"), "{told}");
    assert!(!told.contains("状態どおりに戻します"), "nothing to put back: {told}");
    assert_eq!(app.fake.overwrites_of(channel), before);
    let events = access_events(&app, &i).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(&events[0], EventPayload::AccessChanged { undone: false, .. }));
    // A later change elsewhere tells nobody again.
    app.fake.set_member_roles(ids::ALICE, vec![]);
    app.ticks_pass(2).await;
    app.settled().await;
    assert_eq!(access_events(&app, &i).await.len(), 1);
}

/// Without the Server Members intent (off in the Developer Portal) the bot
/// does not ask for it (Discord would refuse the connection) and lists
/// readers by role, saying so.
#[tokio::test]
async fn without_the_members_intent_readers_are_listed_by_role() {
    let mut app = TestApp::without_bot(Arc::new(SystemClock), |c| c).await;
    app.fake.set_app_flags(1 << 18);
    app.start_bot().await;
    assert_eq!(app.fake.intents()[0] & (1 << 1), 0);
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let list = access(&app, ids::BOB, &i).await;
    assert!(list.contains("ロールごと"), "{list}");
    assert!(list.contains(&format!("<@&{}> の全員 — 委員会", ids::COMMITTEE_ROLE)), "{list}");
    assert!(list.contains(&format!("<@{}> — 報告者", ids::ALICE)), "{list}");
}

/// The incident's channel as stored, once it is not `old`.
async fn new_channel(app: &TestApp, i: &Incident, old: u64) -> Incident {
    app.eventually("a new channel with its card", || async {
        let now = app.incident(i.number).await;
        now.channel.is_some_and(|c| c.0 != old) && now.card_message.is_some()
    })
    .await;
    app.settled().await;
    app.incident(i.number).await
}

/// Someone deletes an open incident's channel by hand: a new private
/// channel opens with the card and a line saying what happened, the
/// people the state lets in are in it, the committee is told, and the
/// record (the old channel's messages too) is whole.
#[tokio::test]
async fn an_incident_channel_deleted_by_hand_is_opened_again_with_the_record_whole() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    app.settled().await;
    let old = i.channel.unwrap().0;
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ids::ALICE, old, "暗号化されたファイルの一覧を添付します"));
    app.eventually("the message is in the record", || async {
        app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.content.contains("一覧を添付"))
    })
    .await;

    app.fake.hand_delete_channel(old);
    let now = new_channel(&app, &i, old).await;
    let channel = now.channel.unwrap().0;
    assert!(app.fake.channel(channel).is_some() && app.fake.channel(old).is_none());
    assert!(!app.fake.member_can(ids::DAVE, channel, perms::VIEW_CHANNEL), "private from its first moment");
    assert!(app.fake.member_can(ids::ALICE, channel, perms::VIEW_CHANNEL) && app.fake.member_can(ids::BOB, channel, perms::VIEW_CHANNEL));
    let card = app.card(&now).to_string();
    assert!(card.contains(&i.number.to_string()), "{card}");
    let line = app.posts_in(channel).iter().map(|p| p.body["content"].to_string()).collect::<Vec<_>>().join("\n");
    assert!(line.contains("手作業で削除") && line.contains(&old.to_string()), "{line}");
    let told = committee_posts(&app);
    assert!(
        told.contains(&format!("{} の対応チャンネル（{old}）が手作業で削除", i.number)) && told.contains(&format!("<#{channel}>")),
        "{told}"
    );
    let kinds: Vec<String> = app.store.events_of(i.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "channel_lost").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "channel_created").count(), 2, "{kinds:?}");
    assert!(app.store.transcript(i.id).await.unwrap().iter().any(|l| l.msg.content.contains("一覧を添付")), "the record is whole");
    app.assert_no_schema_violations();
}

/// A closed incident's archived channel deleted while hikeshi was away:
/// found at the next start (Discord says Unknown Channel), opened again in
/// the archive, read-only, with the record attached.
#[tokio::test]
async fn an_archived_channel_deleted_while_away_is_opened_again_in_the_archive() {
    let mut app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let form = app.click(ids::BOB, &i, &format!("hk1:dismiss:{}", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &custom, &[("body", "誤検知でした")])).await;
    app.settled().await;
    let old = app.incident(i.number).await.channel.unwrap().0;
    app.stop_bot().await;
    app.fake.hand_delete_channel(old);
    // hikeshi asks Discord about the channel the server no longer shows.
    app.fake.expect_refusal(10003);
    app.start_bot().await;
    let now = new_channel(&app, &i, old).await;
    let channel = now.channel.unwrap().0;
    let c = app.fake.channel(channel).unwrap();
    assert_eq!(c["parent_id"], snowflake(ids::ARCHIVE_CATEGORY), "{c}");
    assert!(!app.fake.member_can(ids::ALICE, channel, perms::SEND_MESSAGES), "read-only");
    assert!(app.fake.member_can(ids::ALICE, channel, perms::VIEW_CHANNEL));
    assert!(app.posts_in(channel).iter().any(|p| !p.files.is_empty()), "the record is attached");
    assert!(committee_posts(&app).contains("手作業で削除"));
}

/// A server past Discord's large threshold: GUILD_CREATE carries the bot
/// alone, and hikeshi reads the members a thousand at a time before it
/// says who reads an incident — a committee member far down the list is
/// named as such, not missed.
#[tokio::test]
async fn a_large_servers_members_are_read_in_pages_before_anyone_is_listed() {
    let mut app = TestApp::without_bot(Arc::new(SystemClock), |c| c).await;
    for n in 0..1_200u64 {
        let roles = if n == 1_150 { vec![ids::COMMITTEE_ROLE] } else { vec![] };
        app.fake.set_member_roles(10_000 + n, roles);
    }
    app.start_bot().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    app.wait_until("the members are read", |f| f.calls("GET", "/guilds/2000/members").len() == 2).await;
    let pages = app.fake.calls("GET", "/guilds/2000/members");
    assert!(pages[1].query.ends_with("limit=1000&after=10994"), "{}", pages[1].query);
    let list = access(&app, ids::CAROL, &i).await;
    assert!(list.contains("<@11150> — 委員会"), "{list}");
    assert!(!list.contains("ロールごと"), "{list}");
}
