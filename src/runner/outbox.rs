use crate::domain::effect::OutboxItem;
use crate::service::{Delivered, Hikeshi, ServiceError};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tracing::Instrument as _;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeliveryError {
    /// An earlier effect has not happened yet (no channel to post in).
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("rate limited for {0:?}")]
    RateLimited(Duration),
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Will never succeed; recorded and given up.
    #[error("refused: {0}")]
    Refused(String),
    /// Cannot succeed until people act (the server is out of channels):
    /// tried again after `after`, for as long as it takes; the people who
    /// must act were told.
    #[error("blocked: {why}")]
    Blocked { after: Duration, why: String },
}

/// What a delivery could not read from the service: a missing row will
/// never appear (refused); anything else may pass (retried).
impl From<ServiceError> for DeliveryError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(_) => DeliveryError::Refused(e.to_string()),
            e => DeliveryError::Transient(e.to_string()),
        }
    }
}

/// Performs one side effect. Implementations must make a repeated delivery
/// of the same item harmless (it happens after a crash or a timeout).
#[async_trait::async_trait]
pub trait Deliver: Send + Sync + 'static {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError>;

    /// Called once an item is given up, so that someone hears of it.
    async fn gave_up(&self, _item: &OutboxItem, _error: &str) {}
}

/// Two deliverers behind one outbox: what leaves Discord (the
/// organisation's webhook and mail) goes to `outside`, the rest to
/// `discord`.
pub struct Roads {
    pub discord: Arc<dyn Deliver>,
    pub outside: Arc<dyn Deliver>,
}

impl Roads {
    fn of(&self, item: &OutboxItem) -> &dyn Deliver {
        if item.effect.leaves_discord() {
            self.outside.as_ref()
        } else {
            self.discord.as_ref()
        }
    }
}

#[async_trait::async_trait]
impl Deliver for Roads {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        self.of(item).deliver(item).await
    }

    async fn gave_up(&self, item: &OutboxItem, error: &str) {
        self.of(item).gave_up(item, error).await;
    }
}

/// 1 s, 2 s, 4 s, … capped at 5 minutes.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs(2u64.saturating_pow(exp).min(300))
}

/// Items waiting for an earlier effect are given up after this many tries
/// (about four hours with the back-off cap).
const MAX_NOT_READY: i64 = 60;

/// An item that keeps failing is set aside as dead after this many tries
/// (about six hours with the back-off cap), where an operator sees it
/// (`hikeshi outbox list`) and the committee is told; a rate limit does not
/// count as a try.
pub const MAX_ATTEMPTS: i64 = 80;

/// What one step did, for tests that drive the worker by hand.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Step {
    pub delivered: usize,
    pub retried: usize,
    pub given_up: usize,
}

impl Step {
    pub fn is_idle(&self) -> bool {
        *self == Step::default()
    }
}

#[derive(Clone)]
pub struct Worker {
    app: Hikeshi,
    deliver: Arc<dyn Deliver>,
    name: String,
    wake: Arc<Notify>,
    lease: chrono::Duration,
    answering: Option<Arc<super::Answering>>,
}

const BATCH: i64 = 50;
/// The longest the worker waits for answers before claiming more.
const YIELD_AT_MOST: Duration = Duration::from_millis(250);

enum Fate {
    Delivered,
    Retry { after: Duration, error: String, count: bool },
    GiveUp(String),
}

impl Worker {
    /// A worker woken by every commit that queued effects.
    pub fn new(app: Hikeshi, deliver: Arc<dyn Deliver>, name: impl Into<String>) -> Self {
        let wake = app.delivery().queued_effects();
        Worker {
            app,
            deliver,
            name: name.into(),
            wake,
            lease: chrono::Duration::seconds(crate::config::env::DEFAULT_OUTBOX_LEASE_SECONDS),
            answering: None,
        }
    }

