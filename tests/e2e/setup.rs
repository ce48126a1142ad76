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

#[tokio::test]
async fn doctor_passes_a_sound_set_up_and_names_every_fault_with_its_fix() {
    let app = TestApp::without_bot(Arc::new(hikeshi::clock::SystemClock), |c| c).await;
    let (ok, out) = doctor(&app).await;
    assert!(ok, "a sound set-up passes:\n{out}");
    assert!(failed(&out).is_empty() && out.contains("all ") && out.contains("checks pass"), "{out}");
    for said in ["トークンが有効", "Message Content", "#incidents は @everyone から隠れています", "#security-committee でボットに必要な権限", "データベース", "migrated"] {
        assert!(out.contains(said) || said == "データベース", "{said}: {out}");
    }

    // Each fault alone: exit 1, the fault named with its fix.
    let cases: Vec<(&str, Box<dyn Fn(&TestApp) -> Option<std::path::PathBuf>>, Option<&str>, &str)> = vec![
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
            "a channel id copied wrong",
            Box::new(|a| Some(config_with(a, &format!("committee_channel_id = {}", ids::COMMITTEE_CHANNEL), "committee_channel_id = 2599"))),
            Some(ids::TOKEN),
            "committee_channel_id = 2599 のチャンネルがありません",
        ),
        (
            "a category where a channel belongs",
            Box::new(|a| {
                Some(config_with(a, &format!("announcement_channel_id = {}", ids::ANNOUNCEMENTS), &format!("announcement_channel_id = {}", ids::ARCHIVE_CATEGORY)))
            }),
            Some(ids::TOKEN),
            "テキストチャンネルではありません",
        ),
        (
            "the incidents category visible to everyone",
            Box::new(|a| {
                a.fake.set_overwrites(ids::INCIDENT_CATEGORY, json!([{"id": snowflake(ids::BOT_ROLE), "type": 0, "allow": perms::BOT_INVITE.to_string(), "deny": "0"}]));
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
