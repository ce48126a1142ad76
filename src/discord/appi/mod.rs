//! APPI Art. 26 (personal-data breaches): the four questions and the two
//! filings to the Personal Information Protection Commission, as an
//! ephemeral panel from `/incident appi`; the draft report to the PPC. An
//! aid, not legal advice.

mod deliver;

use super::custom_id::CustomId;
use super::render::no_mentions;
use super::reply::{self, Reply};
use super::text::clip;
use super::Ctx;
use crate::domain::{Category, Lang};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{ButtonStyle, CommandInteraction, CreateActionRow, CreateButton, CreateInteractionResponseMessage};

/// `/incident appi` in a real breach incident's channel.
pub async fn panel_command(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> Result<Reply, ServiceError> {
    let i = ctx.incident_here(cmd).await?;
    if ctx.app.settings.personal_data.is_some() && i.category == Category::Breach && !i.is_drill() {
        Ok(panel(&i, &ctx.app.settings, lang, false))
    } else {
        Err(crate::domain::incident::IncidentError::AppiNotApplicable.into())
    }
}

/// A question answered or a filing recorded: the panel shows the result.
pub async fn click(ctx: &Ctx, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let incident = match id {
        CustomId::Appi(i, q, yes) => ctx.app.appi().answer(i, caller, q, yes).await?,
        CustomId::AppiFiled(i, stage) => ctx.app.appi().filed(i, caller, stage).await?,
        _ => return reply::refuse(InputError::InvalidControl),
    };
    Ok(panel(&incident, &ctx.app.settings, lang, true))
}

/// APPI Art. 26: the four questions and the two filings, as an ephemeral
/// panel (`update`: replacing the panel the buttons sit on).
fn panel(i: &crate::domain::Incident, settings: &crate::config::Settings, lang: Lang, update: bool) -> Reply {
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
        "🛡 個人情報保護法第26条の4つの質問です（法的助言ではありません）。",
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
                .label(tr!(lang, "速報を提出済みにする", "Preliminary filed"))
                .style(ButtonStyle::Success)
                .disabled(filed(Stage::Preliminary)),
            CreateButton::new(CustomId::AppiFiled(i.id, Stage::Final).encode())
                .label(tr!(lang, "確報を提出済みにする", "Final filed"))
                .style(ButtonStyle::Success)
                .disabled(filed(Stage::Final)),
        ]));
    }
    let msg = CreateInteractionResponseMessage::new().content(text).components(rows).ephemeral(true).allowed_mentions(no_mentions());
    if update {
        Reply::update_message(msg)
    } else {
        Reply::message(msg)
    }
}
