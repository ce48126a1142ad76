//! The Markdown export, written as it is read: the card's data, the
//! timeline in words, the lessons and the evidence; then the transcript
//! message by message and the §4.3 entries; then every event for the
//! auditor.

use super::{redaction_note, Record, Rows, Sink};
use crate::config::Settings;
use crate::domain::event::EventRecord;
use crate::domain::transcript::{Kept, TranscriptLine};
use crate::records::{entries_markdown, local, md_text, message_markdown, transcript_head_markdown};
use crate::tr;
use std::io::{self, Write};

pub(super) struct Markdown<'a> {
    r: &'a Record,
    settings: &'a Settings,
    stage: u8,
    messages: usize,
}

impl<'a> Markdown<'a> {
    pub(super) fn new(r: &'a Record, settings: &'a Settings) -> Self {
        Markdown { r, settings, stage: 0, messages: 0 }
    }
}

impl Sink for Markdown<'_> {
    fn next(&mut self, out: &mut dyn Write) -> io::Result<Option<Rows>> {
        self.stage += 1;
        let (r, s) = (self.r, self.settings);
        let lang = s.organisation.lang;
        match self.stage {
            1 => {
                out.write_all(head(r, s).as_bytes())?;
                out.write_all(evidence(r, lang).as_bytes())?;
                out.write_all(transcript_head_markdown(&r.incident, s).as_bytes())?;
                Ok(Some(Rows::Transcript))
            }
            2 => {
                if self.messages == 0 {
                    out.write_all(tr!(lang, "（メッセージなし）\n", "(no messages)\n").as_bytes())?;
                }
                out.write_all(entries_markdown(&r.entries, &|t| r.named_mentions(t), s).as_bytes())?;
                let heading = tr!(lang, "\n## 付録: イベントの記録（検証用）\n\n", "\n## Appendix: the event log (for the auditor)\n\n");
                out.write_all(heading.as_bytes())?;
                Ok(Some(Rows::Events))
            }
            _ => Ok(None),
        }
    }

    /// The raw event, for the auditor (`hikeshi verify` checks the chain).
    fn event(&mut self, out: &mut dyn Write, e: &EventRecord) -> io::Result<()> {
        let e = self.r.shown(e);
        let hash = if e.hash.is_empty() { String::new() } else { format!(" `{}`", &e.hash) };
        let at = local(crate::clock::from_ms(e.at_ms), self.settings.organisation.tz);
        writeln!(out, "- {} {at} `{}` {} {}{hash}", e.seq, e.kind, e.actor, md_text(&e.payload))
    }

    fn line(&mut self, out: &mut dyn Write, l: &TranscriptLine) -> io::Result<()> {
        self.messages += 1;
        let (lang, tz) = (self.settings.organisation.lang, self.settings.organisation.tz);
        let r = self.r;
        out.write_all(message_markdown(l, &r.threads, &|t| r.named_mentions(t), lang, tz).as_bytes())
    }
}

/// The card's data, the description, the timeline in words, the lessons.
fn head(r: &Record, settings: &Settings) -> String {
    let i = &r.incident;
    let (lang, tz) = (settings.organisation.lang, settings.organisation.tz);
    let mut out = String::new();
    let row = |k: String, val: String| format!("| {k} | {} |\n", md_text(&val).replace('\n', " "));
    out.push_str(&format!("# {} {}\n\n| | |\n|---|---|\n", i.number, md_text(&i.title)));
    out.push_str(&row(tr!(lang, "区分", "Category"), i.category.label().get(lang).to_string()));
    out.push_str(&row(tr!(lang, "フェーズ", "Phase"), i.phase.label().get(lang).to_string()));
    let at = i.reported_at;
    out.push_str(&row(tr!(lang, "報告者", "Reporter"), r.name_at(i.reporter, at)));
    out.push_str(&row(tr!(lang, "発見", "Noticed"), local(i.noticed.at, tz)));
    out.push_str(&row(tr!(lang, "実行責任者", "Commander"), i.commander.map(|c| r.name_at(c, at)).unwrap_or_default()));
    out.push_str(&row(
        tr!(lang, "対応手順", "Playbook"),
        i.playbook.as_ref().map(|p| crate::records::timeline::playbook_title(&settings.playbooks, &p.0, lang)).unwrap_or_default(),
    ));
    out.push_str(&row(tr!(lang, "復旧期限", "Recovery deadline"), i.deadline.at().map(|d| local(d, tz)).unwrap_or_else(|| "—".into())));
    if r.redacted {
        out.push_str(&format!("\n> {}\n", redaction_note(lang)));
    }
    out.push_str(&format!("\n{}\n\n", md_text(&r.named_mentions(&i.description))));
    out.push_str(&tr!(lang, "## 経緯\n\n", "## Timeline\n\n"));
    for (at, sentence) in crate::records::timeline::sentences(&r.events, lang, tz, &|u, t| r.name_at(u, t), &settings.playbooks) {
        out.push_str(&format!("- {at} {}\n", md_text(&sentence)));
    }
    out.push_str(&tr!(lang, "\n## 教訓（§4.4）\n\n", "\n## Lessons (§4.4)\n\n"));
    for part in crate::records::lessons::parts(r, lang, tz) {
        out.push_str(&format!("### {}\n\n", part.heading));
        for line in part.lines {
            out.push_str(&format!("- {}\n", md_text(&line).replace('\n', " ")));
        }
        out.push('\n');
    }
    out
}

/// The files kept as evidence, with their digests (none: nothing).
fn evidence(r: &Record, lang: crate::domain::Lang) -> String {
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
