//! The fake's routes: first what Discord would refuse (the interaction
//! protocol, the bot's permissions, the limits of a body), then what a
//! request does.

use super::limits::{self, FormError};
use super::perms::{self, ADMINISTRATOR};
use super::{channel_json, error, gateway, ids, now_iso, path_matches, snowflake, user_json, Inner, Refusal, Shared, ANSWER_WITHIN};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

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

/// Channels hikeshi keeps private: incident channels (their topic starts
/// with the incident number), and the categories that hold them.
fn is_private(inner: &Inner, ch: &Value) -> bool {
    let topic = ch["topic"].as_str().unwrap_or("");
    let name = ch["name"].as_str().unwrap_or("");
    let category = |id: &Value| {
        let id = id.as_str().and_then(|s| s.parse::<u64>().ok());
        id == Some(ids::INCIDENT_CATEGORY)
            || id == Some(ids::ARCHIVE_CATEGORY)
            || inner.channels.iter().any(|c| {
                c["id"].as_str().and_then(|s| s.parse::<u64>().ok()) == id
                    && c["type"] == 4
                    && c["name"].as_str().is_some_and(|n| n.starts_with("incidents-") || n.starts_with("archive-"))
            })
    };
    topic.starts_with("[INC-")
        || topic.starts_with("[DRILL-")
        || category(&ch["id"])
        || (ch["type"] != 4 && category(&ch["parent_id"]))
        || (ch["type"] == 4 && (name.starts_with("incidents-") || name.starts_with("archive-")))
}

/// hikeshi's promise, checked after every change to a channel: @everyone
/// cannot see an incident channel, an archived one, or their categories.
fn check_privacy(inner: &mut Inner, id: u64) {
    let Some(ch) = inner.channels.iter().find(|c| c["id"] == snowflake(id)).cloned() else {
        return;
    };
    if is_private(inner, &ch) && inner.roles.everyone_in(&ch["permission_overwrites"]) & perms::VIEW_CHANNEL != 0 {
        let name = ch["name"].as_str().unwrap_or("?").to_string();
        inner.privacy.push(format!("@everyone can see #{name} ({id})"));
    }
}

/// Discord tells every session of a channel's change (its overwrites, its
/// category, its name): CHANNEL_UPDATE, or THREAD_UPDATE for a thread.
pub(super) fn channel_changed(shared: &Shared, ch: &Value) {
    let event = if is_thread(ch) { "THREAD_UPDATE" } else { "CHANNEL_UPDATE" };
    shared.emit(event, ch.clone());
}

fn channel<'a>(inner: &'a Inner, id: &str) -> Option<&'a Value> {
    inner.channels.iter().find(|c| c["id"] == *id)
}

fn children(inner: &Inner, parent: &str) -> usize {
    inner.channels.iter().filter(|c| c["parent_id"] == *parent).count()
}

fn full_category() -> Refusal {
    Refusal::form(vec![FormError {
        path: vec!["parent_id".into()],
        code: "CHANNEL_PARENT_MAX_CHANNELS",
        message: "Maximum number of channels in category reached (50)".into(),
    }])
}

/// The bot's permissions where it acts: in a guild channel from its roles
/// and the channel's overwrites; DM channels need none.
fn is_thread(ch: &Value) -> bool {
    matches!(ch["type"].as_u64(), Some(10..=12))
}

fn bot_in(inner: &Inner, channel_id: &str) -> Option<u64> {
    let mut ch = channel(inner, channel_id)?;
    if ch["type"] == 1 {
        return Some(u64::MAX);
    }
    // A thread has no overwrites: its parent's apply.
    if is_thread(ch) {
        ch = channel(inner, ch["parent_id"].as_str()?)?;
    }
    Some(inner.roles.in_channel(ids::BOT, &ch["permission_overwrites"]))
}

fn need(have: u64, want: u64) -> Result<(), Refusal> {
    match perms::refusal(have, want) {
        Some((status, code, message)) => Err(Refusal::new(status, code, message)),
        None => Ok(()),
    }
}

