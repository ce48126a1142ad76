//! §6 exceptions and §9 amendments: a member asks, the committee decides
//! with a reason, and the answer is kept.

use super::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// §6: someone cannot comply for business reasons.
    Exception,
    /// §9: someone wants the regulation changed.
    Amendment,
}

impl RequestKind {
    pub fn id(self) -> &'static str {
        match self {
            RequestKind::Exception => "exception",
            RequestKind::Amendment => "amendment",
        }
    }

    pub fn parse(s: &str) -> Option<RequestKind> {
        match s {
            "exception" => Some(RequestKind::Exception),
            "amendment" => Some(RequestKind::Amendment),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
    /// §9: an approved amendment the regulation's revision carried out.
    Enacted,
}

impl RequestStatus {
    pub fn id(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Enacted => "enacted",
        }
    }

    pub fn parse(s: &str) -> Option<RequestStatus> {
        [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Denied, RequestStatus::Enacted].into_iter().find(|x| x.id() == s)
    }
}

/// What the requester wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestBody {
    /// Exception: the rule; amendment: the section.
    pub subject: String,
    /// Exception: why; amendment: the proposed change.
    pub text: String,
    /// Amendment: why the change is needed.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub kind: RequestKind,
    pub requester: UserId,
    pub body: RequestBody,
    pub status: RequestStatus,
    /// Exceptions end.
    pub until: Option<DateTime<Utc>>,
    pub decided_by: Option<UserId>,
    pub decision_reason: Option<String>,
}

impl Request {
    /// An approved exception whose end has come.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.kind == RequestKind::Exception && self.status == RequestStatus::Approved && self.until.is_some_and(|u| u <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words stored in the requests table read back as what they were.
    #[test]
    fn kinds_and_statuses_round_trip_through_their_stored_words() {
        for k in [RequestKind::Exception, RequestKind::Amendment] {
            assert_eq!(RequestKind::parse(k.id()), Some(k));
        }
        assert_eq!((RequestKind::Exception.id(), RequestKind::Amendment.id()), ("exception", "amendment"));
        for st in [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Denied] {
            assert_eq!(RequestStatus::parse(st.id()), Some(st));
        }
        assert_eq!(RequestStatus::Approved.id(), "approved");
        assert_eq!(RequestKind::parse("nope"), None);
        assert_eq!(RequestStatus::parse(""), None);
        assert_eq!(RequestStatus::parse("denied"), Some(RequestStatus::Denied));
    }

    /// §6: only an approved exception ends, at the end of its last day.
    #[test]
    fn only_an_approved_exception_expires_and_only_once_its_end_has_come() {
        let end = chrono::DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let r = |kind, status, until| Request {
            id: 1,
            kind,
            requester: UserId(1),
            body: RequestBody { subject: "s".into(), text: "t".into(), reason: String::new() },
            status,
            until,
            decided_by: None,
            decision_reason: None,
        };
        let approved = r(RequestKind::Exception, RequestStatus::Approved, Some(end));
        assert!(!approved.expired(end - chrono::Duration::seconds(1)));
        assert!(approved.expired(end) && approved.expired(end + chrono::Duration::days(1)));
        assert!(!r(RequestKind::Exception, RequestStatus::Pending, Some(end)).expired(end));
        assert!(!r(RequestKind::Exception, RequestStatus::Denied, Some(end)).expired(end));
        assert!(!r(RequestKind::Amendment, RequestStatus::Approved, Some(end)).expired(end));
        assert!(!r(RequestKind::Exception, RequestStatus::Approved, None).expired(end));
    }
}
