//! The story: a confidential report carrying canaries, taken through every
//! path, then everything that left hikeshi read for them.

use crate::audience::{Audience, Sent};
use crate::support::fake::{ids, snowflake, Fault, CANARY_NAME};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{TimeZone, Utc};
use hikeshi::clock::ManualClock;
use hikeshi::domain::{Incident, IncidentNumber};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// What the confidential reporter wrote: the incident's own people read it.
const TITLE: &str = "CNRYtitle4821";
const WHAT: &str = "CNRYwhat4821";
const SYSTEM: &str = "CNRYsys4821";
const IMPACT: &str = "CNRYimpact4821";
const INFO: &str = "CNRYinfo4821";
/// Personal data posted by mistake and redacted: nobody reads it after.
const PII: &str = "CNRYpii4821";
const INTAKE_TOKEN: &str = "intake-token-for-the-canary";
const WEBHOOK_SECRET: &str = "webhook-secret-for-the-canary";

/// The reporter: only the committee (and they themselves) read these.
fn identity() -> [String; 2] {
    [ids::CANARY.to_string(), CANARY_NAME.to_string()]
}

fn text_canaries() -> [&'static str; 5] {
    [TITLE, WHAT, SYSTEM, IMPACT, INFO]
}

/// 2026-03-31 23:00 UTC (1 April 08:00 in Tokyo): the drill, the yearly
/// review and the monthly audit fall due within the story.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap()
}

/// The log at debug level, everything in it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn log_everything() -> Log {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    log
}

struct Run {
    app: TestApp,
    /// The organisation's webhook receiver (issue 26: the escalation's
    /// last step leaves Discord).
    outside: crate::support::receiver::Receiver,
    clock: ManualClock,
    /// Readers of the channels deleted by hand, when they went.
    gone: HashMap<u64, BTreeSet<u64>>,
    /// What the operator's commands printed, each with its name.
    printed: Vec<(String, String)>,
    /// The request count when the redaction was done.
    redacted_at: usize,
    _regulation: tempfile::TempDir,
}

fn number_in(text: &str) -> IncidentNumber {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no incident number in: {text}"))
}

fn incident_cmd(app: &TestApp, user: u64, channel: u64, sub: &str, options: Value) -> Value {
    payloads::slash(app.id(), Who::new(user, channel), "incident", json!([{"name": sub, "type": 1, "options": options}]))
}

fn opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

