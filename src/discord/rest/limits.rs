//! Discord's rate limits as the bot keeps them: the global limit (50
//! requests a second per bot), each route's bucket as Discord names it in
//! its answers, and the count of invalid requests that gets an address
//! banned for an hour.
//!
//! Buckets follow Discord's documented model: a route (method, path and
//! major parameter) belongs to the bucket named by `X-RateLimit-Bucket`;
//! routes with the same bucket and major parameter (a channel, a guild, a
//! webhook) share its count. Until a route's first answer names its
//! bucket, one request at a time goes out on it, so a burst never runs
//! ahead of a limit it has not been told yet.

use serenity::all::LightMethod;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Keeps requests under Discord's global limit, shared by every caller, by
/// spacing them evenly: one every `spacing`, never two closer (a caller
/// that comes late takes the next free slot; slots missed while idle are
/// not saved up). A window that counts N requests a second instead lets N
/// leave together at its start, and a burst that leaves together can
/// arrive closer still; evenly spaced requests arrive within the limit
/// even when each is delayed a little differently on its way.
pub(super) struct GlobalLimiter {
    spacing: Duration,
    /// The earliest moment the next request may leave.
    next: tokio::sync::Mutex<Instant>,
    /// Set by a global 429: nobody sends before this.
    paused_until: Mutex<Option<Instant>>,
    /// Requests of the first lane waiting for their slot, and when the
    /// last of them left: the idle lane goes only after a quiet moment.
    waiting: AtomicUsize,
    last_left: Mutex<Option<Instant>>,
}

/// How long nothing of the first lane must have waited or left before an
/// idle request takes a slot.
const QUIET: Duration = Duration::from_millis(500);

/// Counts a waiting request for as long as it waits, however it ends.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl GlobalLimiter {
    pub(super) fn new(per_second: u32) -> Self {
        GlobalLimiter {
            spacing: Duration::from_secs(1) / per_second,
            next: tokio::sync::Mutex::new(Instant::now()),
            paused_until: Mutex::new(None),
            waiting: AtomicUsize::new(0),
            last_left: Mutex::new(None),
        }
    }

    /// Waits for a free slot; `slower` stretches the spacing (near the
    /// invalid-request ban).
    pub(super) async fn acquire(&self, slower: u32) {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(&self.waiting);
        let slot = self.slot(slower).await;
        *self.last_left.lock().unwrap_or_else(|e| e.into_inner()) = Some(slot);
        drop(waiting);
    }

    /// Waits for a quiet moment (nothing else waiting, nothing sent for
    /// [`QUIET`]), then for a free slot: work nobody waits for never
    /// takes a slot a person's request could have had.
    pub(super) async fn acquire_idle(&self, slower: u32) {
        loop {
            let last = *self.last_left.lock().unwrap_or_else(|e| e.into_inner());
            let quiet_since = last.map_or(Instant::now(), |t| t + QUIET);
            if self.waiting.load(Ordering::SeqCst) == 0 && quiet_since <= Instant::now() {
                break;
            }
            tokio::time::sleep_until(quiet_since.max(Instant::now() + self.spacing)).await;
        }
        self.slot(slower).await;
    }

    /// Takes the next free slot and waits for it; its time.
    async fn slot(&self, slower: u32) -> Instant {
        let paused = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = paused.filter(|u| *u > Instant::now()) {
            tokio::time::sleep_until(until).await;
        }
        // Taking a slot is quick; waiting for it happens outside the lock.
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing * slower.max(1);
            slot
        };
        tokio::time::sleep_until(slot).await;
        slot
    }

    /// A global 429: nobody sends for `retry_after`.
    pub(super) fn pause(&self, retry_after: Duration) {
        *self.paused_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + retry_after);
    }
}

/// A route as Discord groups it: the method and the path's shape.
pub(super) type RouteKey = (LightMethod, String);

/// What Discord's headers said of a bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct BucketHeaders {
    pub hash: Option<String>,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_after: Option<Duration>,
}

