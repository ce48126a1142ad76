//! The incident's record as a document: §4.2 "collected in one place",
//! §4.4(4) "keep the records". Plain text building, no I/O.

use crate::config::Settings;
use crate::domain::records::LogEntry;
use crate::domain::records::TranscriptLine;
use crate::domain::{Incident, Lang};
use crate::tr;
use chrono_tz::Tz;

pub mod appi;
pub mod audit;
mod board;
pub mod export;
pub mod stats;

pub use board::board_report_markdown;

pub(crate) fn local(t: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string()
}

/// The transcript as Markdown: every message with its edits and deletions,
/// then the §4.3 log entries.
pub fn transcript_markdown(i: &Incident, lines: &[TranscriptLine], entries: &[LogEntry], settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let tz = settings.organisation.tz;
    let mut out = String::new();
    let title = &i.title;
    let number = i.number;
    out.push_str(&tr!(lang, "# {number} {title} — 記録\n\n", "# {number} {title} — record\n\n"));
    let reported = local(i.reported_at, tz);
    let phase = i.phase.label().get(lang).to_string();
    out.push_str(&tr!(lang, "- 報告: {reported}\n- フェーズ: {phase}\n", "- Reported: {reported}\n- Phase: {phase}\n"));
    if let Some(reason) = &i.close_reason {
        out.push_str(&tr!(lang, "- 終了理由: {reason}\n", "- Closed because: {reason}\n"));
    }
    out.push_str(&tr!(lang, "\n## 会話記録\n\n", "\n## Transcript\n\n"));
    if lines.is_empty() {
        out.push_str(&tr!(lang, "（メッセージなし）\n", "(no messages)\n"));
    }
    for l in lines {
        let m = &l.msg;
        let at = local(m.at, tz);
        let who = if m.author_bot { format!("{} (bot)", m.author_name) } else { m.author_name.clone() };
        let mut head = format!("**{who}** ({}) {at}", m.author);
        if l.version > 1 {
            let v = l.version;
            head.push_str(&tr!(lang, " — 編集 {v}版", " — edit, version {v}"));
        }
        if let Some(d) = l.deleted_at {
            let d = local(d, tz);
            head.push_str(&tr!(lang, " — {d} に削除", " — deleted {d}"));
        }
        if let Some(r) = m.reply_to {
            head.push_str(&tr!(lang, " — {r} への返信", " — reply to {r}"));
        }
        out.push_str(&format!("{head}\n\n"));
        for line in m.content.lines() {
            out.push_str(&format!("> {line}\n"));
        }
        for (name, url) in &m.attachments {
            out.push_str(&format!("> 📎 [{name}]({url})\n"));
        }
        out.push('\n');
    }
    out.push_str(&tr!(lang, "## §4.3 記録\n\n", "## §4.3 log entries\n\n"));
    for e in entries {
        let kind = e.kind.label().get(lang).to_string();
        out.push_str(&format!("### {kind} — {} (<@{}>)\n\n{}\n\n", local(e.at, tz), e.author, e.body));
    }
    out
}

/// The file name of the transcript attachment.
pub fn transcript_file_name(i: &Incident, lang: Lang) -> String {
    let _ = lang;
    format!("{}-transcript.md", i.number)
}