impl Run {
    async fn new() -> Run {
        let clock = ManualClock::new(start());
        let regulation = tempfile::tempdir().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/regulation");
        for f in ["ja.md", "en.md"] {
            std::fs::copy(root.join(f), regulation.path().join(f)).unwrap();
        }
        let copy = regulation.path().display().to_string();
        // The playbooks too: one changes while the bot is away.
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/playbooks");
        std::fs::create_dir(regulation.path().join("playbooks")).unwrap();
        for e in std::fs::read_dir(&shipped).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), regulation.path().join("playbooks").join(e.file_name())).unwrap();
        }
        let playbooks =
            (format!("{:?}", shipped.display().to_string()), format!("{:?}", regulation.path().join("playbooks").display().to_string()));
        let outside = crate::support::receiver::Receiver::start(Some(WEBHOOK_SECRET)).await;
        let hook = format!("step_every_minutes = 5\nwebhook_url = {:?}\nwebhook_format = \"signed\"", outside.url());
        let tools = format!("\n[webhooks]\nevents_url = {:?}\n", outside.url());
        let mut app = TestApp::without_bot(Arc::new(clock.clone()), |c| {
            (c + &tools)
                .replace(&playbooks.0, &playbooks.1)
                .replace(&root.display().to_string(), &copy)
                .replace("step_every_minutes = 5", &hook)
                .replace("wave_minutes = 0", "wave_minutes = 10")
                .replace("channels_per_member_per_hour = 1000", "channels_per_member_per_hour = 2")
                .replace("# it_department_role_id = 1100000000000000007", &format!("it_department_role_id = {}", ids::IT_ROLE))
        })
        .await;
        // Every request on a connection of its own, as happens over hours
        // with Discord: what a client logs while connecting is in the log.
        app.fake.close_connections();
        app.fake.set_member_roles(ids::CANARY, vec![]);
        app.fake.set_member_roles(ids::FRANK, vec![]);
        // 情報システム部 reads the channel while the plan is written (§4.4(1)).
        app.fake.edit_role(ids::IT_ROLE, "情報システム部", 0);
        app.fake.set_member_roles(ids::ERIN, vec![ids::IT_ROLE]);
        app.serve_ops = true;
        app.serve_alerts = true;
        app.intake_token = Some(INTAKE_TOKEN.to_string());
        app.webhook_secret = Some(WEBHOOK_SECRET.to_string());
        app.start_bot().await;
        Run { app, outside, clock, gone: HashMap::new(), printed: vec![], redacted_at: 0, _regulation: regulation }
    }

    async fn report(&self, who: u64, category: &str, kind: Option<&str>, fields: &[(&str, &str)], confidential: bool) -> String {
        let w = Who::new(who, ids::GENERAL);
        let mut options = vec![json!({"name": "category", "type": 3, "value": category})];
        if let Some(k) = kind {
            options.push(json!({"name": "kind", "type": 3, "value": k}));
        }
        if confidential {
            options.push(json!({"name": "confidential", "type": 5, "value": true}));
        }
        let form =
            self.app.interact(payloads::slash(self.app.id(), w, "report", json!([{"name": "new", "type": 1, "options": options}]))).await;
        let custom = form["data"]["custom_id"].as_str().expect("the report form").to_string();
        ephemeral_text(&self.app.interact(payloads::modal(self.app.id(), w, &custom, fields)).await)
    }

    /// The canary's own report, every field a canary.
    async fn canary_report(&self, kind: &str, systems: &str, what: &str) -> IncidentNumber {
        let fields = [("title", TITLE), ("what", what), ("systems", systems), ("impact", IMPACT)];
        let said = self.report(ids::CANARY, "breach", Some(kind), &fields, true).await;
        // The reply names the report's own number first.
        let at = said.find("INC-").expect("a number");
        said[at..at + 13].parse().expect("an incident number")
    }

    async fn ready(&self, n: IncidentNumber) -> Incident {
        self.app.ready_incident(n).await
    }

    async fn click(&self, user: u64, i: &Incident, id: &str) -> Value {
        let i = self.app.incident(i.number).await;
        self.app.click(user, &i, id).await
    }

    async fn form(&self, user: u64, i: &Incident, button: &str, fields: &[(&str, &str)]) -> String {
        let i = self.app.incident(i.number).await;
        ephemeral_text(&self.app.through_form(&i, user, button, fields).await)
    }

    async fn slash(&self, user: u64, i: &Incident, sub: &str, options: Value) -> String {
        let channel = self.app.incident(i.number).await.channel.expect("a channel").0;
        ephemeral_text(&self.app.interact(incident_cmd(&self.app, user, channel, sub, options)).await)
    }

    async fn hikeshi(&mut self, args: &[&str]) -> String {
        let out = self.app.hikeshi().args(args).output().await.expect("hikeshi");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "hikeshi {args:?}: {text}");
        self.printed.push((format!("hikeshi {}", args.join(" ")), text.clone()));
        text
    }
}