impl BucketHeaders {
    pub(super) fn read(h: &reqwest::header::HeaderMap) -> BucketHeaders {
        let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let number = |name: &str| text(name).and_then(|v| v.parse::<f64>().ok());
        BucketHeaders {
            hash: text("x-ratelimit-bucket"),
            limit: number("x-ratelimit-limit").map(|n| n as u32),
            remaining: number("x-ratelimit-remaining").map(|n| n as u32),
            reset_after: number("x-ratelimit-reset-after").map(|s| Duration::from_secs_f64(s.clamp(0.0, 3600.0))),
        }
    }
}

#[derive(Debug, Default)]
struct Bucket {
    /// Requests a window allows, once an answer said so.
    limit: Option<u32>,
    remaining: u32,
    reset_at: Option<Instant>,
    /// Requests sent and not yet answered.
    in_flight: u32,
    /// Set by a 429 on this bucket.
    blocked_until: Option<Instant>,
    /// While the limit is not known: when the request that will tell it
    /// left (the others wait for its answer, not for a hung one).
    probing_since: Option<Instant>,
}

/// How long the requests of a bucket not yet known wait for the first
/// one's answer before going anyway (that answer may never come).
const PROBE_AT_MOST: Duration = Duration::from_secs(2);

impl Bucket {
    /// When a request may leave now, takes its place and says so; else
    /// says until when to wait (`None`: until another answer comes).
    fn take(&mut self, now: Instant) -> Result<(), Option<Instant>> {
        if let Some(until) = self.blocked_until {
            if until > now {
                return Err(Some(until));
            }
            self.blocked_until = None;
        }
        // A window that has passed is full again; the next answer tells
        // when the new one ends.
        if let (Some(limit), Some(reset)) = (self.limit, self.reset_at) {
            if reset <= now {
                self.remaining = limit;
                self.reset_at = None;
            }
        }
        match self.limit {
            // Not known yet: one at a time until the first answer tells.
            None if self.in_flight > 0 && self.probing_since.is_some_and(|t| now < t + PROBE_AT_MOST) => {
                Err(self.probing_since.map(|t| t + PROBE_AT_MOST))
            }
            // Spent: wait for the window's end, or for an answer to say it.
            Some(_) if self.remaining == 0 => Err(self.reset_at),
            Some(_) => {
                self.remaining -= 1;
                self.in_flight += 1;
                Ok(())
            }
            None => {
                self.in_flight += 1;
                self.probing_since.get_or_insert(now);
                Ok(())
            }
        }
    }
}

/// Every bucket the bot has met.
#[derive(Default)]
pub(super) struct Buckets {
    state: Mutex<State>,
    answered: Notify,
}

#[derive(Default)]
struct State {
    /// The bucket Discord named for each route.
    hashes: HashMap<RouteKey, String>,
    /// Each bucket by its hash and major parameter, or by route while its
    /// hash is not known.
    buckets: HashMap<String, Bucket>,
}

impl State {
    fn key(&self, route: &RouteKey, major: &str) -> String {
        match self.hashes.get(route) {
            Some(hash) => format!("{hash}:{major}"),
            None => format!("{route:?}:{major}"),
        }
    }
}

/// A request's place in its bucket, given back with its answer.
pub(super) struct Place {
    key: String,
    route: RouteKey,
    major: String,
}

