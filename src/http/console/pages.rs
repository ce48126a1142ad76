//! The console's pages: the start, the incidents list, one incident's
//! whole record (the HTML export's renderer) and its evidence files.

use super::{lang, view, viewer, Site};
use crate::domain::console::local_path;
use crate::domain::console::Session;
use crate::domain::ids::BadIncidentNumber;
use crate::domain::{Category, IncidentNumber, Lang, Phase, RecoveryPriority};
use crate::records::export::{Frame, Record};
use crate::service::{Console, Shown, Wanted};
use crate::tr;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

fn here(uri: &Uri) -> String {
    uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into())
}

/// `GET /`: the incidents for a signed-in member, else the sign-in.
pub async fn start(State(site): State<Site>, headers: HeaderMap) -> Response {
    let lang = lang(&headers, &site.settings);
    if super::cookie(&headers, site.cookie_name()).is_some() && viewer(&site, &headers, "/").await.is_ok() {
        return Redirect::to("/incidents").into_response();
    }
    let name = &site.settings.organisation.name;
    let body = html! {
        p { (tr!(lang, "{name}のセキュリティインシデントの記録です。Discordのアカウントでサインインしてください。", "The security incident records of {name}. Sign in with your Discord account.")) }
        p { a.signin href="/signin?next=%2Fincidents" { (tr!(lang, "Discordでサインイン", "Sign in with Discord")) } }
    };
    Html(view::page(lang, "hikeshi", view::top(lang, "/", None), body).into_string()).into_response()
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{ja|en}?next=PATH`: the switch; remembered in a cookie.
pub async fn switch_lang(State(site): State<Site>, Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = Lang::from_locale(&code);
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax{}", lang.code(), if site.web.secure { "; Secure" } else { "" });
    ([(header::SET_COOKIE, cookie)], Redirect::to(local_path(q.next.as_deref().unwrap_or("/")))).into_response()
}

/// The list's filters as the address says them; what is not understood
/// is left out (a filter, not an order).
#[derive(Deserialize, Default)]
pub struct Filters {
    shown: Option<String>,
    category: Option<String>,
    priority: Option<String>,
    phase: Option<String>,
    year: Option<String>,
    page: Option<String>,
}

impl Filters {
    fn wanted(&self) -> Wanted {
        fn some(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|v| !v.is_empty())
        }
        Wanted {
            shown: some(&self.shown).map(Shown::parse).unwrap_or_default(),
            category: some(&self.category).and_then(Category::parse),
            priority: some(&self.priority).and_then(|p| p.parse::<u8>().ok()).and_then(|p| RecoveryPriority::try_from(p).ok()),
            phase: some(&self.phase).and_then(Phase::parse),
            year: some(&self.year).and_then(|y| y.parse().ok()).filter(|y| (2000..=9999).contains(y)),
            page: some(&self.page).and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    }
}

/// `GET /incidents`: the incidents the member reads, filtered, a page.
pub async fn incidents(State(site): State<Site>, headers: HeaderMap, uri: Uri, Query(f): Query<Filters>) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, &here(&uri)).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let wanted = f.wanted();
    let listed = match site.records.incidents_for(Console::caller(&s), &wanted).await {
        Ok(l) => l,
        Err(e) => return view::failed(lang, &e),
    };
    let body = super::list::list(lang, &wanted, &listed, site.settings.organisation.tz);
    let title = tr!(lang, "インシデント", "Incidents");
    Html(view::page(lang, &title, view::top(lang, &here(&uri), Some(&s)), body).into_string()).into_response()
}

/// `GET /incidents/{number}`: to the record's own folder, so that its
/// evidence links (`files/…`) stay under it.
pub async fn to_record(Path(number): Path<String>) -> Response {
    let number: String = number.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    Redirect::permanent(&format!("/incidents/{number}/")).into_response()
}

/// The signed-in member and the record of incident `n`, if they read it;
/// else the answer that says why not.
async fn record_of(site: &Site, headers: &HeaderMap, uri: &Uri, n: &str) -> Result<(Session, Record), Response> {
    let lang = lang(headers, &site.settings);
    let s = viewer(site, headers, &here(uri)).await?;
    let number: IncidentNumber = n.parse().map_err(|e: BadIncidentNumber| view::problem(lang, StatusCode::NOT_FOUND, &e.to_string()))?;
    match site.records.record_for(Console::caller(&s), number).await {
        Ok(r) => Ok((s, r)),
        Err(e) => Err(view::failed(lang, &e)),
    }
}

/// `GET /incidents/{number}/`: the whole record, as the HTML export
/// writes it, in the reader's language, inside the console's header.
pub async fn record(State(site): State<Site>, headers: HeaderMap, uri: Uri, Path(n): Path<String>) -> Response {
    let lang = lang(&headers, &site.settings);
    let (s, record) = match record_of(&site, &headers, &uri, &n).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let frame = Frame {
        lang: Some(lang),
        head: html! { link rel="stylesheet" href=(view::STYLESHEET); }.into_string(),
        top: view::top(lang, &here(&uri), Some(&s)).into_string(),
    };
    // Streamed: a chunk goes when the browser has taken the one before.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let (records, failed) = (site.records.clone(), tx.clone());
    tokio::spawn(async move {
        if let Err(e) = records.write_framed(&record, frame, &mut Sending(tx)).await {
            tracing::warn!(error = %e, "a record page was cut short");
            // The connection is broken off: a cut page never looks whole.
            let _ = failed.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    let body = axum::body::Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async { rx.recv().await.map(|c| (c, rx)) }));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The page's chunks on their way to the browser.
struct Sending(tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>);

#[async_trait::async_trait]
impl crate::service::Chunks for Sending {
    async fn chunk(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.send(Ok(bytes)).await.map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the browser left"))
    }
}

/// `GET /incidents/{number}/files/{file}`: one file kept as evidence,
/// to whoever reads the record; its SHA-256 in a header too.
pub async fn evidence(State(site): State<Site>, headers: HeaderMap, uri: Uri, Path((n, file)): Path<(String, String)>) -> Response {
    let lang = lang(&headers, &site.settings);
    let (_, record) = match record_of(&site, &headers, &uri, &n).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let wanted = format!("files/{file}");
    let found = record.attachments.iter().find(|a| a.file_name() == wanted).and_then(|a| match &a.kept {
        crate::domain::transcript::Kept::Stored { sha256, content } => Some((sha256.clone(), content.clone())),
        crate::domain::transcript::Kept::NotKept { .. } => None,
    });
    let Some((sha256, content)) = found else {
        return view::problem(lang, StatusCode::NOT_FOUND, &tr!(lang, "このファイルは保存されていません。", "This file is not kept."));
    };
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        (header::HeaderName::from_static("x-sha256"), sha256),
    ];
    (headers, content).into_response()
}

/// `GET /regulation`: §8 — for members only, which everyone signed in is.
pub async fn regulation(State(site): State<Site>, headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, uri.path()).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let body = match site.console.regulation(lang) {
        Some(text) => html! {
            p { (tr!(lang, "§8: この規程は対象者にのみ公開されています。", "§8: this regulation is for members only.")) }
            @for part in text.split("\n\n") {
                @let part = part.trim();
                @if let Some(h) = part.strip_prefix("# ") { h2 { (h) } }
                @else if let Some(h) = part.strip_prefix("## ") { h3 { (h) } }
                @else if !part.is_empty() { p.regulation { (part) } }
            }
        },
        None => {
            html! { p.none { (tr!(lang, "規程の本文が設定されていません。委員会に伝えてください。", "The regulation's text is not configured. Please tell the committee.")) } }
        }
    };
    super::respond(lang, &tr!(lang, "規程", "The regulation"), uri.path(), &s, body)
}

pub async fn not_found(State(site): State<Site>, headers: HeaderMap) -> Response {
    let lang = lang(&headers, &site.settings);
    view::problem(lang, StatusCode::NOT_FOUND, &tr!(lang, "このページはありません。", "There is no such page."))
}
