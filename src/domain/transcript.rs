//! The transcript of an incident channel and its threads (§4.2 "collected
//! in one place"): each message and its versions, and the files kept as
//! evidence. The store reads and writes these; records render them.

use super::ids::{ChannelId, MessageId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A message as Discord delivered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptMessage {
    pub message: MessageId,
    pub channel: ChannelId,
    pub author: UserId,
    pub author_name: String,
    pub author_bot: bool,
    pub at: DateTime<Utc>,
    pub content: String,
    /// `(file name, URL)` of each attachment.
    pub attachments: Vec<(String, String)>,
    pub reply_to: Option<MessageId>,
}

/// A file posted in an incident channel, kept as evidence: its bytes (or
/// why they were not kept) and their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Discord's id of the attachment.
    pub id: u64,
    pub message: MessageId,
    pub name: String,
    pub size: u64,
    pub kept: Kept,
}

/// What became of a posted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Stored with the incident; `sha256` is also in the event chain.
    Stored { sha256: String, content: Vec<u8> },
    /// Not stored, and why (over the size cap, the download failed).
    NotKept { reason: String },
}

impl Attachment {
    /// Where exports write the file, beside the document.
    pub fn file_name(&self) -> String {
        evidence_file(self.id, &self.name)
    }
}

/// What a redacted message reads everywhere (the transcript, every
/// export): the text is gone, the event chain keeps its digest.
pub const REDACTED: &str = "［委員会が個人情報のため削除 / redacted by the committee］";

/// The message a person named: its id, or its link as Discord copies it
/// (`https://discord.com/channels/GUILD/CHANNEL/MESSAGE`).
pub fn message_named(text: &str) -> Option<MessageId> {
    let text = text.trim();
    let id = match text.strip_prefix("https://") {
        Some(link) => {
            let parts: Vec<&str> = link.split('/').collect();
            let hosts = ["discord.com", "ptb.discord.com", "canary.discord.com", "discordapp.com"];
            let host_ok = parts.first().is_some_and(|h| hosts.contains(h));
            match parts.as_slice() {
                [_, "channels", _, _, m] if host_ok => *m,
                _ => return None,
            }
        }
        None => text,
    };
    id.parse().ok().filter(|n| *n > 0).map(MessageId)
}

/// Where a file kept as evidence goes in an export's folder: `files/`, its
/// id, and its name made safe for any file system.
pub fn evidence_file(id: u64, name: &str) -> String {
    let safe: String = name.chars().map(|c| if c.is_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    format!("files/{id}-{safe}")
}

/// A message as the channel's history shows it now (fetched after the bot
/// was away), with when it was last edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryMessage {
    pub msg: TranscriptMessage,
    pub edited_at: Option<DateTime<Utc>>,
}

/// What a look at a channel's history added to the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    pub new: usize,
    pub edited: usize,
    pub deleted: usize,
}

impl Recovered {
    pub fn any(&self) -> bool {
        self.new + self.edited + self.deleted > 0
    }
}

impl std::ops::AddAssign for Recovered {
    fn add_assign(&mut self, more: Recovered) {
        self.new += more.new;
        self.edited += more.edited;
        self.deleted += more.deleted;
    }
}

/// One stored version of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptLine {
    pub version: i64,
    pub msg: TranscriptMessage,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::MessageId;

    /// Exports write a kept file under `files/`, its name safe anywhere.
    #[test]
    fn a_kept_file_is_named_by_its_id_and_a_safe_name() {
        let a = super::Attachment {
            id: 77,
            message: MessageId(1),
            name: "免許 証/../x.png".into(),
            size: 3,
            kept: super::Kept::NotKept { reason: String::new() },
        };
        assert_eq!(a.file_name(), "files/77-免許_証_.._x.png");
    }

    #[test]
    fn a_message_is_named_by_id_or_by_its_link() {
        assert_eq!(super::message_named(" 123 "), Some(MessageId(123)));
        assert_eq!(super::message_named("https://discord.com/channels/1/2/345"), Some(MessageId(345)));
        assert_eq!(super::message_named("https://ptb.discord.com/channels/1/2/345"), Some(MessageId(345)));
        assert_eq!(super::message_named("https://evil.example/channels/1/2/345"), None);
        assert_eq!(super::message_named("https://evildiscord.com/channels/1/2/345"), None);
        assert_eq!(super::message_named("https://discord.com/channels/1/2"), None);
        assert_eq!(super::message_named("0"), None);
        assert_eq!(super::message_named("abc"), None);
    }

    use super::Recovered;

    /// What the catch-up and the whole re-read found is told as one sum.
    #[test]
    fn what_was_recovered_adds_up() {
        let mut found = Recovered { new: 5, edited: 0, deleted: 2 };
        assert!(found.any());
        found += Recovered { new: 1, edited: 3, deleted: 4 };
        assert_eq!(found, Recovered { new: 6, edited: 3, deleted: 6 });
        assert!(!Recovered::default().any());
        assert!(Recovered { new: 0, edited: 1, deleted: 0 }.any());
    }
}