fn form(errors: Vec<FormError>) -> Result<(), Refusal> {
    if errors.is_empty() {
        Ok(())
    } else if errors.iter().all(|e| e.code == "EMPTY_MESSAGE") {
        // Discord names this one with a code of its own.
        Err(Refusal::new(400, 50006, "Cannot send an empty message"))
    } else {
        Err(Refusal::form(errors))
    }
}

/// The body's own problems: Discord's OpenAPI schema, then its documented
/// limits for this route.
fn body_errors(shared: &Shared, method: &str, path: &str, body: &Value, files: &[(String, String)]) -> Vec<FormError> {
    let mut errors: Vec<FormError> = if body.is_null() {
        vec![]
    } else {
        shared.spec.check(method, path, body).into_iter().map(|e| FormError { path: vec![], code: "SCHEMA", message: e }).collect()
    };
    let message_route = |p: &str| path_matches(p, path);
    if method == "POST" && (message_route("/channels/*/messages") || message_route("/webhooks/*/*")) {
        errors.extend(limits::message(body, true, files.len()));
    } else if method == "PATCH" && (message_route("/channels/*/messages/*") || message_route("/webhooks/*/*/messages/*")) {
        errors.extend(limits::message(body, false, files.len()));
    } else if method == "POST" && message_route("/interactions/*/*/callback") {
        let data = &body["data"];
        match body["type"].as_u64() {
            Some(4) => errors.extend(limits::message(data, true, files.len()).into_iter().map(|e| prefixed(e, "data"))),
            Some(7) => errors.extend(limits::message(data, false, files.len()).into_iter().map(|e| prefixed(e, "data"))),
            Some(9) => errors.extend(limits::modal(data).into_iter().map(|e| prefixed(e, "data"))),
            _ => {}
        }
    }
    if files.len() > limits::MAX_FILES {
        errors.push(FormError {
            path: vec!["files".into()],
            code: "BASE_TYPE_MAX_LENGTH",
            message: "Must be 10 or fewer in length.".into(),
        });
    }
    if let Some(n) = body.get("nonce").and_then(|n| n.as_str()) {
        if n.len() > 25 {
            errors.push(FormError {
                path: vec!["nonce".into()],
                code: "BASE_TYPE_MAX_LENGTH",
                message: "Must be 25 or fewer in length.".into(),
            });
        }
    }
    if method == "POST" && message_route("/guilds/*/channels") {
        let n = body["name"].as_str().map(|n| n.chars().count()).unwrap_or(0);
        if !(1..=100).contains(&n) {
            errors.push(FormError {
                path: vec!["name".into()],
                code: "BASE_TYPE_BAD_LENGTH",
                message: "Must be between 1 and 100 in length.".into(),
            });
        }
    }
    errors
}

fn prefixed(mut e: FormError, p: &str) -> FormError {
    e.path.insert(0, p.to_string());
    e
}

