//! `hikeshi export` and `/incident export`: one incident's whole record as
//! Markdown, JSON (stable, documented in the README) or one self-contained
//! HTML page. The content is the database's, nothing summarised away.

use super::{local, md_text};
use crate::config::Settings;
use crate::domain::event::EventRecord;
use crate::domain::log_entry::LogEntry;
use crate::domain::transcript::{Kept, TranscriptLine};
use crate::domain::{Incident, RecoveryDeadline, UserId};
use crate::tr;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Everything kept about one incident.
#[derive(Debug, Clone)]
pub struct Record {
    pub incident: Incident,
    pub events: Vec<EventRecord>,
    pub entries: Vec<LogEntry>,
    pub transcript: Vec<TranscriptLine>,
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
        for who in hidden {
            let actor = format!("user:{who}");
            for e in &mut self.events {
                if e.actor == actor {
                    e.actor = "user:0".into();
                }
                // Ids only where they stand whole: a digest that happens to
                // hold the same digits is left as it is.
                if let Ok(mut v) = serde_json::from_str::<Value>(&e.payload) {
                    blank_id(&mut v, who.0);
                    e.payload = v.to_string();
                }
            }
        }
        for e in &mut self.events {
            e.hash.clear();
            e.prev_hash.clear();
        }
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

/// The schema name in every JSON export; bumped on any breaking change.
pub const JSON_SCHEMA: &str = "hikeshi.incident.v1";

fn t(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn id(u: impl std::fmt::Display) -> String {
    u.to_string()
}

pub fn render(r: &Record, format: Format, settings: &Settings) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(&to_json(r)).unwrap_or_default(),
        Format::Markdown => to_markdown(r, settings),
        Format::Html => to_html(r, settings),
    }
}

/// The JSON export. Snowflakes are strings, times RFC 3339 in UTC.
pub fn to_json(r: &Record) -> Value {
    let i = &r.incident;
    // Parts built apart: one `json!` this size reaches the macro recursion limit.
    json!({
        "schema": JSON_SCHEMA,
        "number": i.number.to_string(),
        "drill": i.is_drill(),
        "category": i.category.id(),
        "kind": i.kind.map(|k| k.id()),
        "title": i.title,
        "description": i.description,
        "noticed": {"text": i.noticed.text, "at": t(i.noticed.at), "understood": i.noticed.understood},
        "reported_at": t(i.reported_at),
        "reporter": id(i.reporter),
        "affected": i.affected.iter().map(|a| json!({"name": a.name, "system": a.system.as_ref().map(|s| s.0.clone()), "priority": a.priority.map(|p| p.level())})).collect::<Vec<_>>(),
        "impact": i.impact,
        "playbook": i.playbook.as_ref().map(|p| p.0.clone()),
        "commander": i.commander.map(id),
        "commander_since": i.commander_since.map(t),
        "phase": i.phase.id(),
        "deadline": deadline(i.deadline),
        "channel": i.channel.map(id),
        "responders": i.responders.iter().map(|u| id(*u)).collect::<Vec<_>>(),
        "checklist": i.marks.iter().map(|m| json!({"phase": m.phase.id(), "item": m.item, "state": m.state})).collect::<Vec<_>>(),
        "duplicate_of": i.duplicate_of.map(|d| d.0),
        "close_reason": i.close_reason,
        "closed_at": i.closed_at.map(t),
        "lessons": lessons(i),
        "log": r.entries.iter().map(|e| json!({"id": e.id, "kind": e.kind.id(), "body": e.body, "author": id(e.author), "at": t(e.at)})).collect::<Vec<_>>(),
        "merged": i.merged.iter().map(|m| json!({"number": m.number.to_string(), "reporter": id(m.reporter), "confidential": m.confidential})).collect::<Vec<_>>(),
        "redacted": r.redacted.then(|| json!({
            "confidential_reporters": "0",
            "hashes": "omitted: they cover the actors, so they would identify a confidential reporter; the committee's export and `hikeshi verify` keep them",
        })),
        "timeline": timeline(r),
        "threads": r.threads.iter().map(|(t, name)| json!({"thread": id(t), "name": name})).collect::<Vec<_>>(),
        "people": r.people.iter().map(|(u, since, name)| json!({"user": id(u), "since": t(*since), "name": name})).collect::<Vec<_>>(),
        "attachments": attachments(r),
        "transcript": transcript(r),
        "announcement_reads": r.readers.iter().map(|(u, at)| json!({"user": id(*u), "at": t(*at)})).collect::<Vec<_>>(),
    })
}

