//! Who caused an event, the stored record the hash covers, and the
//! digests by which an event vouches for content kept beside the chain.

use super::super::ids::UserId;
use super::EventPayload;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Who caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    User(UserId),
    /// hikeshi itself (a delivered side effect, a reminder, …).
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(u) => write!(f, "user:{u}"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// SHA-256 of bytes, hex (a file kept as evidence).
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a text, hex: lets an event vouch for content stored elsewhere.
pub fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The hash of the chain before the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one stored event that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: i64,
    pub incident: Option<i64>,
    pub actor: String,
    pub at_ms: i64,
    pub kind: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRecord {
    /// The payload as the typed event it records.
    pub fn payload(&self) -> Result<EventPayload, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }
}
