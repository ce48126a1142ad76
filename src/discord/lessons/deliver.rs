//! Delivering §4.4: the announcement to all members (§4.4(3)) with its
//! read count edited in place, and the board report draft (§4.4(2)).

use super::render;
use crate::discord::deliver::{nonce, rest_err, DiscordEffects};
use crate::discord::render::{no_mentions, role_mention_only};
use crate::domain::effect::OutboxItem;
use crate::domain::IncidentId;
use crate::records;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use crate::tr;
use serenity::all::{CreateMessage, EditMessage};

impl DiscordEffects {
    /// §4.4(3): the plan, in the announcement channel, with a read button.
    pub(crate) async fn announce(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let readers = self.app.lessons().read_count(id).await?;
        let (text, embed, rows) = render::announcement(&i, readers, s);
        let msg = CreateMessage::new().content(text).embed(embed).components(rows).allowed_mentions(no_mentions());
        let m = self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
        self.app.lessons().remember_announcement(id, m).await?;
        Ok(Delivered::Done)
    }

    /// §4.4(3): a DM, once, to each member who has not confirmed the
    /// announcement, with its link; where the members cannot be listed
    /// (the members intent is off), one line under the announcement.
    pub(crate) async fn remind_unread(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let link = match self.app.lessons().announcement_message(id).await? {
            Some(m) => format!("https://discord.com/channels/{}/{}/{m}", s.discord.guild, s.discord.announcement_channel),
            None => format!("<#{}>", s.discord.announcement_channel),
        };
        let text = render::unread(&i, &link, s.organisation.lang);
        let Some(members) = self.access.members_but(self.bot) else {
            let msg = CreateMessage::new().content(text).allowed_mentions(no_mentions());
            self.post(s.discord.announcement_channel, msg, &nonce(item)).await?;
            return Ok(Delivered::Done);
        };
        for user in self.app.lessons().not_yet_read(id, members).await? {
            let msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
            // A member whose DMs are closed is not reached; the share of
            // those who confirmed is in the §5 audit.
            self.dm(user, msg, &format!("{}-{user}", nonce(item))).await?;
        }
        Ok(Delivered::Done)
    }

    /// The read count, edited in place.
    pub(crate) async fn refresh_announcement(&self, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let Some(message) = self.app.lessons().announcement_message(id).await? else {
            return Ok(Delivered::Done);
        };
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let readers = self.app.lessons().read_count(id).await?;
        let (text, embed, rows) = render::announcement(&i, readers, s);
        match self
            .edit(
                s.discord.announcement_channel,
                message,
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
    pub(crate) async fn board_report(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let mut record = self.app.records().record(i.number).await?;
        record.redact_confidential_reporter();
        let md = records::board_report_markdown(&record, s);
        let (role, number) = (s.discord.committee_role, i.number);
        let text = tr!(
            lang,
            "<@&{role}> 📑 {number} は取締役会への報告が必要です（§4.4(2)）。報告書の案を添付します。",
            "<@&{role}> 📑 {number} must be reported to the board (§4.4(2)). The draft report is attached."
        );
        // The committee records on the draft itself when the board was told.
        self.attach_or_refused(
            s.discord.committee_channel,
            text,
            role_mention_only(role),
            &render::board_told_row(id, lang),
            (format!("{number}-board-report.md"), md.into_bytes()),
            &nonce(item),
        )
        .await
        .map_err(rest_err)?;
        Ok(Delivered::Done)
    }
}
