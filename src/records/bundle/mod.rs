//! A record that proves itself (issue 25): `hikeshi export NUMBER --bundle
//! DIR/` writes one incident's events with their hashes and chain links,
//! its transcript, its §4.3 entries and the files kept as evidence, and a
//! seal — the digest of the events' hashes and the chain's head, signed
//! with the deployment's Ed25519 key. `hikeshi verify --bundle DIR/` checks
//! it with neither database nor configuration, and names what was altered.
//!
//! The chain interleaves every incident's events, so a bundle cannot carry
//! the links between its own (the events between them are other
//! incidents', not the reader's to see): each event's hash is checked
//! against its fields and the previous hash it names, and the seal's
//! signed digest fixes which events, in which order, the bundle holds.

mod check;
mod write;

pub use check::check;
pub use write::BundleWriter;

use crate::domain::event::EventRecord;
use serde::{Deserialize, Serialize};

/// The format's name, first in what is signed.
pub const FORMAT: &str = "hikeshi-bundle-1";

/// The files of a bundle.
pub const SEAL: &str = "seal.json";
pub const EVENTS: &str = "events.jsonl";
pub const TRANSCRIPT: &str = "transcript.jsonl";
pub const ENTRIES: &str = "entries.jsonl";

/// What the deployment signs: which events the bundle holds (the digest of
/// their hashes, in order) and where the chain stood when it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    pub format: String,
    pub incident: String,
    pub events: u64,
    pub events_digest: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub public_key: String,
    pub signature: String,
}

impl Seal {
    /// The exact bytes signed.
    pub fn message(&self) -> String {
        let Seal { format, incident, events, events_digest, head_seq, head_hash, .. } = self;
        format!("{format}\n{incident}\n{events}\n{events_digest}\n{head_seq}:{head_hash}\n")
    }
}

/// One event, one line of `events.jsonl`: every field its hash covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EventLine {
    seq: i64,
    incident: Option<i64>,
    actor: String,
    at: i64,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl From<&EventRecord> for EventLine {
    fn from(e: &EventRecord) -> Self {
        EventLine {
            seq: e.seq,
            incident: e.incident,
            actor: e.actor.clone(),
            at: e.at_ms,
            kind: e.kind.clone(),
            payload: e.payload.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// One stored version of a message, one line of `transcript.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TranscriptRow {
    message: i64,
    version: i64,
    channel: i64,
    author: i64,
    author_name: String,
    at: i64,
    content: String,
    attachments: Vec<(String, String)>,
    deleted_at: Option<i64>,
}

/// One §4.3 entry, one line of `entries.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EntryRow {
    id: i64,
    kind: String,
    author: i64,
    at: i64,
    body: String,
}

#[cfg(test)]
mod tests;
