//! What a delivered side effect produced is recorded in the same
//! transaction that marks the outbox item done: a crash in between leaves
//! the item to be delivered again, and the Discord layer makes that
//! redelivery find what the first one made.

use super::{core::Core, ServiceError};
use crate::domain::effect::{OutboxItem, OutboxStats};
use crate::domain::{Actor, ChannelId, Effect, EventPayload, IncidentId, MessageId, UserId};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Delivery {
    core: Core,
    /// Interactions this process has seen, and when (see `first_delivery`).
    seen: Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>>,
    /// The hour (since the epoch) old seen posts were last forgotten in:
    /// once an hour is enough, and spares a write at every tick.
    posts_forgotten: Arc<std::sync::atomic::AtomicI64>,
}

impl Delivery {
    pub(super) fn new(core: Core) -> Self {
        Delivery { core, seen: Arc::default(), posts_forgotten: Arc::default() }
    }
}

/// Where the committee's message about dead items is kept.
const DEAD_ITEMS_POST: &str = "dead_items_message";
/// Where the committee's latest notice message is kept.
const NOTICE_POST: &str = "committee_notice";

/// The committee's latest notice message (§4.2) and the reports it lists
/// in order: reports arriving soon after are added to it while it has room.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoticePost {
    pub message: MessageId,
    pub started: DateTime<Utc>,
    pub incidents: Vec<IncidentId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Nothing to remember.
    Done,
    /// The incident channel exists.
    ChannelCreated(ChannelId),
    /// The incident card was posted.
    CardPosted(MessageId),
    /// The channel moved to the archive.
    Archived(ChannelId),
    /// The committee channel heard of these reports; `latest` is the
    /// notice message now open for more.
    CommitteeTold { told: Vec<IncidentId>, latest: NoticePost },
}

