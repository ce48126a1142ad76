//! The hash chain of events (§4.4(4) "keep the records"): each event's hash
//! covers the one before it, so an edited, deleted or re-linked event is
//! found by walking the chain.

use super::{EventRecord, GENESIS_HASH};
use sha2::{Digest, Sha256};

/// SHA-256 over the previous hash and every field of the event, each field
/// length-prefixed so that no two different events hash alike by shifting
/// bytes between fields.
pub fn chain_hash(prev_hash: &str, seq: i64, incident: Option<i64>, actor: &str, at_ms: i64, kind: &str, payload: &str) -> String {
    let hex = to_hex(&chain_digest(prev_hash, seq, incident, actor, at_ms, kind, payload));
    hex.iter().map(|&b| char::from(b)).collect()
}

/// The same, as 32 bytes. Numbers are written in decimal on the stack:
/// `verify` hashes two million events at a time.
fn chain_digest(prev_hash: &str, seq: i64, incident: Option<i64>, actor: &str, at_ms: i64, kind: &str, payload: &str) -> [u8; 32] {
    use std::io::Write as _;
    let mut numbers = [[0u8; 20]; 3];
    let mut written = [0usize; 3];
    for (k, n) in [Some(seq), incident, Some(at_ms)].into_iter().enumerate() {
        if let Some(n) = n {
            let mut out = &mut numbers[k][..];
            // Twenty digits hold any i64: writing cannot fail.
            let _ = write!(out, "{n}");
            written[k] = 20 - out.len();
        }
    }
    let text = |k: usize| &numbers[k][..written[k]];
    let mut h = Sha256::new();
    for field in [prev_hash.as_bytes(), text(0), text(1), actor.as_bytes(), text(2), kind.as_bytes(), payload.as_bytes()] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    h.finalize().into()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A digest as 64 lowercase hex digits.
pub fn to_hex(d: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (k, b) in d.iter().enumerate() {
        out[2 * k] = HEX[usize::from(b >> 4)];
        out[2 * k + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}

/// 64 hex digits (either case) as the 32 bytes they write; `None` for
/// anything else.
pub fn from_hex(text: &str) -> Option<[u8; 32]> {
    // Each byte's value as a digit, 16 for a byte that is none.
    const VALUE: [u8; 256] = {
        let mut t = [16u8; 256];
        let mut c = 0;
        while c < 10 {
            t[b'0' as usize + c] = c as u8;
            c += 1;
        }
        let mut c = 0;
        while c < 6 {
            t[b'a' as usize + c] = 10 + c as u8;
            t[b'A' as usize + c] = 10 + c as u8;
            c += 1;
        }
        t
    };
    let text: &[u8; 64] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (k, o) in out.iter_mut().enumerate() {
        let (hi, lo) = (VALUE[usize::from(text[2 * k])], VALUE[usize::from(text[2 * k + 1])]);
        bad |= (hi | lo) & 16;
        *o = hi << 4 | lo;
    }
    (bad == 0).then_some(out)
}

/// Where the chain is broken, if it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("event {seq}: its content does not match its hash (the record was edited)")]
    Edited { seq: i64 },
    #[error("event {seq}: it does not follow event {prev} (an event between them was deleted or the chain was re-linked)")]
    Unlinked { seq: i64, prev: i64 },
    #[error("event {seq}: expected sequence number {expected} (events are missing)")]
    Gap { seq: i64, expected: i64 },
    #[error("the chain ends at event {last} but the head records {head} (the newest events were deleted)")]
    Truncated { last: i64, head: i64 },
    #[error("{0}: its text does not match the digest its event recorded (the record was edited)")]
    RecordEdited(String),
    #[error("{0}: recorded by an event but no longer stored (the record was deleted)")]
    RecordMissing(String),
}

/// Checks events in sequence order; `head` is the (seq, hash) the store
/// recorded for the newest event.
pub fn verify_chain<'a>(events: impl IntoIterator<Item = &'a EventRecord>, head: (i64, &str)) -> Result<i64, ChainBreak> {
    let mut walk = ChainWalk::from_genesis();
    for e in events {
        walk.step(e)?;
    }
    walk.finish(head)
}

/// The chain walked one event at a time, so that a record of any length
/// is checked in constant memory (§4.4(4): records are kept for years).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainWalk {
    prev_seq: i64,
    prev_hash: String,
}

