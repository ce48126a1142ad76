//! §5: the monthly audit post, run at delivery.

use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::render::no_mentions;
use crate::discord::text::clip;
use crate::domain::effect::OutboxItem;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// §5: the monthly audit, as found at delivery.
    pub(crate) async fn audit_report(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let findings = self.app.audit().await.map_err(|e| DeliveryError::Transient(e.to_string()))?;
        let text = crate::records::audit::report(&findings, s.organisation.lang);
        // Long reports are cut to Discord's limit; `hikeshi audit` has all.
        let msg = CreateMessage::new().content(clip(&text, 2000)).allowed_mentions(no_mentions());
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}
