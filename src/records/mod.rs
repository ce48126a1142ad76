//! The incident's record as a document: §4.2 "collected in one place",
//! §4.4(4) "keep the records". Plain text building, no I/O.

use crate::config::Settings;
use crate::domain::log_entry::LogEntry;
use crate::domain::transcript::TranscriptLine;
use crate::domain::{Incident, Lang};
use crate::tr;
use chrono_tz::Tz;

pub mod acknowledge;
pub mod appi;
pub mod audit;
mod board;
pub mod bundle;
pub mod chart;
pub mod export;
mod lessons;
pub mod stats;
pub mod timeline;

pub use board::board_report_markdown;

/// A person's text inside a Markdown document, shown as typed wherever the
/// document is rendered (§4.4(4) records that cannot be made to lie): the
/// characters CommonMark gives a meaning are escaped (links, images, HTML,
/// emphasis, code, tables), and so are the line starts that would make a
/// heading, a quote or a list.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let body = line.trim_start_matches([' ', '\t']);
        out.push_str(&line[..line.len() - body.len()]);
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=9).contains(&digits) && body[digits..].starts_with(['.', ')']) {
            // `1.` and `1)` start a list: the mark after the digits is escaped.
            out.push_str(&body[..digits]);
            out.push('\\');
            push_md(&mut out, &body[digits..]);
            continue;
        }
        if body.starts_with(['#', '>', '-', '+', '=']) {
            out.push('\\');
        }
        push_md(&mut out, body);
    }
    out
}

fn push_md(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '!' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
}

pub(crate) fn local(t: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string()
}

/// The transcript as Markdown: every message with its edits and deletions,
/// then the §4.3 log entries.
pub fn transcript_markdown(
    i: &Incident,
    lines: &[TranscriptLine],
    entries: &[LogEntry],
    threads: &[(crate::domain::ChannelId, String)],
    names: &dyn Fn(&str) -> String,
    settings: &Settings,
) -> String {
    let (lang, tz) = (settings.organisation.lang, settings.organisation.tz);
    let mut out = transcript_head_markdown(i, settings);
    if lines.is_empty() {
        out.push_str(&tr!(lang, "（メッセージなし）\n", "(no messages)\n"));
    }
    for l in lines {
        out.push_str(&message_markdown(l, threads, names, lang, tz));
    }
    out.push_str(&entries_markdown(entries, names, settings));
    out
}

/// The transcript's heading: the incident, when reported, its phase.
pub(crate) fn transcript_head_markdown(i: &Incident, settings: &Settings) -> String {
    let (lang, tz) = (settings.organisation.lang, settings.organisation.tz);
    let mut out = String::new();
    let title = md_text(&i.title);
    let number = i.number;
    out.push_str(&tr!(lang, "# {number} {title} — 記録\n\n", "# {number} {title} — record\n\n"));
    let reported = local(i.reported_at, tz);
    let phase = i.phase.label().get(lang).to_string();
    out.push_str(&tr!(lang, "- 報告: {reported}\n- フェーズ: {phase}\n", "- Reported: {reported}\n- Phase: {phase}\n"));
    if let Some(reason) = i.close_reason.as_deref().map(md_text) {
        out.push_str(&tr!(lang, "- 終了理由: {reason}\n", "- Closed because: {reason}\n"));
    }
    out.push_str(&tr!(lang, "\n## 会話記録\n\n", "\n## Transcript\n\n"));
    out
}

/// The §4.3 entries, each with its kind, time and author.
pub(crate) fn entries_markdown(entries: &[LogEntry], names: &dyn Fn(&str) -> String, settings: &Settings) -> String {
    let (lang, tz) = (settings.organisation.lang, settings.organisation.tz);
    let mut out = tr!(lang, "## §4.3 記録\n\n", "## §4.3 log entries\n\n");
    for e in entries {
        let kind = e.kind.label().get(lang).to_string();
        out.push_str(&format!("### {kind} — {} ({})\n\n{}\n\n", local(e.at, tz), e.author, md_text(&names(&e.body))));
    }
    out
}

/// One version of one message: who, when, edits, deletion, thread, reply,
/// the text quoted and its files.
pub(crate) fn message_markdown(
    l: &TranscriptLine,
    threads: &[(crate::domain::ChannelId, String)],
    names: &dyn Fn(&str) -> String,
    lang: crate::domain::Lang,
    tz: chrono_tz::Tz,
) -> String {
    let mut out = String::new();
    let m = &l.msg;
    let at = local(m.at, tz);
    let name = md_text(&m.author_name);
    let who = if m.author_bot { format!("{name} (bot)") } else { name };
    let mut head = format!("**{who}** ({}) {at}", m.author);
    if l.version > 1 {
        let v = l.version;
        head.push_str(&tr!(lang, " — 編集 {v}版", " — edit, version {v}"));
    }
    if let Some(d) = l.deleted_at {
        let d = local(d, tz);
        head.push_str(&tr!(lang, " — {d} に削除", " — deleted {d}"));
    }
    if let Some((_, name)) = threads.iter().find(|(t, _)| *t == m.channel) {
        let name = md_text(name);
        head.push_str(&tr!(lang, " — スレッド「{name}」", " — in thread “{name}”"));
    }
    if let Some(r) = m.reply_to {
        head.push_str(&tr!(lang, " — {r} への返信", " — reply to {r}"));
    }
    out.push_str(&format!("{head}\n\n"));
    for line in names(&m.content).lines() {
        out.push_str(&format!("> {}\n", md_text(line)));
    }
    for (name, url) in &m.attachments {
        // The file's name is the uploader's text; the address is Discord's
        // (it expires: the export writes the kept copy beside itself).
        out.push_str(&format!("> 📎 {} <{}>\n", md_text(name), url.replace(['<', '>', ' '], "")));
    }
    out.push('\n');
    out
}

