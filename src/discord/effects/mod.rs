//! Delivers outbox effects to Discord. Each delivery renders from the
//! current state and is safe to repeat: a channel is found again by the
//! incident number in its topic, messages carry a nonce Discord uses to
//! drop duplicates.

mod lessons;
mod reminders;
mod requests;

use super::render::{self, no_mentions, role_mention_only};
use super::rest::{Rest, RestError};
use crate::domain::{ChannelId, Effect, Incident, IncidentId, MessageId, UserId};
use crate::outbox::{Deliver, DeliveryError};
use crate::records;
use crate::service::{Delivered, Hikeshi};
use crate::store::OutboxItem;
use crate::tr;
use serde::Deserialize;
use serde_json::json;
use serenity::all::{CreateAttachment, CreateEmbed, CreateMessage, EditMessage, GuildId, LightMethod, Nonce, Request, Route, TargetId};
use serenity::http::{Multipart, MultipartUpload};
use tokio::sync::Mutex;

/// Permission bits (Discord's documented values).
pub mod perms {
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    /// What a person working an incident needs.
    pub const MEMBER: u64 = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | ATTACH_FILES;
    /// Reading an archived incident.
    pub const READ_ONLY: u64 = VIEW_CHANNEL | READ_MESSAGE_HISTORY;
}

/// Discord's limit of channels in one category.
pub const CATEGORY_LIMIT: usize = 50;

#[derive(Debug, Clone, Deserialize)]
struct ChannelLite {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default, deserialize_with = "opt_snowflake")]
    parent_id: Option<u64>,
    #[serde(default)]
    topic: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MessageLite {
    #[serde(deserialize_with = "snowflake")]
    id: u64,
}

fn snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

fn opt_snowflake<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom)).transpose()
}

pub(super) fn rest_err(e: RestError) -> DeliveryError {
    match e {
        RestError::RateLimited { retry_after, .. } => DeliveryError::RateLimited(retry_after),
        RestError::Transient(m) => DeliveryError::Transient(m),
        RestError::Refused { status, code, message } => DeliveryError::Refused(format!("HTTP {status} (code {code}): {message}")),
    }
}

/// The topic of an incident channel starts with this marker, which is how
/// a repeated delivery finds the channel the first one created.
fn topic_marker(i: &Incident) -> String {
    format!("[{}]", i.number)
}

pub struct DiscordEffects {
    rest: Rest,
    app: Hikeshi,
    bot: UserId,
    /// The guild's channels as last seen; refreshed when a delivery is a
    /// retry (the first attempt may have created something).
    channels: Mutex<Option<Vec<ChannelLite>>>,
    /// Serialises category choice, so a burst opens one overflow category.
    placing: Mutex<()>,
}

impl DiscordEffects {
    pub fn new(rest: Rest, app: Hikeshi, bot: UserId) -> Self {
        DiscordEffects { rest, app, bot, channels: Mutex::new(None), placing: Mutex::new(()) }
    }

    fn guild(&self) -> GuildId {
        GuildId::new(self.app.settings.discord.guild)
    }

    async fn guild_channels(&self, refresh: bool) -> Result<Vec<ChannelLite>, DeliveryError> {
        let mut cache = self.channels.lock().await;
        if refresh || cache.is_none() {
            let list: Vec<ChannelLite> =
                self.rest.json(Request::new(Route::GuildChannels { guild_id: self.guild() }, LightMethod::Get)).await.map_err(rest_err)?;
            *cache = Some(list);
        }
        Ok(cache.clone().unwrap_or_default())
    }

    async fn remember_channel(&self, c: ChannelLite) {
        if let Some(list) = self.channels.lock().await.as_mut() {
            list.retain(|x| x.id != c.id);
            list.push(c);
        }
    }

    pub(super) async fn incident(&self, id: IncidentId) -> Result<Incident, DeliveryError> {
        self.app.store.incident(id).await?.ok_or_else(|| DeliveryError::Refused(format!("incident {id} does not exist")))
    }

    fn channel_of(i: &Incident) -> Result<ChannelId, DeliveryError> {
        i.channel.ok_or_else(|| DeliveryError::NotReady(format!("{} has no channel yet", i.number)))
    }

