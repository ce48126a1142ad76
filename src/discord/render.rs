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
            tr!(lang, "⚠ 優先度3: 業務停止不可 — 直ちに復旧", "⚠ priority 3: business may not stop — restore now")
        }
        RecoveryDeadline::By(t) => format!("{} ({})", when(t), relative(t)),
        RecoveryDeadline::None => tr!(lang, "なし（優先度0または不明）", "none (priority 0 or unknown)"),
    }
}
