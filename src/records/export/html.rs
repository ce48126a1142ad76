//! The incident's record as a document a board member can follow: one
//! self-contained HTML page (inline style, no script, nothing remote) that
//! prints on A4. Built with maud, which escapes every value by
//! construction: a person's text can never become markup.

use super::{Record, Rows, Sink};
use crate::config::Settings;
use crate::domain::event::{EventPayload, EventRecord};
use crate::domain::transcript::{Kept, TranscriptLine};
use crate::domain::{Lang, LogKind, Phase};
use crate::records::local;
use crate::tr;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::io::{self, Write};

/// When the incident entered each phase, from its recorded phase changes.
fn entered(r: &Record, phase: Phase) -> Option<DateTime<Utc>> {
    r.events.iter().find_map(|e| match e.payload().ok()? {
        EventPayload::PhaseAdvanced { to, .. } if to == phase => Some(crate::clock::from_ms(e.at_ms)),
        _ => None,
    })
}

fn span(d: Option<Duration>, lang: Lang) -> String {
    match d {
        None => "—".into(),
        Some(d) => {
            let (h, m) = (d.num_minutes() / 60, d.num_minutes() % 60);
            tr!(lang, "{h}時間{m}分", "{h} h {m} min")
        }
    }
}

/// A posted file: a link to the copy written beside the page, with its
/// SHA-256, or why it was not kept.
fn evidence(r: &Record, message: crate::domain::MessageId, name: &str, lang: Lang) -> Markup {
    let a = r.attachments.iter().find(|a| a.message == message && a.name == name);
    html! {
        @match a.map(|a| (a, &a.kept)) {
            Some((a, Kept::Stored { sha256, .. })) => {
                a href=(a.file_name()) { (name) } " " span { (a.size) " B · SHA-256 " (sha256) }
            }
            Some((_, Kept::NotKept { reason })) => {
                (name) " " span { (tr!(lang, "保存されていません: ", "not kept: ")) (reason) }
            }
            None => { (name) " " span { (tr!(lang, "未取得", "not fetched")) } }
        }
    }
}

/// The page, written as it is read: everything up to the transcript,
/// then each message, then each event of the appendix.
pub(super) struct Page<'a> {
    r: &'a Record,
    settings: &'a Settings,
    stage: u8,
    frame: Frame,
}

/// Issue 28: the same page inside the web console — in the reader's
/// language, with the console's own head lines (its stylesheet) and its
/// header (navigation, sign-out) before the record. Both are markup the
/// console built with maud.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub lang: Option<Lang>,
    pub head: String,
    pub top: String,
}

impl<'a> Page<'a> {
    pub(super) fn new(r: &'a Record, settings: &'a Settings, frame: Frame) -> Self {
        Page { r, settings, stage: 0, frame }
    }

    fn lang(&self) -> Lang {
        self.frame.lang.unwrap_or(self.settings.organisation.lang)
    }
}

impl Sink for Page<'_> {
    fn next(&mut self, out: &mut dyn Write) -> io::Result<Option<Rows>> {
        self.stage += 1;
        let (r, lang) = (self.r, self.lang());
        match self.stage {
            1 => {
                out.write_all(top(r, self.settings, &self.frame, lang).as_bytes())?;
                let heading = html! { h2 { (tr!(lang, "会話記録", "Transcript")) } };
                write!(out, "<section class=\"transcript\">{}", heading.into_string())?;
                Ok(Some(Rows::Transcript))
            }
            2 => {
                let heading = html! { h2 { (tr!(lang, "付録: イベントの記録（検証用）", "Appendix: the event log (for the auditor)")) } };
                write!(out, "</section><section class=\"appendix\">{}<table class=\"events\">", heading.into_string())?;
                Ok(Some(Rows::Events))
            }
            _ => {
                let footer = html! { footer { "hikeshi · " (self.settings.organisation.name) } };
                write!(out, "</table></section>{}</body></html>", footer.into_string())?;
                Ok(None)
            }
        }
    }

    /// One event for the auditor, with its hash.
    fn event(&mut self, out: &mut dyn Write, e: &EventRecord) -> io::Result<()> {
        let e = self.r.shown(e);
        let at = local(crate::clock::from_ms(e.at_ms), self.settings.organisation.tz);
        let row = html! { tr { td { (e.seq) } td { (at) } td { code { (e.kind) } } td { (e.actor) } td { code { (e.hash) } } } };
        out.write_all(row.into_string().as_bytes())
    }

    fn line(&mut self, out: &mut dyn Write, l: &TranscriptLine) -> io::Result<()> {
        let (lang, tz) = (self.lang(), self.settings.organisation.tz);
        out.write_all(message(self.r, l, lang, tz).into_string().as_bytes())
    }
}

