//! Databases written by earlier versions keep working: incident states,
//! events and outbox rows as the first released version wrote them (the
//! golden files under `tests/fixtures/golden/`, taken from the end-to-end
//! stories' databases) are read back by today's code, on both backends.
//! Migrations add; they never rewrite what is stored.

use super::testing::{fresh_postgres, fresh_sqlite, skipped_postgres};
use super::Store;
use crate::domain::{Effect, EventPayload, Incident};
use serde_json::Value;

fn golden(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("golden JSON")
}

async fn golden_rows_decode(store: Store) {
    // Incidents: the stored state column, read through the store.
    let states = golden("incidents.json");
    assert!(states.len() >= 10, "the fixture holds the shapes of a whole lifecycle");
    for (n, state) in states.iter().enumerate() {
        let id = n as i64 + 1;
        sqlx::query(
            "INSERT INTO incidents (id, number, drill, phase, category, reporter_id, reported_at, state, updated_at) \
             VALUES ($1, $2, 0, $3, $4, 1, 0, $5, 0)",
        )
        .bind(id)
        .bind(format!("OLD-{id}"))
        .bind(state["phase"].as_str().unwrap_or("reported"))
        .bind(state["category"].as_str().unwrap_or("unsure"))
        .bind(state.to_string())
        .execute(store.pool())
        .await
        .unwrap();
        let read: Incident = store.incident(crate::domain::IncidentId(id)).await.unwrap().expect("stored");
        // Nothing the old version wrote is dropped when written again.
        let again = serde_json::to_value(&read).unwrap();
        for (k, v) in state.as_object().unwrap() {
            assert_eq!(&again[k], v, "incident field {k} changed meaning");
        }
    }

    // Events: each kind decodes to the payload of that kind, and today's
    // writer produces the same JSON.
    let events = golden("events.json");
    let mut kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    kinds.dedup();
    assert_eq!(kinds.len(), 31, "one example of every event kind");
    for e in &events {
        let payload: EventPayload = serde_json::from_value(e["payload"].clone()).unwrap_or_else(|err| panic!("{e}: {err}"));
        assert_eq!(payload.kind(), e["kind"].as_str().unwrap());
        assert_eq!(serde_json::to_value(&payload).unwrap(), e["payload"], "event {} re-encodes differently", e["kind"]);
    }

    // Outbox rows: claimed and decoded by the store as the worker does.
    let effects = golden("outbox.json");
    for o in &effects {
        sqlx::query("INSERT INTO outbox (incident_id, kind, effect, not_before, created_at) VALUES (NULL, $1, $2, 0, 0)")
            .bind(o["kind"].as_str().unwrap())
            .bind(o["effect"].to_string())
            .execute(store.pool())
            .await
            .unwrap();
    }
    let now = chrono::Utc::now();
    let claimed = store.claim("golden", now, chrono::Duration::seconds(30), 1000).await.unwrap();
    assert_eq!(claimed.unreadable, vec![], "every stored effect decodes");
    assert_eq!(claimed.items.len(), effects.len(), "every stored effect decodes");
    for (item, o) in claimed.items.iter().zip(&effects) {
        let e: &Effect = &item.effect;
        assert_eq!(e.kind(), o["kind"].as_str().unwrap());
        assert_eq!(serde_json::to_value(e).unwrap(), o["effect"]);
    }
}

#[tokio::test]
async fn golden_rows_of_the_first_version_decode_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    golden_rows_decode(fresh_sqlite(dir.path()).await.unwrap()).await;
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn golden_rows_of_the_first_version_decode_on_postgres() {
    match fresh_postgres().await.unwrap() {
        Some(store) => golden_rows_decode(store).await,
        None => skipped_postgres("golden_rows_of_the_first_version_decode_on_postgres"),
    }
}

/// The two migration trees describe one schema: the same files, and in
/// each the same tables with the same columns (types differ only where
/// the backends do: identity columns).
#[test]
fn sqlite_and_postgresql_migrations_stay_in_step() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let list = |b: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(root.join(b)).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    assert_eq!(sqlite, postgres, "a migration exists for one backend only");
    for file in &sqlite {
        let shape = |b: &str| schema_shape(&std::fs::read_to_string(root.join(b).join(file)).unwrap());
        assert_eq!(shape("sqlite"), shape("postgres"), "{file}: the backends' tables or columns differ");
    }
}

/// `(table, column names)` of each CREATE TABLE / ALTER TABLE … ADD COLUMN,
/// and the names of indexes, in order.
fn schema_shape(sql: &str) -> Vec<String> {
    let sql: String = sql.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut out = vec![];
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let words: Vec<&str> = stmt.split_whitespace().collect();
        let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
        if upper.starts_with(&["CREATE".into(), "TABLE".into()]) {
            let name = words[2].trim_end_matches('(');
            let body = &stmt[stmt.find('(').unwrap() + 1..stmt.rfind(')').unwrap()];
            let mut depth = 0;
            let mut cols = vec![];
            let mut current = String::new();
            for ch in body.chars() {
                match ch {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => {
                        cols.push(std::mem::take(&mut current));
                        continue;
                    }
                    _ => {}
                }
                current.push(ch);
            }
            cols.push(current);
            let names: Vec<String> = cols
                .iter()
                .filter_map(|c| c.split_whitespace().next())
                .filter(|w| !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"].contains(&w.to_ascii_uppercase().as_str()))
                .map(str::to_ascii_lowercase)
                .collect();
            out.push(format!("table {name}: {}", names.join(", ")));
        } else if upper.len() > 5 && upper[0] == "ALTER" && upper[1] == "TABLE" && upper[3] == "ADD" {
            let col = if upper[4] == "COLUMN" { words[5] } else { words[4] };
            out.push(format!("alter {}: add {}", words[2], col.to_ascii_lowercase()));
        } else if upper[0] == "CREATE" && upper.iter().any(|w| w == "INDEX") {
            let i = upper.iter().position(|w| w == "INDEX").unwrap();
            out.push(format!("index {}", words.get(i + 1).copied().unwrap_or("?")));
        } else if upper[0] == "INSERT" {
            out.push(format!("insert {}", words.get(2).copied().unwrap_or("?")));
        }
    }
    out
}
