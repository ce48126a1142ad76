//! Newtypes for identifiers, so a user id is never passed where a channel id
//! belongs, and the incident number has one canonical spelling.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! snowflake {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl $name {
            /// Databases store snowflakes as signed 64-bit integers; Discord's
            /// ids stay below 2^63 until the year 2084.
            pub fn as_i64(self) -> i64 {
                self.0 as i64
            }
            pub fn from_i64(v: i64) -> Self {
                Self(v as u64)
            }
        }
    };
}

snowflake!(
    /// A Discord user.
    UserId
);
snowflake!(
    /// A Discord channel (text channel or category).
    ChannelId
);
snowflake!(
    /// A Discord role.
    RoleId
);
snowflake!(
    /// A Discord message.
    MessageId
);

impl UserId {
    /// The "reporter" of an incident opened by monitoring (§4.1(3) 検知):
    /// no member, never let in, never pinged.
    pub const MONITORING: UserId = UserId(0);

    pub fn is_monitoring(self) -> bool {
        self == Self::MONITORING
    }
}

/// The database key of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IncidentId(pub i64);

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A playbook's id as written in its file (`malware`, `dos`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaybookId(pub String);

impl fmt::Display for PlaybookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A system's id from the systems registry (§4.1(4)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SystemId(pub String);

impl fmt::Display for SystemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The human-friendly number of an incident: `INC-2026-0007`, counted per
/// year. Drills are numbered apart (`DRILL-2026-0002`) so practice never
/// consumes or shifts a real incident's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IncidentNumber {
    pub drill: bool,
    pub year: i32,
    pub seq: u32,
}

impl IncidentNumber {
    pub fn prefix(drill: bool) -> &'static str {
        if drill {
            "DRILL"
        } else {
            "INC"
        }
    }
}

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", Self::prefix(self.drill), self.year, self.seq)
    }
}

/// Parsing failed: the text is not of the form `INC-2026-0007`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an incident number; write it as INC-2026-0007 (or DRILL-2026-0001)")]
pub struct BadIncidentNumber(pub String);

impl std::str::FromStr for IncidentNumber {
    type Err = BadIncidentNumber;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadIncidentNumber(s.to_string());
        let upper = s.trim().to_ascii_uppercase();
        let mut parts = upper.split('-');
        let drill = match parts.next() {
            Some("INC") => false,
            Some("DRILL") => true,
            _ => return Err(bad()),
        };
        let year: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
        let seq: u32 = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        if parts.next().is_some() || !(1970..=9999).contains(&year) || seq == 0 {
            return Err(bad());
        }
        Ok(IncidentNumber { drill, year, seq })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_print_as_written_in_the_configuration() {
        assert_eq!(super::PlaybookId("malware".into()).to_string(), "malware");
        assert_eq!(super::SystemId("file-server".into()).to_string(), "file-server");
        assert_eq!(super::IncidentId(42).to_string(), "42");
    }

    use super::*;

    #[test]
    fn incident_numbers_are_padded_and_round_trip() {
        let n = IncidentNumber { drill: false, year: 2026, seq: 7 };
        assert_eq!(n.to_string(), "INC-2026-0007");
        assert_eq!("inc-2026-0007".parse::<IncidentNumber>().unwrap(), n);
        let d = IncidentNumber { drill: true, year: 2026, seq: 12345 };
        assert_eq!(d.to_string(), "DRILL-2026-12345");
        assert_eq!(d.to_string().parse::<IncidentNumber>().unwrap(), d);
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        for bad in ["", "INC", "INC-2026", "INC-x-1", "INC-2026-0", "BUG-2026-0001", "INC-2026-0001-2"] {
            assert!(bad.parse::<IncidentNumber>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn snowflakes_survive_the_database_round_trip() {
        let u = UserId(1_234_567_890_123_456_789);
        assert_eq!(UserId::from_i64(u.as_i64()), u);
    }
}
