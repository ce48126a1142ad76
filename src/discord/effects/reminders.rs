//! Delivering reminders and drill reports.

use super::{nonce, DiscordEffects};
use crate::discord::reminders;
use crate::discord::render::no_mentions;
use crate::domain::{IncidentId, IncidentReminder};
use crate::outbox::DeliveryError;
use crate::service::Delivered;
use crate::store::OutboxItem;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// A drill or annual-review reminder (or its escalation), with buttons,
    /// pinging the committee.
    pub(super) async fn cron_reminder(&self, item: &OutboxItem, id: i64, escalation: bool) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let Some(r) = self.app.store.reminder(id).await? else {
            return Err(DeliveryError::Refused(format!("reminder {id} does not exist")));
        };
        if escalation && r.acknowledged_by.is_some() {
            return Ok(Delivered::Done);
        }
        let (text, rows) = if escalation { reminders::escalation(&r, s, self.app.clock.now()) } else { reminders::cron_reminder(&r, s) };
        let msg = CreateMessage::new()
            .content(crate::discord::i18n::clip(&text, 2000))
            .components(rows)
            .allowed_mentions(reminders::committee_mentions(s));
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// A deadline step or nudge in the incident channel, and in the
    /// committee channel where the committee must hear of it.
    pub(super) async fn remind(&self, item: &OutboxItem, id: IncidentId, what: &IncidentReminder) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let ((text, mentions), committee) = reminders::incident_reminder(&i, what, s);
        if let Some(channel) = i.channel {
            self.post(
                channel,
                CreateMessage::new().content(crate::discord::i18n::clip(&text, 2000)).allowed_mentions(mentions),
                &nonce(item),
            )
            .await?;
        }
        if let Some(text) = committee {
            let msg =
                CreateMessage::new().content(crate::discord::i18n::clip(&text, 2000)).allowed_mentions(reminders::committee_mentions(s));
            self.post(s.discord.committee_channel, msg, &format!("hkc{}", item.id)).await?;
        }
        Ok(Delivered::Done)
    }

    /// §5: the monthly audit, as found at delivery.
    pub(super) async fn audit_report(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let findings = self.app.audit().await.map_err(|e| DeliveryError::Transient(e.to_string()))?;
        let text = crate::records::audit::report(&findings, s.organisation.lang);
        // Long reports are cut to Discord's limit; `hikeshi audit` has all.
        let msg = CreateMessage::new().content(crate::discord::i18n::clip(&text, 2000)).allowed_mentions(no_mentions());
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// §4.1(2): the drill report, in the drill's channel and the committee's.
    pub(super) async fn post_drill_report(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let Some(report) = self.app.store.drill_report(id).await? else {
            return Err(DeliveryError::Refused(format!("no drill report for incident {id}")));
        };
        let s = &self.app.settings;
        let embed = reminders::drill_report(&report, s);
        if let Some(channel) = self.incident(id).await?.channel {
            self.post(channel, CreateMessage::new().embed(embed.clone()).allowed_mentions(no_mentions()), &nonce(item)).await?;
        }
        self.post(
            s.discord.committee_channel,
            CreateMessage::new().embed(embed).allowed_mentions(no_mentions()),
            &format!("hkc{}", item.id),
        )
        .await?;
        Ok(Delivered::Done)
    }
}
