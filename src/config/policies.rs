//! The policies with numbers in them: APPI Art. 26 deadlines and the
//! flood guard on reports. Each value out of range is a problem naming the
//! file, the key and the fix.

use super::file::{PersonalDataFile, ReportsFile};
use super::problem::Problem;
use crate::domain::Lang;
use std::path::Path;

/// APPI Art. 26 deadlines; on by default for Japanese organisations.
pub(super) fn personal_data(
    problems: &mut Vec<Problem>,
    file: &Path,
    pd: &PersonalDataFile,
    lang: Lang,
) -> Option<crate::domain::appi::AppiPolicy> {
    if !pd.enabled.unwrap_or(lang == Lang::Ja) {
        return None;
    }
    let mut days = |key: &str, v: Option<i64>, default: i64| days(problems, file, &format!("personal_data.{key}"), v, default);
    Some(crate::domain::appi::AppiPolicy {
        preliminary: days("preliminary_days", pd.preliminary_days, 3),
        final_normal: days("final_days", pd.final_days, 30),
        final_malicious: days("final_days_malicious", pd.final_days_malicious, 60),
    })
}

/// The flood guard: how many channels one member's reports open an hour,
/// and how often the committee is pinged about held reports.
pub(super) fn reports(problems: &mut Vec<Problem>, file: &Path, r: &ReportsFile) -> crate::domain::report::ReportLimits {
    let per_hour = r.channels_per_member_per_hour.unwrap_or(3);
    if !(1..=1000).contains(&per_hour) {
        problems.push(Problem::new(
            file,
            "reports.channels_per_member_per_hour",
            format!("{per_hour} is not a usable limit"),
            "use a number from 1 to 1000 (the committee is never limited)",
        ));
    }
    let ping = r.triage_ping_minutes.unwrap_or(5);
    if !(1..=1440).contains(&ping) {
        problems.push(Problem::new(
            file,
            "reports.triage_ping_minutes",
            format!("{ping} minutes is not usable"),
            "use a number of minutes from 1 to 1440",
        ));
    }
    let wave = r.wave_minutes.unwrap_or(10);
    if !(0..=1440).contains(&wave) {
        problems.push(Problem::new(file, "reports.wave_minutes", format!("{wave} minutes is not usable"), "use 0 (off) to 1440 minutes"));
    }
    crate::domain::report::ReportLimits {
        channels_per_member_per_hour: per_hour.clamp(1, 1000) as usize,
        triage_ping_every: chrono::Duration::minutes(ping.clamp(1, 1440)),
        wave: (wave > 0).then(|| chrono::Duration::minutes(wave.clamp(1, 1440))),
    }
}

/// The largest file kept as evidence, in bytes.
pub(super) fn max_attachment_bytes(problems: &mut Vec<Problem>, file: &Path, e: &super::file::EvidenceFile) -> u64 {
    let mib = e.max_attachment_mib.unwrap_or(25);
    if !(1..=500).contains(&mib) {
        problems.push(Problem::new(
            file,
            "evidence.max_attachment_mib",
            format!("{mib} MiB is not a usable size"),
            "use a number of MiB from 1 to 500",
        ));
    }
    mib.clamp(1, 500) as u64 * 1024 * 1024
}

/// Follow-up actions: how often an overdue one is reminded, and how long
/// a playbook update may take.
pub(super) fn followups(problems: &mut Vec<Problem>, file: &Path, f: &super::file::FollowupsFile) -> super::FollowupPolicy {
    let mut days = |key: &str, v: Option<i64>, default: i64| days(problems, file, &format!("followups.{key}"), v, default);
    super::FollowupPolicy {
        remind_every: days("remind_every_days", f.remind_every_days, 7),
        playbook_update: days("playbook_update_days", f.playbook_update_days, 30),
    }
}

/// §4.4(3): how long members have to confirm an announcement before they
/// are reminded.
pub(super) fn announcements(problems: &mut Vec<Problem>, file: &Path, a: &super::file::AnnouncementsFile) -> chrono::Duration {
    days(problems, file, "announcements.remind_after_days", a.remind_after_days, 7)
}

/// A number of days from 1 to 365 (`default` when unset); out of range is a
/// problem naming the key.
fn days(problems: &mut Vec<Problem>, file: &Path, key: &str, v: Option<i64>, default: i64) -> chrono::Duration {
    let d = v.unwrap_or(default);
    if !(1..=365).contains(&d) {
        problems.push(Problem::new(file, key, format!("{d} days is not usable"), "use a number of days from 1 to 365"));
    }
    chrono::Duration::days(d.clamp(1, 365))
}

/// Issue 28: `[web] public_url`, where the console is reached: https, or
/// plain http on this machine only (cookies are `Secure` everywhere else).
pub(super) fn web(problems: &mut Vec<Problem>, file: &Path, w: &super::file::WebFile) -> Option<super::Web> {
    let url = w.public_url.as_deref()?.trim().trim_end_matches('/');
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with(':') || rest.starts_with('/')));
    let https = url.starts_with("https://") && url.len() > "https://".len();
    if !(https || local) {
        problems.push(Problem::new(
            file,
            "web.public_url",
            format!("`{url}` is neither an https:// address nor one on this machine"),
            "write the address members open, e.g. https://hikeshi.example.org (http:// only for localhost)",
        ));
        return None;
    }
    Some(super::Web { public_url: url.to_string(), secure: !local })
}
