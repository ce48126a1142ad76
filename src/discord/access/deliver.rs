//! Drift put right (issue 25): the channel's overwrites back to what the
//! state gives, and the committee told.

use crate::discord::channels::state_overwrites;
use crate::discord::deliver::{nonce, rest_err, DiscordEffects};
use crate::domain::access::Reader;
use crate::domain::effect::OutboxItem;
use crate::domain::{ChannelId, IncidentId};
use crate::runner::DeliveryError;
use crate::service::Delivered;
use crate::tr;
use serde_json::json;
use serenity::all::{LightMethod, Request, Route};

impl DiscordEffects {
    /// Every overwrite as the state gives it, in one request: a hand edit
    /// (an allowed `@everyone`, a role or a member let in) is gone.
    pub(crate) async fn restore_access(&self, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let body = json!({"permission_overwrites": state_overwrites(&i, &self.app.settings, self.bot)});
        let req =
            Request::new(Route::Channel { channel_id: channel.0.into() }, LightMethod::Patch).body(Some(body.to_string().into_bytes()));
        match self.rest.send(req).await {
            Ok(_) => Ok(Delivered::Done),
            // The channel is gone: nobody reads it any more.
            Err(e) if e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    /// The committee hears who gained access to which incident.
    pub(crate) async fn access_drift(
        &self,
        item: &OutboxItem,
        id: IncidentId,
        gained: &[Reader],
        undone: bool,
    ) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let (lang, number) = (self.app.settings.organisation.lang, i.number);
        let channel = i.channel.map(|c| format!("<#{c}>")).unwrap_or_default();
        self.ping_committee(&format!("{number} {channel}\n{}", super::drift_text(gained, undone, lang)), &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// The committee hears that an incident's channel was deleted by hand
    /// and where the incident is now.
    pub(crate) async fn channel_lost(&self, item: &OutboxItem, id: IncidentId, old: ChannelId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let (lang, number) = (self.app.settings.organisation.lang, i.number);
        let now = i.channel.map(|c| format!("<#{c}>")).unwrap_or_default();
        let text = tr!(
            lang,
            "⚠ {number} の対応チャンネル（{old}）が手作業で削除されました。hikeshi が新しい非公開チャンネル {now} を開き、カードを掲示しました。記録はすべて保存されています。チャンネルを削除できる権限（チャンネルの管理）を誰が持っているか確認してください。",
            "⚠ The channel of {number} ({old}) was deleted by hand. hikeshi opened a new private channel {now} with the card; the record is whole. Check who holds Manage Channels there."
        );
        self.ping_committee(&text, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}
