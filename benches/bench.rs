//! `cargo bench --bench bench`: the release binary against the fake
//! Discord on loopback with no added latency. Prints the figures that
//! BENCHMARKS.md records. Set TEST_DATABASE_URL to measure PostgreSQL too;
//! `BENCH_ONLY=restart` runs only the restart at scale.

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::fake::ids;
use support::payloads::{self, Who};
use support::TestApp;

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    if v.is_empty() {
        return Duration::ZERO;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// What a burst of reports measured.
struct Burst {
    /// Per report: dispatch to the bot's first answer.
    first: Vec<Duration>,
    /// Per report: dispatch to its card (channel, card and ping exist).
    full: Vec<Duration>,
    /// The first dispatch to the last card: the figure #14 sets a limit on.
    last_card: Duration,
    /// Requests (global limit) made until the last card.
    requests_until_last_card: usize,
    /// Messages the committee channel received (posted) for the burst, and
    /// how often they were edited.
    committee_posts: usize,
    committee_edits: usize,
}

async fn burst(app: &TestApp, n: usize) -> Burst {
    let mut sent: HashMap<String, (Instant, usize)> = HashMap::new();
    let committee_before = app.fake.messages(ids::COMMITTEE_CHANNEL).len();
    let started = Instant::now();
    for k in 0..n {
        let id = app.id();
        // Distinct members: a burst from one member is held by the flood guard.
        let who = Who::new(5000 + k as u64, ids::GENERAL);
        let payload = payloads::modal(id, who, "hk1:report:unsure:-:0", &[("title", &format!("bench-{k}")), ("what", "x")]);
        sent.insert(id.to_string(), (Instant::now(), k));
        app.fake.dispatch("INTERACTION_CREATE", payload);
    }
    app.wait_until("every report answered", |f| f.calls("POST", "/interactions/*/*/callback").len() >= n).await;
    app.settled_within(Duration::from_secs(300)).await;
    let mut first = vec![];
    let mut by_title: HashMap<usize, Instant> = HashMap::new();
    for (id, (at, k)) in &sent {
        if let Some(cb) = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).first() {
            first.push(cb.at.duration_since(*at));
        }
        by_title.insert(*k, *at);
    }
    let mut full = vec![];
    let mut last: Option<Instant> = None;
    for r in app.fake.calls("POST", "/channels/*/messages") {
        let title = r.body["embeds"][0]["title"].as_str().unwrap_or("");
        if r.status != 200 || r.body["components"].as_array().is_none_or(|c| c.is_empty()) {
            continue;
        }
        if let Some(k) = title.rsplit("bench-").next().and_then(|k| k.parse::<usize>().ok()) {
            if let Some(at) = by_title.get(&k) {
                full.push(r.at.duration_since(*at));
                last = last.max(Some(r.at));
            }
        }
    }
    let last = last.unwrap_or(started);
    let limited = |r: &support::fake::Recorded| !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/");
    let until_last: Vec<_> = app.fake.requests().into_iter().filter(|r| limited(r) && r.at >= started && r.at <= last).collect();
    let requests_until_last_card = until_last.len();
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &until_last {
        // Snowflakes vary; the route does not.
        let route: Vec<&str> =
            r.path.split('/').map(|s| if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() { "*" } else { s }).collect();
        *kinds.entry(format!("{} {} {}", r.method, route.join("/"), r.status)).or_default() += 1;
    }
    println!("  requests until the last card: {kinds:?}");
    let committee = format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL);
    let committee_edits = app.fake.calls("PATCH", &format!("{committee}/*")).iter().filter(|r| r.at >= started).count();
    Burst {
        first,
        full,
        last_card: last.duration_since(started),
        requests_until_last_card,
        committee_posts: app.fake.messages(ids::COMMITTEE_CHANNEL).len() - committee_before,
        committee_edits,
    }
}

async fn ingest(app: &TestApp, n: usize) -> f64 {
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    let channel = i.channel.unwrap().0;
    // Counting is cheap; reading the whole transcript on every poll would
    // compete with the writes being measured.
    let stored =
        || async { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM transcript").fetch_one(app.store.pool()).await.unwrap() as usize };
    let before = stored().await;
    let started = Instant::now();
    for _ in 0..n {
        app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ids::BOB, channel, "状況を確認中です"));
    }
    app.eventually_within(Duration::from_secs(600), "every message is stored", || async { stored().await >= before + n }).await;
    n as f64 / started.elapsed().as_secs_f64()
}

/// The store alone: `n` reports submitted at once straight to the service
/// (no Discord, no gateway), on SQLite. Separates the database's share of
/// the first response from the rest.
async fn store_only(n: usize) -> (Duration, Duration) {
    use hikeshi::domain::report::ReportDraft;
    use hikeshi::domain::{Category, UserId};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = hikeshi::config::Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config");
    let store = hikeshi::store::testing::fresh_sqlite(dir.path()).await.expect("store");
    let app = hikeshi::service::Hikeshi::new(store, std::sync::Arc::new(settings), std::sync::Arc::new(hikeshi::clock::SystemClock));
    // One report first, as the bot's first would warm its statements.
    let draft = |k: usize| ReportDraft {
        category: Some(Category::Breach),
        title: format!("warm-{k}"),
        description: "x".into(),
        ..Default::default()
    };
    let caller = |k: u64| hikeshi::service::Caller::member(UserId(5000 + k), false);
    app.reports().report(&draft(0), caller(0), "warm", None).await.expect("report");
    let started = Instant::now();
    let calls: Vec<_> = (0..n)
        .map(|k| {
            let app = app.clone();
            tokio::spawn(async move {
                app.reports().report(&draft(k), caller(k as u64), &format!("store-only:{k}"), None).await.expect("report");
                started.elapsed()
            })
        })
        .collect();
    let mut done = vec![];
    for c in calls {
        done.push(c.await.expect("task"));
    }
    (percentile(&mut done, 0.5), percentile(&mut done, 0.99))
}

