//! REST calls for the outbox, with errors sorted by what to do next.
//!
//! Either way this module keeps under Discord's global 50 requests a
//! second, spacing requests evenly (a burst of reports goes out as fast as
//! Discord takes it, and never meets a global 429 on the way). With
//! Discord itself, serenity's own rate limiter then sends the request and
//! keeps each route's bucket. With `HIKESHI_DISCORD_API` set, serenity only
//! honours the proxy with its rate limiter off, so the request goes out
//! directly: a 429 is turned into [`RestError::RateLimited`] with the time
//! Discord asked for (`retry_after` in the body, or the `Retry-After`
//! header), which the outbox worker waits out.

use serde::de::DeserializeOwned;
use serenity::http::{Http, HttpError, Request, Route};
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

/// Keeps requests under Discord's global limit, shared by every caller, by
/// spacing them evenly: one every `spacing`, never two closer (a caller
/// that comes late takes the next free slot; slots missed while idle are
/// not saved up). A window that counts N requests a second instead lets N
/// leave together at its start, and a burst that leaves together can
/// arrive closer still; evenly spaced requests arrive within the limit
/// even when each is delayed a little differently on its way.
struct GlobalLimiter {
    spacing: Duration,
    /// The earliest moment the next request may leave.
    next: Mutex<Instant>,
    /// Set by a global 429: nobody sends before this.
    paused_until: Mutex<Option<Instant>>,
}

impl GlobalLimiter {
    fn new(per_second: u32) -> Self {
        GlobalLimiter { spacing: Duration::from_secs(1) / per_second, next: Mutex::new(Instant::now()), paused_until: Mutex::new(None) }
    }

    async fn acquire(&self) {
        if let Some(until) = *self.paused_until.lock().await {
            if until > Instant::now() {
                tokio::time::sleep_until(until).await;
            }
        }
        // Taking a slot is quick; waiting for it happens outside the lock.
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

struct Direct {
    client: reqwest::Client,
    base: String,
}

#[derive(Clone)]
pub struct Rest {
    http: Arc<Http>,
    direct: Option<Arc<Direct>>,
    /// The global limit, on both paths: serenity's own limiter keeps each
    /// route's bucket but meets the global limit only by its 429s.
    limiter: Arc<GlobalLimiter>,
    metrics: Arc<crate::metrics::Metrics>,
}

/// Discord allows 50 requests a second per bot. Spaced 1/48 s apart, no
/// second of sending holds more than 48, and no second of arriving more
/// than 50 unless one request is delayed on its way by over 40 ms more
/// than the one 48 places after it. (A window of 45 a second that let them
/// leave together was once seen as 51 arriving within a second; spaced
/// 1/49 s apart, 50 were.)
const GLOBAL_PER_SECOND: u32 = 48;

impl Rest {
    pub fn new(http: Arc<Http>, api_base: Option<&str>, metrics: Arc<crate::metrics::Metrics>) -> Rest {
        let direct = api_base.map(|base| {
            Arc::new(Direct {
                client: reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default(),
                base: base.trim_end_matches('/').to_string(),
            })
        });
        Rest { http, direct, limiter: Arc::new(GlobalLimiter::new(GLOBAL_PER_SECOND)), metrics }
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
        // Interaction endpoints are not bound to the global limit.
        let interaction = matches!(req.route_ref(), Route::InteractionResponse { .. } | Route::WebhookOriginalInteractionResponse { .. });
        if !interaction {
            self.limiter.acquire().await;
        }
        match &self.direct {
            None => self.http.request(req).await.map_err(classify_serenity),
            Some(d) => {
                let built = req.build(&d.client, self.http.token(), Some(&d.base)).map_err(|e| RestError::Transient(e.to_string()))?;
                let resp = built.send().await.map_err(|e| RestError::Transient(e.without_url().to_string()))?;
                if resp.status().is_success() {
                    return Ok(resp);
                }
                let err = classify_response(resp).await;
                if let RestError::RateLimited { retry_after, global: true } = &err {
                    *self.limiter.paused_until.lock().await = Some(Instant::now() + *retry_after);
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

    /// 200 callers at once, as a burst of reports makes them: they leave
    /// evenly spaced, at most 48 in any second, and the last after
    /// 199/48 s (no slower than the limit asks).
    #[tokio::test(start_paused = true)]
    async fn the_limiter_spaces_a_burst_evenly_under_fifty_a_second() {
        let limiter = Arc::new(GlobalLimiter::new(GLOBAL_PER_SECOND));
        let started = Instant::now();
        let calls: Vec<_> = (0..200)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut sent = vec![];
        for c in calls {
            sent.push(c.await.unwrap());
        }
        sent.sort();
        // Tokio's timer wakes on whole milliseconds.
        for pair in sent.windows(2) {
            assert!(
                pair[1] - pair[0] >= Duration::from_secs(1) / GLOBAL_PER_SECOND - Duration::from_millis(1),
                "two requests closer than the spacing"
            );
        }
        let most_in_a_second =
            (0..sent.len()).map(|i| sent[i..].iter().take_while(|t| **t - sent[i] < Duration::from_secs(1)).count()).max();
        assert_eq!(most_in_a_second, Some(GLOBAL_PER_SECOND as usize));
        let last = sent.last().unwrap().duration_since(started);
        assert!(last <= Duration::from_secs(199) / GLOBAL_PER_SECOND + Duration::from_millis(5), "{last:?}");
        // After a pause, nothing was saved up: the next one leaves now, the
        // one after it a spacing later.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let t = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        let gap = Instant::now() - t;
        let spacing = Duration::from_secs(1) / GLOBAL_PER_SECOND;
        assert!(gap + Duration::from_millis(1) >= spacing && gap <= spacing + Duration::from_millis(1), "{gap:?}");
    }

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
