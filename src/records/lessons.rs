//! The lessons of an incident (§4.4) in words, for the Markdown and HTML
//! exports alike: the plan and who approved it, the board's questions and
//! whether the board was told, the improvement notes, the waivers, and the
//! follow-up actions with their state.

use super::export::Record;
use super::local;
use crate::domain::followup::{FollowUp, Source};
use crate::domain::Lang;
use crate::tr;
use chrono_tz::Tz;

/// One part of the lessons: a heading and its lines (plain text; each
/// format escapes it its own way).
pub struct Part {
    pub heading: String,
    pub lines: Vec<String>,
}

pub(crate) fn answer(v: Option<bool>, lang: Lang) -> String {
    match v {
        Some(true) => tr!(lang, "該当", "yes"),
        Some(false) => tr!(lang, "非該当", "no"),
        None => tr!(lang, "未回答", "not answered"),
    }
}

pub fn parts(r: &Record, lang: Lang, tz: Tz) -> Vec<Part> {
    let i = &r.incident;
    let l = &i.lessons;
    let mut out = findings(r, lang, tz).into_iter().collect::<Vec<_>>();
    out.push(Part { heading: tr!(lang, "再発防止計画（§4.4(1)）", "Prevention plan (§4.4(1))"), lines: plan(r, lang, tz) });
    if !i.is_drill() {
        out.push(Part {
            heading: tr!(lang, "取締役会への報告（§4.4(2)）", "Report to the board (§4.4(2))"), lines: board(r, lang, tz)
        });
    }
    if !l.notes.is_empty() {
        let lines = l
            .notes
            .iter()
            .map(|n| {
                let (well, missing) = (r.named_mentions(&n.went_well), r.named_mentions(&n.missing));
                tr!(lang, "うまくいったこと: {well} ／ 足りなかったこと: {missing}", "Went well: {well} / Missing: {missing}")
            })
            .collect();
        out.push(Part { heading: tr!(lang, "対応手順の改善メモ（§4.4(4)）", "Improvement notes (§4.4(4))"), lines });
    }
    if !l.waivers.is_empty() || !i.record_waivers.is_empty() {
        out.push(Part { heading: tr!(lang, "免除", "Waivers"), lines: waivers(r, lang) });
    }
    if !l.followups.is_empty() {
        let lines = l.followups.iter().map(|f| followup(r, f, lang, tz)).collect();
        out.push(Part { heading: tr!(lang, "フォローアップ（§4.4(1)）", "Follow-up actions (§4.4(1))"), lines });
    }
    out
}

/// §4.2: what the analysis found, or the committee's waiver.
fn findings(r: &Record, lang: Lang, tz: Tz) -> Option<Part> {
    let i = &r.incident;
    let lines = match (&i.findings, &i.findings_waiver) {
        (Some(f), _) => {
            let (who, at) = (r.name_at(f.by, f.at), local(f.at, tz));
            let (damage, cause) = (r.named_mentions(&f.damage), r.named_mentions(&f.cause));
            vec![
                tr!(lang, "被害: {damage}", "Damage: {damage}"),
                tr!(lang, "原因: {cause}", "Cause: {cause}"),
                tr!(lang, "{who} が {at} に記録", "Recorded by {who} at {at}"),
            ]
        }
        (None, Some(w)) => {
            let (who, reason) = (r.name_at(w.by, i.reported_at), r.named_mentions(&w.reason));
            vec![tr!(lang, "{who} が免除（理由: {reason}）", "Waived by {who} (reason: {reason})")]
        }
        (None, None) => return None,
    };
    Some(Part { heading: tr!(lang, "調査結果（§4.2）", "Findings of the analysis (§4.2)"), lines })
}

