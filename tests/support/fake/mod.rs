//! A fake Discord on 127.0.0.1: the REST routes hikeshi uses and a
//! WebSocket gateway. It answers with realistic objects, records every
//! request, checks request bodies against Discord's OpenAPI spec, and can
//! inject latency, 5xx and 429 answers per route.

pub mod gateway;
pub mod schema;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// The fake guild's ids.
pub mod ids {
    pub const BOT: u64 = 1000;
    pub const APP: u64 = 1000;
    pub const GUILD: u64 = 2000;
    pub const COMMITTEE_ROLE: u64 = 2100;
    pub const INCIDENT_CATEGORY: u64 = 2200;
    pub const ARCHIVE_CATEGORY: u64 = 2300;
    pub const ANNOUNCEMENTS: u64 = 2400;
    pub const COMMITTEE_CHANNEL: u64 = 2500;
    pub const GENERAL: u64 = 2600;
    /// A plain member.
    pub const ALICE: u64 = 3001;
    /// Committee members.
    pub const BOB: u64 = 3002;
    pub const CAROL: u64 = 3003;
    /// Another plain member.
    pub const DAVE: u64 = 3004;
    pub const TOKEN: &str = "test-token.not-a-real-one";
}

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path after `/api/v10`, e.g. `/guilds/2000/channels`.
    pub path: String,
    pub body: Value,
    /// For multipart requests: `(file name, content)` of each file.
    pub files: Vec<(String, String)>,
    pub status: u16,
    pub schema_errors: Vec<String>,
    /// When the request arrived.
    pub at: std::time::Instant,
}

#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16),
    /// The request takes effect, but the answer is lost (the connection
    /// drops, or the bot crashes before recording what it made).
    LostAnswer,
    RateLimited {
        retry_after: f64,
        global: bool,
    },
}

struct FaultRule {
    method: String,
    pattern: String,
    answers: Vec<Fault>,
}

pub(crate) struct Inner {
    pub requests: Vec<Recorded>,
    pub channels: Vec<Value>,
    pub messages: HashMap<u64, Vec<Value>>,
    nonces: HashMap<(u64, String), Value>,
    next_id: u64,
    faults: Vec<FaultRule>,
    latency: Duration,
    pub identifies: usize,
    pub resumes: usize,
}

pub struct Shared {
    pub(crate) inner: Mutex<Inner>,
    pub(crate) events: broadcast::Sender<(String, Value)>,
    pub(crate) control: broadcast::Sender<gateway::Control>,
    spec: schema::Spec,
    pub(crate) addr: Mutex<Option<SocketAddr>>,
}

#[derive(Clone)]
pub struct FakeDiscord {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
}

pub fn snowflake(n: u64) -> String {
    n.to_string()
}

fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

pub fn user_json(id: u64) -> Value {
    let name = match id {
        ids::BOT => "hikeshi",
        ids::ALICE => "alice",
        ids::BOB => "bob",
        ids::CAROL => "carol",
        ids::DAVE => "dave",
        _ => "someone",
    };
    let mut u = json!({"id": snowflake(id), "username": name, "discriminator": "0", "global_name": name, "avatar": null});
    if id == ids::BOT {
        u["bot"] = json!(true);
    }
    u
}

