//! What the Discord layer reads: for rendering a delivery (the state as it
//! is now), and for the committee's lists — each list checked against the
//! caller here, not in the adapter.

use super::{Caller, Hikeshi, Missing, ServiceError};
use crate::domain::drill::DrillReport;
use crate::domain::event::EventRecord;
use crate::domain::incident::IncidentError;
use crate::domain::records::{LogEntry, ReminderRow, TranscriptLine};
use crate::domain::request::Request;
use crate::domain::{Action, ChannelId, Incident, IncidentId, MessageId, Playbook, PlaybookId, Role, UserId};
use chrono::{DateTime, Utc};

/// Where the status board and each announcement were posted, so they are
/// edited in place (keys kept as the first version wrote them).
const STATUS_BOARD: &str = "status_board_message";
fn announcement_key(id: IncidentId) -> String {
    format!("announcement:{id}")
}

/// What pressing Acknowledge on a reminder leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOrAck {
    /// §9: the yearly review's outcome is asked for first (a form).
    AskOutcome,
    /// Recorded now.
    Acknowledged(Acknowledging),
}

/// Whether an acknowledgement was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledging {
    Recorded,
    AlreadyDone,
}

/// One improvement note on a playbook, with the incident it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookNote {
    pub incident: crate::domain::IncidentNumber,
    pub went_well: String,
    pub missing: String,
}

impl Hikeshi {
    pub async fn incident(&self, id: IncidentId) -> Result<Incident, ServiceError> {
        self.store.incident(id).await?.ok_or(ServiceError::NotFound(Missing::Incident))
    }

    /// The incident whose channel (or archived channel) this is.
    pub async fn incident_in_channel(&self, channel: ChannelId) -> Result<Incident, ServiceError> {
        self.store.incident_by_channel(channel).await?.ok_or(super::InputError::NotAnIncidentChannel.into())
    }

    pub async fn open_incidents(&self) -> Result<Vec<Incident>, ServiceError> {
        Ok(self.store.open_incidents().await?)
    }

    pub async fn log_entry(&self, id: i64) -> Result<LogEntry, ServiceError> {
        self.store.log_entry(id).await?.ok_or(ServiceError::Internal("log entry missing"))
    }

    pub async fn log_entries(&self, id: IncidentId) -> Result<Vec<LogEntry>, ServiceError> {
        Ok(self.store.log_entries(id).await?)
    }

    pub async fn events_of(&self, id: IncidentId) -> Result<Vec<EventRecord>, ServiceError> {
        Ok(self.store.events_of(id).await?)
    }

    pub async fn transcript(&self, id: IncidentId) -> Result<Vec<TranscriptLine>, ServiceError> {
        Ok(self.store.transcript(id).await?)
    }

    pub async fn reminder(&self, id: i64) -> Result<ReminderRow, ServiceError> {
        self.store.reminder(id).await?.ok_or(ServiceError::NotFound(Missing::Reminder))
    }

    pub async fn request(&self, id: i64) -> Result<Request, ServiceError> {
        self.store.request(id).await?.ok_or(ServiceError::NotFound(Missing::Request))
    }

    pub async fn review_outcome(&self, reminder: i64) -> Result<String, ServiceError> {
        Ok(self.store.review_outcome(reminder).await?.unwrap_or_default())
    }

    pub async fn drill_report(&self, id: IncidentId) -> Result<DrillReport, ServiceError> {
        self.store.drill_report(id).await?.ok_or(ServiceError::Internal("drill report missing"))
    }

    /// How many members have read the announcement (§4.4(3)).
    pub async fn read_count(&self, id: IncidentId) -> Result<usize, ServiceError> {
        Ok(self.store.readers(id).await?.len())
    }

    /// Who has read the announcement: the committee's list.
    pub async fn readers(&self, id: IncidentId, caller: Caller) -> Result<Vec<(UserId, DateTime<Utc>)>, ServiceError> {
        self.may_always(caller, Action::ViewRecords)?;
        Ok(self.store.readers(id).await?)
    }

