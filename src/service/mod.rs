//! Use-cases, and the only door to the store: each loads what it needs,
//! asks the domain, and stores the state change with its events and side
//! effects in one transaction. Every permission decision is made here,
//! against stored state, whatever an adapter chose to show. No Discord
//! types here; an adapter (Discord, the web console) takes the services of
//! the features it serves from `Hikeshi` and renders their results.
//!
//! One service per feature, named as the feature is named in `domain/`,
//! `store/` and `discord/`: report, incident, lessons, appi, requests,
//! reminders, records, transcript, alerts, console (the web's sign-ins),
//! and delivery (the outbox and
//! exactly-once on both roads to Discord).

mod access;
mod alerts;
mod appi;
mod batch;
mod console;
mod core;
mod delivery;
mod errors;
mod escalation;
mod incident;
mod lessons;
mod oncall;
mod records;
mod reminders;
mod report;
mod requests;
mod transcript;

#[cfg(test)]
mod authz_tests;
#[cfg(test)]
mod console_tests;

pub use access::Access;
pub use alerts::{Alerts, Received};
pub use appi::Appi;
pub use console::{Begun, Console, ConsoleError, Members, Opened};
pub use delivery::{Delivered, Delivery, Health, NoticePost};
pub use errors::{InputError, Missing, ServiceError};
pub use escalation::{Escalation, Recipients};
pub use incident::Incidents;
pub use lessons::{Announced, Lessons, PlaybookNote};
pub use oncall::Oncall;
pub use records::{Chunks, Listed, Records, Shown, Wanted, WriteError, PER_PAGE};
pub use reminders::{Acknowledging, Overview, Reminders, ReviewOrAck, Tick, ANNUAL_REVIEW, AUDIT, DRILL};
pub use report::{MyReports, ReplyHandle, Reported, Reports};
pub use requests::Requests;
pub use transcript::{EditAuthor, Kept, Transcript};

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{Incident, RoleSet, UserId};
use crate::store::Store;
use std::sync::Arc;

/// Who is asking: a Discord user, and whether they hold the committee role
/// in the configured guild (the Discord layer reads the role from the
/// interaction; the guild is checked before anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub user: UserId,
    pub committee: bool,
    /// Holds the configured 情報システム部 role (§4.4(1)).
    pub it_department: bool,
}

impl Caller {
    /// A member holding the committee role or not, and not the IT role.
    pub fn member(user: UserId, committee: bool) -> Caller {
        Caller { user, committee, it_department: false }
    }

    /// The roles the caller holds towards `incident`.
    pub fn roles(&self, incident: &Incident) -> RoleSet {
        RoleSet { it_department: self.it_department, ..incident.roles_of(self.user, self.committee) }
    }

    /// The roles of someone with no tie to an incident (committee or member).
    fn standing(&self) -> RoleSet {
        RoleSet { committee: self.committee, it_department: self.it_department, ..Default::default() }
    }
}

/// The services, one per feature, over one store, clock and settings. It
/// only hands them out: an adapter takes the ones it serves.
#[derive(Clone)]
pub struct Hikeshi {
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    report: Reports,
    incident: Incidents,
    lessons: Lessons,
    appi: Appi,
    requests: Requests,
    reminders: Reminders,
    records: Records,
    transcript: Transcript,
    alerts: Alerts,
    delivery: Delivery,
    access: Access,
    oncall: Oncall,
    escalation: Escalation,
    console: Console,
}

impl Hikeshi {
    pub fn new(store: Store, settings: Arc<Settings>, clock: Arc<dyn Clock>) -> Self {
        let core = core::Core { store, settings: settings.clone(), clock: clock.clone() };
        let delivery = Delivery::new(core.clone());
        let requests = Requests::new(core.clone());
        let lessons = Lessons::new(core.clone());
        let oncall = Oncall::new(core.clone());
        let escalation = Escalation::new(core.clone(), oncall.clone());
        Hikeshi {
            settings,
            clock,
            report: Reports::new(core.clone()),
            incident: Incidents::new(core.clone()),
            appi: Appi::new(core.clone()),
            reminders: Reminders::new(core.clone(), delivery.clone(), requests.clone(), lessons.clone(), escalation.clone()),
            oncall,
            escalation,
            requests,
            lessons,
            records: Records::new(core.clone()),
            transcript: Transcript::new(core.clone()),
            access: Access::new(core.clone()),
            console: Console::new(core.clone()),
            alerts: Alerts::new(core),
            delivery,
        }
    }

    /// Keeps reports held while the database is away in `dir` (fsynced),
    /// so that a stop in that time loses none.
    pub fn with_spool(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.report = self.report.with_spool(dir);
        self
    }

    /// Issue 28: the web console asks the server's roles of a member
    /// through `members` (the Discord adapter's).
    pub fn with_members(mut self, members: std::sync::Arc<dyn Members>) -> Self {
        self.console = self.console.with_members(members);
        self
    }

    /// Issue 28: sign-ins to the web console.
    pub fn console(&self) -> &Console {
        &self.console
    }

    /// §4.2: reports, held reports and their triage.
    pub fn reports(&self) -> &Reports {
        &self.report
    }

    /// Working an incident: command, phases, checklist, records, people.
    pub fn incidents(&self) -> &Incidents {
        &self.incident
    }

    /// §4.4: the prevention plan, follow-ups, the board, the announcement.
    pub fn lessons(&self) -> &Lessons {
        &self.lessons
    }

    /// APPI Art. 26: the questions and the reports to the PPC.
    pub fn appi(&self) -> &Appi {
        &self.appi
    }

    /// §7: requests for exceptions and their decisions.
    pub fn requests(&self) -> &Requests {
        &self.requests
    }

    /// §4.1(2), §9, Table 1: reminders, escalations, drills, reviews.
    pub fn reminders(&self) -> &Reminders {
        &self.reminders
    }

    /// §4.3, §5: exports, figures, the audit.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// §4.2 collected in one place: messages, threads and files kept.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// §4.1(3): alerts from monitoring.
    pub fn alerts(&self) -> &Alerts {
        &self.alerts
    }

    /// The outbox, and exactly-once on both roads to Discord.
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Issue 26: who of the committee is on duty.
    pub fn oncall(&self) -> &Oncall {
        &self.oncall
    }

    /// §4.2, issue 26: the chain until a report is acknowledged.
    pub fn escalation(&self) -> &Escalation {
        &self.escalation
    }
}