fn channel_json(id: u64, kind: u8, name: &str, parent: Option<u64>, overwrites: Value, topic: Option<&str>) -> Value {
    json!({
        "id": snowflake(id), "type": kind, "guild_id": snowflake(ids::GUILD), "name": name, "position": 0,
        "permission_overwrites": overwrites, "parent_id": parent.map(snowflake), "nsfw": false, "topic": topic,
        "rate_limit_per_user": 0, "last_message_id": null, "flags": 0
    })
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let mut channels = vec![];
        let private = json!([{"id": snowflake(ids::GUILD), "type": 0, "allow": "0", "deny": "1024"}]);
        channels.push(channel_json(ids::INCIDENT_CATEGORY, 4, "incidents", None, private.clone(), None));
        channels.push(channel_json(ids::ARCHIVE_CATEGORY, 4, "archive", None, private.clone(), None));
        channels.push(channel_json(ids::ANNOUNCEMENTS, 0, "announcements", None, json!([]), None));
        channels.push(channel_json(ids::COMMITTEE_CHANNEL, 0, "security-committee", None, private, None));
        channels.push(channel_json(ids::GENERAL, 0, "general", None, json!([]), None));
        let (events, _) = broadcast::channel(16_384);
        let (control, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                requests: vec![],
                channels,
                messages: HashMap::new(),
                nonces: HashMap::new(),
                next_id: 900_000_000_000_000_000,
                faults: vec![],
                latency: Duration::ZERO,
                identifies: 0,
                resumes: 0,
            }),
            events,
            control,
            spec: schema::Spec::load(),
            addr: Mutex::new(None),
        });
        let router = Router::new().route("/ws", get(gateway::upgrade)).fallback(rest).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Discord");
        let addr = listener.local_addr().expect("address");
        *shared.addr.lock().unwrap() = Some(addr);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeDiscord { addr, shared }
    }

    /// What `HIKESHI_DISCORD_API` is set to.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.inner.lock().unwrap().requests.clone()
    }

    /// Requests matching `method` and a path pattern (`*` matches one
    /// segment).
    pub fn calls(&self, method: &str, pattern: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method == method && path_matches(pattern, &r.path)).collect()
    }

    /// The most requests that arrived within any one second, interaction
    /// endpoints excepted (Discord does not count them in the global limit).
    pub fn peak_requests_per_second(&self) -> usize {
        let mut times: Vec<std::time::Instant> = self
            .requests()
            .into_iter()
            .filter(|r| !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/"))
            .map(|r| r.at)
            .collect();
        times.sort();
        let mut peak = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end].duration_since(times[start]) >= std::time::Duration::from_secs(1) {
                start += 1;
            }
            peak = peak.max(end - start + 1);
        }
        peak
    }

    /// Every schema violation seen so far.
    pub fn schema_violations(&self) -> Vec<String> {
        self.requests().iter().flat_map(|r| r.schema_errors.iter().map(move |e| format!("{} {}: {e}", r.method, r.path))).collect()
    }

    /// The next answers to `method pattern` are these faults, in order.
    pub fn fail(&self, method: &str, pattern: &str, answers: Vec<Fault>) {
        self.shared.inner.lock().unwrap().faults.push(FaultRule { method: method.into(), pattern: pattern.into(), answers });
    }

    pub fn set_latency(&self, d: Duration) {
        self.shared.inner.lock().unwrap().latency = d;
    }

    pub fn channels(&self) -> Vec<Value> {
        self.shared.inner.lock().unwrap().channels.clone()
    }

    pub fn channel(&self, id: u64) -> Option<Value> {
        self.channels().into_iter().find(|c| c["id"] == snowflake(id))
    }

    pub fn messages(&self, channel: u64) -> Vec<Value> {
        self.shared.inner.lock().unwrap().messages.get(&channel).cloned().unwrap_or_default()
    }

    pub fn identifies(&self) -> usize {
        self.shared.inner.lock().unwrap().identifies
    }

    pub fn resumes(&self) -> usize {
        self.shared.inner.lock().unwrap().resumes
    }

    /// Sends a gateway dispatch to every connected session.
    pub fn dispatch(&self, event: &str, d: Value) {
        let _ = self.shared.events.send((event.to_string(), d));
    }

    /// Sends a control instruction (close, reconnect, …) to the sessions.
    pub fn control(&self, c: gateway::Control) {
        let _ = self.shared.control.send(c);
    }

    /// Adds a channel as if someone made it by hand.
    pub fn add_channel(&self, kind: u8, name: &str, parent: Option<u64>) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.channels.push(channel_json(id, kind, name, parent, json!([]), None));
        id
    }

    /// A fresh snowflake.
    pub fn next_id(&self) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        inner.next_id
    }
}

pub fn path_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_matches('/').split('/').collect();
    p.len() == s.len() && p.iter().zip(&s).all(|(a, b)| *a == "*" || a == b)
}

fn error(status: u16, code: i64, message: &str) -> Response {
    let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (s, axum::Json(json!({"message": message, "code": code}))).into_response()
}

/// Splits a multipart body into `payload_json` and files.
fn parse_multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, String)>) {
    let Some(boundary) = content_type.split("boundary=").nth(1).map(|b| b.trim_matches('"').to_string()) else {
        return (Value::Null, vec![]);
    };
    let text = String::from_utf8_lossy(body);
    let mut payload = Value::Null;
    let mut files = vec![];
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let name = head.split("name=\"").nth(1).and_then(|n| n.split('"').next()).unwrap_or("");
        if name == "payload_json" {
            payload = serde_json::from_str(content).unwrap_or(Value::Null);
        } else if let Some(file) = head.split("filename=\"").nth(1).and_then(|n| n.split('"').next()) {
            files.push((file.to_string(), content.to_string()));
        }
    }
    (payload, files)
}

