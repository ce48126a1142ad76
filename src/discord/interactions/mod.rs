//! Interactions: slash commands, the context menu, buttons, selects and
//! modals. Each handler translates Discord's shapes into a service call and
//! the result into a reply; permission is checked by the service, whatever
//! the buttons showed.

mod components;
mod incident_cmd;
mod report;
pub(crate) mod requests;
mod schedule_cmd;
mod timely;

use super::custom_id::CustomId;
use super::errors::{self, service_error};
use super::forms;
use super::render::no_mentions;
use crate::domain::{Lang, UserId};
use crate::service::{Caller, Hikeshi, ServiceError};
use crate::tr;
use serenity::all::{
    CommandInteraction, ComponentInteraction, Context, CreateInteractionResponse, CreateInteractionResponseMessage, GuildId, Interaction,
    Member, ModalInteraction, User,
};
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler needs.
#[derive(Clone)]
pub struct Ctx {
    pub app: Hikeshi,
    /// For the few reads a reply needs (the guild's member count).
    pub http: Arc<serenity::http::Http>,
    /// Wakes the outbox worker after a change queued effects.
    pub wake: Arc<Notify>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Counts answers in progress, for the outbox worker to let them go first.
    pub answering: Arc<crate::outbox::Answering>,
}

impl Ctx {
    fn caller(&self, user: &User, member: Option<&Member>) -> Caller {
        let role = serenity::all::RoleId::new(self.app.settings.discord.committee_role.0);
        Caller { user: UserId(user.id.get()), committee: member.is_some_and(|m| m.roles.contains(&role)) }
    }

    /// hikeshi serves one organisation: its guild only, never DMs.
    fn in_our_guild(&self, guild: Option<GuildId>) -> bool {
        guild.is_some_and(|g| g.get() == self.app.settings.discord.guild)
    }
}

/// An ephemeral reply that pings nobody.
pub(crate) fn ephemeral(text: impl Into<String>) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(super::i18n::clip(&text.into(), 2000))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
}

fn refuse_other_guild(lang: Lang) -> CreateInteractionResponse {
    ephemeral(tr!(lang, "hikeshi はこの組織のサーバー内でのみ使えます。", "hikeshi works only inside its organisation's server."))
}

/// Logs an internal failure, and returns the text for the user.
fn failure(e: &ServiceError, lang: Lang, what: &str) -> String {
    if e.is_user_facing() {
        tracing::debug!(error = %e, what, "refused");
    } else {
        tracing::error!(error = %e, what, "failed");
    }
    service_error(e, lang)
}

pub async fn dispatch(ctx: &Ctx, discord: &Context, interaction: Interaction) {
    let started = std::time::Instant::now();
    let _answer = ctx.answering.start();
    let result = match interaction {
        Interaction::Command(cmd) => command(ctx, discord, cmd).await,
        Interaction::Component(c) => component(ctx, discord, c).await,
        Interaction::Modal(m) => modal(ctx, discord, m).await,
        _ => Ok(()),
    };
    ctx.metrics.interaction(started.elapsed());
    if let Err(e) = result {
        ctx.metrics.discord_error();
        tracing::warn!(error = %e, "could not answer an interaction");
    }
}

async fn command(ctx: &Ctx, discord: &Context, cmd: CommandInteraction) -> serenity::Result<()> {
    let lang = Lang::from_locale(&cmd.locale);
    if !ctx.in_our_guild(cmd.guild_id) {
        return cmd.create_response(&discord.http, refuse_other_guild(lang)).await;
    }
    let response = match cmd.data.name.as_str() {
        super::commands::REPORT => report::slash(&cmd, lang),
        super::commands::REPORT_MESSAGE => report::from_message(&cmd, lang),
        super::commands::INCIDENT => incident_cmd::run(ctx, &cmd, lang).await,
        super::commands::DRILL => schedule_cmd::drill(ctx, &cmd, lang).await,
        super::commands::SCHEDULE => schedule_cmd::schedule(ctx, &cmd, lang).await,
        super::commands::STATS => schedule_cmd::stats(ctx, &cmd, lang).await,
        super::commands::AUDIT => schedule_cmd::audit(ctx, &cmd, lang).await,
        super::commands::PLAYBOOK => schedule_cmd::playbook_notes(ctx, &cmd, lang).await,
        super::commands::EXCEPTION => requests::exception(ctx, &cmd, lang).await,
        super::commands::AMEND => requests::amend_form(lang),
        super::commands::REGULATION => return requests::regulation(ctx, discord, &cmd, lang).await,
        other => ephemeral(tr!(lang, "不明なコマンドです: {other}", "Unknown command: {other}")),
    };
    if matches!(cmd.data.name.as_str(), super::commands::INCIDENT | super::commands::DRILL) {
        ctx.wake.notify_one();
    }
    cmd.create_response(&discord.http, response).await
}

async fn component(ctx: &Ctx, discord: &Context, c: ComponentInteraction) -> serenity::Result<()> {
    let lang = Lang::from_locale(&c.locale);
    // The confidential reporter's DM has one button, usable outside the guild
    // (the service checks it is theirs).
    let id = CustomId::parse(&c.data.custom_id);
    let from_dm = matches!(id, Some(CustomId::AddInfo(_))) && c.guild_id.is_none();
    if !ctx.in_our_guild(c.guild_id) && !from_dm {
        return c.create_response(&discord.http, refuse_other_guild(lang)).await;
    }
    let work = async {
        let response = match id {
            Some(id) => components::run(ctx, &c, id, lang).await,
            None => ephemeral(tr!(lang, "このボタンは無効です。", "This control is not valid.")),
        };
        ctx.wake.notify_one();
        response
    };
    timely::respond(&discord.http, c.id, &c.token, lang, work).await
}

async fn modal(ctx: &Ctx, discord: &Context, m: ModalInteraction) -> serenity::Result<()> {
    let lang = Lang::from_locale(&m.locale);
    let id = CustomId::parse(&m.data.custom_id);
    let from_dm = matches!(id, Some(CustomId::AddInfoModal(_))) && m.guild_id.is_none();
    if !ctx.in_our_guild(m.guild_id) && !from_dm {
        return m.create_response(&discord.http, refuse_other_guild(lang)).await;
    }
    if let Some(CustomId::ReportModal { category, kind, confidential }) = id {
        return report::submit(ctx, &discord.http, &m, category, kind, confidential, lang).await;
    }
    let fields = forms::submitted(&m.data);
    let work = async {
        let response = match id {
            Some(id) => match forms::check(&id, &fields) {
                Ok(()) => components::submit(ctx, &m, id, &fields, lang).await,
                Err(too_long) => ephemeral(errors::too_long(&too_long, &fields, lang)),
            },
            None => ephemeral(tr!(lang, "このフォームは無効です。", "This form is not valid.")),
        };
        ctx.wake.notify_one();
        response
    };
    timely::respond(&discord.http, m.id, &m.token, lang, work).await
}
