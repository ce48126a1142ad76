//! What the chain vouches for in a message's rows, as plain rules: the
//! database's `verify` and a bundle's use the same ones (issue 25). A
//! `transcript_recorded` event vouches for a version's text (its digest),
//! who wrote it (the event's actor) and when (the event's time); a
//! `transcript_deleted` event for the deletion mark and its time.

use sha2::{Digest, Sha256};

/// What one `transcript_recorded` event says of one version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VouchedLine {
    pub message: i64,
    pub version: i64,
    pub digest: [u8; 32],
    pub author: i64,
    pub at: i64,
}

impl VouchedLine {
    /// From the event's actor (`user:ID`; any other matches no row), time
    /// and payload fields.
    pub fn new(actor: &str, at: i64, message: i64, version: i64, hex_digest: &str) -> Self {
        let author = actor.strip_prefix("user:").and_then(|a| a.parse().ok()).unwrap_or(-1);
        // A digest that is not 64 hex digits matches no content.
        let digest = super::from_hex(hex_digest).unwrap_or([0xff; 32]);
        VouchedLine { message, version, digest, author, at }
    }

    pub fn key(&self) -> (i64, i64) {
        (self.message, self.version)
    }
}

/// What one incident's events vouch for, gathered as they are read (by
/// the database's `verify` and a bundle's): digests as 32 bytes, by key,
/// so the largest incident (300,000 messages) stays under 30 MB.
#[derive(Debug, Default)]
pub struct Vouches {
    /// Sorted by key once [`Vouches::settle`]d, the last word on a key kept.
    pub lines: Vec<VouchedLine>,
    /// `(message, when)` of each deletion.
    deleted: Vec<(i64, i64)>,
    /// `((message, version), digest of the text taken away)`.
    redacted: Vec<((i64, i64), [u8; 32])>,
    /// `(attachment, name, digest)` of each file kept as evidence.
    pub files: Vec<(u64, String, String)>,
    /// Files whose bytes a redaction took away.
    files_redacted: Vec<u64>,
    /// `(entry, digest)` of each §4.3 entry.
    pub entries: Vec<(i64, String)>,
}

impl Vouches {
    /// A version of a message, from its `transcript_recorded` event.
    pub fn line(&mut self, line: VouchedLine) {
        self.lines.push(line);
    }

    /// What one event (by `actor`, at `at`) vouches for.
    pub fn event(&mut self, actor: &str, at: i64, payload: &super::EventPayload) {
        use super::EventPayload::*;
        let old = |d: &str| super::from_hex(d).unwrap_or([0xff; 32]);
        match payload {
            TranscriptRecorded { message, version, digest } => self.line(VouchedLine::new(actor, at, message.as_i64(), *version, digest)),
            AttachmentKept { attachment, name, digest, .. } => self.files.push((*attachment, name.clone(), digest.clone())),
            // Entries written before digests were recorded carry none.
            LogEntryAdded { entry_id, digest, .. } if !digest.is_empty() => self.entries.push((*entry_id, digest.clone())),
            TranscriptDeleted { message } => self.deleted.push((message.as_i64(), at)),
            Redacted { message, versions, files, .. } => {
                self.redacted.extend(versions.iter().map(|(v, d)| ((message.as_i64(), *v), old(d))));
                self.files_redacted.extend(files.iter().map(|(f, _)| *f));
            }
            _ => {}
        }
    }

    /// Sorted for lookups, once every event is in. A key vouched for twice:
    /// the later event's digest stands (a stable sort keeps the events'
    /// order among equal keys).
    pub fn settle(&mut self) {
        self.lines.sort_by_key(VouchedLine::key);
        self.lines.reverse();
        self.lines.dedup_by_key(|l| l.key());
        self.lines.reverse();
        self.deleted.sort_unstable();
        self.deleted.dedup_by_key(|d| d.0);
        self.redacted.sort_unstable();
        self.files_redacted.sort_unstable();
    }

    /// What the record says of one version besides its event (`line`): its
    /// message's deletion time, and the text its redaction took away.
    pub fn said<'a>(&self, line: Option<&'a VouchedLine>, key: (i64, i64)) -> Said<'a> {
        let deletion = self.deleted.binary_search_by_key(&key.0, |d| d.0).ok().map(|i| self.deleted[i].1);
        let redacted = self.redacted.binary_search_by_key(&key, |r| r.0).ok().map(|i| self.redacted[i].1);
        Said { line, deletion, redacted }
    }

    /// Whether a redaction took this file's bytes away.
    pub fn file_redacted(&self, attachment: u64) -> bool {
        self.files_redacted.binary_search(&attachment).is_ok()
    }
}

/// One stored version of a message, as checked.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub message: i64,
    pub version: i64,
    pub author: i64,
    pub at: i64,
    pub deleted_at: Option<i64>,
    pub content: &'a str,
}

/// What the record says of a row: its `transcript_recorded` event
/// (`line`), its message's deletion (the time), and its redaction (the
/// digest of the text it took away from this version).
#[derive(Debug, Clone, Copy, Default)]
pub struct Said<'a> {
    pub line: Option<&'a VouchedLine>,
    pub deletion: Option<i64>,
    pub redacted: Option<[u8; 32]>,
}

