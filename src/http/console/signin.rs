//! Signing in with Discord (OAuth2 authorisation code, PKCE, `state`) and
//! out. The `state` is kept in the database and in a cookie of this
//! browser: an answer from Discord counts only in the browser that began
//! the sign-in, and only once.

use super::{cookie, form_sender, lang, same, view, Csrf, Site};
use crate::domain::console::{local_path, ATTEMPT_LASTS, SIGN_IN_LASTS};
use crate::service::ConsoleError;
use crate::tr;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /signin?next=PATH`: to Discord's authorisation page.
pub async fn begin(State(site): State<Site>, headers: HeaderMap, Query(q): Query<Next>) -> Response {
    let lang = lang(&headers, &site.settings);
    let begun = match site.console.begin(local_path(q.next.as_deref().unwrap_or("/incidents"))).await {
        Ok(b) => b,
        Err(e) => return view::failed(lang, &e),
    };
    let to = site.oauth.authorize_url(&site.web.redirect_uri(), &begun.state, &begun.challenge);
    let state = site.cookie(site.state_cookie_name(), &begun.state, ATTEMPT_LASTS.num_seconds());
    ([(header::SET_COOKIE, state)], Redirect::to(&to)).into_response()
}

#[derive(Deserialize)]
pub struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /signin/callback`: Discord's answer. The code is redeemed, the
/// member read, and the sign-in kept; then on to where they were going.
pub async fn callback(State(site): State<Site>, headers: HeaderMap, Query(a): Query<Answer>) -> Response {
    let lang = lang(&headers, &site.settings);
    let refuse = |e: ConsoleError| view::problem(lang, StatusCode::from(e.clone()), &e.says(lang));
    let Some(state) = a.state.as_deref().filter(|s| cookie(&headers, site.state_cookie_name()).is_some_and(|c| same(c, s))) else {
        return refuse(ConsoleError::UnknownAttempt);
    };
    let (verifier, next) = match site.console.answered(state).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => return refuse(e),
        Err(e) => return view::failed(lang, &e),
    };
    let Some(code) = a.code.filter(|_| a.error.is_none()) else {
        let says = tr!(lang, "Discordでのサインインが取り消されました。", "The sign-in was cancelled on Discord.");
        return view::problem(lang, StatusCode::FORBIDDEN, &says);
    };
    let guild = site.settings.discord.guild;
    let (user, roles) = match site.oauth.member(&code, &verifier, &site.web.redirect_uri(), guild).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "a console sign-in failed at Discord");
            return refuse(ConsoleError::Discord(e));
        }
    };
    match site.console.open(user, roles.as_deref()).await {
        Ok(Ok(opened)) => {
            let session = site.cookie(site.cookie_name(), &opened.cookie, SIGN_IN_LASTS.num_seconds());
            let clear = site.cookie(site.state_cookie_name(), "", 0);
            let mut resp = Redirect::to(local_path(&next)).into_response();
            for c in [session, clear] {
                if let Ok(v) = c.parse() {
                    resp.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            resp
        }
        Ok(Err(e)) => {
            tracing::info!(user = user.0, "a console sign-in refused: not a member of the server");
            refuse(e)
        }
        Err(e) => view::failed(lang, &e),
    }
}

/// `POST /signout`: ends this sign-in (the form carries its CSRF token).
pub async fn sign_out(State(site): State<Site>, headers: HeaderMap, Form(f): Form<Csrf>) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match form_sender(&site, &headers, "/", &f).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    if let Some(c) = cookie(&headers, site.cookie_name()) {
        if let Err(e) = site.console.sign_out(c, s.user).await {
            return view::failed(lang, &e);
        }
    }
    let clear = site.cookie(site.cookie_name(), "", 0);
    ([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response()
}

/// A form without this sign-in's token: sent from another site.
pub fn forged(lang: crate::domain::Lang) -> String {
    tr!(
        lang,
        "このフォームは別のページから送信されたため、受け付けませんでした。ページを開き直してやり直してください。",
        "This form was sent from another page, so it was not accepted. Open the page again and retry."
    )
}
