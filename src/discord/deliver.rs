//! Delivers outbox effects to Discord. Each effect is delivered by its
//! feature's `deliver.rs`; this file holds what they share (posting with a
//! nonce, editing, attaching a file, direct messages) and routes each
//! effect to its feature. Every delivery renders from the current state
//! and is safe to repeat: a channel is found again by the incident number
//! in its topic, messages carry a nonce Discord uses to drop duplicates.

use super::rest::{Rest, RestError};
use crate::domain::effect::OutboxItem;
use crate::domain::{ChannelId, Effect, Incident, IncidentId, MessageId, UserId};
use crate::runner::{Deliver, DeliveryError};
use crate::service::{Delivered, Hikeshi};
use serde::Deserialize;
use serde_json::json;
use serenity::all::{CreateAttachment, CreateMessage, EditMessage, LightMethod, Nonce, Request, Route};
use tokio::sync::Mutex;

#[derive(Debug, Deserialize)]
struct MessageLite {
    #[serde(deserialize_with = "super::channels::snowflake")]
    id: u64,
}

#[derive(Deserialize)]
struct DmChannel {
    id: String,
}

pub(crate) fn rest_err(e: RestError) -> DeliveryError {
    match e {
        RestError::RateLimited { retry_after, .. } => DeliveryError::RateLimited(retry_after),
        RestError::Transient(m) => DeliveryError::Transient(m),
        RestError::Refused { status, code, message, errors } => {
            DeliveryError::Refused(format!("HTTP {status} (code {code}): {message} {}", errors.join(", ")))
        }
    }
}

/// Discord drops a second message with the same nonce (`enforce_nonce`),
/// so a redelivered post appears once. At most 25 characters.
pub(crate) fn nonce(item: &OutboxItem) -> String {
    format!("hk{}", item.id)
}

/// What became of a direct message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached {
    Dm,
    /// The member closed their DMs.
    Closed,
}

pub struct DiscordEffects {
    pub(crate) rest: Rest,
    pub(crate) app: Hikeshi,
    pub(crate) bot: UserId,
    /// The guild's channels as last seen; refreshed when a delivery is a
    /// retry (the first attempt may have created something).
    pub(crate) channels: Mutex<Option<Vec<super::channels::ChannelLite>>>,
    /// Serialises category choice, so a burst opens one overflow category.
    pub(crate) placing: Mutex<()>,
    /// The server as the gateway shows it: who holds the committee role.
    pub(crate) access: super::access::Mirror,
}

impl DiscordEffects {
    pub fn new(rest: Rest, app: Hikeshi, bot: UserId, access: super::access::Mirror) -> Self {
        DiscordEffects { rest, app, bot, channels: Mutex::new(None), placing: Mutex::new(()), access }
    }

    pub(crate) async fn incident(&self, id: IncidentId) -> Result<Incident, DeliveryError> {
        let incident = self.app.incidents().get(id).await?;
        tracing::Span::current().record("incident", tracing::field::display(&incident.number));
        Ok(incident)
    }

    pub(crate) fn channel_of(i: &Incident) -> Result<ChannelId, DeliveryError> {
        i.channel.ok_or_else(|| DeliveryError::NotReady(format!("{} has no channel yet", i.number)))
    }

    /// Posts `msg` once: a post an earlier attempt made (its answer lost,
    /// Discord's nonce window perhaps passed) is found by its nonce among
    /// the bot's own posts the gateway showed, and not made again.
    pub(crate) async fn post(&self, channel: ChannelId, msg: CreateMessage, nonce: &str) -> Result<MessageId, DeliveryError> {
        self.post_or_refused(channel, msg, nonce).await.map_err(rest_err)
    }

    /// `text` in the committee's channel, pinging the committee role (and
    /// nobody else the text names).
    pub(crate) async fn ping_committee(&self, text: &str, nonce: &str) -> Result<MessageId, DeliveryError> {
        let d = &self.app.settings.discord;
        let role = d.committee_role;
        let msg = CreateMessage::new()
            .content(crate::discord::text::clip(&format!("<@&{role}> {text}"), 2000))
            .allowed_mentions(crate::discord::render::role_mention_only(role));
        self.post(d.committee_channel, msg, nonce).await
    }

    /// The message an earlier attempt of this post made (its answer lost),
    /// as the gateway showed it: Discord's nonce check lasts minutes only.
    async fn earlier_post(&self, channel: ChannelId, nonce: &str) -> Result<Option<MessageId>, RestError> {
        let made = self.app.delivery().own_post(channel, nonce).await.map_err(|e| RestError::Transient(e.to_string()))?;
        if made.is_some() {
            tracing::info!(nonce, "an earlier attempt made this post; it is not made again");
        }
        Ok(made)
    }

