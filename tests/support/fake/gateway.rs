//! The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats,
//! RESUME, and the dispatches the test sends — as Discord behaves: the
//! token is checked on IDENTIFY (close 4004), message content is stripped
//! unless the MESSAGE_CONTENT intent was asked for, events dispatched
//! before READY wait for it, and a RESUME replays what the session missed
//! while it was away.

use super::{ids, snowflake, user_json, Shared};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

/// The privileged intent without which message content arrives empty.
pub const MESSAGE_CONTENT: u64 = 1 << 15;

/// Instructions a test sends to connected sessions.
#[derive(Debug, Clone)]
pub enum Control {
    /// Close the connection (as a network drop would).
    Drop,
    /// op 7: ask the client to reconnect and resume.
    Reconnect,
    /// op 9 with `d`: resumable or not.
    InvalidSession(bool),
}

/// A session as Discord remembers it between connections: the last
/// sequence number sent, and how far into the event log it has been sent.
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub seq: u64,
    pub delivered: usize,
    pub intents: u64,
    /// Members past which a guild is "large" (IDENTIFY's, 50 by default).
    pub large_threshold: usize,
    /// `(sequence number, place in the log)` of each dispatch sent: a
    /// RESUME replays from the first the client did not receive.
    pub sent: Vec<(u64, usize)>,
}

pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    if shared.gateway_down.load(std::sync::atomic::Ordering::SeqCst) {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "gateway unavailable").into_response();
    }
    ws.on_upgrade(move |socket| session(shared, socket))
}

pub(crate) fn member(id: u64, roles: Vec<u64>) -> Value {
    json!({"user": user_json(id), "nick": null, "roles": roles.into_iter().map(snowflake).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false})
}

pub(crate) fn role(id: u64, name: &str, permissions: u64, managed: bool) -> Value {
    json!({"id": snowflake(id), "name": name, "color": 0, "hoist": false, "position": 0, "permissions": permissions.to_string(),
        "managed": managed, "mentionable": true, "flags": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}})
}

fn guild_create(shared: &Shared, intents: u64, large_threshold: usize) -> Value {
    let inner = shared.inner.lock().unwrap();
    let names = |id: u64| match id {
        ids::GUILD => "@everyone",
        ids::COMMITTEE_ROLE => "security-committee",
        ids::BOT_ROLE => "hikeshi",
        _ => "role",
    };
    let roles: Vec<Value> = inner.roles.roles.iter().map(|(id, p)| role(*id, names(*id), *p, *id == ids::BOT_ROLE)).collect();
    let role_of = |u: u64| inner.roles.members.iter().find(|(m, _)| *m == u).map(|(_, r)| r.clone()).unwrap_or_default();
    // Without the Server Members intent, Discord sends the bot itself
    // only; past the large threshold too (the bot reads them over REST).
    let all = super::all_members(&inner);
    let member_count = all.len();
    let large = member_count > large_threshold;
    let people = if intents & GUILD_MEMBERS != 0 && !large { all } else { vec![ids::BOT] };
    let members: Vec<Value> = people.iter().map(|u| member(*u, role_of(*u))).collect();
    json!({
        "id": snowflake(ids::GUILD), "name": "Sample Corp", "icon": null, "owner_id": snowflake(ids::BOB),
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "roles": roles, "emojis": [], "features": [], "mfa_level": 0, "system_channel_flags": 0, "premium_tier": 0, "preferred_locale": "ja",
        "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false, "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": large, "unavailable": false, "member_count": member_count, "voice_states": [],
        "members": members, "channels": inner.channels.clone(), "threads": [], "presences": [], "stage_instances": [], "guild_scheduled_events": []
    })
}

async fn send(socket: &mut WebSocket, v: Value) -> bool {
    socket.send(Message::Text(v.to_string())).await.is_ok()
}

