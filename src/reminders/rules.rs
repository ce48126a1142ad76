//! What is due when: pure functions of an incident, the policy and time.

use crate::config::DeadlinePolicy;
use crate::domain::appi::{AppiPolicy, Stage};
use crate::domain::reminder::Activity;
use crate::domain::{Incident, IncidentReminder, RecoveryDeadline, RecoveryPriority};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// At most this many firings are looked at in one catch-up (a schedule
/// firing every minute over a month of downtime still ends).
pub const MAX_FIRINGS: usize = 10_000;

/// The firings of `schedule` in `(after, until]`, evaluated in `tz` so
/// that "10:00" stays 10:00 local time across daylight-saving changes.
pub fn firings(schedule: &cron::Schedule, tz: Tz, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    schedule.after(&after.with_timezone(&tz)).map(|t| t.with_timezone(&Utc)).take_while(|t| *t <= until).take(MAX_FIRINGS).collect()
}

/// The next firing after `now`.
pub fn next_firing(schedule: &cron::Schedule, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.after(&now.with_timezone(&tz)).next().map(|t| t.with_timezone(&Utc))
}

/// A reminder that is due, with the key that makes it unique per incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub key: String,
    pub at: DateTime<Utc>,
    pub what: IncidentReminder,
}

/// APPI Art. 26: a day before each report is due, and when it is, until
/// it is filed — also after the incident closed.
fn appi_due(i: &Incident, appi: Option<&AppiPolicy>, now: DateTime<Utc>) -> Vec<Due> {
    let Some((prelim, fin)) = appi.and_then(|p| i.appi.deadlines(i.noticed.at, p)) else {
        return vec![];
    };
    let mut out = vec![];
    for (stage, due) in [(Stage::Preliminary, prelim), (Stage::Final, fin)] {
        if i.appi.filed(stage) {
            continue;
        }
        let name = match stage {
            Stage::Preliminary => "preliminary",
            Stage::Final => "final",
        };
        if now >= due {
            out.push(Due { key: format!("appi:{name}:due"), at: due, what: IncidentReminder::Appi { stage, due, overdue: true } });
        } else if now >= due - Duration::days(1) {
            out.push(Due {
                key: format!("appi:{name}:soon"),
                at: due - Duration::days(1),
                what: IncidentReminder::Appi { stage, due, overdue: false },
            });
        }
    }
    out
}

/// §4.4(1) 適切に実施: each follow-up action not done is reminded when due
/// and every `every` after, until done — also after the incident closed.
pub fn followups_due(i: &Incident, every: Duration, now: DateTime<Utc>) -> Vec<Due> {
    let every_ms = every.num_milliseconds().max(1);
    i.lessons
        .open_followups()
        .filter(|f| f.overdue(now))
        .map(|f| {
            let k = (now - f.due).num_milliseconds() / every_ms;
            Due {
                key: format!("followup:{}:{k}", f.n),
                at: f.due + Duration::milliseconds(k * every_ms),
                what: IncidentReminder::FollowUp { n: f.n, due: f.due, nudge: k },
            }
        })
        .collect()
}

/// When the scheduler must look at an incident again after `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// At every tick: an open incident's reminders follow what people do.
    EveryTick,
    /// At this moment, when the next reminder can fall due.
    At(DateTime<Utc>),
    /// Never by time alone (nothing more can fall due).
    Never,
}

/// When a closed incident's next reminder can fall due: a follow-up
/// action becoming overdue or its next nudge (§4.4(1)), an APPI report's
/// "tomorrow" or deadline. The scheduler reads it again then, not at every
/// tick: a tick at ten years does not read 150 incidents with follow-ups
/// long overdue.
pub fn next_look(i: &Incident, every: Duration, unread_after: Duration, appi: Option<&AppiPolicy>, now: DateTime<Utc>) -> Look {
    if i.phase.is_open() {
        return Look::EveryTick;
    }
    let mut times = vec![];
    if let Some((prelim, fin)) = appi.and_then(|p| i.appi.deadlines(i.noticed.at, p)) {
        for (stage, due) in [(Stage::Preliminary, prelim), (Stage::Final, fin)] {
            if !i.appi.filed(stage) {
                times.extend([due - Duration::days(1), due].into_iter().filter(|t| *t > now));
            }
        }
    }
    let every_ms = every.num_milliseconds().max(1);
    for f in i.lessons.open_followups() {
        times.push(if f.due > now {
            f.due
        } else {
            let k = (now - f.due).num_milliseconds() / every_ms;
            f.due + Duration::milliseconds((k + 1) * every_ms)
        });
    }
    if let Some(at) = i.unread_due(unread_after) {
        times.push(at.max(now));
    }
    times.into_iter().min().map_or(Look::Never, Look::At)
}