fn deadline(d: RecoveryDeadline) -> Value {
    match d {
        RecoveryDeadline::Immediate(at) => json!({"kind": "immediate", "at": t(at)}),
        RecoveryDeadline::By(at) => json!({"kind": "by", "at": t(at)}),
        RecoveryDeadline::None => json!({"kind": "none", "at": null}),
    }
}

/// The files kept as evidence: each with its digest, or why it was not kept.
fn attachments(r: &Record) -> Vec<Value> {
    r.attachments
        .iter()
        .map(|a| {
            let (kept, sha, reason) = match &a.kept {
                Kept::Stored { sha256, .. } => (true, Some(sha256.clone()), None),
                Kept::NotKept { reason } => (false, None, Some(reason.clone())),
            };
            json!({"id": id(a.id), "message": id(a.message), "name": a.name, "size": a.size, "kept": kept, "sha256": sha,
                "file": kept.then(|| a.file_name()), "reason": reason})
        })
        .collect()
}

/// Every version of every message, deletions marked.
fn transcript(r: &Record) -> Vec<Value> {
    r.transcript.iter().map(|l| json!({
            "message": id(l.msg.message), "channel": id(l.msg.channel), "version": l.version, "author": id(l.msg.author), "author_name": l.msg.author_name, "bot": l.msg.author_bot,
            "at": t(l.msg.at), "content": l.msg.content, "attachments": l.msg.attachments.iter().map(|(n, u)| json!({"name": n, "url": u})).collect::<Vec<_>>(),
            "reply_to": l.msg.reply_to.map(id), "deleted_at": l.deleted_at.map(t)
        })).collect()
}

/// §4.4: the plan, the board, notes, waivers, approvals, follow-ups.
fn lessons(i: &Incident) -> Value {
    json!({
        "plan": i.lessons.plan,
        "board": {"victim_of_outside_breach": i.lessons.board.victim_of_outside_breach, "harmed_outsiders": i.lessons.board.harmed_outsiders},
        "notes": i.lessons.notes,
        "waivers": i.lessons.waivers.iter().map(|w| json!({"item": w.item, "reason": w.reason, "by": id(w.by)})).collect::<Vec<_>>(),
        "plan_revision": i.lessons.plan_revision,
        "plan_approval": i.lessons.plan_approval.as_ref().map(|a| json!({"revision": a.revision, "by": id(a.by), "at": t(a.at)})),
        "board_told": i.lessons.board_told.as_ref().map(|b| json!({"by": id(b.by), "at": t(b.at)})),
        "followups": followups(i, &id),
    })
}

/// The event log, with the hashes unless redacted.
fn timeline(r: &Record) -> Vec<Value> {
    r.events
        .iter()
        .map(|e| {
            let mut v = json!({
                "seq": e.seq, "at": t(crate::clock::from_ms(e.at_ms)), "actor": e.actor, "kind": e.kind,
                "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null),
            });
            if !r.redacted {
                v["hash"] = json!(e.hash);
            }
            v
        })
        .collect()
}

/// The follow-up actions (§4.4(1)); `id` writes a member (blanked for a
/// confidential reporter in a redacted export).
fn followups(i: &Incident, id: &dyn Fn(UserId) -> String) -> Vec<Value> {
    let t = |d: DateTime<Utc>| d.to_rfc3339();
    i.lessons
        .followups
        .iter()
        .map(|f| {
            let done = f.done.as_ref().map(|d| json!({"at": t(d.at), "by": d.by.map(id)}));
            json!({"n": f.n, "what": f.what, "owner": f.owner.map(id), "due": t(f.due), "source": f.source, "added_at": t(f.added_at), "done": done})
        })
        .collect()
}