async fn rest(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_string();
    let method = method.as_str().to_string();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (body, files) = if content_type.starts_with("multipart/") {
        parse_multipart(&content_type, &body)
    } else {
        (serde_json::from_slice(&body).unwrap_or(Value::Null), vec![])
    };
    let authorised = headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|a| a == format!("Bot {}", ids::TOKEN));
    let mut schema_errors = if body.is_null() { vec![] } else { shared.spec.check(&method, &path, &body) };
    // Where the spec and Discord's docs differ, the docs win (NOTES.md).
    if let Some(c) = body.get("content").and_then(|c| c.as_str()) {
        if c.chars().count() > 2000 {
            schema_errors.push(format!("$.content: {} characters, more than Discord's 2000", c.chars().count()));
        }
    }
    // hikeshi's own rule, checked on every run: no channel is ever created
    // that @everyone can see (incident channels and overflow categories).
    if method == "POST" && path_matches("/guilds/*/channels", &path) {
        let everyone_denied = body["permission_overwrites"].as_array().is_some_and(|o| {
            o.iter().any(|o| {
                o["id"] == snowflake(ids::GUILD)
                    && o["deny"].as_u64().or_else(|| o["deny"].as_str().and_then(|d| d.parse().ok())).unwrap_or(0) & 1024 == 1024
            })
        });
        if !everyone_denied {
            schema_errors.push("a channel created without denying @everyone View Channel".into());
        }
    }
    if let Some(n) = body.get("nonce").and_then(|n| n.as_str()) {
        if n.len() > 25 {
            schema_errors.push("$.nonce: longer than 25 characters".into());
        }
    }
    let arrived = std::time::Instant::now();
    let (latency, fault) = {
        let mut inner = shared.inner.lock().unwrap();
        let fault = inner
            .faults
            .iter_mut()
            .find(|f| f.method == method && path_matches(&f.pattern, &path) && !f.answers.is_empty())
            .map(|f| f.answers.remove(0));
        (inner.latency, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = if !authorised {
        error(401, 0, "401: Unauthorized")
    } else if !schema_errors.is_empty() {
        error(400, 50035, &format!("Invalid Form Body: {}", schema_errors.join("; ")))
    } else {
        match &fault {
            Some(Fault::Status(s)) => error(*s, 0, "injected failure"),
            Some(Fault::LostAnswer) => {
                let _ = route(&shared, &method, &path, &body, &files);
                error(502, 0, "injected failure after the request took effect")
            }
            Some(Fault::RateLimited { retry_after, global }) => {
                let mut r = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": global})),
                )
                    .into_response();
                r.headers_mut().insert("retry-after", format!("{}", retry_after.ceil() as u64).parse().unwrap());
                if *global {
                    r.headers_mut().insert("x-ratelimit-global", "true".parse().unwrap());
                }
                r
            }
            None => route(&shared, &method, &path, &body, &files),
        }
    };
    let status = response.status().as_u16();
    shared.inner.lock().unwrap().requests.push(Recorded { method, path, body, files, status, schema_errors, at: arrived });
    response
}

