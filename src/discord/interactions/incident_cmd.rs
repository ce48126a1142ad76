//! `/incident add @user` and `/incident remove @user`, run in an incident
//! channel by its commander or the committee.

use super::{ephemeral, failure, Ctx};
use crate::domain::{ChannelId, Lang, UserId};
use crate::service::ServiceError;
use crate::tr;
use serenity::all::{CommandDataOptionValue, CommandInteraction, CreateInteractionResponse};

pub async fn run(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    let caller = ctx.caller(&cmd.user, cmd.member.as_deref());
    let Some(sub) = cmd.data.options.first() else {
        return ephemeral(tr!(lang, "サブコマンドを選んでください。", "Choose a subcommand."));
    };
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
        let incident = ctx.app.store.incident_by_channel(ChannelId(cmd.channel_id.get())).await?.ok_or_else(|| {
            ServiceError::BadInput(tr!(
                lang,
                "このコマンドはインシデントのチャンネルで使ってください。",
                "Use this command in an incident channel."
            ))
        })?;
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
