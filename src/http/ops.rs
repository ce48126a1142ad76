//! The operators' endpoints on `HIKESHI_METRICS_ADDR` (off by default):
//! `/healthz` (200, or 503 with the reasons) and Prometheus `/metrics`.

use crate::clock::Clock;
use crate::metrics::{GatewaySeen, Metrics};
use crate::service::Delivery;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// `/healthz` says 503 when the gateway has been down, or without a
/// heartbeat acknowledgement, for longer than this…
pub const GATEWAY_GRACE: chrono::Duration = chrono::Duration::seconds(60);
/// …or when a due side effect has waited longer than this.
pub const OUTBOX_GRACE: chrono::Duration = chrono::Duration::minutes(5);

/// Why `/healthz` says 503, in the operator's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unhealthy {
    Database(String),
    GatewayDown { secs: i64 },
    NoHeartbeatAck { secs: i64 },
    OutboxStuck { secs: i64 },
}

impl std::fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unhealthy::Database(e) => write!(f, "the database does not answer: {e}"),
            Unhealthy::GatewayDown { secs } => write!(f, "the gateway has been disconnected for {secs} s"),
            Unhealthy::NoHeartbeatAck { secs } => write!(f, "no heartbeat acknowledged by the gateway for {secs} s"),
            Unhealthy::OutboxStuck { secs } => write!(f, "a due side effect has waited {secs} s to be delivered"),
        }
    }
}

/// What is wrong at `now`, given the gateway as last seen (`None`: never
/// started, so down since `started`) and when the oldest due side effect
/// became due.
pub fn judge(
    now: DateTime<Utc>,
    started: DateTime<Utc>,
    gateway: Option<GatewaySeen>,
    oldest_due: Option<DateTime<Utc>>,
) -> Vec<Unhealthy> {
    let mut out = vec![];
    let gateway = gateway.unwrap_or(GatewaySeen { connected: false, since: started, last_ack: None });
    let down_for = now - gateway.since;
    if !gateway.connected && down_for > GATEWAY_GRACE {
        out.push(Unhealthy::GatewayDown { secs: down_for.num_seconds() });
    }
    // Acknowledged last at, or (never yet) connected at.
    let acked = gateway.last_ack.unwrap_or(gateway.since).max(gateway.since);
    if gateway.connected && now - acked > GATEWAY_GRACE {
        out.push(Unhealthy::NoHeartbeatAck { secs: (now - acked).num_seconds() });
    }
    if let Some(due) = oldest_due.filter(|due| now - *due > OUTBOX_GRACE) {
        out.push(Unhealthy::OutboxStuck { secs: (now - due).num_seconds() });
    }
    out
}

#[derive(Clone)]
struct Ops {
    delivery: Delivery,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    started: DateTime<Utc>,
}

/// 200 "ok", or 503 with each reason on its own line.
async fn healthz(State(ops): State<Ops>) -> impl IntoResponse {
    let now = ops.clock.now();
    let problems = match ops.delivery.outbox_oldest_due().await {
        Ok(oldest) => judge(now, ops.started, ops.metrics.gateway_seen(), oldest),
        Err(e) => vec![Unhealthy::Database(e.to_string())],
    };
    if problems.is_empty() {
        return (StatusCode::OK, "ok\n".to_string());
    }
    let text: String = problems.iter().map(|p| format!("{p}\n")).collect();
    (StatusCode::SERVICE_UNAVAILABLE, text)
}

async fn metrics_page(State(ops): State<Ops>) -> impl IntoResponse {
    match ops.delivery.health().await {
        Ok(h) => {
            let page = ops.metrics.render(&h, ops.clock.now());
            (StatusCode::OK, [("content-type", "application/openmetrics-text; version=1.0.0; charset=utf-8")], page).into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("database unavailable: {e}\n")).into_response(),
    }
}

/// `/healthz` and `/metrics`, for the delivery service's figures and the
/// process's metrics.
pub fn router(delivery: Delivery, clock: Arc<dyn Clock>, metrics: Arc<Metrics>) -> Router {
    let started = clock.now();
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics_page)).with_state(Ops { delivery, clock, metrics, started })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn health_fails_past_each_grace_and_not_before() {
        let up = |since, ack: Option<i64>| Some(GatewaySeen { connected: true, since: at(since), last_ack: ack.map(at) });
        let down = |since| Some(GatewaySeen { connected: false, since: at(since), last_ack: Some(at(0)) });
        assert_eq!(judge(at(100), at(0), up(0, Some(90)), None), vec![]);
        assert_eq!(judge(at(60), at(0), down(0), None), vec![], "60 s is within the grace");
        assert_eq!(judge(at(61), at(0), down(0), None), vec![Unhealthy::GatewayDown { secs: 61 }]);
        assert_eq!(judge(at(61), at(0), None, None), vec![Unhealthy::GatewayDown { secs: 61 }], "never connected");
        assert_eq!(judge(at(59), at(0), None, None), vec![]);
        assert_eq!(judge(at(161), at(0), up(0, Some(100)), None), vec![Unhealthy::NoHeartbeatAck { secs: 61 }]);
        assert_eq!(judge(at(160), at(0), up(0, Some(100)), None), vec![]);
        assert_eq!(judge(at(61), at(0), up(0, None), None), vec![Unhealthy::NoHeartbeatAck { secs: 61 }], "connected, never acknowledged");
        assert_eq!(judge(at(100), at(0), up(90, Some(10)), None), vec![], "an ack from before the reconnection does not count against it");
        let due = |s| Some(at(s));
        assert_eq!(judge(at(300), at(0), up(0, Some(299)), due(0)), vec![]);
        assert_eq!(judge(at(301), at(0), up(0, Some(299)), due(0)), vec![Unhealthy::OutboxStuck { secs: 301 }]);
        assert!(Unhealthy::GatewayDown { secs: 61 }.to_string().contains("61 s"));
    }
}
