//! The roads out of Discord (issue 26): the organisation's own webhook
//! (signed JSON, ntfy's plain text, or a Slack-compatible body) and its
//! mailbox over SMTP. An adapter beside `discord/` and `http/`: it asks the
//! service what to send and records what it reached; the outbox retries it
//! (a receiver down, a 5xx, a hang) without holding up Discord.
//!
//! What leaves Discord carries no free text a member wrote: the number,
//! the category, the priority, how long it waited, and a link that only
//! the people Discord lets in can open.

mod mail;
mod page;
mod tools;
mod webhook;

use crate::config::env::Secret;
use crate::domain::effect::OutboxItem;
use crate::domain::escalation::{Road, Step};
use crate::domain::{Effect, IncidentId};
use crate::runner::{Deliver, DeliveryError};
use crate::service::{Delivered, Hikeshi};

pub use webhook::{signature, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// How long a receiver may take before the try counts as failed.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub struct OutsideEffects {
    app: Hikeshi,
    http: reqwest::Client,
    secret: Option<Secret>,
    login: Option<(String, Secret)>,
}

impl OutsideEffects {
    pub fn new(app: Hikeshi, secret: Option<Secret>, login: Option<(String, Secret)>) -> Self {
        let http = reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default();
        OutsideEffects { app, http, secret, login }
    }

    /// The last step by one road, if the report still waits.
    async fn page(&self, item: &OutboxItem, id: IncidentId, road: Road) -> Result<Delivered, DeliveryError> {
        let Some((i, _)) = self.app.escalation().reach(id, Step::Outside, None).await? else {
            return Ok(Delivered::Done);
        };
        let page = page::Page::of(&i, &self.app.settings, self.app.clock.now());
        let reached = match road {
            Road::Webhook => self.webhook(item, &page).await?,
            Road::Mail => self.mail(item, &page).await?,
        };
        self.app.escalation().delivered(id, Step::Outside, reached, vec![]).await?;
        Ok(Delivered::Done)
    }
}

#[async_trait::async_trait]
impl Deliver for OutsideEffects {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        match &item.effect {
            Effect::PageOutside { incident, road } => self.page(item, *incident, *road).await,
            Effect::NotifyTools { incident, what } => self.tools(item, *incident, *what).await,
            other => Err(DeliveryError::Refused(format!("{} is not delivered outside Discord", other.kind()))),
        }
    }

    /// A road given up (refused, or failing for hours) is in the record:
    /// a drill's report counts it as a finding.
    async fn gave_up(&self, item: &OutboxItem, error: &str) {
        if let Effect::PageOutside { incident, road } = &item.effect {
            let missed = vec![format!("{}: {error}", road_name(*road))];
            if let Err(e) = self.app.escalation().delivered(*incident, Step::Outside, vec![], missed).await {
                tracing::error!(error = %e, "could not record a step given up");
            }
        }
    }
}

/// The incident's channel in Discord: only the people Discord lets in
/// can open it.
fn channel_link(i: &crate::domain::Incident, s: &crate::config::Settings) -> Option<String> {
    i.channel.map(|c| format!("https://discord.com/channels/{}/{c}", s.discord.guild))
}

fn road_name(road: Road) -> &'static str {
    match road {
        Road::Webhook => "webhook",
        Road::Mail => "mail",
    }
}