impl Buckets {
    /// Waits until `route` may send, and takes a place in its bucket.
    pub(super) async fn acquire(&self, route: RouteKey, major: &str) -> Place {
        loop {
            let answered = self.answered.notified();
            tokio::pin!(answered);
            answered.as_mut().enable();
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let key = state.key(&route, major);
                match state.buckets.entry(key.clone()).or_default().take(Instant::now()) {
                    Ok(()) => return Place { key, route, major: major.to_string() },
                    Err(until) => until,
                }
            };
            match wait {
                Some(until) => {
                    let _ = tokio::time::timeout_at(until, answered).await;
                }
                None => answered.await,
            }
        }
    }

    /// The answer came: what its headers said updates the bucket; a 429
    /// on the route (or a shared resource) blocks it for `blocked`.
    pub(super) fn release(&self, place: Place, headers: &BucketHeaders, blocked: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = state.buckets.get_mut(&place.key) {
            b.in_flight = b.in_flight.saturating_sub(1);
            b.probing_since = None;
        }
        if let Some(hash) = &headers.hash {
            state.hashes.insert(place.route.clone(), hash.clone());
        }
        let key = state.key(&place.route, &place.major);
        let bucket = state.buckets.entry(key).or_default();
        if let (Some(limit), Some(remaining), Some(reset_after)) = (headers.limit, headers.remaining, headers.reset_after) {
            // Requests still on their way may not be counted in this
            // answer yet: count them as spent.
            bucket.limit = Some(limit);
            bucket.remaining = remaining.saturating_sub(bucket.in_flight);
            bucket.reset_at = Some(now + reset_after);
        } else if bucket.reset_at.is_none() && bucket.in_flight == 0 {
            // An answer without the headers (a 5xx from a proxy): nothing
            // else would tell when the window ends.
            bucket.remaining = bucket.limit.unwrap_or(0);
        }
        if let Some(d) = blocked {
            bucket.blocked_until = Some(now + d);
        }
        drop(state);
        self.answered.notify_waiters();
    }
}

/// Discord bans an address for an hour after 10,000 answers of 401, 403
/// or 429 (a shared limit's 429 apart) within 10 minutes.
pub(super) const INVALID_LIMIT: usize = 10_000;
const INVALID_WINDOW: Duration = Duration::from_secs(600);
/// From this many, requests slow down (and the operator is warned once).
pub(super) const INVALID_SLOW_FROM: usize = INVALID_LIMIT / 2;

/// The invalid requests of the last 10 minutes.
#[derive(Default)]
pub(super) struct InvalidRequests {
    seen: Mutex<VecDeque<Instant>>,
}

impl InvalidRequests {
    /// Counts one; returns how many the window holds now.
    pub(super) fn count(&self) -> usize {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        seen.push_back(now);
        Self::trim(&mut seen, now);
        seen.len()
    }

    /// How many the window holds.
    pub(super) fn recent(&self) -> usize {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        Self::trim(&mut seen, Instant::now());
        seen.len()
    }

