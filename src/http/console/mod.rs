//! Issue 28: the web console, on `HIKESHI_WEB_ADDR` (off by default): the
//! second adapter beside `discord/`. Members sign in with Discord; every
//! page asks the services, which decide who reads what by the same rules
//! as in Discord. Server-rendered HTML (maud, escaping by construction),
//! no script at all, in Japanese or English by the browser's language.

mod announcements;
mod figures;
mod followups;
mod list;
mod oauth;
mod pages;
mod signin;
mod view;

pub use oauth::Oauth;

use crate::clock::Clock;
use crate::config::{Settings, Web};
use crate::domain::console::Session;
use crate::domain::Lang;
use crate::service::{Console, ConsoleError, Hikeshi, Lessons, Records};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const WHAT: &str = "the web console";

#[derive(Clone)]
pub(crate) struct Site {
    console: Console,
    records: Records,
    lessons: Lessons,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    web: Web,
    oauth: Arc<Oauth>,
}

impl Site {
    fn cookie_name(&self) -> &'static str {
        session_cookie(self.web.secure)
    }

    fn state_cookie_name(&self) -> &'static str {
        if self.web.secure {
            "__Host-hikeshi-signin"
        } else {
            "hikeshi-signin"
        }
    }

    fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        set_cookie(name, value, max_age, self.web.secure)
    }
}

/// The sign-in cookie's name: `__Host-` where it is `Secure`, so that no
/// other site under the same domain can set it.
fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-hikeshi"
    } else {
        "hikeshi"
    }
}

/// A cookie of this site: never read by script, sent on top-level
/// navigations from Discord (Lax) but not on others' forms; `Secure`
/// everywhere but on this machine over http.
fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// One cookie's value from the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The reader's language: the switch's cookie, else the browser's first
/// language that is Japanese or English, else the organisation's.
fn lang(headers: &HeaderMap, settings: &Settings) -> Lang {
    if let Some(l) = cookie(headers, "lang") {
        return Lang::from_locale(l);
    }
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut tags: Vec<(f32, &str)> = accepted
        .split(',')
        .filter_map(|t| {
            let mut parts = t.trim().split(";q=");
            let tag = parts.next()?.trim();
            let q = parts.next().and_then(|q| q.trim().parse().ok()).unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.iter()
        .find(|(_, t)| {
            t.eq_ignore_ascii_case("ja") || t.to_ascii_lowercase().starts_with("ja-") || t.to_ascii_lowercase().starts_with("en")
        })
        .map(|(_, t)| Lang::from_locale(t))
        .unwrap_or(settings.organisation.lang)
}

/// Who is signed in, or the answer to give instead: to Discord to sign
/// in (and back here after), or a page saying the roles could not be
/// confirmed.
async fn viewer(site: &Site, headers: &HeaderMap, here: &str) -> Result<Session, Response> {
    let lang = lang(headers, &site.settings);
    let Some(c) = cookie(headers, site.cookie_name()) else { return Err(to_sign_in(here)) };
    match site.console.session(c).await {
        Ok(Ok(Some(s))) => Ok(s),
        Ok(Ok(None)) => Err(to_sign_in(here)),
        Ok(Err(e)) => Err(view::problem(lang, StatusCode::SERVICE_UNAVAILABLE, &e.says(lang))),
        Err(e) => Err(view::failed(lang, &e)),
    }
}

/// A signed-in page of the console, whole.
fn respond(lang: Lang, title: &str, here: &str, s: &Session, body: maud::Markup) -> Response {
    axum::response::Html(view::page(lang, title, view::top(lang, here, Some(s)), body).into_string()).into_response()
}

/// A form's fields that matter to every POST: this sign-in's CSRF token.
#[derive(serde::Deserialize)]
pub struct Csrf {
    csrf: Option<String>,
}

/// Who sent a form, if it carries their sign-in's token; else the answer
/// (to sign in, or refused as sent from another site).
async fn form_sender(site: &Site, headers: &HeaderMap, back: &str, form: &Csrf) -> Result<Session, Response> {
    let s = viewer(site, headers, back).await?;
    if !form.csrf.as_deref().is_some_and(|t| same(t, &s.csrf)) {
        let lang = lang(headers, &site.settings);
        return Err(view::problem(lang, StatusCode::FORBIDDEN, &signin::forged(lang)));
    }
    Ok(s)
}

fn to_sign_in(here: &str) -> Response {
    let next: String = reqwest::Url::parse_with_params("http://x/signin", &[("next", here)])
        .map(|u| format!("/signin?{}", u.query().unwrap_or("")))
        .unwrap_or_else(|_| "/signin".into());
    Redirect::to(&next).into_response()
}

/// Equal tokens, compared in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    super::same(a.as_bytes(), b.as_bytes())
}

/// The policy every answer carries: nothing runs (no script source at
/// all), styles only from this site or the record's own inline sheet (by
/// its digest), no framing, forms only to this site.
fn content_security_policy() -> String {
    let digest = crate::domain::base64::standard(&Sha256::digest(crate::records::export::html_style().as_bytes()));
    format!(
        "default-src 'none'; style-src 'self' 'sha256-{digest}'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The policy, made once: the record's sheet does not change while running.
static POLICY: std::sync::LazyLock<String> = std::sync::LazyLock::new(content_security_policy);

/// Headers on every answer; `no-store` on all but the stylesheet.
async fn protect(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let public = req.uri().path() == view::STYLESHEET;
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-security-policy", POLICY.as_str()),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", if public { "public, max-age=3600" } else { "no-store" }),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    }
    resp
}

/// The console's routes over the services of `app`.
pub fn router(app: &Hikeshi, web: Web, oauth: Oauth) -> Router {
    let site = Site {
        console: app.console().clone(),
        records: app.records().clone(),
        lessons: app.lessons().clone(),
        clock: app.clock.clone(),
        settings: app.settings.clone(),
        web,
        oauth: Arc::new(oauth),
    };
    Router::new()
        .route("/", get(pages::start))
        .route(view::STYLESHEET, get(view::stylesheet))
        .route("/lang/:code", get(pages::switch_lang))
        .route("/signin", get(signin::begin))
        .route("/signin/callback", get(signin::callback))
        .route("/signout", post(signin::sign_out))
        .route("/incidents", get(pages::incidents))
        .route("/incidents/:number", get(pages::to_record))
        .route("/incidents/:number/", get(pages::record))
        .route("/incidents/:number/files/:file", get(pages::evidence))
        .route("/followups", get(followups::list))
        .route("/announcements", get(announcements::list))
        .route("/announcements/:id/read", post(announcements::read))
        .route("/regulation", get(pages::regulation))
        .route("/figures", get(figures::figures))
        .route("/audit", get(figures::audit))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(protect))
        .with_state(site)
}

