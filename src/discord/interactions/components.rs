//! The card's buttons and selects, and the small modals they open.

use super::{ephemeral, failure, Ctx};
use crate::discord::custom_id::CustomId;
use crate::discord::forms::{
    self, value as field, F_BODY, F_CAUSE, F_DAMAGE, F_MISSING, F_ORGANISATIONAL, F_REASON, F_SUBJECT, F_TECHNICAL, F_TEXT, F_UNTIL, F_WELL,
};
use crate::discord::i18n::clip;
use crate::discord::render::no_mentions;
use crate::domain::incident::IncidentError;
use crate::domain::{Action, IncidentId, Lang, LogKind, UserId};
use crate::service::{Caller, ServiceError};
use crate::tr;
use serenity::all::{
    ButtonStyle, ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateButton, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal, InputTextStyle, ModalInteraction,
};

/// Checks `action` before a modal opens, so nobody types a long entry only
/// to be refused. The submission is checked again.
async fn precheck(ctx: &Ctx, id: IncidentId, caller: Caller, action: Action) -> Result<(), ServiceError> {
    let incident = ctx.app.store.incident(id).await?.ok_or(ServiceError::NotFound("incident"))?;
    let roles = incident.roles_of(caller.user, caller.committee);
    if !action.allowed(&roles) {
        return Err(IncidentError::NotAllowed(action.allowed_roles()).into());
    }
    Ok(())
}

/// A modal with one text field, limited as [`forms`] says.
fn text_modal(id: CustomId, title: String, label: String, style: InputTextStyle) -> CreateInteractionResponse {
    let max = forms::max(&id, F_BODY);
    CreateInteractionResponse::Modal(
        CreateModal::new(id.encode(), clip(&title, 45)).components(vec![CreateActionRow::InputText(
            CreateInputText::new(style, clip(&label, 45), F_BODY).max_length(max).required(true),
        )]),
    )
}