fn new_id(inner: &mut Inner) -> u64 {
    inner.next_id += 1;
    inner.next_id
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn message_json(id: u64, channel: u64, body: &Value) -> Value {
    json!({
        "id": snowflake(id), "channel_id": snowflake(channel), "author": user_json(ids::BOT),
        "content": body.get("content").cloned().unwrap_or(json!("")), "timestamp": now_iso(), "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])), "pinned": false, "type": 0, "flags": 0,
        "components": body.get("components").cloned().unwrap_or(json!([])), "nonce": body.get("nonce").cloned().unwrap_or(Value::Null),
    })
}

fn route(shared: &Arc<Shared>, method: &str, path: &str, body: &Value, files: &[(String, String)]) -> Response {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let addr = shared.addr.lock().unwrap().expect("address");
    let mut inner = shared.inner.lock().unwrap();
    match (method, segs.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": format!("ws://{addr}/ws")})),
        ("GET", ["gateway", "bot"]) => ok(json!({"url": format!("ws://{addr}/ws"), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})),
        ("GET", ["users", "@me"]) => ok(user_json(ids::BOT)),
        ("GET", ["oauth2", "applications", "@me"]) => {
            ok(json!({"id": snowflake(ids::APP), "name": "hikeshi", "icon": null, "description": "",
            "rpc_origins": [], "bot_public": false, "bot_require_code_grant": false, "verify_key": "abc", "owner": user_json(ids::BOB), "team": null, "flags": 0}))
        }
        ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let cmds: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut c| {
                    let id = new_id(&mut inner);
                    c["id"] = json!(snowflake(id));
                    c["application_id"] = json!(snowflake(ids::APP));
                    c["version"] = json!("1");
                    c["guild_id"] = json!(snowflake(ids::GUILD));
                    if c.get("type").is_none() {
                        c["type"] = json!(1);
                    }
                    if c.get("description").is_none() {
                        c["description"] = json!("");
                    }
                    c
                })
                .collect();
            ok(Value::Array(cmds))
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) | ("POST", ["webhooks", _, _]) => {
            let id = new_id(&mut inner);
            ok(message_json(id, ids::GENERAL, body))
        }
        ("GET", ["guilds", _, "channels"]) => ok(Value::Array(inner.channels.clone())),
        ("POST", ["users", "@me", "channels"]) => {
            // One DM channel per recipient, kept apart from the guild's.
            let recipient = body["recipient_id"].as_str().unwrap_or("0").to_string();
            let name = format!("dm-{recipient}");
            if let Some(c) = inner.channels.iter().find(|c| c["name"] == name) {
                return ok(c.clone());
            }
            let id = new_id(&mut inner);
            let mut c = channel_json(id, 1, &name, None, json!([]), None);
            c["recipients"] = json!([user_json(recipient.parse().unwrap_or(0))]);
            inner.channels.push(c.clone());
            ok(c)
        }
        ("GET", ["guilds", g]) => ok(json!({
            "id": g, "name": "Sample Corp", "icon": null, "splash": null, "discovery_splash": null, "owner_id": snowflake(ids::BOB),
            "afk_channel_id": null, "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "roles": [], "emojis": [], "features": [], "mfa_level": 0, "application_id": null, "system_channel_id": null, "system_channel_flags": 0,
            "rules_channel_id": null, "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0, "preferred_locale": "ja",
            "public_updates_channel_id": null, "nsfw_level": 0, "premium_progress_bar_enabled": false, "stickers": [],
            "approximate_member_count": 5, "approximate_presence_count": 2
        })),
        ("POST", ["guilds", _, "channels"]) => {
            let kind = body.get("type").and_then(|t| t.as_u64()).unwrap_or(0) as u8;
            let parent = body.get("parent_id").and_then(|p| p.as_str()).and_then(|p| p.parse::<u64>().ok());
            if inner.channels.len() >= 500 {
                return error(400, 30013, "Maximum number of guild channels reached (500)");
            }
            if let Some(p) = parent {
                if inner.channels.iter().filter(|c| c["parent_id"] == snowflake(p)).count() >= 50 {
                    return error(400, 50035, "Invalid Form Body: parent_id: CHANNEL_PARENT_MAX_CHANNELS (50)");
                }
            }
            let id = new_id(&mut inner);
            let c = channel_json(
                id,
                kind,
                body["name"].as_str().unwrap_or(""),
                parent,
                body.get("permission_overwrites").cloned().unwrap_or(json!([])),
                body.get("topic").and_then(|t| t.as_str()),
            );
            inner.channels.push(c.clone());
            ok(c)
        }
        ("PATCH", ["channels", c]) => {
            let Some(ch) = inner.channels.iter_mut().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            if let Some(p) = body.get("parent_id") {
                ch["parent_id"] = p.clone();
            }
            if let Some(o) = body.get("permission_overwrites") {
                ch["permission_overwrites"] = o.clone();
            }
            if let Some(n) = body.get("name") {
                ch["name"] = n.clone();
            }
            ok(ch.clone())
        }
        ("PUT", ["channels", c, "permissions", target]) => {
            let Some(ch) = inner.channels.iter_mut().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            let mut list = ch["permission_overwrites"].as_array().cloned().unwrap_or_default();
            list.retain(|o| o["id"] != *target);
            list.push(json!({"id": target, "type": body["type"], "allow": body["allow"], "deny": body["deny"]}));
            ch["permission_overwrites"] = Value::Array(list);
            StatusCode::NO_CONTENT.into_response()
        }
        ("DELETE", ["channels", c, "permissions", target]) => {
            let Some(ch) = inner.channels.iter_mut().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            let mut list = ch["permission_overwrites"].as_array().cloned().unwrap_or_default();
            list.retain(|o| o["id"] != *target);
            ch["permission_overwrites"] = Value::Array(list);
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["channels", c, "messages"]) => {
            let Ok(channel) = c.parse::<u64>() else {
                return error(404, 10003, "Unknown Channel");
            };
            if !inner.channels.iter().any(|x| x["id"] == *c) {
                return error(404, 10003, "Unknown Channel");
            }
            // enforce_nonce: the same nonce in the same channel returns the
            // first message instead of posting again.
            let nonce = body.get("nonce").and_then(|n| n.as_str()).map(str::to_string);
            if body.get("enforce_nonce") == Some(&json!(true)) {
                if let Some(n) = &nonce {
                    if let Some(m) = inner.nonces.get(&(channel, n.clone())) {
                        return ok(m.clone());
                    }
                }
            }
            let id = new_id(&mut inner);
            let mut m = message_json(id, channel, body);
            m["attachments"] = Value::Array(files.iter().enumerate().map(|(i, (name, content))| json!({
                "id": snowflake(id + 1 + i as u64), "filename": name, "size": content.len(), "url": format!("http://{addr}/attachments/{id}/{name}"), "proxy_url": format!("http://{addr}/attachments/{id}/{name}")
            })).collect());
            if let Some(n) = nonce {
                inner.nonces.insert((channel, n), m.clone());
            }
            inner.messages.entry(channel).or_default().push(m.clone());
            let mut event = m.clone();
            event["guild_id"] = json!(snowflake(ids::GUILD));
            let _ = shared.events.send(("MESSAGE_CREATE".into(), event));
            ok(m)
        }
        ("PATCH", ["channels", c, "messages", mid]) => {
            let Ok(channel) = c.parse::<u64>() else {
                return error(404, 10003, "Unknown Channel");
            };
            let Some(m) = inner.messages.get_mut(&channel).and_then(|ms| ms.iter_mut().find(|m| m["id"] == *mid)) else {
                return error(404, 10008, "Unknown Message");
            };
            for k in ["content", "embeds", "components"] {
                if let Some(v) = body.get(k) {
                    m[k] = v.clone();
                }
            }
            m["edited_timestamp"] = json!(now_iso());
            ok(m.clone())
        }
        _ => error(404, 0, "404: Not Found (the fake has no such route)"),
    }
}