/// The Server Members intent, privileged: member events need it.
pub const GUILD_MEMBERS: u64 = 1 << 1;
/// The application flags that allow it (enabled; limited, under 100 servers).
pub const MEMBERS_ENABLED: u64 = (1 << 14) | (1 << 15);

/// Member events reach only sessions that asked for Server Members.
pub fn heard_with(intents: u64, name: &str) -> bool {
    intents & GUILD_MEMBERS != 0 || !name.starts_with("GUILD_MEMBER")
}

/// Without the MESSAGE_CONTENT intent Discord sends a message's content,
/// embeds, attachments and components empty — except the bot's own, and
/// those that mention it.
pub fn as_seen_with(intents: u64, name: &str, mut d: Value) -> Value {
    if intents & MESSAGE_CONTENT != 0 || !matches!(name, "MESSAGE_CREATE" | "MESSAGE_UPDATE") {
        return d;
    }
    let own = d["author"]["id"] == snowflake(ids::BOT);
    let mentions_bot = d["mentions"].as_array().is_some_and(|m| m.iter().any(|u| u["id"] == snowflake(ids::BOT)));
    if !own && !mentions_bot {
        for (k, empty) in [("content", json!("")), ("embeds", json!([])), ("attachments", json!([])), ("components", json!([]))] {
            if d.get(k).is_some() {
                d[k] = empty;
            }
        }
    }
    d
}

