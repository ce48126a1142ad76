//! Discord's rate limits, kept by the fake as Discord keeps them: every
//! answer of a limited route carries `X-RateLimit-Limit`, `-Remaining`,
//! `-Reset`, `-Reset-After` and `-Bucket`; a request past its bucket's
//! window is refused with 429 (`X-RateLimit-Scope: user`, `retry_after`
//! in the body); past 50 requests in any second the bot is refused with a
//! global 429 (`global: true`, scope `global`). Interaction answers are
//! outside the global limit. An address that makes 10,000 invalid
//! requests (401, 403, 429 but a shared limit's) within 10 minutes is
//! banned: every request is then refused with 403 for an hour.
//!
//! Buckets (Discord publishes no figures; these are the ones observed and
//! widely quoted): messages 5 per 5 s per channel, message edits 5 per 5 s
//! per channel, reactions 1 per 0.25 s per channel, channel edits 10 per
//! 10 s per channel, DMs opened 5 per 5 s, and every other route 50 per
//! second per major parameter.

use super::path_matches;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

pub const GLOBAL_PER_SECOND: usize = 50;
pub const INVALID_LIMIT: usize = 10_000;
const INVALID_WINDOW: Duration = Duration::from_secs(600);
const BAN: Duration = Duration::from_secs(3600);

/// Method, path pattern, bucket hash, requests per window, window.
const RULES: &[(&str, &str, &str, u32, f64)] = &[
    ("POST", "/channels/*/messages", "msgcreate", 5, 5.0),
    ("PATCH", "/channels/*/messages/*", "msgedit", 5, 5.0),
    ("PUT", "/channels/*/messages/*/reactions/*/*", "reaction", 1, 0.25),
    ("PATCH", "/channels/*", "chanedit", 10, 10.0),
    ("POST", "/users/@me/channels", "dmopen", 5, 5.0),
];
const DEFAULT: (&str, u32, f64) = ("route", 50, 1.0);

/// What the limits said of one request.
pub enum Verdict {
    /// Within its bucket: the headers to send with the answer.
    Within(Vec<(&'static str, String)>),
    /// Past its bucket, or past the global limit.
    Limited { retry_after: f64, global: bool, headers: Vec<(&'static str, String)> },
    /// The address is banned.
    Banned,
}

#[derive(Default)]
pub struct Limits {
    /// Each bucket's window: when it started and how many it has seen.
    windows: HashMap<String, (Instant, u32)>,
    /// Arrivals of the last second (interaction answers apart).
    recent: VecDeque<Instant>,
    invalid: VecDeque<Instant>,
    banned_until: Option<Instant>,
    /// Every 429 the limits gave: (method, path, global).
    pub refused: Vec<(String, String, bool)>,
    /// Tests of other things may turn the limits off.
    pub off: bool,
}

/// A route's bucket: its hash, limit and window, and its major parameter.
fn bucket(method: &str, path: &str) -> (String, u32, f64) {
    let (hash, limit, window) =
        RULES.iter().find(|(m, p, ..)| *m == method && path_matches(p, path)).map(|(_, _, h, l, w)| (*h, *l, *w)).unwrap_or(DEFAULT);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let major = match parts.as_slice() {
        ["channels" | "guilds", id, ..] => id.to_string(),
        ["webhooks" | "interactions", id, token, ..] => format!("{id}/{token}"),
        _ => String::new(),
    };
    // Routes without a rule are each their own bucket.
    let hash = if hash == DEFAULT.0 { format!("{method}{}", shape(path)) } else { hash.to_string() };
    (format!("{hash}:{major}"), limit, window)
}

/// The path with its ids as placeholders.
fn shape(path: &str) -> String {
    path.split('/').map(|p| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { ":id" } else { p }).collect::<Vec<_>>().join("/")
}

impl Limits {
    /// Counts a request against its bucket and the global limit.
    pub fn check(&mut self, method: &str, path: &str, interaction: bool, now: Instant) -> Verdict {
        if self.banned_until.is_some_and(|b| b > now) {
            return Verdict::Banned;
        }
        if self.off {
            return Verdict::Within(vec![]);
        }
        if !interaction {
            while self.recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
                self.recent.pop_front();
            }
            if self.recent.len() >= GLOBAL_PER_SECOND {
                let retry_after = (self.recent[0] + Duration::from_secs(1)).duration_since(now).as_secs_f64();
                self.refused.push((method.into(), path.into(), true));
                return Verdict::Limited { retry_after, global: true, headers: vec![("x-ratelimit-global", "true".into())] };
            }
            self.recent.push_back(now);
        }
        let (key, limit, window) = bucket(method, path);
        let window_d = Duration::from_secs_f64(window);
        let (start, count) = self.windows.entry(key.clone()).or_insert((now, 0));
        if now.duration_since(*start) >= window_d {
            *start = now;
            *count = 0;
        }
        let reset_after = (*start + window_d).duration_since(now).as_secs_f64();
        let hash = key.split(':').next().unwrap_or_default().to_string();
        let headers = |remaining: u32| {
            let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs_f64() + reset_after;
            vec![
                ("x-ratelimit-limit", limit.to_string()),
                ("x-ratelimit-remaining", remaining.to_string()),
                ("x-ratelimit-reset", format!("{reset:.3}")),
                ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
                ("x-ratelimit-bucket", hash.clone()),
            ]
        };
        if *count >= limit {
            self.refused.push((method.into(), path.into(), false));
            let mut h = headers(0);
            h.push(("x-ratelimit-scope", "user".into()));
            return Verdict::Limited { retry_after: reset_after, global: false, headers: h };
        }
        *count += 1;
        Verdict::Within(headers(limit - *count))
    }

    /// Counts an answer towards the ban (401, 403, 429 but a shared one's).
    pub fn answered(&mut self, status: u16, shared: bool, now: Instant) {
        if !(matches!(status, 401 | 403) || (status == 429 && !shared)) {
            return;
        }
        self.invalid.push_back(now);
        while self.invalid.front().is_some_and(|t| now.duration_since(*t) > INVALID_WINDOW) {
            self.invalid.pop_front();
        }
        if self.invalid.len() >= INVALID_LIMIT {
            self.banned_until = Some(now + BAN);
        }
    }
}
