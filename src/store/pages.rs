//! Many rows read fast, a page at a time, for what reads a whole record
//! (exports, `verify`): §4.4(4) keeps incidents of 300,000 messages.
//!
//! SQLite through sqlx runs on a worker thread that hands every row to
//! the caller across a channel: a wake-up each, about 10 µs a row, more
//! than SQLite itself takes. A page is read as one text instead — its
//! rows one after another, each number ended by a comma, each text
//! preceded by its length in bytes — which crosses once and is cut apart
//! at memory speed (JSON would escape every quote of a payload, itself
//! JSON, and unescape it again). Pages follow a key (keyset paging), each
//! one an index range. PostgreSQL reads the same pages the same way.

use super::transcript::{line_of, LineRow};
use super::{Backend, Result, StoreError};
use crate::domain::event::EventRecord;
use crate::domain::transcript::TranscriptLine;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Executor, Row};

/// Rows a page holds: big enough that a crossing costs nothing per row,
/// small enough that a page of long messages stays a few megabytes.
pub(super) const PAGE: i64 = 1000;

/// Where the next page starts: after the key of this page's last row,
/// when the page was full (a shorter one is the last).
pub(super) fn next<T, K>(page: &[T], key: impl Fn(&T) -> K) -> Option<K> {
    page.last().filter(|_| page.len() as i64 == PAGE).map(key)
}

