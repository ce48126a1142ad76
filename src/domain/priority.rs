//! §4.1(4) Table 1: recovery priorities and the deadlines they imply.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How long the business a system supports may stop (Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum RecoveryPriority {
    /// 0: may be stopped during an incident.
    MayStop,
    /// 1: must be restored within 3 days.
    ThreeDays,
    /// 2: must be restored within 24 hours.
    OneDay,
    /// 3: business may not stop.
    NoDowntime,
}

/// The downtime Table 1 allows for one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowedDowntime {
    None,
    Within(Duration),
    Unlimited,
}

impl RecoveryPriority {
    pub fn level(self) -> u8 {
        match self {
            RecoveryPriority::MayStop => 0,
            RecoveryPriority::ThreeDays => 1,
            RecoveryPriority::OneDay => 2,
            RecoveryPriority::NoDowntime => 3,
        }
    }

    pub fn allowed_downtime(self) -> AllowedDowntime {
        match self {
            RecoveryPriority::NoDowntime => AllowedDowntime::None,
            RecoveryPriority::OneDay => AllowedDowntime::Within(Duration::hours(24)),
            RecoveryPriority::ThreeDays => AllowedDowntime::Within(Duration::days(3)),
            RecoveryPriority::MayStop => AllowedDowntime::Unlimited,
        }
    }
}

impl TryFrom<u8> for RecoveryPriority {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        match v {
            0 => Ok(RecoveryPriority::MayStop),
            1 => Ok(RecoveryPriority::ThreeDays),
            2 => Ok(RecoveryPriority::OneDay),
            3 => Ok(RecoveryPriority::NoDowntime),
            other => Err(format!("recovery priority {other} is outside Table 1 (0–3)")),
        }
    }
}

impl From<RecoveryPriority> for u8 {
    fn from(p: RecoveryPriority) -> u8 {
        p.level()
    }
}

impl fmt::Display for RecoveryPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level())
    }
}

/// When business must be restored for an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum RecoveryDeadline {
    /// Priority 3 affected: business may not stop; the deadline is the moment
    /// it was noticed, so the incident is overdue until recovered.
    Immediate(DateTime<Utc>),
    /// Priority 2 or 1: restore by this time.
    By(DateTime<Utc>),
    /// Only priority-0 systems, or none known: no deadline.
    None,
}

impl RecoveryDeadline {
    /// The strictest priority among the affected systems decides (Table 1).
    pub fn for_systems(noticed_at: DateTime<Utc>, priorities: impl IntoIterator<Item = RecoveryPriority>) -> Self {
        match priorities.into_iter().max() {
            None => RecoveryDeadline::None,
            Some(p) => match p.allowed_downtime() {
                AllowedDowntime::None => RecoveryDeadline::Immediate(noticed_at),
                AllowedDowntime::Within(d) => RecoveryDeadline::By(noticed_at + d),
                AllowedDowntime::Unlimited => RecoveryDeadline::None,
            },
        }
    }

    pub fn at(self) -> Option<DateTime<Utc>> {
        match self {
            RecoveryDeadline::Immediate(t) | RecoveryDeadline::By(t) => Some(t),
            RecoveryDeadline::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Table 1's numbers, as the configuration writes them and the card shows.
    #[test]
    fn priorities_are_table_1s_numbers() {
        for n in 0u8..=3 {
            let p = RecoveryPriority::try_from(n).unwrap();
            assert_eq!(u8::from(p), n);
            assert_eq!(p.to_string(), n.to_string());
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 15, 30, 0).unwrap()
    }

    #[test]
    fn table_1_allowed_downtime() {
        use RecoveryPriority::*;
        assert_eq!(NoDowntime.allowed_downtime(), AllowedDowntime::None);
        assert_eq!(OneDay.allowed_downtime(), AllowedDowntime::Within(Duration::hours(24)));
        assert_eq!(ThreeDays.allowed_downtime(), AllowedDowntime::Within(Duration::hours(72)));
        assert_eq!(MayStop.allowed_downtime(), AllowedDowntime::Unlimited);
    }

    #[test]
    fn priorities_parse_only_within_table_1() {
        for v in 0..=3u8 {
            assert_eq!(RecoveryPriority::try_from(v).unwrap().level(), v);
        }
        assert!(RecoveryPriority::try_from(4).unwrap_err().contains("0–3"));
    }

    #[test]
    fn the_strictest_affected_system_sets_the_deadline() {
        use RecoveryPriority::*;
        let d = |ps: &[RecoveryPriority]| RecoveryDeadline::for_systems(t0(), ps.iter().copied());
        assert_eq!(d(&[]), RecoveryDeadline::None);
        assert_eq!(d(&[MayStop]), RecoveryDeadline::None);
        assert_eq!(d(&[MayStop, ThreeDays]), RecoveryDeadline::By(t0() + Duration::days(3)));
        assert_eq!(d(&[ThreeDays, OneDay, MayStop]), RecoveryDeadline::By(t0() + Duration::hours(24)));
        assert_eq!(d(&[OneDay, NoDowntime]), RecoveryDeadline::Immediate(t0()));
    }

    #[test]
    fn a_one_day_deadline_crosses_midnight_and_month_end() {
        let late = Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap();
        let d = RecoveryDeadline::for_systems(late, [RecoveryPriority::OneDay]);
        assert_eq!(d.at(), Some(Utc.with_ymd_and_hms(2026, 12, 1, 23, 0, 0).unwrap()));
    }
}
