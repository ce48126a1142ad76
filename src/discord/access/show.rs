//! `/incident access` (commander, committee): who reads this incident now,
//! and why each — as Discord computes it from the server the gateway shows.

use super::super::reply::Reply;
use super::super::Ctx;
use super::{mention, role_mention};
use crate::discord::render::no_mentions;
use crate::discord::text::clip;
use crate::domain::access::Reader;
use crate::domain::{ChannelId, Lang};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{CommandInteraction, CreateInteractionResponseMessage};

pub async fn show(ctx: &Ctx, cmd: &CommandInteraction, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let (channel, in_thread) = channel_of(cmd);
    let Some((server, overwrites)) = ctx.access.channel_view(channel) else {
        return Err(InputError::ServerNotSeenYet.into());
    };
    let (incident, readers) = ctx.app.access().readers(caller, ChannelId(channel), &server, &overwrites, ctx.me).await?;
    let mut text = listing(&incident.number.to_string(), &readers, server.members.is_some(), lang);
    if in_thread {
        text.push_str(&tr!(
            lang,
            "\n（スレッドはチャンネルを閲覧できる人だけが読めます。非公開スレッドはそのうち参加者だけです）",
            "\n(a thread is read by the channel's readers only; a private thread by those of them who joined)"
        ));
    }
    let message = CreateInteractionResponseMessage::new().ephemeral(true).content(clip(&text, 2000)).allowed_mentions(no_mentions());
    Ok(Reply::message(message))
}

/// The channel whose readers to list: a thread's parent (Discord sends a
/// thread's interaction with its parent named), since a thread never
/// widens who reads its channel (`domain::access`); and whether it was one.
fn channel_of(cmd: &CommandInteraction) -> (u64, bool) {
    use serenity::all::ChannelType::{NewsThread, PrivateThread, PublicThread};
    let thread = cmd.channel.as_ref().filter(|c| matches!(c.kind, PublicThread | PrivateThread | NewsThread));
    thread.and_then(|c| c.parent_id).map_or((cmd.channel_id.get(), false), |parent| (parent.get(), true))
}

/// The readers, allowed first; outsiders after, marked.
fn listing(number: &str, readers: &[Reader], by_member: bool, lang: Lang) -> String {
    let mut text = tr!(lang, "**{number} を閲覧できる人**", "**Who can read {number}**");
    if !by_member {
        text.push('\n');
        text.push_str(&tr!(
            lang,
            "（Server Members インテントが無効なため、会員ごとではなくロールごとの一覧です）",
            "(by role, not by member: the Server Members intent is off)"
        ));
    }
    let (allowed, outsiders): (Vec<&Reader>, Vec<&Reader>) = readers.iter().partition(|r| r.standing.is_some());
    for r in allowed {
        text.push_str(&format!("\n• {}", r.says(lang, &mention, &role_mention)));
    }
    for r in outsiders {
        let mark = if r.is_drift() { "⚠" } else { "•" };
        text.push_str(&format!("\n{mark} {}", r.says(lang, &mention, &role_mention)));
    }
    text
}