/// A column of a page.
#[derive(Clone, Copy)]
enum Col {
    Int(&'static str),
    /// An integer that may be NULL.
    MaybeInt(&'static str),
    Text(&'static str),
}

use Col::{Int, MaybeInt, Text};

const EVENT: [Col; 8] =
    [Int("seq"), MaybeInt("incident_id"), Text("actor"), Int("at"), Text("kind"), Text("payload"), Text("prev_hash"), Text("hash")];

const LINE: [Col; 11] = [
    Int("message_id"),
    Int("version"),
    Int("channel_id"),
    Int("author_id"),
    Text("author_name"),
    Int("author_bot"),
    Int("at"),
    Text("content"),
    Text("attachments"),
    MaybeInt("reply_to"),
    MaybeInt("deleted_at"),
];

/// `inner` (a SELECT of `cols`, ordered and limited) as one framed text.
fn framed(backend: Backend, cols: &[Col], inner: &str) -> String {
    let sqlite = backend == Backend::Sqlite;
    let row: Vec<String> = cols
        .iter()
        .map(|c| match (*c, sqlite) {
            (Int(n), true) => format!("{n} || ','"),
            (Int(n), false) => format!("{n}::text || ','"),
            (MaybeInt(n), true) => format!("coalesce({n}, '') || ','"),
            (MaybeInt(n), false) => format!("coalesce({n}::text, '') || ','"),
            (Text(n), true) => format!("length(CAST({n} AS BLOB)) || ':' || {n}"),
            (Text(n), false) => format!("octet_length({n})::text || ':' || {n}"),
        })
        .collect();
    let names: Vec<&str> = cols.iter().map(|(Int(n) | MaybeInt(n) | Text(n))| *n).collect();
    let inner = inner.replace("{cols}", &names.join(", "));
    let agg = if sqlite { "group_concat" } else { "string_agg" };
    format!("SELECT coalesce({agg}({}, ''), '') FROM ({inner}) AS page", row.join(" || "))
}

/// A framed page being cut apart.
struct Frames<'t>(&'t str);

impl<'t> Frames<'t> {
    fn number(&mut self) -> Option<&'t str> {
        let (n, rest) = self.0.split_once(',')?;
        self.0 = rest;
        Some(n)
    }

    fn int(&mut self) -> Option<i64> {
        self.number()?.parse().ok()
    }

    fn maybe_int(&mut self) -> Option<Option<i64>> {
        match self.number()? {
            "" => Some(None),
            n => n.parse().ok().map(Some),
        }
    }

    fn text(&mut self) -> Option<String> {
        let (len, rest) = self.0.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let (text, rest) = (rest.get(..len)?, rest.get(len..)?);
        self.0 = rest;
        Some(text.to_string())
    }
}

/// The rows of the page `query` (built by [`framed`]) reads, each cut by
/// `row` and sorted by `key`: an aggregate keeps its input's order in
/// practice, not by promise.
async fn page<'e, 'q, E, T, K>(
    db: E,
    query: Query<'q, Any, AnyArguments<'q>>,
    row: impl Fn(&mut Frames) -> Option<T>,
    key: impl Fn(&T) -> K,
) -> Result<Vec<T>>
where
    E: Executor<'e, Database = Any>,
    K: Ord,
{
    let text: String = query.fetch_one(db).await?.try_get(0)?;
    let mut frames = Frames(&text);
    let mut rows = vec![];
    while !frames.0.is_empty() {
        rows.push(row(&mut frames).ok_or_else(|| StoreError::Corrupt("a page of rows could not be read back".into()))?);
    }
    rows.sort_unstable_by_key(key);
    Ok(rows)
}

/// Which events: one incident's, or the whole chain.
#[derive(Debug, Clone, Copy)]
pub(super) enum Events {
    Of(i64),
    All,
}

fn event(f: &mut Frames) -> Option<EventRecord> {
    Some(EventRecord {
        seq: f.int()?,
        incident: f.maybe_int()?,
        actor: f.text()?,
        at_ms: f.int()?,
        kind: f.text()?,
        payload: f.text()?,
        prev_hash: f.text()?,
        hash: f.text()?,
    })
}

/// The events after `after` (by `seq`), at most [`PAGE`].
pub(super) async fn events<'e, E>(db: E, backend: Backend, which: Events, after: i64) -> Result<Vec<EventRecord>>
where
    E: Executor<'e, Database = Any>,
{
    let filter = if matches!(which, Events::Of(_)) { "incident_id = $2 AND" } else { "" };
    let sql = framed(backend, &EVENT, &format!("SELECT {{cols}} FROM events WHERE {filter} seq > $1 ORDER BY seq LIMIT {PAGE}"));
    let query = match which {
        Events::Of(incident) => sqlx::query(&sql).bind(after).bind(incident),
        Events::All => sqlx::query(&sql).bind(after),
    };
    page(db, query, event, |e: &EventRecord| e.seq).await
}

fn line(f: &mut Frames) -> Option<LineRow> {
    Some((f.int()?, f.int()?, f.int()?, f.int()?, f.text()?, f.int()?, f.int()?, f.text()?, f.text()?, f.maybe_int()?, f.maybe_int()?))
}

/// The versions of an incident's messages after `(message, version)`, by
/// message and version, at most [`PAGE`].
pub(super) async fn transcript<'e, E>(db: E, backend: Backend, incident: i64, after: (i64, i64)) -> Result<Vec<TranscriptLine>>
where
    E: Executor<'e, Database = Any>,
{
    let inner = format!(
        "SELECT {{cols}} FROM transcript WHERE incident_id = $1 AND (message_id, version) > ($2, $3) ORDER BY message_id, version LIMIT {PAGE}"
    );
    let sql = framed(backend, &LINE, &inner);
    let query = sqlx::query(&sql).bind(incident).bind(after.0).bind(after.1);
    let rows = page(db, query, line, |r: &LineRow| (r.0, r.1)).await?;
    rows.into_iter().map(line_of).collect()
}

/// One event as `verify` reads what it vouches for: its sequence, its
/// actor and time (a message's author and when it was written), and its
/// payload.
pub(super) type Vouching = (i64, String, i64, String);

/// [`Vouching`] events of an incident of `kind` after `after`, at most
/// [`PAGE`]: one kind at a time, an exact range of the index by incident,
/// kind and sequence (PostgreSQL plans several kinds at once as a scan of
/// every event).
pub(super) async fn payloads<'e, E>(db: E, backend: Backend, incident: i64, kind: &str, after: i64) -> Result<Vec<Vouching>>
where
    E: Executor<'e, Database = Any>,
{
    let inner = format!("SELECT {{cols}} FROM events WHERE incident_id = $1 AND kind = $2 AND seq > $3 ORDER BY seq LIMIT {PAGE}");
    let sql = framed(backend, &[Int("seq"), Text("actor"), Int("at"), Text("payload")], &inner);
    let query = sqlx::query(&sql).bind(incident).bind(kind).bind(after);
    page(db, query, |f| Some((f.int()?, f.text()?, f.int()?, f.text()?)), |r: &Vouching| r.0).await
}

/// A transcript row as `verify` checks it: message, version, author, when
/// written, when deleted, content.
pub(super) type Content = (i64, i64, i64, i64, Option<i64>, String);

/// [`Content`] of an incident's messages after `(message, version)`, at
/// most [`PAGE`].
pub(super) async fn contents<'e, E>(db: E, backend: Backend, incident: i64, after: (i64, i64)) -> Result<Vec<Content>>
where
    E: Executor<'e, Database = Any>,
{
    let inner = format!(
        "SELECT {{cols}} FROM transcript WHERE incident_id = $1 AND (message_id, version) > ($2, $3) \
         ORDER BY message_id, version LIMIT {PAGE}"
    );
    let cols = [Int("message_id"), Int("version"), Int("author_id"), Int("at"), MaybeInt("deleted_at"), Text("content")];
    let sql = framed(backend, &cols, &inner);
    let query = sqlx::query(&sql).bind(incident).bind(after.0).bind(after.1);
    page(db, query, |f| Some((f.int()?, f.int()?, f.int()?, f.int()?, f.maybe_int()?, f.text()?)), |r: &Content| (r.0, r.1)).await
}

/// The states of the incidents reported in `[from, until)`, by id (the
/// figures of a period: thousands at ten years, read in one crossing).
pub(super) async fn states<'e, E>(db: E, backend: Backend, from: i64, until: i64) -> Result<Vec<(i64, String)>>
where
    E: Executor<'e, Database = Any>,
{
    let inner = "SELECT {cols} FROM incidents WHERE reported_at >= $1 AND reported_at < $2";
    let sql = framed(backend, &[Int("id"), Text("state")], inner);
    page(db, sqlx::query(&sql).bind(from).bind(until), |f| Some((f.int()?, f.text()?)), |r: &(i64, String)| r.0).await
}

/// `(seq, incident, payload, at)` of the events of `kind` of the incidents
/// reported in `[from, until)`, in order.
pub(super) async fn kind_of_reported<'e, E>(
    db: E,
    backend: Backend,
    from: i64,
    until: i64,
    kind: &str,
) -> Result<Vec<(i64, i64, String, i64)>>
where
    E: Executor<'e, Database = Any>,
{
    let inner = "SELECT e.seq, e.incident_id, e.payload, e.at FROM events e JOIN incidents i ON i.id = e.incident_id \
                 WHERE i.reported_at >= $1 AND i.reported_at < $2 AND e.kind = $3";
    let cols = [Int("seq"), Int("incident_id"), Text("payload"), Int("at")];
    let sql = framed(backend, &cols, inner);
    let query = sqlx::query(&sql).bind(from).bind(until).bind(kind);
    page(db, query, |f| Some((f.int()?, f.int()?, f.text()?, f.int()?)), |r: &(i64, i64, String, i64)| r.0).await
}