/// A document cut to fit an upload limit of `limit` bytes a file: as it
/// is when it fits; else gzip-compressed (`NAME.gz`); else the compressed
/// bytes in numbered parts (`NAME.gz.001`, `.002`, …) that `cat` joins.
pub fn fit_upload(name: &str, bytes: Vec<u8>, limit: usize) -> Vec<(String, Vec<u8>)> {
    use std::io::Write as _;
    if bytes.len() <= limit {
        return vec![(name.to_string(), bytes)];
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into memory cannot fail.
    let _ = gz.write_all(&bytes);
    let gz = gz.finish().unwrap_or_default();
    if gz.len() <= limit {
        return vec![(format!("{name}.gz"), gz)];
    }
    gz.chunks(limit.max(1)).enumerate().map(|(n, c)| (format!("{name}.gz.{:03}", n + 1), c.to_vec())).collect()
}

/// A document written for one upload of at most `limit` bytes: kept as it
/// is while it fits, and compressed beside it; writing fails (`TooLarge`)
/// as soon as even the compressed bytes cannot fit, so a record of any
/// size costs at most twice the limit in memory.
pub struct Upload {
    plain: Option<Vec<u8>>,
    gz: flate2::write::GzEncoder<Vec<u8>>,
    limit: usize,
}

/// The error an [`Upload`] stops a writer with.
#[derive(Debug, thiserror::Error)]
#[error("the document does not fit one upload, even compressed")]
pub struct TooLarge;

impl Upload {
    pub fn new(limit: usize) -> Self {
        Upload { plain: Some(Vec::new()), gz: flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()), limit }
    }

    /// The file to attach: `name` as written, or `name.gz`; `None` when it
    /// does not fit.
    pub fn finish(self, name: &str) -> Option<(String, Vec<u8>)> {
        if let Some(plain) = self.plain {
            return Some((name.to_string(), plain));
        }
        let gz = self.gz.finish().ok()?;
        (gz.len() <= self.limit).then(|| (format!("{name}.gz"), gz))
    }
}

impl std::io::Write for Upload {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(plain) = &mut self.plain {
            if plain.len() + buf.len() <= self.limit {
                plain.extend_from_slice(buf);
            } else {
                self.plain = None;
            }
        }
        self.gz.write_all(buf)?;
        if self.gz.get_ref().len() > self.limit {
            return Err(std::io::Error::other(TooLarge));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The file name of the transcript attachment.
pub fn transcript_file_name(i: &Incident, lang: Lang) -> String {
    let _ = lang;
    format!("{}-transcript.md", i.number)
}

#[cfg(test)]
mod tests {
    use super::{fit_upload, md_text};

    /// What fits goes as it is; what does not is compressed; what still
    /// does not is split, and the parts join to the compressed whole.
    #[test]
    fn a_document_is_compressed_then_split_to_fit() {
        use std::io::Read as _;
        assert_eq!(fit_upload("a.md", b"short".to_vec(), 10), vec![("a.md".to_string(), b"short".to_vec())]);
        let text = "火消し ".repeat(1000).into_bytes();
        let one = fit_upload("a.md", text.clone(), 1000);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].0, "a.md.gz");
        // Incompressible bytes: split.
        let mut x: u64 = 7;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 251) as u8
            })
            .collect();
        let parts = fit_upload("b.md", noise.clone(), 1000);
        assert!(parts.len() >= 5 && parts.iter().all(|(_, p)| p.len() <= 1000));
        assert_eq!(parts[0].0, "b.md.gz.001");
        let joined: Vec<u8> = parts.into_iter().flat_map(|(_, p)| p).collect();
        let mut back = vec![];
        flate2::read::GzDecoder::new(&joined[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, noise);
    }

    /// A document that fits goes as written; one that does not, compressed;
    /// one that cannot fit even compressed stops the writer.
    #[test]
    fn an_upload_is_plain_then_compressed_then_refused() {
        use super::Upload;
        use std::io::Write as _;
        let mut small = Upload::new(100);
        small.write_all(b"short").unwrap();
        assert_eq!(small.finish("a.json"), Some(("a.json".to_string(), b"short".to_vec())));
        let mut long = Upload::new(100);
        long.write_all(&[b'a'; 101]).unwrap();
        let (name, gz) = long.finish("a.json").unwrap();
        assert_eq!(name, "a.json.gz");
        assert!(gz.len() <= 100);
        let mut x: u64 = 7;
        let mut noise = Upload::new(1000);
        let stopped = (0..5000).try_for_each(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.write_all(&x.to_le_bytes())
        });
        assert!(stopped.unwrap_err().get_ref().is_some_and(|e| e.is::<super::TooLarge>()));
    }

    /// Hostile text in a Markdown record renders as typed: no link, no
    /// HTML, no heading, no list, no table cell break.
    #[test]
    fn markdown_text_is_escaped() {
        assert_eq!(md_text("[https://a](https://evil)"), "\\[https://a\\](https://evil)");
        assert_eq!(md_text("<script>x</script> <@&1>"), "\\<script\\>x\\</script\\> \\<@\\&1\\>");
        assert_eq!(
            md_text("# big\n  - item\n1. one\n===\na|b `c` *d* _e_ ~~f~~ ![i](j)"),
            "\\# big\n  \\- item\n1\\. one\n\\===\na\\|b \\`c\\` \\*d\\* \\_e\\_ \\~\\~f\\~\\~ \\!\\[i\\](j)"
        );
        assert_eq!(md_text("火消し 2026年"), "火消し 2026年");
    }
}
