//! The console's page frame: its header (where to go, the language
//! switch, sign-out), the answers that say what went wrong, and its
//! stylesheet. Every value goes through maud, which escapes it.

use crate::domain::console::Session;
use crate::domain::Lang;
use crate::service::ServiceError;
use crate::tr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

pub const STYLESHEET: &str = "/console.css";

/// The header of every signed-in page: where to go, the other language,
/// and the sign-out form with this sign-in's CSRF token.
pub fn top(lang: Lang, here: &str, s: Option<&Session>) -> Markup {
    let other = match lang {
        Lang::Ja => ("en", "English"),
        Lang::En => ("ja", "日本語"),
    };
    let switch = reqwest::Url::parse_with_params(&format!("http://x/lang/{}", other.0), &[("next", here)])
        .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or("")))
        .unwrap_or_else(|_| format!("/lang/{}", other.0));
    html! {
        nav.console aria-label=(tr!(lang, "メニュー", "Menu")) {
            a.brand href="/" { "hikeshi 火消し" }
            @if let Some(s) = s {
                a href="/incidents" { (tr!(lang, "インシデント", "Incidents")) }
                a href="/followups" { (tr!(lang, "フォローアップ", "Follow-ups")) }
                a href="/announcements" { (tr!(lang, "周知", "Announcements")) }
                a href="/regulation" { (tr!(lang, "規程", "Regulation")) }
                // The committee's pages; the services refuse them to anyone else.
                @if s.committee {
                    a href="/figures" { (tr!(lang, "数値", "Figures")) }
                    a href="/audit" { (tr!(lang, "点検（§5）", "Audit (§5)")) }
                }
            }
            a lang=(other.0) hreflang=(other.0) href=(switch) { (other.1) }
            @if let Some(s) = s {
                form.signout method="post" action="/signout" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    button type="submit" { (tr!(lang, "サインアウト", "Sign out")) }
                }
            }
        }
    }
}

/// A whole page of the console.
pub fn page(lang: Lang, title: &str, top: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — hikeshi" }
                link rel="stylesheet" href=(STYLESHEET);
            }
            body {
                header { (top) }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page that says what went wrong, and where to go from here.
pub fn problem(lang: Lang, status: StatusCode, says: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => tr!(lang, "表示できません", "You cannot see this"),
        StatusCode::NOT_FOUND => tr!(lang, "見つかりません", "Not found"),
        StatusCode::SERVICE_UNAVAILABLE => tr!(lang, "しばらくお待ちください", "Please try again shortly"),
        _ => tr!(lang, "できませんでした", "That did not work"),
    };
    let body = html! { p.problem { (says) } p { a href="/" { (tr!(lang, "はじめに戻る", "Back to the start")) } } };
    (status, axum::response::Html(page(lang, &title, top(lang, "/", None), body).into_string())).into_response()
}

/// A service's failure: a refusal is "you cannot see this"; a fault of
/// the database or of hikeshi is logged and said as one.
pub fn failed(lang: Lang, e: &ServiceError) -> Response {
    match e {
        ServiceError::Refused(_) => problem(
            lang,
            StatusCode::FORBIDDEN,
            &tr!(
                lang,
                "このページを見る権限がありません。ここで読めるのはDiscordで読めるものと同じです（インシデントの記録はそのチャンネルを読める人、数値と点検は委員会）。",
                "You do not have access to this page. You can read here what you can read in Discord (an incident's record: those who read its channel; figures and the audit: the committee)."
            ),
        ),
        ServiceError::NotFound(m) => problem(lang, StatusCode::NOT_FOUND, &m.text(lang)),
        ServiceError::Input(i) => problem(lang, StatusCode::BAD_REQUEST, &i.text(lang)),
        e => {
            tracing::error!(error = %e, "a console page failed");
            problem(
                lang,
                StatusCode::SERVICE_UNAVAILABLE,
                &tr!(lang, "記録を読めませんでした。しばらくしてから再読み込みしてください。", "The records could not be read. Please reload in a moment."),
            )
        }
    }
}

pub async fn stylesheet() -> Response {
    ([("content-type", "text/css; charset=utf-8")], STYLE).into_response()
}

const STYLE: &str = "body{font-family:system-ui,'Hiragino Sans','Noto Sans CJK JP','Noto Sans JP',sans-serif;max-width:64rem;margin:0 auto;padding:0 1rem 2rem;color:#222;line-height:1.55}\
nav.console{display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap;padding:.6rem 0;border-bottom:2px solid #c0392b;margin-bottom:1rem}\
nav.console a{color:#1a4f8b}nav.console .brand{font-weight:bold;color:#c0392b;text-decoration:none}\
form.signout{margin-left:auto}button,select,input[type=submit]{font:inherit;padding:.25rem .7rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}th{background:#f3f3f3}\
.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end;margin:1rem 0}.filters label{display:flex;flex-direction:column;font-size:.9em}\
.tabs{display:flex;gap:1rem;margin:.5rem 0}.tabs [aria-current]{font-weight:bold;color:#222;text-decoration:none}\
.paging{display:flex;gap:1rem;margin:1rem 0}.c0{color:#c0392b}.c1{color:#2471a3}.c2{color:#b9770e}.c3{color:#5d6d7e}\
.plan{white-space:pre-wrap}.announcement{border:1px solid #ccc;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}.read{color:#1e7d32}.overdue{color:#c0392b}\
.regulation{white-space:pre-wrap}.fix{color:#444}.figure{display:grid;grid-template-columns:1fr;gap:1rem}.problem{background:#fff4e5;border-left:4px solid #c0392b;padding:.8rem}.none{color:#555}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_escapes_where_it_came_from_and_carries_the_csrf_token() {
        let s = Session {
            user: crate::domain::UserId(1),
            committee: false,
            it_department: false,
            csrf: "tok\"en".into(),
            expires: chrono::Utc::now(),
            checked: chrono::Utc::now(),
        };
        let html = top(Lang::En, "/incidents?x=\"><script>", Some(&s)).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("value=\"tok&quot;en\""), "{html}");
        assert!(html.contains("href=\"/lang/ja?next=%2Fincidents%3Fx%3D%22%3E%3Cscript%3E\""), "{html}");
    }
}
