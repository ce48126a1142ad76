//! `/incident add @user` and `/incident remove @user`, run in an incident
//! channel by its commander or the committee.

use super::{ephemeral, failure, Ctx};
use crate::domain::{ChannelId, Lang, UserId};
use crate::records::export::{render, Format};
use crate::service::Caller;
use crate::service::ServiceError;
use crate::tr;
use serenity::all::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, CreateAttachment, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

/// The incident whose channel the command ran in.
async fn channel_incident(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> Result<crate::domain::Incident, ServiceError> {
    ctx.app.store.incident_by_channel(ChannelId(cmd.channel_id.get())).await?.ok_or_else(|| {
        ServiceError::BadInput(tr!(
            lang,
            "このコマンドはインシデントのチャンネルで使ってください。",
            "Use this command in an incident channel."
        ))
    })
}

/// `/incident export format:…`: the record, attached to an ephemeral reply.
async fn export(ctx: &Ctx, cmd: &CommandInteraction, sub: &CommandDataOption, caller: Caller, lang: Lang) -> CreateInteractionResponse {
    let format = match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => {
            opts.iter().find(|o| o.name == "format").and_then(|o| o.value.as_str()).and_then(Format::parse)
        }
        _ => None,
    };
    let Some(format) = format else {
        return ephemeral(tr!(lang, "形式を選んでください（md / json / html）。", "Choose a format (md, json or html)."));
    };
    let result: Result<CreateInteractionResponse, ServiceError> = async {
        let incident = channel_incident(ctx, cmd, lang).await?;
        let roles = incident.roles_of(caller.user, caller.committee);
        if !crate::domain::Action::Export.allowed(&roles) {
            return Err(crate::domain::incident::IncidentError::NotAllowed(crate::domain::Action::Export.allowed_roles()).into());
        }
        let mut record = ctx.app.record(incident.number).await?;
        if !caller.committee {
            record.redact_confidential_reporter();
        }
        let file = CreateAttachment::bytes(
            render(&record, format, &ctx.app.settings).into_bytes(),
            format!("{}.{}", incident.number, format.extension()),
        );
        let number = incident.number;
        Ok(CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content(tr!(lang, "{number} の記録です。", "The record of {number}."))
                .add_file(file)
                .ephemeral(true)
                .allowed_mentions(crate::discord::render::no_mentions()),
        ))
    }
    .await;
    result.unwrap_or_else(|e| ephemeral(super::failure(&e, lang, "export")))
}

pub async fn run(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    let caller = ctx.caller(&cmd.user, cmd.member.as_deref());
    let Some(sub) = cmd.data.options.first() else {
        return ephemeral(tr!(lang, "サブコマンドを選んでください。", "Choose a subcommand."));
    };
    if sub.name == "export" {
        return export(ctx, cmd, sub, caller, lang).await;
    }
    if sub.name == "appi" {
        return match channel_incident(ctx, cmd, lang).await {
            Ok(i) if ctx.app.settings.personal_data.is_some() && i.category == crate::domain::Category::Breach && !i.is_drill() => {
                super::components::appi_panel(&i, &ctx.app.settings, lang, false)
            }
            Ok(_) => {
                ephemeral(tr!(lang, "この質問は実際の「侵害」インシデントが対象です。", "These questions concern real breach incidents."))
            }
            Err(e) => ephemeral(failure(&e, lang, "appi")),
        };
    }
    let user = match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => opts.iter().find_map(|o| match o.value {
            CommandDataOptionValue::User(u) => Some(UserId(u.get())),
            _ => None,
        }),
        _ => None,
    };
    let Some(user) = user else {
        return ephemeral(tr!(lang, "メンバーを指定してください。", "Name a member."));
    };
    let result: Result<String, ServiceError> = async {
        let incident = channel_incident(ctx, cmd, lang).await?;
        Ok(match sub.name.as_str() {
            "add" => {
                ctx.app.add_responder(incident.id, caller, user).await?;
                tr!(lang, "<@{user}> を対応メンバーに加えました。", "<@{user}> joined the response.")
            }
            "remove" => {
                ctx.app.remove_responder(incident.id, caller, user).await?;
                tr!(lang, "<@{user}> を対応メンバーから外しました。", "<@{user}> left the response.")
            }
            other => return Err(ServiceError::BadInput(format!("unknown subcommand {other}"))),
        })
    }
    .await;
    ephemeral(result.unwrap_or_else(|e| failure(&e, lang, "incident command")))
}
