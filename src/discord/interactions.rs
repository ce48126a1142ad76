//! Interactions in: slash commands and the context menu by name, buttons,
//! selects and forms by their custom id's feature. This file only routes;
//! each feature's folder handles its own, and the service decides.

use super::custom_id::{CustomId, Feature};
use super::reply::{self, answer, ephemeral};
use super::rest::RestError;
use super::slash::Slash;
use super::{appi, findings, forms, incident, lessons, reminders, report, requests, Ctx};
use crate::domain::Lang;
use crate::service::InputError;
use serenity::all::{CommandInteraction, ComponentInteraction, Interaction, ModalInteraction};
use tracing::Instrument as _;

/// Handles one interaction inside its span (id, kind), so every line
/// logged for it — the incident it opened included — can be found by one
/// grep.
pub async fn dispatch(ctx: &Ctx, interaction: Interaction) {
    let (id, kind) = match &interaction {
        Interaction::Command(c) => (c.id.get(), format!("command:{}", c.data.name)),
        Interaction::Component(c) => (c.id.get(), format!("component:{}", c.data.custom_id)),
        Interaction::Modal(m) => (m.id.get(), format!("modal:{}", m.data.custom_id)),
        _ => (0, "other".to_string()),
    };
    handle(ctx, interaction).instrument(tracing::info_span!("interaction", id, kind = %kind)).await
}

async fn handle(ctx: &Ctx, interaction: Interaction) {
    let started = std::time::Instant::now();
    let _answer = ctx.answering.start();
    // Discord accepts one answer: a second delivery of the same interaction
    // (another process's session, a redelivery) is left to the first.
    let id = match &interaction {
        Interaction::Command(c) => Some(c.id),
        Interaction::Component(c) => Some(c.id),
        Interaction::Modal(m) => Some(m.id),
        _ => None,
    };
    if let Some(id) = id {
        if !ctx.app.delivery().first_delivery(&id.to_string()).await {
            tracing::info!("already handled by another delivery");
            ctx.metrics.duplicate();
            return;
        }
    }
    // Records name people as they were seen when they acted.
    let who = match &interaction {
        Interaction::Command(c) => Some((&c.user, c.member.as_deref())),
        Interaction::Component(c) => Some((&c.user, c.member.as_ref())),
        Interaction::Modal(m) => Some((&m.user, m.member.as_ref())),
        _ => None,
    };
    if let Some((user, member)) = who {
        let name = member.and_then(|m| m.nick.clone()).or_else(|| user.global_name.clone()).unwrap_or_else(|| user.name.clone());
        let (app, id) = (ctx.app.clone(), crate::domain::UserId(user.id.get()));
        tokio::spawn(async move { app.transcript().saw_person(id, &name).await });
    }
    let result = match interaction {
        Interaction::Command(cmd) => command(ctx, cmd).await,
        Interaction::Component(c) => component(ctx, c).await,
        Interaction::Modal(m) => modal(ctx, m).await,
        _ => Ok(()),
    };
    ctx.metrics.interaction(started.elapsed());
    if let Err(e) = result {
        ctx.metrics.discord_error();
        tracing::warn!(error = %e, "could not answer an interaction");
    }
}

fn other_guild(lang: Lang) -> reply::Reply {
    ephemeral(InputError::OtherGuild.text(lang))
}

async fn command(ctx: &Ctx, cmd: CommandInteraction) -> Result<(), RestError> {
    let lang = Lang::from_locale(&cmd.locale);
    if !reply::in_guild(&ctx.app.settings, cmd.guild_id) {
        return reply::answer_now(&ctx.rest, reply::Asked::new(cmd.id, &cmd.token, cmd.application_id), other_guild(lang)).await;
    }
    let caller = reply::caller(&ctx.app.settings.discord, &cmd.user, cmd.member.as_deref());
    // Commands take the same answer-or-defer road as clicks and forms:
    // work that waits on the database or draws a chart may pass 3 s.
    let work = async {
        let result = match Slash::of(&cmd) {
            Some(slash) => super::slash::answer(ctx, &cmd, slash, caller, lang).await,
            None => reply::refuse(InputError::UnknownCommand),
        };
        answer(result, lang, "command")
    };
    reply::respond(&ctx.rest, reply::Asked::new(cmd.id, &cmd.token, cmd.application_id), lang, work).await
}

