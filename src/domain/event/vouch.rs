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

/// What is wrong with a row against its event (`line`) and its message's
/// deletion event (`deletion`, its time), if anything. `every_row`: the
/// whole record is read, so a row no event records, or a deletion mark
/// no event records, is wrong too.
pub fn wrong(line: Option<&VouchedLine>, deletion: Option<i64>, row: &Row<'_>, every_row: bool) -> Option<&'static str> {
    let Some(line) = line else {
        return every_row.then_some("no event records it");
    };
    if line.digest != <[u8; 32]>::from(Sha256::digest(row.content.as_bytes())) {
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

    #[test]
    fn each_claim_of_a_row_is_checked_against_its_events() {
        let digest = crate::domain::event::digest("hello");
        let line = VouchedLine::new("user:7", 1000, 5, 1, &digest);
        assert_eq!((line.author, line.key()), (7, (5, 1)));
        let row = Row { message: 5, version: 1, author: 7, at: 1000, deleted_at: None, content: "hello" };
        assert_eq!(wrong(Some(&line), None, &row, true), None);
        assert_eq!(wrong(Some(&line), None, &Row { content: "bye", ..row }, true), Some("its text"));
        assert_eq!(wrong(Some(&line), None, &Row { author: 8, ..row }, true), Some("its author"));
        assert_eq!(wrong(Some(&line), None, &Row { at: 1001, ..row }, true), Some("when it was written"));
        // Deleted by the record but not in the row, or the other way round.
        assert_eq!(wrong(Some(&line), Some(2000), &row, false), Some("its deletion"));
        assert_eq!(wrong(Some(&line), Some(2000), &Row { deleted_at: Some(2000), ..row }, false), None);
        assert_eq!(wrong(Some(&line), None, &Row { deleted_at: Some(2000), ..row }, true), Some("its deletion"));
        // After a checkpoint, a deletion before it is not read: not judged.
        assert_eq!(wrong(Some(&line), None, &Row { deleted_at: Some(2000), ..row }, false), None);
        assert_eq!(wrong(None, None, &row, true), Some("no event records it"));
        assert_eq!(wrong(None, None, &row, false), None);
        assert_eq!(VouchedLine::new("system", 0, 1, 1, "zz").author, -1);
    }
}
