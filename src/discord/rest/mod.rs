//! The one road to Discord's REST API: every request the bot makes,
//! from the outbox, from an answer to a click, from the transcript's
//! recovery, from `doctor` and `setup`, goes through [`Rest::send`], and so
//! does every test's. `HIKESHI_DISCORD_API` changes the base URL and
//! nothing else.
//!
//! Why not serenity's rate limiter: it ignores the proxy setting (it would
//! take the tests to discord.com, so no test could run it), it groups
//! routes by its own guess instead of the bucket Discord names, and it
//! waits out every 429 inside the call, where the outbox cannot see it.
//! Here a request keeps its route's bucket (read from `X-RateLimit-*`),
//! then the global limit; a 429 blocks what its scope says (the route, a
//! shared resource, or everything) for as long as Discord asked, and is
//! handed to the caller as [`RestError::RateLimited`] to retry later.

mod errors;
mod limits;

pub use errors::{RestError, Scope};

use crate::config::Secret;
use crate::metrics::Metrics;
use limits::{BucketHeaders, Buckets, GlobalLimiter, InvalidRequests};
use serde::de::DeserializeOwned;
use serenity::all::Request;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Discord itself; `HIKESHI_DISCORD_API` puts another base in its place.
pub const DISCORD: &str = "https://discord.com";

/// How long a request may take, answer included.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Discord allows 50 requests a second per bot. Spaced 1/48 s apart, no
/// second of sending holds more than 48, and no second of arriving more
/// than 50 unless one request is delayed on its way by over 40 ms more
/// than the one 48 places after it. (A window of 45 a second that let them
/// leave together was once seen as 51 arriving within a second; spaced
/// 1/49 s apart, 50 were.)
const GLOBAL_PER_SECOND: u32 = 48;

/// A 429 asking for no longer than this is waited out by [`Rest::send`],
/// at most `TRIES` times in all.
const WAIT_OUT: Duration = Duration::from_secs(10);
const TRIES: u32 = 3;

/// Near the invalid-request ban, requests leave this many times slower.
const SLOWER_NEAR_BAN: u32 = 4;

#[derive(Clone)]
pub struct Rest(Arc<Road>);

/// Which requests go first under the global limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Everything a person or the record waits for: answers, channels,
    /// cards, notices, the catch-up after a restart.
    Now,
    /// Work nobody waits for (the whole history read again after a
    /// restart): sent only while no other request waits for a slot.
    Idle,
}

struct Road {
    client: reqwest::Client,
    base: String,
    /// `Bot <token>`, as the Authorization header wants it.
    authorization: String,
    global: GlobalLimiter,
    buckets: Buckets,
    invalid: InvalidRequests,
    /// From how many invalid requests in ten minutes requests slow down.
    slow_from: usize,
    warned_near_ban: AtomicBool,
    /// Woken once when requests begin to slow near the ban, for the
    /// committee to be told (see `discord::run_gateway`).
    near_ban: Arc<tokio::sync::Notify>,
    metrics: Arc<Metrics>,
}

