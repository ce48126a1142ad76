//! Exports: one incident's whole record in Markdown, JSON and HTML, from
//! Discord and from the command line, matching the database.

use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn an_incident_exports_in_three_formats_matching_the_database() {
    let app = TestApp::spawn().await;
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[("title", "<script>alert(1)</script> ランサム"), ("what", "ファイルが暗号化 & 身代金要求")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let form = app.click(ids::BOB, &i, &format!("hk1:log:{}:status", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, i.channel.unwrap().0), &custom, &[("body", "端末を隔離した")])).await;
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ids::ALICE, i.channel.unwrap().0, "画面の写真です"));
    let mention = format!("<@{}> さん、<@&{}> に共有しました", ids::BOB, ids::COMMITTEE_ROLE);
    app.fake.dispatch("MESSAGE_CREATE", payloads::user_message(app.id(), ids::ALICE, i.channel.unwrap().0, &mention));
    app.eventually("the messages are in the transcript", || async {
        let t = app.store.transcript(i.id).await.unwrap();
        t.iter().any(|l| l.msg.content == "画面の写真です") && t.iter().any(|l| l.msg.content == mention)
    })
    .await;
    app.settled().await;

    // From Discord: JSON, attached to an ephemeral reply; members outside the response are refused.
    let export = |user: u64, format: &str| {
        payloads::slash(
            app.id(),
            Who::new(user, i.channel.unwrap().0),
            "incident",
            json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": format}]}]),
        )
    };
    let refused = app.interact(export(ids::DAVE, "json")).await;
    assert!(ephemeral_text(&refused).contains("だけ"));
    let id = app.id();
    let mut payload = export(ids::BOB, "json");
    payload["id"] = json!(id.to_string());
    app.interact(payload).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    assert_eq!(callback.body["data"]["flags"], 64, "ephemeral");
    let (name, content) = &callback.files[0];
    assert_eq!(name, &format!("{}.json", i.number));
    let v: Value = serde_json::from_str(content).unwrap();
    let db = app.incident(i.number).await;
    assert_eq!(v["schema"], "hikeshi.incident.v1");
    assert_eq!(v["number"], db.number.to_string());
    assert_eq!(v["title"], db.title);
    assert_eq!(v["commander"], ids::BOB.to_string());
    assert_eq!(v["log"][0]["body"], "端末を隔離した");
    let events = app.store.events_of(i.id).await.unwrap();
    assert_eq!(v["timeline"].as_array().unwrap().len(), events.len());
    assert!(v["transcript"].as_array().unwrap().iter().any(|m| m["content"] == "画面の写真です"));

    // From the command line (beside the running bot): Markdown and HTML.
    let cli = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
            .args(["export", &i.number.to_string(), "--format", format, "--config"])
            .arg(&app.config)
            .env("DATABASE_URL", &app.db.0)
            .output()
            .unwrap()
    };
    let md = cli("md");
    assert!(md.status.success(), "{}", String::from_utf8_lossy(&md.stderr));
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains(&format!("# {} ", i.number)) && md.contains("端末を隔離した") && md.contains("画面の写真です"), "{md}");
    // The timeline in words; the raw events in the appendix, with hashes.
    let timeline = md.split("## 経緯").nth(1).and_then(|t| t.split("\n## ").next()).expect("a timeline");
    assert!(timeline.contains(&format!("bob ({}) が実行責任者になる", ids::BOB)), "names, not ids: {timeline}");
    assert!(md.contains(&format!("| 報告者 | alice ({}) |", ids::ALICE)), "{md}");
    // Mentions in people's text are names, never raw markup.
    assert!(md.contains("@bob さん、@role に共有しました"), "{md}");
    assert!(!md.contains(&format!("<@{}>", ids::BOB)) && !md.contains(&format!("\\<@{}", ids::BOB)), "{md}");
    assert!(timeline.contains("§4.3 の記録"), "{timeline}");
    assert!(
        !timeline.contains("transcript_recorded") && !timeline.contains("画面の写真です"),
        "messages are in the transcript: {timeline}"
    );
    let appendix = md.split("## 付録: イベントの記録（検証用）").nth(1).expect("an appendix");
    assert!(appendix.contains("transcript_recorded") && appendix.contains("`command_taken`"), "{appendix}");
    let html = String::from_utf8(cli("html").stdout).unwrap();
    // `HIKESHI_EXPORT_SAMPLE=/tmp/x.html` keeps the page for a look in a browser.
    if let Some(path) = std::env::var_os("HIKESHI_EXPORT_SAMPLE") {
        std::fs::write(path, &html).unwrap();
    }
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>") && html.contains("<style>"));
    assert!(!html.contains("<script>"), "user text is escaped");
    // A document: the regulation and the organisation named, a summary, the
    // §4.3 records by kind, the plan, the board, the timeline in words, the
    // transcript, the raw events last; it prints on A4.
    for part in [
        "セキュリティインシデント報告・対応規程に基づく記録",
        "一般社団法人",
        "概要",
        "実行責任者が決まるまで",
        "ビジネス活動再開に関する情報",
        "再発防止計画",
        "取締役会への報告",
        "経緯",
        "会話記録",
        "付録: イベントの記録",
        "@page{size:A4",
    ] {
        assert!(html.contains(part), "{part} missing from the page");
    }
    assert!(html.contains(&format!("bob ({}) が実行責任者になる", ids::BOB)) && html.contains("@bob さん、@role に共有しました"));
    assert!(html.contains("&lt;script&gt;") && html.contains("身代金要求") && html.contains("端末を隔離した"));
    assert!(!html.contains("http://") || !html.contains("<link"), "no remote assets");
    let bad = cli("pdf");
    assert!(!bad.status.success());

    // The records are tamper-evident: the chain, the transcript and the §4.3 entries.
    assert_eq!(app.store.verify().await.unwrap().map(|_| ()), Ok(()));
    let verify =
        || std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi")).arg("verify").env("DATABASE_URL", &app.db.0).output().unwrap();
    // A message given to someone else would be exported as theirs: named.
    let authors: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT message_id, version, author_id FROM transcript").fetch_all(app.store.pool()).await.unwrap();
    assert!(!authors.is_empty());
    sqlx::query("UPDATE transcript SET author_id = $1").bind(ids::DAVE as i64).execute(app.store.pool()).await.unwrap();
    let out = verify();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && said.contains("(its author)"), "{said}");
    for (m, v, a) in authors {
        sqlx::query("UPDATE transcript SET author_id = $1 WHERE message_id = $2 AND version = $3")
            .bind(a)
            .bind(m)
            .bind(v)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    assert_eq!(app.store.verify().await.unwrap().map(|_| ()), Ok(()), "put back");
    sqlx::query("UPDATE log_entries SET body = '何もしていない'").execute(app.store.pool()).await.unwrap();
    let out = verify();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && said.contains("log entry") && said.contains("edited"), "{said}");
}