    pub fn with_lease(mut self, lease: chrono::Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Lets interactions being answered go first (see [`super::Answering`]).
    pub fn yielding_to(mut self, answering: Arc<super::Answering>) -> Self {
        self.answering = Some(answering);
        self
    }

    /// Claims and delivers one batch. Items of one incident go in order; a
    /// failure puts that incident's later items back, so a notice never
    /// overtakes the card it belongs under. Incidents proceed in parallel.
    pub async fn step(&self) -> Result<Step, ServiceError> {
        let groups = self.claim(BATCH, &HashSet::new()).await?;
        let results = futures_util::future::join_all(groups.into_iter().map(|g| self.run_group(g))).await;
        let mut step = Step::default();
        for r in results {
            step.add(r?);
        }
        Ok(step)
    }

    /// Claims up to `limit` due items, in groups delivered one after
    /// another: one incident's items, or one coalesced message's (two
    /// refreshes of the same message never race). Items already in hand
    /// (`busy`: their lease ran out while they waited their turn) are left
    /// to the delivery that holds them.
    async fn claim(&self, limit: i64, busy: &HashSet<i64>) -> Result<Vec<Vec<OutboxItem>>, ServiceError> {
        let now = self.app.clock.now();
        let items = self.app.delivery().claim_outbox(&self.name, now, self.lease, limit).await?;
        let mut groups: BTreeMap<GroupKey, Vec<OutboxItem>> = BTreeMap::new();
        for item in items.into_iter().filter(|i| !busy.contains(&i.id)) {
            let key = match (item.effect.incident(), item.effect.coalesce_key()) {
                (Some(i), _) => GroupKey::Incident(i.0),
                (None, Some(k)) => GroupKey::Coalesced(k),
                (None, None) => GroupKey::Alone(item.id),
            };
            groups.entry(key).or_default().push(item);
        }
        Ok(groups.into_values().collect())
    }

    async fn run_group(&self, items: Vec<OutboxItem>) -> Result<Step, ServiceError> {
        let mut step = Step::default();
        let mut blocked: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut failure = None;
        for item in items {
            // A store error on one item must not leave the rest claimed
            // until their lease runs out: go on, report the error at the end.
            // One span per delivery: a grep for the incident's number
            // finds every request made for it (the deliverer records the
            // number once it has loaded the incident).
            let span = tracing::info_span!("delivery", item = item.id, kind = item.effect.kind(), incident = tracing::field::Empty,);
            let done = self.settle(&item, &mut blocked, &mut step).instrument(span).await;
            if let Err(e) = done {
                tracing::warn!(item = item.id, error = %e, "could not record a delivery outcome");
                failure = Some(e);
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(step),
        }
    }

    async fn settle(
        &self,
        item: &OutboxItem,
        blocked: &mut Option<chrono::DateTime<chrono::Utc>>,
        step: &mut Step,
    ) -> Result<(), ServiceError> {
        if let Some(until) = *blocked {
            self.app.delivery().retry_outbox(item.id, until, "waiting for an earlier effect of the same incident", false).await?;
            step.retried += 1;
            return Ok(());
        }
        let started = std::time::Instant::now();
        match self.attempt(item).await {
            Fate::Delivered => {
                tracing::info!(attempts = item.attempts, ms = started.elapsed().as_millis() as u64, "delivered");
                step.delivered += 1
            }
            Fate::Retry { after, error, count } => {
                let until = self.app.clock.now() + chrono::Duration::from_std(after).unwrap_or_default();
                tracing::warn!(item = item.id, kind = item.effect.kind(), attempts = item.attempts, error = %error, "delivery failed; will retry");
                *blocked = Some(until);
                step.retried += 1;
                self.app.delivery().retry_outbox(item.id, until, &error, count).await?;
            }
            Fate::GiveUp(error) => {
                tracing::error!(item = item.id, kind = item.effect.kind(), error = %error, "delivery given up");
                step.given_up += 1;
                self.app.delivery().give_up_outbox(item.id, Some(&item.effect), &error).await?;
                self.deliver.gave_up(item, &error).await;
            }
        }
        Ok(())
    }

    /// How long one delivery may take: shorter than the claim lease, so a
    /// request that never answers (serenity's client sets no timeout) is
    /// abandoned and retried by this worker before another one could take
    /// the item over, and never holds the outbox.
    fn delivery_timeout(&self) -> Duration {
        (self.lease * 2 / 3).to_std().unwrap_or(Duration::from_secs(20)).max(Duration::from_millis(500))
    }

    async fn attempt(&self, item: &OutboxItem) -> Fate {
        let delivered = match tokio::time::timeout(self.delivery_timeout(), self.deliver.deliver(item)).await {
            Ok(d) => d,
            Err(_) => {
                let after = self.delivery_timeout();
                tracing::warn!(item = item.id, kind = item.effect.kind(), timeout = ?after, "a delivery did not answer in time");
                Err(DeliveryError::Transient(format!("no answer within {after:?}")))
            }
        };
        match delivered {
            Ok(result) => match self.app.delivery().delivered(item, result).await {
                Ok(()) => Fate::Delivered,
                // Delivered but not recorded: the item comes back and the
                // delivery must find what it made (see `Deliver`).
                Err(e) => Fate::Retry { after: backoff(item.attempts), error: format!("recording failed: {e}"), count: true },
            },
            Err(DeliveryError::RateLimited(d)) => Fate::Retry { after: d, error: "rate limited".into(), count: false },
            Err(DeliveryError::Blocked { after, why }) => Fate::Retry { after, error: why, count: false },
            Err(DeliveryError::NotReady(why)) if item.attempts >= MAX_NOT_READY => Fate::GiveUp(format!("never became ready: {why}")),
            Err(DeliveryError::NotReady(why)) => {
                Fate::Retry { after: backoff(item.attempts).min(Duration::from_secs(30)), error: why, count: true }
            }
            Err(DeliveryError::Transient(e)) if item.attempts >= MAX_ATTEMPTS => {
                Fate::GiveUp(format!("failed {} times; the last: {e}", item.attempts))
            }
            Err(DeliveryError::Transient(e)) => Fate::Retry { after: backoff(item.attempts), error: e, count: true },
            Err(DeliveryError::Refused(e)) => Fate::GiveUp(e),
        }
    }

    /// Runs until `stop` turns true. Deliveries flow without pauses: a
    /// batch's groups run side by side, and whenever fewer than half a
    /// batch are in hand more are claimed, so Discord's 50 requests a
    /// second are used to the last (a burst of reports is limited by
    /// Discord, not by the worker waiting for its slowest group). Also
    /// claims when woken by a commit, and every second for retries. On
    /// stop, deliveries in hand finish (each within its timeout).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut running: JoinSet<Result<Step, ServiceError>> = JoinSet::new();
        // The items each running delivery holds.
        let mut held: HashMap<tokio::task::Id, Vec<i64>> = HashMap::new();
        let mut busy: HashSet<i64> = HashSet::new();
        let mut claim = true;
        loop {
            if *stop.borrow() {
                break;
            }
            if claim && busy.len() <= BATCH as usize / 2 {
                if let Some(a) = &self.answering {
                    a.quiet(YIELD_AT_MOST).await;
                }
                match self.claim(BATCH - busy.len() as i64, &busy).await {
                    Ok(groups) => {
                        for group in groups {
                            let ids: Vec<i64> = group.iter().map(|i| i.id).collect();
                            busy.extend(&ids);
                            let worker = self.clone();
                            let task = running.spawn(async move { worker.run_group(group).await });
                            held.insert(task.id(), ids);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "outbox claim failed; the database may be unavailable"),
                }
            }
            claim = tokio::select! {
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    Self::finished(done, &mut held, &mut busy);
                    true
                }
                _ = self.wake.notified() => true,
                _ = tokio::time::sleep(Duration::from_secs(1)) => true,
                _ = stop.changed() => false,
            };
        }
        while let Some(done) = running.join_next_with_id().await {
            Self::finished(done, &mut held, &mut busy);
        }
    }

    fn finished(
        done: Result<(tokio::task::Id, Result<Step, ServiceError>), tokio::task::JoinError>,
        held: &mut HashMap<tokio::task::Id, Vec<i64>>,
        busy: &mut HashSet<i64>,
    ) {
        let task = match &done {
            Ok((id, _)) => *id,
            Err(e) => e.id(),
        };
        for item in held.remove(&task).unwrap_or_default() {
            busy.remove(&item);
        }
        match done {
            Ok((_, Err(e))) => tracing::warn!(error = %e, "outbox delivery could not be recorded; the database may be unavailable"),
            // Its items come back when their lease runs out.
            Err(e) => tracing::error!(error = %e, "an outbox delivery panicked"),
            Ok(_) => {}
        }
    }
}

/// Items delivered one after another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Incident(i64),
    Coalesced(String),
    Alone(i64),
}

impl Step {
    fn add(&mut self, other: Step) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.given_up += other.given_up;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(100), Duration::from_secs(300));
        assert_eq!(backoff(0), Duration::from_secs(1));
    }
}
