//! Answers to interactions: ephemeral, pinging nobody, in the asker's
//! language; who is asking; and the 3-second rule.
//!
//! Discord forgets an interaction that is not answered within 3 seconds.
//! Handlers that wait on the database answer through [`respond`]: at once
//! when the work is quick, else with a deferred answer ("thinking…") first
//! and the real one edited in when it is ready — a slow or unreachable
//! database never leaves a click without an answer.

use super::render::no_mentions;
use super::text::clip;
use crate::domain::{Lang, UserId};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{
    Builder, CreateInteractionResponse, CreateInteractionResponseMessage, GuildId, Http, InteractionId, Member, RoleId, User,
};
use std::future::Future;
use std::time::Duration;

/// What a handler answers with.
pub type Reply = CreateInteractionResponse;

/// An ephemeral reply that pings nobody.
pub fn ephemeral(text: impl Into<String>) -> Reply {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new().content(clip(&text.into(), 2000)).ephemeral(true).allowed_mentions(no_mentions()),
    )
}

/// The text for a failure: what to change, to try again, or to tell the
/// committee. Internal failures are logged, never shown.
pub fn failure(e: &ServiceError, lang: Lang, what: &str) -> String {
    if e.is_user_facing() {
        tracing::debug!(error = %e, what, "refused");
    } else {
        tracing::error!(error = %e, what, "failed");
    }
    e.text(lang)
}

/// An ephemeral answer from a handler's result.
pub fn answer(result: Result<Reply, ServiceError>, lang: Lang, what: &str) -> Reply {
    result.unwrap_or_else(|e| ephemeral(failure(&e, lang, what)))
}

/// A refusal of what was typed or chosen, as an error for `?`.
pub fn refuse<T>(e: InputError) -> Result<T, ServiceError> {
    Err(e.into())
}

/// Who is asking: the committee role is read from the interaction's member
/// (present only inside the guild, which is checked first).
pub fn caller(committee_role: crate::domain::RoleId, user: &User, member: Option<&Member>) -> Caller {
    let role = RoleId::new(committee_role.0);
    Caller { user: UserId(user.id.get()), committee: member.is_some_and(|m| m.roles.contains(&role)) }
}

/// hikeshi serves one organisation: its guild only.
pub fn in_guild(settings: &crate::config::Settings, guild: Option<GuildId>) -> bool {
    guild.is_some_and(|g| g.get() == settings.discord.guild)
}

/// How long the work may take before the answer is deferred (Discord's
/// limit is 3 s; the rest is margin for the request itself).
pub const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// An ephemeral "thinking…" answer, to be edited later.
pub fn deferred() -> CreateInteractionResponse {
    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true))
}

pub async fn respond(
    http: &Http,
    id: InteractionId,
    token: &str,
    lang: Lang,
    work: impl Future<Output = CreateInteractionResponse>,
) -> serenity::Result<()> {
    tokio::pin!(work);
    let late = match tokio::time::timeout(ANSWER_WITHIN, &mut work).await {
        Ok(response) => return response.execute(http, (id, token)).await,
        Err(_) => {
            tracing::warn!("an answer took longer than {ANSWER_WITHIN:?}; deferring it");
            deferred().execute(http, (id, token)).await?;
            work.await
        }
    };
    http.edit_original_interaction_response(token, &late_edit(&late, lang), vec![]).await.map(|_| ())
}

/// The body that edits a deferred answer into `response`. A form cannot
/// open after a deferral: the person is asked to click again.
fn late_edit(response: &CreateInteractionResponse, lang: Lang) -> serde_json::Value {
    let value = serde_json::to_value(response).unwrap_or_default();
    match (&value["type"].as_u64(), value.get("data")) {
        (Some(4 | 7), Some(data)) => {
            let mut data = data.clone();
            if let Some(o) = data.as_object_mut() {
                // The deferral already made it ephemeral; an edit may not set it.
                o.remove("flags");
                o.remove("tts");
            }
            data
        }
        _ => serde_json::json!({
            "content": tr!(
                lang,
                "⏳ データベースの応答が遅れたため、フォームを開けませんでした。もう一度押してください。",
                "⏳ The database was slow, so the form could not open: please click again."
            ),
            "allowed_mentions": {"parse": []},
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_message_keeps_its_text_and_mention_rules_but_not_its_flags() {
        let r = ephemeral("done");
        let edit = late_edit(&r, Lang::En);
        assert_eq!(edit["content"], "done");
        assert_eq!(edit["allowed_mentions"]["parse"], serde_json::json!([]));
        assert!(edit.get("flags").is_none(), "{edit}");
    }

    #[test]
    fn a_late_form_becomes_a_request_to_click_again() {
        let form = CreateInteractionResponse::Modal(serenity::all::CreateModal::new("hk1:amendm", "x"));
        assert!(late_edit(&form, Lang::En)["content"].as_str().unwrap().contains("click again"));
    }
}
