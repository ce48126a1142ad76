//! The process's figures for Prometheus, kept as it runs and read by
//! `http::ops` (`/metrics`, `/healthz`).

use crate::service::Health;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the interaction-answer histogram, in seconds (Discord
/// wants an answer within 3).
const ANSWER_BUCKETS: [f64; 9] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0];
/// Upper bounds of the delivery histogram, in seconds.
const DELIVERY_BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The gateway as last seen: whether it is connected and since when, and
/// when a heartbeat was last acknowledged (by the app's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewaySeen {
    pub connected: bool,
    pub since: DateTime<Utc>,
    pub last_ack: Option<DateTime<Utc>>,
}

/// The process's metrics, kept in a `prometheus-client` registry. Counters
/// and histograms are kept as things happen; the figures the database
/// holds are read at each scrape.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    discord_errors: Counter,
    /// Answers of 401, 403 and 429 (Discord bans at 10,000 in 10 minutes).
    discord_invalid: Family<StatusLabel, Counter>,
    /// Interactions left to the process that saw them first.
    duplicates: Counter,
    answers: Histogram,
    deliveries: Histograms<KindLabel>,
    gateway_connected: Gauge,
    reports: Counter,
    open_incidents: Gauge,
    outbox_depth: Family<StateLabel, Gauge>,
    outbox_oldest_due: Gauge<f64, AtomicU64>,
    gateway: Mutex<Option<GatewaySeen>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            registry: Registry::default(),
            discord_errors: Counter::default(),
            discord_invalid: Family::default(),
            duplicates: Counter::default(),
            answers: Histogram::new(ANSWER_BUCKETS),
            deliveries: Family::new_with_constructor(|| Histogram::new(DELIVERY_BUCKETS)),
            gateway_connected: Gauge::default(),
            reports: Counter::default(),
            open_incidents: Gauge::default(),
            outbox_depth: Family::default(),
            outbox_oldest_due: Gauge::default(),
            gateway: Mutex::new(None),
        };
        m.register();
        m
    }
}

impl Metrics {
    fn register(&mut self) {
        let r = &mut self.registry;
        r.register("hikeshi_reports", "Incidents reported (drills excluded)", self.reports.clone());
        r.register("hikeshi_open_incidents", "Incidents not yet closed (drills excluded)", self.open_incidents.clone());
        r.register("hikeshi_outbox_depth", "Side effects waiting for delivery, by state", self.outbox_depth.clone());
        r.register(
            "hikeshi_outbox_oldest_due_seconds",
            "How long the longest-waiting due side effect has waited",
            self.outbox_oldest_due.clone(),
        );
        r.register("hikeshi_gateway_connected", "1 while the gateway is connected", self.gateway_connected.clone());
        r.register("hikeshi_discord_errors", "Discord REST calls that failed", self.discord_errors.clone());
        r.register(
            "hikeshi_discord_invalid_requests",
            "Discord answers of 401, 403 and 429 (10,000 in ten minutes get the address banned for an hour)",
            self.discord_invalid.clone(),
        );
        r.register(
            "hikeshi_interactions_duplicate",
            "Interactions delivered again and left to the delivery that came first",
            self.duplicates.clone(),
        );
        r.register("hikeshi_interaction_seconds", "Time to answer an interaction", self.answers.clone());
        r.register("hikeshi_delivery_seconds", "Time to deliver a side effect, by kind", self.deliveries.clone());
    }

    pub fn discord_error(&self) {
        self.discord_errors.inc();
    }

    /// An answer Discord counts towards its invalid-request ban.
    pub fn discord_invalid(&self, status: u16) {
        if matches!(status, 401 | 403 | 429) {
            self.discord_invalid.get_or_create(&StatusLabel { status }).inc();
        }
    }

    /// An interaction another delivery already handles.
    pub fn duplicate(&self) {
        self.duplicates.inc();
    }

    /// Time from receiving an interaction to having answered it.
    pub fn interaction(&self, took: Duration) {
        self.answers.observe(took.as_secs_f64());
    }

