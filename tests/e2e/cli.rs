//! The command line, as an administrator uses it.

use std::process::Command;

fn hikeshi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hikeshi"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("DISCORD_TOKEN").env_remove("HIKESHI_CONFIG").env_remove("DATABASE_URL").env_remove("HIKESHI_DISCORD_API");
    c
}

#[test]
fn check_config_passes_on_the_shipped_configuration_with_a_summary() {
    let out = hikeshi().arg("check-config").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("priority 3: 2"), "{stdout}");
    assert!(stdout.contains("breach: 5"), "{stdout}");
}

#[test]
fn check_config_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml")).unwrap();
    let broken = shipped
        .replace("\"Asia/Tokyo\"", "\"Asia/Tokio\"")
        .replace("recovery_priority = 0", "recovery_priority = 7")
        .replace("dir = \"playbooks\"", &format!("dir = {:?}", concat!(env!("CARGO_MANIFEST_DIR"), "/config/playbooks")));
    let broken = broken.replace("\"regulation/", concat!("\"", env!("CARGO_MANIFEST_DIR"), "/config/regulation/"));
    let path = dir.path().join("hikeshi.toml");
    std::fs::write(&path, broken).unwrap();
    let out = hikeshi().arg("check-config").arg("--config").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("2 problem(s)"), "{stderr}");
    assert!(stderr.contains("organisation.time_zone") && stderr.contains("Asia/Tokio"), "{stderr}");
    assert!(stderr.contains("recovery_priority") && stderr.contains("fix:"), "{stderr}");
}

#[test]
fn run_without_a_token_says_what_to_set_and_where_to_get_it() {
    let out = hikeshi().arg("run").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("DISCORD_TOKEN") && lines[0].contains("discord.com/developers"), "{stderr}");
}

#[test]
fn verify_passes_on_a_fresh_database_and_reports_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("h.db").display());
    let out = hikeshi().arg("verify").env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact: 0 events"));

    // Record one incident through the library, then edit its event by hand.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = hikeshi::store::Store::connect(&hikeshi::config::DatabaseUrl(url.clone())).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let at = chrono::Utc::now();
        tx.append(None, hikeshi::domain::Actor::System, at, &hikeshi::domain::EventPayload::Dismissed { reason: "original".into() })
            .await
            .unwrap();
        tx.append(None, hikeshi::domain::Actor::System, at, &hikeshi::domain::EventPayload::Dismissed { reason: "second".into() })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        sqlx::query("UPDATE events SET payload = REPLACE(payload, 'original', 'forged') WHERE seq = 1")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let out = hikeshi().arg("verify").env("DATABASE_URL", &url).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("BROKEN") && stdout.contains("event 1") && stdout.contains("edited"), "{stdout}");
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/sub/h.db");
    let out = hikeshi().arg("migrate").env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display())).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(db.exists());
}

#[test]
fn a_variable_that_does_not_parse_stops_the_start_and_help_lists_them_all() {
    let out = hikeshi().arg("run").env("HIKESHI_OUTBOX_LEASE_SECONDS", "abc").env("DISCORD_TOKEN", "x").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("HIKESHI_OUTBOX_LEASE_SECONDS=abc") && stderr.contains("fix:"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "nothing started: {stderr}");

    let out = hikeshi().arg("--help").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for v in hikeshi::config::env::VARIABLES {
        assert!(stdout.lines().any(|l| l.contains(v.name) && l.contains(&format!("[{}]", v.default))), "{}: {stdout}", v.name);
    }
}
