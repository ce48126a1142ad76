//! §4.3 and §5: the record of an incident for exports, the committee's
//! figures, and the operational audit.

use super::{core::Core, Caller, ServiceError};
use crate::domain::{Action, ChannelId};
use crate::records::export::{Format, Record, Rows};
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
        let mut doc = crate::records::export::sink(record, format, &self.core.settings);
        let id = record.incident.id;
        while let Some(rows) = doc.next(out)? {
            match rows {
                Rows::Events => {
                    let mut events = self.core.store.events_stream(id);
                    while let Some(e) = events.try_next().await.map_err(ServiceError::from)? {
                        doc.event(out, &e)?;
                    }
                }
                Rows::Transcript => {
                    let mut lines = self.core.store.transcript_stream(id);
                    while let Some(l) = lines.try_next().await.map_err(ServiceError::from)? {
                        doc.line(out, &l)?;
                    }
                }
            }
        }
        Ok(out.flush()?)
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