/// A wave, a split, a duplicate merge, the flood triage: the canary's
/// reports arrive every way a report can. Returns the canary's incident.
async fn arrive(run: &Run) -> (Incident, Incident) {
    let app = &run.app;
    let a = app.report_malware(ids::ALICE).await;
    // The canary's report joins ALICE's wave (same kind, a shared system).
    let c = run.canary_report("malware", &format!("fileserver, {SYSTEM}"), WHAT).await;
    assert_eq!(app.incident(c).await.duplicate_of, Some(a.id), "gathered into the wave");
    app.settled().await;
    // The committee splits it out: its own private channel.
    let split = run.slash(ids::BOB, &a, "split", json!([opt("report", &c.to_string())])).await;
    assert!(split.contains("切り出しました"), "{split}");
    let c = run.ready(c).await;
    // A second report of theirs is closed as a duplicate of the first.
    let d = run.ready(run.canary_report("insider_leak", SYSTEM, &format!("{WHAT} (2)")).await).await;
    let dup = run.form(ids::BOB, &d, &format!("hk1:dup:{}", d.id), &[("body", &c.number.to_string())]).await;
    assert!(dup.contains("重複"), "{dup}");
    // DAVE's public report of the same joins ALICE's wave, named.
    let fields = [("title", "共有フォルダが開けない"), ("what", "拡張子が .locked"), ("systems", "fileserver")];
    run.report(ids::DAVE, "breach", Some("malware"), &fields, false).await;
    // The canary floods: past two channels an hour, held for triage.
    let mut held = None;
    for n in 0..4 {
        let fields = [("title", TITLE), ("what", &format!("{WHAT} {n}")[..]), ("systems", SYSTEM)];
        let said = run.report(ids::CANARY, "unsure", None, &fields, true).await;
        if said.contains("委員会が確認してから") {
            held = Some(number_in(&said[said.find("INC-").unwrap()..]));
            break;
        }
    }
    let held = app.incident(held.expect("a report held by the flood guard")).await;
    app.settled().await;
    let post = app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().find(|m| m["embeds"][0]["title"] == "トリアージ待ちの報告").unwrap();
    let select =
        payloads::string_select(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "hk1:triagemerge", &[&held.id.0.to_string()], &post);
    let form = app.interact(select).await;
    let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &custom, &[("body", &c.number.to_string())])).await;
    app.settled().await;
    (a, app.incident(c.number).await)
}

/// ALICE commands the canary's incident, DAVE responds; the committee
/// reclassifies it; the reporter adds information from their DM; APPI.
async fn respond(run: &Run, a: &Incident, c: &Incident) {
    let app = &run.app;
    let channel = c.channel.unwrap().0;
    run.click(ids::BOB, a, &format!("hk1:take:{}", a.id)).await;
    let card = app.card(c);
    app.interact(payloads::user_select(app.id(), Who::new(ids::CAROL, channel), &format!("hk1:appoint:{}", c.id), ids::ALICE, &card)).await;
    let user = |u: u64| json!([{"name": "user", "type": 6, "value": snowflake(u)}]);
    assert!(run.slash(ids::BOB, c, "add", user(ids::DAVE)).await.contains("加えました"));
    run.slash(ids::BOB, c, "remove", user(ids::DAVE)).await;
    app.settled().await;
    let handover = format!("hk1:handover:{}", c.id);
    let card = app.card(&app.incident(c.number).await);
    let handed = app.interact(payloads::user_select(app.id(), Who::new(ids::ALICE, channel), &handover, ids::DAVE, &card)).await;
    assert!(ephemeral_text(&handed).contains("引き継ぎました"), "{handed}");
    let reclassified = run
        .slash(
            ids::BOB,
            c,
            "reclassify",
            json!([opt("category", "breach"), opt("kind", "unauthorised_access"), opt("reason", "侵入だった")]),
        )
        .await;
    assert!(!reclassified.contains("だけ"), "{reclassified}");
    // §4.2: the committee may choose another playbook, with a reason.
    let chosen = payloads::slash(
        app.id(),
        Who::new(ids::BOB, channel),
        "playbook",
        json!([{"name": "choose", "type": 1, "options": [opt("playbook", "insider-leak"), opt("reason", "内部からの持ち出しと判明")]}]),
    );
    let chosen = ephemeral_text(&app.interact(chosen).await);
    assert!(chosen.contains("会員による情報漏えい対応手順"), "{chosen}");
    // §4.1(1) 対応組織: a role of that playbook given to Dave.
    let role = json!([opt("role", "1"), {"name": "member", "type": 6, "value": snowflake(ids::DAVE)}]);
    assert!(run.slash(ids::BOB, c, "role", role).await.contains("指名"));
    app.click(ids::DAVE, &app.incident(c.number).await, &format!("hk1:advance!:{}", c.id)).await;
    app.settled().await;
    // From their DM, the reporter adds what they saw, without a name.
    app.wait_until("the reporter has a DM", |_| !app.dms_to(ids::CANARY).is_empty()).await;
    let dm = app.fake.channels().into_iter().find(|x| x["name"] == format!("dm-{}", ids::CANARY)).unwrap();
    let mut in_dm = Who::new(ids::CANARY, dm["id"].as_str().unwrap().parse().unwrap());
    in_dm.guild = None;
    app.interact(payloads::modal(app.id(), in_dm, &format!("hk1:addinfom:{}", c.id), &[("body", INFO)])).await;
    // APPI: a malicious personal-data breach; the draft to the committee.
    let panel = app.interact(incident_cmd(app, ids::BOB, channel, "appi", json!([]))).await;
    let mut msg = app.card(&app.incident(c.number).await);
    msg["components"] = panel["data"]["components"].clone();
    msg["flags"] = json!(64);
    app.interact(payloads::button(app.id(), Who::new(ids::BOB, channel), &format!("hk1:appi:{}:malicious:y", c.id), &msg)).await;
    // The reporter asks how it goes.
    let status =
        payloads::slash(app.id(), Who::new(ids::CANARY, ids::GENERAL), "report", json!([{"name": "status", "type": 1, "options": []}]));
    app.interact(status).await;
    app.settled().await;
}

