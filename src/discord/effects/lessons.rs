//! Delivering §4.4: the announcement to all members and the board report.

use super::{nonce, rest_err, DiscordEffects};
use crate::discord::lessons as render;
use crate::discord::render::{no_mentions, role_mention_only};
use crate::domain::{IncidentId, MessageId};
use crate::outbox::DeliveryError;
use crate::records;
use crate::service::Delivered;
use crate::store::OutboxItem;
use crate::tr;
use serde_json::json;
use serenity::all::{CreateAttachment, CreateMessage, EditMessage, LightMethod, Request, Route};
use serenity::http::{Multipart, MultipartUpload};

fn announcement_key(id: IncidentId) -> String {
    format!("announcement:{id}")
}

impl DiscordEffects {
    /// §4.4(3): the plan, in the announcement channel, with a read button.
    pub(super) async fn announce(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let readers = self.app.store.readers(id).await?.len();
        let (text, embed, rows) = render::announcement(&i, readers, s);
        let msg = CreateMessage::new().content(text).embed(embed).components(rows).allowed_mentions(no_mentions());
        let m = self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
        self.app.store.set_state(&announcement_key(id), &m.0.to_string()).await?;
        Ok(Delivered::Done)
    }

    /// The read count, edited in place.
    pub(super) async fn refresh_announcement(&self, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let Some(message) = self.app.store.get_state(&announcement_key(id)).await?.and_then(|m| m.parse::<u64>().ok()) else {
            return Ok(Delivered::Done);
        };
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let readers = self.app.store.readers(id).await?.len();
        let (text, embed, rows) = render::announcement(&i, readers, s);
        match self
            .edit(
                s.discord.announcement_channel,
                MessageId(message),
                EditMessage::new().content(text).embed(embed).components(rows).allowed_mentions(no_mentions()),
            )
            .await
        {
            Ok(()) => Ok(Delivered::Done),
            Err(e) if e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    /// §4.4(2): the board report draft, attached, to the committee.
    pub(super) async fn board_report(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let entries = self.app.store.log_entries(id).await?;
        let events = self.app.store.events_of(id).await?;
        let md = records::board_report_markdown(&i, &entries, &events, s);
        let (role, number) = (s.discord.committee_role, i.number);
        let text = tr!(
            lang,
            "<@&{role}> 📑 {number} は取締役会への報告が必要です（§4.4(2)）。報告書の案を添付します。",
            "<@&{role}> 📑 {number} must be reported to the board (§4.4(2)). The draft report is attached."
        );
        self.attach_to_committee(item, text, format!("{number}-board-report.md"), md).await
    }

    /// APPI Art. 26: the draft report to the PPC, attached, to the committee.
    pub(super) async fn appi_draft(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let entries = self.app.store.log_entries(id).await?;
        let md = records::appi::ppc_report_markdown(&i, &entries, s);
        let (role, number) = (s.discord.committee_role, i.number);
        let text = tr!(
            lang,
            "<@&{role}> 🛡 {number} は個人情報保護委員会への報告（速報・確報）と本人への通知が必要な可能性があります（個人情報保護法26条）。報告書の案を添付します。法的助言ではありません。",
            "<@&{role}> 🛡 {number} may need reports to the PPC (preliminary and final) and notice to the people affected (APPI Art. 26). A draft is attached; not legal advice."
        );
        self.attach_to_committee(item, text, format!("{number}-ppc-report.md"), md).await
    }

    /// A message with one Markdown file, pinging the committee.
    async fn attach_to_committee(&self, item: &OutboxItem, text: String, file: String, md: String) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let role = s.discord.committee_role;
        let payload = json!({
            "content": text,
            "allowed_mentions": serde_json::to_value(role_mention_only(role)).unwrap_or_default(),
            "nonce": nonce(item),
            "enforce_nonce": true,
            "attachments": [{"id": "0", "filename": file}],
        });
        let multipart = Multipart {
            upload: MultipartUpload::Attachments(vec![CreateAttachment::bytes(md.into_bytes(), file)]),
            fields: vec![],
            payload_json: Some(payload.to_string()),
        };
        let req = Request::new(Route::ChannelMessages { channel_id: s.discord.committee_channel.0.into() }, LightMethod::Post)
            .multipart(Some(multipart));
        self.rest.send(req).await.map_err(rest_err)?;
        Ok(Delivered::Done)
    }
}
