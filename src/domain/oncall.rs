//! Who of the committee is on duty (issue 26): a weekly rotation handed
//! over at a set local time, absences and swaps recorded by the
//! committee, and each person's quiet hours (no DMs then). The first step
//! of the escalation chain goes to the member on duty.

use super::ids::UserId;
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Hours one member is not to be DMed, in the organisation's zone; `from`
/// after `to` runs over midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub member: UserId,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl QuietHours {
    pub fn covers(&self, t: NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

/// A change the committee recorded (`/oncall away`, `/oncall swap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DutyChange {
    /// `member` is not on duty between the two instants: the next one in
    /// the rotation takes their turn.
    Away { member: UserId, from: DateTime<Utc>, to: DateTime<Utc> },
    /// `member` is on duty between the two instants instead of the
    /// rotation's.
    Swap { member: UserId, from: DateTime<Utc>, to: DateTime<Utc> },
}

impl DutyChange {
    fn covers(&self, t: DateTime<Utc>) -> bool {
        let (DutyChange::Away { from, to, .. } | DutyChange::Swap { from, to, .. }) = self;
        *from <= t && t < *to
    }
}

/// The rotation as configured: week 0 begins at `start` (a hand-off).
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub members: Vec<UserId>,
    pub start: NaiveDateTime,
    pub tz: Tz,
    pub quiet: Vec<QuietHours>,
}

/// Who is on duty now, until when, and who comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub now: Option<UserId>,
    pub until: DateTime<Utc>,
    pub next: Option<UserId>,
}

impl Rotation {
    /// The week `t` falls in (negative before the start), counted in local
    /// time so that the hand-off stays at its hour.
    fn week(&self, t: DateTime<Utc>) -> i64 {
        let local = t.with_timezone(&self.tz).naive_local();
        (local - self.start).num_seconds().div_euclid(7 * 86_400)
    }

    /// When week `k` begins.
    fn handoff(&self, k: i64) -> DateTime<Utc> {
        let local = self.start + Duration::days(7 * k);
        self.tz.from_local_datetime(&local).earliest().map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
    }

    /// The member on duty at `t`: a swap covering it, else the rotation's
    /// member of that week, or the next in turn who is not away.
    pub fn on_duty(&self, changes: &[DutyChange], t: DateTime<Utc>) -> Option<UserId> {
        let swapped = changes.iter().rev().find_map(|c| match c {
            DutyChange::Swap { member, .. } if c.covers(t) => Some(*member),
            _ => None,
        });
        if swapped.is_some() {
            return swapped;
        }
        let n = self.members.len() as i64;
        let away = |m: UserId| changes.iter().any(|c| matches!(c, DutyChange::Away { member, .. } if *member == m) && c.covers(t));
        (0..n).map(|j| self.members[(self.week(t) + j).rem_euclid(n.max(1)) as usize]).find(|m| !away(*m))
    }

    pub fn duty(&self, changes: &[DutyChange], now: DateTime<Utc>) -> Duty {
        let until = self.handoff(self.week(now) + 1);
        Duty { now: self.on_duty(changes, now), until, next: self.on_duty(changes, until) }
    }

    /// The end of the current week (a swap lasts until then).
    pub fn next_handoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.handoff(self.week(now) + 1)
    }

    /// Whether `member` is in their quiet hours at `t`.
    pub fn quiet(&self, member: UserId, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.tz).time();
        self.quiet.iter().any(|q| q.member == member && q.covers(local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::Asia::Tokyo;

    const A: UserId = UserId(1);
    const B: UserId = UserId(2);
    const C: UserId = UserId(3);

    fn tokyo(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Tokyo.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
    }

    fn rotation() -> Rotation {
        let start = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap().and_hms_opt(9, 0, 0).unwrap(); // a Monday, 09:00
        let night =
            QuietHours { member: B, from: NaiveTime::from_hms_opt(22, 0, 0).unwrap(), to: NaiveTime::from_hms_opt(7, 0, 0).unwrap() };
        Rotation { members: vec![A, B, C], start, tz: Tokyo, quiet: vec![night] }
    }

    #[test]
    fn a_week_each_handed_over_at_nine_local_time() {
        let r = rotation();
        assert_eq!(r.on_duty(&[], tokyo(6, 1, 9)), Some(A));
        assert_eq!(r.on_duty(&[], tokyo(6, 8, 8)), Some(A), "until Monday nine");
        assert_eq!(r.on_duty(&[], tokyo(6, 8, 9)), Some(B));
        assert_eq!(r.on_duty(&[], tokyo(6, 22, 10)), Some(A), "round again");
        assert_eq!(r.on_duty(&[], tokyo(5, 30, 10)), Some(C), "before the start, counted back");
        assert_eq!(r.duty(&[], tokyo(6, 3, 12)), Duty { now: Some(A), until: tokyo(6, 8, 9), next: Some(B) });
        assert_eq!(Rotation { members: vec![], ..rotation() }.on_duty(&[], tokyo(6, 3, 12)), None);
    }

    #[test]
    fn an_absence_passes_the_turn_on_and_a_swap_wins() {
        let r = rotation();
        let away = DutyChange::Away { member: A, from: tokyo(6, 2, 0), to: tokyo(6, 4, 0) };
        assert_eq!(r.on_duty(&[away], tokyo(6, 3, 12)), Some(B));
        assert_eq!(r.on_duty(&[away], tokyo(6, 4, 12)), Some(A), "back");
        let swap = DutyChange::Swap { member: C, from: tokyo(6, 3, 0), to: tokyo(6, 8, 9) };
        assert_eq!(r.on_duty(&[away, swap], tokyo(6, 3, 12)), Some(C));
        assert_eq!(r.on_duty(&[away, swap], tokyo(6, 8, 9)), Some(B), "the swap ends at the hand-off");
        let everyone = [A, B, C].map(|m| DutyChange::Away { member: m, from: tokyo(6, 1, 0), to: tokyo(7, 1, 0) });
        assert_eq!(r.on_duty(&everyone, tokyo(6, 3, 12)), None);
    }

    #[test]
    fn quiet_hours_run_over_midnight() {
        let r = rotation();
        assert!(r.quiet(B, tokyo(6, 3, 23)) && r.quiet(B, tokyo(6, 4, 6)));
        assert!(!r.quiet(B, tokyo(6, 4, 7)) && !r.quiet(B, tokyo(6, 3, 21)));
        assert!(!r.quiet(A, tokyo(6, 3, 23)), "only their own");
        let day =
            QuietHours { member: A, from: NaiveTime::from_hms_opt(12, 0, 0).unwrap(), to: NaiveTime::from_hms_opt(13, 0, 0).unwrap() };
        assert!(day.covers(NaiveTime::from_hms_opt(12, 0, 0).unwrap()) && !day.covers(NaiveTime::from_hms_opt(13, 0, 0).unwrap()));
    }
}
