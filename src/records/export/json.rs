//! The JSON export (`hikeshi.incident.v1`, documented in the README),
//! written as it is read: the incident's fields, then one line per event
//! and per message, then the names of the people who appeared in it.

use super::{Record, Rows, Sink};
use crate::domain::event::EventRecord;
use crate::domain::transcript::{Kept, TranscriptLine};
use crate::domain::{Incident, RecoveryDeadline};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};

/// The schema name in every JSON export; bumped on any breaking change.
pub const JSON_SCHEMA: &str = "hikeshi.incident.v1";

fn t(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn id(u: impl std::fmt::Display) -> String {
    u.to_string()
}

pub(super) struct Json<'a> {
    r: &'a Record,
    stage: u8,
    /// Rows written in the current array (a comma before all but the first).
    written: usize,
    /// Every member the record knows a name for …
    known: HashSet<u64>,
    /// … and those of them the document mentioned: only they are named.
    seen: BTreeSet<u64>,
}

impl<'a> Json<'a> {
    pub(super) fn new(r: &'a Record) -> Self {
        let known = r.people.iter().map(|(u, _, _)| u.0).collect();
        Json { r, stage: 0, written: 0, known, seen: BTreeSet::new() }
    }

    /// Notes every known member whose id stands in `text` (as a number, a
    /// string, a mention or an actor): the people the document shows.
    fn note(&mut self, text: &str) {
        for n in digit_runs(text) {
            if self.known.contains(&n) {
                self.seen.insert(n);
            }
        }
    }

    /// `"key":value` for each field, each on its own line.
    fn fields(&mut self, out: &mut dyn Write, fields: Value) -> io::Result<()> {
        let Value::Object(map) = fields else { return Ok(()) };
        for (k, v) in map {
            let v = v.to_string();
            self.note(&v);
            writeln!(out, "{}:{v},", Value::String(k))?;
        }
        Ok(())
    }

    /// One row of the current array.
    fn row(&mut self, out: &mut dyn Write, row: &str) -> io::Result<()> {
        self.note(row);
        out.write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        out.write_all(row.as_bytes())?;
        self.written += 1;
        Ok(())
    }

    fn open(&mut self, out: &mut dyn Write, key: &str) -> io::Result<()> {
        self.written = 0;
        write!(out, "\"{key}\":[")
    }
}

/// The numbers a text shows: runs of digits standing alone (in a mention,
/// a string, a sentence). A run that only happens to equal an id names one
/// more member of the organisation; none that appears is ever left out.
/// Digits inside a word of letters and digits (a hash's hex) are not a
/// run: a hash holding `…9f3004ab…` named a member of another incident.
fn digit_runs(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|r| !r.is_empty() && r.len() <= 20 && r.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|r| r.parse().ok())
}

impl Sink for Json<'_> {
    fn next(&mut self, out: &mut dyn Write) -> io::Result<Option<Rows>> {
        self.stage += 1;
        let r = self.r;
        match self.stage {
            1 => {
                out.write_all(b"{\n")?;
                self.fields(out, head(r))?;
                self.open(out, "timeline")?;
                Ok(Some(Rows::Events))
            }
            2 => {
                out.write_all(b"],\n")?;
                self.fields(out, json!({"threads": threads(r), "attachments": attachments(r)}))?;
                self.open(out, "transcript")?;
                Ok(Some(Rows::Transcript))
            }
            _ => {
                out.write_all(b"],\n")?;
                let reads: Vec<Value> = r.readers.iter().map(|(u, at)| json!({"user": id(*u), "at": t(*at)})).collect();
                self.fields(out, json!({"announcement_reads": reads}))?;
                let people: Vec<Value> = r
                    .people
                    .iter()
                    .filter(|(u, _, _)| self.seen.contains(&u.0))
                    .map(|(u, since, name)| json!({"user": id(u), "since": t(*since), "name": name}))
                    .collect();
                writeln!(out, "\"people\":{}\n}}", Value::Array(people))?;
                Ok(None)
            }
        }
    }

    fn event(&mut self, out: &mut dyn Write, e: &EventRecord) -> io::Result<()> {
        let e = self.r.shown(e);
        let payload = serde_json::from_str::<&RawValue>(&e.payload).ok();
        let hash = (!self.r.redacted).then_some(e.hash.as_str());
        let row = Event { seq: e.seq, at: t(crate::clock::from_ms(e.at_ms)), actor: &e.actor, kind: &e.kind, payload, hash };
        self.row(out, &serde_json::to_string(&row).map_err(io::Error::other)?)
    }

    fn line(&mut self, out: &mut dyn Write, l: &TranscriptLine) -> io::Result<()> {
        let m = &l.msg;
        let row = Message {
            message: id(m.message),
            channel: id(m.channel),
            version: l.version,
            author: id(m.author),
            author_name: &m.author_name,
            bot: m.author_bot,
            at: t(m.at),
            content: &m.content,
            attachments: m.attachments.iter().map(|(name, url)| File { name, url }).collect(),
            reply_to: m.reply_to.map(id),
            deleted_at: l.deleted_at.map(t),
        };
        self.row(out, &serde_json::to_string(&row).map_err(io::Error::other)?)
    }
}

/// `timeline[]`: an event with its chain hash (none in a redacted export).
#[derive(Serialize)]
struct Event<'e> {
    seq: i64,
    at: String,
    actor: &'e str,
    kind: &'e str,
    payload: Option<&'e RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<&'e str>,
}

