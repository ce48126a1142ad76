//! §5 operational checks: are the procedures in place, and were the
//! lessons of each incident acted on? Each finding says what to do.

use crate::config::Settings;
use crate::domain::lessons::LessonItem;
use crate::domain::reminder::ReminderRow;
use crate::domain::{Incident, Lang, LogKind, PlaybookId, Text};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

mod setup;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable name for the kind of gap (tests, metrics).
    pub kind: &'static str,
    pub what: Text,
    pub fix: Text,
}

fn t(ja: String, en: String) -> Text {
    Text::new(ja, en)
}

/// Everything the audit looks at.
pub struct Inputs<'a> {
    pub settings: &'a Settings,
    pub incidents: &'a [Incident],
    pub reminders: &'a [ReminderRow],
    pub last_drills: &'a HashMap<PlaybookId, DateTime<Utc>>,
    /// Which §4.3 records each incident has an entry of.
    pub logged: &'a [(crate::domain::IncidentId, LogKind)],
    /// §4.4(3): how many members confirmed each announcement of the year.
    pub confirmed: &'a HashMap<crate::domain::IncidentId, usize>,
    /// How many members the server has, where the caller can tell.
    pub members: Option<usize>,
    pub now: DateTime<Utc>,
}

/// Exceptions (waivers, dismissals) of incidents closed within this long
/// are listed one by one; earlier ones were looked at by earlier audits
/// and are summed up in one line (`hikeshi audit --all` lists them).
pub const EXCEPTIONS_LISTED_FOR: chrono::Duration = chrono::Duration::days(365);

/// The findings, what needs action now first (drills and the review
/// overdue, reports owed, deadlines missed, then incidents closed without
/// their records), then gaps in the set-up (playbooks, drills, owners), then
/// the year's exceptions to look at again; `all` lists every exception
/// ever made instead of summing up the earlier ones.
pub fn audit(x: &Inputs, all: bool) -> Vec<Finding> {
    let (mut now, mut closed, mut setup, mut looked_at) = (vec![], vec![], vec![], vec![]);
    // The organisation's own overdue drill and review first: few, and
    // never behind a long list of incidents.
    reminders(x, &mut now);
    setup::playbooks(x, &mut setup);
    setup::systems(x, &mut setup);
    setup::detection(x, &mut setup);
    setup::approvals(x, &mut setup);
    setup::unregistered(x, &mut setup);
    let since = x.now - EXCEPTIONS_LISTED_FOR;
    setup::it_department(x, since, &mut setup);
    let mut earlier = 0;
    for i in x.incidents.iter().filter(|i| !i.is_drill()) {
        owed(i, x.now, &mut now);
        closed_without(i, x, &mut closed);
        let before = looked_at.len();
        exceptions(i, &mut looked_at);
        if !all && i.closed_at.unwrap_or(i.reported_at) < since {
            earlier += looked_at.len() - before;
            looked_at.truncate(before);
        }
    }
    if earlier > 0 {
        looked_at.push(earlier_exceptions(earlier, since, x.settings.organisation.tz));
    }
    confirmed(x, &mut looked_at);
    now.extend(closed);
    now.extend(setup);
    now.extend(looked_at);
    now
}

/// §4.4(3) すべての会員に周知: the share of members who confirmed each
/// announcement of the past year.
fn confirmed(x: &Inputs, out: &mut Vec<Finding>) {
    let days = x.settings.remind_unread_after.num_days();
    for i in x.incidents.iter().filter(|i| x.confirmed.contains_key(&i.id)) {
        let (n, read) = (i.number, x.confirmed[&i.id]);
        let (ja, en) = match x.members.filter(|m| *m > 0) {
            Some(m) => {
                let p = read * 100 / m;
                (format!("{read}人（会員{m}人中 {p}%）"), format!("{read} of {m} members ({p}%)"))
            }
            None => (format!("{read}人"), format!("{read} member(s)")),
        };
        out.push(Finding {
            kind: "announcement_confirmed",
            what: t(
                format!("{n} の再発防止計画の周知（§4.4(3)）を確認した会員: {ja}。"),
                format!("{n}: the prevention plan's announcement (§4.4(3)) was confirmed by {en}."),
            ),
            fix: t(
                format!("未確認の会員には周知の{days}日後にDMでお知らせしています。"),
                format!("Members who had not confirmed it were reminded by DM {days} days after it."),
            ),
        });
    }
}

