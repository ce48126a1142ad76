//! §4.1(3) 検知: monitoring alerts become incidents through the intake —
//! one incident per problem, repeats and resolutions appended, the token
//! required, bad payloads told what is wrong.

use crate::support::fake::ids;
use crate::support::TestApp;
use hikeshi::domain::{Category, Incident, IncidentNumber, SubKind, UserId};
use serde_json::{json, Value};
use std::sync::Arc;

pub const TOKEN: &str = "intake-token-for-tests";

/// A free local address for Alertmanager (another program, which cannot
/// say which port it took when given port 0).
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// The app with its intake on, and the intake's base URL.
pub async fn with_intake(token: Option<&str>) -> (TestApp, String) {
    let mut app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.serve_alerts = true;
    app.intake_token = token.map(str::to_string);
    app.start_bot().await;
    let base = app.alerts_url("");
    (app, base)
}

async fn post(url: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut r = reqwest::Client::new().post(url).header("content-type", "application/json").body(body.to_string());
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn am_alert(name: &str, fingerprint: &str, status: &str) -> Value {
    json!({"status": status, "labels": {"alertname": name, "severity": "critical"},
           "annotations": {"summary": format!("{name} fired"), "description": "checked from outside"},
           "startsAt": "2026-12-02T01:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
           "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up", "fingerprint": fingerprint})
}

fn am_payload(alerts: &[Value]) -> String {
    json!({"version": "4", "groupKey": "{}:{alertname=\"WebsiteDown\"}", "status": "firing", "receiver": "hikeshi",
           "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am.example:9093", "alerts": alerts})
    .to_string()
}

async fn incidents(app: &TestApp) -> Vec<Incident> {
    app.store.all_incidents().await.unwrap()
}

fn opened(body: &str) -> IncidentNumber {
    serde_json::from_str::<Value>(body).unwrap()["opened"].as_str().expect("an incident opened").parse().unwrap()
}

fn channel_texts(app: &TestApp, i: &Incident) -> Vec<String> {
    app.fake.messages(i.channel.unwrap().0).iter().map(|m| m["content"].as_str().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn alerts_open_one_incident_per_problem_and_repeats_and_resolutions_are_appended() {
    let (app, base) = with_intake(Some(TOKEN)).await;
    let am = format!("{base}/alerts/alertmanager");
    let two = am_payload(&[am_alert("WebsiteDown", "fp-web", "firing"), am_alert("WebsiteSlow", "fp-slow", "firing")]);

    // Without the token, or with another, nothing is stored.
    assert_eq!(post(&am, None, &two).await.0, 401);
    assert_eq!(post(&am, Some("guess"), &two).await.0, 401);
    assert!(incidents(&app).await.is_empty());

    // Alerts that arrive together open one incident, classified by the rules.
    let (status, body) = post(&am, Some(TOKEN), &two).await;
    assert_eq!(status, 200, "{body}");
    let i = app.ready_incident(opened(&body)).await;
    assert_eq!(incidents(&app).await.len(), 1);
    assert_eq!((i.category, i.kind, i.reporter), (Category::Breach, Some(SubKind::Dos), UserId::MONITORING));
    assert_eq!(i.affected.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), vec!["コーポレートサイト"]);
    app.settled().await;
    let card = app.card(&i)["embeds"][0].to_string();
    assert!(card.contains("📡 監視"), "{card}");
    let texts = channel_texts(&app, &i);
    let fired: Vec<&String> = texts.iter().filter(|t| t.contains("Alertmanager からの検知")).collect();
    assert_eq!(fired.len(), 2, "one line per alert: {texts:?}");
    assert!(fired[0].contains("<http://prometheus.example:9090/graph?g0.expr=up>"), "the source link, as itself: {}", fired[0]);

    // The next notification of the same group: appended, not a second incident.
    let (_, body) = post(&am, Some(TOKEN), &two).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["appended"], 2, "{body}");
    // Its resolution is noted; the incident stays open (people close it).
    let resolved = am_payload(&[am_alert("WebsiteDown", "fp-web", "resolved")]);
    post(&am, Some(TOKEN), &resolved).await;
    app.settled().await;
    assert_eq!(incidents(&app).await.len(), 1);
    let texts = channel_texts(&app, &i);
    assert_eq!(texts.iter().filter(|t| t.contains("🔁 再通知")).count(), 2, "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("✅ 解消") && t.contains("実行責任者が判断")), "{texts:?}");
    assert!(app.incident(i.number).await.phase.is_open());

    // An alert no rule matches: an unsure incident for the committee.
    let generic = json!({"title": "不審なログイン試行が急増", "fingerprint": "fp-login", "status": "firing", "severity": "high",
        "labels": {"service": "vpn"}, "source_url": "https://grafana.example/d/login"});
    let (status, body) = post(&format!("{base}/alerts/generic"), Some(TOKEN), &generic.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let unsure = app.ready_incident(opened(&body)).await;
    assert_eq!(unsure.category, Category::Unsure);
    assert!(app.card_custom_ids(&unsure).contains(&format!("hk1:classify:{}", unsure.id)));

    // Grafana's contact point, in its own shape.
    let grafana = json!({"receiver": "hikeshi", "status": "firing", "orgId": 1, "version": "1", "groupKey": "g", "title": "[FIRING:1]",
        "alerts": [{"status": "firing", "labels": {"alertname": "UPSOnBattery"}, "annotations": {"summary": "UPS on battery"},
        "fingerprint": "fp-ups", "panelURL": "https://grafana.example/d/ups?viewPanel=2", "generatorURL": "https://grafana.example/alerting"}]});
    let (_, body) = post(&format!("{base}/alerts/grafana"), Some(TOKEN), &grafana.to_string()).await;
    let ups = app.ready_incident(opened(&body)).await;
    assert_eq!((ups.category, ups.kind), (Category::Failure, Some(SubKind::PowerAnomaly)));

    // What is wrong is said; too much is refused; nothing is stored.
    let before = incidents(&app).await.len();
    let (status, body) = post(&am, Some(TOKEN), "{\"alerts\": [").await;
    assert_eq!(status, 400);
    assert!(body.contains("JSON"), "{body}");
    let (status, body) = post(&format!("{base}/alerts/generic"), Some(TOKEN), r#"{"title":"x","status":"firing"}"#).await;
    assert!(status == 400 && body.contains("fingerprint"), "{status} {body}");
    let huge = format!("{{\"title\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    assert_eq!(post(&format!("{base}/alerts/generic"), Some(TOKEN), &huge).await.0, 413);
    assert_eq!(incidents(&app).await.len(), before);
    app.settled().await;
    assert!(app.fake.problems().is_empty(), "{:?}", app.fake.problems());
    assert!(app.fake.calls("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL)).len() >= 3, "the committee hears of each");
}

#[tokio::test]
async fn without_a_token_configured_the_intake_refuses_everything() {
    let (app, base) = with_intake(None).await;
    let (status, body) = post(&format!("{base}/alerts/generic"), Some(TOKEN), r#"{"title":"x","fingerprint":"f","status":"firing"}"#).await;
    assert_eq!(status, 503);
    assert!(body.contains("HIKESHI_INTAKE_TOKEN"), "{body}");
    assert!(incidents(&app).await.is_empty());
}

/// Debian's Alertmanager binary, if the machine has it.
fn alertmanager_binary() -> Option<std::path::PathBuf> {
    ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager", "/usr/local/bin/alertmanager"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

/// The real client: Debian's Prometheus Alertmanager, its webhook receiver
/// pointed at the intake. An alert posted to Alertmanager's API becomes one
/// incident; the repeated notification is appended; the resolution is
/// noted; a receiver with the wrong token stores nothing.
#[tokio::test]
async fn the_real_alertmanager_opens_one_incident_and_its_repeats_and_resolution_join_it() {
    let Some(bin) = alertmanager_binary() else {
        eprintln!("SKIPPED: prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager; .ci/run installs it)");
        return;
    };
    let (app, base) = with_intake(Some(TOKEN)).await;
    let dir = tempfile::tempdir().unwrap();
    let am_addr = free_addr();
    let webhook = |token: &str| {
        format!(
            "    webhook_configs:\n      - url: {base}/alerts/alertmanager\n        send_resolved: true\n        http_config:\n          authorization:\n            type: Bearer\n            credentials: {token}\n"
        )
    };
    let config = format!(
        "route:\n  receiver: hikeshi\n  group_by: ['alertname']\n  group_wait: 1s\n  group_interval: 2s\n  repeat_interval: 3s\n  routes:\n    - matchers: ['team=\"elsewhere\"']\n      receiver: wrong\nreceivers:\n  - name: hikeshi\n{}  - name: wrong\n{}",
        webhook(TOKEN),
        webhook("not-the-token")
    );
    std::fs::write(dir.path().join("am.yml"), config).unwrap();
    let mut am = tokio::process::Command::new(bin)
        .arg(format!("--config.file={}", dir.path().join("am.yml").display()))
        .arg(format!("--storage.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address={am_addr}"))
        .arg("--cluster.listen-address=")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("am.log")).unwrap())
        .kill_on_drop(true)
        .spawn()
        .expect("start alertmanager");
    let api = format!("http://{am_addr}/api/v2/alerts");
    let client = reqwest::Client::new();
    let send = |alerts: Value| {
        let (client, api) = (client.clone(), api.clone());
        async move {
            for _ in 0..100 {
                if let Ok(r) = client.post(&api).json(&alerts).send().await {
                    if r.status().is_success() {
                        return;
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("Alertmanager did not take the alert");
        }
    };
    let firing = json!([{"labels": {"alertname": "WebsiteDown", "severity": "critical"},
        "annotations": {"summary": "the website does not answer"}, "generatorURL": "http://prometheus.example:9090/graph"}]);
    send(firing.clone()).await;
    app.eventually("Alertmanager's notification opens an incident", || async { incidents(&app).await.len() == 1 }).await;
    let i = app.ready_incident(incidents(&app).await[0].number).await;
    assert_eq!((i.category, i.kind), (Category::Breach, Some(SubKind::Dos)));

    // The repeat (repeat_interval 3 s) joins it.
    let lines = |needle: &'static str| {
        let app = &app;
        let i = i.clone();
        move || {
            let i = i.clone();
            async move { channel_texts(app, &i).iter().filter(|t| t.contains(needle)).count() }
        }
    };
    let repeats = lines("🔁 再通知");
    app.eventually_within(std::time::Duration::from_secs(30), "a repeated notification", || async { repeats().await >= 1 }).await;
    assert_eq!(incidents(&app).await.len(), 1, "a repeat is not a second incident");

    // Resolved: noted, still open.
    let ended = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    let mut resolved = firing.clone();
    resolved[0]["endsAt"] = json!(ended);
    send(resolved).await;
    let cleared = lines("✅ 解消");
    app.eventually_within(std::time::Duration::from_secs(30), "the resolution", || async { cleared().await == 1 }).await;
    assert!(app.incident(i.number).await.phase.is_open(), "monitoring does not close an incident");

    // A receiver with the wrong token: Alertmanager tries, nothing is stored.
    send(json!([{"labels": {"alertname": "DiskFull", "team": "elsewhere"}}])).await;
    let metrics = format!("http://{am_addr}/metrics");
    app.eventually_within(std::time::Duration::from_secs(30), "Alertmanager tried the wrong receiver", || async {
        match client.get(&metrics).send().await {
            Ok(r) => r
                .text()
                .await
                .unwrap_or_default()
                .lines()
                .any(|l| l.starts_with("alertmanager_notifications_failed_total") && l.contains("webhook") && !l.ends_with(" 0")),
            Err(_) => false,
        }
    })
    .await;
    assert_eq!(incidents(&app).await.len(), 1, "the wrong token stored nothing");
    am.kill().await.ok();
}

/// Item 10 of issue 23: Alertmanager sends a whole group in one
/// notification and never retries a 4xx. 500 alerts (over 200 kB) are
/// stored, the channel reads one summary instead of 500 messages, and every
/// alert is in the record and the export. The next notification of the
/// same group is one more summary, of repeats.
#[tokio::test]
async fn a_notification_of_500_alerts_is_stored_whole_and_summarised_in_one_message() {
    let (app, base) = with_intake(Some(TOKEN)).await;
    let am = format!("{base}/alerts/alertmanager");
    let names = ["WebsiteDown", "DiskFull", "HighLatency"];
    // As Prometheus labels them: the instance and job of each target.
    let alert = |n: usize, status: &str| {
        let mut a = am_alert(names[n % 3], &format!("fp-{n:03}"), status);
        a["labels"]["instance"] = json!(format!("web-{n:03}.prod.example.internal:9100"));
        a["labels"]["job"] = json!("node-exporter");
        a["labels"]["team"] = json!("platform");
        a
    };
    let alerts: Vec<Value> = (0..500).map(|n| alert(n, "firing")).collect();
    let body = am_payload(&alerts);
    assert!(body.len() > 200_000, "as big as the notification of the issue: {}", body.len());
    let (status, answer) = post(&am, Some(TOKEN), &body).await;
    assert_eq!(status, 200, "{answer}");
    let i = app.ready_incident(opened(&answer)).await;
    app.settled().await;

    let texts = channel_texts(&app, &i);
    let detected: Vec<&String> = texts.iter().filter(|t| t.contains("Alertmanager からの検知")).collect();
    assert_eq!(detected.len(), 1, "one summary, not a message per alert: {} messages", detected.len());
    let summary = detected[0];
    assert!(summary.contains("500件") && summary.contains("発報 500"), "{summary}");
    assert!(summary.contains("WebsiteDown ×167") && summary.contains("DiskFull ×167") && summary.contains("HighLatency ×166"), "{summary}");
    assert!(summary.contains("<http://prometheus.example:9090/graph?g0.expr=up>"), "the first alerts in full: {summary}");
    assert!(summary.chars().count() <= 2000, "{summary}");

    // Every alert is in the record and the export.
    let events = app.store.events_of(i.id).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.payload.contains("fp-")).count(),
        500,
        "{:?}",
        events.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
    let json = std::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"))
        .args(["export", &i.number.to_string(), "--format", "json", "--config"])
        .arg(&app.config)
        .env("DATABASE_URL", &app.db.0)
        .output()
        .unwrap();
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let export = String::from_utf8(json.stdout).unwrap();
    assert!((0..500).all(|n| export.contains(&format!("fp-{n:03}"))), "every alert in the export");

    // The same group again, half resolved: appended, one more summary.
    let again: Vec<Value> = (0..500).map(|n| alert(n, if n < 250 { "resolved" } else { "firing" })).collect();
    let (status, answer) = post(&am, Some(TOKEN), &am_payload(&again)).await;
    assert_eq!((status, serde_json::from_str::<Value>(&answer).unwrap()["appended"].as_u64()), (200, Some(500)), "{answer}");
    app.settled().await;
    assert_eq!(incidents(&app).await.len(), 1);
    let texts = channel_texts(&app, &i);
    let detected: Vec<&String> = texts.iter().filter(|t| t.contains("Alertmanager からの検知")).collect();
    assert_eq!(detected.len(), 2, "{detected:?}");
    assert!(detected[1].contains("再通知 250") && detected[1].contains("解消 250"), "{}", detected[1]);
    assert!(app.fake.problems().is_empty(), "{:?}", app.fake.problems());
}
