//! Reminders that never miss and never repeat: drills (§4.1(2)), the
//! annual review (§9), Table 1 recovery deadlines, stale incidents.
//!
//! [`rules`] decides, as plain functions of state and time, what is due;
//! the service queues what is due and not yet sent, in the same transaction
//! that records it as sent, and `runner::Scheduler` asks it on every tick.

pub mod rules;