impl Delivery {
    pub async fn delivered(&self, item: &OutboxItem, result: Delivered) -> Result<(), ServiceError> {
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let event = match &result {
            Delivered::Done => None,
            Delivered::ChannelCreated(channel) => Some(EventPayload::ChannelCreated { channel: *channel }),
            Delivered::CardPosted(message) => Some(EventPayload::CardPosted { message: *message }),
            Delivered::Archived(channel) => Some(EventPayload::Archived { channel: *channel }),
            Delivered::CommitteeTold { told, latest } => {
                for id in told {
                    let mut incident = tx.incident(*id).await?;
                    if incident.notice_owed {
                        incident.notice_owed = false;
                        tx.save_incident(&incident, now).await?;
                    }
                }
                let latest = serde_json::to_string(latest).map_err(|_| ServiceError::Internal("a notice post that cannot be written"))?;
                tx.set_state(NOTICE_POST, &latest).await?;
                None
            }
        };
        if let (Some(id), Some(event)) = (item.effect.incident(), event) {
            let mut incident = tx.incident(id).await?;
            match result {
                Delivered::ChannelCreated(c) => incident.channel = Some(c),
                Delivered::CardPosted(m) => incident.card_message = Some(m),
                _ => {}
            }
            tx.save_incident(&incident, now).await?;
            tx.append(Some(id), Actor::System, now, &event).await?;
            if matches!(result, Delivered::ChannelCreated(_)) {
                tx.hurry(id, now).await?;
                // Its line in the committee's notice waited for the link.
                if incident.notice_owed {
                    tx.enqueue(&Effect::CommitteeNotices, now).await?;
                }
            }
        }
        tx.complete(item.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports the committee channel has yet to hear of, oldest first.
    pub async fn notices_owed(&self) -> Result<Vec<crate::domain::Incident>, ServiceError> {
        Ok(self.core.store.notices_owed().await?)
    }

    /// The committee's latest notice message, if one was posted.
    pub async fn committee_notice_post(&self) -> Result<Option<NoticePost>, ServiceError> {
        Ok(self.core.store.get_state(NOTICE_POST).await?.and_then(|v| serde_json::from_str(&v).ok()))
    }
}

/// What `/metrics` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// Real incidents ever reported, and those still open (drills apart).
    pub reports: i64,
    pub open: i64,
    pub outbox: OutboxStats,
    /// When the longest-waiting due side effect became due.
    pub oldest_due: Option<chrono::DateTime<chrono::Utc>>,
}

impl Delivery {
    /// Claims up to `limit` due effects for the worker `name` until
    /// `now + lease`, oldest first.
    pub async fn claim_outbox(
        &self,
        name: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, ServiceError> {
        let claimed = self.core.store.claim(name, now, lease, limit).await?;
        for (id, error) in &claimed.unreadable {
            tracing::error!(item = id, error = %error, "an outbox item cannot be read; set aside as dead");
            self.give_up_outbox(*id, None, error).await?;
        }
        Ok(claimed.items)
    }

    /// Puts an effect back, to be tried at `not_before`.
    pub async fn retry_outbox(&self, id: i64, not_before: DateTime<Utc>, error: &str, count_attempt: bool) -> Result<(), ServiceError> {
        Ok(self.core.store.retry_at(id, not_before, error, count_attempt).await?)
    }

    /// Gives up an effect that can never succeed; it stays for the audit.
    /// The committee hears of it (one message, coalesced), unless the item
    /// given up is that message itself (`effect`: `None` for a row that
    /// could not be read).
    pub async fn give_up_outbox(&self, id: i64, effect: Option<&Effect>, error: &str) -> Result<(), ServiceError> {
        let notice = (effect != Some(&Effect::ReportDeadItems)).then_some(Effect::ReportDeadItems);
        Ok(self.core.store.give_up(id, error, self.core.clock.now(), notice.as_ref()).await?)
    }

    /// `hikeshi outbox list`: dead items and those still waiting.
    pub async fn outbox_rows(&self) -> Result<Vec<crate::domain::effect::OutboxRow>, ServiceError> {
        Ok(self.core.store.outbox_rows().await?)
    }

    /// `hikeshi outbox retry ID`: a dead item is tried again now.
    pub async fn revive_outbox(&self, id: i64) -> Result<bool, ServiceError> {
        let revived = self.core.store.revive(id, self.core.clock.now()).await?;
        if revived {
            self.refresh_dead_items().await?;
        }
        Ok(revived)
    }

    /// `hikeshi outbox drop ID`: an item is set aside for good.
    pub async fn drop_outbox(&self, id: i64) -> Result<bool, ServiceError> {
        let dropped = self.core.store.drop_item(id, self.core.clock.now()).await?;
        if dropped {
            self.refresh_dead_items().await?;
        }
        Ok(dropped)
    }

    /// Discord refuses so many requests that the bot slows down: the
    /// committee hears of it through the outbox, so it is not lost.
    pub async fn warn_refusals(&self, count: u32) -> Result<(), ServiceError> {
        let mut tx = self.core.store.begin().await?;
        tx.enqueue(&Effect::WarnRefusals { count }, self.core.clock.now()).await?;
        Ok(tx.commit().await?)
    }

    /// The committee's message about dead items follows an operator's act.
    async fn refresh_dead_items(&self) -> Result<(), ServiceError> {
        let mut tx = self.core.store.begin().await?;
        tx.enqueue(&Effect::ReportDeadItems, self.core.clock.now()).await?;
        Ok(tx.commit().await?)
    }

    /// Where the committee's message about dead items was posted.
    pub async fn dead_items_message(&self) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.core.store.get_state(DEAD_ITEMS_POST).await?.and_then(|v| v.parse().ok()).map(MessageId))
    }

    pub async fn remember_dead_items_message(&self, m: MessageId) -> Result<(), ServiceError> {
        Ok(self.core.store.set_state(DEAD_ITEMS_POST, &m.0.to_string()).await?)
    }

    /// Where the reporter's first reply can still be edited (the pending
    /// link effect's interaction), to tell them their report is safe when
    /// its channel cannot be opened.
    /// None once its token has lived out its 15 minutes.
    pub async fn pending_reply(&self, incident: crate::domain::IncidentId) -> Result<Option<(u64, String)>, ServiceError> {
        let now = self.core.clock.now();
        Ok(self.core.store.undelivered().await?.into_iter().find_map(|e| match e {
            Effect::LinkReporter { incident: i, application_id, token, asked_at, .. }
                if i == incident && !token.is_empty() && crate::domain::effect::token_alive(asked_at, now) =>
            {
                Some((application_id, token))
            }
            _ => None,
        }))
    }

