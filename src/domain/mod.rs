//! The regulation's concepts as plain Rust: no Discord, no SQL.
//!
//! Everything here is deterministic and unit-tested in place; the service
//! layer loads state, asks these types what may happen, and persists the
//! answer together with its events and side effects.

pub mod access;
pub mod alert;
pub mod appi;
pub mod base64;
pub mod category;
pub mod console;
pub mod drill;
pub mod effect;
pub mod escalation;
pub mod event;
pub mod followup;
pub mod ids;
pub mod incident;
pub mod lessons;
pub mod letter;
pub mod log_entry;
pub mod oncall;
pub mod permission;
pub mod phase;
pub mod playbook;
pub mod priority;
pub mod proxy;
pub mod refusal;
pub mod regulation;
pub mod reminder;
pub mod report;
pub mod request;
pub mod systems;
pub mod text;
pub mod transcript;
pub mod webhooks;

pub use category::{Category, SubKind};
pub use effect::{Effect, Notice};
pub use event::{Actor, EventPayload};
pub use ids::{ChannelId, IncidentId, IncidentNumber, MessageId, PlaybookId, RoleId, SystemId, UserId};
pub use incident::{AffectedSystem, ChecklistMark, Incident, MarkState};
pub use log_entry::LogKind;
pub use permission::{Action, Role, RoleSet};
pub use phase::Phase;
pub use playbook::{Playbook, Playbooks};
pub use priority::{RecoveryDeadline, RecoveryPriority};
pub use reminder::IncidentReminder;
pub use text::{Lang, Text};