/// What is wrong with a row against what the record says of it, if
/// anything. `every_row`: the whole record is read, so a row no event
/// records, or a deletion mark no event records, is wrong too. A redacted
/// row reads the marker, and its redaction took away the text recorded.
pub fn wrong(said: Said<'_>, row: &Row<'_>, every_row: bool) -> Option<&'static str> {
    let Said { line, deletion, redacted } = said;
    let Some(line) = line else {
        return every_row.then_some("no event records it");
    };
    let text_ok = match redacted {
        Some(old) if old != line.digest => return Some("its redaction"),
        Some(_) => row.content == crate::domain::transcript::REDACTED,
        None => line.digest == <[u8; 32]>::from(Sha256::digest(row.content.as_bytes())),
    };
    if !text_ok {
        Some("its text")
    } else if line.author != row.author {
        Some("its author")
    } else if line.at != row.at {
        Some("when it was written")
    } else if row.deleted_at != deletion && (every_row || deletion.is_some()) {
        Some("its deletion")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(line: &VouchedLine, deletion: Option<i64>) -> Said<'_> {
        Said { line: Some(line), deletion, redacted: None }
    }

    #[test]
    fn each_claim_of_a_row_is_checked_against_its_events() {
        let digest = crate::domain::event::digest("hello");
        let line = VouchedLine::new("user:7", 1000, 5, 1, &digest);
        assert_eq!((line.author, line.key()), (7, (5, 1)));
        let row = Row { message: 5, version: 1, author: 7, at: 1000, deleted_at: None, content: "hello" };
        assert_eq!(wrong(said(&line, None), &row, true), None);
        assert_eq!(wrong(said(&line, None), &Row { content: "bye", ..row }, true), Some("its text"));
        assert_eq!(wrong(said(&line, None), &Row { author: 8, ..row }, true), Some("its author"));
        assert_eq!(wrong(said(&line, None), &Row { at: 1001, ..row }, true), Some("when it was written"));
        // Deleted by the record but not in the row, or the other way round.
        assert_eq!(wrong(said(&line, Some(2000)), &row, false), Some("its deletion"));
        assert_eq!(wrong(said(&line, Some(2000)), &Row { deleted_at: Some(2000), ..row }, false), None);
        assert_eq!(wrong(said(&line, None), &Row { deleted_at: Some(2000), ..row }, true), Some("its deletion"));
        // After a checkpoint, a deletion before it is not read: not judged.
        assert_eq!(wrong(said(&line, None), &Row { deleted_at: Some(2000), ..row }, false), None);
        assert_eq!(wrong(Said::default(), &row, true), Some("no event records it"));
        assert_eq!(wrong(Said::default(), &row, false), None);
        assert_eq!(VouchedLine::new("system", 0, 1, 1, "zz").author, -1);
    }

    /// A redacted row reads the marker; the redaction must have taken away
    /// the text the chain recorded, not something else.
    #[test]
    fn a_redacted_row_reads_the_marker_and_its_redaction_matches_the_record() {
        let old = crate::domain::event::digest("電話番号 090-1234-5678");
        let line = VouchedLine::new("user:7", 1000, 5, 1, &old);
        let marker = crate::domain::transcript::REDACTED;
        let row = Row { message: 5, version: 1, author: 7, at: 1000, deleted_at: None, content: marker };
        let redacted = Said { redacted: Some(line.digest), ..said(&line, None) };
        assert_eq!(wrong(redacted, &row, true), None);
        assert_eq!(wrong(redacted, &Row { content: "電話番号 090-1234-5678", ..row }, true), Some("its text"));
        assert_eq!(wrong(Said { redacted: Some([0; 32]), ..redacted }, &row, true), Some("its redaction"));
        assert_eq!(wrong(said(&line, None), &row, true), Some("its text"), "the marker without a redaction");
    }

    /// Gathered from the events: the later word on a version stands, a
    /// redaction is found by its version and its files, entries without a
    /// digest (written before digests were kept) vouch for nothing.
    #[test]
    fn what_the_events_vouch_for_is_gathered_and_settled() {
        use crate::domain::event::{digest, EventPayload};
        use crate::domain::ids::MessageId;
        let (first, second, taken) = (digest("a"), digest("b"), digest("secret"));
        let mut v = Vouches::default();
        let recorded = |d: &str| EventPayload::TranscriptRecorded { message: MessageId(5), version: 1, digest: d.to_string() };
        v.event("user:7", 10, &recorded(&first));
        v.event("user:7", 20, &recorded(&second));
        let redacted = EventPayload::Redacted {
            message: MessageId(5),
            versions: vec![(1, taken.clone())],
            files: vec![(9, taken.clone())],
            reason: "x".into(),
        };
        v.event("user:8", 30, &redacted);
        let entry = |d: &str| EventPayload::LogEntryAdded { entry_id: 3, kind: crate::domain::LogKind::Status, digest: d.to_string() };
        v.event("user:7", 40, &entry(""));
        v.event("user:7", 50, &entry(&first));
        v.settle();
        assert_eq!(v.lines.len(), 1, "one version, one line");
        assert_eq!(v.lines[0].digest, crate::domain::event::from_hex(&second).unwrap(), "the later event stands");
        let said = v.said(v.lines.first(), (5, 1));
        assert_eq!(said.redacted, crate::domain::event::from_hex(&taken));
        assert_eq!(v.said(None, (5, 2)).redacted, None);
        assert!(v.file_redacted(9) && !v.file_redacted(8));
        assert_eq!(v.entries, vec![(3, first)]);
    }
}
