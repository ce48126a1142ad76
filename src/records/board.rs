//! §4.4(2): the board report draft.

use super::export::Record;
use super::local;
use crate::config::Settings;
use crate::domain::Incident;
use crate::tr;

/// §4.4(2): the board report draft, from the incident's record (the
/// confidential reporter taken out: the board is not the committee).
/// The measures are the plan the committee approved (§4.4(1)), never a
/// draft it has not.
pub fn board_report_markdown(r: &Record, settings: &Settings) -> String {
    use crate::domain::LogKind;
    let (i, entries) = (&r.incident, &r.entries);
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
    section(&mut out, tr!(lang, "概要", "Summary"), summary(i, lang, tz));
    let timeline: Vec<String> = super::timeline::sentences(&r.events, lang, tz, &|u, t| r.name_at(u, t), &settings.playbooks)
        .into_iter()
        .map(|(at, s)| format!("- {at} — {s}"))
        .collect();
    section(&mut out, tr!(lang, "経緯", "Timeline"), timeline.join("\n"));
    // §4.2: the analysis's findings first; the plan's words where it
    // revised them.
    let found = |plan_says: Option<String>, found: Option<String>| plan_says.filter(|t| !t.trim().is_empty()).or(found).unwrap_or_default();
    let findings = i.findings.as_ref();
    let cause = found(plan.as_ref().map(|p| p.cause.clone()), findings.map(|f| f.cause.clone()));
    section(&mut out, tr!(lang, "原因", "Cause"), cause);
    let affected = i.affected.iter().map(|a| format!("- {}", a.name)).collect::<Vec<_>>().join("\n");
    section(
        &mut out,
        tr!(lang, "被害", "Damage"),
        format!("{}\n\n{}\n\n{}", found(plan.as_ref().map(|p| p.damage.clone()), findings.map(|f| f.damage.clone())), i.impact, affected)
            .trim()
            .to_string(),
    );
    let by_kind = |k: LogKind| {
        entries.iter().filter(|e| e.kind == k).map(|e| format!("- {} — {}", local(e.at, tz), e.body)).collect::<Vec<_>>().join("\n")
    };
    section(&mut out, tr!(lang, "対応", "Response"), by_kind(LogKind::Status));
    section(&mut out, tr!(lang, "業務の再開", "Business resumption"), by_kind(LogKind::BusinessResumption));
    section(&mut out, tr!(lang, "関係者への影響", "Stakeholder impact"), by_kind(LogKind::StakeholderImpact));
    let approved = i.lessons.plan_approval.as_ref().map(|a| a.plan.clone());
    let pending = tr!(lang, "（委員会の承認待ち）", "(awaiting the committee's approval)");
    let plan_text = approved
        .map(|p| {
            let (t, o) = (&p.technical, &p.organisational);
            tr!(
                lang,
                "**技術的対策**\n\n{t}\n\n**組織的対策**\n\n{o}",
                "**Technical measures**\n\n{t}\n\n**Organisational measures**\n\n{o}"
            )
        })
        .unwrap_or(pending);
    section(&mut out, tr!(lang, "再発防止計画（§4.4(1)）", "Prevention plan (§4.4(1))"), plan_text);
    out
}

/// The summary: what, when, and the board's two questions (§4.4(2)).
fn summary(i: &Incident, lang: crate::domain::Lang, tz: chrono_tz::Tz) -> String {
    let category = i.category.label().get(lang).to_string();
    let kind = i.kind.map(|k| k.label().get(lang).to_string()).unwrap_or_default();
    let reported = local(i.reported_at, tz);
    let noticed = local(i.noticed.at, tz);
    let q = i.lessons.board;
    let yn = |a: Option<bool>| match a {
        Some(true) => tr!(lang, "該当", "yes"),
        Some(false) => tr!(lang, "非該当", "no"),
        None => "—".into(),
    };
    let (victim, harmed) = (yn(q.victim_of_outside_breach), yn(q.harmed_outsiders));
    let description = &i.description;
    tr!(
        lang,
        "- 区分: {category} {kind}\n- 発見: {noticed}\n- 報告: {reported}\n- 社外の第三者からのセキュリティ侵害により当法人が被害者となる場合: {victim}\n- 顧客や取引先等の社外に対して当法人が加害者となる場合: {harmed}\n\n{description}",
        "- Category: {category} {kind}\n- Noticed: {noticed}\n- Reported: {reported}\n- Victim of a breach by an outside third party: {victim}\n- Harmed customers, partners or others: {harmed}\n\n{description}"
    )
}
