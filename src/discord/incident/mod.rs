//! Working an incident on its card (§4.1(1), §4.2, §4.3): take command,
//! appoint, tick the checklist, advance (confirming skipped items), the
//! three §4.3 records, dismiss, close as a duplicate; `/incident`; the card
//! itself and the delivery of its effects.

mod buttons;
pub mod card;
mod commands;
mod deliver;
mod in_channel;
pub mod notices;

pub use commands::{definition, INCIDENT};
pub use in_channel::{confidential, export, outage, priority, public_title, reclassify, responder, role, split};

use super::custom_id::CustomId;
use super::forms::{self, Modal, F_BODY};
use super::reply::{self, ephemeral, Reply};
use super::text::clip;
use super::Ctx;
use crate::domain::incident::IncidentError;
use crate::domain::{Action, Category, IncidentId, Lang, LogKind, SubKind, UserId};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{
    ButtonStyle, ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateButton, CreateInteractionResponseMessage,
};

/// The first value of a select, if any.
pub(crate) fn selected(c: &ComponentInteraction) -> Option<&str> {
    match &c.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values.first().map(String::as_str),
        _ => None,
    }
}

/// The person picked in a user select.
fn chosen_user(c: &ComponentInteraction) -> Result<UserId, ServiceError> {
    match &c.data.kind {
        ComponentInteractionDataKind::UserSelect { values } => {
            values.first().map(|u| UserId(u.get())).ok_or(InputError::NoUserChosen.into())
        }
        _ => Err(InputError::NoUserChosen.into()),
    }
}

pub async fn click(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    match id {
        CustomId::TakeCommand(_) | CustomId::Appoint(_) | CustomId::HandOver(_) => who_commands(ctx, c, id, caller, lang).await,
        CustomId::AcknowledgeIncident(i) => {
            let inc = ctx.app.incidents().acknowledge(i, caller).await?;
            let number = inc.number;
            Ok(ephemeral(tr!(
                lang,
                "{number} を確認したことを記録しました。エスカレーションは止まります。",
                "Recorded: you acknowledged {number}. The escalation stops."
            )))
        }
        CustomId::Advance(i) | CustomId::AdvanceAnyway(i) => advance(ctx, i, id == CustomId::AdvanceAnyway(i), caller, lang).await,
        CustomId::Close(i, met) => {
            let number = ctx.app.incidents().close(i, caller, met).await?.number;
            Ok(ephemeral(tr!(lang, "{number} を終了しました（§4.4）。", "{number} is closed (§4.4).")))
        }
        CustomId::Checklist(i) => checklist(ctx, c, i, caller, lang).await,
        CustomId::PlaybookButton(i) => playbook(ctx, i, caller, lang).await,
        CustomId::LogButton(..)
        | CustomId::ClassifySelect(_)
        | CustomId::WaiveRecordSelect(_)
        | CustomId::DismissButton(_)
        | CustomId::DuplicateButton(_) => form(ctx, c, id, caller, lang).await,
        _ => reply::refuse(InputError::InvalidControl),
    }
}