/// A short heartbeat interval (Discord: ~41 s), so that a dropped connection
/// is noticed within a second in tests.
async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut control = shared.control.subscribe();
    let addr = shared.addr.lock().unwrap().expect("address");
    // Events from now on are this connection's; they wait for READY.
    let mut state = Session { delivered: shared.log.lock().unwrap().len(), ..Default::default() };
    let mut session_id: Option<String> = None;
    if !send(&mut socket, json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 1000}})).await {
        return;
    }
    loop {
        // Armed before looking, so an event logged meanwhile still wakes us.
        let logged = shared.logged.notified();
        tokio::pin!(logged);
        logged.as_mut().enable();
        // Everything dispatched since the last look, once the session is ready.
        if let Some(id) = &session_id {
            let pending: Vec<(String, Value)> = shared.log.lock().unwrap()[state.delivered..].to_vec();
            for (name, d) in pending {
                if !heard_with(state.intents, &name) {
                    state.delivered += 1;
                    continue;
                }
                state.seq += 1;
                state.sent.push((state.seq, state.delivered));
                state.delivered += 1;
                if !send(&mut socket, json!({"op": 0, "s": state.seq, "t": name, "d": as_seen_with(state.intents, &name, d)})).await {
                    return;
                }
                shared.sessions.lock().unwrap().insert(id.clone(), state.clone());
            }
        }
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { return };
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Close(_) => return,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) if shared.heartbeats_unanswered.load(std::sync::atomic::Ordering::SeqCst) => {}
                    Some(1) if !send(&mut socket, json!({"op": 11})).await => return,
                    Some(2) => {
                        if v["d"]["token"].as_str().map(|t| t.trim_start_matches("Bot ")) != Some(ids::TOKEN) {
                            let _ = socket.send(Message::Close(Some(CloseFrame { code: 4004, reason: "Authentication failed.".into() }))).await;
                            return;
                        }
                        let n = {
                            let mut inner = shared.inner.lock().unwrap();
                            inner.identifies += 1;
                            inner.identifies
                        };
                        state.intents = v["d"]["intents"].as_u64().unwrap_or(0);
                        state.large_threshold = v["d"]["large_threshold"].as_u64().unwrap_or(50) as usize;
                        let flags = shared.inner.lock().unwrap().app_flags;
                        if state.intents & GUILD_MEMBERS != 0 && flags & MEMBERS_ENABLED == 0 {
                            let _ = socket.send(Message::Close(Some(CloseFrame { code: 4014, reason: "Disallowed intent(s).".into() }))).await;
                            return;
                        }
                        shared.inner.lock().unwrap().intents.push(state.intents);
                        let id = format!("session-{n}");
                        state.seq += 1;
                        let ready_d = json!({"v": 10, "user": user_json(ids::BOT), "guilds": [{"id": snowflake(ids::GUILD), "unavailable": true}],
                            "session_id": id, "resume_gateway_url": format!("ws://{addr}/ws"), "shard": [0, 1],
                            "application": {"id": snowflake(ids::APP), "flags": 0}});
                        if !send(&mut socket, json!({"op": 0, "s": state.seq, "t": "READY", "d": ready_d})).await { return }
                        state.seq += 1;
                        if !send(&mut socket, json!({"op": 0, "s": state.seq, "t": "GUILD_CREATE", "d": guild_create(&shared, state.intents, state.large_threshold)})).await { return }
                        shared.sessions.lock().unwrap().insert(id.clone(), state.clone());
                        session_id = Some(id);
                    }
                    Some(6) => {
                        let id = v["d"]["session_id"].as_str().unwrap_or("").to_string();
                        let known = shared.sessions.lock().unwrap().get(&id).cloned();
                        let Some(known) = known else {
                            if !send(&mut socket, json!({"op": 9, "d": false})).await { return }
                            continue;
                        };
                        shared.inner.lock().unwrap().resumes += 1;
                        // Replays what was dispatched after the last event the
                        // session received, numbered on from its sequence.
                        // From the first dispatch after the client's sequence.
                        let client_seq = v["d"]["seq"].as_u64().unwrap_or(0);
                        let from = known.sent.iter().find(|(s, _)| *s > client_seq).map(|(_, i)| *i).unwrap_or(known.delivered);
                        state = Session { seq: known.seq.max(client_seq), delivered: from, ..known };
                        session_id = Some(id.clone());
                        let missed: Vec<(String, Value)> = shared.log.lock().unwrap()[state.delivered..].to_vec();
                        for (name, d) in missed {
                            if !heard_with(state.intents, &name) {
                                state.delivered += 1;
                                continue;
                            }
                            state.seq += 1;
                            state.sent.push((state.seq, state.delivered));
                            state.delivered += 1;
                            if !send(&mut socket, json!({"op": 0, "s": state.seq, "t": name, "d": as_seen_with(state.intents, &name, d)})).await { return }
                        }
                        state.seq += 1;
                        if !send(&mut socket, json!({"op": 0, "s": state.seq, "t": "RESUMED", "d": {}})).await { return }
                        shared.sessions.lock().unwrap().insert(id, state.clone());
                    }
                    _ => {}
                }
            }
            _ = &mut logged => {}
            c = control.recv() => {
                match c {
                    Ok(Control::Drop) => { let _ = socket.close().await; return; }
                    Ok(Control::Reconnect) => { let _ = send(&mut socket, json!({"op": 7, "d": null})).await; }
                    Ok(Control::InvalidSession(r)) => {
                        if !r {
                            if let Some(id) = session_id.take() {
                                shared.sessions.lock().unwrap().remove(&id);
                            }
                        }
                        let _ = send(&mut socket, json!({"op": 9, "d": r})).await;
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_intent_content_arrives_empty_unless_it_mentions_the_bot() {
        let m = json!({"author": {"id": "3001"}, "content": "secret", "embeds": [{"title": "x"}], "mentions": []});
        assert_eq!(as_seen_with(0, "MESSAGE_CREATE", m.clone())["content"], "");
        assert_eq!(as_seen_with(MESSAGE_CONTENT, "MESSAGE_CREATE", m.clone())["content"], "secret");
        let mut to_bot = m.clone();
        to_bot["mentions"] = json!([{"id": snowflake(ids::BOT)}]);
        assert_eq!(as_seen_with(0, "MESSAGE_CREATE", to_bot)["content"], "secret");
        assert_eq!(as_seen_with(0, "INTERACTION_CREATE", m)["content"], "secret");
    }
}
