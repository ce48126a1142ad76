//! A fake Discord on 127.0.0.1: the REST routes hikeshi uses and a
//! WebSocket gateway, strict where Discord is strict. It answers with
//! realistic objects and records every request; it refuses, as Discord
//! does and with Discord's error shapes, what Discord would refuse: bodies
//! that break the OpenAPI spec or the documented limits (50035 with the
//! codes nested in `errors`), what the bot's own permissions do not allow
//! (50001, 50013), interaction answers out of protocol (10062, 40060,
//! 10015, 50027). It checks hikeshi's own promise that @everyone never
//! sees an incident or archived channel after any change. Tests can
//! inject latency, lost answers, 5xx, 429 (per route or global) and
//! permanent refusals.

pub mod gateway;
pub mod limits;
pub mod links;
pub mod oauth;
pub mod perms;
pub mod pings;
pub mod ratelimit;
mod routes;
pub mod schema;

pub use pings::{pings_of, Pings};

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
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, Notify};

/// The fake guild's ids.
pub mod ids {
    pub const BOT: u64 = 1000;
    pub const APP: u64 = 1000;
    pub const GUILD: u64 = 2000;
    pub const COMMITTEE_ROLE: u64 = 2100;
    /// The role Discord gives the bot when it is invited.
    pub const BOT_ROLE: u64 = 2110;
    pub const INCIDENT_CATEGORY: u64 = 2200;
    pub const ARCHIVE_CATEGORY: u64 = 2300;
    pub const ANNOUNCEMENTS: u64 = 2400;
    pub const COMMITTEE_CHANNEL: u64 = 2500;
    /// 情報システム部's role (§4.4(1)), where a story configures it.
    pub const IT_ROLE: u64 = 2700;
    pub const GENERAL: u64 = 2600;
    /// A plain member.
    pub const ALICE: u64 = 3001;
    /// Committee members.
    pub const BOB: u64 = 3002;
    pub const CAROL: u64 = 3003;
    /// Another plain member.
    pub const DAVE: u64 = 3004;
    /// A member outside every incident: reads what all members read.
    pub const FRANK: u64 = 3006;
    /// Of the IT department (情報システム部), where a story gives the role.
    pub const ERIN: u64 = 3007;
    /// The canary story's confidential reporter: an id whose digits turn
    /// up nowhere by chance (issue 25).
    pub const CANARY: u64 = 739_261_845_118_407_253;
    pub const TOKEN: &str = "test-token.not-a-real-one";
}

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path after `/api/v10`, e.g. `/guilds/2000/channels`.
    pub path: String,
    /// The query string, e.g. `limit=100&after=42`.
    pub query: String,
    pub body: Value,
    /// For multipart requests: `(file name, content)` of each file.
    pub files: Vec<(String, String)>,
    /// The same files, byte for byte (a compressed file is not text).
    pub raw_files: Vec<(String, Vec<u8>)>,
    pub status: u16,
    /// Discord's code when the fake refused it by Discord's rules (not an
    /// injected fault).
    pub refused: Option<i64>,
    /// What the refusal said (the broken limits, the schema errors).
    pub why: Vec<String>,
    /// When the request arrived.
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16),
    /// A permanent refusal as Discord words it (403/50013, 404/10003, …).
    Refused {
        status: u16,
        code: i64,
        message: &'static str,
    },
    /// The request takes effect, but the answer is lost (the connection
    /// drops, or the bot crashes before recording what it made).
    LostAnswer,
    RateLimited {
        retry_after: f64,
        global: bool,
    },
    /// A 429 for a resource shared with others (`X-RateLimit-Scope:
    /// shared`): not the bot's doing, and not counted towards the ban.
    SharedLimit {
        retry_after: f64,
    },
    /// The request is never answered (a hung connection): the fake holds
    /// it this long, then drops it unanswered.
    Hang(Duration),
}

struct FaultRule {
    method: String,
    pattern: String,
    answers: Vec<Fault>,
}

/// An interaction as Discord tracks it: its token, when it was created,
/// whether its initial response came.
#[derive(Debug, Clone)]
pub struct Pending {
    pub token: String,
    /// By the fake's clock.
    pub created: Instant,
    pub answered: bool,
}

/// An interaction's token (follow-ups, edits of its answer) lives this long.
pub const TOKEN_LIFE: Duration = Duration::from_secs(15 * 60);

/// Discord drops a second message with the same nonce for this long.
pub const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

impl Inner {
    /// Now, by the fake's clock (the tests move it with `advance`).
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.skew
    }
}

/// Discord forgets an interaction whose initial response is later than this.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(3);

