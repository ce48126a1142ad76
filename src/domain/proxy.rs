//! §4.2 reports taken by phone or in person: a committee member files the
//! report for the person who made it — a member, or someone outside the
//! server by name — and says how it came in. §1's power failures, disasters
//! and lost devices are exactly when the reporter may not reach Discord.

use super::ids::UserId;
use super::text::Text;
use serde::{Deserialize, Serialize};

/// How the report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Phone,
    InPerson,
    Mail,
    Other,
}

impl Via {
    pub const ALL: [Via; 4] = [Via::Phone, Via::InPerson, Via::Mail, Via::Other];

    pub fn id(self) -> &'static str {
        match self {
            Via::Phone => "phone",
            Via::InPerson => "in_person",
            Via::Mail => "mail",
            Via::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Via> {
        Via::ALL.into_iter().find(|v| v.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Via::Phone => Text::new("電話", "phone"),
            Via::InPerson => Text::new("対面", "in person"),
            Via::Mail => Text::new("メール・書面", "mail or letter"),
            Via::Other => Text::new("その他", "other"),
        }
    }
}

/// The longest name of an outside reporter.
pub const MAX_OUTSIDER: usize = 100;

/// What the committee member says of the report they file: how it came
/// in, and who made it (a member, or a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    pub via: Via,
    pub member: Option<UserId>,
    #[serde(default)]
    pub outsider: String,
}

/// On the incident: who filed it for the reporter, and how it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    pub by: UserId,
    pub via: Via,
    /// The reporter's name where they are not a member (the filing
    /// committee member is then the reporter of record, the contact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outsider: Option<String>,
}

impl Proxy {
    /// Who the incident's reporter is: the member who made the report, or
    /// (for someone outside the server) the committee member who took it.
    pub fn reporter(&self, filed_by: UserId) -> UserId {
        self.member.unwrap_or(filed_by)
    }

    pub fn taken(&self, by: UserId) -> Taken {
        let outsider = Some(self.outsider.trim().to_string()).filter(|n| self.member.is_none() && !n.is_empty());
        Taken { by, via: self.via, outsider }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_the_reporter_and_an_outsider_is_named_with_the_committee_member_as_contact() {
        let member = Proxy { via: Via::Phone, member: Some(UserId(7)), outsider: "ignored".into() };
        assert_eq!(member.reporter(UserId(3)), UserId(7));
        assert_eq!(member.taken(UserId(3)), Taken { by: UserId(3), via: Via::Phone, outsider: None });
        let outside = Proxy { via: Via::InPerson, member: None, outsider: " 清掃業者の山田さん ".into() };
        assert_eq!(outside.reporter(UserId(3)), UserId(3));
        assert_eq!(outside.taken(UserId(3)).outsider.as_deref(), Some("清掃業者の山田さん"));
        for v in Via::ALL {
            assert_eq!(Via::parse(v.id()), Some(v));
        }
        assert_eq!(Via::parse("fax"), None);
    }
}