/// Everything Discord would refuse about this request, before it does
/// anything.
pub(super) fn check(
    shared: &Arc<Shared>,
    method: &str,
    path: &str,
    body: &Value,
    files: &[(String, String)],
    upload_bytes: usize,
) -> Result<(), Refusal> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut inner = shared.inner.lock().unwrap();
    // The interaction protocol.
    match (method, segs.as_slice()) {
        ("POST", ["interactions", id, token, "callback"]) => {
            let now = inner.now();
            let Some(p) = inner.interactions.get_mut(*id).filter(|p| p.token == *token) else {
                return Err(Refusal::new(404, 10062, "Unknown interaction"));
            };
            if now.duration_since(p.created) > ANSWER_WITHIN {
                return Err(Refusal::new(404, 10062, "Unknown interaction"));
            }
            if p.answered {
                return Err(Refusal::new(400, 40060, "Interaction has already been acknowledged."));
            }
            // Checked below before it counts as the answer.
        }
        (_, ["webhooks", app, token, ..]) => {
            let now = inner.now();
            // A token lives 15 minutes: then Discord no longer knows it.
            let Some(p) = inner.interactions.values().find(|p| p.token == *token && now.duration_since(p.created) <= super::TOKEN_LIFE)
            else {
                return Err(Refusal::new(401, 50027, "Invalid Webhook Token"));
            };
            if *app != snowflake(ids::APP) || !p.answered {
                return Err(Refusal::new(404, 10015, "Unknown Webhook"));
            }
        }
        _ => {}
    }
    // The bot's own permissions.
    let base = inner.roles.base(ids::BOT);
    match (method, segs.as_slice()) {
        ("POST", ["channels", c, "messages"]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            let mut want = perms::VIEW_CHANNEL | perms::SEND_MESSAGES;
            if body["embeds"].as_array().is_some_and(|e| !e.is_empty()) {
                want |= perms::EMBED_LINKS;
            }
            if !files.is_empty() {
                want |= perms::ATTACH_FILES;
            }
            need(have, want)?;
        }
        ("PATCH", ["channels", c, "messages", _]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            need(have, perms::VIEW_CHANNEL)?;
        }
        // Deleting someone else's message needs Manage Messages.
        ("DELETE", ["channels", c, "messages", m]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            let id = c.parse::<u64>().unwrap_or(0);
            let own = inner
                .messages
                .get(&id)
                .and_then(|l| l.iter().find(|x| x["id"] == *m))
                .is_some_and(|x| x["author"]["id"] == snowflake(ids::BOT));
            need(have, perms::VIEW_CHANNEL | if own { 0 } else { perms::MANAGE_MESSAGES })?;
        }
        ("GET", ["channels", c, "messages"]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            need(have, perms::VIEW_CHANNEL | perms::READ_MESSAGE_HISTORY)?;
        }
        ("PUT", ["channels", c, "thread-members", "@me"]) | ("GET", ["channels", c]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            need(have, perms::VIEW_CHANNEL)?;
        }
        ("POST", ["guilds", _, "roles"]) => need(base | perms::VIEW_CHANNEL, perms::MANAGE_ROLES)?,
        ("POST", ["guilds", _, "channels"]) => {
            let overwrites = body["permission_overwrites"].as_array().cloned().unwrap_or_default();
            let want = perms::MANAGE_CHANNELS | if overwrites.is_empty() { 0 } else { perms::MANAGE_ROLES };
            need(base | perms::VIEW_CHANNEL, want)?;
            if base & ADMINISTRATOR == 0 && !perms::grants_only_what_it_has(base, &overwrites) {
                return Err(Refusal::new(403, 50013, "Missing Permissions"));
            }
        }
        ("PATCH", ["channels", c]) if channel(&inner, c).is_some_and(is_thread) => {
            // Archiving or locking someone else's thread needs Manage Threads.
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            need(have, perms::VIEW_CHANNEL | perms::MANAGE_THREADS)?;
        }
        ("PATCH", ["channels", c]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            let overwrites = body["permission_overwrites"].as_array().cloned().unwrap_or_default();
            let want = perms::VIEW_CHANNEL | perms::MANAGE_CHANNELS | if overwrites.is_empty() { 0 } else { perms::MANAGE_ROLES };
            need(have, want)?;
            if have != u64::MAX && !perms::grants_only_what_it_has(have, &overwrites) {
                return Err(Refusal::new(403, 50013, "Missing Permissions"));
            }
        }
        ("PUT" | "DELETE", ["channels", c, "permissions", _]) => {
            let have = bot_in(&inner, c).ok_or_else(|| Refusal::new(404, 10003, "Unknown Channel"))?;
            need(have, perms::VIEW_CHANNEL | perms::MANAGE_ROLES)?;
            if method == "PUT" && have != u64::MAX && !perms::grants_only_what_it_has(have, std::slice::from_ref(body)) {
                return Err(Refusal::new(403, 50013, "Missing Permissions"));
            }
        }
        _ => {}
    }
    // The body, and the places it would fill.
    form(body_errors(shared, method, path, body, files))?;
    if upload_bytes > inner.upload_limit {
        return Err(Refusal::new(413, 40005, "Request entity too large"));
    }
    match (method, segs.as_slice()) {
        ("POST", ["guilds", _, "channels"]) => {
            if inner.channels.iter().filter(|c| c["type"] != 1 && !is_thread(c)).count() >= 500 {
                return Err(Refusal::new(400, 30013, "Maximum number of guild channels reached (500)"));
            }
            if let Some(p) = body["parent_id"].as_str() {
                if children(&inner, p) >= 50 {
                    return Err(full_category());
                }
            }
        }
        ("PATCH", ["channels", c]) => {
            if let Some(p) = body["parent_id"].as_str() {
                let moving = channel(&inner, c).is_some_and(|ch| ch["parent_id"] != *p);
                if moving && children(&inner, p) >= 50 {
                    return Err(full_category());
                }
            }
        }
        _ => {}
    }
    // The answer is accepted: it is the interaction's one initial response.
    if let ("POST", ["interactions", id, _, "callback"]) = (method, segs.as_slice()) {
        if let Some(p) = inner.interactions.get_mut(*id) {
            p.answered = true;
        }
    }
    Ok(())
}

