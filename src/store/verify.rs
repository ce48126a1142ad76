//! `verify` (§4.4(4)): the event chain, and the rows its events vouch for
//! (transcript, kept files, §4.3 entries), read a page at a time so that
//! memory stays flat at any age of the record: the chain in order, the
//! rows one incident at a time, beside it.

use super::{pages, Backend, Result, Store, StoreError};
use crate::domain::event::vouch::{self, wrong, VouchedLine, Vouches};
use crate::domain::event::{digest, digest_bytes, ChainBreak, ChainWalk, EventRecord};
use crate::domain::EventPayload;
use sqlx::{Any, Row, Transaction};

/// Where the last verification that found the record intact ended: the
/// next daily check (`verify --new`) starts after it.
pub const CHECKPOINT: &str = "verified_head";

/// What a verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The newest event, and its hash: the next checkpoint.
    pub head: (i64, String),
    /// Events read (all of them, or those after the checkpoint).
    pub events: i64,
    /// The redactions among them (APPI): who redacted what, when and why.
    pub redactions: Vec<crate::domain::event::EventRecord>,
}

impl Store {
    /// Walks the whole event chain; `Ok(n)` when all `n` events are intact.
    pub async fn verify(&self) -> Result<Result<i64, ChainBreak>> {
        Ok(self.verify_after(0).await?.map(|v| v.head.0))
    }

    /// Walks the chain after event `since` (0: all of it) and checks the
    /// rows the events read vouch for. Each in a read transaction (a
    /// snapshot: a commit while it reads, the bot running beside it, is
    /// either wholly seen or not at all); the rows are checked beside the
    /// chain, on a second connection, when it sees the same record.
    pub async fn verify_after(&self, since: i64) -> Result<Result<Verified, ChainBreak>> {
        let (mut tx, head) = self.snapshot().await?;
        let walk = match start(&mut tx, since, head.0).await? {
            Ok(walk) => walk,
            Err(brk) => return Ok(Err(brk)),
        };
        let started = std::time::Instant::now();
        let beside = match self.same_snapshot(&head).await? {
            Some(mut other) => {
                let backend = self.backend;
                Some(tokio::spawn(async move {
                    let checked = records(&mut other, backend, since).await;
                    other.rollback().await?;
                    checked
                }))
            }
            None => None,
        };
        let (events, redactions) = match chain(&mut tx, self.backend, since, walk, (head.0, &head.1)).await? {
            Ok(n) => n,
            Err(brk) => {
                beside.inspect(|b| b.abort());
                return Ok(Err(brk));
            }
        };
        tracing::debug!(events, took = ?started.elapsed(), "the chain is intact");
        let records = match beside {
            Some(b) => b.await.map_err(|e| StoreError::Corrupt(format!("the check of the rows stopped: {e}")))??,
            None => records(&mut tx, self.backend, since).await?,
        };
        tracing::debug!(took = ?started.elapsed(), "the rows the events vouch for are checked");
        tx.rollback().await?;
        Ok(records.map(|()| Verified { head, events, redactions }))
    }

    /// A read transaction and the chain's head it sees.
    async fn snapshot(&self) -> Result<(Transaction<'static, Any>, (i64, String))> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        let head = sqlx::query("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(&mut *tx).await?;
        let head: (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
        Ok((tx, head))
    }

    /// A second read transaction that sees the same chain head (every
    /// change to a row verify checks appends an event), or `None` when a
    /// commit keeps slipping between the two.
    async fn same_snapshot(&self, head: &(i64, String)) -> Result<Option<Transaction<'static, Any>>> {
        for _ in 0..3 {
            let (tx, seen) = self.snapshot().await?;
            if seen == *head {
                return Ok(Some(tx));
            }
            tx.rollback().await?;
        }
        Ok(None)
    }

