//! The fake Discord refuses what Discord refuses: each rule the stories
//! lean on is tried here against the fake alone, with the request a bot
//! would send and the answer Discord gives.

use crate::support::fake::perms::{self, BOT_INVITE};
use crate::support::fake::{ids, snowflake, FakeDiscord};
use crate::support::payloads::{self, Who};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as Ws;

struct Client {
    fake: FakeDiscord,
    http: reqwest::Client,
}

impl Client {
    /// A client for the fake's other rules: it sends faster than Discord's
    /// rate limits allow, so they are off.
    async fn new() -> Client {
        let c = Client::limited().await;
        c.fake.without_rate_limits();
        c
    }

    /// A client that meets Discord's rate limits.
    async fn limited() -> Client {
        Client { fake: FakeDiscord::start().await, http: reqwest::Client::new() }
    }

    /// A request and the answer's status, body and rate-limit headers.
    async fn with_headers(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
        token: &str,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let r = self
            .http
            .request(method, format!("{}/api/v10{path}", self.fake.base_url()))
            .header("authorization", format!("Bot {token}"))
            .json(&body)
            .send()
            .await
            .expect("the fake answers");
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.json().await.unwrap_or(Value::Null), headers)
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}/api/v10{path}", self.fake.base_url()))
            .header("authorization", format!("Bot {}", ids::TOKEN))
            .json(&body)
            .send()
            .await
            .expect("the fake answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// A multipart post with `files` of `size` bytes each.
    async fn upload(&self, channel: u64, files: usize, size: usize) -> (u16, Value) {
        let attachments: Vec<Value> = (0..files).map(|i| json!({"id": i, "filename": format!("f{i}.txt")})).collect();
        let mut form =
            reqwest::multipart::Form::new().text("payload_json", json!({"content": "x", "attachments": attachments}).to_string());
        for i in 0..files {
            form = form.part(format!("files[{i}]"), reqwest::multipart::Part::bytes(vec![b'a'; size]).file_name(format!("f{i}.txt")));
        }
        let r = self
            .http
            .post(format!("{}/api/v10/channels/{channel}/messages", self.fake.base_url()))
            .header("authorization", format!("Bot {}", ids::TOKEN))
            .multipart(form)
            .send()
            .await
            .expect("the fake answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A private channel the bot may work in, as hikeshi creates them.
    async fn incident_channel(&self, parent: u64) -> (u16, Value) {
        self.post(
            &format!("/guilds/{}/channels", ids::GUILD),
            json!({"name": "inc-2026-0001", "type": 0, "topic": "[INC-2026-0001] x", "parent_id": parent.to_string(),
                "permission_overwrites": [
                    {"id": ids::GUILD.to_string(), "type": 0, "allow": 0, "deny": perms::VIEW_CHANNEL},
                    {"id": ids::BOT.to_string(), "type": 1, "allow": perms::VIEW_CHANNEL | perms::SEND_MESSAGES | perms::EMBED_LINKS | perms::ATTACH_FILES, "deny": 0}
                ]}),
        )
        .await
    }
}

/// The first error code nested under `path` in a 50035 body.
fn nested_code(body: &Value, path: &[&str]) -> String {
    let mut node = &body["errors"];
    for p in path {
        node = &node[*p];
    }
    node["_errors"][0]["code"].as_str().unwrap_or("").to_string()
}

#[tokio::test]
async fn interactions_are_answered_once_within_three_seconds_by_their_token() {
    let c = Client::new().await;
    let who = Who::new(ids::ALICE, ids::GENERAL);
    let (a, b) = (c.fake.next_id(), c.fake.next_id());
    c.fake.dispatch("INTERACTION_CREATE", payloads::slash(a, who, "report", json!([])));
    let answer = json!({"type": 4, "data": {"content": "ok", "flags": 64}});
    // A follow-up or an edit before the initial response: no webhook yet.
    let (s, e) = c.post(&format!("/webhooks/{}/interaction-token-{a}", ids::APP), json!({"content": "x"})).await;
    assert_eq!((s, e["code"].as_i64()), (404, Some(10015)));
    // The wrong token.
    let (s, e) = c.post(&format!("/interactions/{a}/not-its-token/callback"), answer.clone()).await;
    assert_eq!((s, e["code"].as_i64()), (404, Some(10062)));
    let (s, _) = c.post(&format!("/interactions/{a}/interaction-token-{a}/callback"), answer.clone()).await;
    assert_eq!(s, 204);
    let (s, e) = c.post(&format!("/interactions/{a}/interaction-token-{a}/callback"), answer.clone()).await;
    assert_eq!((s, e["code"].as_i64()), (400, Some(40060)), "a second initial response");
    let (s, _) = c.post(&format!("/webhooks/{}/interaction-token-{a}", ids::APP), json!({"content": "later"})).await;
    assert_eq!(s, 200, "a follow-up once answered");
    let (s, e) = c.post(&format!("/webhooks/{}/someone-elses-token", ids::APP), json!({"content": "x"})).await;
    assert_eq!((s, e["code"].as_i64()), (401, Some(50027)));
    // Later than 3 s: Discord has forgotten it.
    c.fake.dispatch("INTERACTION_CREATE", payloads::slash(b, who, "report", json!([])));
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let (s, e) = c.post(&format!("/interactions/{b}/interaction-token-{b}/callback"), answer).await;
    assert_eq!((s, e["code"].as_i64()), (404, Some(10062)));
    assert_eq!(c.fake.refusals().len(), 5, "{:?}", c.fake.refusals());
}

#[tokio::test]
async fn messages_over_discords_limits_are_refused_with_the_codes_nested() {
    let c = Client::new().await;
    let ch = format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL);
    let (s, e) = c.post(&ch, json!({"content": "あ".repeat(2001)})).await;
    assert_eq!((s, e["code"].as_i64(), e["message"].as_str()), (400, Some(50035), Some("Invalid Form Body")));
    assert_eq!(nested_code(&e, &["content"]), "BASE_TYPE_MAX_LENGTH");
    let (s, e) = c.post(&ch, json!({"content": ""})).await;
    assert_eq!((s, e["code"].as_i64()), (400, Some(50006)), "an empty message");
    let button = |label: String, id: String| json!({"type": 2, "style": 1, "label": label, "custom_id": id});
    let row = |n: usize| json!({"type": 1, "components": (0..n).map(|i| button(format!("b{i}"), format!("c{i}"))).collect::<Vec<_>>()});
    let (_, e) = c.post(&ch, json!({"content": "x", "components": (0..6).map(|_| row(1)).collect::<Vec<_>>()})).await;
    assert_eq!(nested_code(&e, &["components"]), "BASE_TYPE_MAX_LENGTH", "six rows: {e}");
    let (_, e) = c.post(&ch, json!({"content": "x", "components": [row(6)]})).await;
    assert_eq!(nested_code(&e, &["components", "0", "components"]), "BASE_TYPE_MAX_LENGTH", "six buttons: {e}");
    let (_, e) =
        c.post(&ch, json!({"content": "x", "components": [{"type": 1, "components": [button("l".repeat(81), "c".into())]}]})).await;
    assert_eq!(nested_code(&e, &["components", "0", "components", "0", "label"]), "BASE_TYPE_MAX_LENGTH");
    let (_, e) =
        c.post(&ch, json!({"content": "x", "components": [{"type": 1, "components": [button("l".into(), "c".repeat(101))]}]})).await;
    assert_eq!(nested_code(&e, &["components", "0", "components", "0", "custom_id"]), "BASE_TYPE_MAX_LENGTH");
    let options: Vec<Value> = (0..26).map(|i| json!({"label": format!("o{i}"), "value": i.to_string()})).collect();
    let select = json!({"type": 1, "components": [{"type": 3, "custom_id": "s", "options": options}]});
    let (_, e) = c.post(&ch, json!({"content": "x", "components": [select]})).await;
    assert_eq!(nested_code(&e, &["components", "0", "components", "0", "options"]), "BASE_TYPE_MAX_LENGTH");
    let fields: Vec<Value> = (0..6).map(|_| json!({"name": "n", "value": "v".repeat(1000)})).collect();
    let (_, e) = c.post(&ch, json!({"embeds": [{"title": "t", "fields": fields}]})).await;
    assert_eq!(nested_code(&e, &["embeds"]), "MAX_EMBED_SIZE_EXCEEDED", "over 6000 characters: {e}");
    let (_, e) = c.post(&ch, json!({"embeds": [{"fields": [{"name": "n", "value": "v".repeat(1025)}]}]})).await;
    assert_eq!(nested_code(&e, &["embeds", "0", "fields", "0", "value"]), "BASE_TYPE_MAX_LENGTH");
    let (_, e) = c.post(&ch, json!({"content": "<@3001>", "allowed_mentions": {"parse": ["users"], "users": ["3001"]}})).await;
    assert_eq!(nested_code(&e, &["allowed_mentions", "parse"]), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE");
    let (s, _) = c.post(&ch, json!({"content": "fine", "allowed_mentions": {"parse": []}})).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn uploads_stop_at_ten_files_and_ten_mebibytes() {
    let c = Client::new().await;
    assert_eq!(c.upload(ids::COMMITTEE_CHANNEL, 10, 10).await.0, 200);
    let (s, e) = c.upload(ids::COMMITTEE_CHANNEL, 11, 10).await;
    assert_eq!((s, e["code"].as_i64()), (400, Some(50035)));
    let (s, e) = c.upload(ids::COMMITTEE_CHANNEL, 2, 6 * 1024 * 1024).await;
    assert_eq!((s, e["code"].as_i64()), (413, Some(40005)));
}

#[tokio::test]
async fn modals_hold_five_inputs_with_short_labels() {
    let c = Client::new().await;
    let who = Who::new(ids::ALICE, ids::GENERAL);
    let input = |label: &str| json!({"type": 1, "components": [{"type": 4, "custom_id": "f", "style": 1, "label": label}]});
    for (rows, label, path) in
        [(6, "ok", vec!["data", "components"]), (1, &*"l".repeat(46), vec!["data", "components", "0", "components", "0", "label"])]
    {
        let id = c.fake.next_id();
        c.fake.dispatch("INTERACTION_CREATE", payloads::slash(id, who, "report", json!([])));
        let modal =
            json!({"type": 9, "data": {"custom_id": "m", "title": "t", "components": (0..rows).map(|_| input(label)).collect::<Vec<_>>()}});
        let (s, e) = c.post(&format!("/interactions/{id}/interaction-token-{id}/callback"), modal).await;
        assert_eq!(s, 400);
        assert!(!nested_code(&e, &path).is_empty(), "{e}");
    }
}

#[tokio::test]
async fn a_category_holds_fifty_channels_and_a_guild_five_hundred() {
    let c = Client::new().await;
    for _ in 0..50 {
        assert_eq!(c.incident_channel(ids::INCIDENT_CATEGORY).await.0, 200);
    }
    let (s, e) = c.incident_channel(ids::INCIDENT_CATEGORY).await;
    assert_eq!((s, e["code"].as_i64()), (400, Some(50035)));
    assert_eq!(nested_code(&e, &["parent_id"]), "CHANNEL_PARENT_MAX_CHANNELS", "{e}");
    // Moving a channel into a full category is refused alike.
    let (_, other) = c.incident_channel(ids::ARCHIVE_CATEGORY).await;
    let id = other["id"].as_str().unwrap();
    let (s, e) = c.send(reqwest::Method::PATCH, &format!("/channels/{id}"), json!({"parent_id": ids::INCIDENT_CATEGORY.to_string()})).await;
    assert_eq!(nested_code(&e, &["parent_id"]), "CHANNEL_PARENT_MAX_CHANNELS", "{s} {e}");
    while c.fake.channels().len() < 500 {
        c.fake.add_channel(0, "filler", None);
    }
    let (s, e) = c.incident_channel(ids::ARCHIVE_CATEGORY).await;
    assert_eq!((s, e["code"].as_i64()), (400, Some(30013)));
}

#[tokio::test]
async fn the_bot_can_do_only_what_its_permissions_allow() {
    let c = Client::new().await;
    let (_, ch) = c.incident_channel(ids::INCIDENT_CATEGORY).await;
    let id = ch["id"].as_str().unwrap().to_string();
    let card = json!({"content": "x", "embeds": [{"title": "card"}]});
    assert_eq!(c.post(&format!("/channels/{id}/messages"), card.clone()).await.0, 200);
    // A channel hidden from the bot: Missing Access.
    let hidden = c.fake.add_channel(0, "secret", None);
    c.send(
        reqwest::Method::PUT,
        &format!("/channels/{hidden}/permissions/{}", ids::GUILD),
        json!({"type": 0, "allow": 0, "deny": perms::VIEW_CHANNEL}),
    )
    .await;
    let (s, e) = c.post(&format!("/channels/{hidden}/messages"), json!({"content": "x"})).await;
    assert_eq!((s, e["code"].as_i64()), (403, Some(50001)));
    // Without Embed Links, a card is refused; without Manage Roles, no overwrite.
    c.fake.set_role_permissions(ids::BOT_ROLE, BOT_INVITE & !perms::EMBED_LINKS & !perms::MANAGE_ROLES);
    c.fake.set_role_permissions(ids::GUILD, perms::EVERYONE_DEFAULT & !perms::EMBED_LINKS);
    let mut overwrites = ch["permission_overwrites"].as_array().unwrap().clone();
    overwrites.retain(|o| o["id"] != snowflake(ids::BOT));
    let no_bot = json!({"permission_overwrites": overwrites});
    let (s, e) = c.send(reqwest::Method::PATCH, &format!("/channels/{id}"), no_bot).await;
    assert_eq!((s, e["code"].as_i64()), (403, Some(50013)), "no Manage Roles: {e}");
    let (s, e) = c.post(&format!("/channels/{}/messages", ids::ANNOUNCEMENTS), card).await;
    assert_eq!((s, e["code"].as_i64()), (403, Some(50013)), "no Embed Links: {e}");
    let (s, e) = c
        .send(
            reqwest::Method::PUT,
            &format!("/channels/{id}/permissions/{}", ids::ALICE),
            json!({"type": 1, "allow": perms::VIEW_CHANNEL, "deny": 0}),
        )
        .await;
    assert_eq!((s, e["code"].as_i64()), (403, Some(50013)));
    assert!(c.fake.problems().iter().all(|p| !p.starts_with("PRIVACY")));
}

#[tokio::test]
async fn an_incident_channel_that_at_everyone_could_see_is_caught_after_any_change() {
    let c = Client::new().await;
    let (_, ch) = c.incident_channel(ids::INCIDENT_CATEGORY).await;
    let id = ch["id"].as_str().unwrap().to_string();
    assert!(c.fake.problems().is_empty());
    c.send(reqwest::Method::DELETE, &format!("/channels/{id}/permissions/{}", ids::GUILD), json!(null)).await;
    let problems = c.fake.problems();
    assert!(problems.iter().any(|p| p.starts_with("PRIVACY: @everyone can see #inc-2026-0001")), "{problems:?}");
}

async fn gateway(c: &Client) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", c.fake.addr)).await.expect("the fake gateway");
    ws
}

async fn next(ws: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>) -> Option<Value> {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await.ok()?? {
            Ok(Ws::Text(t)) => return serde_json::from_str(&t).ok(),
            Ok(Ws::Close(frame)) => return Some(json!({"close": frame.map(|f| u16::from(f.code))})),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// Reads until a dispatch named `t`; the messages before it are returned too.
async fn until(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    t: &str,
) -> Vec<Value> {
    let mut seen = vec![];
    while let Some(v) = next(ws).await {
        let done = v["t"] == t;
        seen.push(v);
        if done {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn the_gateway_checks_the_token_strips_content_without_the_intent_and_resumes() {
    let c = Client::new().await;
    // The wrong token: 4004 Authentication failed.
    let mut ws = gateway(&c).await;
    next(&mut ws).await.expect("HELLO");
    ws.send(Ws::Text(json!({"op": 2, "d": {"token": "wrong", "intents": 0}}).to_string())).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(json!({"close": 4004})));

    // No MESSAGE_CONTENT intent; an event dispatched before READY waits.
    let mut ws = gateway(&c).await;
    next(&mut ws).await.expect("HELLO");
    c.fake.dispatch("MESSAGE_CREATE", payloads::user_message(c.fake.next_id(), ids::ALICE, ids::GENERAL, "早すぎたメッセージ"));
    ws.send(Ws::Text(json!({"op": 2, "d": {"token": ids::TOKEN, "intents": 1 << 9}}).to_string())).await.unwrap();
    let seen = until(&mut ws, "MESSAGE_CREATE").await;
    let ready = seen.iter().find(|v| v["t"] == "READY").expect("READY");
    let message = seen.last().unwrap();
    assert_eq!(message["t"], "MESSAGE_CREATE", "the early event came after READY: {seen:?}");
    assert_eq!(message["d"]["content"], "", "content is stripped without the intent");
    let (session, seq) = (ready["d"]["session_id"].as_str().unwrap().to_string(), message["s"].as_u64().unwrap());
    drop(ws);

    // Away for a while: what was dispatched meanwhile is replayed on RESUME.
    c.fake.dispatch("MESSAGE_CREATE", payloads::user_message(c.fake.next_id(), ids::ALICE, ids::GENERAL, "留守中"));
    let mut ws = gateway(&c).await;
    next(&mut ws).await.expect("HELLO");
    ws.send(Ws::Text(json!({"op": 6, "d": {"token": ids::TOKEN, "session_id": session, "seq": seq}}).to_string())).await.unwrap();
    let seen = until(&mut ws, "RESUMED").await;
    let replayed: Vec<&Value> = seen.iter().filter(|v| v["t"] == "MESSAGE_CREATE").collect();
    assert_eq!(replayed.len(), 1, "{seen:?}");
    assert!(replayed[0]["s"].as_u64().unwrap() > seq);
    // With the intent, content arrives.
    let mut ws = gateway(&c).await;
    next(&mut ws).await.expect("HELLO");
    ws.send(Ws::Text(json!({"op": 2, "d": {"token": ids::TOKEN, "intents": (1 << 9) | (1 << 15)}}).to_string())).await.unwrap();
    until(&mut ws, "GUILD_CREATE").await;
    c.fake.dispatch("MESSAGE_CREATE", payloads::user_message(c.fake.next_id(), ids::ALICE, ids::GENERAL, "見える"));
    let seen = until(&mut ws, "MESSAGE_CREATE").await;
    assert_eq!(seen.last().unwrap()["d"]["content"], "見える");
}

/// hikeshi asks for exactly the intents it uses, Message Content among them.
#[tokio::test]
async fn the_bot_identifies_with_its_token_and_the_message_content_intent() {
    let app = crate::support::TestApp::spawn().await;
    let intents = app.fake.intents();
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0], hikeshi::discord::intents(true).bits());
    assert_ne!(intents[0] & (1 << 1), 0, "Server Members, which the application has enabled");
    assert_ne!(intents[0] & (1 << 15), 0);
}

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// A channel's messages: 5 in 5 s, each answer saying what is left; the
/// sixth is refused with a route 429 for the rest of the window; another
/// channel has a bucket of its own.
#[tokio::test]
async fn a_channels_messages_are_limited_per_channel_with_discords_headers() {
    let c = Client::limited().await;
    let c = &c;
    let post = |ch: u64| async move {
        let path = format!("/channels/{ch}/messages");
        c.with_headers(reqwest::Method::POST, &path, json!({"content": "x"}), ids::TOKEN).await
    };
    for left in (0..5).rev() {
        let (s, _, h) = post(ids::COMMITTEE_CHANNEL).await;
        assert_eq!(s, 200);
        assert_eq!(header(&h, "x-ratelimit-limit"), "5");
        assert_eq!(header(&h, "x-ratelimit-remaining"), left.to_string());
        assert!(!header(&h, "x-ratelimit-bucket").is_empty());
        let reset_after: f64 = header(&h, "x-ratelimit-reset-after").parse().unwrap();
        assert!(reset_after > 4.0 && reset_after <= 5.0, "{reset_after}");
    }
    let (s, body, h) = post(ids::COMMITTEE_CHANNEL).await;
    assert_eq!(s, 429);
    assert_eq!(body["global"], false);
    assert!(body["retry_after"].as_f64().unwrap() > 4.0);
    assert_eq!(header(&h, "x-ratelimit-scope"), "user");
    assert_eq!(c.fake.rate_limited().len(), 1);
    let (s, _, h) = post(ids::GENERAL).await;
    assert_eq!((s, header(&h, "x-ratelimit-remaining")), (200, "4".to_string()), "another channel, another bucket");
}

/// Past 50 requests in one second, every route is refused with a global
/// 429; interaction answers are not counted.
#[tokio::test]
async fn past_fifty_requests_a_second_the_bot_is_refused_globally() {
    let c = Client::limited().await;
    let mut statuses = vec![];
    for n in 0..51 {
        // Fifty-one different channels: no bucket of a route is full.
        let (s, body, h) = c.with_headers(reqwest::Method::GET, &format!("/channels/{}/messages", 5000 + n), json!(null), ids::TOKEN).await;
        statuses.push(s);
        if n == 50 {
            assert_eq!((s, body["global"].as_bool()), (429, Some(true)), "{body}");
            assert_eq!(header(&h, "x-ratelimit-global"), "true");
            assert_eq!(header(&h, "x-ratelimit-scope"), "global");
        }
    }
    assert!(statuses[..50].iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(c.fake.rate_limited().iter().filter(|r| r.2).count(), 1);
}

/// Discord bans an address for an hour after 10,000 invalid requests (401,
/// 403, 429) in ten minutes: past that, even a good request is refused.
#[tokio::test]
async fn ten_thousand_invalid_requests_in_ten_minutes_get_the_address_banned() {
    let c = Client::new().await;
    let path = format!("/channels/{}/messages", ids::GENERAL);
    let (s, _, _) = c.with_headers(reqwest::Method::GET, &path, json!(null), ids::TOKEN).await;
    assert_eq!(s, 200, "a good request before the ban");
    for _ in 0..crate::support::fake::ratelimit::INVALID_LIMIT {
        let (s, _, _) = c.with_headers(reqwest::Method::GET, &path, json!(null), "a-wrong-token").await;
        assert_eq!(s, 401);
    }
    let (s, _, _) = c.with_headers(reqwest::Method::GET, &path, json!(null), ids::TOKEN).await;
    assert_eq!(s, 403, "banned after 10,000 invalid requests");
}

/// Discord drops a second post with the same nonce (`enforce_nonce`) for a
/// few minutes, not forever; the history does not show nonces.
#[tokio::test]
async fn a_nonce_deduplicates_for_five_minutes_of_the_fakes_clock() {
    let c = Client::new().await;
    let path = format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL);
    let post = || c.send(reqwest::Method::POST, &path, json!({"content": "x", "nonce": "hk1", "enforce_nonce": true}));
    let (status, first) = post().await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["nonce"], "hk1", "the answer carries the nonce");
    c.fake.advance(std::time::Duration::from_secs(4 * 60 + 59));
    assert_eq!(post().await.1["id"], first["id"], "within the window: the same message");
    c.fake.advance(std::time::Duration::from_secs(2));
    let (_, second) = post().await;
    assert_ne!(second["id"], first["id"], "after five minutes: a second message");
    let (_, history) = c.send(reqwest::Method::GET, &format!("{path}?limit=10"), Value::Null).await;
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert!(history.as_array().unwrap().iter().all(|m| m.get("nonce").is_none()), "{history}");
}

/// A member who closed their DMs: the DM channel opens, the message is
/// refused with 403 and code 50007, as Discord does.
#[tokio::test]
async fn a_dm_to_a_member_who_closed_them_is_refused_with_50007() {
    let c = Client::new().await;
    c.fake.close_dms(ids::ALICE);
    let (status, dm) = c.send(reqwest::Method::POST, "/users/@me/channels", json!({"recipient_id": ids::ALICE.to_string()})).await;
    assert_eq!(status, 200, "{dm}");
    let path = format!("/channels/{}/messages", dm["id"].as_str().unwrap());
    let (status, body) = c.send(reqwest::Method::POST, &path, json!({"content": "x"})).await;
    assert_eq!((status, body["code"].as_i64()), (403, Some(50007)), "{body}");
    let (_, open) = c.send(reqwest::Method::POST, "/users/@me/channels", json!({"recipient_id": ids::BOB.to_string()})).await;
    let (status, _) =
        c.send(reqwest::Method::POST, &format!("/channels/{}/messages", open["id"].as_str().unwrap()), json!({"content": "x"})).await;
    assert_eq!(status, 200, "another member's DMs are open");
}

/// An interaction's token lives 15 minutes of the fake's clock: follow-ups
/// and edits of its answer after that are refused as Discord refuses them.
#[tokio::test]
async fn an_interactions_token_lives_fifteen_minutes() {
    let c = Client::new().await;
    let who = Who::new(ids::ALICE, ids::GENERAL);
    let a = c.fake.next_id();
    c.fake.dispatch("INTERACTION_CREATE", payloads::slash(a, who, "report", json!([])));
    let (s, _) = c.post(&format!("/interactions/{a}/interaction-token-{a}/callback"), json!({"type": 5, "data": {"flags": 64}})).await;
    assert_eq!(s, 204);
    let edit = format!("/webhooks/{}/interaction-token-{a}/messages/@original", ids::APP);
    c.fake.advance(std::time::Duration::from_secs(14 * 60 + 59));
    let (s, _) = c.send(reqwest::Method::PATCH, &edit, json!({"content": "still mine"})).await;
    assert_eq!(s, 200, "within its life");
    c.fake.advance(std::time::Duration::from_secs(2));
    let (s, e) = c.send(reqwest::Method::PATCH, &edit, json!({"content": "too late"})).await;
    assert_eq!((s, e["code"].as_i64()), (401, Some(50027)), "{e}");
    let (s, _) = c.post(&format!("/webhooks/{}/interaction-token-{a}", ids::APP), json!({"content": "too late"})).await;
    assert_eq!(s, 401, "a follow-up too");
}
