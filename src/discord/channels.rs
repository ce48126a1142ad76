//! Where incident channels go, and who sees them: categories with room
//! (the configured one, then overflow categories `incidents-2`, …), and
//! permission overwrites that keep every incident channel private at every
//! moment — `@everyone` denied, the committee, the bot and the people of
//! the incident allowed.

use super::deliver::{rest_err, DiscordEffects};
use crate::domain::{ChannelId, Incident};
use crate::runner::DeliveryError;
use serde::Deserialize;
use serde_json::json;
use serenity::all::{GuildId, LightMethod, Request, Route};

/// Discord's permission bits as serenity names them, and the sets hikeshi
/// grants and checks.
pub mod perms {
    use serenity::all::Permissions as P;

    pub const ADMINISTRATOR: u64 = P::ADMINISTRATOR.bits();
    pub const MANAGE_CHANNELS: u64 = P::MANAGE_CHANNELS.bits();
    pub const MANAGE_MESSAGES: u64 = P::MANAGE_MESSAGES.bits();
    pub const VIEW_CHANNEL: u64 = P::VIEW_CHANNEL.bits();
    pub const SEND_MESSAGES: u64 = P::SEND_MESSAGES.bits();
    pub const EMBED_LINKS: u64 = P::EMBED_LINKS.bits();
    pub const ATTACH_FILES: u64 = P::ATTACH_FILES.bits();
    pub const READ_MESSAGE_HISTORY: u64 = P::READ_MESSAGE_HISTORY.bits();
    pub const MENTION_EVERYONE: u64 = P::MENTION_EVERYONE.bits();
    pub const MANAGE_ROLES: u64 = P::MANAGE_ROLES.bits();
    pub const MANAGE_THREADS: u64 = P::MANAGE_THREADS.bits();
    pub const CREATE_PUBLIC_THREADS: u64 = P::CREATE_PUBLIC_THREADS.bits();
    pub const CREATE_PRIVATE_THREADS: u64 = P::CREATE_PRIVATE_THREADS.bits();
    pub const SEND_MESSAGES_IN_THREADS: u64 = P::SEND_MESSAGES_IN_THREADS.bits();

    /// The names Discord's settings show, of the bits in `bits`.
    pub fn names(bits: u64) -> Vec<&'static str> {
        P::from_bits_truncate(bits).get_permission_names()
    }
    /// What a person working an incident needs.
    pub const MEMBER: u64 = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | ATTACH_FILES;
    /// Reading an archived incident.
    pub const READ_ONLY: u64 = VIEW_CHANNEL | READ_MESSAGE_HISTORY;
    /// What an archived incident denies its readers: writing, and starting
    /// or writing in threads (a thread would carry the incident on where
    /// nobody looks).
    pub const ARCHIVED_DENY: u64 = SEND_MESSAGES | CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS;
    /// Starting and writing in threads.
    pub const THREADS: u64 = CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS;
    /// What the bot needs where incidents live (`setup` grants it, `doctor`
    /// checks it).
    /// (Manage Messages: a redacted message is deleted, issue 25.)
    pub const BOT_IN_INCIDENTS: u64 = MEMBER | MANAGE_CHANNELS | MANAGE_ROLES | MANAGE_THREADS | THREADS | MANAGE_MESSAGES;
}

/// Discord's limit of channels in one category.
pub const CATEGORY_LIMIT: usize = 50;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ChannelLite {
    #[serde(deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(default, deserialize_with = "opt_snowflake")]
    pub parent_id: Option<u64>,
    #[serde(default)]
    pub topic: Option<String>,
}

/// An id or a bit set in Discord's JSON, a string or a number (0 if
/// neither).
pub(crate) fn num(v: &serde_json::Value) -> u64 {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(0)
}

pub(crate) fn snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

fn opt_snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom)).transpose()
}

/// The topic of an incident channel starts with this marker, which is how
/// a repeated delivery finds the channel the first one created.
pub(crate) fn topic_marker(i: &Incident) -> String {
    format!("[{}]", i.number)
}

