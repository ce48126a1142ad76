//! Delivering reminders: drills (§4.1(2)) and the annual review (§9) to the
//! committee, Table 1 deadline steps and nudges in incident channels, and
//! the drill report.

use super::render;
use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::dm::Fallback;
use crate::discord::render::no_mentions;
use crate::discord::text::clip;
use crate::domain::effect::OutboxItem;
use crate::domain::{IncidentId, IncidentReminder};
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// A drill or annual-review reminder (or its escalation), with buttons,
    /// pinging the committee.
    pub(crate) async fn cron_reminder(&self, item: &OutboxItem, id: i64, escalation: bool) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let r = self.app.reminders().get(id).await?;
        if escalation && r.acknowledged_by.is_some() {
            return Ok(Delivered::Done);
        }
        let (mut text, rows) = if escalation { render::escalation(&r, s, self.app.clock.now()) } else { render::cron_reminder(&r, s) };
        if r.kind == crate::service::ANNUAL_REVIEW && !escalation {
            text.push_str(&self.year_in_acknowledgements().await?);
        }
        let msg = CreateMessage::new().content(clip(&text, 2000)).components(rows).allowed_mentions(render::committee_mentions(s));
        self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// §9 the yearly review looks back at how the regulation worked: how
    /// long reports waited for the committee over the past year (§4.2),
    /// by priority.
    async fn year_in_acknowledgements(&self) -> Result<String, DeliveryError> {
        let now = self.app.clock.now();
        let stats = self.app.records().stats(now - chrono::Duration::days(365), now).await?;
        let lang = self.app.settings.organisation.lang;
        let table = crate::records::acknowledge::table(&stats.acknowledge, lang);
        Ok(if table.is_empty() {
            String::new()
        } else {
            let heading = crate::tr!(
                lang,
                "この1年、報告が委員会に確認されるまでの時間（§4.2）:",
                "Over the past year, the time reports waited for the committee (§4.2):"
            );
            format!("\n{heading}\n```{table}```")
        })
    }

    /// A deadline step or nudge in the incident channel, and in the
    /// committee channel where the committee must hear of it.
    pub(crate) async fn remind(&self, item: &OutboxItem, id: IncidentId, what: &IncidentReminder) -> Result<Delivered, DeliveryError> {
        if *what == IncidentReminder::Unread {
            return self.remind_unread(item, id).await;
        }
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let ((text, mentions), committee) = render::incident_reminder(&i, what, s);
        // A closed incident's channel is archived: an overdue follow-up
        // reaches its owner by DM there instead.
        let owner = match what {
            IncidentReminder::FollowUp { n, .. } => i.lessons.followups.iter().find(|f| f.n == *n).and_then(|f| f.owner),
            _ => None,
        };
        match (i.channel, owner) {
            (Some(channel), _) if i.phase.is_open() => {
                self.post(channel, CreateMessage::new().content(clip(&text, 2000)).allowed_mentions(mentions), &nonce(item)).await?;
            }
            (_, Some(owner)) => {
                let msg = CreateMessage::new().content(clip(&text, 2000)).allowed_mentions(no_mentions());
                let fallback = i.channel.map_or(Fallback::Announcement, Fallback::Channel);
                self.tell(owner, Some(&i), (&text, msg), &nonce(item), fallback).await?;
            }
            _ => {}
        }
        if let Some(text) = committee {
            let msg = CreateMessage::new().content(clip(&text, 2000)).allowed_mentions(render::committee_mentions(s));
            self.post(s.discord.committee_channel, msg, &format!("hkc{}", item.id)).await?;
        }
        Ok(Delivered::Done)
    }

    /// §4.1(2): the drill report, in the drill's channel and the committee's.
    pub(crate) async fn post_drill_report(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let report = self.app.reminders().drill_report(id).await?;
        let s = &self.app.settings;
        let embed = render::drill_report(&report, s);
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