/// Everything before the transcript: the head, the summary, the §4.3
/// records, the lessons, the timeline in words (the page left open).
fn top(r: &Record, settings: &Settings, frame: &Frame, lang: Lang) -> String {
    let i = &r.incident;
    let tz = settings.organisation.tz;
    let title = format!("{} {}", i.number, i.title);
    let summary = summary(r, lang, tz);
    let head = html! {
        head {
            meta charset="utf-8";
            title { (title) }
            style { (PreEscaped(STYLE)) }
            (PreEscaped(&frame.head))
        }
    };
    let body = html! {
        (PreEscaped(&frame.top))
        header {
            p.regulation { (tr!(lang, "セキュリティインシデント報告・対応規程に基づく記録", "A record under the Security Incident Reporting and Response Regulation")) " — " (settings.organisation.name) }
            h1 { (title) }
            @if i.is_drill() { p.drill { "DRILL" } }
        }
        @if r.redacted { p.redacted { (super::redaction_note(lang)) } }
        section {
            h2 { (tr!(lang, "概要", "Summary")) }
            table.summary { @for (k, v) in &summary { tr { th { (k) } td { (v) } } } }
            p.description { (r.named_mentions(&i.description)) }
            @if !i.impact.trim().is_empty() { p { b { (tr!(lang, "これまでの影響: ", "Impact so far: ")) } (r.named_mentions(&i.impact)) } }
        }
        (records(r, lang, tz))
        @for part in crate::records::lessons::parts(r, lang, tz) {
            section.lessons {
                h2 { (part.heading) }
                ul { @for line in &part.lines { li { (line) } } }
            }
        }
        section {
            h2 { (tr!(lang, "経緯", "Timeline")) }
            ol.timeline { @for (at, s) in crate::records::timeline::sentences(&r.events, lang, tz, &|u, t| r.name_at(u, t), &settings.playbooks) { li { time { (at) } " " (s) } } }
        }
    };
    let open = html! { (DOCTYPE) };
    format!("{}<html lang=\"{}\">{}<body>{}", open.into_string(), lang.code(), head.into_string(), body.into_string())
}

