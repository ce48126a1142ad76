//! The text fields of every modal hikeshi opens: one table that builds the
//! modals (so Discord's client enforces the limits) and checks what comes
//! back (so a forged or replayed submission that exceeds them is refused
//! with a message naming the field and the limit, instead of being stored
//! or clipped).

use super::custom_id::{Confidential, CustomId};
use super::reply::Reply;
use super::text::{clip, fenced};
use crate::domain::log_entry::MAX_LOG_BODY;
use crate::domain::report::{limits, ReportDraft};
use crate::domain::{Category, Lang, SubKind};
use crate::tr;
use serenity::all::{ActionRowComponent, CreateActionRow, CreateInputText, CreateModal, InputTextStyle, ModalInteractionData};

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
pub const F_MET_ON: &str = "met_on";
pub const F_FROM: &str = "from";

/// Discord's own maximum for any modal text input.
pub const DISCORD_MAX: usize = 4000;
/// Discord's limit for a modal's title and an input's label.
const LABEL_MAX: usize = 45;

/// One text input: its custom id, its limit in characters, its label (in
/// the modal, and in messages about it), and how it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub id: &'static str,
    pub max: usize,
    pub ja: &'static str,
    pub en: &'static str,
    pub long: bool,
    pub required: bool,
    pub hint: Option<(&'static str, &'static str)>,
}

impl Field {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja,
            Lang::En => self.en,
        }
    }
}

/// A required paragraph.
const fn para(id: &'static str, max: usize, ja: &'static str, en: &'static str) -> Field {
    Field { id, max, ja, en, long: true, required: true, hint: None }
}

/// A required single line.
const fn line(id: &'static str, max: usize, ja: &'static str, en: &'static str) -> Field {
    Field { id, max, ja, en, long: false, required: true, hint: None }
}

const fn optional(f: Field) -> Field {
    Field { required: false, ..f }
}

const fn hint(f: Field, ja: &'static str, en: &'static str) -> Field {
    Field { hint: Some((ja, en)), ..f }
}