/// Someone opens the channel by hand; then deletes it; the bot puts both right.
async fn drift(run: &mut Run, c: &Incident) {
    let app = &run.app;
    let channel = app.incident(c.number).await.channel.unwrap().0;
    let mut overwrites = app.fake.overwrites_of(channel);
    overwrites.as_array_mut().unwrap().push(json!({"id": snowflake(ids::FRANK), "type": 1, "allow": "1024", "deny": "0"}));
    app.fake.hand_edit_overwrites(channel, overwrites);
    app.wait_until("the hand edit is undone", |f| !f.overwrites_of(channel).to_string().contains(&snowflake(ids::FRANK))).await;
    app.settled().await;
    let readers = Audience::new(&app.fake, &run.gone).channel(channel);
    run.gone.insert(channel, readers);
    app.fake.hand_delete_channel(channel);
    app.eventually("a new channel is opened", || async { app.incident(c.number).await.channel.is_some_and(|n| n.0 != channel) }).await;
    app.settled().await;
    // `/incident access` for the commander.
    let access = run.slash(ids::DAVE, c, "access", json!([])).await;
    assert!(!access.contains("だけ"), "{access}");
}

/// ALICE posts personal data in the channel by mistake; the committee redacts it.
async fn redact(run: &mut Run, c: &Incident) {
    let app = &run.app;
    let channel = app.incident(c.number).await.channel.unwrap().0;
    let message = app.fake.post_user_message(channel, ids::ALICE, &format!("免許証番号 {PII}"));
    app.eventually("the message is kept", || async {
        app.store.transcript(c.id).await.unwrap().iter().any(|l| l.msg.content.contains(PII))
    })
    .await;
    let said = run.slash(ids::BOB, c, "redact", json!([opt("message", &message.to_string()), opt("reason", "個人情報")])).await;
    assert!(said.contains("削除しました"), "{said}");
    app.settled().await;
    run.redacted_at = app.fake.requests().len();
}

/// The Table 1 reminders, the drill, the yearly review and the audit fall
/// due a day on; FRANK's report has waited for a commander all along.
async fn a_day_on(run: &Run) -> Incident {
    let app = &run.app;
    let fields = [("title", "USBメモリを紛失"), ("what", "帰りの電車で紛失した")];
    let said = run.report(ids::FRANK, "breach", Some("lost_media"), &fields, false).await;
    let e = run.ready(number_in(&said[said.find("INC-").unwrap()..])).await;
    run.clock.set(Utc.with_ymd_and_hms(2026, 4, 2, 1, 0, 30).unwrap());
    let posted = |text: &str| app.fake.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| m["content"].as_str().unwrap_or("").contains(text));
    app.wait_until("the drill and the review are due", |_| posted("定期訓練") && posted("内容の適切性の審議")).await;
    app.settled().await;
    // The yearly review's outcome, to all members.
    let review = app.store.reminders().await.unwrap().into_iter().find(|r| r.kind == "annual_review").unwrap();
    let msg = app.message_with(ids::COMMITTEE_CHANNEL, &format!("hk1:ack:{}", review.id)).expect("the review reminder's button");
    app.interact(payloads::button(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &format!("hk1:ack:{}", review.id), &msg)).await;
    let body = [("body", "変更なし")];
    app.interact(payloads::modal(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &format!("hk1:reviewm:{}", review.id), &body)).await;
    // The committee dismisses FRANK's report.
    run.form(ids::CAROL, &e, &format!("hk1:dismiss:{}", e.id), &[("body", "訓練メールでした")]).await;
    app.settled().await;
    e
}

