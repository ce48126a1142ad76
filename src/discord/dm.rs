//! Direct messages that reach a person whatever their settings. A member
//! may close their DMs (Discord's 50007): what they were to be told is then
//! kept for them (`/report status` shows it), and someone is told where to
//! look — never by naming a confidential reporter where others read.

use super::deliver::{DiscordEffects, Reached};
use super::render::{role_mention_only, user_mention_only};
use super::text::clip;
use crate::domain::{ChannelId, Incident, UserId};
use crate::runner::DeliveryError;
use crate::tr;
use serenity::all::CreateMessage;

/// Who hears of a DM that could not be delivered.
pub(crate) enum Fallback {
    /// A confidential reporter: the committee channel reads that the
    /// reporter of this incident cannot be reached (once per incident),
    /// without their name.
    Committee,
    /// Anyone else, about an incident: a mention in its channel, with the
    /// text.
    Channel(ChannelId),
    /// Anyone else, about no incident: a mention in the announcement
    /// channel saying only that a message waits in `/report status`.
    Announcement,
}

impl DiscordEffects {
    /// Sends `text` to `user` by DM (`msg` carries it, with any buttons);
    /// if their DMs are closed, keeps it for them and takes `fallback`.
    pub(crate) async fn tell(
        &self,
        user: UserId,
        about: Option<&Incident>,
        (text, msg): (&str, CreateMessage),
        nonce: &str,
        fallback: Fallback,
    ) -> Result<(), DeliveryError> {
        if self.dm(user, msg, nonce).await? == Reached::Dm {
            return Ok(());
        }
        tracing::info!(nonce, "a member's DMs are closed; the message is kept for them");
        let first = self.app.delivery().keep_letter(user, about.map(|i| i.id), nonce, text).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let nonce = format!("{nonce}-f");
        match fallback {
            Fallback::Committee if first => {
                let number = about.map(|i| i.number.to_string()).unwrap_or_default();
                let role = s.discord.committee_role;
                let note = tr!(
                    lang,
                    "<@&{role}> 🔒 {number} の匿名の報告者に DM が届きません（DM を受け付けない設定です）。お知らせは本人のために保管し、本人は `/report status` で読めます。この場で名前を出さずに、必要なら別の方法で連絡してください。",
                    "<@&{role}> 🔒 The confidential reporter of {number} cannot be reached by DM (they do not accept DMs). What they were to be told is kept for them, in `/report status`. Do not name them here; reach them another way if needed."
                );
                let msg = CreateMessage::new().content(clip(&note, 2000)).allowed_mentions(role_mention_only(role));
                self.post(s.discord.committee_channel, msg, &nonce).await?;
            }
            Fallback::Committee => {}
            Fallback::Channel(channel) => {
                let note = tr!(
                    lang,
                    "<@{user}> DM が届かないため、ここでお知らせします（`/report status` でも読めます）:\n{text}",
                    "<@{user}> Your DMs are closed, so this is said here (also in `/report status`):\n{text}"
                );
                let msg = CreateMessage::new().content(clip(&note, 2000)).allowed_mentions(user_mention_only(user));
                self.post(channel, msg, &nonce).await?;
            }
            Fallback::Announcement => {
                let note = tr!(
                    lang,
                    "<@{user}> 委員会からのお知らせがあります。DM が届かないため、`/report status` で確認してください。",
                    "<@{user}> The committee has a message for you. Your DMs are closed: read it with `/report status`."
                );
                let msg = CreateMessage::new().content(note).allowed_mentions(user_mention_only(user));
                self.post(s.discord.announcement_channel, msg, &nonce).await?;
            }
        }
        Ok(())
    }
}