impl From<ConsoleError> for StatusCode {
    fn from(e: ConsoleError) -> StatusCode {
        match e {
            ConsoleError::Discord(_) | ConsoleError::RolesUnconfirmed(_) => StatusCode::SERVICE_UNAVAILABLE,
            ConsoleError::NotMember => StatusCode::FORBIDDEN,
            ConsoleError::UnknownAttempt | ConsoleError::AttemptExpired => StatusCode::BAD_REQUEST,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_and_secure_with_the_host_prefix_off_localhost() {
        assert_eq!(set_cookie("__Host-hikeshi", "v", 60, true), "__Host-hikeshi=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
        assert_eq!(set_cookie("hikeshi", "v", 0, false), "hikeshi=v; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        assert_eq!((session_cookie(true), session_cookie(false)), ("__Host-hikeshi", "hikeshi"));
    }

    #[test]
    fn the_language_is_the_switchs_then_the_browsers_first_known_one() {
        let settings =
            crate::config::Settings::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml"))).unwrap();
        let with = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
            }
            lang(&h, &settings)
        };
        assert_eq!(with(&[("accept-language", "en-GB,en;q=0.9,ja;q=0.8")]), Lang::En);
        assert_eq!(with(&[("accept-language", "fr-FR,ja;q=0.9,en;q=0.8")]), Lang::Ja, "French is not offered; Japanese is next");
        assert_eq!(with(&[("accept-language", "en;q=0.5,ja;q=0.9")]), Lang::Ja, "by weight, not order");
        assert_eq!(with(&[("accept-language", "ja"), ("cookie", "x=1; lang=en")]), Lang::En, "the switch wins");
        assert_eq!(with(&[]), settings.organisation.lang);
    }

    #[test]
    fn the_policy_allows_no_script_and_the_records_sheet_by_its_digest() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';") && !csp.contains("script-src") && !csp.contains("unsafe"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"), "{csp}");
        let digest = Sha256::digest(crate::records::export::html_style().as_bytes());
        let b64 = crate::domain::base64::standard(&digest);
        assert!(csp.contains(&format!("'sha256-{b64}'")), "{csp}");
    }
}
