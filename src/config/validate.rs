//! From the files as written to validated settings, collecting every
//! problem on the way.

use super::file::{ConfigFile, DiscordIds, RemindersFile};
use super::problem::{from_toml, ConfigError, Problem};
use super::Settings;
use crate::domain::systems::{System, Systems};
use crate::domain::{Lang, RecoveryPriority, SystemId};
use chrono::Duration;
use chrono_tz::Tz;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, Clone)]
pub struct Organisation {
    pub name: String,
    pub tz: Tz,
    pub lang: Lang,
    /// §8: the regulation's text files, by language.
    pub regulation_ja: Option<PathBuf>,
    pub regulation_en: Option<PathBuf>,
    /// SHA-256 of the regulation's texts as loaded (§9: a new version is
    /// announced to all members).
    pub regulation_digest: Option<String>,
    /// The text in the organisation's language (else the other): a
    /// revision's notice names the sections that changed (§9).
    pub regulation_text: Option<String>,
    /// §9: 承認日 and 施行日 of the version as it stands.
    pub regulation_approved: Option<chrono::NaiveDate>,
    pub regulation_effective: Option<chrono::NaiveDate>,
}

/// A cron schedule with the text it came from.
#[derive(Debug, Clone)]
pub struct CronSpec {
    pub text: String,
    pub schedule: cron::Schedule,
}

#[derive(Debug, Clone)]
pub struct Schedules {
    /// §4.1(2) drills.
    pub drill: CronSpec,
    /// §9 the yearly review of the regulation.
    pub annual_review: CronSpec,
    /// §5 the monthly audit post.
    pub audit: CronSpec,
    pub policy: DeadlinePolicy,
}

/// How a status entry is chased, per recovery priority (§4.3, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCadence {
    pub priority_3: Duration,
    pub priority_2: Duration,
    pub priority_1: Duration,
}

/// Reminders and escalations around Table 1 deadlines.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlinePolicy {
    /// Fractions of the allowed time at which the channel is reminded.
    pub fractions: Vec<f64>,
    pub no_downtime_nudge: Duration,
    pub escalate_unacknowledged_after: Duration,
    pub stale_after: Duration,
    pub no_commander_after: Duration,
    pub status_every: StatusCadence,
}

/// Accepts the usual five-field cron (`min hour dom month dow`) as well as
/// the `cron` crate's six or seven fields (with seconds, and year).
pub fn parse_cron(text: &str) -> Result<cron::Schedule, String> {
    let fields = text.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {text}"),
        6 | 7 => text.to_string(),
        n => return Err(format!("a cron expression has 5 fields (minute hour day month weekday); this one has {n}")),
    };
    cron::Schedule::from_str(&full).map_err(|e| e.to_string())
}

pub(super) struct Collector<'a> {
    pub(super) file: &'a Path,
    pub(super) problems: Vec<Problem>,
}

impl Collector<'_> {
    pub(super) fn add(&mut self, key: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) {
        self.problems.push(Problem::new(self.file, key, what, fix));
    }
}

pub fn settings(path: &Path, text: &str) -> Result<Settings, ConfigError> {
    let raw: ConfigFile = toml::from_str(text).map_err(|e| ConfigError(vec![from_toml(path, &e)]))?;
    let mut c = Collector { file: path, problems: vec![] };
    let discord = discord(&mut c, &raw);
    let organisation = organisation(&mut c, &raw, path);
    let systems = systems(&mut c, &raw);
    let schedules = schedules(&mut c, &raw);

    let dir = path.parent().unwrap_or(Path::new(".")).join(&raw.playbooks.dir);
    let playbooks = super::playbooks::playbooks(&mut c.problems, &dir, &systems);

    let personal_data = super::policies::personal_data(&mut c.problems, path, &raw.personal_data, organisation.lang);
    let reports = super::policies::reports(&mut c.problems, path, &raw.reports);
    let max_attachment_bytes = super::policies::max_attachment_bytes(&mut c.problems, path, &raw.evidence);
    let followups = super::policies::followups(&mut c.problems, path, &raw.followups);
    let remind_unread_after = super::policies::announcements(&mut c.problems, path, &raw.announcements);
    let intake_rules = super::intake::rules(&mut c, &raw, &systems);
    let registry = super::Registry {
        approval: super::playbooks::approval(&mut c, raw.registry.version.as_deref(), raw.registry.approved_on.as_deref(), "registry."),
        digest: crate::domain::event::digest(&format!("{:?}", raw.systems)),
    };
    let tz = organisation.tz;
    let oncall = super::escalation::rotation(&mut c.problems, path, &raw.oncall, tz);
    let escalation = super::escalation::policy(&mut c.problems, path, &raw.escalation, tz);
    let outside = super::escalation::outside(&mut c.problems, path, &raw.escalation, &raw.webhooks);
    let web = super::policies::web(&mut c.problems, path, &raw.web);

    if !c.problems.is_empty() {
        return Err(ConfigError(c.problems));
    }
    Ok(Settings {
        path: path.to_path_buf(),
        discord,
        organisation,
        systems,
        registry,
        schedules,
        playbooks,
        personal_data,
        reports,
        max_attachment_bytes,
        followups,
        remind_unread_after,
        intake_rules,
        oncall,
        escalation,
        outside,
        web,
    })
}

