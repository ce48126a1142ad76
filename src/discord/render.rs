//! What every feature's messages share: who may be pinged (every message
//! sets `allowed_mentions` explicitly; only the committee ping allows a
//! role, only an addition allows the added user), and times that render in
//! each reader's own zone.

use crate::domain::{Incident, Lang, RecoveryDeadline, RoleId, UserId};
use crate::tr;
use chrono::{DateTime, Utc};
use serenity::all::CreateAllowedMentions;

/// No pings at all.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

pub fn role_mention_only(role: RoleId) -> CreateAllowedMentions {
    CreateAllowedMentions::new().roles(vec![serenity::all::RoleId::new(role.0)])
}

pub fn user_mention_only(user: UserId) -> CreateAllowedMentions {
    CreateAllowedMentions::new().users(vec![serenity::all::UserId::new(user.0)])
}

/// `<t:…:f>` renders in each reader's own time zone and language.
pub fn when(t: DateTime<Utc>) -> String {
    format!("<t:{}:f>", t.timestamp())
}

pub fn relative(t: DateTime<Utc>) -> String {
    format!("<t:{}:R>", t.timestamp())
}

/// The Table 1 deadline as the card and the status board show it.
pub fn deadline_text(i: &Incident, lang: Lang) -> String {
    if i.phase.recovery_complete() {
        return tr!(lang, "復旧済み", "recovered");
    }
    match i.deadline {
        RecoveryDeadline::Immediate(_) => {
            tr!(lang, "⚠ 復旧優先度3: 業務停止不可 — 直ちに復旧", "⚠ priority 3: business may not stop — restore now")
        }
        RecoveryDeadline::By(t) => format!("{} ({})", when(t), relative(t)),
        RecoveryDeadline::None => tr!(lang, "なし（復旧優先度0または不明）", "none (priority 0 or unknown)"),
    }
}

/// A time elapsed, in whole minutes, as a person says it: 12分, 1時間5分,
/// 2日3時間 / 12 min, 1 h 5 min, 2 d 3 h.
pub fn elapsed(d: chrono::Duration, lang: Lang) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, minutes) = (m / 1440, (m % 1440) / 60, m % 60);
    match (days, hours) {
        (0, 0) => tr!(lang, "{minutes}分", "{minutes} min"),
        (0, _) if minutes == 0 => tr!(lang, "{hours}時間", "{hours} h"),
        (0, _) => tr!(lang, "{hours}時間{minutes}分", "{hours} h {minutes} min"),
        _ if hours == 0 => tr!(lang, "{days}日", "{days} d"),
        _ => tr!(lang, "{days}日{hours}時間", "{days} d {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_time_elapsed_reads_in_whole_minutes_hours_and_days() {
        let ja = |m| elapsed(Duration::minutes(m), Lang::Ja);
        let en = |m| elapsed(Duration::minutes(m), Lang::En);
        assert_eq!((ja(0), ja(12), ja(60), ja(65)), ("0分".into(), "12分".into(), "1時間".into(), "1時間5分".into()));
        assert_eq!((ja(1440), ja(1440 + 180 + 7)), ("1日".into(), "1日3時間".into()));
        assert_eq!((en(59), en(125), en(2 * 1440 + 60)), ("59 min".into(), "2 h 5 min".into(), "2 d 1 h".into()));
        assert_eq!(elapsed(Duration::seconds(-30), Lang::En), "0 min", "never negative");
    }
}