pub(crate) struct Inner {
    pub requests: Vec<Recorded>,
    pub channels: Vec<Value>,
    pub messages: HashMap<u64, Vec<Value>>,
    /// Each nonce's message and when it was posted (the fake's clock):
    /// Discord deduplicates by nonce for a few minutes only.
    nonces: HashMap<(u64, String), (Value, Instant)>,
    /// How far the tests moved the fake's clock ahead of the real one.
    skew: Duration,
    /// Members who closed their DMs to the server's members and bots.
    pub dms_closed: std::collections::HashSet<u64>,
    next_id: u64,
    faults: Vec<FaultRule>,
    latency: Duration,
    pub identifies: usize,
    pub resumes: usize,
    /// The intents each IDENTIFY asked for.
    pub intents: Vec<u64>,
    pub roles: perms::Roles,
    pub interactions: HashMap<String, Pending>,
    /// Discord codes a test expects the bot to meet (a full category, …).
    pub expected: Vec<i64>,
    /// Moments @everyone could see an incident or archived channel.
    pub privacy: Vec<String>,
    /// Until when every request is answered with a global 429.
    global_pause: Option<(Instant, f64)>,
    /// The upload limit of one request (10 MiB for a bot without boosts).
    pub upload_limit: usize,
    /// Role names, whether they can be mentioned, and their position.
    pub role_meta: HashMap<u64, (String, bool, i64)>,
    /// The application's flags (the Message Content intent is 1 << 18).
    pub app_flags: u64,
    /// Files members posted, by CDN path; their signed links expire.
    pub cdn: HashMap<String, Vec<u8>>,
    pub cdn_expired: bool,
    /// Discord's rate limits and the invalid-request ban.
    pub limits: ratelimit::Limits,
    /// Issue 28: sign-ins with Discord (the web console's).
    pub oauth: oauth::OauthState,
    /// Members who left the server.
    pub left: Vec<u64>,
}

