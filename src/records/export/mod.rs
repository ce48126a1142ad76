//! `hikeshi export` and `/incident export`: one incident's whole record as
//! Markdown, JSON (stable, documented in the README) or one self-contained
//! HTML page. The content is the database's, nothing summarised away.
//!
//! A record is kept for years (§4.4(4)) and an incident can hold 300,000
//! messages: a document is written as it is read. The [`Record`] holds
//! what is small (the incident, its story, its §4.3 entries); the events
//! and the transcript pass through a [`Sink`] one row at a time, straight
//! to a buffered writer, so memory stays flat at any size.

use crate::config::Settings;
use crate::domain::event::EventRecord;
use crate::domain::log_entry::LogEntry;
use crate::domain::transcript::{Kept, TranscriptLine};
use crate::domain::{Incident, UserId};
use crate::tr;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::io::{self, Write};

mod html;
mod json;
mod markdown;

pub use html::Frame;
pub use json::JSON_SCHEMA;

/// Everything kept about one incident but its rows too many to hold.
#[derive(Debug, Clone)]
pub struct Record {
    pub incident: Incident,
    /// The events that tell the story: all but one per message
    /// (`transcript_recorded`); every event is streamed where a document
    /// lists them all.
    pub events: Vec<EventRecord>,
    pub entries: Vec<LogEntry>,
    pub readers: Vec<(UserId, DateTime<Utc>)>,
    /// Confidential reporters were taken out for a reader outside the
    /// committee; the event hashes went with them.
    pub redacted: bool,
    /// Threads of the incident channel: `(thread, name)`.
    pub threads: Vec<(crate::domain::ChannelId, String)>,
    /// Files posted, kept as evidence (their bytes are written beside the
    /// document by `hikeshi export --output DIR`).
    pub attachments: Vec<crate::domain::transcript::Attachment>,
    /// Display names as seen: `(user, since, name)`, oldest first.
    pub people: Vec<(UserId, DateTime<Utc>, String)>,
    /// The confidential reporters taken out (see [`Record::redact_confidential_reporter`]).
    pub hidden: Vec<UserId>,
}

impl Record {
    /// A member as the record names them: `name (id)` with the name they
    /// had at `at` (or the first one seen), the id alone when none was seen.
    pub fn name_at(&self, user: UserId, at: DateTime<Utc>) -> String {
        if user.0 == 0 {
            return "0".into();
        }
        let seen: Vec<&(UserId, DateTime<Utc>, String)> = self.people.iter().filter(|(u, _, _)| *u == user).collect();
        match seen.iter().rev().find(|(_, since, _)| *since <= at).or(seen.first()) {
            Some((_, _, name)) => format!("{name} ({user})"),
            None => user.to_string(),
        }
    }

