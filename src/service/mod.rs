//! Use-cases, and the only door to the store: each loads what it needs,
//! asks the domain, and stores the state change with its events and side
//! effects in one transaction. Every permission decision is made here,
//! against stored state, whatever the Discord layer chose to show. No
//! Discord types here; the Discord layer calls these and renders the
//! results.

mod batch;
mod delivery;
mod errors;
mod incidents;
mod intake;
mod lessons;
mod reads;
mod report;
mod requests;
pub mod schedules;
mod transcript;

#[cfg(test)]
mod authz_tests;

pub use delivery::{Delivered, Health, NoticePost};
pub use errors::{InputError, Missing, ServiceError};
pub use intake::Received;
pub use reads::{Acknowledging, ReviewOrAck};
pub use report::{MyReports, ReplyHandle, Reported};
pub use transcript::{EditAuthor, Kept};

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{Action, Incident, IncidentId, RoleSet, UserId};
use crate::store::Store;
use std::sync::Arc;

/// Who is asking: a Discord user, and whether they hold the committee role
/// in the configured guild (the Discord layer reads the role from the
/// interaction; the guild is checked before anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub committee: bool,
}

impl Caller {
    /// The roles the caller holds towards `incident`.
    pub fn roles(&self, incident: &Incident) -> RoleSet {
        incident.roles_of(self.user, self.committee)
    }

    /// The roles of someone with no tie to an incident (committee or member).
    fn standing(&self) -> RoleSet {
        RoleSet { committee: self.committee, ..Default::default() }
    }
}

/// The application's core: settings, storage and time.
#[derive(Clone)]
pub struct Hikeshi {
    /// Private: everything goes through the use-cases below.
    store: Store,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Group commit for the two writes that come in bursts.
    reports: Arc<batch::Batcher<report::ReportJob, Reported>>,
    messages: Arc<batch::Batcher<crate::domain::records::TranscriptMessage, Kept>>,
    /// Interactions this process has seen, and when (see `first_delivery`).
    seen: Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>>,
    /// Where reports held while the database is away are kept on disk.
    spool: Option<Arc<crate::store::spool::Spool>>,
    /// Display names this process has kept (a write only on a change).
    names: Arc<std::sync::Mutex<std::collections::HashMap<UserId, String>>>,
    /// The hour (since the epoch) old seen posts were last forgotten in:
    /// once an hour is enough, and spares a write at every tick.
    posts_forgotten: Arc<std::sync::atomic::AtomicI64>,
}

impl Hikeshi {
    pub fn new(store: Store, settings: Arc<Settings>, clock: Arc<dyn Clock>) -> Self {
        let reports = Arc::new(batch::Batcher::new(report::writer(store.clone(), settings.clone(), clock.clone())));
        let messages = Arc::new(batch::Batcher::new(transcript::writer(store.clone())));
        Hikeshi {
            store,
            settings,
            clock,
            reports,
            messages,
            seen: Arc::default(),
            spool: None,
            names: Arc::default(),
            posts_forgotten: Arc::default(),
        }
    }

    /// Keeps reports held while the database is away in `dir` (fsynced),
    /// so that a stop in that time loses none.
    pub fn with_spool(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.spool = Some(Arc::new(crate::store::spool::Spool::new(dir)));
        self
    }

    /// Wakes when a report is held on disk (none without a spool).
    pub fn held_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.spool.as_ref().map(|s| s.kept_signal())
    }

    /// Notified after every commit that queued side effects (the outbox
    /// worker waits on it).
    pub fn queued_effects(&self) -> Arc<tokio::sync::Notify> {
        self.store.queued_effects()
    }

    /// May `caller` do `action` to incident `id` now? The incident, if so.
    /// Used before a form opens, so nobody types a long entry only to be
    /// refused; the submission is checked again.
    pub async fn may(&self, id: IncidentId, caller: Caller, action: Action) -> Result<Incident, ServiceError> {
        let incident = self.incident(id).await?;
        if !action.allowed(&caller.roles(&incident)) {
            return Err(crate::domain::incident::IncidentError::NotAllowed(action.allowed_roles()).into());
        }
        Ok(incident)
    }

    /// May `caller` do an action that concerns no incident (the committee's
    /// commands and buttons)?
    pub fn may_always(&self, caller: Caller, action: Action) -> Result<(), ServiceError> {
        if action.allowed(&caller.standing()) {
            Ok(())
        } else {
            Err(crate::domain::incident::IncidentError::NotAllowed(action.allowed_roles()).into())
        }
    }
}
