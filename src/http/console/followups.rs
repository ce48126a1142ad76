//! §4.4(1), §4.4(4): the follow-up actions not done yet, across incidents
//! — the committee's all, anyone else's their own — most urgent first.

use super::{lang, respond, view, viewer, Site};
use crate::records::local;
use crate::service::Console;
use crate::tr;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::html;

/// `GET /followups`.
pub async fn list(State(site): State<Site>, headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, uri.path()).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let caller = Console::caller(&s);
    let (open, names) = match (site.lessons.open_followups(caller).await, site.lessons.names().await) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return view::failed(lang, &e),
    };
    let (tz, now) = (site.settings.organisation.tz, site.clock.now());
    let committee = tr!(lang, "委員会", "the committee");
    let body = html! {
        @if open.is_empty() { p.none { (tr!(lang, "未完了のフォローアップはありません。", "No follow-up action is waiting.")) } }
        @else {
            table.followups {
                thead { tr {
                    th scope="col" { (tr!(lang, "インシデント", "Incident")) } th scope="col" { (tr!(lang, "内容", "Action")) }
                    th scope="col" { (tr!(lang, "担当", "Owner")) } th scope="col" { (tr!(lang, "期限", "Due")) }
                } }
                tbody { @for (i, f) in &open { tr {
                    td { @if i.reads_record(caller.user, &caller.roles(i)) { a href=(format!("/incidents/{}/", i.number)) { (i.number) } } @else { (i.number) } }
                    td { (f.what) }
                    td { (f.owner.map(|o| names.get(&o).cloned().unwrap_or_else(|| o.0.to_string())).unwrap_or_else(|| committee.clone())) }
                    td { (local(f.due, tz)) @if f.overdue(now) { " " strong.overdue { (tr!(lang, "期限超過", "overdue")) } } }
                } } }
            }
        }
    };
    respond(lang, &tr!(lang, "フォローアップ", "Follow-ups"), uri.path(), &s, body)
}