    /// A person's text with its mention markup named: `<@id>` as `@name`,
    /// `<@&id>` as `@role`, `<#id>` as `#channel` — no raw markup in a
    /// document people read.
    pub fn named_mentions(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let parsed = tail.find('>').and_then(|end| {
                let inner = &tail[1..end];
                let (kind, digits) = if let Some(d) = inner.strip_prefix("@&") {
                    ('&', d)
                } else if let Some(d) = inner.strip_prefix("@!").or_else(|| inner.strip_prefix('@')) {
                    ('@', d)
                } else if let Some(d) = inner.strip_prefix('#') {
                    ('#', d)
                } else {
                    return None;
                };
                let id: u64 = digits.parse().ok()?;
                let shown = match kind {
                    '@' => {
                        let name = self.name_at(UserId(id), self.incident.reported_at);
                        format!("@{}", name.split(" (").next().unwrap_or(&name))
                    }
                    '&' => "@role".to_string(),
                    _ => "#channel".to_string(),
                };
                Some((shown, end + 1))
            });
            match parsed {
                Some((shown, len)) => {
                    out.push_str(&shown);
                    rest = &tail[len..];
                }
                None => {
                    out.push('<');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// For readers outside the committee: every confidential reporter's id
    /// (this report's, and those of reports merged into it) becomes 0
    /// wherever it stands. The event hashes go too: they cover the actor,
    /// so hashing each member's id against them would find who it was.
    /// `hikeshi verify` and the committee's export keep them.
    pub fn redact_confidential_reporter(&mut self) {
        let hidden = self.incident.confidential_reporters();
        if hidden.is_empty() {
            return;
        }
        self.redacted = true;
        self.people.retain(|(u, _, _)| !hidden.contains(u));
        if self.incident.confidential {
            self.incident.reporter = UserId(0);
        }
        for m in self.incident.merged.iter_mut().filter(|m| m.confidential) {
            m.reporter = UserId(0);
        }
        self.hidden = hidden;
        let mut events = std::mem::take(&mut self.events);
        events.iter_mut().for_each(|e| self.redact_event(e));
        self.events = events;
    }

    /// An event as this record shows it (see [`Record::redact_event`]).
    pub fn shown<'e>(&self, e: &'e EventRecord) -> std::borrow::Cow<'e, EventRecord> {
        if !self.redacted {
            return std::borrow::Cow::Borrowed(e);
        }
        let mut e = e.clone();
        self.redact_event(&mut e);
        std::borrow::Cow::Owned(e)
    }

    /// One event as this record shows it: in a redacted record, the
    /// confidential reporters' ids blanked and the hashes gone (applied
    /// to every streamed event too).
    pub fn redact_event(&self, e: &mut EventRecord) {
        if !self.redacted {
            return;
        }
        for who in &self.hidden {
            if e.actor == format!("user:{who}") {
                e.actor = "user:0".into();
            }
            // Ids only where they stand whole: a digest that happens to
            // hold the same digits is left as it is.
            if e.payload.contains(&who.to_string()) {
                if let Ok(mut v) = serde_json::from_str::<Value>(&e.payload) {
                    blank_id(&mut v, who.0);
                    e.payload = v.to_string();
                }
            }
        }
        e.hash.clear();
        e.prev_hash.clear();
    }
}

/// Replaces every number or string in `v` that is exactly `id` with 0.
fn blank_id(v: &mut Value, id: u64) {
    match v {
        Value::Number(n) if n.as_u64() == Some(id) => *v = json!(0),
        Value::String(s) if s.parse::<u64>().ok() == Some(id) => *v = json!("0"),
        Value::Array(a) => a.iter_mut().for_each(|x| blank_id(x, id)),
        Value::Object(o) => o.values_mut().for_each(|x| blank_id(x, id)),
        _ => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
    Html,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            "html" => Some(Format::Html),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

/// The rows a document streams after what it wrote so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Every event of the incident, in chain order.
    Events,
    /// Every version of every message, by message and version.
    Transcript,
}

/// A document being written: it writes up to the next rows it needs,
/// takes them one at a time, and says when it is done.
pub trait Sink: Send {
    /// Writes on up to the next rows it lists; `None`: the document is whole.
    fn next(&mut self, out: &mut dyn Write) -> io::Result<Option<Rows>>;
    fn event(&mut self, out: &mut dyn Write, e: &EventRecord) -> io::Result<()>;
    fn line(&mut self, out: &mut dyn Write, l: &TranscriptLine) -> io::Result<()>;
}

/// The document of `r` in `format`.
pub fn sink<'a>(r: &'a Record, format: Format, settings: &'a Settings) -> Box<dyn Sink + 'a> {
    match format {
        Format::Json => Box::new(json::Json::new(r)),
        Format::Markdown => Box::new(markdown::Markdown::new(r, settings)),
        Format::Html => Box::new(html::Page::new(r, settings, Frame::default())),
    }
}

/// Issue 28: the HTML document of `r` inside the web console's `frame`.
pub fn framed<'a>(r: &'a Record, settings: &'a Settings, frame: Frame) -> Box<dyn Sink + 'a> {
    Box::new(html::Page::new(r, settings, frame))
}

/// The HTML document's own stylesheet, inline in its head (the console's
/// Content-Security-Policy names its digest).
pub fn html_style() -> &'static str {
    html::STYLE
}

/// The whole document at once, from rows in hand (tests, small records).
pub fn render(r: &Record, format: Format, settings: &Settings, events: &[EventRecord], transcript: &[TranscriptLine]) -> String {
    let mut out = Vec::new();
    let mut doc = sink(r, format, settings);
    // Writing into memory cannot fail.
    while let Ok(Some(rows)) = doc.next(&mut out) {
        let _ = match rows {
            Rows::Events => events.iter().try_for_each(|e| doc.event(&mut out, e)),
            Rows::Transcript => transcript.iter().try_for_each(|l| doc.line(&mut out, l)),
        };
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The files to write beside an exported document: `(relative path, bytes)`.
pub fn files(r: &Record) -> Vec<(String, &[u8])> {
    r.attachments
        .iter()
        .filter_map(|a| match &a.kept {
            Kept::Stored { content, .. } => Some((a.file_name(), content.as_slice())),
            Kept::NotKept { .. } => None,
        })
        .collect()
}

/// Said in every redacted export, so nobody takes a missing hash for a
/// broken record.
pub(crate) fn redaction_note(lang: crate::domain::Lang) -> String {
    tr!(
        lang,
        "🔒 匿名の報告者は 0 と表示し、イベントのハッシュは省いています（ハッシュから報告者を割り出せるため）。完全な記録は委員会の書き出しと hikeshi verify にあります。",
        "🔒 Confidential reporters are shown as 0 and the event hashes are left out (they would identify the reporter). The committee's export and hikeshi verify keep the whole record."
    )
}
