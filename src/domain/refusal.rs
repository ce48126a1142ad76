//! What the regulation refuses, worded for the person who asked: every
//! refusal is a variant, and its Japanese and English texts sit together in
//! one `match` (a new variant does not compile until it has both). The
//! Japanese uses the regulation's own words (glossary.md).

use super::ids::UserId;
use super::lessons::LessonItem;
use super::permission::Role;
use super::phase::{Phase, PhaseError};
use super::text::Lang;
use crate::tr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentError {
    /// Only these roles may do it (§4.1(1), §4.2).
    NotAllowed(&'static [Role]),
    /// No playbook matches: the committee appoints instead (§4.2).
    NoPlaybook,
    AlreadyCommanded(UserId),
    /// §4.1(1): the playbook has no such role (its roles, to choose from).
    NoSuchRole(Vec<super::text::Text>),
    AlreadyInRole(UserId),
    /// §4.1(4): no such unregistered system in this incident (those it has).
    NotUnregistered(Vec<String>),
    /// §4.1(4): not a system this incident names (those it names).
    NotAffected(Vec<String>),
    OutageOpen(String),
    NoOutage(String),
    RestoredBeforeOutage,
    /// A time that could not be read.
    TimeNotUnderstood(String),
    /// §4.1(1): closing says whether the end trigger was met.
    EndTriggerUnanswered,
    /// §4.2: containment starts from the analysis's findings.
    FindingsMissing,
    FindingsTooEarly,
    FindingsEmpty,
    FindingsTooLong(usize),
    /// §4.2: the committee chose the playbook the incident already has.
    PlaybookAlreadyChosen,
    /// §4.2: the report was acknowledged once, by this member.
    AlreadyAcknowledged(UserId),
    /// Only a report held for triage can be opened from the triage post.
    NotHeld,
    /// Command can be handed over only once someone holds it.
    NoCommanderToHandOver,
    /// Analysis needs a commander first (§4.2).
    NeedsCommander,
    /// These checklist items are unticked; confirm to record them skipped.
    NeedsConfirmation(Vec<usize>),
    /// The current checklist has no item with this number (1-based).
    NoSuchItem(usize),
    Phase(PhaseError),
    ReasonRequired,
    /// Not a possible original for a duplicate.
    BadOriginal,
    AlreadyResponder(UserId),
    NotResponder(UserId),
    /// §4.3: leaving Recovery needs each kind of record (or a waiver).
    RecordsMissing(Vec<crate::domain::log_entry::LogKind>),
    /// §4.4: what closing still needs.
    LessonsIncomplete(Vec<LessonItem>),
    NotInLessons,
    /// §4.4(1): both parts of the prevention plan are required.
    PlanTechnicalEmpty,
    PlanOrganisationalEmpty,
    /// §4.4(2) is about real incidents.
    DrillNotForBoard,
    /// The confidential reporter sent nothing.
    InfoEmpty,
    /// APPI Art. 26 concerns real breach incidents.
    AppiNotApplicable,
    NoPpcReportOwed,
    AlreadyConfidential,
    /// Only a report gathered into this incident's wave can be split out.
    NotInWave,
    /// A sub-kind is chosen under its own category only (§1).
    KindOutsideCategory,
    /// §4.4(1): there is no plan, or no new revision, to approve.
    NothingToApprove,
    /// §4.4(1): 情報システム部 has not signed off the plan as it stands.
    PlanAwaitsSignOff,
    /// §4.4(1): the plan was revised after the button was posted (the
    /// revision now).
    SignOffStale(u32),
    /// §4.4(1): nothing awaits the IT department's sign-off.
    NothingToSignOff,
    /// §4.4(2): the answers do not call for a board report.
    NoBoardReportOwed,
    BoardAlreadyTold,
    /// §4.4(2): the board hears of an approved plan.
    BoardNeedsApprovedPlan,
    BoardDecisionEmpty,
    /// The board's meeting is recorded once it has met.
    BoardMeetingAhead,
    /// Follow-up actions come from the lessons (§4.4): not before them.
    FollowUpTooEarly,
    NoSuchFollowUp(u32),
    FollowUpAlreadyDone(u32),
}

impl From<PhaseError> for IncidentError {
    fn from(e: PhaseError) -> Self {
        IncidentError::Phase(e)
    }
}

/// A role as the regulation names it.
pub fn role_name(r: Role, lang: Lang) -> String {
    match r {
        Role::Member => tr!(lang, "すべての会員", "any member"),
        Role::Reporter => tr!(lang, "報告者", "the reporter"),
        Role::Responder => tr!(lang, "対応者", "responders"),
        Role::Commander => tr!(lang, "実行責任者", "the incident commander"),
        Role::Committee => tr!(lang, "情報セキュリティ委員会", "the security committee"),
        Role::ItDepartment => tr!(lang, "情報システム部", "the IT department (情報システム部)"),
    }
}

fn roles(roles: &[Role], lang: Lang) -> String {
    let names: Vec<String> = roles.iter().map(|r| role_name(*r, lang)).collect();
    match lang {
        Lang::Ja => names.join("または"),
        Lang::En => names.join(" or "),
    }
}

/// What closing an incident needs (§4.4), named for the reader.
pub fn lesson_item(i: LessonItem, lang: Lang) -> String {
    match i {
        LessonItem::Plan => tr!(lang, "再発防止計画（§4.4(1)）", "the prevention plan (§4.4(1))"),
        LessonItem::PlanApproval => {
            tr!(lang, "委員会による再発防止計画の承認（§4.4(1)）", "the committee's approval of the prevention plan (§4.4(1))")
        }
        LessonItem::ItSignOff => {
            tr!(lang, "情報システム部による再発防止計画の確認（§4.4(1)）", "the IT department's sign-off on the prevention plan (§4.4(1))")
        }
        LessonItem::BoardQuestions => tr!(lang, "取締役会報告の2つの質問（§4.4(2)）", "the two board questions (§4.4(2))"),
        LessonItem::ImprovementNotes => tr!(lang, "対応手順の改善メモ（§4.4(4)）", "playbook-improvement notes (§4.4(4))"),
    }
}

fn phase(p: Phase, lang: Lang) -> String {
    p.label().get(lang).to_string()
}

impl PhaseError {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            PhaseError::AlreadyClosed => tr!(lang, "このインシデントはすでに終了しています。", "This incident is already closed."),
            PhaseError::Skips { from, to, next } => {
                let (from, to, next) = (phase(*from, lang), phase(*to, lang), phase(*next, lang));
                tr!(
                    lang,
                    "「{from}」から「{to}」へは進めません。次のフェーズは「{next}」です。",
                    "Cannot move from {from} to {to}: the next phase is {next}."
                )
            }
            PhaseError::Backwards { from, to } => {
                let (from, to) = (phase(*from, lang), phase(*to, lang));
                tr!(
                    lang,
                    "「{from}」から「{to}」へは戻せません。フェーズは先へ進むだけです。",
                    "Cannot go back from {from} to {to}: phases only go forward."
                )
            }
            PhaseError::Same(p) => {
                let p = phase(*p, lang);
                tr!(lang, "すでに「{p}」です。", "The incident is already in {p}.")
            }
        }
    }
}