/// One line for the exceptions earlier audits listed.
fn earlier_exceptions(n: usize, since: DateTime<Utc>, tz: chrono_tz::Tz) -> Finding {
    let day = since.with_timezone(&tz).date_naive();
    Finding {
        kind: "exceptions_earlier",
        what: t(
            format!("{day} より前に終了したインシデントの免除・非該当判断 {n}件は、以前の運用確認で確認済みです。"),
            format!("{n} waiver(s) and dismissal(s) of incidents closed before {day} were listed by earlier audits."),
        ),
        fix: t("一覧は hikeshi audit --all で表示できます。".into(), "hikeshi audit --all lists them.".into()),
    }
}

/// An incident closed without its lessons (§4.4, §5) or its §4.3 records.
fn closed_without(i: &Incident, x: &Inputs, out: &mut Vec<Finding>) {
    let n = i.number;
    // §5: after each incident, were prevention and improvement done?
    if !i.phase.is_open() && i.close_reason.is_none() {
        let missing: Vec<LessonItem> = i.lessons.missing(false).into_iter().filter(|m| *m != LessonItem::BoardQuestions).collect();
        if !missing.is_empty() {
            out.push(Finding {
                kind: "closed_without_lessons",
                what: t(
                    format!("{n} は再発防止計画または改善メモがないまま終了しています（§4.4, §5）。"),
                    format!("{n} closed without a prevention plan or improvement notes (§4.4, §5)."),
                ),
                fix: t(
                    format!("{n} の計画と改善メモを記録し、記録に残してください。"),
                    format!("Record {n}'s plan and improvement notes."),
                ),
            });
        }
    }
    // §4.3: closed as an incident without the three records (written
    // before they were required, or closed some other way).
    if !i.phase.is_open() && i.close_reason.is_none() {
        let logged: Vec<LogKind> = x.logged.iter().filter(|(id, _)| *id == i.id).map(|(_, k)| *k).collect();
        let missing = i.records_missing(&logged);
        if !missing.is_empty() {
            let (ja, en) = (
                missing.iter().map(|k| format!("「{}」", k.label().ja)).collect::<String>(),
                missing.iter().map(|k| k.label().en.to_string()).collect::<Vec<_>>().join(", "),
            );
            out.push(Finding {
                kind: "closed_without_records",
                what: t(
                    format!("{n} は §4.3 の記録{ja}がないまま終了しています。"),
                    format!("{n} closed without the §4.3 record(s): {en}."),
                ),
                fix: t(format!("{n} の記録を補ってください。"), format!("Complete {n}'s records.")),
            });
        }
    }
}