/// `@everyone` cannot see; the committee, `people` and the bot can.
/// Bit sets go as JSON integers, as Discord's OpenAPI spec declares them.
pub(crate) fn private_overwrites(guild: u64, committee: u64, bot: u64, people: &[u64], allow: u64, deny: u64) -> serde_json::Value {
    let mut list = vec![
        json!({"id": guild.to_string(), "type": 0, "allow": 0, "deny": perms::VIEW_CHANNEL}),
        json!({"id": committee.to_string(), "type": 0, "allow": allow, "deny": deny}),
        json!({"id": bot.to_string(), "type": 1, "allow": perms::MEMBER, "deny": 0}),
    ];
    for p in people.iter().filter(|p| **p != bot) {
        list.push(json!({"id": p.to_string(), "type": 1, "allow": allow, "deny": deny}));
    }
    serde_json::Value::Array(list)
}

/// The overwrites the incident's state gives its channel: open, everyone
/// it lets in works there; archived, they read.
pub(crate) fn state_overwrites(i: &Incident, s: &crate::config::Settings, bot: crate::domain::UserId) -> serde_json::Value {
    let readers: Vec<u64> = i.people_with_access().into_iter().map(|u| u.0).collect();
    let (allow, deny) = if i.phase.is_open() { (perms::MEMBER, 0) } else { (perms::READ_ONLY, perms::ARCHIVED_DENY) };
    let mut list = private_overwrites(s.discord.guild, s.discord.committee_role.0, bot.0, &readers, allow, deny);
    // §4.4(1): 情報システム部 writes the plan with the committee, here.
    if let (Some(role), true, serde_json::Value::Array(list)) = (s.discord.it_department_role, i.it_department_reads(), &mut list) {
        list.push(json!({"id": role.to_string(), "type": 0, "allow": perms::MEMBER, "deny": 0}));
    }
    list
}

impl DiscordEffects {
    pub(crate) fn guild(&self) -> GuildId {
        GuildId::new(self.app.settings.discord.guild)
    }

    pub(crate) async fn guild_channels(&self, refresh: bool) -> Result<Vec<ChannelLite>, DeliveryError> {
        let mut cache = self.channels.lock().await;
        if refresh || cache.is_none() {
            let list: Vec<ChannelLite> =
                self.rest.json(Request::new(Route::GuildChannels { guild_id: self.guild() }, LightMethod::Get)).await.map_err(rest_err)?;
            *cache = Some(list);
        }
        Ok(cache.clone().unwrap_or_default())
    }

    pub(crate) async fn remember_channel(&self, c: ChannelLite) {
        if let Some(list) = self.channels.lock().await.as_mut() {
            list.retain(|x| x.id != c.id);
            list.push(c);
        }
    }

    /// A category with room for one more channel: the configured one, or
    /// the next overflow category (`incidents-2`, …), opened when needed.
    /// The caller holds `placing` until its channel exists, so that
    /// concurrent deliveries never overfill one category.
    pub(crate) async fn category_with_room(&self, purpose: &str, base: ChannelId, refresh: bool) -> Result<ChannelId, DeliveryError> {
        let channels = self.guild_channels(refresh).await?;
        let mut candidates = vec![(1i64, base)];
        candidates.extend(self.app.incidents().overflow_categories(purpose).await?);
        for (_, cat) in &candidates {
            let children = channels.iter().filter(|c| c.parent_id == Some(cat.0)).count();
            if children < CATEGORY_LIMIT {
                return Ok(*cat);
            }
        }
        let n = candidates.last().map(|(n, _)| n + 1).unwrap_or(2);
        let d = &self.app.settings.discord;
        let body = json!({
            "name": format!("{purpose}-{n}"),
            "type": 4,
            "permission_overwrites": [
                {"id": d.guild.to_string(), "type": 0, "allow": 0, "deny": perms::VIEW_CHANNEL},
                {"id": d.committee_role.to_string(), "type": 0, "allow": perms::MEMBER, "deny": 0},
                {"id": self.bot.to_string(), "type": 1, "allow": perms::MEMBER, "deny": 0},
            ],
        });
        let req =
            Request::new(Route::GuildChannels { guild_id: self.guild() }, LightMethod::Post).body(Some(body.to_string().into_bytes()));
        let cat: ChannelLite = self.rest.json(req).await.map_err(rest_err)?;
        let id = ChannelId(cat.id);
        self.app.incidents().add_overflow_category(purpose, n, id).await?;
        tracing::info!(purpose, n, "opened an overflow category");
        self.remember_channel(cat).await;
        Ok(id)
    }
}
