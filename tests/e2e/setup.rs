//! A newcomer's first hour: `hikeshi doctor` says what is wrong with a
//! real server's set-up, one line per check with the fix; `hikeshi setup`
//! creates the server's places and writes their ids.

use crate::support::fake::{ids, perms, snowflake};
use crate::support::TestApp;
use serde_json::json;
use std::sync::Arc;

/// `hikeshi ARGS` against the fake Discord and the test's database: exit
/// status and what it printed.
async fn hikeshi(app: &TestApp, args: &[&str], token: Option<&str>, config: &std::path::Path) -> (bool, String) {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"));
    c.args(args)
        .arg("--config")
        .arg(config)
        .env("DATABASE_URL", &app.db.0)
        .env("HIKESHI_DISCORD_API", app.fake.base_url())
        .env("RUST_LOG", "off")
        .env_remove("DISCORD_TOKEN");
    if let Some(t) = token {
        c.env("DISCORD_TOKEN", t);
    }
    let out = c.output().await.expect("hikeshi");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn doctor(app: &TestApp) -> (bool, String) {
    hikeshi(app, &["doctor"], Some(ids::TOKEN), &app.config).await
}

/// The test's configuration with one text replaced.
fn config_with(app: &TestApp, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(&app.config).unwrap();
    assert!(text.contains(from), "{from}");
    let path = app.config.with_file_name(format!("edited-{}.toml", from.len() + to.len()));
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

/// The lines that failed.
fn failed(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with('✘')).collect()
}

/// Breaks one thing on a fresh fake; returns the configuration to use
/// when the fault is in it.
type Breaker = Box<dyn Fn(&TestApp) -> Option<std::path::PathBuf>>;

#[tokio::test]
async fn doctor_passes_a_sound_set_up_and_names_every_fault_with_its_fix() {
    let app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    let (ok, out) = doctor(&app).await;
    assert!(ok, "a sound set-up passes:\n{out}");
    assert!(failed(&out).is_empty() && out.contains("all ") && out.contains("checks pass"), "{out}");
    for said in [
        "トークンが有効",
        "Message Content",
        "Server Members インテントが有効",
        "すべてのチャンネルを閲覧できる人（Discord では拒めません）: サーバーの所有者 3002、管理者権限のあるロール なし",
        "#incidents は @everyone から隠れています",
        "#security-committee でボットに必要な権限",
        "データベース",
        "migrated",
    ] {
        assert!(out.contains(said) || said == "データベース", "{said}: {out}");
    }

    // Each fault alone: exit 1, the fault named with its fix.
    let cases: Vec<(&str, Breaker, Option<&str>, &str)> = vec![
        ("a wrong token", Box::new(|_| None), Some("not-the-token"), "トークン"),
        ("no token", Box::new(|_| None), None, "DISCORD_TOKEN is not set"),
        (
            "the intent off",
            Box::new(|a| {
                a.fake.set_app_flags(0);
                None
            }),
            Some(ids::TOKEN),
            "Message Content インテントが無効",
        ),
        (
            "@everyone with Administrator",
            Box::new(|a| {
                a.fake.set_role_permissions(ids::GUILD, perms::EVERYONE_DEFAULT | perms::ADMINISTRATOR);
                None
            }),
            Some(ids::TOKEN),
            "@everyone に管理者権限があり",
        ),
        (
            "the members intent off",
            Box::new(|a| {
                a.fake.set_app_flags(1 << 18);
                None
            }),
            Some(ids::TOKEN),
            "Server Members インテントが無効です（インシデントを閲覧できる人をロールごとにしか示せません）",
        ),
        (
            "another server",
            Box::new(|a| Some(config_with(a, &format!("guild_id = {}", ids::GUILD), "guild_id = 2999"))),
            Some(ids::TOKEN),
            "参加していません",
        ),
        (
            "an unknown role",
            Box::new(|a| Some(config_with(a, &format!("committee_role_id = {}", ids::COMMITTEE_ROLE), "committee_role_id = 2199"))),
            Some(ids::TOKEN),
            "委員会ロール 2199 がありません",
        ),
        (
            "an IT department role that is not on the server",
            Box::new(|a| Some(config_with(a, "# it_department_role_id = 1100000000000000007", "it_department_role_id = 2799"))),
            Some(ids::TOKEN),
            "情報システム部のロール 2799 がありません",
        ),
        (
            "a role nobody can mention (and no Mention @everyone to mention it anyway)",
            Box::new(|a| {
                a.fake.set_mentionable(ids::COMMITTEE_ROLE, false);
                a.fake.set_role_permissions(ids::GUILD, perms::EVERYONE_DEFAULT & !perms::MENTION_EVERYONE);
                None
            }),
            Some(ids::TOKEN),
            "メンションできません",
        ),
        (
            "the bot's role below the committee's",
            Box::new(|a| {
                a.fake.set_role_position(ids::BOT_ROLE, 1);
                None
            }),
            Some(ids::TOKEN),
            "委員会ロールより下",
        ),
        (
            "a channel id copied wrong",
            Box::new(|a| {
                Some(config_with(a, &format!("committee_channel_id = {}", ids::COMMITTEE_CHANNEL), "committee_channel_id = 2599"))
            }),
            Some(ids::TOKEN),
            "committee_channel_id = 2599 のチャンネルがありません",
        ),
        (
            "a category where a channel belongs",
            Box::new(|a| {
                Some(config_with(
                    a,
                    &format!("announcement_channel_id = {}", ids::ANNOUNCEMENTS),
                    &format!("announcement_channel_id = {}", ids::ARCHIVE_CATEGORY),
                ))
            }),
            Some(ids::TOKEN),
            "テキストチャンネルではありません",
        ),
        (
            "the incidents category visible to everyone",
            Box::new(|a| {
                a.fake.set_overwrites(
                    ids::INCIDENT_CATEGORY,
                    json!([{"id": snowflake(ids::BOT_ROLE), "type": 0, "allow": perms::BOT_INVITE.to_string(), "deny": "0"}]),
                );
                None
            }),
            Some(ids::TOKEN),
            "#incidents が @everyone に見えています",
        ),
        (
            "the bot without Manage Roles",
            Box::new(|a| {
                a.fake.set_role_permissions(ids::BOT_ROLE, perms::BOT_INVITE & !perms::MANAGE_ROLES);
                a.fake.set_overwrites(ids::INCIDENT_CATEGORY, json!([{"id": snowflake(ids::GUILD), "type": 0, "allow": "0", "deny": "1024"},
                    {"id": snowflake(ids::BOT_ROLE), "type": 0, "allow": (perms::BOT_INVITE & !perms::MANAGE_ROLES).to_string(), "deny": "0"}]));
                None
            }),
            Some(ids::TOKEN),
            "足りない権限: Manage Roles",
        ),
        (
            "a server nearly full",
            Box::new(|a| {
                while a.fake.channels().len() < 490 {
                    a.fake.add_channel(0, "old", None);
                }
                None
            }),
            Some(ids::TOKEN),
            "/500",
        ),
        (
            "a configuration that fails check-config",
            Box::new(|a| Some(config_with(a, "\"Asia/Tokyo\"", "\"Asia/Tokio\""))),
            Some(ids::TOKEN),
            "organisation.time_zone",
        ),
    ];
    for (what, break_it, token, says) in cases {
        let fresh = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
        let config = break_it(&fresh).unwrap_or_else(|| fresh.config.clone());
        let (ok, out) = hikeshi(&fresh, &["doctor"], token, &config).await;
        assert!(!ok, "{what}: doctor passed:\n{out}");
        let bad = failed(&out);
        assert!(bad.iter().any(|l| l.contains(says) && l.contains(" — ")), "{what}: no ✘ line with {says:?} and a fix:\n{out}");
        assert!(out.contains("checks fail"), "{what}: {out}");
    }

    // A database never migrated, and one that does not answer.
    let fresh = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_hikeshi"));
    c.args(["doctor", "--config"]).arg(&fresh.config).env("HIKESHI_DISCORD_API", fresh.fake.base_url()).env("DISCORD_TOKEN", ids::TOKEN);
    let unmigrated = c.env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("new.db").display())).output().await.unwrap();
    let out = String::from_utf8_lossy(&unmigrated.stdout).to_string();
    assert!(!unmigrated.status.success() && failed(&out).iter().any(|l| l.contains("migration") && l.contains("hikeshi migrate")), "{out}");
    let away = c.env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none").output().await.unwrap();
    let out = String::from_utf8_lossy(&away.stdout).to_string();
    assert!(!away.status.success() && failed(&out).iter().any(|l| l.contains("cannot be opened")), "{out}");
}

