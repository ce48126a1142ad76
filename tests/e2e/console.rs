//! Issue 28: the record on the web. Members sign in with Discord (OAuth2
//! code, PKCE, state) and read what the channel would show them; the
//! committee reads everything; a confidential reporter is named to nobody
//! else; sign-ins end when a member leaves or loses the committee's role;
//! and the console is safe as a web application.

use crate::privacy::confidential_report;
use crate::support::browser::{Browser, Page};
use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::TestApp;
use hikeshi::clock::{Clock, ManualClock};
use hikeshi::domain::Incident;
use sha2::{Digest, Sha256};
use std::sync::Arc;

async fn console_app(clock: Arc<dyn Clock>) -> TestApp {
    let mut app = TestApp::without_bot(clock, |c| c).await;
    app.enable_console();
    app.start_bot().await;
    // Frank is a member of the server with no role at all.
    app.fake.set_member_roles(ids::FRANK, vec![]);
    app
}

async fn signed_in(app: &TestApp, user: u64, lang: &str) -> (Browser, Page) {
    let b = Browser::new(lang);
    let page = b.sign_in(&app.fake, &app.web_url("/signin?next=%2Fincidents"), user).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (b, page)
}

async fn report_titled(app: &TestApp, who: u64, title: &str) -> Incident {
    let (_, reply) = app
        .submit_report(Who::new(who, ids::GENERAL), "breach", Some("malware"), &[("title", title), ("what", "添付ファイルを開いた")])
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.settled().await;
    i
}

fn record_url(app: &TestApp, i: &Incident) -> String {
    app.web_url(&format!("/incidents/{}/", i.number))
}

#[tokio::test]
async fn members_read_what_their_channel_shows_them_and_the_committee_reads_everything() {
    let app = console_app(Arc::new(hikeshi::clock::SystemClock)).await;
    let open = report_titled(&app, ids::ALICE, "不審なメールの添付ファイル").await;
    let secret = confidential_report(&app, ids::DAVE, "同僚が顧客名簿を持ち出した", "私物USBにコピーしていた").await;
    app.settled().await;

    // The committee, in Japanese: both incidents, and who reported the
    // confidential one.
    let (bob, list) = signed_in(&app, ids::BOB, "ja,en;q=0.8").await;
    assert!(list.url.ends_with("/incidents"), "{}", list.url);
    assert!(list.body.contains("<html lang=\"ja\"") && list.body.contains("インシデント"), "{}", list.body);
    for i in [&open, &secret] {
        assert!(list.body.contains(&i.number.to_string()), "{} listed for the committee", i.number);
    }
    let page = bob.get(&record_url(&app, &secret)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("概要") && page.body.contains("dave"), "the committee sees the confidential reporter");

    // The reporter, in English: their incident, in full; not the other.
    let (alice, list) = signed_in(&app, ids::ALICE, "en-GB,en;q=0.9").await;
    assert!(list.body.contains(&open.number.to_string()) && !list.body.contains(&secret.number.to_string()), "{}", list.body);
    let page = alice.get(&record_url(&app, &open)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"en\"") && page.body.contains("Summary") && page.body.contains("Sign out"), "{}", page.body);
    let refused = alice.get(&record_url(&app, &secret)).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("You do not have access"), "{}", refused.body);
    assert!(!refused.body.contains("顧客名簿"), "nothing of it shows");
    // A number typed that does not exist reads the same to her; the committee is told it is not there.
    let typed = alice.get(&app.web_url("/incidents/INC-2099-0042/")).await;
    assert_eq!((typed.status, typed.body.contains("You do not have access")), (403, true), "no oracle of which numbers exist");
    assert_eq!(bob.get(&app.web_url("/incidents/INC-2099-0042/")).await.status, 404);

    // The confidential reporter is not let into the channel, nor here.
    let (dave, list) = signed_in(&app, ids::DAVE, "ja").await;
    assert!(!list.body.contains(&secret.number.to_string()));
    assert_eq!(dave.get(&record_url(&app, &secret)).await.status, 403);

    // A member with no incident: an empty list, in their language.
    let (frank, list) = signed_in(&app, ids::FRANK, "ja").await;
    assert!(list.body.contains("読めるインシデントはありません"), "{}", list.body);
    let refused = frank.get(&record_url(&app, &open)).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("表示できません"), "{}", refused.body);

    // Someone not in the server cannot sign in.
    let outsider = Browser::new("en");
    app.fake.sign_in_as(3999);
    let start = outsider.get(&app.web_url("/signin?next=%2Fincidents")).await;
    let query: Vec<(String, String)> = reqwest::Url::parse(&start.url).unwrap().query_pairs().into_owned().collect();
    let form: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let back = outsider.follow(outsider.send("POST", &format!("{}/oauth2/authorize", app.fake.base_url()), Some(&form)).await).await;
    assert_eq!(back.status, 403);
    assert!(back.body.contains("not a member of the organisation's server"), "{}", back.body);
    assert!(outsider.get(&app.web_url("/incidents")).await.url.contains("/oauth2/authorize"), "still not signed in");
}