/// Whom Discord would notify for one message: by its content and its
/// `allowed_mentions`, as Discord decides (embeds and files never ping;
/// without `allowed_mentions` every mention in the content pings).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pings {
    pub everyone: bool,
    pub roles: Vec<u64>,
    pub users: Vec<u64>,
}

/// `<@id>`, `<@!id>` (users) and `<@&id>` (roles) in a text.
fn mentions_in(content: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut users, mut roles) = (vec![], vec![]);
    for (at, _) in content.match_indices("<@") {
        let rest = &content[at + 2..];
        let (is_role, rest) = match rest.strip_prefix('&') {
            Some(r) => (true, r),
            None => (false, rest.strip_prefix('!').unwrap_or(rest)),
        };
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with('>') {
            if let Ok(id) = digits.parse() {
                if is_role {
                    roles.push(id)
                } else {
                    users.push(id)
                }
            }
        }
    }
    (users, roles)
}

pub fn pings_of(message: &Value) -> Pings {
    let content = message["content"].as_str().unwrap_or("");
    let (users, roles) = mentions_in(content);
    let am = message.get("allowed_mentions").filter(|a| !a.is_null());
    let parses = |kind: &str| am.is_none_or(|a| a["parse"].as_array().is_some_and(|p| p.iter().any(|x| x == kind)));
    let listed = |kind: &str, id: u64| {
        am.is_some_and(|a| {
            a[kind].as_array().is_some_and(|l| l.iter().any(|x| x.as_str() == Some(&id.to_string()) || x.as_u64() == Some(id)))
        })
    };
    Pings {
        everyone: (content.contains("@everyone") || content.contains("@here")) && parses("everyone"),
        roles: roles.into_iter().filter(|r| parses("roles") || listed("roles", *r)).collect(),
        users: users.into_iter().filter(|u| parses("users") || listed("users", *u)).collect(),
    }
}

impl FakeDiscord {
    /// Every message the bot sent or edited that would notify someone, with
    /// whom: channel posts and edits, interaction answers, webhook edits.
    pub fn pings(&self) -> Vec<(String, Pings)> {
        self.requests()
            .into_iter()
            .filter(|r| r.status < 300)
            .filter_map(|r| {
                let message = if path_matches("/interactions/*/*/callback", &r.path) { r.body["data"].clone() } else { r.body.clone() };
                let carries = ["/channels/*/messages", "/channels/*/messages/*", "/webhooks/*/*/messages/@original", "/webhooks/*/*"]
                    .iter()
                    .any(|p| path_matches(p, &r.path))
                    || path_matches("/interactions/*/*/callback", &r.path);
                let p = pings_of(&message);
                (carries && p != Pings::default()).then(|| (format!("{} {}", r.method, r.path), p))
            })
            .collect()
    }
}
