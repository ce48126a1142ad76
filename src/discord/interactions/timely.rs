//! Discord forgets an interaction that is not answered within 3 seconds.
//! Handlers that wait on the database answer through here: at once when the
//! work is quick, else with a deferred answer ("thinking…") first and the
//! real one edited in when it is ready — a slow or unreachable database
//! never leaves a click without an answer.

use crate::domain::Lang;
use crate::tr;
use serenity::all::{Builder, CreateInteractionResponse, CreateInteractionResponseMessage, Http, InteractionId};
use std::future::Future;
use std::time::Duration;

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
        let r = super::super::ephemeral("done");
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