#[cfg(test)]
mod tests {
    use super::{framed, Backend, Frames, EVENT};

    /// A framed page is cut back into the texts and numbers it holds,
    /// whatever the texts contain (commas, colons, digits, quotes,
    /// newlines, multi-byte characters), and an empty or NULL value stays
    /// what it was; a page cut short is refused.
    #[test]
    fn a_framed_page_is_cut_back_into_its_rows() {
        let page = "12,,-5,3:a,b7:\"x:1,\"\n0:9:火消し,";
        let mut f = Frames(page);
        assert_eq!((f.int(), f.maybe_int(), f.int()), (Some(12), Some(None), Some(-5)));
        assert_eq!((f.text().as_deref(), f.text().as_deref(), f.text().as_deref()), (Some("a,b"), Some("\"x:1,\"\n"), Some("")));
        assert_eq!((f.text().as_deref(), f.0), (Some("火消し"), ","));
        assert_eq!(Frames("7:short").text(), None);
        assert_eq!(Frames("1x,").int(), None);
        assert_eq!(Frames("12").int(), None);
        assert_eq!(Frames("4:火").text(), None, "cut short");
        assert_eq!(Frames("2:火x").text(), None, "a length that cuts a character");
    }

    /// The SQL frames each column as the reader expects, on both backends.
    #[test]
    fn every_column_is_framed_as_it_is_read() {
        let sqlite = framed(Backend::Sqlite, &EVENT, "SELECT {cols} FROM events");
        assert!(sqlite.contains("FROM (SELECT seq, incident_id, actor, at, kind, payload, prev_hash, hash FROM events) AS page"));
        assert!(sqlite.starts_with(
            "SELECT coalesce(group_concat(seq || ',' || coalesce(incident_id, '') || ',' || length(CAST(actor AS BLOB)) || ':' || actor"
        ));
        let pg = framed(Backend::Postgres, &EVENT, "SELECT {cols} FROM events");
        assert!(pg.starts_with("SELECT coalesce(string_agg(seq::text || ',' || coalesce(incident_id::text, '') || ',' || octet_length(actor)::text || ':' || actor"));
    }
}
