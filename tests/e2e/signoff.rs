//! §4.4(1) 情報セキュリティ委員会および情報システム部は…再発防止計画を作成:
//! where the organisation names the IT department's role, the department
//! is let into the channel while the plan is written, is pinged when it is
//! drafted, and signs off each revision before the committee approves it
//! (or the committee waives that, with a reason); the record keeps who
//! signed which revision.

use crate::support::fake::{ids, snowflake};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use hikeshi::domain::{Incident, Phase};
use serde_json::{json, Value};
use std::sync::Arc;

const VIEW_CHANNEL: u64 = 1 << 10;

fn with_it_department(config: String) -> String {
    config.replace("# it_department_role_id = 1100000000000000007", &format!("it_department_role_id = {}", ids::IT_ROLE))
}

async fn spawn() -> TestApp {
    let app = TestApp::spawn_custom(Arc::new(hikeshi::clock::SystemClock), with_it_department).await;
    app.fake.edit_role(ids::IT_ROLE, "情報システム部", 0);
    app.fake.set_member_roles(ids::ERIN, vec![ids::IT_ROLE]);
    app
}

async fn draft(app: &TestApp, i: &Incident, technical: &str) {
    let fields = [("technical", technical), ("organisational", "添付ファイルの取扱い研修"), ("cause", "不審メール")];
    let saved = app.through_form(i, ids::DAVE, &format!("hk1:plan:{}", i.id), &fields).await;
    assert!(ephemeral_text(&saved).contains("第"), "{saved}");
    app.settled().await;
}

/// An incident commanded by Dave, in the Lessons phase.
async fn in_lessons(app: &TestApp) -> Incident {
    let i = app.report_malware(ids::ALICE).await;
    let card = app.card(&i);
    let channel = i.channel.unwrap().0;
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, channel), &format!("hk1:appoint:{}", i.id), ids::DAVE, &card)).await;
    app.advance_times(ids::DAVE, &i, 4).await;
    app.settled().await;
    assert_eq!(app.incident(i.number).await.phase, Phase::Recovery);
    assert!(!app.fake.member_can(ids::ERIN, channel, VIEW_CHANNEL), "the IT department reads nothing of the response itself");
    app.advance_times(ids::DAVE, &i, 1).await;
    app.settled().await;
    app.incident(i.number).await
}