/// `transcript[]`: one version of one message, deletions marked.
#[derive(Serialize)]
struct Message<'m> {
    message: String,
    channel: String,
    version: i64,
    author: String,
    author_name: &'m str,
    bot: bool,
    at: String,
    content: &'m str,
    attachments: Vec<File<'m>>,
    reply_to: Option<String>,
    deleted_at: Option<String>,
}

#[derive(Serialize)]
struct File<'f> {
    name: &'f str,
    url: &'f str,
}

/// The incident's own fields. Snowflakes are strings, times RFC 3339 in UTC.
fn head(r: &Record) -> Value {
    let i = &r.incident;
    // Parts built apart: one `json!` this size reaches the macro recursion limit.
    let mut v = json!({
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
        "acknowledged": i.acknowledged.map(|a| json!({"by": id(a.by), "at": t(a.at)})),
        "phase": i.phase.id(),
        "deadline": deadline(i.deadline),
        "channel": i.channel.map(id),
        "responders": i.responders.iter().map(|u| id(*u)).collect::<Vec<_>>(),
    });
    let more = json!({
        "checklist": i.marks.iter().map(|m| json!({"phase": m.phase.id(), "item": m.item, "state": m.state})).collect::<Vec<_>>(),
        "duplicate_of": i.duplicate_of.map(|d| d.0),
        "close_reason": i.close_reason,
        "closed_at": i.closed_at.map(t),
        "lessons": lessons(i),
        "findings": i.findings.as_ref().map(|f| json!({"damage": f.damage, "cause": f.cause, "by": id(f.by), "at": t(f.at)})),
        "outages": i.outages.iter().map(|o| json!({"system": o.system, "started": t(o.started), "restored": o.restored.map(t), "deadline": o.deadline().map(t), "met": o.met()})).collect::<Vec<_>>(),
        "organisation": i.organisation.iter().map(|h| json!({"role": h.role.ja, "role_en": h.role.en, "member": id(h.member)})).collect::<Vec<_>>(),
        "findings_waived": i.findings_waiver.as_ref().map(|w| json!({"reason": w.reason, "by": id(w.by)})),
        "log": r.entries.iter().map(|e| json!({"id": e.id, "kind": e.kind.id(), "body": e.body, "author": id(e.author), "at": t(e.at)})).collect::<Vec<_>>(),
        "merged": i.merged.iter().map(|m| json!({"number": m.number.to_string(), "reporter": id(m.reporter), "confidential": m.confidential})).collect::<Vec<_>>(),
        "redacted": r.redacted.then(|| json!({
            "confidential_reporters": "0",
            "hashes": "omitted: they cover the actors, so they would identify a confidential reporter; the committee's export and `hikeshi verify` keep them",
        })),
    });
    if let (Value::Object(a), Value::Object(b)) = (&mut v, more) {
        a.extend(b);
    }
    v
}

fn deadline(d: RecoveryDeadline) -> Value {
    match d {
        RecoveryDeadline::Immediate(at) => json!({"kind": "immediate", "at": t(at)}),
        RecoveryDeadline::By(at) => json!({"kind": "by", "at": t(at)}),
        RecoveryDeadline::None => json!({"kind": "none", "at": null}),
    }
}

fn threads(r: &Record) -> Vec<Value> {
    r.threads.iter().map(|(t, name)| json!({"thread": id(t), "name": name})).collect()
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

/// §4.4: the plan, the board, notes, waivers, approvals, follow-ups.
fn lessons(i: &Incident) -> Value {
    json!({
        "plan": i.lessons.plan,
        "board": {"victim_of_outside_breach": i.lessons.board.victim_of_outside_breach, "harmed_outsiders": i.lessons.board.harmed_outsiders},
        "notes": i.lessons.notes,
        "waivers": i.lessons.waivers.iter().map(|w| json!({"item": w.item, "reason": w.reason, "by": id(w.by)})).collect::<Vec<_>>(),
        "plan_revision": i.lessons.plan_revision,
        "plan_approval": i.lessons.plan_approval.as_ref().map(|a| json!({"revision": a.revision, "by": id(a.by), "at": t(a.at)})),
        "plan_signoff": i.lessons.it_signoff.as_ref().map(|s| json!({"revision": s.revision, "by": id(s.by), "at": t(s.at)})),
        "board_told": i.lessons.board_told.as_ref().map(|b| json!({"by": id(b.by), "at": t(b.at), "met_on": b.met_on.map(|d| d.to_string()), "decided": b.decided})),
        "followups": followups(i),
    })
}

/// The follow-up actions (§4.4(1)).
fn followups(i: &Incident) -> Vec<Value> {
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

#[cfg(test)]
mod tests {
    use super::digit_runs;

    #[test]
    fn ids_stand_alone_and_a_hashs_digits_are_not_one() {
        let runs = |t| digit_runs(t).collect::<Vec<_>>();
        assert_eq!(runs("<@3004> \"3004\" ユーザー3004さん 3004"), vec![3004, 3004, 3004, 3004]);
        assert_eq!(runs("9f3004ab e3004 3004f"), Vec::<u64>::new());
        assert_eq!(runs("2026-12-05T18:30:04Z"), vec![2026, 12, 30], "a time's letters join its digits");
    }
}
