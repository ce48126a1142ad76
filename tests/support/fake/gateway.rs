//! The fake gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats,
//! RESUME, and dispatches forwarded from the test.

use super::{ids, snowflake, user_json, Shared};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;

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

pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(shared, socket))
}

fn member(id: u64, committee: bool) -> Value {
    json!({"user": user_json(id), "nick": null, "roles": if committee { vec![snowflake(ids::COMMITTEE_ROLE)] } else { vec![] },
        "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false})
}

fn role(id: u64, name: &str) -> Value {
    json!({"id": snowflake(id), "name": name, "color": 0, "hoist": false, "position": 0, "permissions": "104324673", "managed": false,
        "mentionable": true, "flags": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}})
}

fn guild_create(shared: &Shared) -> Value {
    let channels = shared.inner.lock().unwrap().channels.clone();
    json!({
        "id": snowflake(ids::GUILD), "name": "Sample Corp", "icon": null, "owner_id": snowflake(ids::BOB),
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "roles": [role(ids::GUILD, "@everyone"), role(ids::COMMITTEE_ROLE, "security-committee")],
        "emojis": [], "features": [], "mfa_level": 0, "system_channel_flags": 0, "premium_tier": 0, "preferred_locale": "ja",
        "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": false, "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "large": false, "unavailable": false, "member_count": 5, "voice_states": [],
        "members": [member(ids::ALICE, false), member(ids::BOB, true), member(ids::CAROL, true), member(ids::DAVE, false), member(ids::BOT, false)],
        "channels": channels, "threads": [], "presences": [], "stage_instances": [], "guild_scheduled_events": []
    })
}

async fn send(socket: &mut WebSocket, v: Value) -> bool {
    socket.send(Message::Text(v.to_string())).await.is_ok()
}

/// A short heartbeat interval (Discord: ~41 s), so that a dropped connection
/// is noticed within a second in tests.
async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut events = shared.events.subscribe();
    let mut control = shared.control.subscribe();
    let addr = shared.addr.lock().unwrap().expect("address");
    let mut seq: u64 = 0;
    let mut ready = false;
    if !send(&mut socket, json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 1000}})).await {
        return;
    }
    loop {
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
                    Some(1) if !send(&mut socket, json!({"op": 11})).await => return,
                    Some(2) => {
                        shared.inner.lock().unwrap().identifies += 1;
                        seq += 1;
                        let ready_d = json!({"v": 10, "user": user_json(ids::BOT), "guilds": [{"id": snowflake(ids::GUILD), "unavailable": true}],
                            "session_id": format!("session-{}", seq), "resume_gateway_url": format!("ws://{addr}/ws"), "shard": [0, 1],
                            "application": {"id": snowflake(ids::APP), "flags": 0}});
                        if !send(&mut socket, json!({"op": 0, "s": seq, "t": "READY", "d": ready_d})).await { return }
                        seq += 1;
                        if !send(&mut socket, json!({"op": 0, "s": seq, "t": "GUILD_CREATE", "d": guild_create(&shared)})).await { return }
                        ready = true;
                    }
                    Some(6) => {
                        shared.inner.lock().unwrap().resumes += 1;
                        seq = v["d"]["seq"].as_u64().unwrap_or(seq);
                        seq += 1;
                        if !send(&mut socket, json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}})).await { return }
                        ready = true;
                    }
                    _ => {}
                }
            }
            ev = events.recv() => {
                let (name, d) = match ev {
                    Ok(e) => e,
                    // A test that dispatches faster than the session sends
                    // must not pass by losing events silently.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => panic!("the fake gateway dropped {n} events: dispatch fewer at once"),
                    Err(_) => continue,
                };
                if !ready { continue; }
                seq += 1;
                if !send(&mut socket, json!({"op": 0, "s": seq, "t": name, "d": d})).await { return }
            }
            c = control.recv() => {
                match c {
                    Ok(Control::Drop) => { let _ = socket.close().await; return; }
                    Ok(Control::Reconnect) => { let _ = send(&mut socket, json!({"op": 7, "d": null})).await; }
                    Ok(Control::InvalidSession(r)) => { let _ = send(&mut socket, json!({"op": 9, "d": r})).await; }
                    Err(_) => {}
                }
            }
        }
    }
}
