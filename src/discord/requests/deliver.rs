//! Delivering §6/§9: a request to the committee with decision buttons, the
//! decision to the requester (and an accepted amendment to all members),
//! an exception's end, the yearly review's outcome.

use super::render;
use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::dm::Fallback;
use crate::discord::render::{no_mentions, role_mention_only};
use crate::domain::effect::OutboxItem;
use crate::domain::request::{RequestKind, RequestStatus};
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serenity::all::CreateMessage;

impl DiscordEffects {
    pub(crate) async fn post_request(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.app.requests().get(id).await?;
        let s = &self.app.settings;
        let (text, embed, rows) = render::committee_card(&r, s);
        let msg =
            CreateMessage::new().content(text).embed(embed).components(rows).allowed_mentions(role_mention_only(s.discord.committee_role));
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    pub(crate) async fn request_decided(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.app.requests().get(id).await?;
        let s = &self.app.settings;
        if r.kind == RequestKind::Amendment && r.status == RequestStatus::Approved {
            let msg = CreateMessage::new().content(render::amendment_notice(&r, s)).allowed_mentions(no_mentions());
            self.post(s.discord.announcement_channel, msg, &format!("hka{}", item.id)).await?;
        }
        let text = render::decision_dm(&r, s);
        let msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
        self.tell(r.requester, None, (&text, msg), &nonce(item), Fallback::Announcement).await?;
        Ok(Delivered::Done)
    }

    pub(crate) async fn request_expired(&self, item: &OutboxItem, id: i64) -> Result<Delivered, DeliveryError> {
        let r = self.app.requests().get(id).await?;
        let s = &self.app.settings;
        let text = render::expiry_notice(&r, s);
        self.post(
            s.discord.committee_channel,
            CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions()),
            &format!("hkc{}", item.id),
        )
        .await?;
        let msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
        self.tell(r.requester, None, (&text, msg), &nonce(item), Fallback::Announcement).await?;
        Ok(Delivered::Done)
    }

    /// §9 変更内容の通知: the regulation was revised; all members are told
    /// where to read it (the new text itself is in `/regulation`).
    pub(crate) async fn announce_regulation(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let revised = self.app.requests().latest_revision().await?;
        let msg = CreateMessage::new().content(render::regulation_revised(s, revised.as_ref())).allowed_mentions(no_mentions());
        self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    pub(crate) async fn announce_review(&self, item: &OutboxItem, reminder: i64) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let outcome = self.app.reminders().review_outcome(reminder).await?;
        let msg = CreateMessage::new().content(render::review_notice(&outcome, s)).allowed_mentions(no_mentions());
        self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}
