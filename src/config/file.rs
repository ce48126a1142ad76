//! The shapes of the configuration files, exactly as written. Unknown keys
//! are refused (`deny_unknown_fields`) so a typo never silently disables a
//! setting.

use crate::domain::{ChannelId, RoleId, Text};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub discord: DiscordIds,
    pub organisation: OrganisationFile,
    #[serde(default)]
    pub systems: Vec<SystemFile>,
    pub schedules: SchedulesFile,
    #[serde(default)]
    pub playbooks: PlaybooksFile,
    #[serde(default)]
    pub personal_data: PersonalDataFile,
    #[serde(default)]
    pub reports: ReportsFile,
    #[serde(default)]
    pub evidence: EvidenceFile,
    #[serde(default)]
    pub followups: FollowupsFile,
    #[serde(default)]
    pub intake: IntakeFile,
    #[serde(default)]
    pub oncall: Option<OncallFile>,
    #[serde(default)]
    pub escalation: EscalationFile,
    #[serde(default)]
    pub webhooks: WebhooksFile,
    #[serde(default)]
    pub announcements: AnnouncementsFile,
    #[serde(default)]
    pub registry: RegistryFile,
    #[serde(default)]
    pub web: WebFile,
}

/// Issue 28: the web console (served where `HIKESHI_WEB_ADDR` says).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WebFile {
    /// The address members open, e.g. `https://hikeshi.example.org`;
    /// Discord sends them back to `{public_url}/signin/callback`.
    pub public_url: Option<String>,
}

/// §4.1(4) Table 1: the version of the `[[systems]]` registry and the day
/// the committee approved it (周知・徹底).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RegistryFile {
    pub version: Option<String>,
    pub approved_on: Option<String>,
}

/// §4.4(3): the announcement of a plan to all members.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementsFile {
    /// Default 7: members who have not confirmed an announcement this many
    /// days after it are reminded, once, by DM.
    pub remind_after_days: Option<i64>,
}

/// Issue 26 item 6: the organisation's other tools hear of incidents.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WebhooksFile {
    /// Signed JSON (HIKESHI_WEBHOOK_SECRET) for each incident event.
    pub events_url: Option<String>,
}

/// Who of the committee is on duty, a week each (issue 26).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OncallFile {
    /// Discord ids, in turn.
    pub rotation: Vec<u64>,
    /// The first hand-off, "YYYY-MM-DD HH:MM" in the organisation's zone.
    pub start: String,
    #[serde(default)]
    pub quiet_hours: Vec<QuietHoursFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursFile {
    pub member: u64,
    pub from: String,
    pub to: String,
}

/// The escalation chain until a report is acknowledged (issue 26).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EscalationFile {
    pub priority_3_minutes: Option<i64>,
    pub priority_2_minutes: Option<i64>,
    pub priority_1_minutes: Option<i64>,
    /// Default: none — priority 0 waits for the next business morning.
    pub priority_0_minutes: Option<i64>,
    pub business_morning: Option<String>,
    pub step_every_minutes: Option<i64>,
    pub webhook_url: Option<String>,
    pub webhook_format: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: Option<String>,
    /// A private CA's certificate (PEM) the mail server's is signed by,
    /// relative to this file.
    pub smtp_ca_file: Option<String>,
    pub mail_from: Option<String>,
    #[serde(default)]
    pub mail_to: Vec<String>,
}

/// §4.1(3): how alerts from monitoring are classified.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IntakeFile {
    #[serde(default)]
    pub rules: Vec<IntakeRuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeRuleFile {
    /// Every pair must be among the alert's labels.
    pub labels: std::collections::BTreeMap<String, String>,
    pub category: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub systems: Vec<String>,
}

/// Follow-up actions of the lessons (§4.4(1), §4.4(4)).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FollowupsFile {
    /// Default 7: an overdue action is reminded this often until done.
    pub remind_every_days: Option<i64>,
    /// Default 30: a playbook named in an improvement note is due for its
    /// update this many days later.
    pub playbook_update_days: Option<i64>,
}

/// Files posted in incident channels, kept as evidence.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    /// Default 25: a larger file is recorded as "not kept: too large".
    pub max_attachment_mib: Option<i64>,
}

/// How many channels one member's reports may open (a flood guard).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportsFile {
    /// Default 3. The committee is exempt.
    pub channels_per_member_per_hour: Option<i64>,
    /// Default 5: the committee is pinged about held reports at most this often.
    pub triage_ping_minutes: Option<i64>,
    /// Default 10: look-alike reports within this many minutes join the
    /// first one's incident; 0 turns it off.
    pub wave_minutes: Option<i64>,
}

/// APPI Art. 26 notifications (an aid, not legal advice).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonalDataFile {
    /// Default: on for Japanese organisations (`language = "ja"`).
    pub enabled: Option<bool>,
    pub preliminary_days: Option<i64>,
    pub final_days: Option<i64>,
    pub final_days_malicious: Option<i64>,
}