impl IncidentError {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            IncidentError::NotAllowed(r) => {
                let w = roles(r, lang);
                tr!(lang, "この操作は{w}だけが行えます。", "Only {w} may do this.")
            }
            IncidentError::NoPlaybook => tr!(
                lang,
                "該当する対応手順がないため、委員会が実行責任者を任命してください（§4.2）。",
                "No playbook matches this incident: the committee appoints a commander instead (§4.2)."
            ),
            IncidentError::AlreadyCommanded(u) => {
                tr!(lang, "<@{u}> がすでに実行責任者です。", "<@{u}> is already in command.")
            }
            IncidentError::AlreadyAcknowledged(u) => {
                tr!(lang, "<@{u}> がすでに確認しました。", "<@{u}> has already acknowledged it.")
            }
            IncidentError::NotHeld => tr!(
                lang,
                "この報告は保留されていません（すでに対応チャンネルがあります）。",
                "This report is not held: it already has its channel."
            ),
            IncidentError::NoCommanderToHandOver => tr!(
                lang,
                "まだ実行責任者がいないため引き継げません。実行責任者になるか任命してください（§4.2）。",
                "Nobody is in command yet, so there is nothing to hand over: take command or appoint a commander (§4.2)."
            ),
            IncidentError::NeedsCommander => tr!(
                lang,
                "実行責任者が決まるまで分析を始められません。実行責任者になるか任命してください（§4.2）。",
                "Analysis cannot start before a commander exists: take command or appoint one (§4.2)."
            ),
            IncidentError::NeedsConfirmation(items) => {
                let n = items.len();
                tr!(lang, "未チェックの項目が{n}件あります。", "{n} checklist item(s) are not ticked.")
            }
            IncidentError::NoSuchItem(n) => {
                tr!(lang, "このフェーズのチェックリストに項目{n}はありません。", "This phase's checklist has no item {n}.")
            }
            IncidentError::Phase(p) => p.text(lang),
            IncidentError::ReasonRequired => tr!(lang, "理由を書いてください。", "Please give a reason."),
            IncidentError::NoSuchRole(names) => {
                let list = names.iter().enumerate().map(|(n, t)| format!("{}. {}", n + 1, t.get(lang))).collect::<Vec<_>>().join("、");
                tr!(lang, "対応手順にその役割はありません。番号か名前で選んでください: {list}", "The playbook has no such role. Choose one by number or name: {list}")
            }
            IncidentError::NotUnregistered(names) if names.is_empty() => {
                tr!(lang, "このインシデントに登録外のシステムはありません。", "This incident names no system outside the registry.")
            }
            IncidentError::NotUnregistered(names) => {
                let list = names.join("、");
                tr!(lang, "登録外のシステムの名前を、報告のとおりに書いてください: {list}", "Name an unregistered system as the report does: {list}")
            }
            IncidentError::NotAffected(names) => {
                let list = names.join("、");
                tr!(lang, "影響を受けるシステムの名前を書いてください（/インシデント 区分変更 で追加できます）: {list}", "Name one of the affected systems (/incident reclassify adds more): {list}")
            }
            IncidentError::OutageOpen(s) => tr!(lang, "「{s}」はすでに停止中として記録されています。先に復旧を記録してください。", "“{s}” is already recorded as down: record its restoration first."),
            IncidentError::NoOutage(s) => tr!(lang, "「{s}」の停止はまだ記録されていません。先に停止を記録してください。", "No outage of “{s}” is recorded: record when it went down first."),
            IncidentError::TimeNotUnderstood(t) => tr!(lang, "「{t}」は時刻として読めません。2026-11-25 14:30 や 14:30 のように書いてください（空欄は今）。", "“{t}” is not a time: write it like 2026-11-25 14:30 or 14:30 (empty is now)."),
            IncidentError::RestoredBeforeOutage => tr!(lang, "復旧の時刻が停止より前です。時刻を確かめてください。", "The restoration is before the outage: check the times."),
            IncidentError::EndTriggerUnanswered => tr!(
                lang,
                "終了する前に、対応手順の終了の契機を満たしたかを答えてください（カードの「終了する」ボタン、§4.1(1)）。",
                "Before closing, say whether the playbook's end trigger was met (the card's Close buttons, §4.1(1))."
            ),
            IncidentError::AlreadyInRole(u) => tr!(lang, "<@{u}> はすでにその役割です。", "<@{u}> already holds that role."),
            IncidentError::FindingsMissing => tr!(
                lang,
                "封じ込めの前に、分析で分かった被害と原因を「調査結果」に記録してください（§4.2）。急ぐ場合は委員会が理由を付けて免除できます。",
                "Before containment, record what the analysis found — the damage and its cause — under Findings (§4.2). If it cannot wait, the committee may waive it with a reason."
            ),
            IncidentError::FindingsTooEarly => tr!(
                lang,
                "調査結果は分析フェーズから記録できます。実行責任者が決まって分析に進んでから、もう一度お試しください。",
                "Findings are recorded from the Analysis phase on: once a commander has moved it there, try again."
            ),
            IncidentError::FindingsEmpty => tr!(lang, "被害と原因の両方を書いてください（分からない点は「不明」と）。", "Write both the damage and the cause (“unknown” where it is not known yet)."),
            IncidentError::FindingsTooLong(max) => tr!(lang, "被害・原因はそれぞれ{max}文字以内で書いてください。", "Keep the damage and the cause to {max} characters each."),
            IncidentError::PlaybookAlreadyChosen => {
                tr!(lang, "この対応手順はすでに選ばれています。", "This incident already follows that playbook.")
            }
            IncidentError::BadOriginal => tr!(
                lang,
                "自分自身や、重複として閉じたインシデント、訓練と本番をまたぐ重複は指定できません。",
                "An incident cannot duplicate itself, a closed duplicate, or across drill and real incidents."
            ),
            IncidentError::AlreadyResponder(u) => {
                tr!(lang, "<@{u}> はすでに対応者です。", "<@{u}> is already a responder.")
            }
            IncidentError::NotResponder(u) => tr!(lang, "<@{u}> は対応者ではありません。", "<@{u}> is not a responder."),
            IncidentError::LessonsIncomplete(items) => {
                let list = items.iter().map(|i| lesson_item(*i, lang)).collect::<Vec<_>>().join(", ");
                tr!(
                    lang,
                    "まだ終了できません。足りないもの: {list}（委員会は理由を添えて免除できます）。",
                    "The incident cannot close yet. Missing: {list} (the committee may waive an item with a reason)."
                )
            }
            IncidentError::RecordsMissing(kinds) => {
                let list = kinds.iter().map(|k| format!("「{}」", k.label().get(lang))).collect::<Vec<_>>().join("");
                tr!(
                    lang,
                    "復旧を終えるには §4.3 の3種類の記録が必要です。まだない記録: {list}。記録するか、委員会が理由を添えて免除してください。",
                    "Recovery ends only with the three §4.3 records. Missing: {list}. Log them, or the committee waives one with a reason."
                )
            }
            IncidentError::NotInLessons => {
                tr!(lang, "これは「インシデントからの学習」フェーズで行います。", "This belongs to the Lessons phase.")
            }
            IncidentError::PlanTechnicalEmpty => {
                tr!(lang, "再発防止計画の技術的対策が空です（§4.4(1)）。", "The technical part of the prevention plan is empty (§4.4(1)).")
            }
            IncidentError::PlanOrganisationalEmpty => tr!(
                lang,
                "再発防止計画の組織的対策が空です（§4.4(1)）。",
                "The organisational part of the prevention plan is empty (§4.4(1))."
            ),
            IncidentError::DrillNotForBoard => {
                tr!(lang, "訓練は取締役会への報告の対象外です。", "Drills are never reported to the board.")
            }
            IncidentError::InfoEmpty => tr!(lang, "追加する情報が空です。", "The information is empty."),
            IncidentError::AppiNotApplicable => tr!(
                lang,
                "個人情報に関する質問は、実際の「侵害」インシデントが対象です。",
                "The personal-data questions concern real breach incidents."
            ),
            IncidentError::NoPpcReportOwed => {
                tr!(
                    lang,
                    "個人情報保護委員会への報告は必要ありません。",
                    "No report to the Personal Information Protection Commission is owed."
                )
            }
            IncidentError::NotInWave => tr!(
                lang,
                "その報告はこのインシデントにまとめられた報告ではありません。",
                "That report was not gathered into this incident."
            ),
            IncidentError::AlreadyConfidential => {
                tr!(lang, "この報告はすでに匿名（報告者を秘匿）です。", "This report is already confidential.")
            }
            IncidentError::KindOutsideCategory => tr!(
                lang,
                "その種類は選んだ区分に属しません（§1）。区分と種類を合わせてください。",
                "That kind does not belong to the chosen category (§1): choose them together."
            ),
            IncidentError::NothingToApprove => tr!(
                lang,
                "承認する再発防止計画がありません（計画がないか、この版はすでに承認済みです）。",
                "There is no prevention plan to approve (none was saved, or this revision is already approved)."
            ),
            IncidentError::PlanAwaitsSignOff => tr!(
                lang,
                "この版の再発防止計画は情報システム部がまだ確認していません。情報システム部の確認を待つか、委員会が理由を添えて確認を免除してください（§4.4(1)）。",
                "The IT department has not signed off this revision of the prevention plan yet: wait for its sign-off, or waive it with a reason (§4.4(1))."
            ),
            IncidentError::SignOffStale(current) => tr!(
                lang,
                "このボタンの後に再発防止計画が改訂されました（現在は第{current}版）。最新の版を読んでから、その版のボタンで確認してください。",
                "The prevention plan was revised after this button was posted (it is now revision {current}): read the latest revision and sign off with its button."
            ),
            IncidentError::NothingToSignOff => tr!(
                lang,
                "情報システム部が確認する再発防止計画はありません（計画がないか、この版は確認済みか、確認が免除されています）。",
                "No prevention plan awaits the IT department's sign-off (none was saved, this revision is signed off, or the sign-off was waived)."
            ),
            IncidentError::NoBoardReportOwed => tr!(
                lang,
                "取締役会への報告は必要ありません（§4.4(2) の2つの質問がいずれも非該当、または未回答です）。",
                "No board report is owed (§4.4(2): both questions answered no, or not answered yet)."
            ),
            IncidentError::BoardAlreadyTold => {
                tr!(lang, "取締役会への報告はすでに記録されています。", "The board report is already recorded.")
            }
            IncidentError::BoardNeedsApprovedPlan => tr!(
                lang,
                "取締役会へは委員会が承認した再発防止計画を報告します。先に計画を承認してください（§4.4(1)(2)）。",
                "The board hears of the plan the committee approved: approve the prevention plan first (§4.4(1)(2))."
            ),
            IncidentError::BoardDecisionEmpty => tr!(
                lang,
                "取締役会の決定・指示の内容を書いてください（なければ「指示なし」）。",
                "Write what the board decided or instructed (or “no instruction”)."
            ),
            IncidentError::BoardMeetingAhead => tr!(
                lang,
                "取締役会の開催日が未来の日付です。開催後に記録してください。",
                "The board's meeting date is in the future: record it once the board has met."
            ),
            IncidentError::FollowUpTooEarly => tr!(
                lang,
                "フォローアップは「インシデントからの学習」フェーズから登録できます（§4.4）。",
                "Follow-up actions can be added from the Lessons phase on (§4.4)."
            ),
            IncidentError::NoSuchFollowUp(n) => {
                tr!(lang, "フォローアップ #{n} はありません。", "There is no follow-up action #{n}.")
            }
            IncidentError::FollowUpAlreadyDone(n) => {
                tr!(lang, "フォローアップ #{n} はすでに完了しています。", "Follow-up action #{n} is already done.")
            }
        }
    }
}