    /// Time one side effect took to deliver.
    pub fn delivery(&self, kind: &'static str, took: Duration) {
        self.deliveries.get_or_create(&KindLabel { kind }).observe(took.as_secs_f64());
    }

    /// The gateway connected (`true`) or was lost (`false`) at `now`; a
    /// repeat of the same state keeps its first time.
    pub fn gateway(&self, connected: bool, now: DateTime<Utc>) {
        let mut seen = self.gateway.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *seen {
            Some(s) if s.connected == connected => {}
            Some(s) => {
                s.connected = connected;
                s.since = now;
            }
            None => *seen = Some(GatewaySeen { connected, since: now, last_ack: None }),
        }
        self.gateway_connected.set(i64::from(connected));
    }

    /// Discord acknowledged a heartbeat at `now`.
    pub fn heartbeat_acked(&self, now: DateTime<Utc>) {
        let mut seen = self.gateway.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = &mut *seen {
            s.last_ack = Some(now);
        }
    }

    pub fn gateway_seen(&self) -> Option<GatewaySeen> {
        *self.gateway.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The page, with the database's figures as of `now`.
    pub fn render(&self, h: &Health, now: DateTime<Utc>) -> String {
        self.reports.inc_by((h.reports.max(0) as u64).saturating_sub(self.reports.get()));
        self.open_incidents.set(h.open);
        for (state, n) in [("pending", h.outbox.pending), ("inflight", h.outbox.inflight), ("dead", h.outbox.dead)] {
            self.outbox_depth.get_or_create(&StateLabel { state }).set(n);
        }
        let waited = h.oldest_due.map_or(0.0, |due| (now - due).num_milliseconds().max(0) as f64 / 1000.0);
        self.outbox_oldest_due.set(waited);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn health(pending: i64, oldest_due: Option<DateTime<Utc>>) -> Health {
        Health { reports: 2, open: 1, outbox: crate::domain::effect::OutboxStats { pending, ..Default::default() }, oldest_due }
    }

    #[test]
    fn the_page_has_the_histograms_counters_and_the_databases_figures() {
        let m = Metrics::default();
        m.interaction(Duration::from_millis(3));
        m.interaction(Duration::from_millis(40));
        m.discord_error();
        m.discord_invalid(429);
        m.discord_invalid(500);
        m.delivery("post_card", Duration::from_millis(30));
        m.gateway(true, at(0));
        let text = m.render(&health(3, Some(at(-90))), at(0));
        for line in [
            "hikeshi_interaction_seconds_bucket{le=\"0.005\"} 1",
            "hikeshi_interaction_seconds_bucket{le=\"0.05\"} 2",
            "hikeshi_interaction_seconds_count 2",
            "hikeshi_delivery_seconds_count{kind=\"post_card\"} 1",
            "hikeshi_outbox_depth{state=\"pending\"} 3",
            "hikeshi_outbox_oldest_due_seconds 90.0",
            "hikeshi_discord_errors_total 1",
            "hikeshi_discord_invalid_requests_total{status=\"429\"} 1",
            "hikeshi_reports_total 2",
            "hikeshi_open_incidents 1",
            "hikeshi_gateway_connected 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
        assert!(!text.contains("status=\"500\""), "{text}");
        // The count follows the database, whatever the scrapes.
        let again = m.render(&Health { reports: 5, ..health(0, None) }, at(1));
        assert!(again.contains("hikeshi_reports_total 5") && again.contains("hikeshi_outbox_oldest_due_seconds 0.0"), "{again}");
    }

    #[test]
    fn the_gateway_keeps_the_time_it_changed() {
        let m = Metrics::default();
        assert_eq!(m.gateway_seen(), None);
        m.heartbeat_acked(at(1));
        assert_eq!(m.gateway_seen(), None, "no ack before a connection");
        m.gateway(true, at(2));
        m.gateway(true, at(5));
        m.heartbeat_acked(at(6));
        assert_eq!(m.gateway_seen(), Some(GatewaySeen { connected: true, since: at(2), last_ack: Some(at(6)) }));
        m.gateway(false, at(7));
        assert_eq!(m.gateway_seen(), Some(GatewaySeen { connected: false, since: at(7), last_ack: Some(at(6)) }));
    }
}
