//! A bundle written and checked: intact, then one byte changed at a time
//! in an event, a message, an entry, a file and the seal, each named.

use super::*;
use crate::domain::event::{chain_hash, digest, digest_bytes, GENESIS_HASH};
use crate::domain::log_entry::{LogEntry, LogKind};
use crate::domain::transcript::{TranscriptLine, TranscriptMessage};
use crate::domain::{ChannelId, IncidentId, MessageId, UserId};
use chrono::{TimeZone, Utc};

fn event(prev: &str, seq: i64, actor: &str, at: i64, payload: &EventPayloadJson) -> EventRecord {
    let (kind, payload) = (payload.0.to_string(), payload.1.clone());
    let hash = chain_hash(prev, seq, Some(1), actor, at, &kind, &payload);
    EventRecord { seq, incident: Some(1), actor: actor.into(), at_ms: at, kind, payload, prev_hash: prev.into(), hash }
}

struct EventPayloadJson(&'static str, String);

fn write(dir: &std::path::Path, key: &ed25519_dalek::SigningKey) -> Seal {
    let at = 1_700_000_000_000;
    let text = "ファイルサーバが暗号化されました";
    let file: &[u8] = b"ransom note";
    let payloads = [
        EventPayloadJson(
            "transcript_recorded",
            format!(r#"{{"type":"transcript_recorded","message":9,"version":1,"digest":"{}"}}"#, digest(text)),
        ),
        EventPayloadJson(
            "attachment_kept",
            format!(
                r#"{{"type":"attachment_kept","message":9,"attachment":77,"name":"note.txt","size":11,"digest":"{}"}}"#,
                digest_bytes(file)
            ),
        ),
        EventPayloadJson(
            "log_entry_added",
            format!(r#"{{"type":"log_entry_added","entry_id":5,"kind":"status","digest":"{}"}}"#, digest("止まった")),
        ),
    ];
    let mut w = BundleWriter::create(dir).unwrap();
    let mut prev = GENESIS_HASH.to_string();
    for (n, p) in payloads.iter().enumerate() {
        // Another incident's event between: the bundle does not carry it.
        let e = event(&prev, 2 * n as i64 + 2, "user:7", at, p);
        w.event(&e).unwrap();
        prev = e.hash;
    }
    let msg = TranscriptMessage {
        message: MessageId(9),
        channel: ChannelId(3),
        author: UserId(7),
        author_name: "alice".into(),
        author_bot: false,
        at: Utc.timestamp_millis_opt(at).unwrap(),
        content: text.into(),
        attachments: vec![],
        reply_to: None,
    };
    w.line(&TranscriptLine { version: 1, msg, deleted_at: None }).unwrap();
    let entry = LogEntry {
        id: 5,
        incident: IncidentId(1),
        kind: LogKind::Status,
        body: "止まった".into(),
        author: UserId(7),
        at: Utc.timestamp_millis_opt(at).unwrap(),
    };
    let files = [(crate::domain::transcript::evidence_file(77, "note.txt"), file)];
    w.finish("INC-2026-0001", &[entry], &files, (6, prev), key).unwrap()
}

fn flip(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_intact_bundle_passes_and_each_alteration_is_named() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = crate::signing::public_hex(&key);
    let fresh = || {
        let dir = tempfile::tempdir().unwrap();
        let seal = write(dir.path(), &key);
        (dir, seal)
    };
    let (dir, seal) = fresh();
    assert_eq!(seal.events, 3);
    let ok = check(dir.path(), Some(&public)).unwrap();
    assert!(ok.altered.is_empty(), "{:?}", ok.altered);
    assert!(BundleWriter::create(dir.path()).is_err(), "a bundle is not written over");

    let cases: [(&str, &str, &str, &str); 5] = [
        (EVENTS, "\"at\":1700000000000", "\"at\":1700000000001", "event 2 (transcript_recorded) was altered"),
        (TRANSCRIPT, "\"author\":7", "\"author\":8", "transcript message 9 version 1 was altered (its author)"),
        (ENTRIES, "止まった", "動いていた", "§4.3 entry 5 was altered"),
        ("files/77-note.txt", "ransom", "Ransom", "files/77-note.txt was altered"),
        (SEAL, "\"head_seq\": 6", "\"head_seq\": 7", "the signature does not match"),
    ];
    for (file, from, to, named) in cases {
        let (dir, _) = fresh();
        flip(&dir.path().join(file), from, to);
        let found = check(dir.path(), Some(&public)).unwrap().altered;
        assert!(found.iter().any(|f| f.contains(named)), "{file}: {found:?}");
    }
    // An event taken out: the seal's digest no longer matches.
    let (dir, _) = fresh();
    let events = std::fs::read_to_string(dir.path().join(EVENTS)).unwrap();
    let fewer: Vec<&str> = events.lines().skip(1).collect();
    std::fs::write(dir.path().join(EVENTS), fewer.join("\n") + "\n").unwrap();
    let found = check(dir.path(), Some(&public)).unwrap().altered;
    assert!(found.iter().any(|f| f.contains("added, removed or reordered")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("no event records it")), "{found:?}");
    // Another deployment's key.
    let (dir, _) = fresh();
    let found = check(dir.path(), Some(&"00".repeat(32))).unwrap().altered;
    assert!(found.iter().any(|f| f.contains("signed by another key")), "{found:?}");
}