#[tokio::test]
async fn sign_ins_end_when_the_member_leaves_loses_the_committee_role_or_signs_out() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = console_app(Arc::new(clock.clone())).await;
    let i = report_titled(&app, ids::ALICE, "不審なメール").await;
    let signed_out = |p: &Page| p.url.contains("/oauth2/authorize");

    // The role taken in the server's settings: the gateway says so at once.
    let (carol, _) = signed_in(&app, ids::CAROL, "ja").await;
    assert_eq!(carol.get(&record_url(&app, &i)).await.status, 200);
    app.fake.set_member_roles(ids::CAROL, vec![]);
    app.eventually("Carol's sign-in ends", || async { signed_out(&carol.get(&app.web_url("/incidents")).await) }).await;

    // A change the gateway missed is found by the check every five minutes.
    let (bob, _) = signed_in(&app, ids::BOB, "ja").await;
    app.fake.shared.inner.lock().unwrap().roles.members.retain(|(m, _)| *m != ids::BOB);
    let asked = || app.fake.calls("GET", &format!("/guilds/*/members/{}", ids::BOB)).len();
    clock.advance(chrono::Duration::minutes(4));
    assert_eq!(bob.get(&record_url(&app, &i)).await.status, 200, "within five minutes the roles stand");
    assert_eq!(asked(), 0, "and Discord is not asked");
    clock.advance(chrono::Duration::minutes(1));
    assert!(signed_out(&bob.get(&record_url(&app, &i)).await), "five minutes on, the lost role ends it");
    assert_eq!(asked(), 1);

    // Leaving the server ends it too.
    app.fake.set_member_roles(ids::BOB, vec![ids::COMMITTEE_ROLE]);
    let (bob, _) = signed_in(&app, ids::BOB, "ja").await;
    app.fake.member_leaves(ids::BOB);
    app.eventually("Bob's sign-in ends", || async { signed_out(&bob.get(&app.web_url("/incidents")).await) }).await;

    // Signing out needs the form's token; then the old cookie is worth nothing.
    let (alice, page) = signed_in(&app, ids::ALICE, "en").await;
    let old = alice.jar.lock().unwrap().clone();
    let forged = alice.send("POST", &app.web_url("/signout"), Some(&[("csrf", "guessed")])).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("sent from another page"));
    assert_eq!(alice.get(&app.web_url("/incidents")).await.status, 200, "still signed in");
    let out = alice.send("POST", &app.web_url("/signout"), Some(&[("csrf", &page.csrf())])).await;
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").contains("Max-Age=0"), "the cookie is cleared");
    *alice.jar.lock().unwrap() = old;
    assert!(signed_out(&alice.get(&app.web_url("/incidents")).await), "the old cookie replayed signs nobody in");
}

