//! Configuration: the organisation's file (`config/hikeshi.toml`), its
//! playbooks (`config/playbooks/*.toml`) and the deployment environment.
//! Everything is validated up front; every problem names its file and key.

pub mod env;
pub mod escalation;
mod file;
pub mod fonts;
mod intake;
mod playbooks;
mod policies;
mod problem;
mod validate;

pub use env::{DatabaseUrl, Env, Secret, MISSING_TOKEN};
pub use file::DiscordIds;
pub use problem::{ConfigError, Problem};
pub use validate::{parse_cron, CronSpec, DeadlinePolicy, Organisation, Schedules, StatusCadence};

use crate::domain::systems::Systems;
use crate::domain::Playbooks;
use std::path::{Path, PathBuf};

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub path: PathBuf,
    pub discord: DiscordIds,
    pub organisation: Organisation,
    pub systems: Systems,
    /// §4.1(4): the registry's version, approval and digest.
    pub registry: Registry,
    pub schedules: Schedules,
    pub playbooks: Playbooks,
    /// APPI Art. 26 deadlines, or `None` where the organisation turned it off.
    pub personal_data: Option<crate::domain::appi::AppiPolicy>,
    /// The flood guard: beyond it a report is stored and answered but held
    /// for the committee's triage instead of opening a channel.
    pub reports: crate::domain::report::ReportLimits,
    /// The largest file kept as evidence, in bytes (default 25 MiB).
    pub max_attachment_bytes: u64,
    pub followups: FollowupPolicy,
    /// §4.4(3): members who have not confirmed an announcement this long
    /// after it are reminded once (`[announcements] remind_after_days`).
    pub remind_unread_after: chrono::Duration,
    /// §4.1(3): `[[intake.rules]]`, in order.
    pub intake_rules: Vec<crate::domain::alert::Rule>,
    /// Who is on duty (`[oncall]`), if the committee keeps a rotation.
    pub oncall: Option<crate::domain::oncall::Rotation>,
    /// §4.2: how long a report may wait for an acknowledgement.
    pub escalation: crate::domain::escalation::EscalationPolicy,
    /// The chain's last step, outside Discord.
    pub outside: escalation::Outside,
    /// Issue 28: the web console's address (`[web]`), if it has one.
    pub web: Option<Web>,
}

/// Issue 28: where the web console is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Web {
    /// Without a trailing slash.
    pub public_url: String,
    /// Cookies carry `Secure` (everywhere but on this machine over http).
    pub secure: bool,
}

impl Web {
    /// Where Discord sends the member back after they authorise.
    pub fn redirect_uri(&self) -> String {
        format!("{}/signin/callback", self.public_url)
    }
}

/// §4.1 周知・徹底: the `[[systems]]` registry (Table 1's priorities) as
/// approved, and the digest of what it says (a change is recorded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    pub approval: Option<crate::domain::playbook::Approval>,
    pub digest: String,
}

/// §4.4(1), §4.4(4): follow-up actions of the lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowupPolicy {
    /// An overdue action is reminded this often until done.
    pub remind_every: chrono::Duration,
    /// An improvement note's playbook update is due this long after it.
    pub playbook_update: chrono::Duration,
}

/// Where the configuration is looked for when neither `--config` nor
/// `HIKESHI_CONFIG` names it.
pub const DEFAULT_PATH: &str = "config/hikeshi.toml";

impl Settings {
    /// Reads and validates the configuration file and its playbooks.
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError(vec![Problem::new(
                path,
                "(file)",
                format!("cannot read it: {e}"),
                format!("create it (copy {DEFAULT_PATH} from the repository) or point --config / HIKESHI_CONFIG at it"),
            )])
        })?;
        Self::parse(path, &text)
    }

    /// Validates configuration text; playbooks are read from the folder
    /// named in it, relative to `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
        validate::settings(path, text)
    }
}

#[cfg(test)]
mod tests;