/// The guild's roles, as `GET /guilds/{id}/roles` lists them.
pub(super) fn roles_json(inner: &Inner) -> Vec<Value> {
    inner
        .roles
        .roles
        .iter()
        .map(|(id, p)| {
            let (name, mentionable, position) = inner.role_meta.get(id).cloned().unwrap_or_else(|| ("role".into(), false, 1));
            json!({"id": snowflake(*id), "name": name, "color": 0, "hoist": false, "icon": null, "unicode_emoji": null,
                "position": position, "permissions": p.to_string(), "managed": *id == ids::BOT_ROLE, "mentionable": mentionable, "flags": 0})
        })
        .collect()
}

/// `GET /channels/{id}/messages`: at most `limit` (1–100, default 50)
/// messages, newest first; `before` the ones just older than an id, `after`
/// the ones just newer (still newest first), as Discord answers.
fn history(inner: &Inner, channel: &str, query: &str) -> Response {
    let Ok(channel) = channel.parse::<u64>() else {
        return error(404, 10003, "Unknown Channel");
    };
    let param = |k: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{k}="))).and_then(|v| v.parse::<u64>().ok());
    let limit = param("limit").unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return error(400, 50035, "Invalid Form Body");
    }
    let id = |m: &Value| m["id"].as_str().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let mut all: Vec<Value> = inner.messages.get(&channel).cloned().unwrap_or_default();
    // A nonce is for its sender's session (the answer to the post, the
    // gateway's MESSAGE_CREATE): the history does not carry it.
    for m in &mut all {
        if let Some(o) = m.as_object_mut() {
            o.remove("nonce");
        }
    }
    all.sort_by_key(|m| std::cmp::Reverse(id(m)));
    let page: Vec<Value> = match (param("before"), param("after")) {
        (_, Some(after)) => {
            let mut newer: Vec<Value> = all.into_iter().filter(|m| id(m) > after).collect();
            let keep = newer.len().saturating_sub(limit as usize);
            newer.drain(..keep);
            newer
        }
        (Some(before), None) => all.into_iter().filter(|m| id(m) < before).take(limit as usize).collect(),
        (None, None) => all.into_iter().take(limit as usize).collect(),
    };
    ok(Value::Array(page))
}