/// A drill, walked to its report (the drill reminder itself is left unacknowledged).
async fn drill(run: &Run) {
    let app = &run.app;
    let start = json!([{"name": "start", "type": 1, "options": [opt("playbook", "malware")]}]);
    let reply = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "drill", start)).await;
    let d = app.incident_from_reply(&reply).await;
    app.click(ids::BOB, &d, &format!("hk1:take:{}", d.id)).await;
    for _ in 0..6 {
        let now = app.incident(d.number).await;
        if now.phase == hikeshi::domain::Phase::Analysis {
            run.form(ids::BOB, &now, &format!("hk1:findings:{}", d.id), &[("damage", "訓練: 端末1台"), ("cause", "訓練: 添付")]).await;
        }
        if now.phase == hikeshi::domain::Phase::Lessons {
            run.form(ids::BOB, &now, &format!("hk1:plan:{}", d.id), &[("technical", "EDR"), ("organisational", "連絡網")]).await;
            run.form(ids::BOB, &now, &format!("hk1:note:{}", d.id), &[("went_well", "早い"), ("missing", "連絡先")]).await;
        }
        let step =
            if now.phase == hikeshi::domain::Phase::Lessons { format!("hk1:close:{}:y", d.id) } else { format!("hk1:advance!:{}", d.id) };
        app.click(ids::BOB, &now, &step).await;
    }
    app.settled().await;
}