/// §5: every exception to the procedure is looked at again: waived
/// records and lessons, and reports dismissed as not incidents.
fn exceptions(i: &Incident, out: &mut Vec<Finding>) {
    let n = i.number;
    for w in &i.record_waivers {
        let (ja, en, reason) = (w.kind.label().ja, w.kind.label().en, w.reason.clone());
        out.push(Finding {
            kind: "record_waived",
            what: t(
                format!("{n}: §4.3 の記録「{ja}」が免除されました（理由: {reason}）。"),
                format!("{n}: the §4.3 record {en} was waived (reason: {reason})."),
            ),
            fix: t("免除が妥当だったか確認してください。".into(), "Check that the waiver was right.".into()),
        });
    }
    for w in &i.lessons.waivers {
        let (ja, en, reason) = (
            crate::domain::refusal::lesson_item(w.item, Lang::Ja),
            crate::domain::refusal::lesson_item(w.item, Lang::En),
            w.reason.clone(),
        );
        out.push(Finding {
            kind: "lesson_waived",
            what: t(format!("{n}: {ja}が免除されました（理由: {reason}）。"), format!("{n}: {en} was waived (reason: {reason}).")),
            fix: t("免除が妥当だったか確認してください。".into(), "Check that the waiver was right.".into()),
        });
    }
    // §4.4(2): "not applicable" to both questions keeps it from the
    // board; the committee looks at each such decision again.
    let b = i.lessons.board;
    if (b.victim_of_outside_breach, b.harmed_outsiders) == (Some(false), Some(false)) {
        out.push(Finding {
            kind: "board_not_applicable",
            what: t(
                format!("{n}: 取締役会報告の2つの設問がどちらも「非該当」とされ、取締役会に報告されていません（§4.4(2)）。"),
                format!("{n}: both board questions were answered “no”, so the board was not told (§4.4(2))."),
            ),
            fix: t(
                "非該当の判断が妥当だったか委員会で確認してください。".into(),
                "The committee checks that both answers were right.".into(),
            ),
        });
    }
    if let (Some(reason), None) = (&i.close_reason, i.duplicate_of) {
        out.push(Finding {
            kind: "dismissed",
            what: t(
                format!("{n} はインシデントではないとして終了しました（理由: {reason}）。"),
                format!("{n} was closed as not an incident (reason: {reason})."),
            ),
            fix: t("判断が妥当だったか確認してください。".into(), "Check that the decision was right.".into()),
        });
    }
}

/// What an incident still owes: the board's report, follow-ups, recovery.
fn owed(i: &Incident, now: DateTime<Utc>, out: &mut Vec<Finding>) {
    let n = i.number;
    // §4.4(2): the board must be told; nobody recorded that it was.
    if i.lessons.board_report_owed() {
        out.push(Finding {
            kind: "board_report_owed",
            what: t(
                format!("{n} は取締役会への報告が必要ですが、報告の記録がありません（§4.4(2)）。"),
                format!("{n} must be reported to the board, and no report is recorded (§4.4(2))."),
            ),
            fix: t(
                format!("取締役会に報告したら、委員会チャンネルの {n} の報告書案で「取締役会に報告済みにする」を押してください。"),
                format!("Once the board is told, press “Record: the board was told” on {n}'s draft in the committee channel."),
            ),
        });
    }
    // §4.4(1) 適切に実施: follow-up actions past their due date.
    for f in i.lessons.open_followups().filter(|f| f.overdue(now)) {
        let (k, days) = (f.n, (now - f.due).num_days());
        out.push(Finding {
            kind: "followup_overdue",
            what: t(
                format!("{n} のフォローアップ #{k} が期限を{days}日過ぎています（§4.4(1)）。"),
                format!("{n} follow-up #{k} is {days} days overdue (§4.4(1))."),
            ),
            fix: t("実施して /フォローアップ で完了にしてください。".into(), "Carry it out, then mark it done with /followups.".into()),
        });
    }
    // Table 1: open past the recovery deadline.
    if i.phase.is_open() && !i.phase.recovery_complete() {
        if let Some(d) = i.deadline.at().filter(|d| *d < now) {
            let hours = (now - d).num_hours();
            out.push(Finding {
                kind: "past_deadline",
                what: t(
                    format!("{n} は表1の復旧期限を{hours}時間過ぎています。"),
                    format!("{n} is {hours} h past its Table 1 recovery deadline."),
                ),
                fix: t(
                    format!("{n} の実行責任者は復旧を急ぎ、状況を記録してください。"),
                    format!("{n}'s commander: restore and log the status."),
                ),
            });
        }
    }
}

