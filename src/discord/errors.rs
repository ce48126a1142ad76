//! What a person sees when hikeshi refuses or fails, in their language.

use crate::domain::incident::IncidentError;
use crate::domain::phase::PhaseError;
use crate::domain::report::FieldError;
use crate::domain::{Lang, Role};
use crate::service::ServiceError;
use crate::tr;

fn who(roles: &[Role], lang: Lang) -> String {
    let names: Vec<String> = roles
        .iter()
        .map(|r| match r {
            Role::Member => tr!(lang, "メンバー全員", "any member"),
            Role::Reporter => tr!(lang, "報告者", "the reporter"),
            Role::Responder => tr!(lang, "対応メンバー", "responders"),
            Role::Commander => tr!(lang, "インシデント指揮者", "the incident commander"),
            Role::Committee => tr!(lang, "情報セキュリティ委員会", "the security committee"),
        })
        .collect();
    match lang {
        Lang::Ja => names.join("または"),
        Lang::En => names.join(" or "),
    }
}

fn field_name(field: &str, lang: Lang) -> String {
    match (lang, field) {
        (Lang::Ja, "title") => "件名".into(),
        (Lang::Ja, "what happened") => "何が起きたか".into(),
        (Lang::Ja, "noticed at") => "発見日時".into(),
        (Lang::Ja, "affected systems") => "影響を受けるシステム".into(),
        (Lang::Ja, "impact so far") => "これまでの影響".into(),
        (_, f) => f.to_string(),
    }
}

/// A modal field over its limit: which, how long, the limit, and what was
/// typed (so nothing is lost; clipped to fit one message).
pub fn too_long(e: &crate::discord::forms::TooLong, typed: &[(String, String)], lang: Lang) -> String {
    let (len, max) = (e.len, e.field.max);
    let f = match lang {
        Lang::Ja => e.field.ja,
        Lang::En => e.field.en,
    };
    let text: Vec<&str> = typed.iter().map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty()).collect();
    let echo = crate::discord::i18n::fenced(&text.join("\n---\n"));
    tr!(
        lang,
        "⚠ 保存していません。「{f}」は{len}文字です。上限は{max}文字なので短くしてください。\n\n入力内容:\n{echo}",
        "⚠ Not saved. “{f}” has {len} characters; the limit is {max}: shorten it.\n\nWhat you wrote:\n{echo}"
    )
}

pub fn field_error(e: &FieldError, lang: Lang) -> String {
    match e {
        FieldError::Empty { field } => {
            let f = field_name(field, lang);
            tr!(lang, "「{f}」が空です。内容を書いてください。", "“{f}” is empty: please describe it.")
        }
        FieldError::TooLong { field, len, max } => {
            let f = field_name(field, lang);
            tr!(
                lang,
                "「{f}」は{len}文字です。上限は{max}文字なので短くしてください。",
                "“{f}” has {len} characters; the limit is {max}: shorten it."
            )
        }
        FieldError::KindMismatch { kind, category, actual } => {
            tr!(
                lang,
                "種類「{kind}」は区分「{category}」に属しません。区分「{actual}」を選ぶか、別の種類を選んでください。",
                "The kind “{kind}” is not under “{category}”: choose the category “{actual}” or another kind."
            )
        }
        FieldError::NoCategory => tr!(lang, "区分が選ばれていません。", "No category was chosen."),
    }
}

