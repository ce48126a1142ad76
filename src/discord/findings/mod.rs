//! §4.2 被害の特定・原因の分析 on Discord: the Findings button and form on
//! the card from the Analysis phase, and the committee's waiver (with a
//! reason) for a containment that cannot wait.

use super::custom_id::CustomId;
use super::forms::{self, Modal, F_BODY, F_CAUSE, F_DAMAGE};
use super::reply::{self, Reply};
use super::text::{clip, inert};
use super::Ctx;
use crate::domain::{Action, Incident, Lang, Phase};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

/// The card's row from Analysis to Eradication: the findings (revised as
/// more is learnt), and while containment waits for them the committee's
/// waiver. (From Recovery on the card's five rows are the records' and
/// the lessons'; the plan's form starts from the findings.)
pub fn row(i: &Incident, lang: Lang) -> Option<CreateActionRow> {
    if !matches!(i.phase, Phase::Analysis | Phase::Containment | Phase::Eradication) {
        return None;
    }
    let mut buttons = vec![CreateButton::new(CustomId::FindingsButton(i.id).encode())
        .label(tr!(lang, "調査結果（被害・原因）", "Findings (damage, cause)"))
        .style(if i.findings.is_some() { ButtonStyle::Secondary } else { ButtonStyle::Primary })];
    if i.phase == Phase::Analysis && i.findings.is_none() && i.findings_waiver.is_none() {
        buttons.push(
            CreateButton::new(CustomId::WaiveFindings(i.id).encode())
                .label(tr!(lang, "調査結果を免除（委員会・理由必須）", "Waive the findings (committee, with a reason)"))
                .style(ButtonStyle::Danger),
        );
    }
    Some(CreateActionRow::Buttons(buttons))
}

/// The findings on the card: the damage and cause as recorded, the
/// waiver's reason, or (in Analysis) what containment waits for.
pub fn card_text(i: &Incident, lang: Lang) -> Option<String> {
    let text = match (&i.findings, &i.findings_waiver) {
        (Some(f), _) => {
            let (damage, cause) = (inert(&f.damage), inert(&f.cause));
            tr!(lang, "被害: {damage}\n原因: {cause}", "Damage: {damage}\nCause: {cause}")
        }
        (None, Some(w)) => {
            let reason = inert(&w.reason);
            tr!(lang, "委員会が免除（理由: {reason}）", "waived by the committee (reason: {reason})")
        }
        (None, None) if i.phase == Phase::Analysis => {
            tr!(lang, "☐ 未記録 — 封じ込めの前に記録してください", "☐ not recorded — record them before containment")
        }
        (None, None) => return None,
    };
    Some(clip(&text, 1024))
}

/// A button: its form, once the caller may fill it in.
pub async fn click(ctx: &Ctx, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    Ok(match id {
        CustomId::FindingsButton(i) => {
            let incident = app.incidents().may(i, caller, Action::RecordFindings).await?;
            let mut modal = Modal::new(CustomId::FindingsModal(i), tr!(lang, "調査結果（§4.2）", "Findings (§4.2)"), lang);
            if let Some(f) = incident.findings {
                modal = modal.value(F_DAMAGE, f.damage).value(F_CAUSE, f.cause);
            }
            modal.build()
        }
        CustomId::WaiveFindings(i) => {
            app.incidents().may(i, caller, Action::Dismiss).await?;
            Modal::new(CustomId::WaiveFindingsModal(i), tr!(lang, "調査結果の免除", "Waive the findings"), lang).build()
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// A form came back.
pub async fn submit(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    Ok(match id {
        CustomId::FindingsModal(i) => {
            let (damage, cause) = (forms::value(f, F_DAMAGE), forms::value(f, F_CAUSE));
            let number = ctx.app.incidents().record_findings(i, caller, damage, cause).await?.number;
            tr!(
                lang,
                "{number} の調査結果（被害・原因）を記録しました。再発防止計画と取締役会報告に引き継がれます。",
                "{number}'s findings (damage, cause) are recorded; the prevention plan and the board report start from them."
            )
        }
        CustomId::WaiveFindingsModal(i) => {
            let number = ctx.app.incidents().waive_findings(i, caller, forms::value(f, F_BODY)).await?.number;
            tr!(lang, "{number} の調査結果の記録を免除しました（理由を記録）。", "{number}'s findings are waived; the reason is kept.")
        }
        _ => return reply::refuse(InputError::InvalidForm),
    })
}