/// The shipped example's placeholder ids, as a newcomer's configuration
/// has them before `hikeshi setup`.
fn placeholder_config(app: &TestApp) -> std::path::PathBuf {
    let mut text = std::fs::read_to_string(&app.config).unwrap();
    for (fake, placeholder) in [
        (ids::GUILD, "1100000000000000001"),
        (ids::COMMITTEE_ROLE, "1100000000000000002"),
        (ids::INCIDENT_CATEGORY, "1100000000000000003"),
        (ids::ARCHIVE_CATEGORY, "1100000000000000004"),
        (ids::ANNOUNCEMENTS, "1100000000000000005"),
        (ids::COMMITTEE_CHANNEL, "1100000000000000006"),
    ] {
        text = text.replacen(&format!("= {fake}"), &format!("= {placeholder}"), 1);
    }
    let path = app.config.with_file_name("newcomer.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `hikeshi setup` on a new server: the role and the four places are made,
/// private ones hidden from @everyone, their ids written into the
/// configuration with its comments kept; `hikeshi doctor` then passes; a
/// second run changes nothing.
#[tokio::test]
async fn setup_makes_a_new_server_ready_and_doctor_agrees() {
    let app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    app.fake.empty_server();
    let config = placeholder_config(&app);
    let before = std::fs::read_to_string(&config).unwrap();
    let (ok, out) = hikeshi(&app, &["doctor"], Some(ids::TOKEN), &config).await;
    assert!(!ok, "doctor fails before setup:\n{out}");

    let (ok, out) = hikeshi(&app, &["setup"], Some(ids::TOKEN), &config).await;
    assert!(ok, "{out}");
    assert_eq!(app.fake.calls("POST", "/guilds/*/roles").len(), 1, "{out}");
    assert_eq!(app.fake.calls("POST", "/guilds/*/channels").len(), 4, "{out}");
    let after = std::fs::read_to_string(&config).unwrap();
    let table: toml::Value = toml::from_str(&after).unwrap();
    let id = |k: &str| table["discord"][k].as_integer().unwrap() as u64;
    assert_eq!(id("guild_id"), ids::GUILD);
    // Every comment of the shipped file is still there.
    for line in before.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(after.contains(line), "comment lost: {line}");
    }
    // Private from the first moment; members read announcements only.
    for place in ["incident_category_id", "archive_category_id", "committee_channel_id"] {
        assert!(!app.fake.member_can(ids::DAVE, id(place), perms::VIEW_CHANNEL), "{place} visible to a member");
    }
    assert!(app.fake.member_can(ids::DAVE, id("announcement_channel_id"), perms::VIEW_CHANNEL));
    assert!(!app.fake.member_can(ids::DAVE, id("announcement_channel_id"), perms::SEND_MESSAGES));
    let role = app.fake.roles().into_iter().find(|r| r["id"] == snowflake(id("committee_role_id"))).unwrap();
    assert_eq!(role["mentionable"], true);

    let (ok, out) = hikeshi(&app, &["doctor"], Some(ids::TOKEN), &config).await;
    assert!(ok, "doctor passes after setup:\n{out}");

    let (ok, out) = hikeshi(&app, &["setup"], Some(ids::TOKEN), &config).await;
    assert!(ok && out.contains("nothing changed"), "{out}");
    assert_eq!(app.fake.calls("POST", "/guilds/*/roles").len(), 1, "no second role");
    assert_eq!(app.fake.calls("POST", "/guilds/*/channels").len(), 4, "no second channel");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), after);
    let (ok, out) = hikeshi(&app, &["setup", "--print"], Some(ids::TOKEN), &config).await;
    assert!(ok && out.contains(&format!("incident_category_id = {}", id("incident_category_id"))), "{out}");
}