/// `[discord]`: six ids, none 0, and two categories.
fn discord(c: &mut Collector, raw: &ConfigFile) -> DiscordIds {
    let d = raw.discord;
    for (key, v) in d.entries() {
        if v == 0 {
            c.add(format!("discord.{key}"), "is 0", "copy the id from Discord (Developer Mode → right-click → Copy ID)");
        }
    }
    if d.incident_category == d.archive_category && d.incident_category.0 != 0 {
        c.add(
            "discord.archive_category_id",
            "is the same category as incident_category_id",
            "create a separate archive category so closed incidents leave the active list",
        );
    }
    match d.it_department_role {
        Some(r) if r.0 == 0 => c.add("discord.it_department_role_id", "is 0", "copy the IT department's role id, or remove the line"),
        Some(r) if r == d.committee_role => c.add(
            "discord.it_department_role_id",
            "is the committee's role",
            "give 情報システム部 a role of its own: its sign-off is asked before the committee's approval (§4.4(1))",
        ),
        _ => {}
    }
    d
}

/// §9: 承認日 and 施行日, each a day, the second not before the first.
fn regulation_dates(c: &mut Collector, o: &super::file::OrganisationFile) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    let mut day = |key: &str, v: &Option<String>| {
        let parsed = v.as_ref().map(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d"));
        if let Some(Err(_)) = parsed {
            c.add(key, format!("`{}` is not a date", v.as_deref().unwrap_or_default()), "write it as YYYY-MM-DD, e.g. \"2027-01-01\"");
        }
        parsed.and_then(Result::ok)
    };
    let approved = day("organisation.regulation_approved", &o.regulation_approved);
    let effective = day("organisation.regulation_effective", &o.regulation_effective);
    if let (Some(a), Some(e)) = (approved, effective) {
        if e < a {
            c.add(
                "organisation.regulation_effective",
                format!("{e} is before the approval ({a})"),
                "a regulation takes effect on or after the day it is approved",
            );
        }
    }
    (approved, effective)
}

/// `[organisation]`: the name, the time zone, the language, and the
/// regulation's texts (their digest announces a revision, §9).
fn organisation(c: &mut Collector, raw: &ConfigFile, path: &Path) -> Organisation {
    let o = &raw.organisation;
    if o.name.trim().is_empty() {
        c.add("organisation.name", "is empty", "write the organisation's name");
    }
    let tz = Tz::from_str(&o.time_zone).unwrap_or_else(|_| {
        c.add(
            "organisation.time_zone",
            format!("`{}` is not a time zone", o.time_zone),
            "use an IANA name such as \"Asia/Tokyo\" or \"Europe/London\"",
        );
        Tz::Asia__Tokyo
    });
    let lang = Lang::from_str(&o.language).unwrap_or_else(|e| {
        c.add("organisation.language", e, "write \"ja\" or \"en\"");
        Lang::Ja
    });
    let base = path.parent().unwrap_or(Path::new("."));
    let mut regulation = |key: &str, v: &Option<String>| {
        let p = v.as_ref().map(|f| base.join(f));
        if let Some(p) = &p {
            if !p.is_file() {
                c.add(
                    key,
                    format!("{} does not exist", p.display()),
                    "point it at the regulation's text file, relative to this file, or remove the key",
                );
            }
        }
        p
    };
    let regulation_ja = regulation("organisation.regulation_ja", &o.regulation_ja);
    let regulation_en = regulation("organisation.regulation_en", &o.regulation_en);
    let texts: Vec<String> =
        [&regulation_ja, &regulation_en].into_iter().flatten().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let regulation_digest = (!texts.is_empty()).then(|| crate::domain::event::digest(&texts.join("\u{0}")));
    let (first, second) = if lang == Lang::Ja { (&regulation_ja, &regulation_en) } else { (&regulation_en, &regulation_ja) };
    let regulation_text = first.as_ref().or(second.as_ref()).and_then(|p| std::fs::read_to_string(p).ok());
    let (regulation_approved, regulation_effective) = regulation_dates(c, o);
    Organisation {
        name: o.name.clone(),
        tz,
        lang,
        regulation_ja,
        regulation_en,
        regulation_digest,
        regulation_text,
        regulation_approved,
        regulation_effective,
    }
}