    /// Every improvement note on `playbook`, newest first (§4.4(4), §4.1(2)).
    pub async fn playbook_notes(&self, caller: Caller, playbook: &PlaybookId) -> Result<Vec<PlaybookNote>, ServiceError> {
        self.may_always(caller, Action::ViewRecords)?;
        let mut out = vec![];
        for i in self.store.all_incidents().await?.iter().rev() {
            for n in i.lessons.notes.iter().filter(|n| n.playbook.as_ref() == Some(playbook)) {
                out.push(PlaybookNote { incident: i.number, went_well: n.went_well.clone(), missing: n.missing.clone() });
            }
        }
        Ok(out)
    }

    /// §4.1(1) 周知: the playbook of an incident, for the people working it
    /// (anyone the state lets into its channel) and the committee.
    pub async fn playbook_of(&self, id: IncidentId, caller: Caller) -> Result<(Incident, Option<Playbook>), ServiceError> {
        let incident = self.incident(id).await?;
        if !caller.committee && !incident.has_access(caller.user) {
            return Err(IncidentError::NotAllowed(&[Role::Reporter, Role::Responder, Role::Commander, Role::Committee]).into());
        }
        let playbook = incident.playbook.as_ref().and_then(|p| self.settings.playbooks.get(p)).cloned();
        Ok((incident, playbook))
    }

    /// `/playbook show`: a named playbook (the committee), or the playbook
    /// of the incident whose channel this is (anyone working it).
    pub async fn playbook_to_show(
        &self,
        caller: Caller,
        named: Option<&PlaybookId>,
        channel: crate::domain::ChannelId,
    ) -> Result<Option<Playbook>, ServiceError> {
        if let Some(p) = named {
            self.may_always(caller, Action::ViewRecords)?;
            return Ok(self.settings.playbooks.get(p).cloned());
        }
        let incident = self.incident_in_channel(channel).await?;
        Ok(self.playbook_of(incident.id, caller).await?.1)
    }

    /// The record of the incident whose channel this is, for `/incident
    /// export`: the commander or the committee; the confidential reporter
    /// is redacted for anyone but the committee.
    pub async fn export(&self, caller: Caller, channel: ChannelId) -> Result<crate::records::export::Record, ServiceError> {
        let incident = self.incident_in_channel(channel).await?;
        self.may(incident.id, caller, Action::Export).await?;
        let mut record = self.record(incident.number).await?;
        if !caller.committee {
            record.redact_confidential_reporter();
        }
        Ok(record)
    }

    /// Acknowledge on a reminder: the committee only; a yearly review asks
    /// for its outcome first (§9).
    pub async fn acknowledge_or_review(&self, reminder: i64, caller: Caller) -> Result<ReviewOrAck, ServiceError> {
        self.may_always(caller, Action::Acknowledge)?;
        if self.reminder(reminder).await?.kind == super::schedules::ANNUAL_REVIEW {
            return Ok(ReviewOrAck::AskOutcome);
        }
        let done = self.acknowledge(reminder, caller).await?;
        Ok(ReviewOrAck::Acknowledged(if done { Acknowledging::Recorded } else { Acknowledging::AlreadyDone }))
    }

    /// Where the status board was posted.
    pub async fn status_board_message(&self) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.store.get_state(STATUS_BOARD).await?.and_then(|v| v.parse().ok()).map(MessageId))
    }

    pub async fn remember_status_board(&self, message: MessageId) -> Result<(), ServiceError> {
        Ok(self.store.set_state(STATUS_BOARD, &message.0.to_string()).await?)
    }

    /// Where an incident's announcement was posted (§4.4(3)).
    pub async fn announcement_message(&self, id: IncidentId) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.store.get_state(&announcement_key(id)).await?.and_then(|v| v.parse().ok()).map(MessageId))
    }

    pub async fn remember_announcement(&self, id: IncidentId, message: MessageId) -> Result<(), ServiceError> {
        Ok(self.store.set_state(&announcement_key(id), &message.0.to_string()).await?)
    }

    /// The overflow categories opened for `purpose` (`incidents`, `archive`),
    /// as `(number, channel)`.
    pub async fn overflow_categories(&self, purpose: &str) -> Result<Vec<(i64, ChannelId)>, ServiceError> {
        Ok(self.store.overflow_categories(purpose).await?.into_iter().map(|(n, c)| (n, ChannelId(c as u64))).collect())
    }

    pub async fn add_overflow_category(&self, purpose: &str, n: i64, channel: ChannelId) -> Result<(), ServiceError> {
        Ok(self.store.add_overflow_category(purpose, n, channel.as_i64()).await?)
    }
}