const REPORT: &[Field] = &[
    line(F_TITLE, limits::TITLE, "件名", "Title"),
    hint(
        para(F_WHAT, limits::DESCRIPTION, "何が起きたか", "What happened"),
        "見たこと、したこと、気づいたきっかけ",
        "What you saw, what you did, how you noticed",
    ),
    hint(
        optional(line(F_NOTICED, limits::NOTICED, "発見日時（空欄＝今）", "When noticed (empty = now)")),
        "2026-11-25 14:30 / 14:30",
        "2026-11-25 14:30 / 14:30",
    ),
    hint(
        optional(line(F_SYSTEMS, limits::SYSTEMS, "影響を受けるシステム（カンマ区切り）", "Affected systems (comma-separated)")),
        "例: メール, VPN",
        "e.g. mail, VPN",
    ),
    optional(para(F_IMPACT, limits::IMPACT, "これまでの影響", "Impact so far")),
];
/// §4.2: filed for someone outside the server: their name takes the
/// impact's place (a modal holds five fields).
const REPORT_FOR_OUTSIDER: &[Field] = &[
    REPORT[0],
    REPORT[1],
    REPORT[2],
    REPORT[3],
    hint(
        line(
            F_FROM,
            crate::domain::proxy::MAX_OUTSIDER,
            "報告者の氏名・所属（会員以外）",
            "Reporter's name and affiliation (not a member)",
        ),
        "例: 清掃委託先 山田様",
        "e.g. Ms Yamada, cleaning contractor",
    ),
];
const LOG: &[Field] = &[para(F_BODY, MAX_LOG_BODY, "記録", "Entry")];
const REASON: &[Field] = &[para(F_BODY, 1000, "理由", "Reason")];
const DUPLICATE: &[Field] = &[line(F_BODY, 20, "元のインシデント番号", "Original incident number")];
const REVIEW: &[Field] = &[para(F_BODY, 2000, "結果（すべての会員に周知されます）", "Outcome (announced to all)")];
const ADD_INFO: &[Field] = &[para(F_BODY, 2000, "追加する情報", "What to add")];
const PLAN: &[Field] = &[
    para(F_TECHNICAL, 1000, "技術的対策", "Technical measures"),
    para(F_ORGANISATIONAL, 1000, "組織的対策", "Organisational measures"),
    optional(para(F_CAUSE, 1000, "原因（調査結果）", "Cause (as investigated)")),
    optional(para(F_DAMAGE, 1000, "被害", "Damage")),
];
const NOTE: &[Field] = &[
    optional(para(F_WELL, 2000, "うまくいったこと", "What went well")),
    optional(para(F_MISSING, 2000, "足りなかったこと・手順の問題", "What was missing / procedure problems")),
];
const FINDINGS: &[Field] = &[
    hint(
        para(F_DAMAGE, 2000, "被害（分析で特定したこと）", "Damage (as the analysis found it)"),
        "影響を受けたシステム・情報・業務",
        "Systems, data and work affected",
    ),
    hint(para(F_CAUSE, 2000, "原因", "Cause"), "分からない点は「不明」と", "“unknown” where it is not known yet"),
];
const BOARD_TOLD: &[Field] = &[
    line(F_MET_ON, 10, "取締役会の開催日（YYYY-MM-DD）", "The day the board met (YYYY-MM-DD)"),
    para(F_BODY, 2000, "取締役会の決定・指示", "What the board decided or instructed"),
];
const EXCEPTION: &[Field] = &[
    line(F_SUBJECT, 200, "守れない遵守事項（本規程の条項）", "Which rule"),
    para(F_TEXT, 2000, "業務上の理由", "The business reason"),
    line(F_UNTIL, 10, "いつまで（YYYY-MM-DD）", "Until (YYYY-MM-DD)"),
];
const AMEND: &[Field] = &[
    line(F_SUBJECT, 200, "条項", "Section"),
    para(F_TEXT, 2000, "変更案", "Proposed change"),
    optional(para(F_REASON, 2000, "理由", "Why")),
];

/// The fields of the modal with this custom id (none for ids that are not
/// modals).
pub fn fields(form: &CustomId) -> &'static [Field] {
    use CustomId::*;
    match form {
        ReportModal(..) | ReportForModal(.., Some(_)) => REPORT,
        ReportForModal(.., None) => REPORT_FOR_OUTSIDER,
        LogModal(..) => LOG,
        DismissModal(_) | DecideModal(..) | WaiveModal(..) | WaiveRecordModal(..) | ClassifyModal(..) => REASON,
        DuplicateModal(_) => DUPLICATE,
        ReviewModal(_) => REVIEW,
        AddInfoModal(_) => ADD_INFO,
        PlanModal(_) => PLAN,
        BoardToldModal(_) => BOARD_TOLD,
        FindingsModal(_) => FINDINGS,
        WaiveFindingsModal(_) => REASON,
        NoteModal(_) => NOTE,
        ExceptionModal => EXCEPTION,
        AmendModal => AMEND,
        _ => &[],
    }
}

