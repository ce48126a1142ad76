//! Use-cases: each loads what it needs, asks the domain, and stores the
//! state change with its events and side effects in one transaction.
//! No Discord types here; the Discord layer calls these and renders the
//! results.

mod batch;
mod delivery;
mod errors;
mod incidents;
mod lessons;
mod report;
mod requests;
pub mod schedules;
mod transcript;

pub use delivery::Delivered;
pub use errors::ServiceError;
pub use report::{ReplyHandle, Reported};
pub use transcript::{EditAuthor, Kept};

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use std::sync::Arc;

/// Who is asking: a Discord user, and whether they hold the committee role
/// in the configured guild (the Discord layer checks the guild).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: crate::domain::UserId,
    pub committee: bool,
}

/// The application's core: settings, storage and time.
#[derive(Clone)]
pub struct Hikeshi {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Group commit for the two writes that come in bursts.
    reports: Arc<batch::Batcher<report::ReportJob, Reported>>,
    messages: Arc<batch::Batcher<crate::store::TranscriptMessage, Kept>>,
}

impl Hikeshi {
    pub fn new(store: Store, settings: Arc<Settings>, clock: Arc<dyn Clock>) -> Self {
        let reports = Arc::new(batch::Batcher::new(report::writer(store.clone(), settings.clone(), clock.clone())));
        let messages = Arc::new(batch::Batcher::new(transcript::writer(store.clone())));
        Hikeshi { store, settings, clock, reports, messages }
    }
}