#[tokio::test]
async fn stats_count_per_category_and_keep_drills_apart() {
    let app = TestApp::spawn().await;
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let drill = payloads::slash(
        app.id(),
        Who::new(ids::BOB, ids::COMMITTEE_CHANNEL),
        "drill",
        json!([{"name": "start", "type": 1, "options": [{"name": "playbook", "type": 3, "value": "dos"}]}]),
    );
    let reply = app.interact(drill).await;
    app.incident_from_reply(&reply).await;
    let no = app.interact(payloads::slash(app.id(), Who::new(ids::ALICE, ids::GENERAL), "stats", json!([]))).await;
    assert!(ephemeral_text(&no).contains("だけ"));
    let reply = app
        .interact(payloads::slash(
            app.id(),
            Who::new(ids::BOB, ids::COMMITTEE_CHANNEL).en(),
            "stats",
            json!([{"name": "period", "type": 3, "value": "all"}]),
        ))
        .await;
    let text = ephemeral_text(&reply);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line in\n{text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(line("Security breach")[2], "1", "{text}");
    assert_eq!(line("all")[1], "1", "the drill is not counted: {text}");
    assert_eq!(line("drills")[2], "1", "counted apart: {text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .args(["stats", "--from", "2000-01-01", "--config"])
        .arg(&app.config)
        .env("DATABASE_URL", &app.db.0)
        .output()
        .unwrap();
    let cli = String::from_utf8_lossy(&out.stdout);
    // The organisation's language (Japanese) in the CLI.
    assert!(out.status.success() && cli.contains("セキュリティに対する侵害"), "{cli}{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn the_audit_finds_a_planted_gap_of_each_kind() {
    use chrono::{Duration, TimeZone, Utc};
    use hikeshi::clock::ManualClock;
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap());
    // No playbook for DoS; the wiki has no owner.
    let playbooks = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/config/playbooks")).unwrap() {
        let p = e.unwrap().path();
        if !p.ends_with("dos.toml") {
            std::fs::copy(&p, playbooks.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let dir = playbooks.path().display().to_string();
    let app = TestApp::spawn_custom(std::sync::Arc::new(clock.clone()), move |c| {
        let start = c.find("dir = ").unwrap();
        let end = start + c[start..].find('\n').unwrap();
        let c = format!("{}dir = {:?}{}", &c[..start], dir, &c[end..]);
        c.replace("owner = \"総務部\"\nrecovery_priority = 0", "owner = \"\"\nrecovery_priority = 0")
    })
    .await;
    // An incident past its deadline (mail: 24 h) and one closed without lessons.
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "failure",
            None,
            &[("title", "メール停止"), ("what", "送れない"), ("systems", "mail")],
        )
        .await;
    app.incident_from_reply(&reply).await;
    let mut closed = app.report_malware(ids::DAVE).await;
    closed.phase = hikeshi::domain::Phase::Closed;
    let mut tx = app.store.begin().await.unwrap();
    tx.save_incident(&closed, hikeshi::clock::Clock::now(&clock)).await.unwrap();
    tx.commit().await.unwrap();
    // Drill and review reminders fire and nobody acknowledges them (a first
    // tick starts counting the schedules from now).
    app.ticks_pass(1).await;
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.eventually("the reminders fire", || async { app.store.reminders().await.unwrap().len() >= 2 }).await;
    clock.advance(Duration::days(4));

    let reply = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL).en(), "audit", json!([]))).await;
    let text = ephemeral_text(&reply);
    for expected in [
        "Denial-of-service",
        "have never been drilled",
        "has no owner",
        "closed without a prevention plan",
        "past its Table 1",
        "drill is 4 days overdue",
        "yearly review is 4 days overdue",
    ] {
        assert!(text.contains(expected), "no finding with {expected:?}:\n{text}");
    }
    assert!(text.contains("→ Add a playbook"), "each finding says what to do:\n{text}");
    // §4.1(3): what no detection rule watches, what may not stop first.
    let undetected = text.lines().find(|l| l.contains("Nothing detects trouble")).expect("the systems nothing watches");
    let listed = undetected.split_once("):").unwrap().1;
    assert!(listed.trim_start().split(", ").next().is_some_and(|s| s.ends_with("(priority 3)")), "{undetected}");
    assert!(!listed.contains("Website"), "the website has a rule: {undetected}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .args(["audit", "--config"])
        .arg(&app.config)
        .env("DATABASE_URL", &app.db.0)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("管理者がいません"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The committee's figures as a chart: `hikeshi stats --chart FILE` writes
/// a PNG (per month by category, median times, deadlines), and `/stats`
/// attaches the same picture. Labels are Japanese where a Japanese font is
/// installed (CI installs fonts-ipafont-gothic).
#[tokio::test]
async fn the_figures_are_drawn_as_a_chart() {
    use chrono::TimeZone;
    let clock = hikeshi::clock::ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 9, 10, 1, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    let first = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &first, &format!("hk1:take:{}", first.id)).await;
    clock.advance(chrono::Duration::hours(2));
    for _ in 0..4 {
        app.advance_times(ids::BOB, &first, 1).await;
        clock.advance(chrono::Duration::hours(3));
    }
    clock.advance(chrono::Duration::days(30));
    app.report_malware(ids::DAVE).await;
    app.submit_report(Who::new(ids::DAVE, ids::GENERAL), "failure", None, &[("title", "停電"), ("what", "UPSが止まった")]).await;
    app.settled().await;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figures.png");
    let out = app.hikeshi().args(["stats", "--from", "2026-01-01", "--chart"]).arg(&path).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(&path).unwrap();
    if let Some(keep) = std::env::var_os("HIKESHI_KEEP_CHART") {
        std::fs::write(keep, &png).unwrap();
    }
    let picture = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    assert_eq!(picture.dimensions(), (1200, 1000));
    assert!(png.len() > 20_000, "{} bytes", png.len());
    let colours: std::collections::HashSet<[u8; 3]> = picture.pixels().map(|p| p.0).collect();
    assert!(colours.len() > 20, "drawn, not blank: {} colours", colours.len());
    // The breach colour is there: the September bar.
    assert!(colours.contains(&[231, 76, 60]));

    // With a Latin font only, the labels are English.
    let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if std::path::Path::new(latin).exists() {
        let english = dir.path().join("english.png");
        let out = app
            .hikeshi()
            .args(["stats", "--from", "2026-01-01", "--chart"])
            .arg(&english)
            .env("HIKESHI_CHART_FONT", latin)
            .output()
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("English labels"), "{}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(image::load_from_memory(&std::fs::read(&english).unwrap()).unwrap().to_rgb8().dimensions(), (1200, 1000));
    }
    let id = app.id();
    let mut stats =
        payloads::slash(id, Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "stats", json!([{"name": "period", "type": 3, "value": "all"}]));
    stats["id"] = json!(id.to_string());
    app.interact(stats).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    let (name, bytes) = &callback.raw_files[0];
    assert_eq!(name, "hikeshi-stats.png");
    assert_eq!(image::load_from_memory(bytes).unwrap().to_rgb8().dimensions(), (1200, 1000));
}

/// §5 at ten years: four hundred dismissals from 2019 and thirty incidents
/// closed without their records do not push this month's overdue drill out
/// of the monthly post. The message holds whole findings within Discord's
/// 2,000 characters, what needs action first, and says how many more; the
/// whole text is attached, the earlier years' dismissals in one line.
#[tokio::test]
async fn the_monthly_audit_post_shows_what_needs_action_first_at_ten_years() {
    use chrono::{Duration, TimeZone, Utc};
    use hikeshi::clock::{Clock, ManualClock};
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap());
    let app = TestApp::spawn_with_clock(std::sync::Arc::new(clock.clone())).await;
    let base = app.report_malware(ids::DAVE).await;
    let long_ago = Utc.with_ymd_and_hms(2019, 6, 1, 0, 0, 0).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    for (k, id) in tx.reserve_incident_ids(400).await.unwrap().into_iter().enumerate() {
        let mut old = base.clone();
        (old.id, old.number.year, old.number.seq, old.channel) = (id, 2019, 1000 + k as u32, None);
        (old.reported_at, old.closed_at, old.phase) = (long_ago, Some(long_ago), hikeshi::domain::Phase::Closed);
        old.close_reason = Some("IT部門のフィッシング訓練".into());
        tx.insert_incident(&old, None, long_ago).await.unwrap();
    }
    // And thirty closed this year without their lessons and records: more
    // findings needing action than one message holds.
    let this_year = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    for (k, id) in tx.reserve_incident_ids(30).await.unwrap().into_iter().enumerate() {
        let mut done = base.clone();
        (done.id, done.number.seq, done.channel) = (id, 100 + k as u32, None);
        (done.reported_at, done.closed_at, done.phase) = (this_year, Some(this_year), hikeshi::domain::Phase::Closed);
        tx.insert_incident(&done, None, this_year).await.unwrap();
    }
    tx.commit().await.unwrap();
    // The drill reminder fires on 1 April and nobody acknowledges it.
    app.ticks_pass(1).await;
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.eventually("the reminders fire", || async { app.store.reminders().await.unwrap().len() >= 2 }).await;
    clock.advance(Duration::days(4));
    app.settled().await;
    let before = app.posts_in(ids::COMMITTEE_CHANNEL).len();
    sqlx::query("INSERT INTO outbox (incident_id, kind, effect, not_before, created_at) VALUES (NULL, 'audit_report', '{\"type\":\"audit_report\",\"reminder\":1}', $1, $1)")
        .bind(hikeshi::clock::to_ms(clock.now()))
        .execute(app.store.pool())
        .await
        .unwrap();
    app.store.queued_effects().notify_one();
    app.settled().await;
    let post = app
        .posts_in(ids::COMMITTEE_CHANNEL)
        .into_iter()
        .skip(before)
        .find(|p| p.body["content"].as_str().unwrap_or("").contains("運用確認"))
        .expect("the audit post");
    let text = post.body["content"].as_str().unwrap();
    assert!(text.chars().count() <= 2000, "{}", text.chars().count());
    assert!(text.contains("訓練が4日遅れています"), "the overdue drill is in the message:\n{text}");
    assert!(!text.contains("INC-2019-"), "no dismissal of 2019 is listed one by one:\n{text}");
    assert!(text.contains("…ほか"), "the message says more findings are attached:\n{text}");
    let (_, whole) = post.files.iter().find(|(name, _)| name == "hikeshi-audit.txt").expect("the whole text attached");
    assert!(whole.contains("訓練が4日遅れています") && whole.contains("免除・非該当判断 400件"), "{whole}");
    assert!(!whole.contains("INC-2019-1000"), "the earlier years are summed up");
    app.assert_no_schema_violations();
}

/// `/incident export` of a record larger than one upload: compressed when
/// that fits (the whole record, gunzipped), and when even that cannot,
/// the command an operator runs instead, never a failed upload. The JSON
/// names only the people who appear in the incident.
#[tokio::test]
async fn a_record_too_large_to_attach_goes_compressed_or_as_the_command_to_run() {
    use std::io::Read as _;
    let app = TestApp::spawn().await;
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("malware"),
            &[("title", "大量のログ"), ("what", "ログが大量に出ている")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    // Someone who appears only in another incident.
    app.submit_report(Who::new(ids::DAVE, ids::GENERAL), "breach", Some("malware"), &[("title", "別件"), ("what", "別の件")]).await;
    let channel = i.channel.unwrap().0;
    let add = |from: u64, n: u64, text: &dyn Fn(u64) -> String| {
        let (store, incident) = (app.store.clone(), i.id);
        let messages: Vec<_> =
            (from..from + n).map(|k| crate::support::kept_message(channel, 5_000_000 + k, ids::ALICE, text(k))).collect();
        async move {
            let mut tx = store.begin().await.unwrap();
            for m in &messages {
                tx.record_message(incident, m).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    };
    // 12 MB of log lines that compress well.
    add(0, 600, &|k| format!("log {k}: {}", "2026-12-05 ERROR 認証に失敗しました ".repeat(400))).await;
    app.settled().await;
    let export = || {
        let mut p = payloads::slash(
            app.id(),
            Who::new(ids::BOB, channel),
            "incident",
            json!([{"name": "export", "type": 1, "options": [{"name": "format", "type": 3, "value": "json"}]}]),
        );
        let id = app.id();
        p["id"] = json!(id.to_string());
        (id, p)
    };
    let (id, p) = export();
    app.interact(p).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    assert_eq!(callback.body["data"]["flags"], 64, "ephemeral");
    assert!(callback.body["data"]["content"].as_str().unwrap().contains("gzip"), "{}", callback.body);
    let (name, gz) = &callback.raw_files[0];
    assert_eq!(name, &format!("{}.json.gz", i.number));
    assert!(gz.len() <= 8 * 1024 * 1024);
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).unwrap();
    let v: Value = serde_json::from_str(&text).expect("the whole record, valid JSON");
    let transcript = v["transcript"].as_array().unwrap();
    assert!(transcript.iter().any(|m| m["content"].as_str().unwrap().starts_with("log 599: ")), "every message");
    let people: Vec<&str> = v["people"].as_array().unwrap().iter().map(|p| p["user"].as_str().unwrap()).collect();
    assert!(people.contains(&ids::ALICE.to_string().as_str()) && people.contains(&ids::BOB.to_string().as_str()), "{people:?}");
    let where_dave: Vec<&str> = text.match_indices("3004").map(|(k, _)| &text[k.saturating_sub(300)..(k + 100).min(text.len())]).collect();
    assert!(!people.contains(&ids::DAVE.to_string().as_str()), "a member of another incident is not named: {people:?} {where_dave:?}");

    // 16 MB that does not compress: the operator's command instead.
    let x = std::sync::Mutex::new(0x9e3779b97f4a7c15u64);
    add(1000, 800, &|k| format!("dump {k}: {}", crate::support::noise(&mut x.lock().unwrap(), 20_000))).await;
    let (id, p) = export();
    app.interact(p).await;
    let callback = app.fake.calls("POST", &format!("/interactions/{id}/*/callback")).remove(0);
    assert!(callback.raw_files.is_empty(), "nothing attached to fail");
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(content.contains(&format!("`hikeshi export {} --format json --output", i.number)), "{content}");
    assert!(content.contains("大きすぎ"), "in the committee's language: {content}");
    assert!(app.fake.requests().iter().all(|r| r.status != 413), "no upload refused");
}

/// A copy of a folder (a bundle to alter without touching the original).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to.join("files")).unwrap();
    for entry in crate::support::files_under(from) {
        let rel = entry.strip_prefix(from).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

/// Issue 25: an incident's record handed to an auditor proves itself.
/// `hikeshi export --bundle` writes it signed with the deployment's key
/// (made when the bot first started; `hikeshi key` prints it);
/// `hikeshi verify --bundle` checks it with no database and no
/// configuration. One byte changed in an event, in a file and in the seal:
/// each is named; the untouched bundle passes.
#[tokio::test]
async fn a_bundle_proves_itself_without_the_bot_and_names_each_alteration() {
    let app = TestApp::spawn().await;
    assert!(app.key_file().exists(), "the key is made at first start");
    let i = app.report_malware(ids::ALICE).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let form = app.click(ids::BOB, &i, &format!("hk1:log:{}:status", i.id)).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, channel), &custom, &[("body", "端末を隔離した")])).await;
    app.fake.post_user_file(channel, ids::ALICE, "脅迫文です", "note.txt", b"your files are encrypted");
    app.eventually("the file is kept", || async { app.store.events_of(i.id).await.unwrap().iter().any(|e| e.kind == "attachment_kept") })
        .await;
    app.settled().await;

    let key = app.hikeshi().arg("key").output().await.unwrap();
    let key = String::from_utf8_lossy(&key.stdout).trim().to_string();
    assert_eq!(key.len(), 64, "{key}");
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let out = app.hikeshi().args(["export", &i.number.to_string(), "--bundle"]).arg(&bundle).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&key));

    // The auditor's machine: no database, no configuration.
    let verify = |dir: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
            .args(["verify", "--bundle"])
            .arg(dir)
            .args(["--key", &key])
            .env_remove("DATABASE_URL")
            .env("HIKESHI_CONFIG", "/nonexistent/hikeshi.toml")
            .current_dir(dir)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
    };
    let (ok, said) = verify(&bundle);
    assert!(ok && said.contains("the bundle is intact") && said.contains(&i.number.to_string()), "{said}");

    let file = crate::support::files_under(&bundle.join("files")).pop().expect("the file kept as evidence");
    let name = format!("files/{}", file.file_name().unwrap().to_string_lossy());
    let altered = format!("{name} was altered");
    // (file, the byte after this marker is changed, what must be named)
    let cases = [
        ("events.jsonl", "\"at\":", "was altered"),
        (name.as_str(), "your ", altered.as_str()),
        ("seal.json", "\"head_seq\": ", "the signature does not match"),
    ];
    for (n, (file, marker, named)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("altered-{n}"));
        copy_dir(&bundle, &copy);
        let path = copy.join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = String::from_utf8_lossy(&bytes).find(marker).expect("the marker") + marker.len();
        bytes[at] = match bytes[at] {
            b'1' => b'2',
            b'0'..=b'9' => b'1',
            c => c.to_ascii_uppercase(),
        };
        std::fs::write(&path, bytes).unwrap();
        let (ok, said) = verify(&copy);
        assert!(!ok && said.contains("ALTERED") && said.contains(named), "{file}: {said}");
    }
    // The untouched bundle still passes.
    assert!(verify(&bundle).0);
}