    /// The chain's newest event and its hash (what a bundle's seal names).
    pub async fn chain_head(&self) -> Result<(i64, String)> {
        Ok(sqlx::query_as("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(&self.pool).await?)
    }

    /// The checkpoint of the last verification that found the record intact.
    pub async fn verified_head(&self) -> Result<Option<i64>> {
        Ok(self.get_state(CHECKPOINT).await?.and_then(|v| v.split(':').next().and_then(|s| s.parse().ok())))
    }

    /// Keeps where an intact verification ended.
    pub async fn keep_verified_head(&self, v: &Verified) -> Result<()> {
        self.set_state(CHECKPOINT, &format!("{}:{}", v.head.0, v.head.1)).await
    }
}

/// The walk from event `since`: its stored hash is where the chain resumes.
async fn start(tx: &mut Transaction<'static, Any>, since: i64, head: i64) -> Result<Result<ChainWalk, ChainBreak>> {
    if since == 0 {
        return Ok(Ok(ChainWalk::from_genesis()));
    }
    let hash: Option<String> = sqlx::query_scalar("SELECT hash FROM events WHERE seq = $1").bind(since).fetch_optional(&mut **tx).await?;
    Ok(match hash {
        Some(h) => Ok(ChainWalk::after(since, &h)),
        // The checkpoint's event is gone, or past the head: the newest
        // events were deleted since it was verified.
        None => Err(ChainBreak::Truncated { last: since.min(head), head }),
    })
}

/// The chain after `since`, one event at a time (read a page at a time);
/// the number of events read, and the redactions among them.
async fn chain(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    since: i64,
    mut walk: ChainWalk,
    head: (i64, &str),
) -> Result<Result<(i64, Vec<EventRecord>), ChainBreak>> {
    let (mut n, mut after, mut redactions) = (0, since, vec![]);
    loop {
        let page = pages::events(&mut **tx, backend, pages::Events::All, after).await?;
        for e in &page {
            if let Err(brk) = walk.step(e) {
                return Ok(Err(brk));
            }
            if e.kind == "redacted" {
                redactions.push(e.clone());
            }
        }
        n += page.len() as i64;
        match pages::next(&page, |e| e.seq) {
            Some(seq) => after = seq,
            None => break,
        }
    }
    Ok(walk.finish(head).map(|_| (n, redactions)))
}

/// The rows vouched for by events after `since`, incident by incident.
/// From the first event, every transcript row must also have its event (a
/// row added by hand is found); after a checkpoint only the new are read.
async fn records(tx: &mut Transaction<'static, Any>, backend: Backend, since: i64) -> Result<Result<(), ChainBreak>> {
    let kinds = EventPayload::VOUCHING;
    let incidents: Vec<i64> = if since == 0 {
        sqlx::query_scalar("SELECT id FROM incidents ORDER BY id").fetch_all(&mut **tx).await?
    } else {
        sqlx::query_scalar(
            "SELECT DISTINCT incident_id FROM events WHERE seq > $1 AND kind IN ($2, $3, $4, $5, $6) AND incident_id IS NOT NULL ORDER BY incident_id",
        )
        .bind(since)
        .bind(kinds[0])
        .bind(kinds[1])
        .bind(kinds[2])
        .bind(kinds[3])
        .bind(kinds[4])
        .fetch_all(&mut **tx)
        .await?
    };
    for id in incidents {
        let vouched = vouched(tx, backend, id, since).await?;
        if let Err(brk) = vouched.check(tx, backend, id, since == 0).await? {
            return Ok(Err(brk));
        }
    }
    if since == 0 {
        let stray: Option<(i64, i64)> =
            sqlx::query_as("SELECT message_id, version FROM transcript WHERE incident_id NOT IN (SELECT id FROM incidents) LIMIT 1")
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((m, v)) = stray {
            return Ok(Err(ChainBreak::RecordEdited(format!("transcript message {m} version {v}"))));
        }
    }
    Ok(Ok(()))
}

/// What one incident's events vouch for, checked against its rows.
#[derive(Default)]
struct Vouched(Vouches);

/// A `transcript_recorded` payload, read without the rest of the enum (two
/// million of them at ten years).
#[derive(serde::Deserialize)]
struct Recorded {
    message: crate::domain::MessageId,
    version: i64,
    digest: String,
}

async fn vouched(tx: &mut Transaction<'static, Any>, backend: Backend, incident: i64, since: i64) -> Result<Vouched> {
    let mut v = Vouched::default();
    for kind in EventPayload::VOUCHING {
        let mut after = since;
        loop {
            let page = pages::payloads(&mut **tx, backend, incident, kind, after).await?;
            for (_, actor, at, payload) in &page {
                v.vouch(kind, actor, *at, payload)?;
            }
            match pages::next(&page, |e| e.0) {
                Some(seq) => after = seq,
                None => break,
            }
        }
    }
    v.0.settle();
    Ok(v)
}

impl Vouched {
    /// What one event of `kind` (by `actor`, at `at`) vouches for: a
    /// message's version read on its own, the rest through the enum.
    fn vouch(&mut self, kind: &str, actor: &str, at: i64, payload: &str) -> Result<()> {
        if kind == EventPayload::VOUCHING[0] {
            let r: Recorded = serde_json::from_str(payload)?;
            self.0.line(VouchedLine::new(actor, at, r.message.as_i64(), r.version, &r.digest));
        } else {
            self.0.event(actor, at, &serde_json::from_str(payload)?);
        }
        Ok(())
    }

    /// The incident's rows against what its events vouch for, both by key:
    /// the first row edited, else the first vouched row missing.
    async fn check(
        self,
        tx: &mut Transaction<'static, Any>,
        backend: Backend,
        incident: i64,
        every_row: bool,
    ) -> Result<Result<(), ChainBreak>> {
        if let Err(brk) = self.check_transcript(tx, backend, incident, every_row).await? {
            return Ok(Err(brk));
        }
        self.check_kept(tx).await
    }

    /// The incident's messages, page by page, against their events.
    async fn check_transcript(
        &self,
        tx: &mut Transaction<'static, Any>,
        backend: Backend,
        incident: i64,
        every_row: bool,
    ) -> Result<Result<(), ChainBreak>> {
        let mut vouched = self.0.lines.iter().peekable();
        let mut missing: Option<(i64, i64)> = None;
        let mut after = (0, 0);
        loop {
            let page = pages::contents(&mut **tx, backend, incident, after).await?;
            for row in &page {
                let key = (row.0, row.1);
                while let Some(v) = vouched.next_if(|v| (v.message, v.version) < key) {
                    missing = missing.or(Some((v.message, v.version)));
                }
                let line = vouched.next_if(|v| (v.message, v.version) == key);
                let (message, version, author, at, deleted_at, content) = row;
                let r = vouch::Row { message: *message, version: *version, author: *author, at: *at, deleted_at: *deleted_at, content };
                if let Some(what) = wrong(self.0.said(line, key), &r, every_row) {
                    return Ok(Err(ChainBreak::RecordEdited(format!("transcript message {} version {} ({what})", key.0, key.1))));
                }
            }
            match pages::next(&page, |r| (r.0, r.1)) {
                Some(key) => after = key,
                None => break,
            }
        }
        if let Some((m, v)) = missing.or(vouched.next().map(|v| (v.message, v.version))) {
            return Ok(Err(ChainBreak::RecordMissing(format!("transcript message {m} version {v}"))));
        }
        Ok(Ok(()))
    }

    /// Files kept as evidence and §4.3 entries against the digests their
    /// events recorded (a redacted file's bytes must be gone).
    async fn check_kept(&self, tx: &mut Transaction<'static, Any>) -> Result<Result<(), ChainBreak>> {
        for (id, _, d) in &self.0.files {
            let row =
                sqlx::query("SELECT content FROM attachments WHERE attachment_id = $1").bind(*id as i64).fetch_optional(&mut **tx).await?;
            let what = format!("attachment {id}");
            let bytes = row.map(|r| r.try_get::<Option<Vec<u8>>, _>("content")).transpose()?.flatten();
            if self.0.file_redacted(*id) {
                // Redacted: the bytes must be gone.
                if bytes.is_some() {
                    return Ok(Err(ChainBreak::RecordEdited(format!("{what} (its redaction)"))));
                }
                continue;
            }
            match bytes {
                None => return Ok(Err(ChainBreak::RecordMissing(what))),
                Some(bytes) if digest_bytes(&bytes) != *d => return Ok(Err(ChainBreak::RecordEdited(what))),
                Some(_) => {}
            }
        }
        for (id, d) in &self.0.entries {
            let what = format!("§4.3 log entry {id}");
            let body: Option<String> =
                sqlx::query_scalar("SELECT body FROM log_entries WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
            match body {
                None => return Ok(Err(ChainBreak::RecordMissing(what))),
                Some(b) if digest(&b) != *d => return Ok(Err(ChainBreak::RecordEdited(what))),
                Some(_) => {}
            }
        }
        Ok(Ok(()))
    }
}