pub async fn run(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, lang: Lang) -> CreateInteractionResponse {
    let caller = ctx.caller(&c.user, c.member.as_ref());
    let done = |text: String| ephemeral(text);
    let result: Result<CreateInteractionResponse, ServiceError> = async {
        Ok(match id {
            CustomId::TakeCommand(i) => {
                let inc = ctx.app.take_command(i, caller).await?;
                let number = inc.number;
                done(tr!(
                    lang,
                    "{number} の指揮を執りました。カードのボタンで進めてください。",
                    "You are in command of {number}. Use the card's buttons to proceed."
                ))
            }
            CustomId::Appoint(i) => {
                let ComponentInteractionDataKind::UserSelect { values } = &c.data.kind else {
                    return Err(ServiceError::BadInput("expected a user".into()));
                };
                let Some(user) = values.first() else {
                    return Err(ServiceError::BadInput("no user chosen".into()));
                };
                let commander = UserId(user.get());
                let inc = ctx.app.appoint(i, caller, commander).await?;
                let number = inc.number;
                done(tr!(lang, "<@{commander}> を {number} の指揮者に任命しました。", "<@{commander}> now commands {number}."))
            }
            CustomId::Advance { incident, confirmed } => match ctx.app.advance(incident, caller, confirmed).await {
                Ok(inc) => {
                    let phase = inc.phase.label().get(lang).to_string();
                    done(tr!(lang, "{phase} フェーズに進みました。", "Moved to {phase}."))
                }
                Err(ServiceError::Refused(IncidentError::NeedsConfirmation(items))) => confirm_skip(ctx, incident, &items, lang).await?,
                Err(e) => return Err(e),
            },
            CustomId::Checklist(i) => {
                let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
                    return Err(ServiceError::BadInput("expected a checklist item".into()));
                };
                let item =
                    values.first().and_then(|v| v.parse::<usize>().ok()).ok_or_else(|| ServiceError::BadInput("no item chosen".into()))?;
                let inc = ctx.app.tick(i, caller, item).await?;
                let ticked = inc.marks.iter().any(|m| m.phase == inc.phase && m.item == item);
                let n = item + 1;
                if ticked {
                    done(tr!(lang, "項目{n}をチェックしました。", "Ticked item {n}."))
                } else {
                    done(tr!(lang, "項目{n}のチェックを外しました。", "Unticked item {n}."))
                }
            }
            CustomId::LogButton(i, kind) => {
                precheck(ctx, i, caller, Action::LogEntry).await?;
                let what = kind.label().get(lang).to_string();
                text_modal(CustomId::LogModal(i, kind), tr!(lang, "記録: {what}", "Log: {what}"), what, InputTextStyle::Paragraph)
            }
            CustomId::DismissButton(i) => {
                precheck(ctx, i, caller, Action::Dismiss).await?;
                text_modal(
                    CustomId::DismissModal(i),
                    tr!(lang, "インシデントではない", "Not an incident"),
                    tr!(lang, "理由", "Reason"),
                    InputTextStyle::Paragraph,
                )
            }
            CustomId::DuplicateButton(i) => {
                precheck(ctx, i, caller, Action::MarkDuplicate).await?;
                text_modal(
                    CustomId::DuplicateModal(i),
                    tr!(lang, "重複として閉じる", "Close as duplicate"),
                    tr!(lang, "元のインシデント番号", "Original incident number"),
                    InputTextStyle::Short,
                )
            }
            CustomId::Acknowledge(r)
                if ctx.app.store.reminder(r).await?.is_some_and(|x| x.kind == crate::service::schedules::ANNUAL_REVIEW) =>
            {
                if !caller.committee {
                    return Err(IncidentError::NotAllowed(&[crate::domain::Role::Committee]).into());
                }
                text_modal(
                    CustomId::ReviewModal(r),
                    tr!(lang, "年次見直しの結果（§9）", "Outcome of the yearly review (§9)"),
                    tr!(lang, "結果（全員に周知されます）", "Outcome (announced to all)"),
                    InputTextStyle::Paragraph,
                )
            }
            CustomId::Decide(r, yes) => {
                if !caller.committee {
                    return Err(IncidentError::NotAllowed(&[crate::domain::Role::Committee]).into());
                }
                let title = if yes { tr!(lang, "承認", "Approve") } else { tr!(lang, "却下", "Deny") };
                text_modal(CustomId::DecideModal(r, yes), title, tr!(lang, "理由", "Reason"), InputTextStyle::Paragraph)
            }
            CustomId::Acknowledge(r) => {
                if ctx.app.acknowledge(r, caller).await? {
                    done(tr!(lang, "確認を記録しました。", "Acknowledged; recorded."))
                } else {
                    done(tr!(lang, "このリマインダーはすでに確認済みです。", "This reminder was already acknowledged."))
                }
            }
            CustomId::StartDrill(r) => {
                let reminder = ctx.app.store.reminder(r).await?.ok_or(ServiceError::NotFound("reminder"))?;
                let playbook = reminder.playbook.ok_or(ServiceError::NotFound("playbook"))?;
                let drill = ctx.app.start_drill(caller, &playbook, &format!("interaction:{}", c.id)).await?;
                ctx.app.acknowledge(r, caller).await?;
                let number = drill.number;
                done(tr!(
                    lang,
                    "訓練 {number} を始めました。チャンネルを用意しています。",
                    "Drill {number} started; its channel is being opened."
                ))
            }
            CustomId::NoteButton(i) => {
                precheck(ctx, i, caller, Action::WriteLessons).await?;
                note_modal(i, lang)
            }
            CustomId::AddInfo(i) => text_modal(
                CustomId::AddInfoModal(i),
                tr!(lang, "情報を追加（秘密）", "Add information (confidential)"),
                tr!(lang, "追加する情報", "What to add"),
                InputTextStyle::Paragraph,
            ),
            CustomId::Appi(i, q, yes) => {
                let inc = ctx.app.answer_appi(i, caller, q, yes).await?;
                appi_panel(&inc, &ctx.app.settings, lang, true)
            }
            CustomId::AppiFiled(i, stage) => {
                let inc = ctx.app.appi_filed(i, caller, stage).await?;
                appi_panel(&inc, &ctx.app.settings, lang, true)
            }
            CustomId::PlanButton(i) => {
                precheck(ctx, i, caller, Action::WriteLessons).await?;
                plan_modal(i, lang)
            }
            CustomId::Board(i, q, yes) => {
                let inc = ctx.app.answer_board(i, caller, q, yes).await?;
                if inc.lessons.board.answered() && inc.lessons.board.board_report_required() {
                    done(tr!(
                        lang,
                        "回答を記録しました。取締役会への報告が必要です。報告書の案を委員会チャンネルに送ります（§4.4(2)）。",
                        "Answer recorded. The board must be told: the draft report goes to the committee channel (§4.4(2))."
                    ))
                } else {
                    done(tr!(lang, "回答を記録しました（§4.4(2)）。", "Answer recorded (§4.4(2))."))
                }
            }
            CustomId::WaiveSelect(i) => {
                let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
                    return Err(ServiceError::BadInput("expected an item".into()));
                };
                let item = values
                    .first()
                    .and_then(|v| crate::domain::lessons::LessonItem::parse(v))
                    .ok_or_else(|| ServiceError::BadInput("no item chosen".into()))?;
                precheck(ctx, i, caller, Action::Dismiss).await?;
                let what = crate::discord::errors::lesson_item(item, lang);
                text_modal(
                    CustomId::WaiveModal(i, item),
                    tr!(lang, "免除: {what}", "Waive: {what}"),
                    tr!(lang, "理由", "Reason"),
                    InputTextStyle::Paragraph,
                )
            }
            CustomId::Read(i) => {
                if ctx.app.read_announcement(i, caller).await? {
                    done(tr!(lang, "ありがとうございます。既読を記録しました。", "Thank you; your reading is recorded."))
                } else {
                    done(tr!(lang, "既読はすでに記録されています。", "You had already marked it as read."))
                }
            }
            CustomId::Readers(i) => {
                if !caller.committee {
                    return Err(IncidentError::NotAllowed(&[crate::domain::Role::Committee]).into());
                }
                let readers = ctx.app.store.readers(i).await?;
                let members = ctx
                    .http
                    .get_guild_with_counts(serenity::all::GuildId::new(ctx.app.settings.discord.guild))
                    .await
                    .ok()
                    .and_then(|g| g.approximate_member_count);
                let n = readers.len();
                let list = readers.iter().map(|(u, _)| format!("<@{u}>")).collect::<Vec<_>>().join(" ");
                let mut text = tr!(lang, "既読 {n}人: {list}", "Read by {n}: {list}");
                if let Some(m) = members {
                    let not_yet = m.saturating_sub(n as u64);
                    text.push_str(&tr!(lang, "\n未読: 約{not_yet}人（メンバー{m}人中）", "\nNot yet: about {not_yet} of {m} members"));
                }
                done(text)
            }
            // Modals and the report form arrive as submissions, not clicks.
            CustomId::LogModal(..)
            | CustomId::DismissModal(_)
            | CustomId::DuplicateModal(_)
            | CustomId::NoteModal(_)
            | CustomId::PlanModal(_)
            | CustomId::WaiveModal(..)
            | CustomId::DecideModal(..)
            | CustomId::ExceptionModal
            | CustomId::AmendModal
            | CustomId::ReviewModal(_)
            | CustomId::AddInfoModal(_)
            | CustomId::ReportModal { .. } => {
                return Err(ServiceError::BadInput(tr!(lang, "このボタンは無効です。", "This control is not valid.")));
            }
        })
    }
    .await;
    result.unwrap_or_else(|e| ephemeral(failure(&e, lang, "component")))
}