    fn trim(seen: &mut VecDeque<Instant>, now: Instant) {
        while seen.front().is_some_and(|t| now.duration_since(*t) > INVALID_WINDOW) {
            seen.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn told(hash: &str, limit: u32, remaining: u32, reset_after: f64) -> BucketHeaders {
        BucketHeaders {
            hash: Some(hash.into()),
            limit: Some(limit),
            remaining: Some(remaining),
            reset_after: Some(Duration::from_secs_f64(reset_after)),
        }
    }

    fn route(shape: &str) -> RouteKey {
        (LightMethod::Post, shape.to_string())
    }

    /// Spent: the next request waits for the window Discord named, then
    /// the window is full again.
    /// A burst of the first lane leaves at its own pace, an idle request
    /// beside it included: the idle one goes a quiet moment after the
    /// burst's last, never before.
    #[tokio::test(start_paused = true)]
    async fn idle_work_waits_for_a_quiet_moment_and_never_delays_the_first_lane() {
        let g = Arc::new(GlobalLimiter::new(50));
        let start = Instant::now();
        let spacing = Duration::from_millis(20);
        let wave = |g: &Arc<GlobalLimiter>| {
            (0..10)
                .map(|_| {
                    let g = g.clone();
                    tokio::spawn(async move {
                        g.acquire(1).await;
                        Instant::now()
                    })
                })
                .collect::<Vec<_>>()
        };
        // The burst arrives in waves, each before the last one has left;
        // the idle request comes during the first.
        let mut waves = vec![wave(&g)];
        tokio::task::yield_now().await;
        let idle = {
            let g = g.clone();
            tokio::spawn(async move {
                g.acquire_idle(1).await;
                Instant::now()
            })
        };
        let mut left = vec![];
        for n in 1..=3u32 {
            for b in waves.pop().unwrap() {
                left.push(b.await.unwrap());
            }
            assert_eq!(*left.last().unwrap() - start, spacing * (10 * n - 1), "the first lane keeps its pace");
            if n < 3 {
                waves.push(wave(&g));
            }
        }
        let idle = idle.await.unwrap();
        assert!(idle >= *left.last().unwrap() + QUIET, "idle work went at {:?}", idle - start);
        assert!(idle < *left.last().unwrap() + QUIET + spacing * 2);
        // Quiet from the start: at once.
        let g = GlobalLimiter::new(50);
        let t = Instant::now();
        g.acquire_idle(1).await;
        assert_eq!(Instant::now(), t);
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_bucket_waits_for_its_reset_and_then_sends_its_limit() {
        let b = Buckets::default();
        let start = Instant::now();
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        b.release(p, &told("msg", 2, 1, 5.0), None);
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        b.release(p, &told("msg", 2, 0, 5.0), None);
        assert_eq!(Instant::now(), start, "two within the limit go at once");
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        assert!(Instant::now() - start >= Duration::from_secs(5), "the third waited for the reset");
        b.release(p, &told("msg", 2, 1, 5.0), None);
        // Another channel has its own bucket, even with the same hash.
        let before = Instant::now();
        let p = b.acquire(route("channels/:id/messages"), "channels/2").await;
        assert_eq!(Instant::now(), before);
        b.release(p, &told("msg", 2, 1, 5.0), None);
    }

    /// Until the first answer names the limit, one request at a time; a
    /// first answer that never comes holds the others at most 2 s.
    #[tokio::test(start_paused = true)]
    async fn an_unknown_bucket_sends_one_request_until_it_is_told() {
        let b = Arc::new(Buckets::default());
        let start = Instant::now();
        let _first = b.acquire(route("guilds/:id/channels"), "guilds/7").await;
        let b2 = b.clone();
        let second = tokio::spawn(async move {
            let p = b2.acquire(route("guilds/:id/channels"), "guilds/7").await;
            (Instant::now(), p)
        });
        let (at, _) = second.await.unwrap();
        assert_eq!(at - start, PROBE_AT_MOST, "the second waited for the first, no longer than {PROBE_AT_MOST:?}");
        // Once told, requests go as the limit allows.
        let b = Buckets::default();
        let p = b.acquire(route("guilds/:id/channels"), "guilds/7").await;
        b.release(p, &told("chan", 10, 9, 10.0), None);
        let t = Instant::now();
        for _ in 0..9 {
            let _ = b.acquire(route("guilds/:id/channels"), "guilds/7").await;
        }
        assert_eq!(Instant::now(), t);
    }

    /// A route's 429 holds that bucket for as long as Discord asked, and no
    /// other.
    #[tokio::test(start_paused = true)]
    async fn a_429_holds_its_bucket_only() {
        let b = Buckets::default();
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        b.release(p, &told("msg", 5, 4, 5.0), Some(Duration::from_secs(3)));
        let t = Instant::now();
        let p = b.acquire(route("channels/:id/messages"), "channels/2").await;
        assert_eq!(Instant::now(), t, "another channel goes on");
        b.release(p, &told("msg", 5, 4, 5.0), None);
        let _ = b.acquire(route("channels/:id/messages"), "channels/1").await;
        assert_eq!(Instant::now() - t, Duration::from_secs(3));
    }

    /// An answer without headers (a proxy's 502) never leaves a bucket
    /// stuck.
    #[tokio::test(start_paused = true)]
    async fn an_answer_without_headers_leaves_the_bucket_usable() {
        let b = Buckets::default();
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        b.release(p, &BucketHeaders::default(), None);
        let t = Instant::now();
        let p = b.acquire(route("channels/:id/messages"), "channels/1").await;
        assert_eq!(Instant::now(), t);
        b.release(p, &BucketHeaders::default(), None);
    }

    #[test]
    fn invalid_requests_are_counted_over_ten_minutes() {
        let seen = InvalidRequests::default();
        assert_eq!(seen.count(), 1);
        assert_eq!(seen.count(), 2);
        assert_eq!(seen.recent(), 2);
    }
}