impl Rest {
    /// The process's metrics, which this road counts into.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.0.metrics
    }

    pub fn new(token: &Secret, base: &str, metrics: Arc<Metrics>) -> Rest {
        let token = token.expose().trim();
        let authorization = if token.starts_with("Bot ") { token.to_string() } else { format!("Bot {token}") };
        Rest(Arc::new(Road {
            client: reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default(),
            base: base.trim_end_matches('/').to_string(),
            authorization,
            global: GlobalLimiter::new(GLOBAL_PER_SECOND),
            buckets: Buckets::default(),
            invalid: InvalidRequests::default(),
            slow_from: limits::INVALID_SLOW_FROM,
            warned_near_ban: AtomicBool::new(false),
            near_ban: Arc::default(),
            metrics,
        }))
    }

    /// Wakes (once, the first time) when Discord has refused so many
    /// requests that this road slows down to stay clear of its ban.
    pub fn near_ban(&self) -> Arc<tokio::sync::Notify> {
        self.0.near_ban.clone()
    }

    /// Invalid requests (401, 403, 429) of the last ten minutes.
    pub fn invalid_recent(&self) -> usize {
        self.0.invalid.recent()
    }

    /// Sends a request; `Ok` only for a 2xx answer. A 429 asking for a
    /// short wait is waited out here (its bucket, or everything for a
    /// global one, holds until then) and the request sent again: a 429
    /// means Discord did nothing with it. A longer wait goes back to the
    /// caller, whose outbox retries later.
    pub async fn send(&self, req: Request<'_>) -> Result<reqwest::Response, RestError> {
        self.send_in(req, Lane::Now).await
    }

    /// [`Rest::send`] in `lane`.
    pub async fn send_in(&self, req: Request<'_>, lane: Lane) -> Result<reqwest::Response, RestError> {
        let mut tries = 1;
        let result = loop {
            let result = self.send_inner(req.clone(), lane).await;
            match &result {
                Err(RestError::RateLimited { retry_after, .. }) if *retry_after <= WAIT_OUT && tries < TRIES => tries += 1,
                _ => break result,
            }
        };
        if result.is_err() {
            self.0.metrics.discord_error();
        }
        result
    }

    /// Sends a request and reads the JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<T, RestError> {
        self.json_in(req, Lane::Now).await
    }

    /// The same, in `lane`.
    pub async fn json_in<T: DeserializeOwned>(&self, req: Request<'_>, lane: Lane) -> Result<T, RestError> {
        let resp = self.send_in(req, lane).await?;
        resp.json::<T>().await.map_err(|e| RestError::Transient(format!("unreadable answer: {}", e.without_url())))
    }

    async fn send_inner(&self, req: Request<'_>, lane: Lane) -> Result<reqwest::Response, RestError> {
        let road = &self.0;
        let path = req.route_ref().path();
        let (route, major) = route_and_major(&path);
        let place = road.buckets.acquire((*req.method_ref(), route), &major).await;
        // Interaction answers are not bound to the global limit.
        if !major.starts_with("interactions/") && !major.starts_with("webhooks/") {
            match lane {
                Lane::Now => road.global.acquire(self.slower()).await,
                Lane::Idle => road.global.acquire_idle(self.slower()).await,
            }
        }
        let sent = match req.build(&road.client, &road.authorization, Some(&road.base)) {
            Ok(built) => built.send().await.map_err(|e| RestError::Transient(e.without_url().to_string())),
            Err(e) => Err(RestError::Transient(e.to_string())),
        };
        let resp = match sent {
            Ok(resp) => resp,
            Err(e) => {
                road.buckets.release(place, &BucketHeaders::default(), None);
                return Err(e);
            }
        };
        let headers = BucketHeaders::read(resp.headers());
        if resp.status().is_success() {
            road.buckets.release(place, &headers, None);
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let err = errors::classify_response(resp).await;
        let blocked = match &err {
            RestError::RateLimited { retry_after, scope: Scope::Route | Scope::Shared } => Some(*retry_after),
            RestError::RateLimited { retry_after, scope: Scope::Global } => {
                road.global.pause(*retry_after);
                None
            }
            _ => None,
        };
        road.buckets.release(place, &headers, blocked);
        self.count_invalid(status, &err);
        Err(err)
    }

    /// Discord bans an address after 10,000 answers of 401, 403 or 429 in
    /// ten minutes (a shared limit's 429 apart): the bot counts its own.
    fn count_invalid(&self, status: u16, err: &RestError) {
        let invalid = matches!(status, 401 | 403) || matches!(err, RestError::RateLimited { scope: Scope::Route | Scope::Global, .. });
        if !invalid {
            return;
        }
        self.0.metrics.discord_invalid(status);
        let n = self.0.invalid.count();
        if n >= self.0.slow_from && !self.0.warned_near_ban.swap(true, Ordering::Relaxed) {
            self.0.near_ban.notify_one();
            tracing::error!(
                invalid = n,
                limit = limits::INVALID_LIMIT,
                "Discord has refused {n} requests (401, 403, 429) in ten minutes; at {} it bans this address for an hour: requests now leave {SLOWER_NEAR_BAN} times slower",
                limits::INVALID_LIMIT
            );
        }
    }

    fn slower(&self) -> u32 {
        if self.0.invalid.recent() >= self.0.slow_from {
            SLOWER_NEAR_BAN
        } else {
            1
        }
    }
}

