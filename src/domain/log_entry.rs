//! §4.3: under the commander, three kinds of record are kept.

use super::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// The incident's occurrence and response status.
    Status,
    /// Information on resuming the organisation's business.
    BusinessResumption,
    /// The impact on customers, partners and other stakeholders.
    StakeholderImpact,
}

impl LogKind {
    pub const ALL: [LogKind; 3] = [LogKind::Status, LogKind::BusinessResumption, LogKind::StakeholderImpact];

    pub fn id(self) -> &'static str {
        match self {
            LogKind::Status => "status",
            LogKind::BusinessResumption => "business",
            LogKind::StakeholderImpact => "stakeholders",
        }
    }

    pub fn parse(s: &str) -> Option<LogKind> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            LogKind::Status => Text::new("発生状況及び対応状況", "Response status"),
            LogKind::BusinessResumption => Text::new("ビジネス活動再開に関する情報", "Business resumption"),
            LogKind::StakeholderImpact => Text::new("顧客及び取引先等利害関係者の影響", "Stakeholder impact"),
        }
    }
}

/// Limits on a log entry, so that it fits one Discord embed description.
pub const MAX_LOG_BODY: usize = 4000;

/// A stored §4.3 log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    pub incident: super::IncidentId,
    pub kind: LogKind,
    pub body: String,
    pub author: super::UserId,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in LogKind::ALL {
            assert_eq!(LogKind::parse(k.id()), Some(k));
            assert!(!k.label().is_blank());
        }
    }
}