/// An exception (§6) and an amendment (§9): asked, decided, announced.
async fn requests(run: &Run) {
    let app = &run.app;
    let general = Who::new(ids::FRANK, ids::GENERAL);
    let fields = [("subject", "USBメモリ禁止"), ("text", "展示会のデモ"), ("until", "2026-04-03")];
    app.interact(payloads::modal(app.id(), general, "hk1:exceptionm", &fields)).await;
    let fields = [("subject", "§4.1(2)"), ("text", "訓練を年2回以上とする"), ("reason", "回数が決まっていない")];
    app.interact(payloads::modal(app.id(), general, "hk1:amendm", &fields)).await;
    app.settled().await;
    let cards: Vec<Value> =
        app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().filter(|m| m["components"].to_string().contains("hk1:decide:")).collect();
    assert_eq!(cards.len(), 2, "two requests to decide");
    for card in cards {
        let custom = card["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
        let form = app.interact(payloads::button(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &custom, &card)).await;
        let modal = form["data"]["custom_id"].as_str().unwrap().to_string();
        app.interact(payloads::modal(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &modal, &[("body", "承認")])).await;
    }
    app.settled().await;
}

/// Lessons (§4.4): the plan approved and announced, the board report,
/// a follow-up, the notes; then closed and archived.
async fn lessons(run: &Run, c: &Incident) {
    let app = &run.app;
    app.advance_times(ids::DAVE, &app.incident(c.number).await, 4).await;
    let plan = [("technical", "EDRを導入"), ("organisational", "研修"), ("cause", "添付"), ("damage", "停止")];
    run.form(ids::DAVE, c, &format!("hk1:plan:{}", c.id), &plan).await;
    app.settled().await;
    let channel = app.incident(c.number).await.channel.unwrap().0;
    assert!(app.press(Who::new(ids::ERIN, channel), &format!("hk1:signoff:{}:1", c.id)).await.contains("確認しました"));
    app.settled().await;
    assert!(app.press(Who::new(ids::CAROL, channel), &format!("hk1:approve:{}", c.id)).await.contains("承認しました"));
    run.click(ids::BOB, c, &format!("hk1:board:{}:victim:y", c.id)).await;
    run.click(ids::BOB, c, &format!("hk1:board:{}:harm:n", c.id)).await;
    run.form(ids::DAVE, c, &format!("hk1:note:{}", c.id), &[("went_well", "早い"), ("missing", "手順が古い")]).await;
    let follow =
        json!([opt("what", "EDRを全端末に導入"), opt("due", "2026-04-20"), {"name": "owner", "type": 6, "value": snowflake(ids::DAVE)}]);
    let added = run.slash(ids::DAVE, c, "followup", follow).await;
    // The note's missing piece is follow-up #1 already.
    assert!(added.contains("#2"), "{added}");
    app.settled().await;
    let ann =
        app.fake.messages(ids::ANNOUNCEMENTS).into_iter().find(|m| m["components"].to_string().contains(&format!("hk1:read:{}", c.id)));
    let ann = ann.expect("the plan announced to all members");
    app.interact(payloads::button(app.id(), Who::new(ids::FRANK, ids::ANNOUNCEMENTS), &format!("hk1:read:{}", c.id), &ann)).await;
    let listed = app.interact(payloads::slash(app.id(), Who::new(ids::DAVE, ids::GENERAL), "followups", json!([]))).await;
    let list = app.fake.ephemeral_message(ids::GENERAL, &listed["data"]);
    let done = format!("hk1:fudone:{}:2", c.id);
    assert!(
        ephemeral_text(&app.interact(payloads::button(app.id(), Who::new(ids::DAVE, ids::GENERAL), &done, &list)).await).contains("完了")
    );
    run.click(ids::DAVE, c, &format!("hk1:close:{}:n", c.id)).await;
    app.settled().await;
    assert!(app.incident(c.number).await.phase == hikeshi::domain::Phase::Closed);
}

/// Monitoring alerts (§4.1(3)): one alone, then a notification of six.
async fn alerts(run: &Run) {
    let url = run.app.alerts_url("/alerts/alertmanager");
    for (n, name) in [(1, "WebsiteDown"), (6, "DiskFull")] {
        let alerts: Vec<Value> = (0..n)
            .map(|k| {
                json!({"status": "firing", "labels": {"alertname": name, "instance": format!("web-{k}")},
                       "annotations": {"summary": format!("{name} fired")}, "startsAt": "2026-04-01T01:00:00Z",
                       "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example:9090/graph", "fingerprint": format!("{name}-{k}")})
            })
            .collect();
        let body = json!({"version": "4", "groupKey": name, "status": "firing", "receiver": "hikeshi", "groupLabels": {},
                          "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am.example:9093", "alerts": alerts});
        let res = reqwest::Client::new().post(&url).bearer_auth(INTAKE_TOKEN).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    run.app.settled().await;
}

/// The bot away: what was written meanwhile is found when it is back, and
/// the regulation's file, changed meanwhile, is announced.
async fn away(run: &mut Run, a: &Incident) {
    run.app.stop_bot().await;
    let channel = run.app.incident(a.number).await.channel.unwrap().0;
    run.app.fake.add_user_message(channel, ids::ALICE, "留守中の書き込み");
    let ja = run._regulation.path().join("ja.md");
    let text = std::fs::read_to_string(&ja).unwrap();
    std::fs::write(&ja, format!("{text}\n附則: 2026年4月2日改訂\n")).unwrap();
    // §4.1 周知: a playbook's new version names Frank for a role.
    let dos = run._regulation.path().join("playbooks/dos.toml");
    let text = std::fs::read_to_string(&dos).unwrap().replace("version = \"1\"", "version = \"2\"").replace(
        "name = { ja = \"ネットワーク担当\", en = \"Network engineer\" }",
        &format!("name = {{ ja = \"ネットワーク担当\", en = \"Network engineer\" }}\nmembers = [{}]", ids::FRANK),
    );
    std::fs::write(&dos, text).unwrap();
    run.app.start_bot().await;
    let app = &run.app;
    app.wait_until("the regulation is announced", |f| {
        f.messages(ids::ANNOUNCEMENTS).iter().any(|m| m["content"].as_str().unwrap_or("").contains("改訂されました"))
    })
    .await;
    app.settled().await;
    assert!(app.dms_to(ids::FRANK).iter().any(|m| m.contains("DoS攻撃対応手順") && m.contains("第2版")), "{:?}", app.dms_to(ids::FRANK));
}

/// What is left to an operator and to the committee: a notice queued by an
/// earlier version, Discord's refusals near the ban, exports of every kind,
/// the figures, the audit, `/metrics`; last, an item given up.
async fn operate(run: &mut Run, c: &Incident) {
    let app = &run.app;
    let mut tx = app.store.begin().await.unwrap();
    tx.enqueue(&hikeshi::domain::Effect::NoticeCommittee { incident: c.id }, hikeshi::clock::Clock::now(&run.clock)).await.unwrap();
    tx.commit().await.unwrap();
    app.store.queued_effects().notify_one();
    let settings = Arc::new(hikeshi::config::Settings::load(&app.config).unwrap());
    let service = hikeshi::service::Hikeshi::new(app.store.clone(), settings, Arc::new(run.clock.clone()));
    service.delivery().warn_refusals(5000).await.unwrap();
    app.settled().await;
    for (user, format) in [(ids::DAVE, "md"), (ids::DAVE, "json"), (ids::DAVE, "html"), (ids::BOB, "json"), (ids::BOB, "html")] {
        run.slash(user, c, "export", json!([opt("format", format)])).await;
    }
    for command in ["stats", "audit"] {
        app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), command, json!([]))).await;
    }
    app.settled().await;
    let metrics = reqwest::get(app.ops_url("/metrics")).await.unwrap().text().await.unwrap();
    run.printed.push(("GET /metrics".into(), metrics));
    let number = c.number.to_string();
    let bundle = tempfile::tempdir().unwrap();
    let chart = bundle.path().join("chart.png");
    let into = format!("{}/", bundle.path().join("bundle").display());
    for args in [
        vec!["export", &number, "--format", "md"],
        vec!["export", &number, "--format", "json"],
        vec!["export", &number, "--format", "html"],
        vec!["export", &number, "--bundle", &into],
        vec!["stats", "--from", "2026-01-01", "--chart", chart.to_str().unwrap()],
        vec!["audit", "--all"],
        vec!["verify"],
    ] {
        run.hikeshi(&args).await;
    }
    for f in crate::support::files_under(&bundle.path().join("bundle")) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        run.printed.push((format!("bundle {}", f.display()), text));
    }
    let app = &run.app;
    app.fake.fail("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL), vec![Fault::Status(500)]);
    app.queue_audit_on_its_last_try().await;
    app.settled_allowing_failures().await;
    app.wait_until("the committee hears of the item given up", |f| {
        f.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| m["content"].as_str().unwrap_or("").contains("hikeshi outbox"))
    })
    .await;
}

