//! The text fields of every modal hikeshi opens, with their limits: one
//! table that builds the modals (so Discord's client enforces the limits)
//! and checks what comes back (so a forged or replayed submission that
//! exceeds them is refused with a message naming the field and the limit,
//! instead of being stored or clipped).

use super::custom_id::CustomId;
use crate::domain::report::{limits, ReportDraft};
use crate::domain::{Category, SubKind};
use serenity::all::{ActionRowComponent, ModalInteractionData};

pub const F_BODY: &str = "body";
pub const F_SUBJECT: &str = "subject";
pub const F_TEXT: &str = "text";
pub const F_REASON: &str = "reason";
pub const F_UNTIL: &str = "until";
pub const F_TECHNICAL: &str = "technical";
pub const F_ORGANISATIONAL: &str = "organisational";
pub const F_CAUSE: &str = "cause";
pub const F_DAMAGE: &str = "damage";
pub const F_WELL: &str = "went_well";
pub const F_MISSING: &str = "missing";
pub const F_TITLE: &str = "title";
pub const F_WHAT: &str = "what";
pub const F_NOTICED: &str = "noticed";
pub const F_SYSTEMS: &str = "systems";
pub const F_IMPACT: &str = "impact";

/// Discord's own maximum for any modal text input.
pub const DISCORD_MAX: usize = 4000;

/// One text input: its custom id, its limit in characters, and a label
/// for messages about it (the modal's own label may be more specific).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub id: &'static str,
    pub max: usize,
    pub ja: &'static str,
    pub en: &'static str,
}

const fn f(id: &'static str, max: usize, ja: &'static str, en: &'static str) -> Field {
    Field { id, max, ja, en }
}

const REPORT: &[Field] = &[
    f(F_TITLE, limits::TITLE, "件名", "Title"),
    f(F_WHAT, limits::DESCRIPTION, "何が起きたか", "What happened"),
    f(F_NOTICED, limits::NOTICED, "発見日時", "When noticed"),
    f(F_SYSTEMS, limits::SYSTEMS, "影響を受けるシステム", "Affected systems"),
    f(F_IMPACT, limits::IMPACT, "これまでの影響", "Impact so far"),
];
const LOG: &[Field] = &[f(F_BODY, crate::domain::log_entry::MAX_LOG_BODY, "記録", "Entry")];
const REASON: &[Field] = &[f(F_BODY, 1000, "理由", "Reason")];
const DUPLICATE: &[Field] = &[f(F_BODY, 20, "元のインシデント番号", "Original incident number")];
const LONG_TEXT: &[Field] = &[f(F_BODY, 2000, "本文", "Text")];
const PLAN: &[Field] = &[
    f(F_TECHNICAL, 1000, "技術的対策", "Technical measures"),
    f(F_ORGANISATIONAL, 1000, "組織的対策", "Organisational measures"),
    f(F_CAUSE, 1000, "原因", "Cause"),
    f(F_DAMAGE, 1000, "被害", "Damage"),
];
const NOTE: &[Field] = &[f(F_WELL, 2000, "うまくいったこと", "What went well"), f(F_MISSING, 2000, "足りなかったこと", "What was missing")];
const EXCEPTION: &[Field] = &[
    f(F_SUBJECT, 200, "どの規定の例外か", "Which rule"),
    f(F_TEXT, 2000, "業務上の理由", "The business reason"),
    f(F_UNTIL, 10, "いつまで", "Until"),
];
const AMEND: &[Field] =
    &[f(F_SUBJECT, 200, "条項", "Section"), f(F_TEXT, 2000, "改正案", "Proposed change"), f(F_REASON, 2000, "理由", "Why")];

/// The fields of the modal with this custom id (none for ids that are not
/// modals).
pub fn fields(form: &CustomId) -> &'static [Field] {
    use CustomId::*;
    match form {
        ReportModal { .. } => REPORT,
        LogModal(..) => LOG,
        DismissModal(_) | DecideModal(..) | WaiveModal(..) => REASON,
        DuplicateModal(_) => DUPLICATE,
        ReviewModal(_) | AddInfoModal(_) => LONG_TEXT,
        PlanModal(_) => PLAN,
        NoteModal(_) => NOTE,
        ExceptionModal => EXCEPTION,
        AmendModal => AMEND,
        _ => &[],
    }
}