/// The Markdown export: the card's data, the timeline, the lessons, then
/// the transcript and the §4.3 entries.
pub fn to_markdown(r: &Record, settings: &Settings) -> String {
    let i = &r.incident;
    let lang = settings.organisation.lang;
    let tz = settings.organisation.tz;
    let mut out = String::new();
    let row = |k: String, val: String| format!("| {k} | {} |\n", md_text(&val).replace('\n', " "));
    out.push_str(&format!("# {} {}\n\n| | |\n|---|---|\n", i.number, md_text(&i.title)));
    out.push_str(&row(tr!(lang, "区分", "Category"), i.category.label().get(lang).to_string()));
    out.push_str(&row(tr!(lang, "フェーズ", "Phase"), i.phase.label().get(lang).to_string()));
    let at = i.reported_at;
    out.push_str(&row(tr!(lang, "報告者", "Reporter"), r.name_at(i.reporter, at)));
    out.push_str(&row(tr!(lang, "発見", "Noticed"), local(i.noticed.at, tz)));
    out.push_str(&row(tr!(lang, "実行責任者", "Commander"), i.commander.map(|c| r.name_at(c, at)).unwrap_or_default()));
    out.push_str(&row(tr!(lang, "対応手順", "Playbook"), i.playbook.as_ref().map(|p| p.0.clone()).unwrap_or_default()));
    out.push_str(&row(tr!(lang, "復旧期限", "Recovery deadline"), i.deadline.at().map(|d| local(d, tz)).unwrap_or_else(|| "—".into())));
    if r.redacted {
        out.push_str(&format!("\n> {}\n", redaction_note(lang)));
    }
    out.push_str(&format!("\n{}\n\n", md_text(&r.named_mentions(&i.description))));
    out.push_str(&tr!(lang, "## 経緯\n\n", "## Timeline\n\n"));
    for (at, sentence) in super::timeline::sentences(&r.events, lang, tz, &|u, t| r.name_at(u, t)) {
        out.push_str(&format!("- {at} {}\n", md_text(&sentence)));
    }
    out.push_str(&tr!(lang, "\n## 教訓（§4.4）\n\n", "\n## Lessons (§4.4)\n\n"));
    for part in super::lessons::parts(r, lang, tz) {
        out.push_str(&format!("### {}\n\n", part.heading));
        for line in part.lines {
            out.push_str(&format!("- {}\n", md_text(&line).replace('\n', " ")));
        }
        out.push('\n');
    }
    out.push_str(&evidence_markdown(r, lang));
    out.push_str(&super::transcript_markdown(i, &r.transcript, &r.entries, &r.threads, &|t| r.named_mentions(t), settings));
    out.push_str(&appendix_markdown(r, lang, tz));
    out
}

/// The files kept as evidence, with their digests (none: nothing).
fn evidence_markdown(r: &Record, lang: crate::domain::Lang) -> String {
    let mut out = String::new();
    if r.attachments.is_empty() {
        return out;
    }
    out.push_str(&tr!(lang, "## 証拠として保存したファイル\n\n", "## Files kept as evidence\n\n"));
    for a in &r.attachments {
        let (name, size) = (md_text(&a.name), a.size);
        let line = match &a.kept {
            Kept::Stored { sha256, .. } => format!("- {name} ({size} B) → `{}` SHA-256 `{sha256}`\n", a.file_name()),
            Kept::NotKept { reason } => {
                let reason = md_text(reason);
                tr!(lang, "- {name} ({size} B) — 保存されていません: {reason}\n", "- {name} ({size} B) — not kept: {reason}\n")
            }
        };
        out.push_str(&line);
    }
    out.push('\n');
    out
}

/// The raw events, for the auditor (`hikeshi verify` checks the chain).
fn appendix_markdown(r: &Record, lang: crate::domain::Lang, tz: chrono_tz::Tz) -> String {
    let mut out = String::new();
    out.push_str(&tr!(lang, "\n## 付録: イベントの記録（検証用）\n\n", "\n## Appendix: the event log (for the auditor)\n\n"));
    for e in &r.events {
        let hash = if e.hash.is_empty() { String::new() } else { format!(" `{}`", &e.hash) };
        out.push_str(&format!(
            "- {} {} `{}` {} {}{hash}\n",
            e.seq,
            local(crate::clock::from_ms(e.at_ms), tz),
            e.kind,
            e.actor,
            md_text(&e.payload)
        ));
    }
    out
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

/// One self-contained page that prints on A4 (see `records::html`).
pub fn to_html(r: &Record, settings: &Settings) -> String {
    super::html::page(r, settings)
}
