//! §4.4(3): the plans announced to all members, each with the same
//! 確認しました as under the announcement in Discord — one receipt,
//! whichever way it was given.

use super::{form_sender, lang, respond, view, viewer, Csrf, Site};
use crate::domain::IncidentId;
use crate::records::local;
use crate::service::Console;
use crate::tr;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

/// `GET /announcements`.
pub async fn list(State(site): State<Site>, headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, uri.path()).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let all = match site.lessons.announcements(Console::caller(&s)).await {
        Ok(a) => a,
        Err(e) => return view::failed(lang, &e),
    };
    let tz = site.settings.organisation.tz;
    let body = html! {
        p { (tr!(lang, "委員会が承認した再発防止計画です（§4.4(3)）。お読みのうえ「確認しました」を押してください。Discordで押した方は押し直す必要はありません。", "The prevention plans the committee approved (§4.4(3)). Please read each and press “I have read this”; a press in Discord counts here too.")) }
        @if all.is_empty() { p.none { (tr!(lang, "周知された計画はまだありません。", "No plan has been announced yet.")) } }
        @for a in &all {
            article.announcement {
                h2 { (a.name(lang)) }
                p.meta { (tr!(lang, "周知: ", "Announced: ")) (local(a.announced_at, tz)) }
                h3 { (tr!(lang, "技術的対策", "Technical measures")) }
                p.plan { (a.technical) }
                h3 { (tr!(lang, "組織的対策", "Organisational measures")) }
                p.plan { (a.organisational) }
                @match a.read_at {
                    Some(at) => p.read { "✓ " (tr!(lang, "確認済み: ", "Read: ")) (local(at, tz)) },
                    None => form method="post" action=(format!("/announcements/{}/read", a.incident.0)) {
                        input type="hidden" name="csrf" value=(s.csrf);
                        button type="submit" { (tr!(lang, "確認しました", "I have read this")) }
                    },
                }
            }
        }
    };
    respond(lang, &tr!(lang, "周知", "Announcements"), uri.path(), &s, body)
}

/// `POST /announcements/{id}/read`: 確認しました.
pub async fn read(State(site): State<Site>, headers: HeaderMap, Path(id): Path<i64>, Form(f): Form<Csrf>) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match form_sender(&site, &headers, "/announcements", &f).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    match site.lessons.read_announcement(IncidentId(id), Console::caller(&s)).await {
        Ok(_) => Redirect::to("/announcements").into_response(),
        Err(e) => view::failed(lang, &e),
    }
}
