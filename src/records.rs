//! The incident's record as a document: §4.2 "collected in one place",
//! §4.4(4) "keep the records". Plain text building, no I/O.

use crate::config::Settings;
use crate::domain::{Incident, Lang};
use crate::store::incidents::LogEntry;
use crate::store::TranscriptLine;
use crate::tr;
use chrono_tz::Tz;

fn local(t: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
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

/// §4.4(2): the board report draft, from the incident's records.
pub fn board_report_markdown(
    i: &Incident,
    entries: &[LogEntry],
    events: &[crate::domain::event::EventRecord],
    settings: &Settings,
) -> String {
    use crate::domain::LogKind;
    let lang = settings.organisation.lang;
    let tz = settings.organisation.tz;
    let number = i.number;
    let title = &i.title;
    let org = &settings.organisation.name;
    let mut out = tr!(
        lang,
        "# 取締役会報告（案）: {number} {title}\n\n{org} 情報セキュリティ委員会\n\n",
        "# Board report (draft): {number} {title}\n\n{org}, Information Security Committee\n\n"
    );
    let plan = i.lessons.plan.clone();
    let section = |out: &mut String, heading: String, body: String| {
        out.push_str(&format!("## {heading}\n\n{}\n\n", if body.trim().is_empty() { "—".to_string() } else { body }));
    };
    let category = i.category.label().get(lang).to_string();
    let kind = i.kind.map(|k| k.label().get(lang).to_string()).unwrap_or_default();
    let reported = local(i.reported_at, tz);
    let noticed = local(i.noticed.at, tz);
    let q = i.lessons.board;
    let yn = |a: Option<bool>| match a {
        Some(true) => tr!(lang, "はい", "yes"),
        Some(false) => tr!(lang, "いいえ", "no"),
        None => "—".into(),
    };
    let (victim, harmed) = (yn(q.victim_of_outside_breach), yn(q.harmed_outsiders));
    let description = &i.description;
    section(
        &mut out,
        tr!(lang, "概要", "Summary"),
        tr!(
            lang,
            "- 区分: {category} {kind}\n- 発見: {noticed}\n- 報告: {reported}\n- 外部第三者による侵害の被害: {victim}\n- 社外への加害: {harmed}\n\n{description}",
            "- Category: {category} {kind}\n- Noticed: {noticed}\n- Reported: {reported}\n- Victim of a breach by an outside third party: {victim}\n- Harmed customers, partners or others: {harmed}\n\n{description}"
        ),
    );
    let timeline: Vec<String> = events
        .iter()
        .filter(|e| !e.kind.starts_with("transcript") && e.kind != "reminded")
        .map(|e| format!("- {} — {}", local(crate::clock::from_ms(e.at_ms), tz), e.kind.replace('_', " ")))
        .collect();
    section(&mut out, tr!(lang, "経緯", "Timeline"), timeline.join("\n"));
    section(&mut out, tr!(lang, "原因", "Cause"), plan.as_ref().map(|p| p.cause.clone()).unwrap_or_default());
    let affected = i.affected.iter().map(|a| format!("- {}", a.name)).collect::<Vec<_>>().join("\n");
    section(
        &mut out,
        tr!(lang, "被害", "Damage"),
        format!("{}\n\n{}\n\n{}", plan.as_ref().map(|p| p.damage.clone()).unwrap_or_default(), i.impact, affected).trim().to_string(),
    );
    let by_kind = |k: LogKind| {
        entries.iter().filter(|e| e.kind == k).map(|e| format!("- {} — {}", local(e.at, tz), e.body)).collect::<Vec<_>>().join("\n")
    };
    section(&mut out, tr!(lang, "対応", "Response"), by_kind(LogKind::Status));
    section(&mut out, tr!(lang, "業務の再開", "Business resumption"), by_kind(LogKind::BusinessResumption));
    section(&mut out, tr!(lang, "関係者への影響", "Stakeholder impact"), by_kind(LogKind::StakeholderImpact));
    let plan_text = plan
        .map(|p| {
            let (t, o) = (&p.technical, &p.organisational);
            tr!(
                lang,
                "**技術的対策**\n\n{t}\n\n**組織的対策**\n\n{o}",
                "**Technical measures**\n\n{t}\n\n**Organisational measures**\n\n{o}"
            )
        })
        .unwrap_or_default();
    section(&mut out, tr!(lang, "再発防止計画（§4.4(1)）", "Prevention plan (§4.4(1))"), plan_text);
    out
}