/// §4.4(1): both parts of the plan are required; cause and damage feed the
/// board report.
fn plan_modal(i: IncidentId, lang: Lang) -> CreateInteractionResponse {
    let field = |id: &str, label: String, required: bool| {
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, clip(&label, 45), id)
                .max_length(forms::max(&CustomId::PlanModal(i), id))
                .required(required),
        )
    };
    CreateInteractionResponse::Modal(
        CreateModal::new(CustomId::PlanModal(i).encode(), clip(&tr!(lang, "再発防止計画（§4.4(1)）", "Prevention plan (§4.4(1))"), 45))
            .components(vec![
                field(F_TECHNICAL, tr!(lang, "技術的対策", "Technical measures"), true),
                field(F_ORGANISATIONAL, tr!(lang, "組織的対策", "Organisational measures"), true),
                field(F_CAUSE, tr!(lang, "原因（調査結果）", "Cause (as investigated)"), false),
                field(F_DAMAGE, tr!(lang, "被害", "Damage"), false),
            ]),
    )
}

/// §4.4(4): what went well, what was missing (for a drill: the procedure
/// problems found, §4.1(2)).
fn note_modal(i: IncidentId, lang: Lang) -> CreateInteractionResponse {
    let field = |id: &str, label: String| {
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, clip(&label, 45), id)
                .max_length(forms::max(&CustomId::NoteModal(i), id))
                .required(false),
        )
    };
    CreateInteractionResponse::Modal(
        CreateModal::new(CustomId::NoteModal(i).encode(), clip(&tr!(lang, "プレイブック改善メモ", "Playbook improvement note"), 45))
            .components(vec![
                field(F_WELL, tr!(lang, "うまくいったこと", "What went well")),
                field(F_MISSING, tr!(lang, "足りなかったこと・手順の問題", "What was missing / procedure problems")),
            ]),
    )
}