/// §4.4(1): the plan, and who approved which revision.
fn plan(r: &Record, lang: Lang, tz: Tz) -> Vec<String> {
    let l = &r.incident.lessons;
    let mut plan = vec![];
    match &l.plan {
        Some(p) => {
            for (k, v) in [
                (tr!(lang, "原因", "Cause"), &p.cause),
                (tr!(lang, "被害", "Damage"), &p.damage),
                (tr!(lang, "技術的対策", "Technical measures"), &p.technical),
                (tr!(lang, "組織的対策", "Organisational measures"), &p.organisational),
            ] {
                if !v.trim().is_empty() {
                    plan.push(format!("{k}: {}", r.named_mentions(v)));
                }
            }
            let rev = l.plan_revision;
            if let Some(s) = &l.it_signoff {
                let (n, who, at) = (s.revision, r.name_at(s.by, s.at), local(s.at, tz));
                plan.push(tr!(
                    lang,
                    "第{n}版を情報システム部の {who} が {at} に確認",
                    "Revision {n} signed off by {who} (IT department) at {at}"
                ));
            }
            plan.push(match &l.plan_approval {
                Some(a) if l.plan_approved() => {
                    let (who, at) = (r.name_at(a.by, a.at), local(a.at, tz));
                    tr!(lang, "第{rev}版を {who} が {at} に承認（委員会）", "Revision {rev} approved by {who} (committee) at {at}")
                }
                _ if l.plan_approved() => {
                    tr!(lang, "承認の記録なし（承認制の導入前に記録）", "No approval recorded (recorded before approvals)")
                }
                _ => tr!(lang, "第{rev}版は委員会の承認待ち", "Revision {rev} awaits the committee's approval"),
            });
        }
        None => plan.push(tr!(lang, "まだ記録されていません", "Not recorded yet")),
    }
    plan
}

/// §4.4(2): the board's two questions and whether it was told.
fn board(r: &Record, lang: Lang, tz: Tz) -> Vec<String> {
    let l = &r.incident.lessons;
    let b = l.board;
    let mut lines = vec![
        format!(
            "{}: {}",
            tr!(lang, "社外の第三者からのセキュリティ侵害により当法人が被害者となる場合", "A victim of an outside breach"),
            answer(b.victim_of_outside_breach, lang)
        ),
        format!(
            "{}: {}",
            tr!(lang, "顧客や取引先等の社外に対して当法人が加害者となる場合", "Harm to outsiders"),
            answer(b.harmed_outsiders, lang)
        ),
    ];
    lines.push(if !b.answered() {
        tr!(lang, "取締役会への報告: 判断前", "Board report: not decided yet")
    } else if !b.board_report_required() {
        tr!(lang, "取締役会への報告: 不要", "Board report: not required")
    } else {
        match &l.board_told {
            Some(t) => {
                let (who, at) = (r.name_at(t.by, t.at), local(t.at, tz));
                tr!(lang, "取締役会への報告: 報告済み（{at}、{who} が記録）", "Board report: the board was told ({at}, recorded by {who})")
            }
            None => tr!(lang, "取締役会への報告: 必要、まだ報告の記録なし", "Board report: required, not recorded as made yet"),
        }
    });
    lines
}

/// Records and lessons waived, with the reasons.
fn waivers(r: &Record, lang: Lang) -> Vec<String> {
    let (i, l) = (&r.incident, &r.incident.lessons);
    let records = i.record_waivers.iter().map(|w| {
        let (kind, reason) = (w.kind.label().get(lang).to_string(), r.named_mentions(&w.reason));
        tr!(lang, "§4.3 の記録「{kind}」を免除（理由: {reason}）", "The §4.3 record {kind} waived (reason: {reason})")
    });
    let lessons = l.waivers.iter().map(|w| {
        let (item, reason) = (crate::domain::refusal::lesson_item(w.item, lang), r.named_mentions(&w.reason));
        tr!(lang, "{item} を免除（理由: {reason}）", "{item} waived (reason: {reason})")
    });
    records.chain(lessons).collect()
}

/// One follow-up: what, whose, when due, and whether done.
fn followup(r: &Record, f: &FollowUp, lang: Lang, tz: Tz) -> String {
    let n = f.n;
    let what = match &f.source {
        Source::Plan => r.named_mentions(&f.what),
        Source::PlaybookUpdate { playbook, .. } => {
            let what = r.named_mentions(&f.what);
            tr!(lang, "対応手順 {playbook} の更新: {what}", "Update playbook {playbook}: {what}")
        }
    };
    let owner = f.owner.map(|u| r.name_at(u, f.added_at)).unwrap_or_else(|| tr!(lang, "委員会", "the committee"));
    let due = local(f.due, tz);
    let state = match &f.done {
        Some(d) => {
            let at = local(d.at, tz);
            match d.by {
                Some(by) => {
                    let by = r.name_at(by, d.at);
                    tr!(lang, "完了（{at}、{by}）", "done ({at}, {by})")
                }
                None => tr!(lang, "完了（{at}、対応手順のファイルの更新を確認）", "done ({at}: the playbook's file changed)"),
            }
        }
        None => tr!(lang, "未完了", "open"),
    };
    tr!(lang, "#{n} {what} — 担当 {owner}、期限 {due} — {state}", "#{n} {what} — owner {owner}, due {due} — {state}")
}
