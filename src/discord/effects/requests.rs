//! Delivering §6/§9 requests, decisions and expiries, and DMs.

use super::{nonce, rest_err, DiscordEffects};
use crate::discord::render::{no_mentions, role_mention_only};
use crate::discord::requests as render;
use crate::domain::request::{Request, RequestKind, RequestStatus};
use crate::domain::{ChannelId, UserId};
use crate::outbox::DeliveryError;
use crate::service::Delivered;
use crate::store::OutboxItem;
use serde::Deserialize;
use serenity::all::{CreateMessage, LightMethod, Request as HttpRequest, Route};

#[derive(Deserialize)]
struct DmChannel {
    id: String,
}

impl DiscordEffects {
    async fn request_row(&self, id: i64) -> Result<Request, DeliveryError> {
        self.app.store.request(id).await?.ok_or_else(|| DeliveryError::Refused(format!("request {id} does not exist")))
    }

    /// A direct message (the requester's answer). A member who closed DMs
    /// is a refusal, recorded and given up.
    pub(super) async fn dm(&self, user: UserId, text: String, nonce: &str) -> Result<(), DeliveryError> {
        let channel = self.dm_channel(user).await?;
        self.post(channel, CreateMessage::new().content(text).allowed_mentions(no_mentions()), nonce).await?;
        Ok(())
    }

    /// The DM channel with `user` (Discord returns the same one each time).
    async fn dm_channel(&self, user: UserId) -> Result<ChannelId, DeliveryError> {
        let body = serde_json::json!({"recipient_id": user.to_string()}).to_string().into_bytes();
        let channel: DmChannel =
            self.rest.json(HttpRequest::new(Route::UserMeDmChannels, LightMethod::Post).body(Some(body))).await.map_err(rest_err)?;
        Ok(ChannelId(channel.id.parse().map_err(|_| DeliveryError::Refused("bad DM channel id".into()))?))
    }

    pub(super) async fn post_request(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.request_row(id).await?;
        let s = &self.app.settings;
        let (text, embed, rows) = render::committee_card(&r, s);
        let msg =
            CreateMessage::new().content(text).embed(embed).components(rows).allowed_mentions(role_mention_only(s.discord.committee_role));
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    pub(super) async fn request_decided(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.request_row(id).await?;
        let s = &self.app.settings;
        if r.kind == RequestKind::Amendment && r.status == RequestStatus::Approved {
            let msg = CreateMessage::new().content(render::amendment_notice(&r, s)).allowed_mentions(no_mentions());
            self.post(s.discord.announcement_channel, msg, &format!("hka{}", item.id)).await?;
        }
        self.dm(r.requester, render::decision_dm(&r, s), &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    pub(super) async fn request_expired(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.request_row(id).await?;
        let s = &self.app.settings;
        let text = render::expiry_notice(&r, s);
        self.post(
            s.discord.committee_channel,
            CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions()),
            &format!("hkc{}", item.id),
        )
        .await?;
        self.dm(r.requester, text, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    pub(super) async fn announce_review(&self, item: &OutboxItem, reminder: i64) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let outcome = self.app.store.review_outcome(reminder).await?.unwrap_or_default();
        let msg = CreateMessage::new().content(render::review_notice(&outcome, s)).allowed_mentions(no_mentions());
        self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}

impl DiscordEffects {
    /// The confidential reporter's DM: where their report stands, and a
    /// button to add information.
    pub(super) async fn tell_reporter(&self, item: &OutboxItem, id: crate::domain::IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let lang = self.app.settings.organisation.lang;
        let (number, phase) = (i.number, i.phase.label().get(lang).to_string());
        let text = crate::tr!(lang, "🔒 あなたの報告 {number} は現在「{phase}」です。", "🔒 Your report {number} is now in “{phase}”.");
        let mut msg = CreateMessage::new().content(text).allowed_mentions(no_mentions());
        if i.phase.is_open() {
            let button = serenity::all::CreateButton::new(crate::discord::custom_id::CustomId::AddInfo(id).encode()).label(crate::tr!(
                lang,
                "情報を追加",
                "Add information"
            ));
            msg = msg.components(vec![serenity::all::CreateActionRow::Buttons(vec![button])]);
        }
        let channel = self.dm_channel(i.reporter).await?;
        self.post(channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}
