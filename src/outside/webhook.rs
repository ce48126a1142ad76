//! The organisation's webhook. `signed`: JSON with an HMAC-SHA256 of
//! `{timestamp}.{body}` under `HIKESHI_WEBHOOK_SECRET` (a receiver checks
//! it and refuses old timestamps, so a body cannot be forged or replayed);
//! `ntfy`: the sentence as plain text with a title and a priority header;
//! `slack`: `{"text": …}`. A 2xx is delivered; a 4xx (but 408 and 429) is
//! a refusal, given up and recorded; anything else is tried again.

use super::page::Page;
use super::OutsideEffects;
use crate::config::escalation::WebhookFormat;
use crate::domain::effect::OutboxItem;
use crate::runner::DeliveryError;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-Hikeshi-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Hikeshi-Timestamp";
/// The same for every try of one delivery: a receiver drops repeats.
pub const DELIVERY_HEADER: &str = "X-Hikeshi-Delivery";

/// `sha256=` and the hex HMAC-SHA256 of `{timestamp}.{body}` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl OutsideEffects {
    pub(super) async fn webhook(&self, item: &OutboxItem, page: &Page) -> Result<Vec<String>, DeliveryError> {
        let Some(hook) = &self.app.settings.outside.webhook else {
            return Err(DeliveryError::Refused("no webhook is configured".into()));
        };
        match hook.format {
            WebhookFormat::Signed => {
                let body = json!({"type": "escalation", "step": "outside", "text": page.text, "incident": page}).to_string();
                self.signed(&hook.url, item, body).await?;
            }
            WebhookFormat::Ntfy => {
                let urgency = match page.priority {
                    Some(3) => "urgent",
                    Some(2) | None => "high",
                    _ => "default",
                };
                // ntfy reads headers as Latin-1 unless RFC 2047 encoded.
                let title = format!("=?UTF-8?B?{}?=", crate::domain::base64::standard(page.title.as_bytes()));
                let request =
                    self.request(&hook.url, item).header("Title", title).header("Priority", urgency).header("Tags", "rotating_light");
                send(request.body(page.text.clone())).await?;
            }
            WebhookFormat::Slack => {
                let request = self.request(&hook.url, item).header("Content-Type", "application/json");
                send(request.body(json!({"text": page.text}).to_string())).await?;
            }
        }
        Ok(vec!["webhook".into()])
    }

    fn request(&self, url: &str, item: &OutboxItem) -> reqwest::RequestBuilder {
        self.http.post(url).header(DELIVERY_HEADER, format!("hikeshi-{}", item.id))
    }

    /// JSON signed with `HIKESHI_WEBHOOK_SECRET` (none set: refused,
    /// never sent unsigned).
    pub(super) async fn signed(&self, url: &str, item: &OutboxItem, body: String) -> Result<(), DeliveryError> {
        let Some(secret) = &self.secret else {
            return Err(DeliveryError::Refused("HIKESHI_WEBHOOK_SECRET is not set: a signed webhook cannot be sent".into()));
        };
        let at = self.app.clock.now().timestamp();
        let request = self
            .request(url, item)
            .header("Content-Type", "application/json")
            .header(TIMESTAMP_HEADER, at.to_string())
            .header(SIGNATURE_HEADER, signature(secret.expose().as_bytes(), at, body.as_bytes()));
        send(request.body(body)).await
    }
}

/// A 2xx is delivered; a 4xx (but 408 and 429) refused; the rest retried.
async fn send(request: reqwest::RequestBuilder) -> Result<(), DeliveryError> {
    let answer = request.send().await.map_err(|e| DeliveryError::Transient(format!("webhook: {}", without_url(&e))))?;
    let status = answer.status();
    match status.as_u16() {
        200..=299 => Ok(()),
        408 | 429 => Err(DeliveryError::Transient(format!("webhook answered {status}"))),
        400..=499 => Err(DeliveryError::Refused(format!("webhook refused it: {status}"))),
        _ => Err(DeliveryError::Transient(format!("webhook answered {status}"))),
    }
}

/// reqwest's error without the URL (a token in a webhook URL stays out of
/// logs and records).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    kind.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2, with the body signed as `{timestamp}.{body}`.
    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        let key = b"Jefe";
        // "what do ya want " + "for nothing?" split as timestamp-less text:
        // HMAC("Jefe", "what do ya want for nothing?") is the RFC's value.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac.finalize().into_bytes()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let s = signature(b"k", 1700000000, b"{}");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"k").unwrap();
        mac.update(b"1700000000.{}");
        assert_eq!(s, format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
        assert_ne!(signature(b"k", 1700000001, b"{}"), s, "the time is signed");
    }
}