/// A request's route as Discord groups it (method aside): its path with
/// ids and tokens as placeholders; and its major parameter (the channel,
/// guild, webhook or interaction it concerns), whose buckets are apart.
fn route_and_major(url: &str) -> (String, String) {
    let path = url.split_once("/api/v10/").map_or(url, |(_, p)| p);
    let parts: Vec<&str> = path.split('/').collect();
    let major = match parts.as_slice() {
        [kind @ ("webhooks" | "interactions"), id, token, ..] => format!("{kind}/{id}/{token}"),
        [kind @ ("channels" | "guilds"), id, ..] => format!("{kind}/{id}"),
        _ => String::new(),
    };
    let route = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let token = i == 2 && matches!(parts[0], "webhooks" | "interactions");
            if token || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                ":id"
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    (route, major)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    /// Item 3 of issue 23: past the threshold of invalid requests, the road
    /// slows down and says so once (the committee is told from that), not
    /// at every further refusal.
    #[tokio::test]
    async fn nearing_the_ban_slows_the_road_and_is_said_once() {
        let refuse = axum::Router::new().fallback(|| async {
            (axum::http::StatusCode::FORBIDDEN, axum::Json(serde_json::json!({"code": 50001, "message": "Missing Access"})))
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, refuse).await });
        let mut rest = Rest::new(&Secret::new("t"), &format!("http://{addr}"), Arc::default());
        Arc::get_mut(&mut rest.0).unwrap().slow_from = 3;
        let near = rest.near_ban();
        use serenity::all::{LightMethod, Route};
        let refused = || async { rest.send(Request::new(Route::UserMe, LightMethod::Get)).await.expect_err("refused") };
        for _ in 0..2 {
            refused().await;
        }
        assert_eq!(rest.slower(), 1);
        assert!(tokio::time::timeout(Duration::from_millis(50), near.notified()).await.is_err(), "not yet");
        refused().await;
        tokio::time::timeout(Duration::from_secs(1), near.notified()).await.expect("said when it slows");
        assert_eq!(rest.slower(), SLOWER_NEAR_BAN);
        for _ in 0..3 {
            refused().await;
        }
        assert!(tokio::time::timeout(Duration::from_millis(100), near.notified()).await.is_err(), "said once");
        assert_eq!(rest.invalid_recent(), 6);
    }

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
                    l.acquire(1).await;
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
        limiter.acquire(1).await;
        limiter.acquire(1).await;
        let gap = Instant::now() - t;
        let spacing = Duration::from_secs(1) / GLOBAL_PER_SECOND;
        assert!(gap + Duration::from_millis(1) >= spacing && gap <= spacing + Duration::from_millis(1), "{gap:?}");
    }

    #[test]
    fn a_route_is_grouped_by_its_shape_and_apart_by_its_major_parameter() {
        let (a, ma) = route_and_major("https://discord.com/api/v10/channels/1/messages/5");
        let (b, mb) = route_and_major("http://127.0.0.1:9/api/v10/channels/2/messages/6");
        assert_eq!(a, "channels/:id/messages/:id");
        assert_eq!(a, b);
        assert_eq!((ma.as_str(), mb.as_str()), ("channels/1", "channels/2"));
        let (w, mw) = route_and_major("https://discord.com/api/v10/webhooks/10/aToken/messages/@original");
        assert_eq!(w, "webhooks/:id/:id/messages/@original");
        assert_eq!(mw, "webhooks/10/aToken");
        assert_eq!(route_and_major("https://discord.com/api/v10/users/@me/channels"), ("users/@me/channels".into(), String::new()));
        assert_eq!(route_and_major("https://discord.com/api/v10/guilds/7/channels").1, "guilds/7");
    }

    /// `HIKESHI_DISCORD_API` changes where requests go and nothing else:
    /// no line of the program that touches it may branch on it, compare it
    /// or make it optional (the tests' fake and Discord take one road).
    #[test]
    fn the_api_base_changes_where_requests_go_and_nothing_else() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        let mut dirs = vec![src];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("discord/rest/mod.rs") {
                    files.push(p);
                }
            }
        }
        let names = ["discord_api", "api_base", "HIKESHI_DISCORD_API", "road.base"];
        let branching = ["if ", "match ", "==", "!=", ".is_some", ".is_none", "contains(", "starts_with(", "filter("];
        let mut uses = 0;
        let mut faults = vec![];
        for f in files {
            for (n, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if names.iter().any(|w| code.contains(w)) {
                    uses += 1;
                    let optional = names.iter().any(|w| code.contains(&format!("{w}: Option")));
                    if optional || branching.iter().any(|b| code.contains(b)) {
                        faults.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(uses >= 5, "the API base is read and passed on: {uses} uses found");
        assert!(faults.is_empty(), "behaviour depends on the API base:\n{}", faults.join("\n"));
        // Here, only the request's URL takes it.
        let here = include_str!("mod.rs").split("#[cfg(test)]").next().unwrap_or_default();
        let base_uses: Vec<_> = here.lines().filter(|l| l.contains("road.base")).collect();
        assert_eq!(base_uses.len(), 1, "{base_uses:?}");
        assert!(base_uses[0].contains("req.build("), "{base_uses:?}");
    }
}
