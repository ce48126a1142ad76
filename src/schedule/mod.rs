//! Reminders that never miss and never repeat: drills (§4.1(2)), the
//! annual review (§9), Table 1 recovery deadlines, stale incidents.
//!
//! [`rules`] decides, as plain functions of state and time, what is due;
//! [`scheduler`] looks at the database on every tick and queues what is
//! due and not yet sent, in the same transaction that records it as sent.

pub mod drills;
pub mod rules;
pub mod scheduler;

pub use scheduler::Scheduler;
