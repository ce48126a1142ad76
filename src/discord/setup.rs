//! `hikeshi setup`: makes a new server ready — the committee role, the
//! incidents and archive categories, the committee and announcement
//! channels, each with the right permission overwrites (nothing private
//! visible to @everyone at any moment: overwrites come with the creation) —
//! and returns their ids for the configuration's `[discord]` table. What
//! exists already (the configured id, or the same name and kind) is reused,
//! so running it twice changes nothing.

use super::channels::{num, perms as bits};
use super::rest::{Rest, RestError};
use crate::config::{DiscordIds, Secret, Settings};
use crate::domain::{ChannelId, Lang, RoleId};
use crate::tr;
use serde_json::{json, Value};
use serenity::all::{GuildId, LightMethod, Request, Route};

/// What the committee does in its places.
const COMMITTEE: u64 =
    bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::EMBED_LINKS | bits::ATTACH_FILES | bits::READ_MESSAGE_HISTORY | bits::THREADS;

fn failed(what: &str, e: RestError) -> anyhow::Error {
    anyhow::anyhow!("{what}: Discord answered {e}")
}

/// Finds or makes every place; `said` gets one line per place.
pub async fn setup(token: &Secret, api_base: &str, s: &Settings, guild: Option<u64>, said: &mut Vec<String>) -> anyhow::Result<DiscordIds> {
    let lang = s.organisation.lang;
    let rest = super::Discord::rest_only(token, api_base);
    let me = get(&rest, Route::UserMe).await.map_err(|e| failed("checking the token", e))?;
    let bot = num(&me["id"]);
    let guild = server(&rest, guild, s.discord.guild).await?;
    said.push(format!("✔ server {guild}"));
    let role = committee_role(&rest, guild, s.discord.committee_role.0, lang, said).await?;
    let g = GuildId::new(guild);
    let channels = get(&rest, Route::GuildChannels { guild_id: g }).await.map_err(|e| failed("reading the channels", e))?;
    let channels = channels.as_array().cloned().unwrap_or_default();
    let mut made = vec![];
    for want in wanted(s, guild, role, bot) {
        made.push(place(&rest, g, &channels, want, said).await?);
    }
    Ok(DiscordIds {
        guild,
        committee_role: RoleId(role),
        incident_category: ChannelId(made[0]),
        archive_category: ChannelId(made[1]),
        committee_channel: ChannelId(made[2]),
        announcement_channel: ChannelId(made[3]),
        // Kept as configured: setup does not make the IT department's role.
        it_department_role: s.discord.it_department_role,
    })
}

async fn get(rest: &Rest, route: Route<'static>) -> Result<Value, RestError> {
    rest.json::<Value>(Request::new(route, LightMethod::Get)).await
}