pub(super) fn route(shared: &Arc<Shared>, method: &str, path: &str, query: &str, body: &Value, files: &[(String, String)]) -> Response {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let addr = shared.addr.lock().unwrap().expect("address");
    let mut inner = shared.inner.lock().unwrap();
    match (method, segs.as_slice()) {
        ("GET", ["gateway"]) => ok(json!({"url": format!("ws://{addr}/ws")})),
        ("GET", ["gateway", "bot"]) => ok(json!({"url": format!("ws://{addr}/ws"), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})),
        ("GET", ["users", "@me"]) => ok(user_json(ids::BOT)),
        ("GET", ["users", "@me", "guilds"]) => {
            ok(json!([{"id": snowflake(ids::GUILD), "name": "Sample Corp", "icon": null, "owner": false,
            "permissions": perms::BOT_INVITE.to_string(), "features": []}]))
        }
        ("GET", ["oauth2", "applications", "@me"]) => {
            ok(json!({"id": snowflake(ids::APP), "name": "hikeshi", "icon": null, "description": "",
            "rpc_origins": [], "bot_public": false, "bot_require_code_grant": false, "verify_key": "abc", "owner": user_json(ids::BOB), "team": null, "flags": inner.app_flags}))
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
        ("GET", ["guilds", _, "channels"]) => {
            // Threads are not guild channels in this list (Discord lists them
            // under threads/active).
            ok(Value::Array(inner.channels.iter().filter(|c| !is_thread(c)).cloned().collect()))
        }
        ("GET", ["channels", c, "messages"]) => history(&inner, c, query),
        ("GET", ["channels", c]) => match inner.channels.iter().find(|x| x["id"] == *c) {
            Some(found) => {
                // Who joined a thread is the fake's own bookkeeping.
                let mut found = found.clone();
                if let Some(o) = found.as_object_mut() {
                    o.remove("members");
                }
                ok(found)
            }
            None => error(404, 10003, "Unknown Channel"),
        },
        ("PUT", ["channels", c, "thread-members", "@me"]) => {
            let Some(t) = inner.channels.iter_mut().find(|x| x["id"] == *c && is_thread(x)) else {
                return error(404, 10003, "Unknown Channel");
            };
            if t["thread_metadata"]["archived"] == true {
                return error(400, 50083, "Thread is archived");
            }
            let members = t.as_object_mut().unwrap().entry("members").or_insert(json!([]));
            let me = json!(snowflake(ids::BOT));
            if !members.as_array().unwrap().contains(&me) {
                members.as_array_mut().unwrap().push(me);
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET", ["guilds", _, "threads", "active"]) => {
            let threads: Vec<Value> =
                inner.channels.iter().filter(|c| is_thread(c) && c["thread_metadata"]["archived"] != true).cloned().collect();
            ok(json!({"threads": threads, "members": []}))
        }
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
        ("GET", ["guilds", g]) if *g != snowflake(ids::GUILD) => error(404, 10004, "Unknown Guild"),
        ("GET", ["guilds", _, "roles"]) => ok(Value::Array(roles_json(&inner))),
        ("POST", ["guilds", _, "roles"]) => {
            let id = new_id(&mut inner);
            let perms = body["permissions"].as_u64().or_else(|| body["permissions"].as_str().and_then(|p| p.parse().ok())).unwrap_or(0u64);
            inner.roles.roles.push((id, perms));
            let name = body["name"].as_str().unwrap_or("new role").to_string();
            inner.role_meta.insert(id, (name, body["mentionable"] == true, 1));
            let made = roles_json(&inner).into_iter().find(|r| r["id"] == snowflake(id));
            ok(made.unwrap_or(Value::Null))
        }
        // Listing members needs the Server Members intent enabled.
        ("GET", ["guilds", _, "members"]) if inner.app_flags & gateway::MEMBERS_ENABLED == 0 => error(403, 50001, "Missing Access"),
        ("GET", ["guilds", _, "members"]) => {
            let q = |k: &str| query.split('&').find_map(|p| p.strip_prefix(&format!("{k}="))).and_then(|v| v.parse::<u64>().ok());
            let (limit, after) = (q("limit").unwrap_or(1).clamp(1, 1000), q("after").unwrap_or(0));
            let roles_of = |u: u64| inner.roles.members.iter().find(|(m, _)| *m == u).map(|(_, r)| r.clone()).unwrap_or_default();
            let page: Vec<Value> = super::all_members(&inner)
                .into_iter()
                .filter(|u| *u > after)
                .take(limit as usize)
                .map(|u| gateway::member(u, roles_of(u)))
                .collect();
            ok(Value::Array(page))
        }
        ("GET", ["guilds", _, "members", u]) => {
            let Ok(user) = u.parse::<u64>() else {
                return error(404, 10013, "Unknown User");
            };
            if !super::all_members(&inner).contains(&user) {
                return error(404, 10007, "Unknown Member");
            }
            let roles: Vec<String> = inner
                .roles
                .members
                .iter()
                .find(|(m, _)| *m == user)
                .map(|(_, r)| r.iter().map(|x| snowflake(*x)).collect())
                .unwrap_or_default();
            ok(
                json!({"user": user_json(user), "nick": null, "avatar": null, "roles": roles, "joined_at": "2024-01-01T00:00:00.000000+00:00",
                "premium_since": null, "deaf": false, "mute": false, "flags": 0, "pending": false, "communication_disabled_until": null}),
            )
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
            check_privacy(&mut inner, id);
            shared.emit("CHANNEL_CREATE", c.clone());
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
            for flag in ["archived", "locked"] {
                if let (Some(v), Some(meta)) = (body.get(flag), ch.get_mut("thread_metadata")) {
                    meta[flag] = v.clone();
                }
            }
            let ch = ch.clone();
            check_privacy(&mut inner, c.parse().unwrap_or(0));
            channel_changed(shared, &ch);
            ok(ch)
        }
        ("PUT", ["channels", c, "permissions", target]) => {
            let Some(ch) = inner.channels.iter_mut().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            let mut list = ch["permission_overwrites"].as_array().cloned().unwrap_or_default();
            list.retain(|o| o["id"] != *target);
            list.push(json!({"id": target, "type": body["type"], "allow": body["allow"], "deny": body["deny"]}));
            ch["permission_overwrites"] = Value::Array(list);
            let ch = ch.clone();
            check_privacy(&mut inner, c.parse().unwrap_or(0));
            channel_changed(shared, &ch);
            StatusCode::NO_CONTENT.into_response()
        }
        ("DELETE", ["channels", c, "permissions", target]) => {
            let Some(ch) = inner.channels.iter_mut().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            let mut list = ch["permission_overwrites"].as_array().cloned().unwrap_or_default();
            list.retain(|o| o["id"] != *target);
            ch["permission_overwrites"] = Value::Array(list);
            let ch = ch.clone();
            check_privacy(&mut inner, c.parse().unwrap_or(0));
            channel_changed(shared, &ch);
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["channels", c, "messages"]) => {
            let Ok(channel) = c.parse::<u64>() else {
                return error(404, 10003, "Unknown Channel");
            };
            let Some(target) = inner.channels.iter().find(|x| x["id"] == *c) else {
                return error(404, 10003, "Unknown Channel");
            };
            let recipient = target["recipients"][0]["id"].as_str().and_then(|r| r.parse::<u64>().ok());
            if target["type"] == 1 && recipient.is_some_and(|r| inner.dms_closed.contains(&r)) {
                return error(403, 50007, "Cannot send messages to this user");
            }
            // enforce_nonce: the same nonce in the same channel within a few
            // minutes returns the first message instead of posting again.
            let nonce = body.get("nonce").and_then(|n| n.as_str()).map(str::to_string);
            let now = inner.now();
            if body.get("enforce_nonce") == Some(&json!(true)) {
                if let Some(n) = &nonce {
                    if let Some((m, at)) = inner.nonces.get(&(channel, n.clone())) {
                        if now.duration_since(*at) < super::NONCE_WINDOW {
                            return ok(m.clone());
                        }
                    }
                }
            }
            let id = new_id(&mut inner);
            let mut m = message_json(id, channel, body);
            m["attachments"] = Value::Array(files.iter().enumerate().map(|(i, (name, content))| json!({
                "id": snowflake(id + 1 + i as u64), "filename": name, "size": content.len(), "url": format!("http://{addr}/attachments/{id}/{name}"), "proxy_url": format!("http://{addr}/attachments/{id}/{name}")
            })).collect());
            if let Some(n) = nonce {
                inner.nonces.insert((channel, n), (m.clone(), now));
            }
            inner.messages.entry(channel).or_default().push(m.clone());
            let mut event = m.clone();
            event["guild_id"] = json!(snowflake(ids::GUILD));
            shared.emit("MESSAGE_CREATE", event);
            ok(m)
        }
        ("DELETE", ["channels", c, "messages", m]) => {
            let id = c.parse::<u64>().unwrap_or(0);
            let list = inner.messages.entry(id).or_default();
            let Some(at) = list.iter().position(|x| x["id"] == *m) else {
                return error(404, 10008, "Unknown Message");
            };
            list.remove(at);
            shared.emit("MESSAGE_DELETE", json!({"id": m, "channel_id": c, "guild_id": snowflake(ids::GUILD)}));
            StatusCode::NO_CONTENT.into_response()
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