/// Everything due for `i` at `now`. Keys are stable, so the scheduler sends
/// each once. Nudges repeat: only the latest is returned.
pub fn due(i: &Incident, policy: &DeadlinePolicy, appi: Option<&AppiPolicy>, activity: Activity, now: DateTime<Utc>) -> Vec<Due> {
    let mut out = appi_due(i, appi, now);
    if !i.phase.is_open() {
        return out;
    }
    out.extend(table_1(i, policy, now));
    if i.commander.is_none() {
        let at = i.reported_at + policy.no_commander_after;
        if at <= now {
            out.push(Due { key: "no-commander".into(), at, what: IncidentReminder::NoCommander });
        }
    }
    let stale_at = activity.last + policy.stale_after;
    if stale_at <= now {
        out.push(Due {
            key: format!("stale:{}", activity.last.timestamp_millis()),
            at: stale_at,
            what: IncidentReminder::Stale { since: activity.last },
        });
    }
    out.extend(status_due(i, policy, activity, now));
    out
}

/// Table 1 while recovery is not complete: each step of the time allowed
/// reached (the scheduler sends the newest one not yet sent and names the
/// others it covers, after downtime), or the nudges of a system that may
/// not stop.
fn table_1(i: &Incident, policy: &DeadlinePolicy, now: DateTime<Utc>) -> Vec<Due> {
    let mut out = vec![];
    if i.phase.recovery_complete() {
        return out;
    }
    match i.deadline {
        RecoveryDeadline::By(deadline) => {
            let start = i.noticed.at;
            let allowed = deadline - start;
            let mut steps: Vec<(u8, DateTime<Utc>)> = policy
                .fractions
                .iter()
                .map(|f| ((f * 100.0).round() as u8, start + Duration::milliseconds((allowed.num_milliseconds() as f64 * f) as i64)))
                .collect();
            steps.push((100, deadline));
            // Every step reached; the scheduler sends the newest one not yet
            // sent and names the others it covers (after downtime).
            for (percent, at) in steps.into_iter().filter(|(_, at)| *at <= now) {
                out.push(Due {
                    key: format!("deadline:{percent}"),
                    at,
                    what: IncidentReminder::Deadline { percent, deadline, missed: vec![] },
                });
            }
        }
        RecoveryDeadline::Immediate(since) => {
            let every = policy.no_downtime_nudge.num_milliseconds().max(1);
            let nudge = (now - since).num_milliseconds().max(0) / every;
            out.push(Due {
                key: format!("nodowntime:{nudge}"),
                at: since + Duration::milliseconds(nudge * every),
                what: IncidentReminder::NoDowntime { nudge },
            });
        }
        _ => {}
    }
    out
}

