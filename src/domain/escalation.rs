//! §4.2 報告を受けた委員会は直ちに…, Table 1: until a person of the
//! committee acknowledges a report, it is taken further, step by step, at
//! times set by its recovery priority. Pure: the scheduler asks which
//! steps are due, the outbox delivers each once, and delivery asks again
//! whether it is still needed (an acknowledgement stops the chain).

use super::priority::RecoveryPriority;
use super::Incident;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The chain's steps, in the order they are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A DM to the member(s) on duty (`[oncall]`).
    OnDuty,
    /// The committee role pinged again, with the time gone by.
    PingAgain,
    /// A DM to every member of the committee.
    Committee,
    /// Outside Discord: the organisation's webhook and e-mail.
    Outside,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::OnDuty, Step::PingAgain, Step::Committee, Step::Outside];

    /// The key under which the scheduler records it as sent, once per
    /// incident (the same table as Table 1 reminders).
    pub fn key(self) -> &'static str {
        match self {
            Step::OnDuty => "ack:on_duty",
            Step::PingAgain => "ack:ping_again",
            Step::Committee => "ack:committee",
            Step::Outside => "ack:outside",
        }
    }

    /// The step as the committee reads it in records and drill reports.
    pub fn label(self) -> super::text::Text {
        use super::text::Text;
        match self {
            Step::OnDuty => Text::new("当番の委員へのDM", "a DM to the member on duty"),
            Step::PingAgain => Text::new("委員会ロールへの再通知", "the committee role pinged again"),
            Step::Committee => Text::new("委員全員へのDM", "a DM to every committee member"),
            Step::Outside => Text::new("Discord外への通知（Webhook・メール）", "outside Discord (webhook, e-mail)"),
        }
    }

    fn index(self) -> i32 {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) as i32
    }
}

/// The roads out of Discord for the last step, each delivered (and
/// retried) on its own: a mail server down never sends the webhook twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Road {
    Webhook,
    Mail,
}

/// How long a report of one priority may wait for an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckWithin {
    After(Duration),
    /// Priority 0 may stop: the next weekday's morning is soon enough.
    NextBusinessMorning,
}

/// The chain's timing: the deadline by priority (index = Table 1 level;
/// a report naming no registered system counts as priority 2), then one
/// step every `step_every`.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationPolicy {
    pub within: [AckWithin; 4],
    pub step_every: Duration,
    pub business_morning: NaiveTime,
    pub tz: Tz,
}

impl EscalationPolicy {
    /// The defaults of issue 26: priority 3 fifteen minutes, 2 one hour,
    /// 1 four hours, 0 the next business morning at 09:00; a step every
    /// five minutes after the deadline.
    pub fn defaults(tz: Tz) -> Self {
        EscalationPolicy {
            within: [
                AckWithin::NextBusinessMorning,
                AckWithin::After(Duration::hours(4)),
                AckWithin::After(Duration::hours(1)),
                AckWithin::After(Duration::minutes(15)),
            ],
            step_every: Duration::minutes(5),
            business_morning: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            tz,
        }
    }

    /// When a report of `priority` made at `reported` is due to be
    /// acknowledged: the first step's time.
    pub fn deadline(&self, priority: Option<RecoveryPriority>, reported: DateTime<Utc>) -> DateTime<Utc> {
        let level = priority.map_or(2, |p| p.level()) as usize;
        match self.within[level.min(3)] {
            AckWithin::After(d) => reported + d,
            AckWithin::NextBusinessMorning => self.next_business_morning(reported),
        }
    }

    /// When `step` is taken for such a report.
    pub fn step_at(&self, step: Step, priority: Option<RecoveryPriority>, reported: DateTime<Utc>) -> DateTime<Utc> {
        self.deadline(priority, reported) + self.step_every * step.index()
    }

    /// The steps due for `i` at `now`, in order, while it waits for an
    /// acknowledgement. Quiet hours of the member on duty hold the step
    /// outside Discord back until they end — but never for priority 3,
    /// whose business may not stop.
    pub fn due(&self, i: &Incident, on_duty_quiet: bool, now: DateTime<Utc>) -> Vec<Step> {
        if !i.awaits_acknowledgement() {
            return vec![];
        }
        let p = i.priority();
        let held = on_duty_quiet && p != Some(RecoveryPriority::NoDowntime);
        Step::ALL.into_iter().filter(|s| self.step_at(*s, p, i.reported_at) <= now && !(held && *s == Step::Outside)).collect()
    }