pub fn incident_error(e: &IncidentError, lang: Lang) -> String {
    match e {
        IncidentError::NotAllowed(roles) => {
            let w = who(roles, lang);
            tr!(lang, "この操作は{w}だけが行えます。", "Only {w} may do this.")
        }
        IncidentError::NoPlaybook => tr!(
            lang,
            "該当するプレイブックがないため、委員会が指揮者を任命してください（§4.2）。",
            "No playbook matches this incident: the committee appoints a commander instead (§4.2)."
        ),
        IncidentError::AlreadyCommanded(u) => tr!(lang, "<@{u}> がすでに指揮を執っています。", "<@{u}> is already in command."),
        IncidentError::NeedsCommander => tr!(
            lang,
            "指揮者が決まるまで分析を始められません。指揮を執るか任命してください（§4.2）。",
            "Analysis cannot start before a commander exists: take command or appoint one (§4.2)."
        ),
        IncidentError::NeedsConfirmation(items) => {
            let n = items.len();
            tr!(lang, "未チェックの項目が{n}件あります。", "{n} checklist item(s) are not ticked.")
        }
        IncidentError::NoSuchItem(n) => {
            tr!(lang, "このフェーズのチェックリストに項目{n}はありません。", "This phase's checklist has no item {n}.")
        }
        IncidentError::Phase(PhaseError::AlreadyClosed) => {
            tr!(lang, "このインシデントはすでに終了しています。", "This incident is already closed.")
        }
        IncidentError::Phase(p) => p.to_string(),
        IncidentError::ReasonRequired => tr!(lang, "理由を書いてください。", "Please give a reason."),
        IncidentError::BadOriginal => tr!(
            lang,
            "自分自身や、重複として閉じたインシデント、訓練と本番をまたぐ重複は指定できません。",
            "An incident cannot duplicate itself, a closed duplicate, or across drill and real incidents."
        ),
        IncidentError::AlreadyResponder(u) => tr!(lang, "<@{u}> はすでに対応メンバーです。", "<@{u}> is already a responder."),
        IncidentError::NotResponder(u) => tr!(lang, "<@{u}> は対応メンバーではありません。", "<@{u}> is not a responder."),
        IncidentError::LessonsIncomplete(items) => {
            let list = items.iter().map(|i| lesson_item(*i, lang)).collect::<Vec<_>>().join(", ");
            tr!(
                lang,
                "まだ終了できません。足りないもの: {list}（委員会は理由を添えて免除できます）。",
                "The incident cannot close yet. Missing: {list} (the committee may waive an item with a reason)."
            )
        }
        IncidentError::NotInLessons => tr!(lang, "これは「教訓・再発防止」フェーズで行います。", "This belongs to the Lessons phase."),
        IncidentError::Invalid(what) => match (*what, lang) {
            ("the technical part of the prevention plan is empty", Lang::Ja) => "再発防止計画の技術的対策が空です。".into(),
            ("the organisational part of the prevention plan is empty", Lang::Ja) => "再発防止計画の組織的対策が空です。".into(),
            ("drills are never reported to the board", Lang::Ja) => "訓練は取締役会への報告の対象外です。".into(),
            (w, _) => w.to_string(),
        },
    }
}

pub fn lesson_item(i: crate::domain::lessons::LessonItem, lang: Lang) -> String {
    use crate::domain::lessons::LessonItem;
    match i {
        LessonItem::Plan => tr!(lang, "再発防止計画（§4.4(1)）", "the prevention plan (§4.4(1))"),
        LessonItem::BoardQuestions => tr!(lang, "取締役会報告の2つの質問（§4.4(2)）", "the two board questions (§4.4(2))"),
        LessonItem::ImprovementNotes => tr!(lang, "プレイブック改善メモ（§4.4(4)）", "playbook-improvement notes (§4.4(4))"),
    }
}

/// The reply for any failure; internal errors are logged, not shown.
pub fn service_error(e: &ServiceError, lang: Lang) -> String {
    match e {
        ServiceError::Refused(e) => incident_error(e, lang),
        ServiceError::Invalid(list) => list.iter().map(|f| format!("• {}", field_error(f, lang))).collect::<Vec<_>>().join("\n"),
        ServiceError::BadInput(m) => m.clone(),
        ServiceError::NotFound(what) => {
            tr!(lang, "見つかりません（{what}）。", "Not found ({what}).")
        }
        ServiceError::Store(_) if e.is_transient() => tr!(
            lang,
            "データベースが混み合っています。少し待ってからもう一度お試しください。",
            "The database is busy. Please try again in a moment."
        ),
        ServiceError::Store(_) => {
            tr!(lang, "内部エラーが発生しました。委員会に連絡してください。", "An internal error occurred. Please tell the committee.")
        }
    }
}
