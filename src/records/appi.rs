//! APPI Art. 26: the draft report to the Personal Information Protection
//! Commission, under the PPC's headings, from the incident's records.
//! An aid, not legal advice.

use super::local;
use crate::config::Settings;
use crate::domain::appi::AppiQuestion;
use crate::domain::log_entry::LogEntry;
use crate::domain::Incident;
use crate::tr;

pub fn ppc_report_markdown(i: &Incident, entries: &[LogEntry], settings: &Settings) -> String {
    use crate::domain::LogKind;
    let lang = settings.organisation.lang;
    let tz = settings.organisation.tz;
    let (number, org) = (i.number, &settings.organisation.name);
    let mut out = tr!(
        lang,
        "# 個人情報保護委員会への報告（案）: {number}\n\n{org}\n\n> 本書は hikeshi が記録から作成した下書きです。法的助言ではありません。提出前に内容を確認してください。\n\n",
        "# Report to the Personal Information Protection Commission (draft): {number}\n\n{org}\n\n> A draft hikeshi made from the records; not legal advice. Check it before filing.\n\n"
    );
    let mut section = |heading: String, body: String| {
        out.push_str(&format!(
            "## {heading}\n\n{}\n\n",
            if body.trim().is_empty() { tr!(lang, "（記入してください）", "(to be completed)") } else { body }
        ));
    };
    let noticed = local(i.noticed.at, tz);
    let reported = local(i.reported_at, tz);
    let (title, description) = (&i.title, &i.description);
    section(
        tr!(lang, "1. 概要", "1. Summary"),
        tr!(
            lang,
            "{title}\n\n発覚: {noticed}\n報告: {reported}\n\n{description}",
            "{title}\n\nDiscovered: {noticed}\nReported: {reported}\n\n{description}"
        ),
    );
    section(
        tr!(lang, "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目", "2. Items of personal data leaked or possibly leaked"),
        format!("{}\n\n{}", i.impact, answers(i, lang)),
    );
    section(
        tr!(lang, "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数", "3. Number of people concerned"),
        String::new(),
    );
    let cause = i.lessons.plan.as_ref().map(|p| p.cause.clone()).unwrap_or_default();
    section(tr!(lang, "4. 原因", "4. Cause"), cause);
    let damage = i.lessons.plan.as_ref().map(|p| p.damage.clone()).unwrap_or_default();
    section(tr!(lang, "5. 二次被害又はそのおそれの有無及びその内容", "5. Secondary damage, or the risk of it"), damage);
    let stakeholders = logged(entries, LogKind::StakeholderImpact, tz);
    section(tr!(lang, "6. 本人への対応の実施状況", "6. Response to the people concerned"), stakeholders);
    section(tr!(lang, "7. 公表の実施状況", "7. Publication"), String::new());
    let plan = i.lessons.plan.as_ref().map(|p| format!("{}\n\n{}", p.technical, p.organisational)).unwrap_or_default();
    section(tr!(lang, "8. 再発防止のための措置", "8. Measures to prevent recurrence"), plan);
    let status = logged(entries, LogKind::Status, tz);
    section(tr!(lang, "9. その他参考となる事項", "9. Other relevant matters"), status);
    out
}

/// The four questions of APPI Art. 26 and their answers.
fn answers(i: &Incident, lang: crate::domain::Lang) -> String {
    AppiQuestion::ALL
        .iter()
        .map(|q| {
            let a = match i.appi.answer(*q) {
                Some(true) => tr!(lang, "該当", "yes"),
                Some(false) => tr!(lang, "非該当", "no"),
                None => tr!(lang, "未回答", "not answered"),
            };
            format!("- {}: {a}", q.label().get(lang))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The §4.3 entries of one kind, each with its time.
fn logged(entries: &[LogEntry], kind: crate::domain::LogKind, tz: chrono_tz::Tz) -> String {
    entries.iter().filter(|e| e.kind == kind).map(|e| format!("- {} — {}", local(e.at, tz), e.body)).collect::<Vec<_>>().join("\n")
}
