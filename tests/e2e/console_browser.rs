//! Issue 28 in a real browser: Debian's Chromium signs in through the fake
//! Discord's authorisation page; the committee and a responder read an
//! incident, a member and an outsider are turned away from what is not
//! theirs, a member confirms an announcement and Discord's count follows,
//! an evidence file is downloaded and its hash checked; and axe-core finds
//! no serious or critical problem on any page.

use crate::support::chrome::Chrome;
use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use hikeshi::domain::Incident;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Everything the pages need: an incident Bob commands with Dave as a
/// responder and a file kept as evidence, and another whose plan was
/// announced to all members.
async fn scene() -> (TestApp, Incident, Incident, Vec<u8>) {
    let mut app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.enable_console();
    app.start_bot().await;
    app.fake.set_member_roles(ids::FRANK, vec![]);
    let i = app.report_malware(ids::ALICE).await;
    let channel = i.channel.unwrap().0;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let add = json!([{"name": "add", "type": 1, "options": [{"name": "user", "type": 6, "value": ids::DAVE.to_string()}]}]);
    app.interact(payloads::slash(app.id(), Who::new(ids::BOB, channel), "incident", add)).await;
    let evidence = b"Received: from mail.example (phish)\r\nSubject: invoice\r\n".to_vec();
    app.fake.post_user_file(channel, ids::DAVE, "ヘッダーです", "header.eml", &evidence);
    let (j, _) = app.announced_plan(ids::CAROL).await;
    let i = app.incident(i.number).await;
    assert!(i.responders.contains(&hikeshi::domain::UserId(ids::DAVE)), "Dave responds");
    (app, i, j, evidence)
}

async fn accessible(chrome: &Chrome, what: &str) {
    let problems = chrome.accessibility_problems().await;
    assert!(problems.is_empty(), "axe-core on {what} ({}): {problems:?}", chrome.url().await);
}

#[tokio::test]
async fn in_chromium_each_reads_what_is_theirs_confirms_the_plan_and_every_page_passes_axe() {
    let Some(bob) = Chrome::start("console_browser", "ja").await else { return };
    let (app, i, j, evidence) = scene().await;
    let record = |n: &Incident| app.web_url(&format!("/incidents/{}/", n.number));

    // The committee: everything, in Japanese; each of its pages accessible.
    app.fake.sign_in_as(ids::BOB);
    bob.open(&app.web_url("/")).await;
    accessible(&bob, "the start").await;
    bob.click("a.signin").await;
    bob.authorize().await;
    assert!(bob.url().await.ends_with("/incidents"), "{}", bob.url().await);
    let listed = bob.wait_text(&j.number.to_string()).await;
    assert!(listed.contains(&i.number.to_string()) && listed.contains(&j.number.to_string()), "{listed}");
    accessible(&bob, "the incidents").await;
    for (path, words) in [
        (record(&i), "概要"),
        (app.web_url("/followups"), "フォローアップ"),
        (app.web_url("/announcements"), "EDRを全端末に導入"),
        (app.web_url("/regulation"), "規程"),
        (app.web_url("/figures"), "月別のインシデント件数"),
        (app.web_url("/audit"), "点検"),
    ] {
        bob.open(&path).await;
        bob.wait_text(words).await;
        accessible(&bob, &path).await;
    }
    bob.open(&record(&i)).await;
    if let Ok(to) = std::env::var("HIKESHI_SCREENSHOT") {
        std::fs::write(to, bob.screenshot().await).unwrap();
    }
    bob.close().await;

    // A responder, in English: their incident and its evidence, nothing else.
    let dave = Chrome::start("console_browser", "en-US").await.unwrap();
    dave.sign_in(&app.fake, &app.web_url("/signin?next=%2Fincidents"), ids::DAVE).await;
    dave.open(&record(&i)).await;
    dave.wait_text("Summary").await;
    dave.click("a[href^='files/']").await;
    let got = dave.downloaded("-header.eml").await;
    let sha = hex::encode(Sha256::digest(&got));
    assert_eq!((got, sha.clone()), (evidence.clone(), hex::encode(Sha256::digest(&evidence))));
    assert!(dave.text().await.contains(&sha), "the page shows the hash the file has");
    dave.open(&record(&j)).await;
    dave.wait_text("You do not have access").await;
    accessible(&dave, "a refusal").await;
    dave.close().await;

    // A member: the committee's page is refused; the plan is confirmed, once.
    let frank = Chrome::start("console_browser", "ja").await.unwrap();
    frank.sign_in(&app.fake, &app.web_url("/signin?next=%2Ffigures"), ids::FRANK).await;
    frank.wait_text("表示できません").await;
    frank.open(&app.web_url("/announcements")).await;
    frank.wait_text("EDRを全端末に導入").await;
    frank.click("article.announcement button").await;
    frank.wait_text("確認済み").await;
    accessible(&frank, "the announcements").await;
    app.settled().await;
    let ann = app.fake.messages(ids::ANNOUNCEMENTS).into_iter().last().expect("announcement");
    assert_eq!(ann["embeds"][0]["footer"]["text"], "既読 1人", "the receipt given on the web counts in Discord: {ann}");
    frank.close().await;

    // Someone not in the server: told so, in their language.
    let outsider = Chrome::start("console_browser", "en").await.unwrap();
    outsider.sign_in(&app.fake, &app.web_url("/signin?next=%2Faudit"), 3999).await;
    outsider.wait_text("not a member of the organisation's server").await;
    accessible(&outsider, "the outsider's refusal").await;
    outsider.close().await;
}
