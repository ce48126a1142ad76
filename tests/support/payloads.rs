//! Gateway payloads shaped as Discord sends them (the shapes serenity
//! 0.12.5 accepts field for field; see shared/discord/payloads).

use super::fake::{ids, snowflake, user_json};
use serde_json::{json, Value};

pub fn member(user: u64) -> Value {
    let committee = user == ids::BOB || user == ids::CAROL;
    json!({"user": user_json(user), "nick": null, "roles": if committee { vec![snowflake(ids::COMMITTEE_ROLE)] } else { vec![] },
        "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": "2147483647"})
}

/// The fields every interaction carries.
fn base(id: u64, kind: u8, user: u64, channel: u64, guild: Option<u64>, locale: &str, data: Value) -> Value {
    let mut v = json!({
        "id": snowflake(id), "application_id": snowflake(ids::APP), "type": kind, "data": data,
        "channel_id": snowflake(channel), "channel": {"id": snowflake(channel), "type": 0, "name": "channel", "permissions": "2147483647"},
        "token": format!("interaction-token-{id}"), "version": 1, "app_permissions": "2147483647",
        "locale": locale, "guild_locale": "ja", "entitlements": [], "authorizing_integration_owners": {"0": snowflake(ids::GUILD)},
        "context": 0, "attachment_size_limit": 10485760
    });
    match guild {
        Some(g) => {
            v["guild_id"] = json!(snowflake(g));
            v["member"] = member(user);
        }
        None => {
            v["user"] = user_json(user);
            v["context"] = json!(1);
        }
    }
    v
}

/// Where and as whom an interaction happens.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub user: u64,
    pub channel: u64,
    pub guild: Option<u64>,
    pub locale: &'static str,
}

impl Who {
    pub fn new(user: u64, channel: u64) -> Who {
        Who { user, channel, guild: Some(ids::GUILD), locale: "ja" }
    }
    pub fn en(mut self) -> Who {
        self.locale = "en-US";
        self
    }
}

pub fn slash(id: u64, who: Who, name: &str, options: Value) -> Value {
    base(id, 2, who.user, who.channel, who.guild, who.locale, json!({"id": snowflake(id + 1), "name": name, "type": 1, "options": options}))
}

pub fn message_command(id: u64, who: Who, target: &Value) -> Value {
    let mid = target["id"].clone();
    base(
        id,
        2,
        who.user,
        who.channel,
        who.guild,
        who.locale,
        json!({
            "id": snowflake(id + 1), "name": "Report as incident", "type": 3, "target_id": mid,
            "resolved": {"messages": {mid.as_str().unwrap_or("0"): target}}
        }),
    )
}

pub fn modal(id: u64, who: Who, custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> =
        fields.iter().map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]})).collect();
    base(id, 5, who.user, who.channel, who.guild, who.locale, json!({"custom_id": custom_id, "components": rows}))
}

fn with_message(mut v: Value, message: &Value) -> Value {
    let mut m = message.clone();
    if m.get("author").is_none() {
        m["author"] = user_json(ids::BOT);
    }
    v["message"] = m;
    v
}

pub fn button(id: u64, who: Who, custom_id: &str, message: &Value) -> Value {
    with_message(base(id, 3, who.user, who.channel, who.guild, who.locale, json!({"custom_id": custom_id, "component_type": 2})), message)
}

pub fn string_select(id: u64, who: Who, custom_id: &str, values: &[&str], message: &Value) -> Value {
    with_message(
        base(id, 3, who.user, who.channel, who.guild, who.locale, json!({"custom_id": custom_id, "component_type": 3, "values": values})),
        message,
    )
}

pub fn user_select(id: u64, who: Who, custom_id: &str, user: u64, message: &Value) -> Value {
    let data = json!({"custom_id": custom_id, "component_type": 5, "values": [snowflake(user)],
        "resolved": {"users": {snowflake(user): user_json(user)}}});
    with_message(base(id, 3, who.user, who.channel, who.guild, who.locale, data), message)
}

/// A member's message in a channel, as MESSAGE_CREATE carries it.
pub fn user_message(id: u64, user: u64, channel: u64, content: &str) -> Value {
    json!({
        "id": snowflake(id), "channel_id": snowflake(channel), "author": user_json(user), "content": content,
        "timestamp": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(), "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        "flags": 0, "components": [], "guild_id": snowflake(ids::GUILD),
        "member": {"roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0}
    })
}
