//! §5 operational checks of the set-up: a playbook for every assumed type
//! of incident, each drilled (§4.1(1), §4.1(2)); every system watched by a
//! detection rule (§4.1(3)) and owned (§4.1(4)).

use super::{t, Finding, Inputs};
use crate::domain::category::Coverage;
use crate::domain::{Category, Lang, SubKind};
use crate::tr;

/// §4.1(1), §4.1(2): a playbook for every assumed type of incident, and
/// every playbook drilled.
pub(super) fn playbooks(x: &Inputs, out: &mut Vec<Finding>) {
    let pbs = &x.settings.playbooks;
    for c in Category::ALL.into_iter().filter(|c| *c != Category::Unsure) {
        let kinds: Vec<SubKind> = c.sub_kinds().collect();
        for k in kinds {
            if pbs.matching(c, Some(k)).is_none() {
                let (ja, en) = (k.label().ja, k.label().en);
                out.push(Finding {
                    kind: "playbook_missing",
                    what: t(
                        format!("「{ja}」に対応する対応手順がありません（§4.1(1)）。"),
                        format!("No playbook covers “{en}” (§4.1(1))."),
                    ),
                    fix: t(
                        format!(
                            "「{ja}」の対応手順を作成してください（設定担当者へ: config/playbooks/ の covers に {}/{}）。",
                            c.id(),
                            k.id()
                        ),
                        format!("Add a playbook in config/playbooks/ whose covers include \"{}/{}\".", c.id(), k.id()),
                    ),
                });
            }
        }
    }
    // One finding for every playbook never drilled: a new set-up has
    // them all, and the message has room for the rest.
    let never: Vec<_> = pbs
        .all()
        .iter()
        .filter(|p| !p.covers.iter().all(|cv| matches!(cv, Coverage::Category(Category::Unsure))))
        .filter(|p| !x.last_drills.contains_key(&p.id))
        .collect();
    if !never.is_empty() {
        let titles = |lang: Lang| never.iter().map(|p| format!("「{}」", p.title.get(lang))).collect::<Vec<_>>().join("");
        let (ja, en) = (titles(Lang::Ja), never.iter().map(|p| format!("“{}”", p.title.en)).collect::<Vec<_>>().join(", "));
        let first = (never[0].title.ja.clone(), never[0].title.en.clone());
        out.push(Finding {
            kind: "never_drilled",
            what: t(
                format!("まだ一度も訓練されていない対応手順があります（§4.1(2)）: {ja}。"),
                format!("These playbooks have never been drilled (§4.1(2)): {en}."),
            ),
            fix: t(
                format!("/訓練 開始 で訓練してください（まず「{}」）。", first.0),
                format!("Run /drill start with each (first “{}”).", first.1),
            ),
        });
    }
}

/// §4.1(3): the systems no intake rule watches, those that may stop least
/// first (priority 3, then 2, …): an outage there reaches the committee
/// only if a member notices and reports it.
pub(super) fn detection(x: &Inputs, out: &mut Vec<Finding>) {
    let rules = &x.settings.intake_rules;
    let mut unwatched: Vec<_> = x.settings.systems.all().iter().filter(|s| !rules.iter().any(|r| r.systems.contains(&s.id))).collect();
    if unwatched.is_empty() {
        return;
    }
    unwatched.sort_by_key(|s| std::cmp::Reverse(s.priority.level()));
    let list = |lang: Lang| {
        let one = |s: &&crate::domain::systems::System| {
            let (name, level) = (&s.name, s.priority.level());
            tr!(lang, "{name}（復旧優先度{level}）", "{name} (priority {level})")
        };
        unwatched.iter().map(one).collect::<Vec<_>>().join(tr!(lang, "、", ", ").as_str())
    };
    let ids = unwatched.iter().map(|s| format!("\"{}\"", s.id)).collect::<Vec<_>>().join(", ");
    let (ja, en) = (list(Lang::Ja), list(Lang::En));
    out.push(Finding {
        kind: "system_undetected",
        what: t(
            format!("異常を検知する仕組みがないシステム（§4.1(3)）: {ja}。"),
            format!("Nothing detects trouble on these systems (§4.1(3)): {en}."),
        ),
        fix: t(
            format!("監視からの通知を受ける検知ルールを用意してください（設定担当者へ: config/hikeshi.toml の [[intake.rules]] の systems に {ids}）。"),
            format!("Add detection rules for them: [[intake.rules]] entries in config/hikeshi.toml whose systems include {ids}."),
        ),
    });
}

/// §4.1(4): every system has an owner.
pub(super) fn systems(x: &Inputs, out: &mut Vec<Finding>) {
    for s in x.settings.systems.all() {
        if s.owner.trim().is_empty() {
            out.push(Finding {
                kind: "system_without_owner",
                what: t(format!("システム「{}」に管理者がいません。", s.name), format!("The system “{}” has no owner.", s.name)),
                fix: t(
                    format!("管理者を決めてください（設定担当者へ: config/hikeshi.toml の [[systems]] id = \"{}\" の owner）。", s.id),
                    format!("Set owner for [[systems]] id = \"{}\" in config/hikeshi.toml.", s.id),
                ),
            });
        }
    }
}