    pub(super) async fn post(&self, channel: ChannelId, msg: CreateMessage, nonce: &str) -> Result<MessageId, DeliveryError> {
        let msg = msg.nonce(Nonce::String(nonce.to_string())).enforce_nonce(true);
        let body = serde_json::to_vec(&msg).map_err(|e| DeliveryError::Refused(e.to_string()))?;
        let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Post).body(Some(body));
        let m: MessageLite = self.rest.json(req).await.map_err(rest_err)?;
        Ok(MessageId(m.id))
    }

    pub(super) async fn edit(&self, channel: ChannelId, message: MessageId, edit: EditMessage) -> Result<(), RestError> {
        let body = serde_json::to_vec(&edit).map_err(|e| RestError::Transient(e.to_string()))?;
        let req = Request::new(Route::ChannelMessage { channel_id: channel.0.into(), message_id: message.0.into() }, LightMethod::Patch)
            .body(Some(body));
        self.rest.send(req).await.map(|_| ())
    }

    /// A category with room for one more channel: the configured one, or
    /// the next overflow category (`incidents-2`, …), opened when needed.
    /// The caller holds `placing` until its channel exists, so that
    /// concurrent deliveries never overfill one category.
    async fn category_with_room(&self, purpose: &str, base: ChannelId, refresh: bool) -> Result<ChannelId, DeliveryError> {
        let channels = self.guild_channels(refresh).await?;
        let mut candidates = vec![(1i64, base.0)];
        candidates.extend(self.app.store.overflow_categories(purpose).await?.into_iter().map(|(n, c)| (n, c as u64)));
        for (_, cat) in &candidates {
            let children = channels.iter().filter(|c| c.parent_id == Some(*cat)).count();
            if children < CATEGORY_LIMIT {
                return Ok(ChannelId(*cat));
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
        self.app.store.add_overflow_category(purpose, n, cat.id as i64).await?;
        tracing::info!(purpose, n, "opened an overflow category");
        let id = ChannelId(cat.id);
        self.remember_channel(cat).await;
        Ok(id)
    }

    /// §4.2 "one place": a private channel, seen only by the committee, the
    /// reporter and the bot.
    async fn create_channel(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        if let Some(c) = i.channel {
            return Ok(Delivered::ChannelCreated(c));
        }
        let retry = item.attempts > 1;
        let marker = topic_marker(&i);
        if retry {
            let channels = self.guild_channels(true).await?;
            if let Some(c) = channels.iter().find(|c| c.kind == 0 && c.topic.as_deref().is_some_and(|t| t.starts_with(&marker))) {
                return Ok(Delivered::ChannelCreated(ChannelId(c.id)));
            }
        }
        let d = &self.app.settings.discord;
        // One placement at a time: choosing a category and creating the
        // channel in it are one step, or a burst overfills the category.
        let _placing = self.placing.lock().await;
        let parent = self.category_with_room("incidents", d.incident_category, false).await?;
        let lang = self.app.settings.organisation.lang;
        let title = super::i18n::clip(&i.title, 200);
        let topic = if i.is_drill() {
            tr!(lang, "{marker} 訓練 — {title}", "{marker} DRILL — {title}")
        } else {
            tr!(lang, "{marker} {title}", "{marker} {title}")
        };
        let body = json!({
            "name": render::channel_name(&i),
            "type": 0,
            "topic": topic,
            "parent_id": parent.to_string(),
            // A confidential reporter is not let in: the channel would name them.
            "permission_overwrites": private_overwrites(d.guild, d.committee_role.0, self.bot.0, if i.confidential { &[] } else { std::slice::from_ref(&i.reporter.0) }, perms::MEMBER, 0),
        });
        let req =
            Request::new(Route::GuildChannels { guild_id: self.guild() }, LightMethod::Post).body(Some(body.to_string().into_bytes()));
        let created: ChannelLite = match self.rest.json(req).await {
            Ok(c) => c,
            // Someone filled the category by hand meanwhile: look again.
            Err(RestError::Refused { message, .. }) if message.contains("MAX_CHANNELS") => {
                self.guild_channels(true).await?;
                return Err(DeliveryError::Transient(format!("the category is full: {message}")));
            }
            Err(e) => return Err(rest_err(e)),
        };
        let channel = ChannelId(created.id);
        self.remember_channel(created).await;
        Ok(Delivered::ChannelCreated(channel))
    }

    /// The card, with the committee ping as its text. A description longer
    /// than the card shows follows in full in a second message.
    async fn post_card(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        if let Some(m) = i.card_message {
            return Ok(Delivered::CardPosted(m));
        }
        let channel = Self::channel_of(&i)?;
        let s = &self.app.settings;
        let role = s.discord.committee_role;
        let msg = CreateMessage::new()
            .content(render::committee_ping(&i, s))
            .embed(render::card(&i, s))
            .components(render::card_components(&i, s))
            .allowed_mentions(role_mention_only(role));
        let card = self.post(channel, msg, &nonce(item)).await?;
        if render::description_is_clipped(&i) {
            let lang = s.organisation.lang;
            let full = CreateEmbed::new()
                .title(tr!(lang, "報告の全文", "The full report"))
                .description(super::i18n::clip(&super::i18n::inert(&i.description), 4096));
            self.post(channel, CreateMessage::new().embed(full).allowed_mentions(no_mentions()), &format!("hkfull{}", item.id)).await?;
        }
        Ok(Delivered::CardPosted(card))
    }

    async fn refresh_card(&self, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let (Some(channel), Some(card)) = (i.channel, i.card_message) else {
            // The card is not posted yet; when it is, it shows this state.
            return Ok(Delivered::Done);
        };
        let s = &self.app.settings;
        let edit = EditMessage::new().embed(render::card(&i, s)).components(render::card_components(&i, s)).allowed_mentions(no_mentions());
        match self.edit(channel, card, edit).await {
            Ok(()) => Ok(Delivered::Done),
            // Someone deleted the card: nothing to refresh.
            Err(e) if e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    async fn notice_committee(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let number = i.number;
        let title = super::i18n::inert(&super::i18n::clip(&i.title, 200));
        let reporter = i.reporter;
        let mut category = i.category.label().get(lang).to_string();
        if i.confidential {
            category.push_str(&tr!(lang, "・🔒秘密", ", 🔒 confidential"));
        }
        let text = match i.channel {
            Some(c) => tr!(
                lang,
                "🔥 {number} 「{title}」（{category}）報告者 <@{reporter}> → <#{c}>",
                "🔥 {number} “{title}” ({category}) reported by <@{reporter}> → <#{c}>"
            ),
            None => tr!(
                lang,
                "🔥 {number} 「{title}」（{category}）報告者 <@{reporter}>",
                "🔥 {number} “{title}” ({category}) reported by <@{reporter}>"
            ),
        };
        self.post(s.discord.committee_channel, CreateMessage::new().content(text).allowed_mentions(no_mentions()), &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    async fn link_reporter(&self, id: IncidentId, application_id: u64, token: &str) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let lang = self.app.settings.organisation.lang;
        let number = i.number;
        let body = json!({
            "content": tr!(lang, "✅ {number} として受け付けました。対応チャンネル: <#{channel}>", "✅ Reported as {number}. Incident channel: <#{channel}>"),
            "allowed_mentions": {"parse": []},
        });
        let req =
            Request::new(Route::WebhookOriginalInteractionResponse { application_id: application_id.into(), token }, LightMethod::Patch)
                .body(Some(body.to_string().into_bytes()));
        match self.rest.send(req).await {
            Ok(_) => Ok(Delivered::Done),
            // The interaction token lives 15 minutes; after that the
            // reporter still has the number and the channel.
            Err(RestError::Refused { .. }) => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    async fn post_log_entry(&self, item: &OutboxItem, id: IncidentId, entry: i64) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let Some(e) = self.app.store.log_entry(entry).await? else {
            return Err(DeliveryError::Refused(format!("log entry {entry} does not exist")));
        };
        let msg =
            CreateMessage::new().embed(render::log_entry_embed(&e, self.app.settings.organisation.lang)).allowed_mentions(no_mentions());
        self.post(channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    async fn set_access(&self, id: IncidentId, user: UserId, grant: bool) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let route = Route::ChannelPermission { channel_id: channel.0.into(), target_id: TargetId::new(user.0) };
        let req = if grant {
            let allow = if i.phase.is_open() { perms::MEMBER } else { perms::READ_ONLY };
            let body = json!({"type": 1, "allow": allow, "deny": 0});
            Request::new(route, LightMethod::Put).body(Some(body.to_string().into_bytes()))
        } else {
            Request::new(route, LightMethod::Delete)
        };
        match self.rest.send(req).await {
            Ok(_) => Ok(Delivered::Done),
            Err(e) if !grant && e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    async fn post_notice(
        &self,
        item: &OutboxItem,
        id: IncidentId,
        notice: &crate::domain::effect::Notice,
    ) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let s = &self.app.settings;
        let playbook = i.playbook.as_ref().and_then(|p| s.playbooks.get(p));
        let (text, mentions) = render::notice_text(notice, s.organisation.lang, playbook);
        self.post(channel, CreateMessage::new().content(text).allowed_mentions(mentions), &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// Closing: the transcript is attached, then the channel moves to the
    /// archive and becomes read-only for everyone but the bot.
    async fn archive(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let Some(channel) = i.channel else {
            return Ok(Delivered::Done);
        };
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let lines = self.app.store.transcript(id).await?;
        let entries = self.app.store.log_entries(id).await?;
        let md = records::transcript_markdown(&i, &lines, &entries, s);
        let number = i.number;
        let payload = json!({
            "content": tr!(lang, "📁 {number} の記録（会話記録と§4.3の記録）", "📁 The record of {number} (transcript and §4.3 entries)"),
            "allowed_mentions": {"parse": []},
            "nonce": nonce(item),
            "enforce_nonce": true,
            "attachments": [{"id": "0", "filename": records::transcript_file_name(&i, lang)}],
        });
        let multipart = Multipart {
            upload: MultipartUpload::Attachments(vec![CreateAttachment::bytes(md.into_bytes(), records::transcript_file_name(&i, lang))]),
            fields: vec![],
            payload_json: Some(payload.to_string()),
        };
        let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Post).multipart(Some(multipart));
        self.rest.send(req).await.map_err(rest_err)?;

        let _placing = self.placing.lock().await;
        let archive = self.category_with_room("archive", s.discord.archive_category, item.attempts > 1).await?;
        let mut readers: Vec<u64> = if i.confidential { vec![] } else { vec![i.reporter.0] };
        readers.extend(i.commander.map(|c| c.0));
        readers.extend(i.responders.iter().map(|r| r.0));
        readers.sort_unstable();
        readers.dedup();
        let body = json!({
            "parent_id": archive.to_string(),
            "permission_overwrites": private_overwrites(s.discord.guild, s.discord.committee_role.0, self.bot.0, &readers, perms::READ_ONLY, perms::SEND_MESSAGES),
        });
        let req =
            Request::new(Route::Channel { channel_id: channel.0.into() }, LightMethod::Patch).body(Some(body.to_string().into_bytes()));
        let moved: ChannelLite = self.rest.json(req).await.map_err(rest_err)?;
        self.remember_channel(moved).await;
        Ok(Delivered::Archived(channel))
    }

    async fn refresh_status_board(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        const KEY: &str = "status_board_message";
        let s = &self.app.settings;
        let open = self.app.store.open_incidents().await?;
        let embed = render::status_board(&open, s, self.app.clock.now());
        if let Some(id) = self.app.store.get_state(KEY).await?.and_then(|v| v.parse::<u64>().ok()) {
            match self
                .edit(s.discord.committee_channel, MessageId(id), EditMessage::new().embed(embed.clone()).allowed_mentions(no_mentions()))
                .await
            {
                Ok(()) => return Ok(Delivered::Done),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        let m =
            self.post(s.discord.committee_channel, CreateMessage::new().embed(embed).allowed_mentions(no_mentions()), &nonce(item)).await?;
        self.app.store.set_state(KEY, &m.0.to_string()).await?;
        Ok(Delivered::Done)
    }
}

/// `@everyone` cannot see; the committee, `people` and the bot can.
/// Bit sets go as JSON integers, as Discord's OpenAPI spec declares them.
fn private_overwrites(guild: u64, committee: u64, bot: u64, people: &[u64], allow: u64, deny: u64) -> serde_json::Value {
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

/// Discord drops a second message with the same nonce (`enforce_nonce`),
/// so a redelivered post appears once. At most 25 characters.
pub(super) fn nonce(item: &OutboxItem) -> String {
    format!("hk{}", item.id)
}

#[async_trait::async_trait]
impl Deliver for DiscordEffects {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        match &item.effect {
            Effect::CreateChannel { incident } => self.create_channel(item, *incident).await,
            Effect::PostCard { incident } => self.post_card(item, *incident).await,
            Effect::RefreshCard { incident } => self.refresh_card(*incident).await,
            Effect::NoticeCommittee { incident } => self.notice_committee(item, *incident).await,
            Effect::LinkReporter { incident, application_id, token } => self.link_reporter(*incident, *application_id, token).await,
            Effect::PostLogEntry { incident, entry_id, .. } => self.post_log_entry(item, *incident, *entry_id).await,
            Effect::GrantAccess { incident, user } => self.set_access(*incident, *user, true).await,
            Effect::RevokeAccess { incident, user } => self.set_access(*incident, *user, false).await,
            Effect::PostNotice { incident, notice } => self.post_notice(item, *incident, notice).await,
            Effect::Archive { incident } => self.archive(item, *incident).await,
            Effect::RefreshStatusBoard => self.refresh_status_board(item).await,
            Effect::CronReminder { reminder } => self.cron_reminder(item, *reminder, false).await,
            Effect::EscalateReminder { reminder } => self.cron_reminder(item, *reminder, true).await,
            Effect::Remind { incident, what } => self.remind(item, *incident, what).await,
            Effect::PostDrillReport { incident } => self.post_drill_report(item, *incident).await,
            Effect::Announce { incident } => self.announce(item, *incident).await,
            Effect::RefreshAnnouncement { incident } => self.refresh_announcement(*incident).await,
            Effect::BoardReport { incident } => self.board_report(item, *incident).await,
            Effect::AuditReport { .. } => self.audit_report(item).await,
            Effect::PostRequest { request } => self.post_request(item, *request).await,
            Effect::RequestDecided { request } => self.request_decided(item, *request).await,
            Effect::RequestExpired { request } => self.request_expired(item, *request).await,
            Effect::AnnounceReview { reminder } => self.announce_review(item, *reminder).await,
            Effect::TellReporter { incident } => self.tell_reporter(item, *incident).await,
            Effect::AppiDraft { incident } => self.appi_draft(item, *incident).await,
        }
    }

    /// A channel that could not be created must not leave a report unseen:
    /// the committee channel hears of it, with the report's number.
    async fn gave_up(&self, item: &OutboxItem, error: &str) {
        let Some(id) = item.effect.incident() else {
            return;
        };
        if !matches!(item.effect, Effect::CreateChannel { .. } | Effect::PostCard { .. }) {
            return;
        }
        let Ok(i) = self.incident(id).await else {
            return;
        };
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let role = s.discord.committee_role;
        let number = i.number;
        let error = super::i18n::clip(error, 300);
        let text = tr!(
            lang,
            "<@&{role}> ⚠ {number} の対応チャンネルを用意できませんでした（{error}）。報告は保存されており、状況ボードに表示されています。",
            "<@&{role}> ⚠ Could not open the channel for {number} ({error}). The report is stored and listed on the status board."
        );
        let msg = CreateMessage::new().content(text).allowed_mentions(role_mention_only(role));
        if let Err(e) = self.post(s.discord.committee_channel, msg, &format!("hkfail{}", item.id)).await {
            tracing::error!(incident = %number, error = %e, "could not alert the committee either");
        }
    }
}