/// The server: named, configured (if the bot is in it), or the only one.
async fn server(rest: &Rest, named: Option<u64>, configured: u64) -> anyhow::Result<u64> {
    let guilds = get(rest, Route::UserMeGuilds).await.map_err(|e| failed("listing the bot's servers", e))?;
    let ids: Vec<u64> = guilds.as_array().map(|g| g.iter().map(|g| num(&g["id"])).collect()).unwrap_or_default();
    Ok(match named {
        Some(g) if ids.contains(&g) => g,
        Some(g) => anyhow::bail!("the bot is not in server {g}: invite it with the URL in the README first"),
        None if ids.contains(&configured) => configured,
        None if ids.len() == 1 => ids[0],
        None if ids.is_empty() => anyhow::bail!("the bot is in no server yet: invite it with the URL in the README first"),
        None => anyhow::bail!(
            "the bot is in {} servers ({}): say which with --guild ID",
            ids.len(),
            ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// The committee role, found by its configured id or its name, or made
/// (mentionable: the committee's ping must notify).
async fn committee_role(rest: &Rest, guild: u64, configured: u64, lang: Lang, said: &mut Vec<String>) -> anyhow::Result<u64> {
    let g = GuildId::new(guild);
    let roles = get(rest, Route::GuildRoles { guild_id: g }).await.map_err(|e| failed("reading the roles", e))?;
    let roles = roles.as_array().cloned().unwrap_or_default();
    let role_name = tr!(lang, "情報セキュリティ委員会", "security-committee");
    let found = roles
        .iter()
        .find(|r| num(&r["id"]) == configured)
        .or_else(|| roles.iter().find(|r| r["name"].as_str() == Some(role_name.as_str())));
    if let Some(r) = found {
        said.push(format!("✔ role @{} ({}) is there", r["name"].as_str().unwrap_or("?"), num(&r["id"])));
        return Ok(num(&r["id"]));
    }
    let body = json!({"name": role_name, "permissions": 0, "mentionable": true}).to_string().into_bytes();
    let made: Value = rest
        .json(Request::new(Route::GuildRoles { guild_id: g }, LightMethod::Post).body(Some(body)))
        .await
        .map_err(|e| failed("creating the committee role", e))?;
    said.push(format!("✔ created the role @{role_name} ({}), mentionable; give it to the committee's members", num(&made["id"])));
    Ok(num(&made["id"]))
}

/// A place to find or make: its name, channel type, configured id, and
/// overwrites (private ones hidden from `@everyone` from their first moment).
struct Wanted {
    name: String,
    kind: u64,
    configured: u64,
    overwrites: Value,
}

fn wanted(s: &Settings, guild: u64, role: u64, bot: u64) -> [Wanted; 4] {
    let (lang, d) = (s.organisation.lang, &s.discord);
    let private = |bot_allow: u64| {
        json!([
            {"id": guild.to_string(), "type": 0, "allow": 0, "deny": bits::VIEW_CHANNEL},
            {"id": role.to_string(), "type": 0, "allow": COMMITTEE, "deny": 0},
            {"id": bot.to_string(), "type": 1, "allow": bot_allow, "deny": 0},
        ])
    };
    // Members read announcements; only the bot (and the committee) post.
    let announcements = json!([
        {"id": guild.to_string(), "type": 0, "allow": bits::VIEW_CHANNEL, "deny": bits::SEND_MESSAGES},
        {"id": role.to_string(), "type": 0, "allow": bits::VIEW_CHANNEL | bits::SEND_MESSAGES, "deny": 0},
        {"id": bot.to_string(), "type": 1, "allow": bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::EMBED_LINKS, "deny": 0},
    ]);
    let committee = bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::EMBED_LINKS | bits::ATTACH_FILES | bits::READ_MESSAGE_HISTORY;
    [
        Wanted { name: "incidents".into(), kind: 4, configured: d.incident_category.0, overwrites: private(bits::BOT_IN_INCIDENTS) },
        Wanted { name: "archive".into(), kind: 4, configured: d.archive_category.0, overwrites: private(bits::BOT_IN_INCIDENTS) },
        Wanted {
            name: tr!(lang, "セキュリティ委員会", "security-committee"),
            kind: 0,
            configured: d.committee_channel.0,
            overwrites: private(committee),
        },
        Wanted {
            name: tr!(lang, "お知らせ", "announcements"), kind: 0, configured: d.announcement_channel.0, overwrites: announcements
        },
    ]
}

/// A place found by its configured id or its name and kind, or made.
async fn place(rest: &Rest, g: GuildId, channels: &[Value], w: Wanted, said: &mut Vec<String>) -> anyhow::Result<u64> {
    let name = w.name.as_str();
    let existing = channels
        .iter()
        .find(|c| num(&c["id"]) == w.configured && num(&c["type"]) == w.kind)
        .or_else(|| channels.iter().find(|c| c["name"].as_str() == Some(name) && num(&c["type"]) == w.kind));
    if let Some(c) = existing {
        said.push(format!("✔ #{} ({}) is there", c["name"].as_str().unwrap_or("?"), num(&c["id"])));
        return Ok(num(&c["id"]));
    }
    let body = json!({"name": name, "type": w.kind, "permission_overwrites": w.overwrites}).to_string().into_bytes();
    let c: Value = rest
        .json(Request::new(Route::GuildChannels { guild_id: g }, LightMethod::Post).body(Some(body)))
        .await
        .map_err(|e| failed(&format!("creating #{name}"), e))?;
    said.push(format!("✔ created #{name} ({})", num(&c["id"])));
    Ok(num(&c["id"]))
}

/// The configuration's text with `[discord]` holding `places`; comments and
/// everything else are kept as they were.
pub fn write_ids(config: &str, places: &DiscordIds) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = config.parse()?;
    let table =
        doc.entry("discord").or_insert(toml_edit::table()).as_table_mut().ok_or_else(|| anyhow::anyhow!("[discord] is not a table"))?;
    for (key, value) in places.entries() {
        match table.get_mut(key).and_then(|i| i.as_value_mut()) {
            // Only the value changes: its comments and spacing stay.
            Some(v) => {
                let decor = v.decor().clone();
                *v = toml_edit::Value::from(value as i64);
                *v.decor_mut() = decor;
            }
            None => {
                table.insert(key, toml_edit::value(value as i64));
            }
        }
    }
    Ok(doc.to_string())
}

/// The `[discord]` table to paste.
pub fn table(places: &DiscordIds) -> String {
    let mut out = String::from("[discord]\n");
    for (key, value) in places.entries() {
        out.push_str(&format!("{key} = {value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_are_written_and_the_comments_kept() {
        let text = "# hikeshi\n[discord]\n# where it works\nguild_id = 1100000000000000001   # the server\ncommittee_role_id = 2\n\n[organisation]\nname = \"x\"\n";
        let places = DiscordIds {
            guild: 7,
            committee_role: RoleId(8),
            incident_category: ChannelId(9),
            archive_category: ChannelId(10),
            announcement_channel: ChannelId(11),
            committee_channel: ChannelId(12),
            it_department_role: None,
        };
        let out = write_ids(text, &places).unwrap();
        assert!(out.contains("# where it works\nguild_id = 7   # the server\ncommittee_role_id = 8\n"), "{out}");
        assert!(out.contains("committee_channel_id = 12") && out.contains("[organisation]\nname = \"x\""), "{out}");
        assert_eq!(write_ids(&out, &places).unwrap(), out, "a second run changes nothing");
    }
}
