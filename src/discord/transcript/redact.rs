//! `/incident redact` (committee; issue 25, APPI): a message posted by
//! mistake with personal data taken out of the record and deleted from
//! Discord; the chain keeps its digest, who, when and why.

use crate::discord::deliver::{rest_err, DiscordEffects};
use crate::discord::options::{sub_options, text};
use crate::discord::reply::Reply;
use crate::discord::Ctx;
use crate::domain::{ChannelId, Lang, MessageId};
use crate::runner::DeliveryError;
use crate::service::{Caller, Delivered, ServiceError};
use crate::tr;
use serenity::all::{
    CommandDataOption, CommandInteraction, CommandOptionType, CreateCommandOption, CreateInteractionResponseMessage, LightMethod, Request,
    Route,
};

/// The subcommand as registered.
pub fn subcommand() -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, "redact", "Redact a message posted by mistake (personal data; committee)")
        .name_localized("ja", "墨消し")
        .description_localized("ja", "誤って投稿された個人情報などのメッセージを記録から削除します（委員会）")
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "message", "The message's link or id")
                .name_localized("ja", "メッセージ")
                .description_localized("ja", "メッセージのリンクまたはID")
                .required(true)
                .max_length(120),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "reason", "Why (kept in the record)")
                .name_localized("ja", "理由")
                .description_localized("ja", "理由（記録に残ります）")
                .required(true)
                .max_length(300),
        )
}

pub async fn redact(
    ctx: &Ctx,
    cmd: &CommandInteraction,
    sub: &CommandDataOption,
    caller: Caller,
    lang: Lang,
) -> Result<Reply, ServiceError> {
    let options = sub_options(sub);
    let (message, reason) = (text(options, "message").unwrap_or_default(), text(options, "reason").unwrap_or_default());
    let id = ctx.app.transcript().redact(caller, ChannelId(cmd.channel_id.get()), message, reason).await?;
    let said = tr!(
        lang,
        "メッセージ {id} を記録から削除しました（本文とファイルは消え、記録には「削除済み」と残ります）。Discord からも削除します。",
        "Message {id} is redacted: its text and files are gone from the record, which says so; it is being deleted from Discord too."
    );
    Ok(Reply::message(CreateInteractionResponseMessage::new().ephemeral(true).content(said)))
}

impl DiscordEffects {
    /// The redacted message, deleted from Discord (already gone: done).
    pub(crate) async fn delete_message(&self, channel: ChannelId, message: MessageId) -> Result<Delivered, DeliveryError> {
        let route = Route::ChannelMessage { channel_id: channel.0.into(), message_id: message.0.into() };
        match self.rest.send(Request::new(route, LightMethod::Delete)).await {
            Ok(_) => Ok(Delivered::Done),
            Err(e) if e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }
}