fn systems(c: &mut Collector, raw: &ConfigFile) -> Systems {
    let mut seen = HashSet::new();
    let mut list = vec![];
    for (i, s) in raw.systems.iter().enumerate() {
        let key = |k: &str| format!("systems[{i}].{k}");
        if s.id.trim().is_empty() {
            c.add(key("id"), "is empty", "give every system a short unique id such as \"mail\"");
        } else if !seen.insert(s.id.to_lowercase()) {
            c.add(key("id"), format!("`{}` is used by more than one system", s.id), "make each system id unique");
        }
        if s.name.trim().is_empty() {
            c.add(key("name"), "is empty", "write the name members know the system by");
        }
        let priority = u8::try_from(s.recovery_priority).ok().and_then(|p| RecoveryPriority::try_from(p).ok());
        match priority {
            Some(priority) => list.push(System {
                id: SystemId(s.id.clone()),
                name: s.name.clone(),
                owner: s.owner.clone(),
                priority,
                aliases: s.aliases.clone(),
            }),
            None => c.add(
                key("recovery_priority"),
                format!("{} is outside Table 1", s.recovery_priority),
                "use 3 (may not stop), 2 (24 hours), 1 (3 days) or 0 (may stop) — §4.1(4)",
            ),
        }
    }
    Systems::new(list)
}

fn schedules(c: &mut Collector, raw: &ConfigFile) -> Schedules {
    let mut cron = |key: &str, text: &str| {
        let schedule = parse_cron(text).unwrap_or_else(|e| {
            c.add(
                key,
                format!("`{text}` is not a valid cron expression: {e}"),
                "write minute hour day month weekday, e.g. \"0 10 1 */3 *\" for 10:00 on the 1st of every third month",
            );
            // A valid placeholder so validation can go on; never used, the
            // configuration is refused.
            cron::Schedule::from_str("0 0 0 1 1 *").expect("literal cron expression")
        });
        CronSpec { text: text.to_string(), schedule }
    };
    let drill = cron("schedules.drill", &raw.schedules.drill);
    let annual_review = cron("schedules.annual_review", &raw.schedules.annual_review);
    let audit = cron("schedules.audit", &raw.schedules.audit);
    let policy = policy(c, &raw.schedules.reminders);
    Schedules { drill, annual_review, audit, policy }
}

fn policy(c: &mut Collector, r: &RemindersFile) -> DeadlinePolicy {
    let mut fractions = r.deadline_fractions.clone();
    if fractions.iter().any(|f| !(*f > 0.0 && *f < 1.0)) {
        c.add(
            "schedules.reminders.deadline_fractions",
            format!("{:?} has a value outside (0, 1)", r.deadline_fractions),
            "use fractions of the allowed time such as [0.5, 0.8]; the deadline itself is always escalated",
        );
    }
    fractions.sort_by(f64::total_cmp);
    fractions.dedup();
    let mut positive = |key: &str, v: i64, unit: fn(i64) -> Duration| {
        if v <= 0 {
            c.add(format!("schedules.reminders.{key}"), format!("{v} is not positive"), "use a number greater than 0");
        }
        unit(v.max(1))
    };
    DeadlinePolicy {
        fractions,
        no_downtime_nudge: positive("no_downtime_nudge_minutes", r.no_downtime_nudge_minutes, Duration::minutes),
        escalate_unacknowledged_after: positive("escalate_unacknowledged_after_days", r.escalate_unacknowledged_after_days, Duration::days),
        stale_after: positive("stale_after_hours", r.stale_after_hours, Duration::hours),
        no_commander_after: positive("no_commander_after_minutes", r.no_commander_after_minutes, Duration::minutes),
        status_every: StatusCadence {
            priority_3: positive("status_every_minutes.priority_3", r.status_every_minutes.priority_3, Duration::minutes),
            priority_2: positive("status_every_minutes.priority_2", r.status_every_minutes.priority_2, Duration::minutes),
            priority_1: positive("status_every_minutes.priority_1", r.status_every_minutes.priority_1, Duration::minutes),
        },
    }
}
