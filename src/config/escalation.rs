//! `[oncall]` and `[escalation]` (issue 26): who is on duty, their quiet
//! hours, how long each priority may wait for an acknowledgement, and
//! where the chain goes outside Discord. Every problem names the key and
//! the fix; secrets come from the environment, never from here.

use super::file::{EscalationFile, OncallFile, WebhooksFile};
use super::problem::Problem;
use crate::domain::escalation::{AckWithin, EscalationPolicy};
use crate::domain::oncall::{QuietHours, Rotation};
use crate::domain::UserId;
use chrono::{Duration, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use std::path::Path;

/// Where the last step goes: the organisation's webhook and mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outside {
    pub webhook: Option<Webhook>,
    pub mail: Option<Mail>,
    /// `[webhooks] events_url`: where incident events go, signed.
    pub events_url: Option<String>,
}

/// How the webhook's body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// JSON, signed with HMAC-SHA256 (`X-Hikeshi-Signature`).
    Signed,
    /// A plain-text body with a title header, as ntfy takes it.
    Ntfy,
    /// `{"text": …}`, as Slack's and Mattermost's incoming webhooks take it.
    Slack,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub format: WebhookFormat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub host: String,
    pub port: u16,
    /// STARTTLS (the default); `false` only for a relay on this machine.
    pub starttls: bool,
    /// A private CA to trust besides the public ones (PEM, read at start).
    pub ca: Option<Vec<u8>>,
    pub from: String,
    pub to: Vec<String>,
}

fn time(problems: &mut Vec<Problem>, file: &Path, key: &str, text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap_or_else(|_| {
        problems.push(Problem::new(file, key, format!("`{text}` is not a time"), "write a local time as HH:MM, e.g. \"22:00\""));
        NaiveTime::MIN
    })
}

/// `[oncall]`: the rotation, its first hand-off, quiet hours.
pub(super) fn rotation(problems: &mut Vec<Problem>, file: &Path, o: &Option<OncallFile>, tz: Tz) -> Option<Rotation> {
    let o = o.as_ref()?;
    let members: Vec<UserId> = o.rotation.iter().map(|m| UserId(*m)).collect();
    if members.is_empty() {
        problems.push(Problem::new(file, "oncall.rotation", "is empty", "list the committee members on duty in turn (Discord ids)"));
    }
    for (k, m) in members.iter().enumerate() {
        if m.0 == 0 || members[..k].contains(m) {
            problems.push(Problem::new(
                file,
                "oncall.rotation",
                format!("{m} is 0 or listed twice"),
                "list each member once (Developer Mode → right-click → Copy User ID)",
            ));
        }
    }
    let start = NaiveDateTime::parse_from_str(&o.start, "%Y-%m-%d %H:%M").unwrap_or_else(|_| {
        problems.push(Problem::new(
            file,
            "oncall.start",
            format!("`{}` is not a date and time", o.start),
            "write the first hand-off as \"YYYY-MM-DD HH:MM\" in organisation.time_zone, e.g. \"2026-01-05 09:00\"",
        ));
        NaiveDateTime::MIN
    });
    let mut quiet = vec![];
    for (k, q) in o.quiet_hours.iter().enumerate() {
        let key = format!("oncall.quiet_hours[{k}]");
        let (from, to) = (time(problems, file, &format!("{key}.from"), &q.from), time(problems, file, &format!("{key}.to"), &q.to));
        let member = UserId(q.member);
        if !members.contains(&member) {
            problems.push(Problem::new(
                file,
                format!("{key}.member"),
                format!("{member} is not in oncall.rotation"),
                "name a member of the rotation",
            ));
        }
        if from == to {
            problems.push(Problem::new(file, &key, "begins when it ends", "give different times, e.g. from = \"22:00\", to = \"07:00\""));
        }
        let hours = QuietHours { member, from, to };
        if quiet.iter().any(|other: &QuietHours| other.member == member && overlap(other, &hours)) {
            problems.push(Problem::new(file, &key, format!("overlaps another entry for {member}"), "make it one entry"));
        }
        quiet.push(hours);
    }
    let rotation = Rotation { members, start, tz, quiet };
    if let Some((from, to)) = hole(&rotation) {
        let (from, to) = (from.format("%H:%M"), to.format("%H:%M"));
        problems.push(Problem::new(
            file,
            "oncall.quiet_hours",
            format!("from {from} to {to} every member of the rotation is in their quiet hours: nobody on duty could be told"),
            "shorten someone's quiet hours so that one member can always be reached",
        ));
    }
    Some(rotation)
}

/// Whether two entries share a minute of the day.
fn overlap(a: &QuietHours, b: &QuietHours) -> bool {
    minutes().any(|t| a.covers(t) && b.covers(t))
}

fn minutes() -> impl Iterator<Item = NaiveTime> {
    (0..24 * 60).filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
}