/// APPI Art. 26: the four questions and the two filings, as an ephemeral
/// panel (`update`: replacing the panel the buttons sit on).
pub(crate) fn appi_panel(
    i: &crate::domain::Incident,
    settings: &crate::config::Settings,
    lang: Lang,
    update: bool,
) -> CreateInteractionResponse {
    use crate::domain::appi::{AppiQuestion, Stage};
    let mut rows = vec![];
    for q in AppiQuestion::ALL {
        let answer = i.appi.answer(q);
        let pick = |yes: bool| if answer == Some(yes) { ButtonStyle::Primary } else { ButtonStyle::Secondary };
        rows.push(CreateActionRow::Buttons(vec![
            CreateButton::new(format!("hk1:noop:{}", q.id()))
                .label(clip(q.label().get(lang), 80))
                .style(ButtonStyle::Secondary)
                .disabled(true),
            CreateButton::new(CustomId::Appi(i.id, q, true).encode()).label(tr!(lang, "はい", "Yes")).style(pick(true)),
            CreateButton::new(CustomId::Appi(i.id, q, false).encode()).label(tr!(lang, "いいえ", "No")).style(pick(false)),
        ]));
    }
    let mut text = tr!(
        lang,
        "🛡 個人情報保護法26条の4つの質問です（法的助言ではありません）。",
        "🛡 The four questions of APPI Art. 26 (an aid, not legal advice)."
    );
    if let Some((p, f)) = settings.personal_data.as_ref().and_then(|pol| i.appi.deadlines(i.noticed.at, pol)) {
        let (p, f) = (format!("<t:{}:f>", p.timestamp()), format!("<t:{}:f>", f.timestamp()));
        text.push_str(&tr!(
            lang,
            "
報告が必要です。速報の期限: {p}／確報の期限: {f}",
            "
A report is owed. Preliminary by {p}; final by {f}."
        ));
        let filed = |s: Stage| i.appi.filed(s);
        rows.push(CreateActionRow::Buttons(vec![
            CreateButton::new(CustomId::AppiFiled(i.id, Stage::Preliminary).encode())
                .label(tr!(lang, "速報を提出した", "Preliminary filed"))
                .style(ButtonStyle::Success)
                .disabled(filed(Stage::Preliminary)),
            CreateButton::new(CustomId::AppiFiled(i.id, Stage::Final).encode())
                .label(tr!(lang, "確報を提出した", "Final filed"))
                .style(ButtonStyle::Success)
                .disabled(filed(Stage::Final)),
        ]));
    }
    let msg = CreateInteractionResponseMessage::new().content(text).components(rows).ephemeral(true).allowed_mentions(no_mentions());
    if update {
        CreateInteractionResponse::UpdateMessage(msg)
    } else {
        CreateInteractionResponse::Message(msg)
    }
}

/// Lists the unticked items and offers to advance anyway.
async fn confirm_skip(ctx: &Ctx, id: IncidentId, items: &[usize], lang: Lang) -> Result<CreateInteractionResponse, ServiceError> {
    let incident = ctx.app.store.incident(id).await?.ok_or(ServiceError::NotFound("incident"))?;
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
    let button = CreateButton::new(CustomId::Advance { incident: id, confirmed: true }.encode())
        .label(tr!(lang, "このまま進める", "Advance anyway"))
        .style(ButtonStyle::Danger);
    Ok(CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(clip(&text, 2000))
            .components(vec![CreateActionRow::Buttons(vec![button])])
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    ))
}

