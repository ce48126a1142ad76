//! §4.3 and §5: the record of an incident for exports, the committee's
//! figures, and the operational audit.

use super::{core::Core, Caller, ServiceError};
use crate::domain::{Action, ChannelId};
use crate::records::export::{Format, Frame, Record, Rows};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use std::io::Write;

/// Why an export could not be written: the record could not be read, or
/// the place it was going refused it (a full disk, a closed pipe, a size
/// the caller set).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Read(#[from] ServiceError),
    #[error("the export could not be written: {0}")]
    Write(#[from] std::io::Error),
}

/// Where a document goes, a chunk at a time. Each chunk is awaited, so a
/// slow reader paces the writer (issue 28: the console streams a record).
#[async_trait::async_trait]
pub trait Chunks: Send {
    async fn chunk(&mut self, bytes: Vec<u8>) -> std::io::Result<()>;
}

/// A writer taking chunks (exports to a file, a pipe, memory).
struct Writing<'a>(&'a mut (dyn Write + Send));

#[async_trait::async_trait]
impl Chunks for Writing<'_> {
    async fn chunk(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.write_all(&bytes)
    }
}

/// About how much of a document is handed on at a time.
const CHUNK: usize = 64 * 1024;

/// Hands `buf` on once it holds a chunk.
async fn pass(out: &mut dyn Chunks, buf: &mut Vec<u8>) -> std::io::Result<()> {
    if buf.len() >= CHUNK {
        out.chunk(std::mem::replace(buf, Vec::with_capacity(2 * CHUNK))).await?;
    }
    Ok(())
}

#[derive(Clone)]
pub struct Records {
    core: Core,
}

impl Records {
    pub(super) fn new(core: Core) -> Self {
        Records { core }
    }