    /// Dead items by kind, for the committee's message.
    pub async fn dead_items(&self) -> Result<Vec<(String, i64)>, ServiceError> {
        Ok(self.core.store.dead_items().await?)
    }

    /// Is this the first delivery of interaction `id`, to any process? Only
    /// the first answers (Discord accepts one answer). When the database
    /// cannot say, the interaction is handled: an answer refused as a
    /// duplicate is better than none.
    pub async fn first_delivery(&self, id: &str) -> bool {
        // This process's own redeliveries (a resumed session).
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if seen.len() > 10_000 {
                seen.retain(|_, at| at.elapsed() < std::time::Duration::from_secs(3600));
            }
            if seen.insert(id.to_string(), std::time::Instant::now()).is_some() {
                return false;
            }
        }
        // The answer must not wait long for the database: Discord's 3 s.
        if !self.records_interactions() {
            return true;
        }
        match tokio::time::timeout(std::time::Duration::from_millis(500), self.core.store.first_sight(id, self.core.clock.now())).await {
            Ok(Ok(first)) => first,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not record an interaction as seen; handling it");
                true
            }
            Err(_) => {
                tracing::warn!("recording an interaction as seen took too long; handling it");
                true
            }
        }
    }

    /// Whether interactions are recorded in the database: other processes
    /// share only a server database (SQLite serves one process, and this
    /// process remembers its own in memory).
    fn records_interactions(&self) -> bool {
        self.core.store.backend() == crate::store::Backend::Postgres
    }

    /// Forgets recorded interactions older than an hour: Discord forgets
    /// them after 15 minutes.
    pub(super) async fn forget_old_interactions(&self, now: DateTime<Utc>) -> Result<(), ServiceError> {
        if self.records_interactions() {
            self.core.store.forget_interactions_before(now - chrono::Duration::hours(1)).await?;
        }
        let hour = now.timestamp() / 3600;
        if self.posts_forgotten.swap(hour, std::sync::atomic::Ordering::Relaxed) != hour {
            self.core.store.forget_posts_before(now - chrono::Duration::days(1)).await?;
        }
        Ok(())
    }

    /// The bot's own post, as the gateway showed it with its nonce: kept so
    /// that a retry of a post whose answer was lost finds it, after
    /// Discord's few minutes of deduplication as within them.
    pub async fn saw_own_post(&self, channel: ChannelId, nonce: &str, message: MessageId) -> Result<(), ServiceError> {
        Ok(self.core.store.saw_post(channel, nonce, message, self.core.clock.now()).await?)
    }

    /// A DM that could not be delivered (the member closed their DMs) is
    /// kept for them; `true` when it is the first for this member and
    /// incident, so that whoever must hear of it is told once.
    pub async fn keep_letter(&self, user: UserId, incident: Option<IncidentId>, source: &str, text: &str) -> Result<bool, ServiceError> {
        Ok(self.core.store.keep_letter(user, incident, source, text, self.core.clock.now()).await?)
    }

    /// The message an earlier attempt of a post made, if the gateway saw it.
    pub async fn own_post(&self, channel: ChannelId, nonce: &str) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.core.store.post_seen(channel, nonce).await?)
    }

    /// When the longest-waiting due side effect became due (`/healthz`).
    pub async fn outbox_oldest_due(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
        Ok(self.core.store.outbox_oldest_due(self.core.clock.now()).await?)
    }

    pub async fn health(&self) -> Result<Health, ServiceError> {
        let all = self.core.store.all_incidents().await?;
        let real = all.iter().filter(|i| !i.is_drill());
        let (reports, open) = real.fold((0i64, 0i64), |(r, o), i| (r + 1, o + i64::from(i.phase.is_open())));
        let oldest_due = self.core.store.outbox_oldest_due(self.core.clock.now()).await?;
        Ok(Health { reports, open, outbox: self.core.store.outbox_stats().await?, oldest_due })
    }

    /// Notified after every commit that queued side effects (the outbox
    /// worker waits on it).
    pub fn queued_effects(&self) -> Arc<tokio::sync::Notify> {
        self.core.store.queued_effects()
    }
}