/// §4.1 周知・徹底: every playbook and the priority registry carry the
/// version the committee approved, and when.
pub(super) fn approvals(x: &Inputs, out: &mut Vec<Finding>) {
    let unapproved: Vec<_> = x.settings.playbooks.all().iter().filter(|p| p.approval.is_none()).collect();
    if !unapproved.is_empty() {
        let ja = unapproved.iter().map(|p| format!("「{}」", p.title.ja)).collect::<String>();
        let en = unapproved.iter().map(|p| format!("“{}”", p.title.en)).collect::<Vec<_>>().join(", ");
        out.push(Finding {
            kind: "playbook_unapproved",
            what: t(
                format!("委員会の承認（版・承認日）が記録されていない対応手順があります（§4.1）: {ja}。"),
                format!("These playbooks carry no version approved by the committee (§4.1): {en}."),
            ),
            fix: t(
                "委員会で承認し、版と承認日を記録してください（設定担当者へ: 各対応手順ファイルの version と approved_on）。".into(),
                "Have the committee approve them and record it: version and approved_on in each playbook file.".into(),
            ),
        });
    }
    if x.settings.registry.approval.is_none() {
        out.push(Finding {
            kind: "registry_unapproved",
            what: t(
                "復旧優先度の一覧（表1）に委員会の承認（版・承認日）が記録されていません（§4.1(4)）。".into(),
                "The recovery-priority registry (Table 1) carries no version approved by the committee (§4.1(4)).".into(),
            ),
            fix: t(
                "委員会で承認し、版と承認日を記録してください（設定担当者へ: config/hikeshi.toml の [registry] version と approved_on）。"
                    .into(),
                "Have the committee approve it and record it: [registry] version and approved_on in config/hikeshi.toml.".into(),
            ),
        });
    }
}

/// §4.1(4): the systems reports named that the registry lacks, each once,
/// with the incidents that named them (the last three).
pub(super) fn unregistered(x: &Inputs, out: &mut Vec<Finding>) {
    let mut named: Vec<(String, Vec<String>)> = vec![];
    for i in x.incidents.iter().filter(|i| !i.is_drill()) {
        for a in i.affected.iter().filter(|a| a.system.is_none()) {
            let key = a.name.trim().to_lowercase();
            match named.iter_mut().find(|(n, _)| n.to_lowercase() == key) {
                Some((_, numbers)) => numbers.push(i.number.to_string()),
                None => named.push((a.name.trim().to_string(), vec![i.number.to_string()])),
            }
        }
    }
    if named.is_empty() {
        return;
    }
    let list = |sep: &str| {
        named
            .iter()
            .map(|(n, numbers)| format!("{n}（{}）", numbers.iter().rev().take(3).cloned().collect::<Vec<_>>().join(sep)))
            .collect::<Vec<_>>()
            .join(sep)
    };
    out.push(Finding {
        kind: "system_unregistered",
        what: t(
            format!("報告で挙げられたが登録されていないシステムがあります（§4.1(4) 表1）: {}。", list("、")),
            format!("Reports named systems the registry lacks (§4.1(4) Table 1): {}.", list(", ")),
        ),
        fix: t(
            "復旧優先度を決めて登録するか、既存のシステムの別名にしてください（設定担当者へ: config/hikeshi.toml の [[systems]] と aliases）。".into(),
            "Register each with its recovery priority, or add it as an alias of a known system ([[systems]] and aliases in config/hikeshi.toml).".into(),
        ),
    });
}

/// §4.4(1) 情報セキュリティ委員会および情報システム部は…作成: with no role
/// for 情報システム部, plans are approved by the committee alone; with
/// one, each plan approved in the year without its sign-off or a waiver
/// (approved before the role was configured) is named.
pub(super) fn it_department(x: &Inputs, since: chrono::DateTime<chrono::Utc>, out: &mut Vec<Finding>) {
    if x.settings.discord.it_department_role.is_none() {
        out.push(Finding {
            kind: "it_department_unset",
            what: t(
                "情報システム部のロールが設定されていないため、再発防止計画は委員会だけで承認されています（§4.4(1)）。".into(),
                "No role is set for the IT department (情報システム部), so prevention plans are approved by the committee alone (§4.4(1))."
                    .into(),
            ),
            fix: t(
                "情報システム部のロールを設定してください（設定担当者へ: [discord] it_department_role_id）。".into(),
                "Give the IT department's role to hikeshi ([discord] it_department_role_id).".into(),
            ),
        });
        return;
    }
    for i in x.incidents.iter().filter(|i| !i.is_drill()) {
        let l = &i.lessons;
        let Some(a) = l.plan_approval.as_ref().filter(|a| a.at >= since) else { continue };
        let signed = l.it_signoff.as_ref().is_some_and(|s| s.revision == a.revision);
        if !signed && !l.waived(crate::domain::lessons::LessonItem::ItSignOff) {
            let (n, r) = (i.number, a.revision);
            out.push(Finding {
                kind: "plan_without_signoff",
                what: t(
                    format!("{n} の再発防止計画（第{r}版）は情報システム部の確認なしに承認されています（§4.4(1)）。"),
                    format!("{n}'s prevention plan (revision {r}) was approved without the IT department's sign-off (§4.4(1))."),
                ),
                fix: t(format!("{n} の計画を情報システム部と見直してください。"), format!("Review {n}'s plan with the IT department.")),
            });
        }
    }
}