    /// The first weekday morning after `t`, in the organisation's zone
    /// (public holidays are not known; a Monday holiday is a workday here).
    fn next_business_morning(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let mut day = t.with_timezone(&self.tz).date_naive();
        for _ in 0..8 {
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let morning = self.tz.from_local_datetime(&day.and_time(self.business_morning)).earliest().map(|m| m.with_timezone(&Utc));
            match morning {
                Some(m) if !weekend && m > t => return m,
                _ => {}
            }
            day = day.succ_opt().unwrap_or(day);
        }
        t + Duration::days(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Tokyo;

    fn tokyo(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Tokyo.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn each_priority_has_its_deadline_and_steps_follow_it() {
        let p = EscalationPolicy::defaults(Tokyo);
        let at = tokyo(2026, 6, 3, 14, 0); // a Wednesday
        let three = Some(RecoveryPriority::NoDowntime);
        assert_eq!(p.deadline(three, at), at + Duration::minutes(15));
        assert_eq!(p.deadline(Some(RecoveryPriority::OneDay), at), at + Duration::hours(1));
        assert_eq!(p.deadline(None, at), at + Duration::hours(1), "no registered system: as priority 2");
        assert_eq!(p.deadline(Some(RecoveryPriority::ThreeDays), at), at + Duration::hours(4));
        assert_eq!(p.deadline(Some(RecoveryPriority::MayStop), at), tokyo(2026, 6, 4, 9, 0));
        let steps: Vec<_> = Step::ALL.iter().map(|s| p.step_at(*s, three, at) - at).collect();
        assert_eq!(steps, [15, 20, 25, 30].map(Duration::minutes));
    }

    #[test]
    fn the_next_business_morning_skips_the_weekend_and_this_morning_once_past() {
        let p = EscalationPolicy::defaults(Tokyo);
        let may_stop = Some(RecoveryPriority::MayStop);
        assert_eq!(p.deadline(may_stop, tokyo(2026, 6, 5, 18, 0)), tokyo(2026, 6, 8, 9, 0), "Friday evening → Monday");
        assert_eq!(p.deadline(may_stop, tokyo(2026, 6, 6, 10, 0)), tokyo(2026, 6, 8, 9, 0), "Saturday → Monday");
        assert_eq!(p.deadline(may_stop, tokyo(2026, 6, 3, 7, 30)), tokyo(2026, 6, 3, 9, 0), "before nine: this morning");
        assert_eq!(p.deadline(may_stop, tokyo(2026, 6, 3, 9, 0)), tokyo(2026, 6, 4, 9, 0), "at nine: the next one");
    }

    #[test]
    fn steps_fall_due_in_turn_until_acknowledged_and_quiet_hours_hold_only_the_outside_below_priority_3() {
        let p = EscalationPolicy::defaults(Tokyo);
        let mut i = crate::domain::incident::tests::incident(true); // priority 2: an hour
        let t = i.reported_at;
        assert!(p.due(&i, false, t + Duration::minutes(59)).is_empty());
        assert_eq!(p.due(&i, false, t + Duration::minutes(60)), vec![Step::OnDuty]);
        assert_eq!(p.due(&i, false, t + Duration::minutes(70)), vec![Step::OnDuty, Step::PingAgain, Step::Committee]);
        assert_eq!(p.due(&i, false, t + Duration::minutes(75)), Step::ALL.to_vec());
        assert_eq!(p.due(&i, true, t + Duration::minutes(75)), vec![Step::OnDuty, Step::PingAgain, Step::Committee], "held in quiet hours");
        i.affected[0].priority = Some(RecoveryPriority::NoDowntime);
        assert_eq!(p.due(&i, true, t + Duration::minutes(30)), Step::ALL.to_vec(), "priority 3 never waits");
        i.acknowledged = Some(crate::domain::incident::Acknowledgement { by: crate::domain::UserId(2), at: t });
        assert!(p.due(&i, false, t + Duration::hours(9)).is_empty(), "acknowledged: nothing more");
    }

    #[test]
    fn keys_are_stable_and_distinct() {
        let keys: std::collections::HashSet<_> = Step::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys.len(), 4);
        assert_eq!(Step::Outside.key(), "ack:outside");
        assert_eq!(serde_json::to_string(&Step::PingAgain).unwrap(), "\"ping_again\"");
    }
}
