//! A webhook receiver of the organisation's, as the tests run it: a real
//! HTTP server on 127.0.0.1 that keeps every request and checks a signed
//! one the way the README shows a receiver should. It can refuse, fail
//! (5xx), hang, or be away (connection refused), then recover.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
    /// Whether the signature held (for a signed body; `None` unsigned).
    pub signed_ok: Option<bool>,
}

/// What the receiver does with the next request.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16),
    /// Never answers (the bot's timeout must end it).
    Hang,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    secret: Option<String>,
    inner: Arc<Mutex<Inner>>,
}

/// HMAC-SHA256 of `{timestamp}.{body}`, checked as a receiver would:
/// the header's hex against our own (constant time), the time within five
/// minutes of ours.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let (Some(sig), Some(ts)) = (headers.get("x-hikeshi-signature"), headers.get("x-hikeshi-timestamp")) else { return false };
    let Ok(ts) = ts.to_str().unwrap_or("").parse::<i64>() else { return false };
    let expected = hikeshi::outside::signature(secret.as_bytes(), ts, body);
    let given = sig.as_bytes();
    given.len() == expected.len() && given.iter().zip(expected.as_bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
}

impl Receiver {
    /// Listening now; `secret`: what it checks signatures with.
    pub async fn start(secret: Option<&str>) -> Receiver {
        Self::start_at("127.0.0.1:0".parse().unwrap(), secret).await
    }

    /// Listening at `addr` (one where nobody listened before: the
    /// receiver comes back).
    pub async fn start_at(addr: SocketAddr, secret: Option<&str>) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let r = Receiver { addr, secret: secret.map(str::to_string), inner: Arc::default() };
        let app = axum::Router::new().route("/*path", post(take)).with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    pub fn url(&self) -> String {
        format!("http://{}/hikeshi", self.addr)
    }

    /// The next answers, in order; then 200 again.
    pub fn then(&self, answers: Vec<Answer>) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
}

async fn take(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signed_ok = r.secret.as_deref().filter(|_| headers.contains_key("x-hikeshi-signature")).map(|s| verify(s, &headers, &body));
    let answer = {
        let mut inner = r.inner.lock().unwrap();
        let answer = inner.script.pop_front().unwrap_or(Answer::Status(200));
        // A hung or failed request did not arrive as far as the receiver
        // is concerned: only what it answered 2xx to counts as received.
        if matches!(answer, Answer::Status(200..=299)) {
            inner.received.push(Received { headers, body: String::from_utf8_lossy(&body).into_owned(), signed_ok });
        }
        answer
    };
    match answer {
        Answer::Status(s) => StatusCode::from_u16(s).unwrap(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK
        }
    }
}

/// An address where nothing listens (connection refused), for now.
pub async fn nobody_listening() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}