/// `[discord]`: where hikeshi works, the one shape of these six ids — read
/// from the file, checked, used, and written back by `hikeshi setup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordIds {
    #[serde(rename = "guild_id")]
    pub guild: u64,
    #[serde(rename = "committee_role_id")]
    pub committee_role: RoleId,
    #[serde(rename = "incident_category_id")]
    pub incident_category: ChannelId,
    #[serde(rename = "archive_category_id")]
    pub archive_category: ChannelId,
    #[serde(rename = "announcement_channel_id")]
    pub announcement_channel: ChannelId,
    #[serde(rename = "committee_channel_id")]
    pub committee_channel: ChannelId,
    /// §4.4(1) 情報システム部: the role that signs off each prevention plan
    /// before the committee approves it. Without it, plans wait for the
    /// committee alone (and the §5 audit says so).
    #[serde(rename = "it_department_role_id", default)]
    pub it_department_role: Option<RoleId>,
}

impl DiscordIds {
    /// Whether plans wait for 情報システム部 (§4.4(1)): a role is
    /// configured for it.
    pub fn it_department(&self) -> crate::domain::lessons::ItDepartment {
        match self.it_department_role {
            Some(_) => crate::domain::lessons::ItDepartment::Configured,
            None => crate::domain::lessons::ItDepartment::NotConfigured,
        }
    }

    /// `(key, value)` as the `[discord]` table holds them, in its order.
    pub fn entries(&self) -> [(&'static str, u64); 6] {
        [
            ("guild_id", self.guild),
            ("committee_role_id", self.committee_role.0),
            ("incident_category_id", self.incident_category.0),
            ("archive_category_id", self.archive_category.0),
            ("announcement_channel_id", self.announcement_channel.0),
            ("committee_channel_id", self.committee_channel.0),
        ]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationFile {
    pub name: String,
    #[serde(default = "default_tz")]
    pub time_zone: String,
    #[serde(default = "default_lang")]
    pub language: String,
    /// §8: the regulation's text, shown to members (paths relative to this file).
    #[serde(default)]
    pub regulation_ja: Option<String>,
    #[serde(default)]
    pub regulation_en: Option<String>,
    /// §9: the day the committee approved the regulation as it stands
    /// (承認日) and the day it takes effect (施行日), `YYYY-MM-DD`.
    #[serde(default)]
    pub regulation_approved: Option<String>,
    #[serde(default)]
    pub regulation_effective: Option<String>,
}

fn default_audit() -> String {
    "0 9 1 * *".into()
}

fn default_tz() -> String {
    "Asia/Tokyo".into()
}
fn default_lang() -> String {
    "ja".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub owner: String,
    pub recovery_priority: i64,
    /// Other names members may type for it in a report.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulesFile {
    pub drill: String,
    pub annual_review: String,
    /// §5: the scheduled audit post (default: 09:00 on the 1st of each month).
    #[serde(default = "default_audit")]
    pub audit: String,
    #[serde(default)]
    pub reminders: RemindersFile,
}

/// The reminder and escalation policy (Table 1 deadlines, stale incidents).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RemindersFile {
    pub deadline_fractions: Vec<f64>,
    pub no_downtime_nudge_minutes: i64,
    pub escalate_unacknowledged_after_days: i64,
    pub stale_after_hours: i64,
    pub no_commander_after_minutes: i64,
    pub status_every_minutes: StatusCadenceFile,
}

impl Default for RemindersFile {
    fn default() -> Self {
        RemindersFile {
            deadline_fractions: vec![0.5, 0.8],
            no_downtime_nudge_minutes: 30,
            escalate_unacknowledged_after_days: 3,
            stale_after_hours: 24,
            no_commander_after_minutes: 30,
            status_every_minutes: StatusCadenceFile::default(),
        }
    }
}

/// How often the commander is asked for a §4.3 status entry, per priority.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusCadenceFile {
    pub priority_3: i64,
    pub priority_2: i64,
    pub priority_1: i64,
}

impl Default for StatusCadenceFile {
    fn default() -> Self {
        StatusCadenceFile { priority_3: 60, priority_2: 240, priority_1: 1440 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaybooksFile {
    /// Folder of playbook files, relative to the configuration file.
    pub dir: String,
}

impl Default for PlaybooksFile {
    fn default() -> Self {
        PlaybooksFile { dir: "playbooks".into() }
    }
}

/// One playbook file (§4.1(1)).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaybookFile {
    pub id: String,
    pub title: Text,
    /// §4.1 周知・徹底: the version and the day the committee approved it.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub approved_on: Option<String>,
    /// `"breach"` or `"breach/malware"`.
    pub covers: Vec<String>,
    /// Systems from `[[systems]]` this playbook usually concerns.
    #[serde(default)]
    pub systems: Vec<String>,
    pub triggers: TriggersFile,
    #[serde(default)]
    pub roles: Vec<RoleFile>,
    #[serde(default)]
    pub contacts: Vec<ContactFile>,
    pub checklist: ChecklistFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggersFile {
    pub activation: Text,
    pub termination: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleFile {
    pub name: Text,
    pub responsibilities: Text,
    /// Discord user ids of the members this role names.
    #[serde(default)]
    pub members: Vec<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactFile {
    pub name: Text,
    /// `internal` or `external`.
    pub kind: String,
    pub how: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistFile {
    #[serde(default)]
    pub analysis: Vec<Text>,
    #[serde(default)]
    pub containment: Vec<Text>,
    #[serde(default)]
    pub eradication: Vec<Text>,
    #[serde(default)]
    pub recovery: Vec<Text>,
    #[serde(default)]
    pub lessons: Vec<Text>,
}