    /// The same, with Discord's refusal as it came (a closed DM is 50007).
    pub(crate) async fn post_or_refused(&self, channel: ChannelId, msg: CreateMessage, nonce: &str) -> Result<MessageId, RestError> {
        if let Some(made) = self.earlier_post(channel, nonce).await? {
            return Ok(made);
        }
        let msg = msg.nonce(Nonce::String(nonce.to_string())).enforce_nonce(true);
        let body = serde_json::to_vec(&msg).map_err(|e| RestError::Transient(e.to_string()))?;
        let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Post).body(Some(body));
        let m: MessageLite = self.rest.json(req).await?;
        Ok(MessageId(m.id))
    }

    pub(crate) async fn edit(&self, channel: ChannelId, message: MessageId, edit: EditMessage) -> Result<(), RestError> {
        let body = serde_json::to_vec(&edit).map_err(|e| RestError::Transient(e.to_string()))?;
        let req = Request::new(Route::ChannelMessage { channel_id: channel.0.into(), message_id: message.0.into() }, LightMethod::Patch)
            .body(Some(body));
        self.rest.send(req).await.map(|_| ())
    }

    /// A message with one file, `mentions` as given.
    pub(crate) async fn attach(
        &self,
        channel: ChannelId,
        text: String,
        mentions: serenity::all::CreateAllowedMentions,
        file: String,
        body: Vec<u8>,
        nonce: &str,
    ) -> Result<(), DeliveryError> {
        self.attach_or_refused(channel, text, mentions, &[], (file, body), nonce).await.map_err(rest_err)
    }

    /// A message with several files (the audit's chart and its whole text).
    pub(crate) async fn attach_all(
        &self,
        channel: ChannelId,
        text: String,
        mentions: serenity::all::CreateAllowedMentions,
        files: Vec<(String, Vec<u8>)>,
        nonce: &str,
    ) -> Result<(), DeliveryError> {
        if self.earlier_post(channel, nonce).await.map_err(rest_err)?.is_some() {
            return Ok(());
        }
        let payload = json!({
            "content": text,
            "allowed_mentions": serde_json::to_value(mentions).unwrap_or_default(),
            "nonce": nonce,
            "enforce_nonce": true,
        });
        let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Post);
        let files = files.into_iter().map(|(name, body)| CreateAttachment::bytes(body, name)).collect();
        self.rest.send(super::reply::with_files(req, payload, files)).await.map_err(rest_err)?;
        Ok(())
    }

    /// The same, with Discord's refusal as it came (a 413 can be answered
    /// by sending smaller files).
    pub(crate) async fn attach_or_refused(
        &self,
        channel: ChannelId,
        text: String,
        mentions: serenity::all::CreateAllowedMentions,
        components: &[serenity::all::CreateActionRow],
        (file, body): (String, Vec<u8>),
        nonce: &str,
    ) -> Result<(), RestError> {
        if self.earlier_post(channel, nonce).await?.is_some() {
            return Ok(());
        }
        let payload = json!({
            "content": text,
            "allowed_mentions": serde_json::to_value(mentions).unwrap_or_default(),
            "components": serde_json::to_value(components).unwrap_or_default(),
            "nonce": nonce,
            "enforce_nonce": true,
        });
        let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Post);
        let req = super::reply::with_files(req, payload, vec![CreateAttachment::bytes(body, file)]);
        self.rest.send(req).await?;
        Ok(())
    }

    /// A direct message. A member who closed DMs is a refusal, recorded
    /// and given up.
    /// A direct message; `Closed` when the member does not accept DMs from
    /// the server (Discord's 50007): the caller then takes its fallback
    /// (see `dm.rs`), never leaving a dead item as the only trace.
    pub(crate) async fn dm(&self, user: UserId, msg: CreateMessage, nonce: &str) -> Result<Reached, DeliveryError> {
        let channel = self.dm_channel(user).await?;
        match self.post_or_refused(channel, msg, nonce).await {
            Ok(_) => Ok(Reached::Dm),
            Err(RestError::Refused { code: 50007, .. }) => Ok(Reached::Closed),
            Err(e) => Err(rest_err(e)),
        }
    }

    /// The DM channel with `user` (Discord returns the same one each time).
    async fn dm_channel(&self, user: UserId) -> Result<ChannelId, DeliveryError> {
        let body = json!({"recipient_id": user.to_string()}).to_string().into_bytes();
        let channel: DmChannel =
            self.rest.json(Request::new(Route::UserMeDmChannels, LightMethod::Post).body(Some(body))).await.map_err(rest_err)?;
        Ok(ChannelId(channel.id.parse().map_err(|_| DeliveryError::Refused("bad DM channel id".into()))?))
    }
}

