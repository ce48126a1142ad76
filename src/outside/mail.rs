//! The escalation by e-mail: SMTP with STARTTLS (`smtp_tls = "none"` only
//! for a relay on the same machine), a login from the environment, one
//! message to every address of `mail_to`. Its Message-ID is the outbox
//! item's, so a repeat after a lost answer is recognisably the same mail.

use super::page::Page;
use super::OutsideEffects;
use crate::domain::effect::OutboxItem;
use crate::runner::DeliveryError;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

impl OutsideEffects {
    pub(super) async fn mail(&self, item: &OutboxItem, page: &Page) -> Result<Vec<String>, DeliveryError> {
        let Some(m) = &self.app.settings.outside.mail else {
            return Err(DeliveryError::Refused("no mail server is configured".into()));
        };
        let refused = |what: String| DeliveryError::Refused(format!("mail: {what}"));
        let from: Mailbox = m.from.parse().map_err(|e| refused(format!("mail_from: {e}")))?;
        let mut message = Message::builder()
            .from(from)
            .subject(page.title.clone())
            .message_id(Some(format!("<hikeshi-{}@{}>", item.id, m.host)))
            .header(ContentType::TEXT_PLAIN);
        for to in &m.to {
            message = message.to(to.parse().map_err(|e| refused(format!("mail_to {to}: {e}")))?);
        }
        let message = message.body(page.text.clone()).map_err(|e| refused(e.to_string()))?;
        let tls = if m.starttls {
            let mut params = TlsParameters::builder(m.host.clone());
            if let Some(pem) = &m.ca {
                params = params.add_root_certificate(Certificate::from_pem(pem).map_err(|e| refused(format!("smtp_ca_file: {e}")))?);
            }
            Tls::Required(params.build_rustls().map_err(|e| refused(format!("TLS: {e}")))?)
        } else {
            Tls::None
        };
        let mut transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&m.host).port(m.port).tls(tls).timeout(Some(super::TIMEOUT));
        if let Some((user, password)) = &self.login {
            transport = transport.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        match transport.build().send(message).await {
            Ok(_) => Ok(m.to.iter().map(|to| format!("mail:{to}")).collect()),
            Err(e) if e.is_permanent() => Err(refused(format!("the server refused it ({})", code(&e)))),
            Err(e) => Err(DeliveryError::Transient(format!("mail: {}", code(&e)))),
        }
    }
}

/// What went wrong: the server's code, or how talking to it failed
/// (lettre's words: never the login, which it does not repeat).
fn code(e: &lettre::transport::smtp::Error) -> String {
    match e.status() {
        Some(code) => format!("SMTP {code}"),
        None if e.is_timeout() => "no answer in time".into(),
        None => e.to_string(),
    }
}
