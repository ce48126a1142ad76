//! Writing a bundle: events and transcript lines as they are read (flat
//! memory at any size), then the entries, the files and the seal.

use super::{EntryRow, EventLine, Seal, TranscriptRow, ENTRIES, EVENTS, FORMAT, SEAL, TRANSCRIPT};
use crate::domain::event::EventRecord;
use crate::domain::log_entry::LogEntry;
use crate::domain::transcript::TranscriptLine;
use crate::records::export::Record;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct BundleWriter {
    dir: PathBuf,
    events: BufWriter<File>,
    transcript: BufWriter<File>,
    hashes: Sha256,
    count: u64,
}

fn create(path: &Path) -> io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(1 << 16, File::create(path)?))
}

fn line(out: &mut impl Write, v: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

impl BundleWriter {
    /// A new bundle in `dir` (made if needed); one already there is not
    /// overwritten.
    pub fn create(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir.join("files"))?;
        if dir.join(SEAL).exists() {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already holds a bundle", dir.display())));
        }
        Ok(BundleWriter {
            dir: dir.to_path_buf(),
            events: create(&dir.join(EVENTS))?,
            transcript: create(&dir.join(TRANSCRIPT))?,
            hashes: Sha256::new(),
            count: 0,
        })
    }

    pub fn event(&mut self, e: &EventRecord) -> io::Result<()> {
        self.hashes.update(e.hash.as_bytes());
        self.hashes.update(b"\n");
        self.count += 1;
        line(&mut self.events, &EventLine::from(e))
    }

    pub fn line(&mut self, l: &TranscriptLine) -> io::Result<()> {
        let m = &l.msg;
        let row = TranscriptRow {
            message: m.message.as_i64(),
            version: l.version,
            channel: m.channel.as_i64(),
            author: m.author.as_i64(),
            author_name: m.author_name.clone(),
            at: m.at.timestamp_millis(),
            content: m.content.clone(),
            attachments: m.attachments.clone(),
            deleted_at: l.deleted_at.map(|d| d.timestamp_millis()),
        };
        line(&mut self.transcript, &row)
    }

    /// The record's §4.3 entries and files kept as evidence, and the seal.
    pub fn finish_record(self, record: &Record, head: (i64, String), key: &SigningKey) -> io::Result<Seal> {
        let files = crate::records::export::files(record);
        self.finish(&record.incident.number.to_string(), &record.entries, &files, head, key)
    }

    /// The §4.3 entries, the files kept as evidence (`(path, bytes)`), and
    /// the seal over the events written, with the chain's `head`.
    pub fn finish(
        mut self,
        incident: &str,
        entries_of: &[LogEntry],
        files: &[(String, &[u8])],
        head: (i64, String),
        key: &SigningKey,
    ) -> io::Result<Seal> {
        self.events.flush()?;
        self.transcript.flush()?;
        let mut entries = create(&self.dir.join(ENTRIES))?;
        for e in entries_of {
            let kind = format!("{:?}", e.kind);
            line(&mut entries, &EntryRow { id: e.id, kind, author: e.author.as_i64(), at: e.at.timestamp_millis(), body: e.body.clone() })?;
        }
        entries.flush()?;
        for (name, bytes) in files {
            std::fs::write(self.dir.join(name), bytes)?;
        }
        let mut seal = Seal {
            format: FORMAT.to_string(),
            incident: incident.to_string(),
            events: self.count,
            events_digest: hex::encode(self.hashes.finalize()),
            head_seq: head.0,
            head_hash: head.1,
            public_key: crate::signing::public_hex(key),
            signature: String::new(),
        };
        seal.signature = hex::encode(key.sign(seal.message().as_bytes()).to_bytes());
        std::fs::write(self.dir.join(SEAL), serde_json::to_vec_pretty(&seal)?)?;
        Ok(seal)
    }
}