/// The limit of one field of a modal, for building it.
pub fn max(form: &CustomId, field: &str) -> u16 {
    let max = fields(form).iter().find(|f| f.id == field).map_or(DISCORD_MAX, |f| f.max);
    u16::try_from(max).unwrap_or(u16::MAX)
}

/// A submitted field longer than its modal allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    pub field: Field,
    pub len: usize,
}

/// Checks every submitted field against its modal's limits (and Discord's
/// own maximum for fields the modal does not know).
pub fn check(form: &CustomId, submitted: &[(String, String)]) -> Result<(), TooLong> {
    let known = fields(form);
    for (id, value) in submitted {
        let field = known.iter().find(|f| f.id == id).copied().unwrap_or(f("?", DISCORD_MAX, "入力欄", "A field"));
        let len = value.chars().count();
        if len > field.max {
            return Err(TooLong { field, len });
        }
    }
    Ok(())
}

/// The text fields of a submitted modal, as `(custom id, value)`.
pub fn submitted(data: &ModalInteractionData) -> Vec<(String, String)> {
    data.components
        .iter()
        .flat_map(|row| row.components.iter())
        .filter_map(|c| match c {
            ActionRowComponent::InputText(t) => Some((t.custom_id.clone(), t.value.clone().unwrap_or_default())),
            _ => None,
        })
        .collect()
}

/// The value of one field, empty when it was not sent.
pub fn value<'a>(fields: &'a [(String, String)], id: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The report form's fields as a draft for the domain to check.
pub fn report_draft(category: Category, kind: Option<SubKind>, confidential: bool, f: &[(String, String)]) -> ReportDraft {
    ReportDraft {
        category: Some(category),
        kind,
        title: value(f, F_TITLE).to_string(),
        description: value(f, F_WHAT).to_string(),
        noticed: value(f, F_NOTICED).to_string(),
        systems: value(f, F_SYSTEMS).to_string(),
        impact: value(f, F_IMPACT).to_string(),
        confidential,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IncidentId;

    fn sub(pairs: &[(&str, String)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn a_field_at_its_limit_passes_and_one_more_character_is_refused_with_the_limit() {
        let dismiss = CustomId::DismissModal(IncidentId(1));
        assert_eq!(check(&dismiss, &sub(&[(F_BODY, "理".repeat(1000))])), Ok(()));
        let e = check(&dismiss, &sub(&[(F_BODY, "理".repeat(1001))])).unwrap_err();
        assert_eq!((e.field.id, e.field.max, e.len), (F_BODY, 1000, 1001));
    }

    #[test]
    fn unknown_fields_are_held_to_discords_maximum() {
        let e = check(&CustomId::AmendModal, &sub(&[("extra", "x".repeat(DISCORD_MAX + 1))])).unwrap_err();
        assert_eq!(e.field.max, DISCORD_MAX);
        assert_eq!(check(&CustomId::AmendModal, &sub(&[("extra", "x".repeat(DISCORD_MAX))])), Ok(()));
    }

    #[test]
    fn every_modal_declares_limits_discord_accepts() {
        let i = IncidentId(1);
        let modals = [
            CustomId::ReportModal { category: Category::Breach, kind: None, confidential: false },
            CustomId::LogModal(i, crate::domain::LogKind::Status),
            CustomId::DismissModal(i),
            CustomId::DuplicateModal(i),
            CustomId::ReviewModal(1),
            CustomId::DecideModal(1, true),
            CustomId::AddInfoModal(i),
            CustomId::PlanModal(i),
            CustomId::NoteModal(i),
            CustomId::ExceptionModal,
            CustomId::AmendModal,
        ];
        for m in modals {
            assert!(!fields(&m).is_empty(), "{m:?} has no fields");
            for f in fields(&m) {
                assert!(f.max >= 1 && f.max <= DISCORD_MAX, "{m:?}.{}", f.id);
                assert_eq!(usize::from(max(&m, f.id)), f.max);
            }
        }
    }
}
