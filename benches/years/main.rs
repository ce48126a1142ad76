//! `cargo bench --bench years`: ten years of a busy organisation's records
//! (§4.4(4) keeps them), stored through hikeshi's own service, and what the
//! committee then runs on them: `verify`, exports, an edit in the longest
//! incident, `stats`, the audit and a scheduler tick; each with its time,
//! and the commands run as the operator runs them with their peak memory.
//!
//! - `YEARS_SCALE` (default 1.0): 1.0 is 5,040 incidents and about two
//!   million transcript rows; 0.1 a tenth.
//! - `YEARS_DB`: the SQLite file to seed into and to reuse on the next run
//!   (default `target/years-<scale>.db`); seeding at 1.0 takes minutes.
//! - `YEARS_POSTGRES=1` with `TEST_DATABASE_URL`: on PostgreSQL instead
//!   (database `hikeshi_years_<scale>`, reused the same way).

mod seed;

use hikeshi::clock::{Clock, ManualClock};
use hikeshi::config::{DatabaseUrl, Settings};
use hikeshi::domain::{ChannelId, IncidentId, MessageId};
use hikeshi::service::Hikeshi;
use hikeshi::store::Store;
use seed::{Seeded, Seeder, Size};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MARK: &str = "bench_years_seeded";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let scale: f64 = std::env::var("YEARS_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let url = database(scale).await;
    let store = Store::connect(&url).await.expect("database");
    store.migrate().await.expect("migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = Arc::new(Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config"));
    let clock = ManualClock::new(seed::START());
    let app = Hikeshi::new(store.clone(), settings, Arc::new(clock.clone()));
    let seeded = match store.get_state(MARK).await.expect("state") {
        Some(v) => seeded_from(&v),
        None => {
            let size = Size::scaled(scale);
            eprintln!("seeding {size:?} into {}", url.0);
            let started = Instant::now();
            let mut seeder = Seeder::new(app.clone(), clock.clone());
            seeder.run(size, 13).await.expect("seeding");
            eprintln!("seeded in {:.0} s", started.elapsed().as_secs_f64());
            store.set_state(MARK, &seeded_to(&seeder.seeded)).await.expect("mark");
            seeder.seeded
        }
    };
    let end = seed::START() + chrono::Duration::days(3650);
    clock.set(end);
    let figures = Figures { url: &url, root, app: &app, clock: &clock, seeded: &seeded };
    figures.print(&store).await;
}

/// Where the history is (created on first use).
async fn database(scale: f64) -> DatabaseUrl {
    let tag = format!("{scale}").replace('.', "_");
    if std::env::var("YEARS_POSTGRES").is_ok() {
        let admin = std::env::var("TEST_DATABASE_URL").expect("YEARS_POSTGRES needs TEST_DATABASE_URL");
        let name = format!("hikeshi_years_{tag}");
        let pool = sqlx::PgPool::connect(&admin).await.expect("PostgreSQL");
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1").bind(&name).fetch_optional(&pool).await.expect("read");
        if exists.is_none() {
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create");
        }
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        return DatabaseUrl(format!("{base}/{name}"));
    }
    let path = std::env::var("YEARS_DB").unwrap_or_else(|_| format!("{}/target/years-{tag}.db", env!("CARGO_MANIFEST_DIR")));
    DatabaseUrl(format!("sqlite://{path}?mode=rwc"))
}

fn seeded_to(s: &Seeded) -> String {
    let (id, number, channel) = s.longest.clone().expect("a longest incident");
    serde_json::json!({
        "incidents": s.incidents, "messages": s.messages, "edits": s.edits, "open": s.open,
        "longest": [id.0, number, channel.0], "longest_messages": s.longest_messages, "longest_first": s.longest_first,
    })
    .to_string()
}

fn seeded_from(v: &str) -> Seeded {
    let j: serde_json::Value = serde_json::from_str(v).expect("mark");
    let n = |k: &str| j[k].as_u64().unwrap_or(0);
    let l = &j["longest"];
    Seeded {
        incidents: n("incidents") as u32,
        messages: n("messages"),
        edits: n("edits"),
        open: n("open") as u32,
        longest: Some((
            IncidentId(l[0].as_i64().unwrap_or(0)),
            l[1].as_str().unwrap_or("").to_string(),
            ChannelId(l[2].as_u64().unwrap_or(0)),
        )),
        longest_messages: n("longest_messages") as u32,
        longest_first: n("longest_first"),
    }
}

/// A command's wall time and peak resident memory (the kernel's own count
/// of the child, from `wait4`).
struct Run {
    time: Duration,
    peak_mib: f64,
    ok: bool,
    out: String,
}