/// Who may read what the canary carries.
struct Rules {
    /// The committee, the bot and the reporter themselves.
    committee: BTreeSet<u64>,
    /// And the people of the incidents the report joined.
    incident: BTreeSet<u64>,
}

impl Rules {
    fn new() -> Rules {
        let committee = BTreeSet::from([ids::BOB, ids::CAROL, ids::BOT, ids::CANARY]);
        let mut incident = committee.clone();
        incident.extend([ids::ALICE, ids::DAVE]);
        Rules { committee, incident }
    }

    /// Every leak in what the bot sent to Discord; marks each canary seen
    /// where it may be.
    fn sent(&self, everything: &[Sent], redacted_at: usize, seen: &mut BTreeSet<String>) -> Vec<String> {
        let mut leaks = vec![];
        for s in everything {
            let mut check = |canary: &str, allowed: &BTreeSet<u64>| {
                if !s.text.contains(canary) {
                    return;
                }
                let outside: Vec<&u64> = s.readers.difference(allowed).collect();
                if outside.is_empty() {
                    seen.insert(canary.to_string());
                } else {
                    leaks.push(format!("{canary} in {} (request {}) read by {outside:?}", s.what, s.at));
                }
            };
            for canary in identity() {
                check(&canary, &self.committee);
            }
            for canary in text_canaries() {
                check(canary, &self.incident);
            }
            if s.at >= redacted_at && s.text.contains(PII) {
                leaks.push(format!("the redacted {PII} in {} (request {}), after the redaction", s.what, s.at));
            }
        }
        leaks
    }

    /// What the operator's commands printed: the committee's exports may
    /// name the reporter; the figures, the audit and `/metrics` never;
    /// what left Discord (the webhook, the mail) holds no canary at all.
    fn printed(&self, printed: &[(String, String)]) -> Vec<String> {
        let mut leaks = vec![];
        for (what, text) in printed {
            let whole_record = what.starts_with("hikeshi export") || what.starts_with("bundle") || what == "hikeshi verify";
            let mut forbidden: Vec<String> = vec![PII.to_string()];
            if !whole_record {
                forbidden.extend(identity());
            }
            // Outside Discord (issue 26): anyone may read a webhook's topic.
            if what == "GET /metrics" || what.starts_with("outside ") {
                forbidden.extend(text_canaries().map(str::to_string));
            }
            leaks.extend(forbidden.iter().filter(|c| text.contains(c.as_str())).map(|c| format!("{c} in what `{what}` printed")));
        }
        leaks
    }
}