/// §4.1(2), §9: drills and the yearly review happen when due.
fn reminders(x: &Inputs, out: &mut Vec<Finding>) {
    let overdue_after = x.settings.schedules.policy.escalate_unacknowledged_after;
    for r in x.reminders.iter().filter(|r| r.acknowledged_by.is_none() && r.fired_at + overdue_after <= x.now) {
        let days = (x.now - r.fired_at).num_days();
        let (kind, what) = match r.kind.as_str() {
            "drill" => (
                "drill_overdue",
                t(format!("訓練が{days}日遅れています（§4.1(2)）。"), format!("A drill is {days} days overdue (§4.1(2)).")),
            ),
            "annual_review" => (
                "review_overdue",
                t(
                    format!("規程の内容の適切性の審議（年１回）が{days}日遅れています（§9）。"),
                    format!("The yearly review is {days} days overdue (§9)."),
                ),
            ),
            _ => continue,
        };
        out.push(Finding {
            kind,
            what,
            fix: t(
                "実施し、リマインダーの「確認済みにする」を押してください。".into(),
                "Do it, then press Acknowledge on the reminder.".into(),
            ),
        });
    }
}

/// The findings as one text, in `lang`.
pub fn report(findings: &[Finding], lang: Lang) -> String {
    report_within(findings, lang, usize::MAX).0
}