/// A stretch of the day when every member is quiet: where it begins and
/// where it ends (minutes of the day).
fn hole(r: &Rotation) -> Option<(NaiveTime, NaiveTime)> {
    if r.members.is_empty() {
        return None;
    }
    let all: Vec<NaiveTime> = minutes().collect();
    let quiet = |k: usize| {
        let t = all[k % all.len()];
        r.members.iter().all(|m| r.quiet.iter().any(|q| q.member == *m && q.covers(t)))
    };
    let n = all.len();
    let start = (0..n).find(|k| quiet(*k) && !quiet(k + n - 1)).or_else(|| quiet(0).then_some(0))?;
    let end = (start..start + n).find(|k| !quiet(*k)).unwrap_or(start);
    Some((all[start], all[end % n]))
}

/// `[escalation]`: the deadlines by priority and the steps' pace.
pub(super) fn policy(problems: &mut Vec<Problem>, file: &Path, e: &EscalationFile, tz: Tz) -> EscalationPolicy {
    let mut p = EscalationPolicy::defaults(tz);
    let mut minutes = |key: &str, v: Option<i64>| {
        v.map(|m| {
            if !(1..=7 * 1440).contains(&m) {
                problems.push(Problem::new(
                    file,
                    format!("escalation.{key}"),
                    format!("{m} minutes is not usable"),
                    "use 1 to 10080 minutes",
                ));
            }
            Duration::minutes(m.clamp(1, 7 * 1440))
        })
    };
    for (level, key, v) in [
        (3, "priority_3_minutes", e.priority_3_minutes),
        (2, "priority_2_minutes", e.priority_2_minutes),
        (1, "priority_1_minutes", e.priority_1_minutes),
        (0, "priority_0_minutes", e.priority_0_minutes),
    ] {
        if let Some(d) = minutes(key, v) {
            p.within[level] = AckWithin::After(d);
        }
    }
    if let Some(d) = minutes("step_every_minutes", e.step_every_minutes) {
        p.step_every = d;
    }
    if let Some(t) = &e.business_morning {
        p.business_morning = time(problems, file, "escalation.business_morning", t);
    }
    p
}

/// Where the last step goes. A URL or address that cannot work is a
/// problem now, not a failure at three in the morning.
pub(super) fn outside(problems: &mut Vec<Problem>, file: &Path, e: &EscalationFile, w: &WebhooksFile) -> Outside {
    let webhook = e.webhook_url.as_ref().map(|url| webhook(problems, file, url, e.webhook_format.as_deref()));
    let mail = e.smtp_host.as_ref().map(|host| mail(problems, file, host, e));
    let events_url = w.events_url.clone();
    if let Some(url) = events_url.as_ref().filter(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
        problems.push(Problem::new(file, "webhooks.events_url", format!("`{url}` is not an http(s) URL"), "write the receiver's full URL"));
    }
    Outside { webhook, mail, events_url }
}

fn webhook(problems: &mut Vec<Problem>, file: &Path, url: &str, format: Option<&str>) -> Webhook {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        problems.push(Problem::new(
            file,
            "escalation.webhook_url",
            format!("`{url}` is not an http(s) URL"),
            "write the receiver's full URL",
        ));
    }
    let format = match format.unwrap_or("signed") {
        "signed" => WebhookFormat::Signed,
        "ntfy" => WebhookFormat::Ntfy,
        "slack" => WebhookFormat::Slack,
        other => {
            problems.push(Problem::new(
                file,
                "escalation.webhook_format",
                format!("`{other}` is not a format"),
                "write \"signed\", \"ntfy\" or \"slack\"",
            ));
            WebhookFormat::Signed
        }
    };
    Webhook { url: url.to_string(), format }
}

fn mail(problems: &mut Vec<Problem>, file: &Path, host: &str, e: &EscalationFile) -> Mail {
    if e.mail_to.is_empty() || e.mail_to.iter().chain(&e.mail_from).any(|a| !a.contains('@')) {
        problems.push(Problem::new(
            file,
            "escalation.mail_to",
            "needs mail_from and at least one mail_to address",
            "write e-mail addresses such as \"security@example.org\"",
        ));
    }
    let starttls = match e.smtp_tls.as_deref().unwrap_or("starttls") {
        "starttls" => true,
        "none" => false,
        other => {
            problems.push(Problem::new(
                file,
                "escalation.smtp_tls",
                format!("`{other}` is not a mode"),
                "write \"starttls\" (or \"none\" for a relay on this machine)",
            ));
            true
        }
    };
    let ca = e.smtp_ca_file.as_ref().and_then(|f| {
        let path = file.parent().unwrap_or(Path::new(".")).join(f);
        let read = std::fs::read(&path);
        if let Err(err) = &read {
            problems.push(Problem::new(
                file,
                "escalation.smtp_ca_file",
                format!("{} cannot be read: {err}", path.display()),
                "point it at the CA certificate (PEM), relative to this file, or remove the key",
            ));
        }
        read.ok()
    });
    let (from, to) = (e.mail_from.clone().unwrap_or_default(), e.mail_to.clone());
    Mail { host: host.to_string(), port: e.smtp_port.unwrap_or(587), starttls, ca, from, to }
}