/// Who commands: take it, appoint someone, hand it over.
async fn who_commands(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    Ok(match id {
        CustomId::TakeCommand(i) => {
            let number = app.incidents().take_command(i, caller).await?.number;
            ephemeral(tr!(
                lang,
                "{number} の実行責任者になりました。カードのボタンで進めてください。",
                "You are in command of {number}. Use the card's buttons to proceed."
            ))
        }
        CustomId::Appoint(i) => {
            let commander = chosen_user(c)?;
            let number = app.incidents().appoint(i, caller, commander).await?.number;
            ephemeral(tr!(lang, "<@{commander}> を {number} の実行責任者に任命しました。", "<@{commander}> now commands {number}."))
        }
        CustomId::HandOver(i) => {
            let to = chosen_user(c)?;
            let number = app.incidents().hand_over(i, caller, to).await?.number;
            ephemeral(tr!(lang, "{number} の実行責任者を <@{to}> に引き継ぎました。", "Command of {number} is handed over to <@{to}>."))
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// The next phase, or the question whether to skip what is not done.
async fn advance(ctx: &Ctx, i: IncidentId, anyway: bool, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    match app.incidents().advance(i, caller, anyway).await {
        Ok(inc) => {
            let phase = inc.phase.label().get(lang).to_string();
            Ok(ephemeral(tr!(lang, "{phase} フェーズに進みました。", "Moved to {phase}.")))
        }
        Err(ServiceError::Refused(IncidentError::NeedsConfirmation(items))) => confirm_skip(ctx, i, &items, lang).await,
        Err(e) => Err(e),
    }
}

/// A checklist item ticked or unticked.
async fn checklist(ctx: &Ctx, c: &ComponentInteraction, i: IncidentId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let item = selected(c).and_then(|v| v.parse::<usize>().ok()).ok_or(InputError::NoItemChosen)?;
    let inc = ctx.app.incidents().tick(i, caller, item).await?;
    let ticked = inc.marks.iter().any(|m| m.phase == inc.phase && m.item == item);
    let n = item + 1;
    Ok(if ticked {
        ephemeral(tr!(lang, "項目{n}をチェックしました。", "Ticked item {n}."))
    } else {
        ephemeral(tr!(lang, "項目{n}のチェックを外しました。", "Unticked item {n}."))
    })
}

/// The playbook in hand (§4.1(1)).
async fn playbook(ctx: &Ctx, i: IncidentId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let (incident, playbook) = ctx.app.incidents().playbook_of(i, caller).await?;
    Ok(match playbook {
        Some(p) => crate::discord::playbook::render::reply(&p, &incident, lang),
        None => ephemeral(tr!(
            lang,
            "このインシデントにはまだ対応手順がありません。委員会が区分を決めるか、実行責任者を任命します（§4.2）。",
            "This incident has no playbook yet: the committee classifies it or appoints a commander (§4.2)."
        )),
    })
}

/// The forms a button or a choice opens, once the caller may.
async fn form(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    Ok(match id {
        CustomId::LogButton(i, kind) => {
            app.incidents().may(i, caller, Action::LogEntry).await?;
            let what = kind.label().get(lang).to_string();
            Modal::new(CustomId::LogModal(i, kind), tr!(lang, "記録: {what}", "Log: {what}"), lang).label(F_BODY, what).build()
        }
        CustomId::ClassifySelect(i) => {
            let (category, kind) = selected(c).and_then(classification).ok_or(InputError::NoCategoryChosen)?;
            app.incidents().may(i, caller, Action::Reclassify).await?;
            let what = match kind {
                Some(k) => k.label().get(lang).to_string(),
                None => category.label().get(lang).to_string(),
            };
            Modal::new(CustomId::ClassifyModal(i, category, kind), clip(&tr!(lang, "区分: {what}", "Classify: {what}"), 45), lang).build()
        }
        CustomId::WaiveRecordSelect(i) => {
            let kind = selected(c).and_then(LogKind::parse).ok_or(InputError::NoItemChosen)?;
            app.incidents().may(i, caller, Action::Dismiss).await?;
            let what = kind.label().get(lang).to_string();
            Modal::new(CustomId::WaiveRecordModal(i, kind), tr!(lang, "記録の免除: {what}", "Waive the record: {what}"), lang).build()
        }
        CustomId::DismissButton(i) => {
            app.incidents().may(i, caller, Action::Dismiss).await?;
            Modal::new(CustomId::DismissModal(i), tr!(lang, "インシデントではない", "Not an incident"), lang).build()
        }
        CustomId::DuplicateButton(i) => {
            app.incidents().may(i, caller, Action::MarkDuplicate).await?;
            Modal::new(CustomId::DuplicateModal(i), tr!(lang, "重複として閉じる", "Close as duplicate"), lang).build()
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// A classification as the card's select writes it: `breach` or
/// `breach/malware`.
pub(crate) fn classification(value: &str) -> Option<(Category, Option<SubKind>)> {
    match value.split_once('/') {
        Some((c, k)) => {
            let kind = SubKind::ALL.into_iter().find(|s| s.id() == k)?;
            Some((Category::parse(c).filter(|c| *c == kind.category())?, Some(kind)))
        }
        None => Some((Category::parse(value)?, None)),
    }
}

/// Lists the unticked items and offers to advance anyway.
async fn confirm_skip(ctx: &Ctx, id: IncidentId, items: &[usize], lang: Lang) -> Result<Reply, ServiceError> {
    let incident = ctx.app.incidents().get(id).await?;
    let pb = incident.playbook.as_ref().and_then(|p| ctx.app.settings.playbooks.get(p));
    let list: Vec<String> = items
        .iter()
        .filter_map(|n| pb.and_then(|p| p.checklist(incident.phase).get(*n)).map(|t| format!("☐ {}. {}", n + 1, t.get(lang))))
        .collect();
    let list = list.join("\n");
    let text = tr!(
        lang,
        "未チェックの項目があります:\n{list}\n\nこのまま進めると、これらは「未実施」として記録されます。",
        "These items are not ticked:\n{list}\n\nIf you advance now they are recorded as skipped."
    );
    let button = CreateButton::new(CustomId::AdvanceAnyway(id).encode())
        .label(tr!(lang, "このまま進める", "Advance anyway"))
        .style(ButtonStyle::Danger);
    Ok(Reply::message(
        CreateInteractionResponseMessage::new()
            .content(clip(&text, 2000))
            .components(vec![CreateActionRow::Buttons(vec![button])])
            .ephemeral(true)
            .allowed_mentions(super::render::no_mentions()),
    ))
}

/// A §4.3 record, a dismissal or a duplicate came back from its form.
pub async fn submit(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    let body = forms::value(f, F_BODY);
    Ok(match id {
        CustomId::LogModal(i, kind) => {
            ctx.app.incidents().log(i, caller, kind, body).await?;
            let what = LogKind::label(kind).get(lang).to_string();
            tr!(lang, "「{what}」を記録しました（§4.3）。", "Recorded under “{what}” (§4.3).")
        }
        CustomId::ClassifyModal(i, category, kind) => {
            let inc = ctx.app.incidents().reclassify(i, caller, category, kind, None, body).await?;
            let (number, what) = (inc.number, inc.category.label().get(lang).to_string());
            tr!(lang, "{number} の区分を「{what}」にしました。", "{number} is now classified as “{what}”.")
        }
        CustomId::WaiveRecordModal(i, kind) => {
            ctx.app.incidents().waive_record(i, caller, kind, body).await?;
            let what = kind.label().get(lang).to_string();
            tr!(lang, "「{what}」の記録を免除しました（理由を記録）。", "The record “{what}” is waived; the reason is kept.")
        }
        CustomId::DismissModal(i) => {
            let number = ctx.app.incidents().dismiss(i, caller, body).await?.number;
            tr!(lang, "{number} をインシデントではないとして終了しました。", "{number} was closed as not an incident.")
        }
        CustomId::DuplicateModal(i) => {
            let number = ctx.app.incidents().mark_duplicate(i, caller, body).await?.number;
            tr!(lang, "{number} を重複として終了しました。", "{number} was closed as a duplicate.")
        }
        _ => return reply::refuse(InputError::InvalidForm),
    })
}