/// Every effect kind and every notice was delivered in the story: a new
/// one fails here until the story takes it through.
async fn coverage(app: &TestApp) {
    use strum::VariantNames;
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT kind, effect FROM outbox").fetch_all(app.store.pool()).await.unwrap();
    let kinds: BTreeSet<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    let notices: BTreeSet<String> = rows
        .iter()
        .filter(|(k, _)| k == "post_notice")
        .filter_map(|(_, e)| serde_json::from_str::<Value>(e).ok()?["notice"]["type"].as_str().map(str::to_string))
        .collect();
    let missing: Vec<&&str> = hikeshi::domain::Effect::VARIANTS.iter().filter(|k| !kinds.contains(**k)).collect();
    assert!(missing.is_empty(), "effect kinds the canary never went through: {missing:?}");
    let missing: Vec<&&str> = hikeshi::domain::Notice::VARIANTS.iter().filter(|k| !notices.contains(**k)).collect();
    assert!(missing.is_empty(), "notices the canary never went through: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confidential_reporters_canary_reaches_only_those_the_state_lets_read_it() {
    let log = log_everything();
    let mut run = Run::new().await;
    let (a, c) = arrive(&run).await;
    respond(&run, &a, &c).await;
    assert!(run.slash(ids::CAROL, &a, "confidential", json!([])).await.contains("匿名"));
    drift(&mut run, &c).await;
    redact(&mut run, &c).await;
    alerts(&run).await;
    away(&mut run, &a).await;
    a_day_on(&run).await;
    drill(&run).await;
    requests(&run).await;
    lessons(&run, &c).await;
    // Four days on: the drill reminder nobody acknowledged is escalated,
    // the exception has ended, APPI's preliminary report is overdue.
    run.clock.set(Utc.with_ymd_and_hms(2026, 4, 6, 1, 0, 0).unwrap());
    run.app
        .wait_until("the drill reminder is escalated", |f| {
            f.messages(ids::COMMITTEE_CHANNEL).iter().any(|m| m["content"].as_str().unwrap_or("").contains("確認されていません"))
        })
        .await;
    run.app.settled().await;
    operate(&mut run, &c).await;
    coverage(&run.app).await;
    let outside = run.outside.received();
    assert!(outside.iter().all(|r| r.signed_ok == Some(true)), "what left Discord is signed");
    assert!(outside.iter().any(|r| r.body.contains("\"escalation\"")), "the escalation left Discord");
    assert!(outside.iter().any(|r| r.body.contains("incident.opened")), "the tools heard of the incidents");
    for r in outside {
        run.printed.push(("outside webhook".into(), r.body));
    }

    let rules = Rules::new();
    let mut seen = BTreeSet::new();
    let everything = Audience::new(&run.app.fake, &run.gone).everything();
    let mut leaks = rules.sent(&everything, run.redacted_at, &mut seen);
    leaks.extend(rules.printed(&run.printed));
    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    if let Some(path) = std::env::var_os("HIKESHI_CANARY_LOG") {
        std::fs::write(path, &log).unwrap();
    }
    for canary in identity().iter().map(String::as_str).chain(text_canaries()).chain([PII]) {
        // As text, and as the bytes of a request's body (`[67, 78, …]`).
        let bytes = canary.bytes().map(|b| b.to_string()).collect::<Vec<_>>().join(", ");
        if let Some(at) = log.find(canary).or_else(|| log.find(&bytes)) {
            let line = log[..at].rfind('\n').map_or(0, |n| n + 1);
            leaks.push(format!("{canary} in the log at debug level: {}", log[line..].lines().next().unwrap_or("")));
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
    // Not a test that cannot fail: each canary did reach those it may.
    for canary in identity().iter().map(String::as_str).chain(text_canaries()) {
        assert!(seen.contains(canary), "{canary} reached nobody: the story lost it");
    }
    run.app.assert_no_schema_violations();
}