pub struct Shared {
    pub(crate) inner: Mutex<Inner>,
    /// Every gateway dispatch, in order: sessions send from it, and a
    /// RESUME replays what a session missed.
    pub(crate) log: Mutex<Vec<(String, Value)>>,
    pub(crate) logged: Notify,
    pub(crate) sessions: Mutex<HashMap<String, gateway::Session>>,
    pub(crate) control: broadcast::Sender<gateway::Control>,
    /// The gateway refuses every connection (an outage at Discord).
    pub(crate) gateway_down: std::sync::atomic::AtomicBool,
    /// Heartbeats go unacknowledged (a half-dead connection).
    pub(crate) heartbeats_unanswered: std::sync::atomic::AtomicBool,
    spec: schema::Spec,
    pub(crate) addr: Mutex<Option<SocketAddr>>,
    /// Whether each answer closes its connection (Discord's edge closes
    /// idle and old ones; a client then connects afresh).
    pub(crate) close_connections: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// A gateway dispatch to every session.
    pub(crate) fn emit(&self, event: &str, d: Value) {
        self.log.lock().unwrap().push((event.to_string(), d));
        self.logged.notify_waiters();
    }
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

/// The canary reporter's name, as Discord shows it (issue 25).
pub const CANARY_NAME: &str = "KanariyaNAMEq7";

pub fn user_json(id: u64) -> Value {
    let name = match id {
        ids::BOT => "hikeshi",
        ids::ALICE => "alice",
        ids::BOB => "bob",
        ids::CAROL => "carol",
        ids::DAVE => "dave",
        ids::FRANK => "frank",
        ids::CANARY => CANARY_NAME,
        _ => "someone",
    };
    let mut u = json!({"id": snowflake(id), "username": name, "discriminator": "0", "global_name": name, "avatar": null});
    if id == ids::BOT {
        u["bot"] = json!(true);
    }
    u
}

/// A member's message as Discord keeps it in a channel's history.
fn member_message(id: u64, channel: u64, user: u64, content: &str) -> Value {
    json!({
        "id": snowflake(id), "channel_id": snowflake(channel), "author": user_json(user), "content": content,
        "timestamp": now_iso(), "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 0, "components": [],
    })
}

fn channel_json(id: u64, kind: u8, name: &str, parent: Option<u64>, overwrites: Value, topic: Option<&str>) -> Value {
    json!({
        "id": snowflake(id), "type": kind, "guild_id": snowflake(ids::GUILD), "name": name, "position": 0,
        "permission_overwrites": overwrites, "parent_id": parent.map(snowflake), "nsfw": false, "topic": topic,
        "rate_limit_per_user": 0, "last_message_id": null, "flags": 0
    })
}

/// Every member of the fake server: the four people, the bot, and whoever
/// a test gave roles.
pub(crate) fn all_members(inner: &Inner) -> Vec<u64> {
    let mut all = vec![ids::ALICE, ids::BOB, ids::CAROL, ids::DAVE, ids::BOT];
    all.extend(inner.roles.members.iter().map(|(m, _)| *m));
    all.sort_unstable();
    all.dedup();
    all.retain(|m| !inner.left.contains(m));
    all
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let mut channels = vec![];
        // The committee's places are hidden from @everyone; the bot's role
        // is let in where the README's set-up lets it in.
        let private = json!([
            {"id": snowflake(ids::GUILD), "type": 0, "allow": "0", "deny": "1024"},
            {"id": snowflake(ids::BOT_ROLE), "type": 0, "allow": perms::BOT_INVITE.to_string(), "deny": "0"},
        ]);
        channels.push(channel_json(ids::INCIDENT_CATEGORY, 4, "incidents", None, private.clone(), None));
        channels.push(channel_json(ids::ARCHIVE_CATEGORY, 4, "archive", None, private.clone(), None));
        channels.push(channel_json(ids::ANNOUNCEMENTS, 0, "announcements", None, json!([]), None));
        channels.push(channel_json(ids::COMMITTEE_CHANNEL, 0, "security-committee", None, private, None));
        channels.push(channel_json(ids::GENERAL, 0, "general", None, json!([]), None));
        let (control, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            gateway_down: Default::default(),
            heartbeats_unanswered: Default::default(),
            inner: Mutex::new(Inner {
                requests: vec![],
                channels,
                messages: HashMap::new(),
                nonces: HashMap::new(),
                skew: Duration::ZERO,
                dms_closed: Default::default(),
                next_id: 900_000_000_000_000_000,
                faults: vec![],
                latency: Duration::ZERO,
                identifies: 0,
                resumes: 0,
                intents: vec![],
                roles: perms::Roles::default(),
                interactions: HashMap::new(),
                expected: vec![],
                privacy: vec![],
                global_pause: None,
                upload_limit: limits::MAX_UPLOAD_BYTES,
                role_meta: HashMap::from([
                    (ids::GUILD, ("@everyone".to_string(), false, 0)),
                    (ids::COMMITTEE_ROLE, ("security-committee".to_string(), true, 2)),
                    (ids::BOT_ROLE, ("hikeshi".to_string(), false, 3)),
                ]),
                // Message Content and Server Members, as the README's set-up enables.
                app_flags: (1 << 18) | (1 << 14),
                cdn: HashMap::new(),
                cdn_expired: false,
                limits: ratelimit::Limits::default(),
                oauth: oauth::OauthState::default(),
                left: vec![],
            }),
            log: Mutex::new(vec![]),
            logged: Notify::new(),
            sessions: Mutex::new(HashMap::new()),
            control,
            spec: schema::Spec::load(),
            addr: Mutex::new(None),
            close_connections: Default::default(),
        });
        // Bodies up to well past Discord's upload limit reach the fake's own
        // check (axum would answer 413 at 2 MB by itself).
        let router = Router::new()
            .route("/ws", get(gateway::upgrade))
            .route("/attachments/*path", get(cdn))
            .route("/oauth2/authorize", get(oauth::authorize_page).post(oauth::authorize))
            .fallback(rest)
            .layer(axum::middleware::map_response_with_state(shared.clone(), close_if_asked))
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
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
        let mut times: Vec<Instant> = self
            .requests()
            .into_iter()
            .filter(|r| !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/"))
            .map(|r| r.at)
            .collect();
        times.sort();
        let mut peak = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end].duration_since(times[start]) >= Duration::from_secs(1) {
                start += 1;
            }
            peak = peak.max(end - start + 1);
        }
        peak
    }

    /// Every request the fake refused by Discord's rules, with why.
    pub fn refusals(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|r| r.refused.map(|code| format!("{} {} → {} ({code}): {}", r.method, r.path, r.status, r.why.join("; "))))
            .collect()
    }

    /// Refusals no test asked for, every moment a private channel was
    /// visible to @everyone, and every masked link the bot showed: what
    /// would go wrong against real Discord.
    pub fn problems(&self) -> Vec<String> {
        let inner = self.shared.inner.lock().unwrap();
        let mut out: Vec<String> = inner
            .requests
            .iter()
            .filter(|r| r.refused.is_some_and(|c| !inner.expected.contains(&c)))
            .map(|r| format!("{} {} → {} ({}): {}", r.method, r.path, r.status, r.refused.unwrap_or(0), r.why.join("; ")))
            .collect();
        out.extend(inner.privacy.iter().map(|p| format!("PRIVACY: {p}")));
        drop(inner);
        // The bot never masks a link itself: one in what it sent came from
        // a person's text and could disguise where it leads.
        out.extend(self.masked_links().into_iter().map(|l| format!("MASKED LINK: {l}")));
        out
    }

    /// The test expects the bot to meet Discord's refusal `code` (the bot
    /// must then cope with it).
    pub fn expect_refusal(&self, code: i64) {
        self.shared.inner.lock().unwrap().expected.push(code);
    }

    /// The next answers to `method pattern` are these faults, in order.
    pub fn fail(&self, method: &str, pattern: &str, answers: Vec<Fault>) {
        self.shared.inner.lock().unwrap().faults.push(FaultRule { method: method.into(), pattern: pattern.into(), answers });
    }

    /// Every REST request is answered with a global 429 for `seconds`.
    /// Every 429 Discord's limits gave (not the injected ones): method,
    /// path, and whether it was the global limit.
    pub fn rate_limited(&self) -> Vec<(String, String, bool)> {
        self.shared.inner.lock().unwrap().limits.refused.clone()
    }

    /// `user` closes their DMs: Discord refuses the bot's DMs to them
    /// (403, 50007) and the DM channel itself still opens.
    pub fn close_dms(&self, user: u64) {
        self.shared.inner.lock().unwrap().dms_closed.insert(user);
    }

    /// Moves the fake's clock ahead: what Discord remembers for a while
    /// (nonces, interaction tokens) is judged by it.
    pub fn advance(&self, by: Duration) {
        self.shared.inner.lock().unwrap().skew += by;
    }

    /// Turns Discord's rate limits off (a test of something else that
    /// must send faster than Discord allows, as a second bot would).
    pub fn without_rate_limits(&self) {
        self.shared.inner.lock().unwrap().limits.off = true;
    }

    pub fn pause_globally(&self, seconds: f64) {
        self.shared.inner.lock().unwrap().global_pause = Some((Instant::now() + Duration::from_secs_f64(seconds), seconds));
    }

    /// A server whose upload limit differs from Discord's default.
    pub fn set_upload_limit(&self, bytes: usize) {
        self.shared.inner.lock().unwrap().upload_limit = bytes;
    }

    pub fn set_latency(&self, d: Duration) {
        self.shared.inner.lock().unwrap().latency = d;
    }

    /// A server as a newcomer has it: none of hikeshi's places, no
    /// committee role (only the bot, invited, and #general).
    pub fn empty_server(&self) {
        let mut inner = self.shared.inner.lock().unwrap();
        let gone = [ids::INCIDENT_CATEGORY, ids::ARCHIVE_CATEGORY, ids::ANNOUNCEMENTS, ids::COMMITTEE_CHANNEL].map(snowflake);
        inner.channels.retain(|c| !gone.iter().any(|g| c["id"] == *g));
        inner.roles.roles.retain(|(r, _)| *r != ids::COMMITTEE_ROLE);
        inner.role_meta.remove(&ids::COMMITTEE_ROLE);
    }

    /// The application's flags as the Developer Portal set them.
    pub fn set_app_flags(&self, flags: u64) {
        self.shared.inner.lock().unwrap().app_flags = flags;
    }

    /// Moves a role in the server's list (higher is more powerful).
    pub fn set_role_position(&self, role: u64, position: i64) {
        if let Some(m) = self.shared.inner.lock().unwrap().role_meta.get_mut(&role) {
            m.2 = position;
        }
    }

    /// Whether a role may be mentioned by anyone.
    pub fn set_mentionable(&self, role: u64, mentionable: bool) {
        if let Some(m) = self.shared.inner.lock().unwrap().role_meta.get_mut(&role) {
            m.1 = mentionable;
        }
    }

    /// Someone changes a channel's permission overwrites by hand.
    pub fn set_overwrites(&self, channel: u64, overwrites: Value) {
        if let Some(c) = self.shared.inner.lock().unwrap().channels.iter_mut().find(|c| c["id"] == snowflake(channel)) {
            c["permission_overwrites"] = overwrites;
        }
    }

    /// The guild's roles as Discord lists them.
    pub fn roles(&self) -> Vec<Value> {
        routes::roles_json(&self.shared.inner.lock().unwrap())
    }

    /// Changes the permissions of a guild role (the bot's: `ids::BOT_ROLE`).
    pub fn set_role_permissions(&self, role: u64, permissions: u64) {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.roles.roles.retain(|(r, _)| *r != role);
        inner.roles.roles.push((role, permissions));
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

    /// Someone with Manage Channels (or Manage Roles) sets a channel's
    /// overwrites by hand, in Discord's settings: hikeshi hears of it as
    /// every other change, by CHANNEL_UPDATE.
    pub fn hand_edit_overwrites(&self, channel: u64, overwrites: Value) {
        let changed = {
            let mut inner = self.shared.inner.lock().unwrap();
            let Some(ch) = inner.channels.iter_mut().find(|c| c["id"] == snowflake(channel)) else {
                panic!("no channel {channel}");
            };
            ch["permission_overwrites"] = overwrites;
            ch.clone()
        };
        routes::channel_changed(&self.shared, &changed);
    }

    /// Someone with Manage Channels deletes a channel by hand.
    pub fn hand_delete_channel(&self, channel: u64) {
        let gone = {
            let mut inner = self.shared.inner.lock().unwrap();
            let at = inner.channels.iter().position(|c| c["id"] == snowflake(channel)).expect("no such channel");
            inner.messages.remove(&channel);
            inner.channels.remove(at)
        };
        self.shared.emit("CHANNEL_DELETE", gone);
    }

    /// A channel's overwrites as Discord holds them now.
    pub fn overwrites_of(&self, channel: u64) -> Value {
        let inner = self.shared.inner.lock().unwrap();
        inner.channels.iter().find(|c| c["id"] == snowflake(channel)).map(|c| c["permission_overwrites"].clone()).unwrap_or(Value::Null)
    }

    /// A member's roles change (given or taken in the server's settings).
    pub fn set_member_roles(&self, member: u64, roles: Vec<u64>) {
        {
            let mut inner = self.shared.inner.lock().unwrap();
            inner.roles.members.retain(|(m, _)| *m != member);
            inner.roles.members.push((member, roles.clone()));
        }
        let mut d = gateway::member(member, roles);
        d["guild_id"] = json!(snowflake(ids::GUILD));
        self.shared.emit("GUILD_MEMBER_UPDATE", d);
    }

    /// Issue 28: the Discord account "the browser" is logged in as when it
    /// is sent to the authorisation page.
    pub fn sign_in_as(&self, user: u64) {
        self.shared.inner.lock().unwrap().oauth.signed_in = Some(user);
    }

    /// Issue 28: a redirect address registered in the Developer Portal.
    pub fn register_redirect(&self, uri: &str) {
        self.shared.inner.lock().unwrap().oauth.redirects.push(uri.to_string());
    }

    /// A member leaves the server (GUILD_MEMBER_REMOVE to every session).
    pub fn member_leaves(&self, member: u64) {
        {
            let mut inner = self.shared.inner.lock().unwrap();
            inner.left.push(member);
            inner.roles.members.retain(|(m, _)| *m != member);
        }
        self.shared.emit("GUILD_MEMBER_REMOVE", json!({"guild_id": snowflake(ids::GUILD), "user": user_json(member)}));
    }

    /// A role is made, or its permissions change, in the server's settings
    /// (GUILD_ROLE_CREATE or GUILD_ROLE_UPDATE to every session).
    pub fn edit_role(&self, role: u64, name: &str, permissions: u64) {
        let new = {
            let mut inner = self.shared.inner.lock().unwrap();
            let new = !inner.roles.roles.iter().any(|(r, _)| *r == role);
            inner.roles.roles.retain(|(r, _)| *r != role);
            inner.roles.roles.push((role, permissions));
            inner.role_meta.insert(role, (name.to_string(), false, 1));
            new
        };
        let event = if new { "GUILD_ROLE_CREATE" } else { "GUILD_ROLE_UPDATE" };
        self.shared.emit(event, json!({"guild_id": snowflake(ids::GUILD), "role": gateway::role(role, name, permissions, false)}));
    }

    /// The intents of every IDENTIFY so far.
    pub fn intents(&self) -> Vec<u64> {
        self.shared.inner.lock().unwrap().intents.clone()
    }

    /// Sends a gateway dispatch to every session (a session not ready yet
    /// gets it after READY; one away gets it when it resumes). An
    /// INTERACTION_CREATE starts Discord's 3-second clock for its answer.
    pub fn dispatch(&self, event: &str, mut d: Value) {
        // Discord puts the member's roles as the server holds them now into
        // each interaction: a role given or taken shows at the next one.
        if event == "INTERACTION_CREATE" {
            if let Some(user) = d["member"]["user"]["id"].as_str().and_then(|u| u.parse::<u64>().ok()) {
                let roles = self.shared.inner.lock().unwrap().roles.members.iter().find(|(m, _)| *m == user).map(|(_, r)| r.clone());
                d["member"]["roles"] = json!(roles.unwrap_or_default().into_iter().map(snowflake).collect::<Vec<_>>());
            }
        }
        // What members write, edit and delete is the channel's history, as
        // on Discord (the bot reads it back after being away).
        // Under one lock and without copies: a benchmark dispatches
        // thousands of messages into channels holding thousands.
        let channel = d["channel_id"].as_str().and_then(|c| c.parse::<u64>().ok());
        let mut unheard = false;
        if let Some(channel) = channel {
            let mut inner = self.shared.inner.lock().unwrap();
            let id = snowflake(channel);
            let found = inner.channels.iter().find(|c| c["id"].as_str() == Some(id.as_str()));
            let known = found.is_some();
            // A private thread's messages reach its members only: a bot that
            // did not join hears nothing of it.
            unheard = event.starts_with("MESSAGE_")
                && found.is_some_and(|t| {
                    t["type"] == 12
                        && !t["members"].as_array().is_some_and(|m| m.iter().any(|u| u.as_str() == Some(snowflake(ids::BOT).as_str())))
                });
            let list = inner.messages.entry(channel).or_default();
            let wanted = d["id"].as_str();
            let at = list.iter().rposition(|m| m["id"].as_str() == wanted);
            match (event, at) {
                ("MESSAGE_CREATE", None) if known => {
                    let mut m = d.clone();
                    if let Some(o) = m.as_object_mut() {
                        o.remove("guild_id");
                        o.remove("member");
                    }
                    list.push(m);
                }
                ("MESSAGE_UPDATE", Some(i)) => {
                    for k in ["content", "edited_timestamp", "attachments", "embeds"] {
                        if let Some(v) = d.get(k) {
                            list[i][k] = v.clone();
                        }
                    }
                }
                ("MESSAGE_DELETE", Some(i)) => {
                    list.remove(i);
                }
                _ => {}
            }
        }
        if unheard {
            return;
        }
        if event == "INTERACTION_CREATE" {
            if let (Some(id), Some(token)) = (d["id"].as_str(), d["token"].as_str()) {
                let mut inner = self.shared.inner.lock().unwrap();
                let created = inner.now();
                inner.interactions.entry(id.to_string()).or_insert(Pending { token: token.to_string(), created, answered: false });
            }
        }
        self.shared.emit(event, d);
    }

    /// Sends a control instruction (close, reconnect, …) to the sessions.
    pub fn control(&self, c: gateway::Control) {
        let _ = self.shared.control.send(c);
    }

    /// The gateway goes down: connected sessions are dropped and every new
    /// connection is refused (503) until it comes back up.
    pub fn gateway_outage(&self, down: bool) {
        self.shared.gateway_down.store(down, std::sync::atomic::Ordering::SeqCst);
        if down {
            self.control(gateway::Control::Drop);
        }
    }

    /// Heartbeats are left unacknowledged (or answered again).
    pub fn answer_heartbeats(&self, answer: bool) {
        self.shared.heartbeats_unanswered.store(!answer, std::sync::atomic::Ordering::SeqCst);
    }

    /// Adds a channel as if someone made it by hand.
    pub fn add_channel(&self, kind: u8, name: &str, parent: Option<u64>) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.channels.push(channel_json(id, kind, name, parent, json!([]), None));
        id
    }

    /// A member's message that the fake keeps in the channel's history and
    /// sends through the gateway (as Discord does while the bot listens).
    pub fn post_user_message(&self, channel: u64, user: u64, content: &str) -> u64 {
        let id = self.add_user_message(channel, user, content);
        let mut event = self.messages(channel).into_iter().find(|m| m["id"] == snowflake(id)).expect("just added");
        event["guild_id"] = json!(snowflake(ids::GUILD));
        self.dispatch("MESSAGE_CREATE", event);
        id
    }

    /// A member posts a message with a file: kept on the fake CDN behind a
    /// signed link, sent through the gateway. Returns the message's and the
    /// attachment's ids.
    pub fn post_user_file(&self, channel: u64, user: u64, content: &str, name: &str, bytes: &[u8]) -> (u64, u64) {
        let (message, attachment) = {
            let mut inner = self.shared.inner.lock().unwrap();
            inner.next_id += 2;
            (inner.next_id - 1, inner.next_id)
        };
        // Discord stores a file's name with spaces as underscores.
        let name = name.replace(' ', "_");
        let path = format!("/attachments/{channel}/{attachment}/{name}");
        let url = format!("http://{}{path}?ex=6751a2b3&is=67505133&hm=0123456789abcdef", self.addr);
        self.shared.inner.lock().unwrap().cdn.insert(path, bytes.to_vec());
        let mut event = member_message(message, channel, user, content);
        event["guild_id"] = json!(snowflake(ids::GUILD));
        event["attachments"] = json!([{"id": snowflake(attachment), "filename": name, "size": bytes.len(), "url": url, "proxy_url": url,
            "content_type": "application/octet-stream"}]);
        self.dispatch("MESSAGE_CREATE", event);
        (message, attachment)
    }

    /// A day later: Discord's signed links to posted files no longer work.
    pub fn expire_links(&self) {
        self.shared.inner.lock().unwrap().cdn_expired = true;
    }

    /// The message Discord makes of an ephemeral reply (the callback's
    /// `data`), as a later click on one of its buttons carries it.
    pub fn ephemeral_message(&self, channel: u64, data: &Value) -> Value {
        let id = self.next_id();
        let mut m = member_message(id, channel, ids::BOT, data["content"].as_str().unwrap_or(""));
        m["flags"] = json!(64);
        m["components"] = data["components"].clone();
        m
    }

    /// A member's message kept in the channel's history only: written while
    /// the bot was not connected, so no gateway event reached it.
    pub fn add_user_message(&self, channel: u64, user: u64, content: &str) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.messages.entry(channel).or_default().push(member_message(id, channel, user, content));
        id
    }

    /// Someone edits a message while the bot is not connected.
    pub fn edit_message_offline(&self, channel: u64, message: u64, content: &str) {
        let mut inner = self.shared.inner.lock().unwrap();
        if let Some(m) = inner.messages.get_mut(&channel).and_then(|l| l.iter_mut().find(|m| m["id"] == snowflake(message))) {
            m["content"] = json!(content);
            m["edited_timestamp"] = json!(now_iso());
        }
    }

    /// Someone deletes a message while the bot is not connected.
    pub fn delete_message_offline(&self, channel: u64, message: u64) {
        if let Some(l) = self.shared.inner.lock().unwrap().messages.get_mut(&channel) {
            l.retain(|m| m["id"] != snowflake(message));
        }
    }

    /// Deletes a channel as someone would by hand.
    pub fn remove_channel(&self, id: u64) {
        self.shared.inner.lock().unwrap().channels.retain(|c| c["id"] != snowflake(id));
    }

    /// A member starts a thread in `parent` (type 11 public, 12 private),
    /// as Discord would make it: no overwrites of its own (a thread takes
    /// its parent's), open and unlocked.
    pub fn add_thread(&self, parent: u64, name: &str, private: bool, owner: u64) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        let id = inner.next_id;
        let mut t = channel_json(id, if private { 12 } else { 11 }, name, Some(parent), json!([]), None);
        let o = t.as_object_mut().expect("object");
        o.remove("permission_overwrites");
        o.remove("topic");
        t["owner_id"] = json!(snowflake(owner));
        t["member_count"] = json!(1);
        t["message_count"] = json!(0);
        t["thread_metadata"] = json!({"archived": false, "locked": false, "auto_archive_duration": 1440,
            "archive_timestamp": now_iso(), "invitable": !private});
        inner.channels.push(t);
        id
    }

    /// A member starts a thread, and Discord tells the gateway (THREAD_CREATE
    /// reaches the bot: it has Manage Threads, or can see the parent).
    pub fn start_thread(&self, parent: u64, name: &str, private: bool, owner: u64) -> u64 {
        let id = self.add_thread(parent, name, private, owner);
        let mut event = self.channel(id).expect("just added");
        event["newly_created"] = json!(true);
        self.dispatch("THREAD_CREATE", event);
        id
    }

    /// Someone renames a thread.
    pub fn rename_thread(&self, thread: u64, name: &str) {
        let event = {
            let mut inner = self.shared.inner.lock().unwrap();
            let Some(t) = inner.channels.iter_mut().find(|c| c["id"] == snowflake(thread)) else {
                return;
            };
            t["name"] = json!(name);
            t.clone()
        };
        self.dispatch("THREAD_UPDATE", event);
    }

    /// Someone deletes a thread (its messages go with it on Discord).
    pub fn delete_thread(&self, thread: u64) {
        let Some(t) = self.channel(thread) else {
            return;
        };
        self.remove_channel(thread);
        self.shared.inner.lock().unwrap().messages.remove(&thread);
        self.dispatch("THREAD_DELETE", json!({"id": t["id"], "guild_id": t["guild_id"], "parent_id": t["parent_id"], "type": t["type"]}));
    }

    /// Whether the bot joined `thread`.
    pub fn bot_in_thread(&self, thread: u64) -> bool {
        self.channel(thread).is_some_and(|t| t["members"].as_array().is_some_and(|m| m.iter().any(|u| *u == json!(snowflake(ids::BOT)))))
    }

    /// Whether `member` holds every bit of `perms` in `channel` (a thread:
    /// in its parent), as Discord computes it.
    pub fn member_can(&self, member: u64, channel: u64, perms: u64) -> bool {
        let inner = self.shared.inner.lock().unwrap();
        let Some(ch) = inner.channels.iter().find(|c| c["id"] == snowflake(channel)) else {
            return false;
        };
        let ch = match ch["type"].as_u64() {
            Some(10..=12) => ch["parent_id"].as_str().and_then(|p| inner.channels.iter().find(|c| c["id"] == *p)).unwrap_or(ch),
            _ => ch,
        };
        inner.roles.in_channel(member, &ch["permission_overwrites"]) & perms == perms
    }

    /// From now on every answer closes its connection: each request of
    /// the bot opens a new one.
    pub fn close_connections(&self) {
        self.shared.close_connections.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Every member of the server now.
    pub fn members(&self) -> Vec<u64> {
        all_members(&self.shared.inner.lock().unwrap())
    }

    /// The interaction dispatched with this id or token, as the bot got it.
    pub fn interaction(&self, id_or_token: &str) -> Option<Value> {
        let log = self.shared.log.lock().unwrap();
        log.iter()
            .rev()
            .find(|(e, d)| e == "INTERACTION_CREATE" && (d["id"] == id_or_token || d["token"] == id_or_token))
            .map(|(_, d)| d.clone())
    }

    /// A fresh snowflake.
    pub fn next_id(&self) -> u64 {
        let mut inner = self.shared.inner.lock().unwrap();
        inner.next_id += 1;
        inner.next_id
    }
}

