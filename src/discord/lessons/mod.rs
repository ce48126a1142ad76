//! §4.4 on Discord: the prevention plan (§4.4(1)), the two board questions
//! (§4.4(2)), waivers, playbook-improvement notes (§4.4(4)), and the
//! announcement to all members with its read button (§4.4(3)).

mod deliver;
pub mod followups;
pub mod render;

pub use followups::FOLLOWUPS;

use super::custom_id::CustomId;
use super::forms::{self, Modal, F_BODY, F_CAUSE, F_DAMAGE, F_MET_ON, F_MISSING, F_ORGANISATIONAL, F_TECHNICAL, F_WELL};
use super::incident::selected;
use super::reply::{self, ephemeral, Reply};
use super::Ctx;
use crate::domain::lessons::{LessonItem, PreventionPlan};
use crate::domain::refusal::lesson_item;
use crate::domain::{Action, Lang};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{ComponentInteraction, GuildId};

pub async fn click(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    Ok(match id {
        CustomId::PlanButton(_) | CustomId::NoteButton(_) | CustomId::WaiveSelect(_) | CustomId::BoardTold(_) => {
            return form(ctx, c, id, caller, lang).await
        }
        CustomId::Board(i, q, yes) => {
            let board = app.lessons().answer_board(i, caller, q, yes).await?.lessons.board;
            if board.report_due() {
                ephemeral(tr!(
                    lang,
                    "回答を記録しました。取締役会への報告が必要です。報告書の案を委員会チャンネルに送ります（§4.4(2)）。",
                    "Answer recorded. The board must be told: the draft report goes to the committee channel (§4.4(2))."
                ))
            } else {
                ephemeral(tr!(lang, "回答を記録しました（§4.4(2)）。", "Answer recorded (§4.4(2))."))
            }
        }
        CustomId::ApprovePlan(i) => {
            let number = app.lessons().approve_plan(i, caller).await?.number;
            ephemeral(tr!(
                lang,
                "{number} の再発防止計画を承認しました（§4.4(1)）。会員への周知を更新します。",
                "You approved {number}'s prevention plan (§4.4(1)); the announcement to all members follows."
            ))
        }
        CustomId::SignOff(i, revision) => {
            let revision = u32::try_from(revision).map_err(|_| InputError::InvalidControl)?;
            let number = app.lessons().sign_off_plan(i, caller, revision).await?.number;
            ephemeral(tr!(
                lang,
                "{number} の再発防止計画（第{revision}版）を情報システム部として確認しました（§4.4(1)）。委員会の承認を待ちます。",
                "You signed off {number}'s prevention plan (revision {revision}) for the IT department (§4.4(1)); it now awaits the committee's approval."
            ))
        }
        CustomId::FollowUpDone(i, n) => {
            let n = u32::try_from(n).map_err(|_| InputError::InvalidControl)?;
            let number = app.lessons().complete_followup(i, caller, n).await?.number;
            ephemeral(tr!(lang, "{number} のフォローアップ #{n} を完了にしました。", "{number} follow-up #{n} is done."))
        }
        CustomId::Read(i) => {
            if app.lessons().read_announcement(i, caller).await? {
                ephemeral(tr!(lang, "ありがとうございます。既読を記録しました。", "Thank you; your reading is recorded."))
            } else {
                ephemeral(tr!(lang, "既読はすでに記録されています。", "You had already marked it as read."))
            }
        }
        CustomId::Readers(i) => readers(ctx, i, caller, lang).await?,
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// The forms of the Lessons phase, once the caller may write them.
async fn form(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    Ok(match id {
        CustomId::PlanButton(i) => {
            let incident = app.incidents().may(i, caller, Action::WriteLessons).await?;
            plan_form(&incident, lang)
        }
        CustomId::BoardTold(i) => {
            app.incidents().may(i, caller, Action::RecordBoardReport).await?;
            let today = app.lessons().today().to_string();
            let title = tr!(lang, "取締役会への報告（§4.4(2)）", "The board was told (§4.4(2))");
            Modal::new(CustomId::BoardToldModal(i), title, lang).value(F_MET_ON, today).build()
        }
        CustomId::NoteButton(i) => {
            app.incidents().may(i, caller, Action::WriteLessons).await?;
            Modal::new(CustomId::NoteModal(i), tr!(lang, "対応手順の改善メモ", "Playbook improvement note"), lang).build()
        }
        CustomId::WaiveSelect(i) => {
            let item = selected(c).and_then(LessonItem::parse).ok_or(InputError::NoItemChosen)?;
            app.incidents().may(i, caller, Action::Dismiss).await?;
            let what = lesson_item(item, lang);
            Modal::new(CustomId::WaiveModal(i, item), tr!(lang, "免除: {what}", "Waive: {what}"), lang).build()
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}

/// §4.4(1) 調査結果をもとに: the plan's form, holding the plan as it
/// stands, its cause and damage starting from the analysis's findings.
fn plan_form(i: &crate::domain::Incident, lang: Lang) -> Reply {
    let mut modal = Modal::new(CustomId::PlanModal(i.id), tr!(lang, "再発防止計画（§4.4(1)）", "Prevention plan (§4.4(1))"), lang);
    let (found_cause, found_damage) = i.findings.as_ref().map(|f| (f.cause.clone(), f.damage.clone())).unwrap_or_default();
    let plan = i.lessons.plan.clone().unwrap_or_default();
    let or = |typed: String, found: String| if typed.trim().is_empty() { found } else { typed };
    for (field, value) in [
        (F_TECHNICAL, plan.technical),
        (F_ORGANISATIONAL, plan.organisational),
        (F_CAUSE, or(plan.cause, found_cause)),
        (F_DAMAGE, or(plan.damage, found_damage)),
    ] {
        if !value.trim().is_empty() {
            modal = modal.value(field, value);
        }
    }
    modal.build()
}

/// §4.4(3): who has read the announcement (the committee's).
async fn readers(ctx: &Ctx, i: crate::domain::IncidentId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    let readers = app.lessons().readers(i, caller).await?;
    // Who has not read needs the member list (a privileged intent):
    // Discord's approximate count serves.
    let members = member_count(&ctx.rest, GuildId::new(app.settings.discord.guild)).await;
    let n = readers.len();
    let list = readers.iter().map(|(u, _)| format!("<@{u}>")).collect::<Vec<_>>().join(" ");
    let mut text = tr!(lang, "既読 {n}人: {list}", "Read by {n}: {list}");
    if let Some(m) = members {
        let not_yet = m.saturating_sub(n as u64);
        text.push_str(&tr!(lang, "\n未読: 約{not_yet}人（会員{m}人中）", "\nNot yet: about {not_yet} of {m} members"));
    }
    Ok(ephemeral(text))
}

/// The plan, a waiver or an improvement note came back from its form.
pub async fn submit(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    Ok(match id {
        CustomId::BoardToldModal(i) => {
            let number = ctx.app.lessons().board_told(i, caller, forms::value(f, F_MET_ON), forms::value(f, F_BODY)).await?.number;
            tr!(lang, "{number} を取締役会に報告済みとして記録しました（§4.4(2)）。", "Recorded: the board was told of {number} (§4.4(2)).")
        }
        CustomId::PlanModal(i) => {
            let plan = PreventionPlan {
                technical: forms::value(f, F_TECHNICAL).to_string(),
                organisational: forms::value(f, F_ORGANISATIONAL).to_string(),
                cause: forms::value(f, F_CAUSE).to_string(),
                damage: forms::value(f, F_DAMAGE).to_string(),
            };
            let i = ctx.app.lessons().set_plan(i, caller, plan).await?;
            let r = i.lessons.plan_revision;
            if !i.lessons.plan_approved() {
                tr!(
                    lang,
                    "再発防止計画（第{r}版）を記録しました。委員会の承認を待っています（§4.4(1)）。承認されるとすべての会員に周知されます。",
                    "Prevention plan (revision {r}) recorded. It awaits the committee's approval (§4.4(1)); then all members are told."
                )
            } else if i.is_drill() {
                tr!(lang, "再発防止計画を記録しました。", "Prevention plan recorded.")
            } else {
                tr!(
                    lang,
                    "再発防止計画（第{r}版）を記録・承認し、すべての会員に周知します（§4.4(3)）。",
                    "Prevention plan (revision {r}) recorded and approved; all members are told (§4.4(3))."
                )
            }
        }
        CustomId::WaiveModal(i, item) => {
            ctx.app.lessons().waive(i, caller, item, forms::value(f, F_BODY)).await?;
            let what = lesson_item(item, lang);
            tr!(lang, "{what} を免除しました（理由を記録）。", "{what} waived; the reason is recorded.")
        }
        CustomId::NoteModal(i) => {
            ctx.app.incidents().add_note(i, caller, forms::value(f, F_WELL), forms::value(f, F_MISSING)).await?;
            tr!(lang, "改善メモを記録しました（§4.4(4)）。", "Improvement note recorded (§4.4(4)).")
        }
        _ => return reply::refuse(InputError::InvalidForm),
    })
}

/// Discord's approximate count of the guild's members.
async fn member_count(rest: &crate::discord::rest::Rest, guild: GuildId) -> Option<u64> {
    use serenity::all::{LightMethod, Request, Route};
    let req = Request::new(Route::Guild { guild_id: guild }, LightMethod::Get).params(Some(vec![("with_counts", "true".to_string())]));
    let g: serde_json::Value = rest.json(req).await.ok()?;
    g["approximate_member_count"].as_u64()
}
