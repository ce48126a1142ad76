//! Follow-through (§4.4(1) 適切に実施, §4.4(4), §4.1(2) 是正): what the
//! lessons of an incident commit the organisation to do — each measure of
//! the prevention plan, each playbook found wanting — with an owner and a
//! due date, reminded until done. Closing the incident does not close them.

use super::ids::{PlaybookId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest text of one follow-up action.
pub const MAX_FOLLOWUP: usize = 300;

/// Where a follow-up action came from, and so how it gets done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Source {
    /// A measure of the prevention plan (§4.4(1)): done when its owner says.
    Plan,
    /// An improvement note on a playbook, or a problem found in a drill
    /// (§4.4(4), §4.1(2)): done when the playbook's file changes (`digest`
    /// is its SHA-256 when the note was written).
    PlaybookUpdate { playbook: PlaybookId, digest: String },
}

/// How a follow-up action was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub at: DateTime<Utc>,
    /// Who said so; `None` when hikeshi saw the playbook's file change.
    pub by: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// 1, 2, … within the incident.
    pub n: u32,
    pub what: String,
    /// Who carries it out; `None`: the committee.
    pub owner: Option<UserId>,
    pub due: DateTime<Utc>,
    pub source: Source,
    pub added_at: DateTime<Utc>,
    pub done: Option<Done>,
}

impl FollowUp {
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && self.due <= now
    }

    /// Whether `user` may mark it done without a role on the incident.
    pub fn owned_by(&self, user: UserId) -> bool {
        self.owner == Some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_action_is_overdue_from_its_due_time_until_done() {
        let due = Utc.with_ymd_and_hms(2026, 12, 10, 14, 59, 59).unwrap();
        let mut f = FollowUp {
            n: 1,
            what: "EDR".into(),
            owner: Some(UserId(5)),
            due,
            source: Source::Plan,
            added_at: due - chrono::Duration::days(9),
            done: None,
        };
        assert!(!f.overdue(due - chrono::Duration::seconds(1)));
        assert!(f.overdue(due));
        assert!(f.owned_by(UserId(5)) && !f.owned_by(UserId(6)));
        f.done = Some(Done { at: due, by: Some(UserId(5)) });
        assert!(!f.is_open() && !f.overdue(due + chrono::Duration::days(30)));
    }
}