impl DiscordEffects {
    /// Each effect to its feature's delivery.
    async fn route(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        match &item.effect {
            Effect::CreateChannel { incident } => self.create_channel(item, *incident).await,
            Effect::PostCard { incident } => self.post_card(item, *incident).await,
            Effect::NoticeCommittee { incident } => self.committee_notices(item, Some(*incident)).await,
            Effect::CommitteeNotices => self.committee_notices(item, None).await,
            Effect::LinkReporter { incident, application_id, token, asked_at, reporter } => {
                self.link_reporter(item, *incident, (*application_id, token, *asked_at), *reporter).await
            }
            Effect::TellReporter { incident } => self.tell_reporter(item, *incident).await,
            Effect::RefreshCard { incident } => self.refresh_card(*incident).await,
            Effect::PostLogEntry { incident, entry_id, .. } => self.post_log_entry(item, *incident, *entry_id).await,
            Effect::GrantAccess { incident, user } | Effect::RevokeAccess { incident, user } => self.sync_access(*incident, *user).await,
            Effect::PostNotice { incident, notice } => self.post_notice(item, *incident, notice).await,
            Effect::Archive { incident } => self.archive(item, *incident).await,
            Effect::RefreshStatusBoard => self.refresh_status_board(item).await,
            Effect::CronReminder { reminder } => self.cron_reminder(item, *reminder, false).await,
            Effect::EscalateReminder { reminder } => self.cron_reminder(item, *reminder, true).await,
            Effect::Remind { incident, what } => self.remind(item, *incident, what).await,
            Effect::Escalate { incident, step } => self.escalate(item, *incident, *step).await,
            // Outside Discord: the outbox hands it to the other deliverer.
            Effect::PageOutside { .. } | Effect::NotifyTools { .. } => Err(DeliveryError::Refused("not a Discord effect".into())),
            Effect::PostDrillReport { incident } => self.post_drill_report(item, *incident).await,
            Effect::Announce { incident } => self.announce(item, *incident).await,
            Effect::RefreshAnnouncement { incident } => self.refresh_announcement(*incident).await,
            Effect::BoardReport { incident } => self.board_report(item, *incident).await,
            Effect::AuditReport { .. } => self.audit_report(item).await,
            Effect::PostRequest { request } => self.post_request(item, *request).await,
            Effect::RequestDecided { request } => self.request_decided(item, *request).await,
            Effect::RequestExpired { request } => self.request_expired(item, *request).await,
            Effect::AnnounceReview { reminder } => self.announce_review(item, *reminder).await,
            Effect::AnnounceRegulation => self.announce_regulation(item).await,
            Effect::TellPlaybookRevised { playbook } => self.tell_playbook_revised(item, playbook).await,
            Effect::AppiDraft { incident } => self.appi_draft(item, *incident).await,
            Effect::RefreshTriage => self.refresh_triage(item).await,
            Effect::PingTriage => self.ping_triage(item).await,
            Effect::ReportDeadItems => self.report_dead_items(item).await,
            Effect::WarnRefusals { count } => self.warn_refusals(item, *count).await,
            Effect::RestoreAccess { incident } => self.restore_access(*incident).await,
            Effect::AccessDrift { incident, gained, undone } => self.access_drift(item, *incident, gained, *undone).await,
            Effect::ChannelLost { incident, channel } => self.channel_lost(item, *incident, *channel).await,
            Effect::DeleteMessage { channel, message, .. } => self.delete_message(*channel, *message).await,
        }
    }
}

#[async_trait::async_trait]
impl Deliver for DiscordEffects {
    /// Each delivery's time goes to `hikeshi_delivery_seconds{kind}`.
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let started = std::time::Instant::now();
        let delivered = self.route(item).await;
        if delivered.is_ok() {
            self.rest.metrics().delivery(item.effect.kind(), started.elapsed());
        }
        delivered
    }

    /// A report whose channel or card could not be made must not go unseen.
    async fn gave_up(&self, item: &OutboxItem, error: &str) {
        self.report_gave_up(item, error).await;
    }
}