async fn component(ctx: &Ctx, c: ComponentInteraction) -> Result<(), RestError> {
    let lang = Lang::from_locale(&c.locale);
    let id = CustomId::parse(&c.data.custom_id);
    // The confidential reporter's DM has one button, usable outside the
    // guild (the service checks it is theirs).
    let from_dm = matches!(id, Some(CustomId::AddInfo(_))) && c.guild_id.is_none();
    if !reply::in_guild(&ctx.app.settings, c.guild_id) && !from_dm {
        return reply::answer_now(&ctx.rest, reply::Asked::new(c.id, &c.token, c.application_id), other_guild(lang)).await;
    }
    let caller = reply::caller(&ctx.app.settings.discord, &c.user, c.member.as_ref());
    let work = async {
        let result = match id {
            // Forms arrive as submissions, never as clicks.
            None => reply::refuse(InputError::InvalidControl),
            Some(id) if id.is_modal() => reply::refuse(InputError::InvalidControl),
            Some(id) => match id.feature() {
                Feature::Report if matches!(id, CustomId::TriageOpen | CustomId::TriageMerge | CustomId::TriageDismiss) => {
                    report::triage::click(ctx, &c, id, caller, lang).await
                }
                Feature::Report => report::add_info_click(id, lang),
                Feature::Incident => incident::click(ctx, &c, id, caller, lang).await,
                Feature::Lessons => lessons::click(ctx, &c, id, caller, lang).await,
                Feature::Reminders => reminders::click(ctx, &c, id, caller, lang).await,
                Feature::Requests => requests::click(ctx, id, caller, lang),
                Feature::Appi => appi::click(ctx, id, caller, lang).await,
                Feature::Findings => findings::click(ctx, id, caller, lang).await,
            },
        };
        answer(result, lang, "component")
    };
    reply::respond(&ctx.rest, reply::Asked::new(c.id, &c.token, c.application_id), lang, work).await
}

async fn modal(ctx: &Ctx, m: ModalInteraction) -> Result<(), RestError> {
    let lang = Lang::from_locale(&m.locale);
    let id = CustomId::parse(&m.data.custom_id);
    let from_dm = matches!(id, Some(CustomId::AddInfoModal(_))) && m.guild_id.is_none();
    if !reply::in_guild(&ctx.app.settings, m.guild_id) && !from_dm {
        return reply::answer_now(&ctx.rest, reply::Asked::new(m.id, &m.token, m.application_id), other_guild(lang)).await;
    }
    if let Some(form @ (CustomId::ReportModal(..) | CustomId::ReportForModal(..))) = id {
        return report::submit(ctx, &m, form, lang).await;
    }
    let caller = reply::caller(&ctx.app.settings.discord, &m.user, m.member.as_ref());
    let fields = forms::submitted(&m.data);
    let work = async {
        let text = match id {
            Some(id) if id.is_modal() => match forms::check(&id, &fields) {
                Err(too_long) => Ok(forms::too_long(&too_long, &fields, lang)),
                Ok(()) => match id.feature() {
                    Feature::Report => report::submit_info(ctx, id, &fields, caller, lang).await,
                    Feature::Incident => incident::submit(ctx, id, &fields, caller, lang).await,
                    Feature::Lessons => lessons::submit(ctx, id, &fields, caller, lang).await,
                    Feature::Reminders => reminders::submit(ctx, id, &fields, caller, lang).await,
                    Feature::Requests => requests::submit(ctx, id, &fields, caller, lang).await,
                    Feature::Appi => reply::refuse(InputError::InvalidForm),
                    Feature::Findings => findings::submit(ctx, id, &fields, caller, lang).await,
                },
            },
            _ => reply::refuse(InputError::InvalidForm),
        };
        ephemeral(text.unwrap_or_else(|e| reply::failure(&e, lang, "form")))
    };
    reply::respond(&ctx.rest, reply::Asked::new(m.id, &m.token, m.application_id), lang, work).await
}