    /// May `caller` read the committee's records (asked before a list is
    /// drawn; each read checks again)?
    pub fn may_view(&self, caller: Caller) -> Result<(), ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)
    }

    /// The record of the incident whose channel this is, for `/incident
    /// export`: the commander or the committee; the confidential reporter
    /// is redacted for anyone but the committee.
    pub async fn export(&self, caller: Caller, channel: ChannelId) -> Result<Record, ServiceError> {
        let incident = self.core.incident_in_channel(channel).await?;
        self.core.may(incident.id, caller, Action::Export).await?;
        let mut record = self.record(incident.number).await?;
        if !caller.committee {
            record.redact_confidential_reporter();
        }
        Ok(record)
    }

    /// Everything kept about one incident, for exports.
    pub async fn record(&self, number: crate::domain::IncidentNumber) -> Result<Record, ServiceError> {
        let incident = self
            .core
            .store
            .incident_by_number(number)
            .await?
            .ok_or(ServiceError::NotFound(super::Missing::IncidentNumbered(number.to_string())))?;
        let id = incident.id;
        Ok(crate::records::export::Record {
            events: self.core.store.story_events(id).await?,
            entries: self.core.store.log_entries(id).await?,
            readers: self.core.store.readers(id).await?,
            threads: self.core.store.threads(id).await?,
            attachments: self.core.store.attachments(id).await?,
            people: self.core.store.people().await?,
            incident,
            redacted: false,
            hidden: vec![],
        })
    }

    /// Writes `record` as a `format` document to `out`, its events and
    /// transcript read one row at a time as they are written (memory flat
    /// at any size: §4.4(4) keeps incidents of 300,000 messages).
    pub async fn write(&self, record: &Record, format: Format, out: &mut (dyn Write + Send)) -> Result<(), WriteError> {
        let doc = crate::records::export::sink(record, format, &self.core.settings);
        self.write_doc(record, doc, &mut Writing(&mut *out)).await?;
        Ok(out.flush()?)
    }

    /// Issue 28: the HTML record inside the web console's frame, a chunk
    /// at a time into `out` (the page of a 300,000-message incident is
    /// never held whole).
    pub async fn write_framed(&self, record: &Record, frame: Frame, out: &mut dyn Chunks) -> Result<(), WriteError> {
        self.write_doc(record, crate::records::export::framed(record, &self.core.settings, frame), out).await
    }

    async fn write_doc(
        &self,
        record: &Record,
        mut doc: Box<dyn crate::records::export::Sink + '_>,
        out: &mut dyn Chunks,
    ) -> Result<(), WriteError> {
        let id = record.incident.id;
        let mut buf = Vec::with_capacity(2 * CHUNK);
        while let Some(rows) = doc.next(&mut buf)? {
            match rows {
                Rows::Events => {
                    let mut events = self.core.store.events_stream(id);
                    while let Some(e) = events.try_next().await.map_err(ServiceError::from)? {
                        doc.event(&mut buf, &e)?;
                        pass(out, &mut buf).await?;
                    }
                }
                Rows::Transcript => {
                    let mut lines = self.core.store.transcript_stream(id);
                    while let Some(l) = lines.try_next().await.map_err(ServiceError::from)? {
                        doc.line(&mut buf, &l)?;
                        pass(out, &mut buf).await?;
                    }
                }
            }
        }
        Ok(out.chunk(buf).await?)
    }

    /// Issue 25: the record as a bundle that proves itself — every event
    /// (with its hash and link) and transcript line streamed into `out`;
    /// the chain's head, for the seal, after them.
    pub async fn bundle(&self, record: &Record, out: &mut crate::records::bundle::BundleWriter) -> Result<(i64, String), WriteError> {
        let id = record.incident.id;
        let mut events = self.core.store.events_stream(id);
        while let Some(e) = events.try_next().await.map_err(ServiceError::from)? {
            out.event(&e)?;
        }
        let mut lines = self.core.store.transcript_stream(id);
        while let Some(l) = lines.try_next().await.map_err(ServiceError::from)? {
            out.line(&l)?;
        }
        Ok(self.core.store.chain_head().await.map_err(ServiceError::from)?)
    }

    /// Figures for incidents reported in `[from, until)`.
    /// The same, for `/stats` (the committee's).
    pub async fn stats_for(
        &self,
        caller: Caller,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<crate::records::stats::Stats, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        self.stats(from, until).await
    }

    /// Figures for `hikeshi stats` (an operator at the database).
    pub async fn stats(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<crate::records::stats::Stats, ServiceError> {
        let items = self.core.store.incidents_with_phases(from, until).await?;
        Ok(crate::records::stats::compute(&items, self.core.clock.now(), self.core.settings.organisation.tz))
    }

    /// The start of the current year or month in the organisation's zone.
    pub fn period_start(&self, month: bool) -> DateTime<Utc> {
        use chrono::{Datelike, TimeZone};
        let tz = self.core.settings.organisation.tz;
        let now = self.core.clock.now().with_timezone(&tz);
        let start =
            if month { tz.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0) } else { tz.with_ymd_and_hms(now.year(), 1, 1, 0, 0, 0) };
        start.earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// §5 for `/audit` (the committee's).
    pub async fn audit_for(&self, caller: Caller, members: Option<usize>) -> Result<Vec<crate::records::audit::Finding>, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        self.audit(false, members).await
    }

    /// §5: the operational checks, now (`hikeshi audit`, the monthly post);
    /// `all`: every exception ever made, not only the last year's.
    pub async fn audit(&self, all: bool, members: Option<usize>) -> Result<Vec<crate::records::audit::Finding>, ServiceError> {
        let incidents = self.core.store.all_incidents().await?;
        let now = self.core.clock.now();
        let mut confirmed = std::collections::HashMap::new();
        for i in
            incidents.iter().filter(|i| i.lessons.announced_at.is_some_and(|at| at > now - crate::records::audit::EXCEPTIONS_LISTED_FOR))
        {
            confirmed.insert(i.id, self.core.store.readers(i.id).await?.len());
        }
        let reminders = self.core.store.reminders().await?;
        let last_drills = self.core.store.last_drills().await?;
        let logged = self.core.store.all_logged_kinds().await?;
        let inputs = crate::records::audit::Inputs {
            settings: &self.core.settings,
            incidents: &incidents,
            reminders: &reminders,
            last_drills: &last_drills,
            logged: &logged,
            confirmed: &confirmed,
            members,
            now,
        };
        Ok(crate::records::audit::audit(&inputs, all))
    }
}

