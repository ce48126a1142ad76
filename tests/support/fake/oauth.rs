//! Discord's OAuth2 as the web console meets it, strict where Discord is:
//! the authorisation page (`/oauth2/authorize`) checks the client, the
//! scopes and a registered redirect address and, once the member says
//! yes, sends the browser back with a code; the token endpoint takes the
//! code once, within ten minutes, with the client's secret, the same
//! redirect address and the PKCE verifier whose S256 digest was the
//! challenge; the member's own token reads `/users/@me` and their member
//! object in the guild (10004 Unknown Guild when they are not in it) and
//! stops working once revoked.

use super::{ids, snowflake, user_json, Shared};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The application's client secret in the tests.
pub const SECRET: &str = "test-oauth-secret";

#[derive(Default)]
pub struct OauthState {
    /// The Discord account signed in in "the browser" that authorises.
    pub signed_in: Option<u64>,
    /// The redirect addresses registered in the Developer Portal.
    pub redirects: Vec<String>,
    codes: HashMap<String, Code>,
    /// Token → (user, scopes, revoked).
    tokens: HashMap<String, (u64, String, bool)>,
    /// Every code redeemed, with its verifier (tests look).
    pub redeemed: Vec<String>,
    next: u64,
}

struct Code {
    user: u64,
    redirect_uri: String,
    challenge: String,
    scope: String,
    at: Instant,
    used: bool,
}

fn oauth_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"error": error, "error_description": description}))).into_response()
}

fn b64url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// What is wrong with an authorisation request, as Discord's page says it.
fn check_authorize(o: &OauthState, q: &HashMap<String, String>) -> Result<(), String> {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != snowflake(ids::APP) {
        return Err("Unknown client_id".into());
    }
    if get("response_type") != "code" {
        return Err("response_type must be code".into());
    }
    let scopes: Vec<&str> = get("scope").split(' ').collect();
    if !scopes.contains(&"identify") || scopes.iter().any(|s| !["identify", "guilds.members.read"].contains(s)) {
        return Err(format!("Invalid scope: {}", get("scope")));
    }
    if !o.redirects.iter().any(|r| r == get("redirect_uri")) {
        return Err("Invalid OAuth2 redirect_uri".into());
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() != 43 {
        return Err("a PKCE challenge (S256) is required of this client in the tests".into());
    }
    Ok(())
}

/// `GET /oauth2/authorize`: the page that asks the member to say yes.
pub async fn authorize_page(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let inner = shared.inner.lock().unwrap();
    if let Err(e) = check_authorize(&inner.oauth, &q) {
        return (StatusCode::BAD_REQUEST, Html(format!("<p>{e}</p>"))).into_response();
    }
    let Some(user) = inner.oauth.signed_in else {
        return Html("<p>Log in to Discord first.</p>".to_string()).into_response();
    };
    let fields: String =
        q.iter().map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", v.replace('"', "&quot;"))).collect();
    Html(format!(
        "<!doctype html><title>Discord</title><h1>hikeshi wants to access your account</h1><p>Signed in as {user}</p>\
         <form method=\"post\" action=\"/oauth2/authorize\">{fields}<button id=\"authorize\" type=\"submit\">Authorize</button></form>"
    ))
    .into_response()
}

/// `POST /oauth2/authorize`: the member said yes; back with a code.
pub async fn authorize(State(shared): State<Arc<Shared>>, axum::Form(q): axum::Form<HashMap<String, String>>) -> Response {
    let mut inner = shared.inner.lock().unwrap();
    if let Err(e) = check_authorize(&inner.oauth, &q) {
        return (StatusCode::BAD_REQUEST, Html(format!("<p>{e}</p>"))).into_response();
    }
    let Some(user) = inner.oauth.signed_in else { return (StatusCode::UNAUTHORIZED, "not logged in").into_response() };
    let o = &mut inner.oauth;
    o.next += 1;
    let code = format!("code{}x{}", o.next, user);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    o.codes.insert(
        code.clone(),
        Code {
            user,
            redirect_uri: get("redirect_uri"),
            challenge: get("code_challenge"),
            scope: get("scope"),
            at: Instant::now(),
            used: false,
        },
    );
    let to = reqwest::Url::parse_with_params(&get("redirect_uri"), &[("code", code.as_str()), ("state", get("state").as_str())]).unwrap();
    Redirect::to(to.as_str()).into_response()
}

fn client_authorised(headers: &HeaderMap) -> bool {
    let want = format!("Basic {}", base64_std(format!("{}:{SECRET}", ids::APP).as_bytes()));
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str())
}