/// English, for logs.
impl std::fmt::Display for IncidentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for IncidentError {}

#[cfg(test)]
impl IncidentError {
    /// One of each variant, for the test that reads every refusal in
    /// Japanese (the `match` in that test fails to compile when a variant
    /// is added without an example here).
    pub fn examples() -> Vec<IncidentError> {
        let mut all = Self::examples_first();
        all.extend(Self::examples_second());
        all
    }

    fn examples_first() -> Vec<IncidentError> {
        use IncidentError::*;
        vec![
            NotAllowed(&[Role::Commander, Role::Committee]),
            NoPlaybook,
            AlreadyCommanded(UserId(7)),
            AlreadyAcknowledged(UserId(7)),
            PlaybookAlreadyChosen,
            NoSuchRole(vec![super::text::Text::new("広報", "Press")]),
            AlreadyInRole(UserId(7)),
            EndTriggerUnanswered,
            NotUnregistered(vec![]),
            NotAffected(vec!["メール".into()]),
            OutageOpen("メール".into()),
            NoOutage("メール".into()),
            RestoredBeforeOutage,
            TimeNotUnderstood("あした".into()),
            NotUnregistered(vec!["給与システム".into()]),
            FindingsMissing,
            FindingsTooEarly,
            FindingsEmpty,
            FindingsTooLong(2000),
            NoCommanderToHandOver,
            NotHeld,
            NeedsCommander,
            NeedsConfirmation(vec![0, 2]),
            NoSuchItem(9),
            Phase(PhaseError::AlreadyClosed),
            Phase(PhaseError::Skips {
                from: super::phase::Phase::Reported,
                to: super::phase::Phase::Recovery,
                next: super::phase::Phase::Analysis,
            }),
        ]
    }

