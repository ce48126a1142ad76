//! §4.1(3) 検知: the alert intake, on `HIKESHI_INTAKE_ADDR` (off by
//! default). Every request needs `Authorization: Bearer
//! <HIKESHI_INTAKE_TOKEN>`; a 2xx means the alerts are stored.
//!
//! - `POST /alerts/alertmanager`: Prometheus Alertmanager's webhook (v4)
//! - `POST /alerts/grafana`: Grafana's webhook contact point
//! - `POST /alerts/generic`: hikeshi's own schema (README)

use super::same;
use crate::config::Secret;
use crate::domain::alert::{self, Batch, PayloadError, Source};
use crate::service::Alerts;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use std::sync::Arc;

/// The largest body accepted: Alertmanager sends a whole group in one
/// notification (500 alerts are about 200 kB) and does not retry a 4xx.
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
struct Intake {
    alerts: Alerts,
    token: Option<Arc<Secret>>,
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

async fn receive(i: &Intake, headers: &HeaderMap, body: &[u8], parse: impl FnOnce(&[u8]) -> Result<Batch, PayloadError>) -> Response {
    let Some(token) = &i.token else {
        return json(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({"error": "HIKESHI_INTAKE_TOKEN is not set on the hikeshi side"}));
    };
    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    if !same(given.as_bytes(), token.expose().as_bytes()) {
        return (StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")], "").into_response();
    }
    let batch = match parse(body) {
        Ok(b) => b,
        Err(e) => return json(StatusCode::BAD_REQUEST, serde_json::json!({"error": e.to_string()})),
    };
    match i.alerts.receive(&batch).await {
        Ok(r) => json(
            StatusCode::OK,
            serde_json::json!({"opened": r.opened.map(|n| n.to_string()), "appended": r.appended, "ignored": r.ignored}),
        ),
        Err(e) => {
            // Not stored: the sender retries (and nothing is doubled).
            tracing::error!(error = %e, "alerts not stored");
            json(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({"error": "not stored; try again"}))
        }
    }
}

async fn alertmanager(State(i): State<Intake>, headers: HeaderMap, body: Bytes) -> Response {
    receive(&i, &headers, &body, |b| alert::parse_group(Source::Alertmanager, b)).await
}

async fn grafana(State(i): State<Intake>, headers: HeaderMap, body: Bytes) -> Response {
    receive(&i, &headers, &body, |b| alert::parse_group(Source::Grafana, b)).await
}

async fn generic(State(i): State<Intake>, headers: HeaderMap, body: Bytes) -> Response {
    receive(&i, &headers, &body, alert::parse_generic).await
}

pub fn router(alerts: Alerts, token: Option<Secret>) -> Router {
    Router::new()
        .route("/alerts/alertmanager", post(alertmanager))
        .route("/alerts/grafana", post(grafana))
        .route("/alerts/generic", post(generic))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(Intake { alerts, token: token.map(Arc::new) })
}

/// What the intake serves, for the log.
pub const WHAT: &str = "the alert intake (/alerts/alertmanager, /alerts/grafana, /alerts/generic)";

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3cre"));
        assert!(!same(b"", b"s3cret"));
        assert!(!same(b"s3cret", b"S3cret"));
        assert!(same(b"", b""));
    }
}
