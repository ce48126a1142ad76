//! `/healthz` and Prometheus `/metrics` on a local address
//! (`HIKESHI_METRICS_ADDR`, off by default).

use crate::service::Hikeshi;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Upper bounds of the interaction-latency histogram, in seconds.
const BUCKETS: [f64; 9] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0];

/// The answers Discord counts as invalid requests.
const INVALID_STATUSES: [u16; 3] = [401, 403, 429];

/// Counters the bot keeps in memory; gauges are read from the database.
#[derive(Debug, Default)]
pub struct Metrics {
    discord_errors: AtomicU64,
    /// Answers of 401, 403 and 429 (Discord bans at 10,000 in 10 minutes).
    discord_invalid: [AtomicU64; INVALID_STATUSES.len()],
    /// Interactions left to the process that saw them first.
    duplicates: AtomicU64,
    interactions: AtomicU64,
    /// Sum of latencies in microseconds.
    latency_micros: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
}

impl Metrics {
    pub fn discord_error(&self) {
        self.discord_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// An answer Discord counts towards its invalid-request ban.
    pub fn discord_invalid(&self, status: u16) {
        if let Some(i) = INVALID_STATUSES.iter().position(|s| *s == status) {
            self.discord_invalid[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// An interaction another delivery already handles.
    pub fn duplicate(&self) {
        self.duplicates.fetch_add(1, Ordering::Relaxed);
    }

    /// Time from receiving an interaction to having answered it.
    pub fn interaction(&self, took: Duration) {
        self.interactions.fetch_add(1, Ordering::Relaxed);
        self.latency_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        for (b, bound) in self.buckets.iter().zip(BUCKETS) {
            if secs <= bound {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn render(&self, reports: i64, open: i64, outbox: crate::domain::effect::OutboxStats) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, lines: Vec<String>| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for l in lines {
                out.push_str(&l);
                out.push('\n');
            }
        };
        metric(
            "hikeshi_reports_total",
            "counter",
            "Incidents reported (drills excluded).",
            vec![format!("hikeshi_reports_total {reports}")],
        );
        metric(
            "hikeshi_open_incidents",
            "gauge",
            "Incidents not yet closed (drills excluded).",
            vec![format!("hikeshi_open_incidents {open}")],
        );
        metric(
            "hikeshi_outbox_depth",
            "gauge",
            "Side effects waiting for delivery, by state.",
            vec![
                format!("hikeshi_outbox_depth{{state=\"pending\"}} {}", outbox.pending),
                format!("hikeshi_outbox_depth{{state=\"inflight\"}} {}", outbox.inflight),
                format!("hikeshi_outbox_depth{{state=\"dead\"}} {}", outbox.dead),
            ],
        );
        metric(
            "hikeshi_discord_errors_total",
            "counter",
            "Discord REST calls that failed.",
            vec![format!("hikeshi_discord_errors_total {}", self.discord_errors.load(Ordering::Relaxed))],
        );
        metric(
            "hikeshi_discord_invalid_requests_total",
            "counter",
            "Discord answers of 401, 403 and 429 (10,000 in ten minutes get the address banned for an hour).",
            INVALID_STATUSES
                .iter()
                .zip(&self.discord_invalid)
                .map(|(s, n)| format!("hikeshi_discord_invalid_requests_total{{status=\"{s}\"}} {}", n.load(Ordering::Relaxed)))
                .collect(),
        );
        metric(
            "hikeshi_interactions_duplicate_total",
            "counter",
            "Interactions delivered again and left to the delivery that came first.",
            vec![format!("hikeshi_interactions_duplicate_total {}", self.duplicates.load(Ordering::Relaxed))],
        );
        let n = self.interactions.load(Ordering::Relaxed);
        let mut lines: Vec<String> = self
            .buckets
            .iter()
            .zip(BUCKETS)
            .map(|(b, bound)| format!("hikeshi_interaction_seconds_bucket{{le=\"{bound}\"}} {}", b.load(Ordering::Relaxed)))
            .collect();
        lines.push(format!("hikeshi_interaction_seconds_bucket{{le=\"+Inf\"}} {n}"));
        lines.push(format!("hikeshi_interaction_seconds_sum {}", self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6));
        lines.push(format!("hikeshi_interaction_seconds_count {n}"));
        metric("hikeshi_interaction_seconds", "histogram", "Time to answer an interaction.", lines);
        out
    }
}

#[derive(Clone)]
struct Ops {
    app: Hikeshi,
    metrics: Arc<Metrics>,
}

async fn healthz(State(ops): State<Ops>) -> impl IntoResponse {
    match ops.app.ping().await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
    }
}

async fn metrics_page(State(ops): State<Ops>) -> impl IntoResponse {
    match ops.app.health().await {
        Ok(h) => (StatusCode::OK, [("content-type", "text/plain; version=0.0.4")], ops.metrics.render(h.reports, h.open, h.outbox))
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unavailable: {e}\n")).into_response(),
    }
}

/// Serves `/healthz` and `/metrics` on `addr` until `stop`.
pub async fn serve(addr: std::net::SocketAddr, app: Hikeshi, metrics: Arc<Metrics>, stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let router = Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics_page)).with_state(Ops { app, metrics });
    listen("HIKESHI_METRICS_ADDR", addr, router, "/healthz and /metrics", stop).await
}

/// Serves `router` on `addr` (named by the variable `var` in errors) until
/// `stop` says so: the operators' endpoints and the alert intake alike.
pub(crate) async fn listen(
    var: &str,
    addr: std::net::SocketAddr,
    router: Router,
    what: &str,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("{var}={addr}: cannot listen there: {e}"))?;
    tracing::info!(%addr, "serving {what}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative() {
        let m = Metrics::default();
        m.interaction(Duration::from_millis(3));
        m.interaction(Duration::from_millis(40));
        m.discord_error();
        let text = m.render(2, 1, crate::domain::effect::OutboxStats { pending: 3, ..Default::default() });
        assert!(text.contains("hikeshi_interaction_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("hikeshi_interaction_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("hikeshi_interaction_seconds_count 2"));
        assert!(text.contains("hikeshi_outbox_depth{state=\"pending\"} 3"));
        assert!(text.contains("hikeshi_discord_errors_total 1"));
    }
}
