//! Checking a bundle with nothing but the bundle: every event's hash, the
//! seal's digest of them and its signature, each message's rows, §4.3
//! entries and files against what the events vouch for.

use super::{EntryRow, EventLine, Seal, TranscriptRow, ENTRIES, EVENTS, SEAL, TRANSCRIPT};
use crate::domain::event::vouch::{self, VouchedLine, Vouches};
use crate::domain::event::{chain_hash, digest, digest_bytes, EventPayload};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::Path;

/// What a check found: the seal (when it could be read) and each thing
/// altered or missing, in words. Intact when `altered` is empty.
#[derive(Debug)]
pub struct Checked {
    pub seal: Option<Seal>,
    pub altered: Vec<String>,
}

/// Checks the bundle in `dir`; `key`: the public key it must be signed
/// with (`hikeshi key` of the deployment), when the reader has it.
pub fn check(dir: &Path, key: Option<&str>) -> std::io::Result<Checked> {
    let mut altered = vec![];
    let seal: Option<Seal> = match std::fs::read(dir.join(SEAL)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| altered.push(format!("{SEAL} cannot be read"))).ok(),
        Err(_) => {
            altered.push(format!("{SEAL} is missing"));
            None
        }
    };
    if let Some(seal) = &seal {
        altered.extend(signature(seal, key));
    }
    let (vouched, count, events_digest) = events(dir, &mut altered)?;
    if let Some(seal) = &seal {
        if seal.events != count || seal.events_digest != events_digest {
            altered.push(format!("{EVENTS}: events were added, removed or reordered since the bundle was sealed"));
        }
    }
    transcript(dir, &vouched, &mut altered)?;
    entries(dir, &vouched, &mut altered)?;
    for (id, name, d) in vouched.files.iter().filter(|f| !vouched.file_redacted(f.0)) {
        let file = crate::domain::transcript::evidence_file(*id, name);
        match std::fs::read(dir.join(&file)) {
            Ok(bytes) if digest_bytes(&bytes) == *d => {}
            Ok(_) => altered.push(format!("{file} was altered")),
            Err(_) => altered.push(format!("{file} is missing")),
        }
    }
    Ok(Checked { seal, altered })
}

/// The seal's signature over what it says, by the key it names (and by
/// `key`, when given).
fn signature(seal: &Seal, key: Option<&str>) -> Vec<String> {
    let mut out = vec![];
    if key.is_some_and(|k| !k.eq_ignore_ascii_case(&seal.public_key)) {
        out.push(format!("{SEAL}: signed by another key ({}) than the deployment's", seal.public_key));
    }
    let public: Option<VerifyingKey> =
        hex::decode(&seal.public_key).ok().and_then(|b| b.try_into().ok()).and_then(|b: [u8; 32]| VerifyingKey::from_bytes(&b).ok());
    let signature: Option<Signature> =
        hex::decode(&seal.signature).ok().and_then(|b| b.try_into().ok()).map(|b: [u8; 64]| Signature::from_bytes(&b));
    match (public, signature) {
        (Some(k), Some(s)) if k.verify(seal.message().as_bytes(), &s).is_ok() => {}
        _ => out.push(format!("{SEAL}: the signature does not match what the seal says (the seal was altered, or another key signed it)")),
    }
    out
}

fn lines<T: serde::de::DeserializeOwned>(path: &Path, altered: &mut Vec<String>, mut each: impl FnMut(T)) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => {
            altered.push(format!("{name} is missing"));
            return Ok(());
        }
    };
    for (n, text) in std::io::BufReader::new(file).lines().enumerate() {
        match serde_json::from_str(&text?) {
            Ok(v) => each(v),
            Err(_) => altered.push(format!("{name} line {} cannot be read", n + 1)),
        }
    }
    Ok(())
}

/// Every event's hash against its fields; what they vouch for; their
/// count and the digest of their hashes.
fn events(dir: &Path, altered: &mut Vec<String>) -> std::io::Result<(Vouches, u64, String)> {
    let (mut v, mut count, mut hashes) = (Vouches::default(), 0u64, Sha256::new());
    let mut found = vec![];
    lines(&dir.join(EVENTS), altered, |e: EventLine| {
        count += 1;
        hashes.update(e.hash.as_bytes());
        hashes.update(b"\n");
        if chain_hash(&e.prev_hash, e.seq, e.incident, &e.actor, e.at, &e.kind, &e.payload) != e.hash {
            found.push(format!("event {} ({}) was altered", e.seq, e.kind));
        }
        match serde_json::from_str::<EventPayload>(&e.payload) {
            Ok(payload) => v.event(&e.actor, e.at, &payload),
            Err(_) => found.push(format!("event {} ({}) cannot be read", e.seq, e.kind)),
        }
    })?;
    altered.extend(found);
    v.settle();
    Ok((v, count, hex::encode(hashes.finalize())))
}

/// Each message's rows against their events; the vouched ones missing.
fn transcript(dir: &Path, v: &Vouches, altered: &mut Vec<String>) -> std::io::Result<()> {
    let mut seen = vec![];
    let mut found = vec![];
    lines(&dir.join(TRANSCRIPT), altered, |r: TranscriptRow| {
        let key = (r.message, r.version);
        let line = v.lines.binary_search_by_key(&key, VouchedLine::key).ok().map(|i| &v.lines[i]);
        let row = vouch::Row {
            message: r.message,
            version: r.version,
            author: r.author,
            at: r.at,
            deleted_at: r.deleted_at,
            content: &r.content,
        };
        if let Some(what) = vouch::wrong(v.said(line, key), &row, true) {
            found.push(format!("transcript message {} version {} was altered ({what})", r.message, r.version));
        }
        seen.push(key);
    })?;
    altered.extend(found);
    seen.sort_unstable();
    for l in v.lines.iter().filter(|l| seen.binary_search(&l.key()).is_err()) {
        altered.push(format!("transcript message {} version {} is missing", l.message, l.version));
    }
    Ok(())
}

fn entries(dir: &Path, v: &Vouches, altered: &mut Vec<String>) -> std::io::Result<()> {
    let mut rows = std::collections::HashMap::new();
    lines(&dir.join(ENTRIES), altered, |e: EntryRow| {
        rows.insert(e.id, e.body);
    })?;
    for (id, d) in &v.entries {
        match rows.get(id) {
            Some(body) if digest(body) == *d => {}
            Some(_) => altered.push(format!("§4.3 entry {id} was altered")),
            None => altered.push(format!("§4.3 entry {id} is missing")),
        }
    }
    Ok(())
}