    fn examples_second() -> Vec<IncidentError> {
        use IncidentError::*;
        vec![
            Phase(PhaseError::Backwards { from: super::phase::Phase::Recovery, to: super::phase::Phase::Analysis }),
            Phase(PhaseError::Same(super::phase::Phase::Analysis)),
            ReasonRequired,
            BadOriginal,
            AlreadyResponder(UserId(7)),
            NotResponder(UserId(7)),
            LessonsIncomplete(LessonItem::ALL.to_vec()),
            RecordsMissing(vec![crate::domain::log_entry::LogKind::BusinessResumption]),
            NotInLessons,
            PlanTechnicalEmpty,
            PlanOrganisationalEmpty,
            DrillNotForBoard,
            InfoEmpty,
            AppiNotApplicable,
            NoPpcReportOwed,
            AlreadyConfidential,
            NotInWave,
            KindOutsideCategory,
            NothingToApprove,
            PlanAwaitsSignOff,
            SignOffStale(3),
            NothingToSignOff,
            NoBoardReportOwed,
            BoardAlreadyTold,
            BoardNeedsApprovedPlan,
            BoardDecisionEmpty,
            BoardMeetingAhead,
            FollowUpTooEarly,
            NoSuchFollowUp(2),
            FollowUpAlreadyDone(2),
        ]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// True when `text` holds an English word of four letters or more, other
    /// than the few names the Japanese texts use as they are.
    pub(crate) fn has_english(text: &str) -> Option<String> {
        const NAMES: &[&str] = &["YYYY", "hikeshi", "APPI", "DRILL", "JPCERT", "json", "html"];
        let mut word = String::new();
        for ch in text.chars().chain(std::iter::once(' ')) {
            if ch.is_ascii_alphabetic() {
                word.push(ch);
            } else {
                if word.len() >= 4 && !NAMES.contains(&word.as_str()) {
                    return Some(word);
                }
                word.clear();
            }
        }
        None
    }

    #[test]
    fn every_refusal_reads_in_japanese_and_in_english() {
        assert_eq!(IncidentError::examples().len(), 56, "one example of each variant (and of each phase error)");
        for e in IncidentError::examples() {
            // Every variant has an example above (this match has no `_`).
            match &e {
                IncidentError::NotAllowed(_)
                | IncidentError::NoPlaybook
                | IncidentError::AlreadyCommanded(_)
                | IncidentError::AlreadyAcknowledged(_)
                | IncidentError::NoCommanderToHandOver
                | IncidentError::NotHeld
                | IncidentError::NeedsCommander
                | IncidentError::NeedsConfirmation(_)
                | IncidentError::NoSuchItem(_)
                | IncidentError::Phase(_)
                | IncidentError::ReasonRequired
                | IncidentError::BadOriginal
                | IncidentError::AlreadyResponder(_)
                | IncidentError::NotResponder(_)
                | IncidentError::LessonsIncomplete(_)
                | IncidentError::RecordsMissing(_)
                | IncidentError::NotInLessons
                | IncidentError::PlanTechnicalEmpty
                | IncidentError::PlanOrganisationalEmpty
                | IncidentError::DrillNotForBoard
                | IncidentError::InfoEmpty
                | IncidentError::AppiNotApplicable
                | IncidentError::NoPpcReportOwed
                | IncidentError::AlreadyConfidential
                | IncidentError::NotInWave
                | IncidentError::KindOutsideCategory
                | IncidentError::NothingToApprove
                | IncidentError::PlanAwaitsSignOff
                | IncidentError::SignOffStale(_)
                | IncidentError::NothingToSignOff
                | IncidentError::NoBoardReportOwed
                | IncidentError::BoardAlreadyTold
                | IncidentError::BoardNeedsApprovedPlan
                | IncidentError::BoardDecisionEmpty
                | IncidentError::BoardMeetingAhead
                | IncidentError::FollowUpTooEarly
                | IncidentError::NoSuchFollowUp(_)
                | IncidentError::FollowUpAlreadyDone(_)
                | IncidentError::PlaybookAlreadyChosen
                | IncidentError::NoSuchRole(_)
                | IncidentError::AlreadyInRole(_)
                | IncidentError::EndTriggerUnanswered
                | IncidentError::NotUnregistered(_)
                | IncidentError::NotAffected(_)
                | IncidentError::OutageOpen(_)
                | IncidentError::NoOutage(_)
                | IncidentError::RestoredBeforeOutage
                | IncidentError::TimeNotUnderstood(_)
                | IncidentError::FindingsMissing
                | IncidentError::FindingsTooEarly
                | IncidentError::FindingsEmpty
                | IncidentError::FindingsTooLong(_) => {}
            }
            let ja = e.text(Lang::Ja);
            assert_eq!(has_english(&ja), None, "English in the Japanese text of {e:?}: {ja}");
            assert!(!e.text(Lang::En).is_empty());
        }
    }

    /// The texts name what they are about: the missing items, the phases.
    #[test]
    fn refusals_name_the_items_and_phases_they_concern() {
        let missing = IncidentError::LessonsIncomplete(vec![LessonItem::Plan]).text(Lang::Ja);
        assert!(missing.contains("再発防止計画（§4.4(1)）"), "{missing}");
        let skips = PhaseError::Skips { from: Phase::Reported, to: Phase::Recovery, next: Phase::Analysis }.text(Lang::En);
        for p in [Phase::Reported, Phase::Recovery, Phase::Analysis] {
            assert!(skips.contains(p.label().en.as_str()), "{skips}");
        }
    }

    #[test]
    fn the_english_detector_catches_english() {
        assert_eq!(has_english("this request was already decided"), Some("this".into()));
        assert_eq!(has_english("期限は YYYY-MM-DD で書いてください。"), None);
    }
}