/// #29 restart at scale: `channels` open incidents, each channel holding
/// `messages` messages the record holds too; the bot is killed, five
/// messages are written in each channel, and a new process starts. How
/// long until the new messages are in the record, and how many history
/// requests that took; how long until the whole history was read again;
/// the new process's peak memory.
async fn restart(app: &TestApp, channels: usize, messages: usize) {
    let bot = app.start_process_with("hikeshi=warn", &[]).await;
    let mut open = vec![];
    for _ in 0..channels {
        open.push(app.report_malware(ids::ALICE).await);
    }
    app.settled().await;
    bot.kill().await;
    for i in &open {
        let channel = i.channel.expect("a channel").0;
        let mut tx = app.store.begin().await.expect("write");
        for k in 0..messages {
            let content = format!("記録済み {k}");
            let id = app.fake.add_user_message(channel, ids::ALICE, &content);
            tx.record_message(i.id, &support::kept_message(channel, id, ids::ALICE, content)).await.expect("stored");
        }
        tx.commit().await.expect("commit");
        for n in 0..5 {
            app.fake.add_user_message(channel, ids::DAVE, &format!("停止中 {n}"));
        }
    }
    let history = || {
        app.fake
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && open.iter().any(|i| r.path == format!("/channels/{}/messages", i.channel.unwrap().0)))
            .count()
    };
    let (reads_before, started) = (history(), Instant::now());
    let bot = app.start_process_with("hikeshi=warn", &[]).await;
    let pid = bot.child.id().expect("pid");
    let new = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM transcript WHERE content LIKE '停止中%'")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    app.eventually_within(Duration::from_secs(600), "the new messages are in the record", || async { new().await >= 5 * channels as i64 })
        .await;
    let (in_record, reads_then) = (started.elapsed(), history() - reads_before);
    let pages = channels * (messages + 5).div_ceil(100);
    app.eventually_within(Duration::from_secs(600), "the whole history is read again", || async { history() - reads_before >= pages })
        .await;
    let whole = started.elapsed();
    println!(
        "restart with {channels} open channels of {messages} messages, 5 new in each: the new ones in the record after {:.2} s and {reads_then} history requests; the whole history ({} requests) read again after {:.1} s; peak {} MiB",
        in_record.as_secs_f64(),
        history() - reads_before,
        whole.as_secs_f64(),
        rss_kib(pid, "VmHWM:") / 1024
    );
    bot.kill().await;
}

#[tokio::main]
async fn main() {
    if std::env::var("BENCH_ONLY").as_deref() == Ok("restart") {
        let app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
        restart(&app, 12, 7_700).await;
        return;
    }
    let (p50, p99) = store_only(200).await;
    println!("storing 200 reports at once, service only (no Discord), SQLite: p50 {p50:?}  p99 {p99:?}");
    let app = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    // As an operator runs it (the tests' one-second lease would time out
    // deliveries waiting their turn at Discord's limit).
    let bot = app.start_process_with("hikeshi=warn", &[]).await;
    let pid = bot.child.id().expect("pid");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_kib(pid, "VmRSS:");
    let Burst { mut first, mut full, last_card, requests_until_last_card, committee_posts, committee_edits } = burst(&app, 200).await;
    println!("burst of 200 /report submissions (fake Discord on loopback, no added latency)");
    println!("  first response: p50 {:?}  p99 {:?}  (n={})", percentile(&mut first, 0.5), percentile(&mut first, 0.99), first.len());
    println!("  channel+card+ping: p50 {:?}  p99 {:?}  (n={})", percentile(&mut full, 0.5), percentile(&mut full, 0.99), full.len());
    // 200 reports × 2 requests at Discord's 50 a second: 8 s; #14 allows 1.1×.
    let ideal = Duration::from_secs_f64(200.0 * 2.0 / 50.0);
    println!(
        "  last card after the first report: {:.2} s = {:.3}× of 200×2/50 s (limit 1.1×); {} requests until then",
        last_card.as_secs_f64(),
        last_card.as_secs_f64() / ideal.as_secs_f64(),
        requests_until_last_card
    );
    println!("  committee channel: {committee_posts} messages posted, {committee_edits} edits");
    println!("  peak request rate seen by the fake: {}/s", app.fake.peak_requests_per_second());
    let limited = app.fake.rate_limited();
    println!(
        "  429s from Discord's limits during the burst: {} ({} global)",
        limited.len(),
        limited.iter().filter(|(_, _, global)| *global).count()
    );
    let rate = ingest(&app, 5000).await;
    println!("transcript ingest, SQLite: {rate:.0} messages/s (5000 messages)");
    let peak = rss_kib(pid, "VmHWM:");
    println!("resident memory: idle {} MiB, peak {} MiB", idle / 1024, peak / 1024);
    bot.kill().await;
    let again = TestApp::without_bot(std::sync::Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    restart(&again, 12, 7_700).await;

    let pg = match std::env::var_os("TEST_DATABASE_URL") {
        Some(_) => TestApp::without_bot_on_postgres("bench").await,
        None => {
            println!("transcript ingest, PostgreSQL: not measured (set TEST_DATABASE_URL)");
            None
        }
    };
    if let Some(pg) = pg {
        let bot = pg.start_process_with("hikeshi=warn", &[]).await;
        let rate = ingest(&pg, 5000).await;
        println!("transcript ingest, PostgreSQL: {rate:.0} messages/s (5000 messages)");
        bot.kill().await;
    }
}
