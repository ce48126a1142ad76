//! Answers to interactions: ephemeral, pinging nobody, in the asker's
//! language; who is asking; and the 3-second rule.
//!
//! Discord forgets an interaction that is not answered within 3 seconds.
//! Handlers that wait on the database answer through [`respond`]: at once
//! when the work is quick, else with a deferred answer ("thinking…") first
//! and the real one edited in when it is ready — a slow or unreachable
//! database never leaves a click without an answer.

use super::render::no_mentions;
use super::rest::{Rest, RestError};
use super::text::clip;
use crate::domain::{Lang, UserId};
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{
    CreateAttachment, CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal, GuildId, InteractionId, LightMethod,
    Member, Request, RoleId, Route, User,
};
use serenity::http::{Multipart, MultipartUpload};
use std::future::Future;
use std::time::Duration;

/// What a handler answers with, and the files it carries (serenity's
/// builder keeps them where only its own client can take them).
pub struct Reply {
    response: CreateInteractionResponse,
    files: Vec<CreateAttachment>,
}

impl Reply {
    /// A new message answering the interaction.
    pub fn message(m: CreateInteractionResponseMessage) -> Reply {
        Reply { response: CreateInteractionResponse::Message(m), files: vec![] }
    }

    /// The clicked message, changed.
    pub fn update_message(m: CreateInteractionResponseMessage) -> Reply {
        Reply { response: CreateInteractionResponse::UpdateMessage(m), files: vec![] }
    }

    /// A form to fill in.
    pub fn modal(m: CreateModal) -> Reply {
        Reply { response: CreateInteractionResponse::Modal(m), files: vec![] }
    }

    /// The same answer with a file attached.
    pub fn with_file(mut self, file: CreateAttachment) -> Reply {
        self.files.push(file);
        self
    }
}

/// The answer as Discord's JSON (its files travel apart).
impl serde::Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.response.serialize(s)
    }
}

/// An ephemeral reply that pings nobody.
pub fn ephemeral(text: impl Into<String>) -> Reply {
    Reply::message(
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

/// Who is asking: the committee and IT department roles are read from the
/// interaction's member (present only inside the guild, checked first).
pub fn caller(d: &crate::config::DiscordIds, user: &User, member: Option<&Member>) -> Caller {
    let holds = |r: crate::domain::RoleId| member.is_some_and(|m| m.roles.contains(&RoleId::new(r.0)));
    Caller {
        user: UserId(user.id.get()),
        committee: holds(d.committee_role),
        it_department: d.it_department_role.is_some_and(|r| r.0 != 0 && holds(r)),
    }
}

/// hikeshi serves one organisation: its guild only.
pub fn in_guild(settings: &crate::config::Settings, guild: Option<GuildId>) -> bool {
    guild.is_some_and(|g| g.get() == settings.discord.guild)
}

/// How long the work may take before the answer is deferred (Discord's
/// limit is 3 s; the rest is margin for the request itself).
pub const ANSWER_WITHIN: Duration = Duration::from_secs(2);

/// An interaction to answer: its id, its token, and the application it
/// was sent to (edits of the answer go to the application's webhook).
#[derive(Clone, Copy)]
pub struct Asked<'a> {
    pub id: InteractionId,
    pub token: &'a str,
    pub application: u64,
}

impl<'a> Asked<'a> {
    pub fn new(id: InteractionId, token: &'a str, application: serenity::all::ApplicationId) -> Asked<'a> {
        Asked { id, token, application: application.get() }
    }
}

/// An ephemeral "thinking…" answer, to be edited later.
pub fn deferred() -> Reply {
    Reply { response: CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(true)), files: vec![] }
}

/// A JSON body, or the body and its files as one multipart request with
/// the files listed in `attachments` (as Discord wants them), for a message
/// or an interaction's answer (whose message is under `data`).
pub(crate) fn with_files(req: Request<'_>, mut payload: serde_json::Value, files: Vec<CreateAttachment>) -> Request<'_> {
    if files.is_empty() {
        return req.body(Some(payload.to_string().into_bytes()));
    }
    let listed: Vec<_> = files.iter().enumerate().map(|(i, f)| serde_json::json!({"id": i.to_string(), "filename": f.filename})).collect();
    let data = if payload.get("data").is_some() { &mut payload["data"] } else { &mut payload };
    data["attachments"] = serde_json::Value::Array(listed);
    req.multipart(Some(Multipart { upload: MultipartUpload::Attachments(files), fields: vec![], payload_json: Some(payload.to_string()) }))
}

/// Answers the interaction now (Discord's initial response).
pub async fn answer_now(rest: &Rest, asked: Asked<'_>, reply: Reply) -> Result<(), RestError> {
    let payload = serde_json::to_value(&reply.response).map_err(|e| RestError::Transient(e.to_string()))?;
    let req = Request::new(Route::InteractionResponse { interaction_id: asked.id, token: asked.token }, LightMethod::Post);
    rest.send(with_files(req, payload, reply.files)).await.map(|_| ())
}

/// Edits the answer given (or deferred) earlier.
pub async fn edit_original(rest: &Rest, application: impl Into<u64>, token: &str, body: &impl serde::Serialize) -> Result<(), RestError> {
    let payload = serde_json::to_value(body).map_err(|e| RestError::Transient(e.to_string()))?;
    edit_original_with(rest, application.into(), token, payload, vec![]).await
}

async fn edit_original_with(
    rest: &Rest,
    application: u64,
    token: &str,
    payload: serde_json::Value,
    files: Vec<CreateAttachment>,
) -> Result<(), RestError> {
    let route = Route::WebhookOriginalInteractionResponse { application_id: application.into(), token };
    rest.send(with_files(Request::new(route, LightMethod::Patch), payload, files)).await.map(|_| ())
}

/// Answers with what `work` makes: at once when it is quick, else deferred
/// first (Discord's 3 seconds) and edited in when it is ready.
pub async fn respond(rest: &Rest, asked: Asked<'_>, lang: Lang, work: impl Future<Output = Reply>) -> Result<(), RestError> {
    tokio::pin!(work);
    let late = match tokio::time::timeout(ANSWER_WITHIN, &mut work).await {
        Ok(reply) => return answer_now(rest, asked, reply).await,
        Err(_) => {
            tracing::warn!("an answer took longer than {ANSWER_WITHIN:?}; deferring it");
            answer_now(rest, asked, deferred()).await?;
            work.await
        }
    };
    let body = late_edit(&late.response, lang);
    edit_original_with(rest, asked.application, asked.token, body, late.files).await
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
        let edit = late_edit(&r.response, Lang::En);
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
