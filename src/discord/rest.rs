//! REST calls for the outbox, with errors sorted by what to do next.
//!
//! With Discord itself, serenity's own rate limiter sends the request. With
//! `HIKESHI_DISCORD_API` set, serenity only honours the proxy with its rate
//! limiter off, so the request goes out directly and this module does the
//! limiting: it keeps under Discord's global 50 requests a second, and a
//! 429 is turned into [`RestError::RateLimited`] with the time Discord asked
//! for (`retry_after` in the body, or the `Retry-After` header), which the
//! outbox worker waits out.

use serde::de::DeserializeOwned;
use serenity::http::{Http, HttpError, Request, Route};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RestError {
    #[error("rate limited for {retry_after:?} (global: {global})")]
    RateLimited { retry_after: Duration, global: bool },
    /// 5xx, timeouts, lost connections: try again.
    #[error("Discord did not answer properly: {0}")]
    Transient(String),
    /// 4xx: the request itself is refused; retrying will not help.
    /// `errors`: the codes Discord nests in a 50035 "Invalid Form Body"
    /// (`CHANNEL_PARENT_MAX_CHANNELS`, `BASE_TYPE_MAX_LENGTH`, …).
    #[error("Discord refused the request ({status}): {message} {errors:?}")]
    Refused { status: u16, code: i64, message: String, errors: Vec<String> },
}

impl RestError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, RestError::Refused { status: 404, .. })
    }

    /// The HTTP status, when Discord refused.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Discord's JSON error code, when it refused.
    pub fn code(&self) -> Option<i64> {
        match self {
            RestError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether Discord refused for this nested form-body code.
    pub fn has_form_error(&self, wanted: &str) -> bool {
        matches!(self, RestError::Refused { errors, .. } if errors.iter().any(|e| e == wanted))
    }
}

/// Stays under a number of requests per second, shared by every caller.
struct GlobalLimiter {
    per_second: usize,
    sent: Mutex<VecDeque<Instant>>,
    /// Set by a global 429: nobody sends before this.
    paused_until: Mutex<Option<Instant>>,
}

impl GlobalLimiter {
    async fn acquire(&self) {
        loop {
            if let Some(until) = *self.paused_until.lock().await {
                if until > Instant::now() {
                    tokio::time::sleep_until(until).await;
                }
            }
            let mut sent = self.sent.lock().await;
            let now = Instant::now();
            while sent.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                sent.pop_front();
            }
            if sent.len() < self.per_second {
                sent.push_back(now);
                return;
            }
            let wait = sent.front().map(|t| WINDOW.saturating_sub(now.duration_since(*t))).unwrap_or_default();
            drop(sent);
            tokio::time::sleep(wait).await;
        }
    }
}

struct Direct {
    client: reqwest::Client,
    base: String,
    limiter: GlobalLimiter,
}

#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    direct: Option<Arc<Direct>>,
    metrics: Arc<crate::metrics::Metrics>,
}

/// Discord allows 50 requests a second per bot; stay a little under.
const GLOBAL_PER_SECOND: usize = 45;

/// The second the limiter counts in, a little longer than Discord's: Discord
/// counts requests as they arrive, and one sent early can take longer on its
/// way than one sent a second later, so two sends just over a second apart
/// can arrive within one (seen as 51 in a second on a loaded machine).
const WINDOW: Duration = Duration::from_millis(1100);