/// The findings as a text of at most `max` characters (Discord's 2,000):
/// whole findings in order (what needs action first), and when some do
/// not fit, a last line saying how many more there are. `true` when all
/// fit.
pub fn report_within(findings: &[Finding], lang: Lang, max: usize) -> (String, bool) {
    use crate::tr;
    if findings.is_empty() {
        return (tr!(lang, "✅ 運用確認（§5）: 指摘事項はありません。", "✅ Audit (§5): no findings."), true);
    }
    let n = findings.len();
    let mut out = tr!(lang, "🔎 運用確認（§5）: 指摘 {n}件\n", "🔎 Audit (§5): {n} finding(s)\n");
    // Room kept for the line that says what did not fit.
    let room = max.saturating_sub(120);
    let mut used = out.chars().count();
    for (k, f) in findings.iter().enumerate() {
        let line = format!("\n• {}\n  → {}", f.what.get(lang), f.fix.get(lang));
        let len = line.chars().count();
        let last = k + 1 == n;
        if used + len > if last { max } else { room } {
            let more = n - k;
            out.push_str(&tr!(
                lang,
                "\n\n…ほか {more}件（全文は添付ファイルまたは hikeshi audit）",
                "\n\n…and {more} more (the attached file or hikeshi audit has them all)"
            ));
            return (out, false);
        }
        used += len;
        out.push_str(&line);
    }
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{incident, now};
    use crate::domain::Phase;

    fn settings() -> Settings {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config")
    }

    fn dismissed(n: u32, at: DateTime<Utc>) -> Incident {
        let mut i = incident(false);
        i.number.seq = n;
        i.phase = Phase::Closed;
        i.closed_at = Some(at);
        i.close_reason = Some("a phishing test by the IT team".into());
        i
    }

    /// §5 at ten years: hundreds of old dismissals do not push this
    /// month's overdue drill out of the first message Discord shows; the
    /// year's dismissals are still listed, the earlier ones summed up.
    #[test]
    fn what_needs_action_comes_first_and_old_exceptions_are_summed_up() {
        let s = settings();
        let mut incidents: Vec<Incident> = (1..=400).map(|n| dismissed(n, now() - chrono::Duration::days(2000))).collect();
        incidents.push(dismissed(401, now() - chrono::Duration::days(30)));
        let drill = ReminderRow {
            id: 1,
            kind: "drill".into(),
            scheduled_at: now() - chrono::Duration::days(20),
            missed: 0,
            fired_at: now() - chrono::Duration::days(20),
            playbook: None,
            acknowledged_by: None,
            escalated_at: None,
        };
        let x = Inputs {
            settings: &s,
            incidents: &incidents,
            reminders: &[drill],
            last_drills: &HashMap::new(),
            logged: &[],
            confirmed: &HashMap::new(),
            members: None,
            now: now(),
        };
        let found = audit(&x, false);
        assert_eq!(found[0].kind, "drill_overdue", "{:?}", found.iter().map(|f| f.kind).collect::<Vec<_>>());
        let kinds = |k: &str| found.iter().filter(|f| f.kind == k).count();
        assert_eq!((kinds("dismissed"), kinds("exceptions_earlier")), (1, 1), "the year's one listed, the 400 earlier summed up");
        assert!(found.last().unwrap().what.get(Lang::En).starts_with("400 waiver(s) and dismissal(s)"));
        assert_eq!(audit(&x, true).iter().filter(|f| f.kind == "dismissed").count(), 401, "--all lists every one");
        for lang in [Lang::Ja, Lang::En] {
            let (first, whole) = report_within(&audit(&x, true), lang, 2000);
            assert!(!whole);
            assert!(first.chars().count() <= 2000, "{}", first.chars().count());
            assert!(first.contains(found[0].what.get(lang)), "the overdue drill is in the first message");
            assert!(first.ends_with(&tr_more(lang, audit(&x, true).len() - first.matches("\n• ").count())));
            assert_eq!(report_within(&found, lang, usize::MAX), (report(&found, lang), true));
        }
    }

    /// §4.4(1): without a role for 情報システム部 the audit says so once;
    /// with one, a plan approved in the year without its sign-off or a
    /// waiver is named, and one signed off or waived is not.
    #[test]
    fn plans_approved_without_the_it_department_are_named() {
        use crate::domain::lessons::{ItSignOff, LessonItem, PlanApproval, PreventionPlan, Waiver};
        let approved = |seq: u32, revision: u32| {
            let mut i = incident(false);
            i.number.seq = seq;
            let plan = PreventionPlan::new("a", "b").unwrap();
            i.lessons.plan = Some(plan.clone());
            i.lessons.plan_revision = revision;
            i.lessons.plan_approval = Some(PlanApproval { revision, plan, by: crate::domain::UserId(2), at: now() });
            i
        };
        let mut signed = approved(2, 2);
        signed.lessons.it_signoff = Some(ItSignOff { revision: 2, by: crate::domain::UserId(7), at: now() });
        let mut stale = approved(3, 2);
        stale.lessons.it_signoff = Some(ItSignOff { revision: 1, by: crate::domain::UserId(7), at: now() });
        let mut waived = approved(4, 1);
        waived.lessons.waivers.push(Waiver { item: LessonItem::ItSignOff, reason: "紙の紛失".into(), by: crate::domain::UserId(2) });
        let incidents = vec![approved(1, 1), signed, stale, waived];
        let mut s = settings();
        let kinds = |s: &Settings| {
            let x = Inputs {
                settings: s,
                incidents: &incidents,
                reminders: &[],
                last_drills: &HashMap::new(),
                logged: &[],
                confirmed: &HashMap::new(),
                members: None,
                now: now(),
            };
            audit(&x, false)
                .into_iter()
                .filter(|f| f.kind.contains("signoff") || f.kind.starts_with("it_"))
                .map(|f| (f.kind, f.what.get(Lang::Ja).to_string()))
                .collect::<Vec<_>>()
        };
        let unset = kinds(&s);
        assert_eq!(unset.len(), 1, "{unset:?}");
        assert_eq!(unset[0].0, "it_department_unset");
        s.discord.it_department_role = Some(crate::domain::RoleId(9));
        let named = kinds(&s);
        assert_eq!(named.iter().map(|f| f.0).collect::<Vec<_>>(), ["plan_without_signoff", "plan_without_signoff"], "{named:?}");
        assert!(named[0].1.contains("2026-0001") && named[1].1.contains("2026-0003"), "{named:?}");
    }

    fn tr_more(lang: Lang, more: usize) -> String {
        match lang {
            Lang::Ja => format!("…ほか {more}件（全文は添付ファイルまたは hikeshi audit）"),
            Lang::En => format!("…and {more} more (the attached file or hikeshi audit has them all)"),
        }
    }
}
