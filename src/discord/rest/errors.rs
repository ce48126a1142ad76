//! Discord's answers sorted by what to do next.

use std::time::Duration;

/// Which limit a 429 was for (`X-RateLimit-Scope`, or `global` in the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The route's bucket for this bot: only that route waits.
    Route,
    /// A resource shared with others (a busy channel): only that route
    /// waits, and Discord does not count it as invalid.
    Shared,
    /// The bot's global limit: every request waits.
    Global,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RestError {
    #[error("rate limited for {retry_after:?} ({scope:?})")]
    RateLimited { retry_after: Duration, scope: Scope },
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

pub(super) async fn classify_response(resp: reqwest::Response) -> RestError {
    let status = resp.status().as_u16();
    let header = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<f64>().ok());
    let scope_header = resp.headers().get("x-ratelimit-scope").and_then(|v| v.to_str().ok()).map(str::to_string);
    let global_header = resp.headers().get("x-ratelimit-global").is_some();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let code = body.get("code").and_then(|c| c.as_i64()).unwrap_or(0);
    let message = body.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
    if status == 429 {
        let secs = body.get("retry_after").and_then(|r| r.as_f64()).or(header).unwrap_or(1.0);
        let global = body.get("global").and_then(|g| g.as_bool()).unwrap_or(false) || global_header;
        let scope = match scope_header.as_deref() {
            _ if global => Scope::Global,
            Some("global") => Scope::Global,
            Some("shared") => Scope::Shared,
            _ => Scope::Route,
        };
        return RestError::RateLimited { retry_after: Duration::from_secs_f64(secs.clamp(0.0, 3600.0)), scope };
    }
    let mut errors = vec![];
    form_error_codes(&body["errors"], &mut errors);
    classify_status(status, code, message, errors)
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

/// Any answer but a 429 (read with its headers above).
fn classify_status(status: u16, code: i64, message: String, errors: Vec<String>) -> RestError {
    match status {
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
        let e = classify_status(400, 50035, "Invalid Form Body".into(), codes);
        assert!(e.has_form_error("CHANNEL_PARENT_MAX_CHANNELS"));
        assert!(!e.has_form_error("MAX_CHANNELS"));
    }
}