#[tokio::test]
async fn the_console_is_safe_as_a_web_application() {
    let app = console_app(Arc::new(hikeshi::clock::SystemClock)).await;
    let i = report_titled(&app, ids::ALICE, "<script>alert(1)</script> 不審なメール").await;
    let channel = i.channel.unwrap().0;
    let evidence = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR";
    app.fake.post_user_file(channel, ids::ALICE, "添付です", "mail.eml", evidence);
    app.settled().await;

    // The cookie: script cannot read it, other sites' requests do not carry
    // it; on localhost over http it cannot be Secure.
    let b = Browser::new("ja");
    let to_discord = b.get_once(&app.web_url("/signin?next=https%3A%2F%2Fevil.example%2F")).await;
    assert_eq!(to_discord.status, 303);
    let location = to_discord.header("location");
    for part in ["code_challenge_method=S256", "code_challenge=", "state=", "scope=identify+guilds.members.read", "prompt=none"] {
        assert!(location.contains(part), "{part} in {location}");
    }
    let landed = b.sign_in(&app.fake, &app.web_url("/signin?next=https%3A%2F%2Fevil.example%2F"), ids::ALICE).await;
    assert!(landed.url.starts_with(&app.web_url("/")), "`next` stays on this site: {}", landed.url);
    let session = b.jar.lock().unwrap().get("hikeshi").cloned().expect("the sign-in cookie").1;
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{attribute}: {session}");
    }
    assert!(!session.contains("Secure"), "http on localhost: {session}");

    // Every page: no script at all, no framing, nothing cached.
    let page = b.get(&record_url(&app, &i)).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("script-src"), "no script source at all: {csp}");
    let style = page.body.split("<style>").nth(1).unwrap().split("</style>").next().unwrap();
    let digest = Sha256::digest(style.as_bytes());
    assert!(
        csp.contains(&format!("'sha256-{}'", hikeshi::domain::base64::standard(&digest))),
        "the record's own sheet is allowed by its digest: {csp}"
    );
    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert!(!page.body.contains("<script>alert(1)</script>"), "user text is escaped");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let list = b.get(&app.web_url("/incidents")).await;
    assert!(list.body.contains("&lt;script&gt;") && !list.body.contains("<script>"), "and in the list");
    assert_eq!(list.header("cache-control"), "no-store");

    // Evidence: downloaded by whoever reads the record, hash and all.
    let href = page.body.split("href=\"files/").nth(1).expect("an evidence link").split('"').next().unwrap().to_string();
    let file = b.get(&format!("{}files/{href}", record_url(&app, &i))).await;
    assert_eq!((file.status, file.bytes.as_slice()), (200, &evidence[..]));
    let sha = hex::encode(Sha256::digest(evidence));
    assert_eq!(file.header("x-sha256"), sha);
    assert!(page.body.contains(&sha), "the page shows the same SHA-256");
    assert!(file.header("content-disposition").starts_with("attachment"));
    let (frank, _) = signed_in(&app, ids::FRANK, "ja").await;
    assert_eq!(frank.get(&format!("{}files/{href}", record_url(&app, &i))).await.status, 403, "not to a member outside it");

    // Discord's answer counts once, and only in the browser that asked.
    let other = Browser::new("ja");
    let begun = other.get_once(&app.web_url("/signin")).await;
    let state = reqwest::Url::parse(&begun.header("location")).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    let stranger = Browser::new("ja");
    let forged = stranger.get(&app.web_url(&format!("/signin/callback?code=x&state={state}"))).await;
    assert_eq!(forged.status, 400, "a state begun in another browser: {}", forged.body);
    let redeemed = app.fake.shared.inner.lock().unwrap().oauth.redeemed.len();
    assert_eq!(redeemed, 2, "each sign-in redeemed its code once");
}

/// §4.4(3): 確認しました given in Discord shows on the web, and the web's
/// own button needs the sign-in's token.
#[tokio::test]
async fn a_receipt_is_one_whichever_way_it_was_given_and_the_webs_needs_its_token() {
    let app = console_app(Arc::new(hikeshi::clock::SystemClock)).await;
    let (i, ann) = app.announced_plan(ids::ALICE).await;
    let read = payloads::button(app.id(), Who::new(ids::ALICE, ids::ANNOUNCEMENTS), &format!("hk1:read:{}", i.id), &ann);
    app.interact(read).await;
    let (alice, _) = signed_in(&app, ids::ALICE, "ja").await;
    let page = alice.get(&app.web_url("/announcements")).await;
    assert!(page.body.contains("確認済み") && !page.body.contains("<button type=\"submit\">確認しました"), "{}", page.body);
    assert!(!page.body.contains("ファイルサーバでランサムウェア"), "members read the public name, never the reporter's title");

    let (frank, _) = signed_in(&app, ids::FRANK, "ja").await;
    let page = frank.get(&app.web_url("/announcements")).await;
    let action = format!("/announcements/{}/read", i.id.0);
    assert!(page.body.contains(&action), "{}", page.body);
    let forged = frank.send("POST", &app.web_url(&action), Some(&[("csrf", "guessed")])).await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.store.readers(i.id).await.unwrap().len(), 1, "nothing recorded");
    let done = frank.follow(frank.send("POST", &app.web_url(&action), Some(&[("csrf", &page.csrf())])).await).await;
    assert!(done.body.contains("確認済み"), "{}", done.body);
    frank.send("POST", &app.web_url(&action), Some(&[("csrf", &page.csrf())])).await;
    assert_eq!(app.store.readers(i.id).await.unwrap().len(), 2, "one receipt each");
}