impl Rest {
    pub fn new(http: Arc<Http>, api_base: Option<&str>, metrics: Arc<crate::metrics::Metrics>) -> Rest {
        let direct = api_base.map(|base| {
            Arc::new(Direct {
                client: reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default(),
                base: base.trim_end_matches('/').to_string(),
                limiter: GlobalLimiter { per_second: GLOBAL_PER_SECOND, sent: Mutex::new(VecDeque::new()), paused_until: Mutex::new(None) },
            })
        });
        Rest { http, direct, metrics }
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    /// Sends a request; `Ok` only for a 2xx answer.
    pub async fn send(&self, req: Request<'_>) -> Result<reqwest::Response, RestError> {
        let result = self.send_inner(req).await;
        if result.is_err() {
            self.metrics.discord_error();
        }
        result
    }

    async fn send_inner(&self, req: Request<'_>) -> Result<reqwest::Response, RestError> {
        match &self.direct {
            None => self.http.request(req).await.map_err(classify_serenity),
            Some(d) => {
                // Interaction endpoints are not bound to the global limit.
                let interaction =
                    matches!(req.route_ref(), Route::InteractionResponse { .. } | Route::WebhookOriginalInteractionResponse { .. });
                if !interaction {
                    d.limiter.acquire().await;
                }
                let built = req.build(&d.client, self.http.token(), Some(&d.base)).map_err(|e| RestError::Transient(e.to_string()))?;
                let resp = built.send().await.map_err(|e| RestError::Transient(e.without_url().to_string()))?;
                if resp.status().is_success() {
                    return Ok(resp);
                }
                let err = classify_response(resp).await;
                if let RestError::RateLimited { retry_after, global: true } = &err {
                    *d.limiter.paused_until.lock().await = Some(Instant::now() + *retry_after);
                }
                Err(err)
            }
        }
    }

    /// Sends a request and reads the JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<T, RestError> {
        let resp = self.send(req).await?;
        resp.json::<T>().await.map_err(|e| RestError::Transient(format!("unreadable answer: {}", e.without_url())))
    }
}

fn classify_serenity(e: serenity::Error) -> RestError {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let errors = r.error.errors.iter().map(|e| e.code.clone()).collect();
            classify_status(r.status_code.as_u16(), r.error.code as i64, r.error.message, errors, None)
        }
        serenity::Error::Http(HttpError::Request(e)) => RestError::Transient(e.without_url().to_string()),
        other => RestError::Transient(other.to_string()),
    }
}

async fn classify_response(resp: reqwest::Response) -> RestError {
    let status = resp.status().as_u16();
    let header = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<f64>().ok());
    let global_header = resp.headers().get("x-ratelimit-global").is_some();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let code = body.get("code").and_then(|c| c.as_i64()).unwrap_or(0);
    let message = body.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
    if status == 429 {
        let secs = body.get("retry_after").and_then(|r| r.as_f64()).or(header).unwrap_or(1.0);
        let global = body.get("global").and_then(|g| g.as_bool()).unwrap_or(false) || global_header;
        return RestError::RateLimited { retry_after: Duration::from_secs_f64(secs.clamp(0.0, 3600.0)), global };
    }
    let mut errors = vec![];
    form_error_codes(&body["errors"], &mut errors);
    classify_status(status, code, message, errors, header)
}

/// Every `code` under a 50035 body's `errors`, however deep it is nested
/// (`{"parent_id": {"_errors": [{"code": "CHANNEL_PARENT_MAX_CHANNELS", …}]}}`).
fn form_error_codes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(list) = map.get("_errors").and_then(|l| l.as_array()) {
                out.extend(list.iter().filter_map(|e| e["code"].as_str().map(str::to_string)));
            }
            for (k, child) in map {
                if k != "_errors" {
                    form_error_codes(child, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| form_error_codes(i, out)),
        _ => {}
    }
}

fn classify_status(status: u16, code: i64, message: String, errors: Vec<String>, retry_after: Option<f64>) -> RestError {
    match status {
        429 => RestError::RateLimited { retry_after: Duration::from_secs_f64(retry_after.unwrap_or(1.0)), global: false },
        500..=599 => RestError::Transient(format!("HTTP {status} {message}")),
        408 => RestError::Transient(format!("HTTP {status}")),
        _ => RestError::Refused { status, code, message, errors },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_nested_in_an_invalid_form_body_are_read() {
        let body = serde_json::json!({"code": 50035, "message": "Invalid Form Body", "errors": {
            "parent_id": {"_errors": [{"code": "CHANNEL_PARENT_MAX_CHANNELS", "message": "Maximum number of channels in category reached (50)"}]},
            "components": {"0": {"label": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "too long"}]}}}
        }});
        let mut codes = vec![];
        form_error_codes(&body["errors"], &mut codes);
        codes.sort();
        assert_eq!(codes, vec!["BASE_TYPE_MAX_LENGTH", "CHANNEL_PARENT_MAX_CHANNELS"]);
        let e = classify_status(400, 50035, "Invalid Form Body".into(), codes, None);
        assert!(e.has_form_error("CHANNEL_PARENT_MAX_CHANNELS"));
        assert!(!e.has_form_error("MAX_CHANNELS"));
    }
}