/// §4.3: a status entry is due at the cadence of the strictest priority
/// affected, counted from the last one (or from command taken).
fn status_due(i: &Incident, policy: &DeadlinePolicy, activity: Activity, now: DateTime<Utc>) -> Option<Due> {
    let since = i.commander_since.filter(|_| !i.phase.recovery_complete())?;
    let every = match i.priority()? {
        RecoveryPriority::NoDowntime => policy.status_every.priority_3,
        RecoveryPriority::OneDay => policy.status_every.priority_2,
        RecoveryPriority::ThreeDays => policy.status_every.priority_1,
        _ => return None,
    };
    let base = activity.last_status.map_or(since, |s| s.max(since));
    let n = (now - base).num_milliseconds() / every.num_milliseconds().max(1);
    (n >= 1).then(|| Due {
        key: format!("status:{}:{n}", base.timestamp_millis()),
        at: base + every * n as i32,
        what: IncidentReminder::StatusDue { every_minutes: every.num_minutes() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;
    use crate::domain::{Phase, UserId};
    use chrono::TimeZone;
    use std::str::FromStr;

    fn policy() -> DeadlinePolicy {
        crate::config::Settings::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml")))
            .unwrap()
            .schedules
            .policy
    }

    fn keys(d: &[Due]) -> Vec<String> {
        d.iter().map(|d| d.key.clone()).collect()
    }

    fn quiet(i: &Incident) -> Activity {
        Activity { last: i.reported_at, last_status: None }
    }

    /// A closed incident is read again when its next reminder can fall
    /// due, and only then; an open one at every tick; one owing nothing,
    /// never. Each time agrees with what `followups_due` and the APPI
    /// rules send at it.
    #[test]
    fn a_closed_incident_is_looked_at_again_when_its_next_reminder_can_fall_due() {
        use crate::domain::appi::AppiQuestion;
        use crate::domain::followup::{FollowUp, Source};
        let mut i = incident(true);
        let t0 = i.reported_at;
        let day = Duration::days(1);
        let every = Duration::days(7);
        assert_eq!(next_look(&i, every, every, None, t0), Look::EveryTick, "open");
        i.phase = Phase::Closed;
        assert_eq!(next_look(&i, every, every, None, t0), Look::Never, "nothing owed");
        let followup = |n: u32, due| FollowUp { n, what: "x".into(), owner: None, due, source: Source::Plan, added_at: t0, done: None };
        i.lessons.followups = vec![followup(1, t0 + day * 10), followup(2, t0 + day * 20)];
        assert_eq!(next_look(&i, every, every, None, t0), Look::At(t0 + day * 10), "when the first becomes overdue");
        // Overdue by 3 days: its next nudge, a week after the due date.
        let now = t0 + day * 13;
        assert_eq!(next_look(&i, every, every, None, now), Look::At(t0 + day * 17));
        assert!(followups_due(&i, every, t0 + day * 17 - Duration::milliseconds(1)).iter().all(|d| d.key == "followup:1:0"));
        assert!(keys(&followups_due(&i, every, t0 + day * 17)).contains(&"followup:1:1".to_string()));
        // Exactly at a nudge: the one after.
        assert_eq!(next_look(&i, every, every, None, t0 + day * 17), Look::At(t0 + day * 20));
        i.lessons.followups[0].done = Some(crate::domain::followup::Done { at: now, by: None });
        i.lessons.followups[1].done = Some(crate::domain::followup::Done { at: now, by: None });
        assert_eq!(next_look(&i, every, every, None, now), Look::Never, "all done");
        // §4.4(3): announced, the unread are reminded `after` it.
        i.lessons.announced_at = Some(now);
        assert_eq!(next_look(&i, every, day * 3, None, now), Look::At(now + day * 3));
        assert_eq!(next_look(&i, every, day * 3, None, now + day * 4), Look::At(now + day * 4), "due: at the next tick");
        i.lessons.unread_reminded = true;
        assert_eq!(next_look(&i, every, day * 3, None, now), Look::Never, "reminded once");
        // APPI: the day before each report is due, and the day itself.
        let p = AppiPolicy::default();
        i.appi.answers = vec![(AppiQuestion::Malicious, true)];
        let noticed = i.noticed.at;
        assert_eq!(next_look(&i, every, every, Some(&p), noticed), Look::At(noticed + day * 2));
        assert_eq!(next_look(&i, every, every, Some(&p), noticed + day * 2), Look::At(noticed + day * 3));
        i.appi.preliminary_filed = true;
        assert_eq!(next_look(&i, every, every, Some(&p), noticed + day * 2), Look::At(noticed + day * 59));
        assert_eq!(next_look(&i, every, every, Some(&p), noticed + day * 59), Look::At(noticed + day * 60));
        assert_eq!(next_look(&i, every, every, Some(&p), noticed + day * 60), Look::Never, "past the deadline: reminded once");
        assert_eq!(next_look(&i, every, every, None, noticed), Look::Never, "no APPI rules configured");
    }

    #[test]
    fn cron_fires_at_local_time_in_a_zone_without_dst() {
        let s = crate::config::parse_cron("0 10 1 */3 *").unwrap();
        let tz = chrono_tz::Asia::Tokyo;
        let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
        let f = firings(&s, tz, from, until);
        // 10:00 JST is 01:00 UTC, on Jan, Apr, Jul, Oct 1st.
        assert_eq!(f, [1, 4, 7, 10].map(|m| Utc.with_ymd_and_hms(2026, m, 1, 1, 0, 0).unwrap()).to_vec());
    }

    #[test]
    fn cron_keeps_local_time_across_daylight_saving() {
        let s = crate::config::parse_cron("0 9 * * *").unwrap();
        let tz = chrono_tz::Tz::from_str("Europe/London").unwrap();
        // 29 March 2026: clocks go forward at 01:00 UTC.
        let from = Utc.with_ymd_and_hms(2026, 3, 28, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 3, 30, 23, 0, 0).unwrap();
        let f = firings(&s, tz, from, until);
        assert_eq!(
            f,
            vec![
                Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap(), // GMT
                Utc.with_ymd_and_hms(2026, 3, 29, 8, 0, 0).unwrap(), // BST
                Utc.with_ymd_and_hms(2026, 3, 30, 8, 0, 0).unwrap(),
            ]
        );
    }

    #[test]
    fn deadline_steps_at_50_80_and_100_percent() {
        let i = incident(true); // priority 2: 24 h from 09:00 UTC
        let p = policy();
        let at = |h: i64| i.noticed.at + Duration::hours(h);
        assert!(keys(&due(&i, &p, None, quiet(&i), at(11))).iter().all(|k| !k.starts_with("deadline")));
        assert!(keys(&due(&i, &p, None, quiet(&i), at(12))).contains(&"deadline:50".to_string()));
        let d = due(&i, &p, None, quiet(&i), at(20));
        assert!(keys(&d).contains(&"deadline:50".to_string()) && keys(&d).contains(&"deadline:80".to_string()));
        let d = due(&i, &p, None, quiet(&i), at(25));
        let overdue = d.iter().find(|d| d.key == "deadline:100").unwrap();
        assert!(overdue.what.escalates());
        // The deadline crosses midnight: 09:00 + 24 h is the next day.
        assert_eq!(overdue.at.date_naive(), i.noticed.at.date_naive().succ_opt().unwrap());
    }

    #[test]
    fn recovery_complete_stops_deadline_reminders() {
        let mut i = incident(true);
        i.phase = Phase::Lessons;
        let d = due(&i, &policy(), None, quiet(&i), i.noticed.at + Duration::days(5));
        assert!(!keys(&d).iter().any(|k| k.starts_with("deadline")));
    }

    #[test]
    fn priority_3_pings_at_once_then_nudges_every_interval() {
        let mut i = incident(true);
        i.affected[0].priority = Some(RecoveryPriority::NoDowntime);
        i.deadline = RecoveryDeadline::Immediate(i.noticed.at);
        let p = policy();
        let first = due(&i, &p, None, quiet(&i), i.noticed.at);
        assert!(first.iter().any(|d| d.key == "nodowntime:0" && d.what.escalates()));
        let later = due(&i, &p, None, quiet(&i), i.noticed.at + Duration::minutes(95));
        assert!(keys(&later).contains(&"nodowntime:3".to_string()), "{later:?}");
    }

    #[test]
    fn a_missing_commander_and_a_stale_incident_are_nudged() {
        let i = incident(true);
        let p = policy();
        let d = due(&i, &p, None, quiet(&i), i.reported_at + Duration::minutes(29));
        assert!(!keys(&d).contains(&"no-commander".to_string()), "not before the 30 minutes");
        let d = due(&i, &p, None, quiet(&i), i.reported_at + Duration::minutes(31));
        assert!(keys(&d).contains(&"no-commander".to_string()));
        let d = due(&i, &p, None, quiet(&i), i.reported_at + Duration::hours(25));
        assert!(keys(&d).iter().any(|k| k.starts_with("stale:")));
        let busy = Activity { last: i.reported_at + Duration::hours(24), last_status: None };
        assert!(!keys(&due(&i, &p, None, busy, i.reported_at + Duration::hours(25))).iter().any(|k| k.starts_with("stale:")));
    }

    #[test]
    fn status_entries_are_asked_for_at_the_priority_cadence() {
        let mut i = incident(true); // priority 2: every 4 h
        i.commander = Some(UserId(1));
        i.commander_since = Some(i.reported_at);
        let p = policy();
        assert!(!keys(&due(&i, &p, None, quiet(&i), i.reported_at + Duration::hours(3))).iter().any(|k| k.starts_with("status")));
        let d = due(&i, &p, None, quiet(&i), i.reported_at + Duration::hours(4));
        assert!(d.iter().any(|d| d.what == IncidentReminder::StatusDue { every_minutes: 240 }));
        // Twice the cadence: the second step, due at its own time.
        let d = due(&i, &p, None, quiet(&i), i.reported_at + Duration::hours(9));
        let step = d.iter().find(|d| d.key.starts_with("status")).unwrap();
        assert_eq!((step.at, step.key.ends_with(":2")), (i.reported_at + Duration::hours(8), true));
        // A status entry resets the cadence.
        let posted = Activity { last: i.reported_at, last_status: Some(i.reported_at + Duration::hours(3)) };
        assert!(!keys(&due(&i, &p, None, posted, i.reported_at + Duration::hours(5))).iter().any(|k| k.starts_with("status")));
    }

    /// §4.3 status cadence by the strictest priority affected (Table 1).
    #[test]
    fn each_priority_asks_for_status_at_its_own_cadence() {
        let p = policy();
        for (priority, minutes) in [
            (RecoveryPriority::NoDowntime, p.status_every.priority_3),
            (RecoveryPriority::OneDay, p.status_every.priority_2),
            (RecoveryPriority::ThreeDays, p.status_every.priority_1),
        ] {
            let mut i = incident(true);
            i.affected[0].priority = Some(priority);
            i.commander = Some(UserId(1));
            i.commander_since = Some(i.reported_at);
            let d = due(&i, &p, None, quiet(&i), i.reported_at + minutes);
            let want = IncidentReminder::StatusDue { every_minutes: minutes.num_minutes() };
            assert!(d.iter().any(|d| d.what == want), "{priority:?}: {d:?}");
        }
    }
}