#[tokio::test]
async fn the_it_department_signs_off_each_revision_before_the_committee_approves_it() {
    let mut app = spawn().await;
    let i = in_lessons(&app).await;
    let channel = i.channel.unwrap().0;
    assert!(app.fake.member_can(ids::ERIN, channel, VIEW_CHANNEL), "let in to write the plan (§4.4(1))");

    // The draft pings the IT department only, with its button.
    draft(&app, &i, "EDRを全端末に導入").await;
    let asks = app.message_with(channel, &format!("hk1:signoff:{}:1", i.id)).expect("the sign-off button");
    assert!(asks["content"].as_str().unwrap().starts_with(&format!("<@&{}>", ids::IT_ROLE)), "{asks}");
    assert!(!asks["components"].to_string().contains("hk1:approve:"), "nothing to approve yet: {asks}");
    let sent = app.posts_in(channel).into_iter().find(|p| p.body["components"].to_string().contains("hk1:signoff:")).unwrap();
    assert_eq!(sent.body["allowed_mentions"]["roles"], json!([snowflake(ids::IT_ROLE)]), "only the IT department is pinged");
    assert!(app.card(&i)["embeds"].to_string().contains("情報システム部の確認待ち"), "the card says who is waited for");

    // The committee cannot approve past it; nobody else can sign for it.
    let early = app.click(ids::CAROL, &i, &format!("hk1:approve:{}", i.id)).await;
    assert!(ephemeral_text(&early).contains("情報システム部がまだ確認していません"), "{early}");
    for who in [ids::CAROL, ids::DAVE, ids::ALICE] {
        let refused = app.press(Who::new(who, channel), &format!("hk1:signoff:{}:1", i.id)).await;
        assert!(refused.contains("情報システム部"), "{who}: {refused}");
    }
    assert!(app.incident(i.number).await.lessons.it_signoff.is_none());

    // A revision: the first button is stale, the new one works (after a
    // restart too: the state is in the database).
    draft(&app, &i, "EDRと振る舞い検知を全端末に導入").await;
    let stale = app.press(Who::new(ids::ERIN, channel), &format!("hk1:signoff:{}:1", i.id)).await;
    assert!(stale.contains("第2版"), "{stale}");
    app.restart().await;
    let signed = app.press(Who::new(ids::ERIN, channel).en(), &format!("hk1:signoff:{}:2", i.id)).await;
    assert!(signed.contains("You signed off") && signed.contains("revision 2"), "{signed}");
    app.settled().await;
    let told = app.message_with(channel, &format!("hk1:approve:{}", i.id)).expect("the committee's button after the sign-off");
    assert!(told["content"].as_str().unwrap().contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)), "{told}");
    assert!(told["content"].as_str().unwrap().contains("情報システム部"), "{told}");
    assert!(app.card(&i)["embeds"].to_string().contains(&format!("情報システム部 <@{}> が確認済み（第2版）", ids::ERIN)));
    let again = app.press(Who::new(ids::ERIN, channel), &format!("hk1:signoff:{}:2", i.id)).await;
    assert!(again.contains("確認する再発防止計画はありません"), "once: {again}");

    let approved = app.press(Who::new(ids::CAROL, channel), &format!("hk1:approve:{}", i.id)).await;
    assert!(approved.contains("承認しました"), "{approved}");
    app.settled().await;
    assert_eq!(app.fake.messages(ids::ANNOUNCEMENTS).len(), 1, "all members are told of the approved plan");

    // The record keeps who signed which revision.
    let json = String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "json"]).output().await.unwrap().stdout)
        .unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["lessons"]["plan_signoff"]["revision"], 2);
    assert_eq!(v["lessons"]["plan_signoff"]["by"], ids::ERIN.to_string());
    let md =
        String::from_utf8(app.hikeshi().args(["export", &i.number.to_string(), "--format", "md"]).output().await.unwrap().stdout).unwrap();
    assert!(md.contains("情報システム部として再発防止計画（第2版）を確認"), "the timeline: {md}");
    assert!(md.contains("第2版を情報システム部の"), "the lessons part: {md}");

    // Closed: the IT department's access ends with the work it came for.
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:victim:n", i.id)).await;
    app.click(ids::CAROL, &i, &format!("hk1:board:{}:harm:n", i.id)).await;
    app.through_form(&i, ids::DAVE, &format!("hk1:note:{}", i.id), &[("went_well", "連絡が早かった"), ("missing", "")]).await;
    let closed = app.click(ids::DAVE, &i, &format!("hk1:close:{}:y", i.id)).await;
    assert!(ephemeral_text(&closed).contains("終了"), "{closed}");
    app.settled().await;
    assert!(!app.fake.member_can(ids::ERIN, channel, VIEW_CHANNEL), "not in the archive");
    assert!(app.fake.member_can(ids::DAVE, channel, VIEW_CHANNEL));
}

#[tokio::test]
async fn the_committee_waives_the_sign_off_with_a_reason_and_the_audit_lists_it() {
    let app = spawn().await;
    let i = in_lessons(&app).await;
    let channel = i.channel.unwrap().0;
    draft(&app, &i, "金庫の鍵を交換").await;
    // The commander cannot waive it; the committee can, with a reason.
    let card = app.card(&i);
    assert!(card["components"].to_string().contains("\"itsignoff\""), "the waiver is offered: {card}");
    let own = app
        .interact(payloads::string_select(app.id(), Who::new(ids::DAVE, channel), &format!("hk1:waive:{}", i.id), &["itsignoff"], &card))
        .await;
    assert!(ephemeral_text(&own).contains("委員会"), "{own}");
    let form = app
        .interact(payloads::string_select(app.id(), Who::new(ids::CAROL, channel), &format!("hk1:waive:{}", i.id), &["itsignoff"], &card))
        .await;
    assert_eq!(form["type"], 9, "{form}");
    let custom = form["data"]["custom_id"].as_str().unwrap();
    app.interact(payloads::modal(app.id(), Who::new(ids::CAROL, channel), custom, &[("body", "書類の紛失で情報システムは無関係")])).await;
    let approved = app.click(ids::CAROL, &i, &format!("hk1:approve:{}", i.id)).await;
    assert!(ephemeral_text(&approved).contains("承認しました"), "{approved}");
    app.settled().await;
    let audit = String::from_utf8_lossy(&app.hikeshi().arg("audit").output().await.unwrap().stdout).to_string();
    assert!(
        audit.contains("情報システム部による再発防止計画の確認（§4.4(1)）が免除されました（理由: 書類の紛失で情報システムは無関係）"),
        "{audit}"
    );
    assert!(!audit.contains("情報システム部の確認なしに承認"), "a waived sign-off is not a gap: {audit}");
}