async fn close_if_asked(State(shared): State<Arc<Shared>>, mut response: Response) -> Response {
    // Not the gateway's upgrade: that connection is the WebSocket.
    if shared.close_connections.load(std::sync::atomic::Ordering::SeqCst) && response.status() != StatusCode::SWITCHING_PROTOCOLS {
        response.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    }
    response
}

pub fn path_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_matches('/').split('/').collect();
    p.len() == s.len() && p.iter().zip(&s).all(|(a, b)| *a == "*" || a == b)
}

pub(crate) fn error(status: u16, code: i64, message: &str) -> Response {
    let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (s, axum::Json(json!({"message": message, "code": code}))).into_response()
}

/// Splits a multipart body into `payload_json` and files.
/// `payload_json`, the files as text, and the same files as bytes.
type Multipart = (Value, Vec<(String, String)>, Vec<(String, Vec<u8>)>);

fn parse_multipart(content_type: &str, body: &[u8]) -> Multipart {
    let Some(boundary) = content_type.split("boundary=").nth(1).map(|b| b.trim_matches('"').to_string()) else {
        return (Value::Null, vec![], vec![]);
    };
    // Byte by byte: files may be binary (a compressed transcript).
    let marker = format!("--{boundary}").into_bytes();
    let mut parts = vec![];
    let mut rest = body;
    while let Some(at) = find(rest, &marker) {
        parts.push(&rest[..at]);
        rest = &rest[at + marker.len()..];
    }
    let mut payload = Value::Null;
    let (mut files, mut raw) = (vec![], vec![]);
    for part in parts {
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let name = head.split("name=\"").nth(1).and_then(|n| n.split('"').next()).unwrap_or("");
        if name == "payload_json" {
            payload = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(file) = head.split("filename=\"").nth(1).and_then(|n| n.split('"').next()) {
            files.push((file.to_string(), String::from_utf8_lossy(content).to_string()));
            raw.push((file.to_string(), content.to_vec()));
        }
    }
    (payload, files, raw)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A refusal by Discord's rules: the answer's status and body, its code
/// and why.
pub(crate) struct Refusal {
    pub status: u16,
    pub body: Box<Value>,
    pub code: i64,
    pub why: Vec<String>,
}

impl Refusal {
    pub fn new(status: u16, code: i64, message: &str) -> Refusal {
        Refusal { status, body: Box::new(json!({"message": message, "code": code})), code, why: vec![message.to_string()] }
    }

    pub fn form(errors: Vec<limits::FormError>) -> Refusal {
        let body = limits::invalid_form_body(&errors);
        Refusal { status: 400, body: Box::new(body), code: 50035, why: errors.iter().map(|e| e.to_string()).collect() }
    }

    fn response(&self) -> Response {
        let s = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (s, axum::Json((*self.body).clone())).into_response()
    }
}

fn rate_limited(retry_after: f64, global: bool) -> Response {
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": global})),
    )
        .into_response();
    r.headers_mut().insert("retry-after", format!("{}", retry_after.ceil() as u64).parse().unwrap());
    if global {
        r.headers_mut().insert("x-ratelimit-global", "true".parse().unwrap());
        r.headers_mut().insert("x-ratelimit-scope", "global".parse().unwrap());
    }
    r
}

/// Discord's CDN for posted files: signed links that stop working after a
/// while (`expire_links`), as Discord's do after about a day.
async fn cdn(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let inner = shared.inner.lock().unwrap();
    let signed = uri.query().is_some_and(|q| q.contains("ex=") && q.contains("hm="));
    match inner.cdn.get(uri.path()) {
        Some(bytes) if signed && !inner.cdn_expired => (StatusCode::OK, bytes.clone()).into_response(),
        _ => (StatusCode::NOT_FOUND, "This content is no longer available.").into_response(),
    }
}

async fn rest(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_string();
    let method = method.as_str().to_string();
    // A member's own token, or the application's secret: OAuth2's side.
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|a| a.starts_with("Bearer "));
    if bearer || path.starts_with("/oauth2/token") {
        if let Some(r) = oauth::intercept(&shared, &method, &path, &headers, &body) {
            return r;
        }
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (body, files, raw_files) = if content_type.starts_with("multipart/") {
        parse_multipart(&content_type, &body)
    } else {
        (serde_json::from_slice(&body).unwrap_or(Value::Null), vec![], vec![])
    };
    let upload_bytes: usize = raw_files.iter().map(|(_, c)| c.len()).sum();
    // Interaction answers are authorised by their token, not the bot's.
    let by_token = path.starts_with("/interactions/") || path.starts_with("/webhooks/");
    let authorised =
        by_token || headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|a| a == format!("Bot {}", ids::TOKEN));
    let arrived = Instant::now();
    let (latency, fault, paused, verdict) = {
        let mut inner = shared.inner.lock().unwrap();
        let fault = inner
            .faults
            .iter_mut()
            .find(|f| f.method == method && path_matches(&f.pattern, &path) && !f.answers.is_empty())
            .map(|f| f.answers.remove(0));
        let paused = inner.global_pause.filter(|(until, _)| *until > arrived && !by_token).map(|(until, _)| until - arrived);
        let verdict = inner.limits.check(&method, &path, by_token, arrived);
        (inner.latency, fault, paused, verdict)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(Fault::Hang(d)) = &fault {
        shared.inner.lock().unwrap().requests.push(Recorded {
            method,
            path,
            query: uri.query().unwrap_or("").to_string(),
            body,
            files,
            raw_files,
            status: 0,
            refused: None,
            why: vec!["hung".into()],
            at: arrived,
        });
        tokio::time::sleep(*d).await;
        return error(504, 0, "never answered");
    }
    let mut refused = None;
    let limit_headers = match &verdict {
        ratelimit::Verdict::Within(h) => h.clone(),
        _ => vec![],
    };
    let mut response = if matches!(verdict, ratelimit::Verdict::Banned) {
        error(403, 0, "error code: 1015 (this address is banned for making too many invalid requests)")
    } else if !authorised {
        error(401, 0, "401: Unauthorized")
    } else if let Some(left) = paused {
        rate_limited(left.as_secs_f64(), true)
    } else if let ratelimit::Verdict::Limited { retry_after, global, headers } = &verdict {
        let mut r = rate_limited(*retry_after, *global);
        for (k, v) in headers {
            r.headers_mut().insert(*k, v.parse().unwrap());
        }
        r
    } else {
        match &fault {
            Some(Fault::Status(s)) => error(*s, 0, "injected failure"),
            Some(Fault::Refused { status, code, message }) => error(*status, *code, message),
            Some(Fault::RateLimited { retry_after, global }) => rate_limited(*retry_after, *global),
            Some(Fault::SharedLimit { retry_after }) => {
                let mut r = rate_limited(*retry_after, false);
                r.headers_mut().insert("x-ratelimit-scope", "shared".parse().unwrap());
                r
            }
            Some(Fault::Hang(_)) => unreachable!("answered above"),
            Some(Fault::LostAnswer) | None => match routes::check(&shared, &method, &path, &body, &files, upload_bytes) {
                Err(r) => {
                    let response = r.response();
                    refused = Some((r.code, r.why));
                    response
                }
                Ok(()) => {
                    let response = routes::route(&shared, &method, &path, uri.query().unwrap_or(""), &body, &files);
                    if matches!(fault, Some(Fault::LostAnswer)) {
                        error(502, 0, "injected failure after the request took effect")
                    } else {
                        response
                    }
                }
            },
        }
    };
    if response.status().is_success() {
        for (k, v) in limit_headers {
            response.headers_mut().insert(k, v.parse().unwrap());
        }
    }
    let status = response.status().as_u16();
    let shared_limit = response.headers().get("x-ratelimit-scope").is_some_and(|v| v == "shared");
    shared.inner.lock().unwrap().limits.answered(status, shared_limit, arrived);
    let (refused, why) = match refused {
        Some((code, why)) => (Some(code), why),
        None => (None, vec![]),
    };
    let query = uri.query().unwrap_or("").to_string();
    shared.inner.lock().unwrap().requests.push(Recorded { method, path, query, body, files, raw_files, status, refused, why, at: arrived });
    response
}