impl ChainWalk {
    /// From the first event.
    pub fn from_genesis() -> ChainWalk {
        ChainWalk::after(0, GENESIS_HASH)
    }

    /// From the event after `seq`, whose hash is `hash` (a checkpoint of
    /// an earlier verification: only what is new is read).
    pub fn after(seq: i64, hash: &str) -> ChainWalk {
        ChainWalk { prev_seq: seq, prev_hash: hash.to_string() }
    }

    /// The next event: it follows the last one and its hash is its own.
    pub fn step(&mut self, e: &EventRecord) -> Result<(), ChainBreak> {
        if e.seq != self.prev_seq + 1 {
            return Err(ChainBreak::Gap { seq: e.seq, expected: self.prev_seq + 1 });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: e.seq, prev: self.prev_seq });
        }
        let h = chain_digest(&e.prev_hash, e.seq, e.incident, &e.actor, e.at_ms, &e.kind, &e.payload);
        if to_hex(&h) != e.hash.as_bytes() {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        // The hash is the one just checked: kept without a new allocation.
        self.prev_hash.clear();
        self.prev_hash.push_str(&e.hash);
        self.prev_seq = e.seq;
        Ok(())
    }

    /// The walk ended where the head says the chain ends; the number of
    /// the last event.
    pub fn finish(self, head: (i64, &str)) -> Result<i64, ChainBreak> {
        if self.prev_seq != head.0 || self.prev_hash != head.1 {
            return Err(ChainBreak::Truncated { last: self.prev_seq, head: head.0 });
        }
        Ok(self.prev_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::{chain_hash, from_hex, to_hex};
    use sha2::{Digest, Sha256};

    /// Digests go to hex and back as `hex` writes and reads them; anything
    /// but 64 hex digits is no digest.
    #[test]
    fn a_digest_is_written_in_hex_and_read_back() {
        let d: [u8; 32] = Sha256::digest(b"hikeshi").into();
        assert_eq!(std::str::from_utf8(&to_hex(&d)).unwrap(), hex::encode(d));
        assert_eq!(from_hex(&hex::encode(d)), Some(d));
        assert_eq!(from_hex(&hex::encode(d).to_uppercase()), Some(d));
        let all: [u8; 32] = std::array::from_fn(|k| (k * 8 + 7) as u8);
        assert_eq!(from_hex(&hex::encode(all)), Some(all));
        assert_eq!(from_hex(&"f".repeat(63)), None);
        assert_eq!(from_hex(&"f".repeat(65)), None);
        for bad in ["g", "G", " ", "/", ":", "@", "`"] {
            let text = format!("{}{bad}", "0".repeat(63));
            assert_eq!(from_hex(&text), None, "{bad:?}");
        }
    }

    /// The chain hash is SHA-256 over each field prefixed by its length,
    /// numbers in decimal (as stored hashes were made; negative and absent
    /// values included).
    #[test]
    fn the_chain_hash_covers_each_field_by_its_length() {
        let mut h = Sha256::new();
        for field in ["prev", "-12", "", "user:1", "1700000000000", "kind", "{}"] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        assert_eq!(chain_hash("prev", -12, None, "user:1", 1_700_000_000_000, "kind", "{}"), hex::encode(h.finalize()));
        let max = chain_hash("p", i64::MAX, Some(i64::MIN), "a", 0, "k", "x");
        let mut h = Sha256::new();
        for field in ["p", &i64::MAX.to_string(), &i64::MIN.to_string(), "a", "0", "k", "x"] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        assert_eq!(max, hex::encode(h.finalize()));
    }
}