/// A form came back, its fields already checked against their limits.
pub async fn submit(ctx: &Ctx, m: &ModalInteraction, id: CustomId, f: &[(String, String)], lang: Lang) -> CreateInteractionResponse {
    let caller = ctx.caller(&m.user, m.member.as_ref());
    let body = field(f, F_BODY);
    let result: Result<String, ServiceError> = async {
        Ok(match id {
            CustomId::LogModal(i, kind) => {
                ctx.app.log(i, caller, kind, body).await?;
                let what = LogKind::label(kind).get(lang).to_string();
                tr!(lang, "「{what}」を記録しました（§4.3）。", "Recorded under “{what}” (§4.3).")
            }
            CustomId::DismissModal(i) => {
                let inc = ctx.app.dismiss(i, caller, body).await?;
                let number = inc.number;
                tr!(lang, "{number} をインシデントではないとして終了しました。", "{number} was closed as not an incident.")
            }
            CustomId::PlanModal(i) => {
                let plan = crate::domain::lessons::PreventionPlan {
                    technical: field(f, F_TECHNICAL).to_string(),
                    organisational: field(f, F_ORGANISATIONAL).to_string(),
                    cause: field(f, F_CAUSE).to_string(),
                    damage: field(f, F_DAMAGE).to_string(),
                };
                let inc = ctx.app.set_plan(i, caller, plan).await?;
                if inc.is_drill() {
                    tr!(lang, "再発防止計画を記録しました。", "Prevention plan recorded.")
                } else {
                    tr!(
                        lang,
                        "再発防止計画を記録し、全員に周知します（§4.4(3)）。",
                        "Prevention plan recorded; it is announced to all members (§4.4(3))."
                    )
                }
            }
            CustomId::WaiveModal(i, item) => {
                ctx.app.waive(i, caller, item, body).await?;
                let what = crate::discord::errors::lesson_item(item, lang);
                tr!(lang, "{what} を免除しました（理由を記録）。", "{what} waived; the reason is recorded.")
            }
            CustomId::AddInfoModal(i) => {
                ctx.app.add_info(i, caller, body).await?;
                tr!(
                    lang,
                    "ありがとうございます。名前を伏せて対応チャンネルに伝えました。",
                    "Thank you; it was passed to the incident channel without your name."
                )
            }
            CustomId::DecideModal(r, yes) => {
                let req = ctx.app.decide(r, caller, yes, body).await?;
                let id = req.id;
                if yes {
                    tr!(lang, "#{id} を承認しました。申請者に通知します。", "#{id} approved; the requester is told.")
                } else {
                    tr!(lang, "#{id} を却下しました。申請者に通知します。", "#{id} denied; the requester is told.")
                }
            }
            CustomId::ReviewModal(r) => {
                ctx.app.conclude_review(r, caller, body).await?;
                tr!(
                    lang,
                    "年次見直しの結果を記録し、全員に周知します（§9）。",
                    "The review's outcome is recorded and announced to all (§9)."
                )
            }
            CustomId::ExceptionModal => {
                let tz = ctx.app.settings.organisation.tz;
                let until = crate::discord::interactions::requests::parse_day(field(f, F_UNTIL), tz).ok_or_else(|| {
                    ServiceError::BadInput(tr!(lang, "期限は YYYY-MM-DD で書いてください。", "Write the end date as YYYY-MM-DD."))
                })?;
                let body = crate::domain::request::RequestBody {
                    subject: field(f, F_SUBJECT).into(),
                    text: field(f, F_TEXT).into(),
                    reason: String::new(),
                };
                let id = ctx.app.make_request(crate::domain::request::RequestKind::Exception, caller, body, Some(until)).await?;
                tr!(
                    lang,
                    "例外申請 #{id} を委員会に送りました。結果はDMでお知らせします（§6）。",
                    "Exception request #{id} sent to the committee; you will get the answer by DM (§6)."
                )
            }
            CustomId::AmendModal => {
                let body = crate::domain::request::RequestBody {
                    subject: field(f, F_SUBJECT).into(),
                    text: field(f, F_TEXT).into(),
                    reason: field(f, F_REASON).into(),
                };
                let id = ctx.app.make_request(crate::domain::request::RequestKind::Amendment, caller, body, None).await?;
                tr!(
                    lang,
                    "改正の申出 #{id} を委員会に送りました。結果はDMでお知らせします（§9）。",
                    "Amendment request #{id} sent to the committee; you will get the answer by DM (§9)."
                )
            }
            CustomId::NoteModal(i) => {
                ctx.app.add_note(i, caller, field(f, F_WELL), field(f, F_MISSING)).await?;
                tr!(lang, "改善メモを記録しました（§4.4(4)）。", "Improvement note recorded (§4.4(4)).")
            }
            CustomId::DuplicateModal(i) => {
                let inc = ctx.app.mark_duplicate(i, caller, body).await?;
                let number = inc.number;
                tr!(lang, "{number} を重複として終了しました。", "{number} was closed as a duplicate.")
            }
            _ => return Err(ServiceError::BadInput(tr!(lang, "このフォームは無効です。", "This form is not valid."))),
        })
    }
    .await;
    ephemeral(result.unwrap_or_else(|e| failure(&e, lang, "modal")))
}
