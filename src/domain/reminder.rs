//! Reminders hikeshi sends about an incident (Table 1 deadlines, nudges).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A reminder about one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IncidentReminder {
    /// `percent` of the Table 1 time has passed (100 = overdue), with the
    /// earlier steps missed while hikeshi was down.
    Deadline { percent: u8, deadline: DateTime<Utc>, missed: Vec<u8> },
    /// Priority 3: business may not stop; nudged until recovered.
    NoDowntime { nudge: i64 },
    /// Nothing happened for a while in an open phase.
    Stale { since: DateTime<Utc> },
    /// Still no commander.
    NoCommander,
    /// APPI Art. 26: a report to the PPC is due soon, or now.
    Appi { stage: super::appi::Stage, due: DateTime<Utc>, overdue: bool },
    /// Time for a §4.3 status entry.
    StatusDue { every_minutes: i64 },
    /// §4.4(1): a follow-up action is due (`nudge` 0) or still not done.
    FollowUp { n: u32, due: DateTime<Utc>, nudge: i64 },
    /// §4.4(3): members who have not confirmed the announcement, by DM.
    Unread,
}

impl IncidentReminder {
    /// Reminders the committee hears of in its own channel too.
    pub fn escalates(&self) -> bool {
        matches!(
            self,
            IncidentReminder::Deadline { percent: 100, .. } | IncidentReminder::NoDowntime { nudge: 0 } | IncidentReminder::NoCommander
        )
    }
}

/// What the database knows about an incident's activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// The last thing a person did (an event or a message).
    pub last: DateTime<Utc>,
    /// The last §4.3 status entry.
    pub last_status: Option<DateTime<Utc>>,
}

/// A fired drill or annual-review reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub id: i64,
    pub kind: String,
    pub scheduled_at: DateTime<Utc>,
    pub missed: i64,
    pub fired_at: DateTime<Utc>,
    pub playbook: Option<super::PlaybookId>,
    pub acknowledged_by: Option<i64>,
    pub escalated_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committee hears in its own channel of an overdue deadline, the
    /// first no-downtime alarm and a missing commander — not of the rest.
    #[test]
    fn only_what_the_committee_must_act_on_escalates() {
        let t = chrono::DateTime::<Utc>::MIN_UTC;
        assert!(IncidentReminder::Deadline { percent: 100, deadline: t, missed: vec![] }.escalates());
        assert!(!IncidentReminder::Deadline { percent: 80, deadline: t, missed: vec![] }.escalates());
        assert!(IncidentReminder::NoDowntime { nudge: 0 }.escalates());
        assert!(!IncidentReminder::NoDowntime { nudge: 1 }.escalates());
        assert!(IncidentReminder::NoCommander.escalates());
        assert!(!IncidentReminder::Stale { since: t }.escalates());
        assert!(!IncidentReminder::StatusDue { every_minutes: 60 }.escalates());
    }
}