/// A modal built from the table: `title`, the table's labels (or those
/// given with [`Modal::label`]), and any prefilled values.
pub struct Modal {
    form: CustomId,
    title: String,
    lang: Lang,
    labels: Vec<(&'static str, String)>,
    values: Vec<(&'static str, String)>,
}

impl Modal {
    pub fn new(form: CustomId, title: String, lang: Lang) -> Modal {
        Modal { form, title, lang, labels: vec![], values: vec![] }
    }

    /// A label more specific than the table's (the kind of a §4.3 record).
    pub fn label(mut self, field: &'static str, label: String) -> Modal {
        self.labels.push((field, label));
        self
    }

    /// A value the field starts with (a reported message's text).
    pub fn value(mut self, field: &'static str, value: String) -> Modal {
        self.values.push((field, value));
        self
    }

    pub fn build(self) -> Reply {
        let lang = self.lang;
        let inputs = fields(&self.form).iter().map(|f| {
            let label = self.labels.iter().find(|(id, _)| *id == f.id).map(|(_, l)| l.clone()).unwrap_or_else(|| f.label(lang).into());
            let style = if f.long { InputTextStyle::Paragraph } else { InputTextStyle::Short };
            let mut input = CreateInputText::new(style, clip(&label, LABEL_MAX), f.id)
                .max_length(u16::try_from(f.max).unwrap_or(u16::MAX))
                .required(f.required);
            if let Some((ja, en)) = f.hint {
                input = input.placeholder(if lang == Lang::Ja { ja } else { en });
            }
            if let Some((_, v)) = self.values.iter().find(|(id, _)| *id == f.id) {
                input = input.value(clip(v, f.max));
            }
            CreateActionRow::InputText(input)
        });
        Reply::modal(CreateModal::new(self.form.encode(), clip(&self.title, LABEL_MAX)).components(inputs.collect()))
    }
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
        let field = known.iter().find(|f| f.id == id).copied().unwrap_or(optional(para("?", DISCORD_MAX, "入力欄", "A field")));
        let len = value.chars().count();
        if len > field.max {
            return Err(TooLong { field, len });
        }
    }
    Ok(())
}

/// A field over its limit: which, how long, the limit, and what was typed
/// (so nothing is lost; clipped to fit one message).
pub fn too_long(e: &TooLong, typed: &[(String, String)], lang: Lang) -> String {
    let (len, max, f) = (e.len, e.field.max, e.field.label(lang));
    let text: Vec<&str> = typed.iter().map(|(_, v)| v.as_str()).filter(|v| !v.trim().is_empty()).collect();
    let echo = fenced(&text.join("\n---\n"));
    tr!(
        lang,
        "⚠ 保存していません。「{f}」は{len}文字です。上限は{max}文字なので短くしてください。\n\n入力内容:\n{echo}",
        "⚠ Not saved. “{f}” has {len} characters; the limit is {max}: shorten it.\n\nWhat you wrote:\n{echo}"
    )
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
pub fn report_draft(category: Category, kind: Option<SubKind>, confidential: Confidential, f: &[(String, String)]) -> ReportDraft {
    ReportDraft {
        category: Some(category),
        kind,
        title: value(f, F_TITLE).to_string(),
        description: value(f, F_WHAT).to_string(),
        noticed: value(f, F_NOTICED).to_string(),
        systems: value(f, F_SYSTEMS).to_string(),
        impact: value(f, F_IMPACT).to_string(),
        confidential: confidential.0,
        proxy: None,
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

    /// Every modal is within Discord's limits: 1 to 5 inputs, labels of 45
    /// characters, lengths up to 4,000 — and the modal built from the table
    /// declares exactly the table's limits.
    #[test]
    fn every_modal_is_built_from_the_table_within_discords_limits() {
        // Every id that names a modal, so a new one cannot be forgotten.
        let modals: Vec<CustomId> = crate::discord::custom_id::tests::all().into_iter().filter(CustomId::is_modal).collect();
        assert!(modals.len() >= 13, "{modals:?}");
        for m in modals {
            assert!(m.is_modal());
            let table = fields(&m);
            assert!((1..=5).contains(&table.len()), "{m:?} has {} fields", table.len());
            for lang in [Lang::Ja, Lang::En] {
                let built = serde_json::to_value(Modal::new(m, "t".into(), lang).build()).unwrap();
                let rows = built["data"]["components"].as_array().unwrap();
                assert_eq!(rows.len(), table.len());
                for (row, f) in rows.iter().zip(table) {
                    let input = &row["components"][0];
                    assert_eq!(input["custom_id"], f.id);
                    assert_eq!(input["max_length"].as_u64().unwrap() as usize, f.max);
                    assert!(f.max >= 1 && f.max <= DISCORD_MAX, "{m:?}.{}", f.id);
                    assert!(input["label"].as_str().unwrap().chars().count() <= LABEL_MAX);
                    assert_eq!(input["required"], f.required);
                }
            }
        }
    }
}