/// Issue 28: which incidents the console lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Shown {
    /// Real incidents not closed.
    #[default]
    Open,
    /// Real incidents closed.
    Closed,
    /// §9: drills, open or closed.
    Drills,
}

impl Shown {
    pub const ALL: [Shown; 3] = [Shown::Open, Shown::Closed, Shown::Drills];

    /// As the console's address says it.
    pub fn id(self) -> &'static str {
        match self {
            Shown::Open => "open",
            Shown::Closed => "closed",
            Shown::Drills => "drills",
        }
    }

    /// From the address; anything else is the open incidents.
    pub fn parse(s: &str) -> Shown {
        Self::ALL.into_iter().find(|x| x.id() == s).unwrap_or_default()
    }
}

/// The filters of the console's list of incidents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub shown: Shown,
    pub category: Option<crate::domain::Category>,
    /// Table 1: the strictest priority of the systems it names.
    pub priority: Option<crate::domain::RecoveryPriority>,
    pub phase: Option<crate::domain::Phase>,
    /// Reported in this year, in the organisation's zone.
    pub year: Option<i32>,
    /// From 1.
    pub page: usize,
}

/// One page of the list, and how many there are in all.
pub struct Listed {
    pub incidents: Vec<crate::domain::Incident>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// Incidents on one page of the console's list.
pub const PER_PAGE: usize = 50;

impl Records {
    /// Issue 28: the incidents `caller` reads (see
    /// [`crate::domain::Incident::reads_record`]) that `w` asks for, one page.
    pub async fn incidents_for(&self, caller: Caller, w: &Wanted) -> Result<Listed, ServiceError> {
        use chrono::TimeZone;
        let tz = self.core.settings.organisation.tz;
        let year_start = |y: i32| tz.with_ymd_and_hms(y, 1, 1, 0, 0, 0).earliest().map(|t| t.with_timezone(&Utc));
        let reported = w.year.and_then(|y| Some((year_start(y)?, year_start(y + 1)?)));
        let listing = crate::store::incident::Listing {
            drill: Some(w.shown == Shown::Drills),
            open: match w.shown {
                Shown::Open => Some(true),
                Shown::Closed => Some(false),
                Shown::Drills => None,
            },
            category: w.category.map(|c| c.id()),
            phase: w.phase.map(|p| p.id()),
            reported,
        };
        let all: Vec<_> = self
            .core
            .store
            .incidents_listed(&listing)
            .await?
            .into_iter()
            .filter(|i| i.reads_record(caller.user, &caller.roles(i)) && (w.priority.is_none() || i.priority() == w.priority))
            .collect();
        let (total, pages) = (all.len(), all.len().div_ceil(PER_PAGE).max(1));
        let page = w.page.clamp(1, pages);
        let incidents = all.into_iter().skip((page - 1) * PER_PAGE).take(PER_PAGE).collect();
        Ok(Listed { incidents, total, page, pages })
    }

    /// Issue 28: the whole record of incident `number`, for `caller` if
    /// they read it; the confidential reporter redacted for anyone but the
    /// committee. To anyone but the committee an incident that does not
    /// exist is refused as one they may not read: the address bar tells
    /// nobody which numbers exist.
    pub async fn record_for(&self, caller: Caller, number: crate::domain::IncidentNumber) -> Result<Record, ServiceError> {
        const READERS: &[crate::domain::Role] = &[
            crate::domain::Role::Reporter,
            crate::domain::Role::Responder,
            crate::domain::Role::Commander,
            crate::domain::Role::Committee,
        ];
        let refused = || ServiceError::Refused(crate::domain::incident::IncidentError::NotAllowed(READERS));
        let incident = match self.core.store.incident_by_number(number).await? {
            Some(i) => i,
            None if caller.committee => return Err(ServiceError::NotFound(super::Missing::IncidentNumbered(number.to_string()))),
            None => return Err(refused()),
        };
        if !incident.reads_record(caller.user, &caller.roles(&incident)) {
            return Err(refused());
        }
        let mut record = self.record(number).await?;
        if !caller.committee {
            record.redact_confidential_reporter();
        }
        Ok(record)
    }
}