fn base64_std(bytes: &[u8]) -> String {
    let s: String = b64url(bytes)
        .chars()
        .map(|c| {
            if c == '-' {
                '+'
            } else if c == '_' {
                '/'
            } else {
                c
            }
        })
        .collect();
    let pad = (4 - s.len() % 4) % 4;
    s + &"=".repeat(pad)
}

/// `POST /api/v10/oauth2/token` and `…/token/revoke`, and the member's own
/// token's reads; `None` for every other request (the bot's).
pub fn intercept(shared: &Shared, method: &str, path: &str, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let form: HashMap<String, String> = serde_urlencoded_pairs(body);
    let mut inner = shared.inner.lock().unwrap();
    let members = super::all_members(&inner);
    let roles_of = |u: u64| inner.roles.members.iter().find(|(m, _)| *m == u).map(|(_, r)| r.clone()).unwrap_or_default();
    match (method, path) {
        ("POST", "/oauth2/token") => {
            if !client_authorised(headers) {
                return Some((StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client"}))).into_response());
            }
            let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
            if get("grant_type") != "authorization_code" {
                return Some(oauth_error("unsupported_grant_type", "only authorization_code here"));
            }
            let o = &mut inner.oauth;
            let Some(code) = o.codes.get_mut(get("code")) else {
                return Some(oauth_error("invalid_grant", "Invalid \"code\" in request."));
            };
            if code.used || code.at.elapsed() > Duration::from_secs(600) {
                return Some(oauth_error("invalid_grant", "Invalid \"code\" in request."));
            }
            if code.redirect_uri != get("redirect_uri") {
                return Some(oauth_error("invalid_grant", "Invalid \"redirect_uri\" in request."));
            }
            if b64url(&Sha256::digest(get("code_verifier").as_bytes())) != code.challenge {
                return Some(oauth_error("invalid_grant", "Invalid \"code_verifier\""));
            }
            code.used = true;
            let (user, scope) = (code.user, code.scope.clone());
            o.redeemed.push(get("code").to_string());
            o.next += 1;
            let token = format!("access{}", o.next);
            o.tokens.insert(token.clone(), (user, scope.clone(), false));
            Some(
                axum::Json(
                    json!({"access_token": token, "token_type": "Bearer", "expires_in": 604800, "refresh_token": "r", "scope": scope}),
                )
                .into_response(),
            )
        }
        ("POST", "/oauth2/token/revoke") => {
            if !client_authorised(headers) {
                return Some((StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client"}))).into_response());
            }
            if let Some(t) = form.get("token").and_then(|t| inner.oauth.tokens.get_mut(t)) {
                t.2 = true;
            }
            Some(axum::Json(json!({})).into_response())
        }
        _ => {
            let bearer = headers.get("authorization").and_then(|v| v.to_str().ok())?.strip_prefix("Bearer ")?.to_string();
            let Some((user, scope, false)) = inner.oauth.tokens.get(&bearer).cloned() else {
                return Some((StatusCode::UNAUTHORIZED, axum::Json(json!({"message": "401: Unauthorized", "code": 0}))).into_response());
            };
            let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
            Some(match (method, segs.as_slice()) {
                ("GET", ["users", "@me"]) => axum::Json(user_json(user)).into_response(),
                ("GET", ["users", "@me", "guilds", g, "member"]) if scope.split(' ').any(|s| s == "guilds.members.read") => {
                    if *g != snowflake(ids::GUILD) || !members.contains(&user) {
                        (StatusCode::NOT_FOUND, axum::Json(json!({"message": "Unknown Guild", "code": 10004}))).into_response()
                    } else {
                        let roles: Vec<String> = roles_of(user).iter().map(|r| snowflake(*r)).collect();
                        axum::Json(json!({"user": user_json(user), "nick": null, "roles": roles, "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0})).into_response()
                    }
                }
                _ => (StatusCode::FORBIDDEN, axum::Json(json!({"message": "Missing Access", "code": 50001}))).into_response(),
            })
        }
    }
}

fn serde_urlencoded_pairs(body: &[u8]) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body)))
        .map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default()
}