// Waited for with wait4 below, which also gives the child's peak memory.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str], url: &DatabaseUrl, root: &Path) -> Run {
    let started = Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .arg("--config")
        .arg(root.join("config/hikeshi.toml"))
        .args(args)
        .env("DATABASE_URL", &url.0)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("hikeshi");
    let pid = child.id() as libc::pid_t;
    let mut out = String::new();
    if let Some(mut s) = child.stdout {
        use std::io::Read;
        let mut buf = vec![];
        let _ = s.read_to_end(&mut buf);
        out = String::from_utf8_lossy(&buf[..buf.len().min(400)]).into_owned();
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; both pointers are ours.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    Run {
        time: started.elapsed(),
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        out,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A reader that takes each chunk of a page at once and counts it.
#[derive(Default)]
struct Counted {
    bytes: usize,
    largest: usize,
}

#[async_trait::async_trait]
impl hikeshi::service::Chunks for Counted {
    async fn chunk(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.bytes += bytes.len();
        self.largest = self.largest.max(bytes.len());
        Ok(())
    }
}

struct Figures<'a> {
    url: &'a DatabaseUrl,
    root: &'a Path,
    app: &'a Hikeshi,
    clock: &'a ManualClock,
    seeded: &'a Seeded,
}

impl Figures<'_> {
    async fn print(&self, store: &Store) {
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(store.pool()).await.expect("count");
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transcript").fetch_one(store.pool()).await.expect("count");
        let s = self.seeded;
        println!(
            "history: {} incidents ({} open), {events} events, {rows} transcript rows ({} edits), longest {} with {} messages",
            s.incidents,
            s.open,
            s.edits,
            s.longest.as_ref().map(|l| l.1.as_str()).unwrap_or("-"),
            s.longest_messages
        );
        self.verify();
        self.exports();
        self.console_page().await;
        self.edit().await;
        self.stats().await;
        self.audit().await;
        self.tick().await;
    }

    fn verify(&self) {
        let r = run(&["verify"], self.url, self.root);
        println!("verify: {:.2} s, peak {:.0} MiB, ok={} ({})", r.time.as_secs_f64(), r.peak_mib, r.ok, r.out.trim());
    }

    fn exports(&self) {
        let number = self.seeded.longest.as_ref().map(|l| l.1.clone()).unwrap_or_default();
        for format in ["json", "html"] {
            let out = std::env::temp_dir().join(format!("hikeshi-years-export.{format}"));
            let r = run(&["export", &number, "--format", format, "--output", &out.to_string_lossy()], self.url, self.root);
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "export {format} of {number} ({} messages): {:.2} s, peak {:.0} MiB, {:.1} MB, ok={}",
                self.seeded.longest_messages,
                r.time.as_secs_f64(),
                r.peak_mib,
                size as f64 / 1e6,
                r.ok
            );
            let _ = std::fs::remove_file(out);
        }
    }

    /// Issue 28: the web console's page of the longest incident, as the
    /// committee opens it — read and written whole (the console answers
    /// with the page in one body).
    async fn console_page(&self) {
        let Some(number) = self.seeded.longest.as_ref().map(|l| l.1.clone()) else { return };
        let number: hikeshi::domain::IncidentNumber = number.parse().expect("number");
        let committee = hikeshi::service::Caller::member(hikeshi::domain::UserId(1), true);
        let mut times = vec![];
        let (mut size, mut largest) = (0, 0);
        for _ in 0..3 {
            let started = Instant::now();
            let record = self.app.records().record_for(committee, number).await.expect("record");
            let mut page = Counted::default();
            let frame = hikeshi::records::export::Frame { lang: Some(hikeshi::domain::Lang::Ja), ..Default::default() };
            self.app.records().write_framed(&record, frame, &mut page).await.expect("page");
            times.push(started.elapsed());
            (size, largest) = (page.bytes, page.largest);
        }
        println!(
            "console page of {number} ({} messages): median {:.2} s, {:.1} MB in chunks of at most {} kB",
            self.seeded.longest_messages,
            median(times).as_secs_f64(),
            size as f64 / 1e6,
            largest / 1000
        );
    }

    /// An edit of a message in the longest incident, as the gateway
    /// delivers it.
    async fn edit(&self) {
        let Some((_, _, channel)) = self.seeded.longest.clone() else { return };
        let mut times = vec![];
        for k in 0..9u64 {
            let message = MessageId(self.seeded.longest_first + (1000 + k * 7919) % u64::from(self.seeded.longest_messages.max(1)));
            let text = format!("(edited at bench {}) nothing from outside", chrono::Utc::now().timestamp_micros());
            let started = Instant::now();
            let kept = self.app.transcript().record_edit(channel, message, text, None, self.clock.now(), None).await.expect("edit");
            times.push(started.elapsed());
            assert_eq!(kept, hikeshi::service::Kept::Stored);
        }
        println!("edit in the longest incident: median {:.2} ms", median(times).as_secs_f64() * 1e3);
    }

    async fn stats(&self) {
        let mut times = vec![];
        for _ in 0..5 {
            let started = Instant::now();
            let s = self.app.records().stats(seed::START(), self.clock.now()).await.expect("stats");
            times.push(started.elapsed());
            std::hint::black_box(s);
        }
        println!("stats over ten years: median {:.1} ms", median(times).as_secs_f64() * 1e3);
    }

    async fn audit(&self) {
        use hikeshi::domain::Lang;
        let mut times = vec![];
        let mut findings = vec![];
        for _ in 0..5 {
            let started = Instant::now();
            findings = self.app.records().audit(false, None).await.expect("audit");
            times.push(started.elapsed());
        }
        // What Discord shows: the first message of the monthly post.
        let text = hikeshi::records::audit::report_within(&findings, Lang::Ja, 2000).0;
        // What needs action now (owed, overdue, missed), as the issue names it.
        let now = ["board_report_owed", "followup_overdue", "past_deadline", "drill_overdue", "review_overdue"];
        let first_current = findings.iter().find(|f| now.contains(&f.kind)).map(|f| f.what.get(Lang::Ja).to_string());
        let at = first_current.and_then(|w| text.find(&w).map(|b| text[..b].chars().count()));
        println!(
            "audit: median {:.1} ms, {} findings, {} characters; first current finding at character {:?} (Discord shows 2,000)",
            median(times).as_secs_f64() * 1e3,
            findings.len(),
            text.chars().count(),
            at
        );
    }

    async fn tick(&self) {
        let mut times = vec![];
        for _ in 0..7 {
            self.clock.advance(chrono::Duration::seconds(30));
            let started = Instant::now();
            self.app.reminders().tick().await.expect("tick");
            times.push(started.elapsed());
        }
        println!("scheduler tick: median {:.1} ms", median(times).as_secs_f64() * 1e3);
    }
}