/// The summary table: what, who, when, and the times Table 1 is judged by.
fn summary(r: &Record, lang: Lang, tz: Tz) -> Vec<(String, String)> {
    let i = &r.incident;
    let since = |t: Option<DateTime<Utc>>| t.map(|t| t - i.reported_at);
    let recovered = entered(r, Phase::Lessons);
    let deadline = match (i.deadline.at(), recovered) {
        (None, _) => tr!(lang, "期限なし（停止してもよいシステム）", "none (systems that may stop)"),
        (Some(d), Some(done)) if done <= d => tr!(lang, "期限内に復旧", "met"),
        (Some(_), Some(_)) => tr!(lang, "期限を超過して復旧", "missed"),
        (Some(d), None) if Utc::now() > d => tr!(lang, "期限超過（未復旧）", "missed (not yet recovered)"),
        (Some(_), None) => tr!(lang, "未復旧（期限前）", "not yet recovered (before the deadline)"),
    };
    let systems = i
        .affected
        .iter()
        .map(|a| match a.priority {
            Some(p) => {
                let (name, level) = (&a.name, p.level());
                tr!(lang, "{name}（復旧優先度{level}）", "{name} (priority {level})")
            }
            None => a.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        (
            tr!(lang, "区分", "Category"),
            format!("{}{}", i.category.label().get(lang), i.kind.map(|k| format!(" / {}", k.label().get(lang))).unwrap_or_default()),
        ),
        (tr!(lang, "フェーズ", "Phase"), i.phase.label().get(lang).to_string()),
        (tr!(lang, "報告者", "Reporter"), r.name_at(i.reporter, i.reported_at)),
        (tr!(lang, "発見", "Noticed"), local(i.noticed.at, tz)),
        (tr!(lang, "報告", "Reported"), local(i.reported_at, tz)),
        (
            tr!(lang, "影響を受けるシステムと復旧優先度（表1）", "Affected systems and priorities (Table 1)"),
            if systems.is_empty() { "—".into() } else { systems },
        ),
        (
            tr!(lang, "復旧期限（表1）", "Recovery deadline (Table 1)"),
            match i.deadline.at() {
                Some(d) => format!("{} — {deadline}", local(d, tz)),
                None => deadline,
            },
        ),
        (tr!(lang, "実行責任者", "Commander"), i.commander.map(|c| r.name_at(c, i.reported_at)).unwrap_or_else(|| "—".into())),
        (
            tr!(lang, "委員会の確認まで（§4.2）", "Time to the committee's acknowledgement (§4.2)"),
            span(since(i.acknowledged.map(|a| a.at)), lang),
        ),
        (tr!(lang, "実行責任者が決まるまで", "Time to a commander"), span(since(i.commander_since), lang)),
        (tr!(lang, "封じ込めまで", "Time to containment"), span(since(entered(r, Phase::Containment)), lang)),
        (tr!(lang, "復旧まで", "Time to recovery"), span(since(recovered), lang)),
    ]
}

/// §4.3: the three kinds of record, each entry with its time and author.
fn records(r: &Record, lang: Lang, tz: Tz) -> Markup {
    html! {
    section {
        h2 { (tr!(lang, "§4.3 の記録", "§4.3 records")) }
        @for kind in LogKind::ALL {
            h3 { (kind.label().get(lang)) }
            @let entries: Vec<_> = r.entries.iter().filter(|e| e.kind == kind).collect();
            @if entries.is_empty() { p.none { (tr!(lang, "記録なし", "none")) } }
            ul.log { @for e in entries { li { span.meta { (local(e.at, tz)) " · " (r.name_at(e.author, e.at)) } br; (r.named_mentions(&e.body)) } } }
        }
    }
    }
}

/// One version of one message, its thread and files named.
fn message(r: &Record, l: &TranscriptLine, lang: Lang, tz: Tz) -> Markup {
    html! {
        div class=(if l.deleted_at.is_some() { "msg deleted" } else { "msg" }) {
            div.meta {
                (l.msg.author_name) " · " (local(l.msg.at, tz))
                @if let Some((_, name)) = r.threads.iter().find(|(t, _)| *t == l.msg.channel) { " · " (tr!(lang, "スレッド「{name}」", "thread “{name}”")) }
                @if l.version > 1 { @let v = l.version; " · " (tr!(lang, "編集 {v}版", "edit v{v}")) }
                @if l.deleted_at.is_some() { " · " (tr!(lang, "削除済み", "deleted")) }
            }
            div.text { (r.named_mentions(&l.msg.content)) }
            @for (name, _) in &l.msg.attachments { div.att { "📎 " (evidence(r, l.msg.message, name, lang)) } }
        }
    }
}

pub(super) const STYLE: &str = "body{font-family:system-ui,'Hiragino Sans','Noto Sans CJK JP','IPAGothic','Noto Sans JP',sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.55}\
header .regulation{color:#666;font-size:.9em;margin:0}h1{border-bottom:3px solid #e74c3c;padding-bottom:.3rem;margin-top:.2rem}h2{margin-top:2rem;color:#2c3e50;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:.35rem .6rem;text-align:left;vertical-align:top}th{background:#f6f6f6;width:32%}\
.description,.text{white-space:pre-wrap}.description{background:#fafafa;padding:.8rem;border-left:4px solid #e74c3c}.none{color:#595959}\
.drill{display:inline-block;background:#1f5f8b;color:#fff;padding:.1rem .6rem;border-radius:4px}.redacted{background:#fff8e1;padding:.5rem}\
.log li,.timeline li{margin:.3rem 0}.meta{font-size:.85em;color:#666}.msg{border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .7rem;margin:.5rem 0}\
.msg .text{white-space:pre-wrap}.deleted{opacity:.6;border-style:dashed}.att{font-size:.9em}.att span{color:#595959}time{color:#666;font-size:.9em}\
.events td{font-size:.75em;word-break:break-all}footer{margin-top:3rem;color:#595959;font-size:.85em}\
@page{size:A4;margin:15mm}@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt}h2{break-after:avoid}.msg,li,tr{break-inside:avoid}.appendix{break-before:page}a{color:inherit;text-decoration:none}}";
