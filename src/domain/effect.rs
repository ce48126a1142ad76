//! Side effects the domain decides on. They are written to the outbox in the
//! same transaction as the state change that caused them, and delivered by
//! the outbox worker, so a crash or a Discord error never loses one.
//!
//! Effects name *what* must happen, not the message text: the text is
//! rendered from the current state when the effect is delivered, so a card
//! refreshed late still shows the latest phase.

use super::access::Reader;
use super::ids::{IncidentId, PlaybookId, UserId};
use super::log_entry::LogKind;
use super::phase::Phase;
use super::reminder::IncidentReminder;
use serde::{Deserialize, Serialize};

/// Stored as JSON tagged by `type`; `kind()` is the same name (one source:
/// the variant's, in snake case, for serde and strum alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Effect {
    /// Open the private incident channel (§4.2 "one place").
    CreateChannel { incident: IncidentId },
    /// Post the incident card with its buttons in the incident channel; the
    /// same message pings the committee role (§4.2 "without delay"), so the
    /// ping points at the card and costs no extra request.
    PostCard { incident: IncidentId },
    /// Edit the card in place to show the current state.
    RefreshCard { incident: IncidentId },
    /// One line in the committee channel about one report. Queued by
    /// earlier versions; now a report is owed a line
    /// ([`Incident::notice_owed`](super::Incident)) and told by
    /// [`Effect::CommitteeNotices`]. Still delivered, as a line of its own.
    NoticeCommittee { incident: IncidentId },
    /// §4.2: the committee channel hears of every report owed a notice,
    /// one line each, in messages that gather reports arriving together
    /// (the latest edited in place while it has room): a storm of reports
    /// costs a few messages, not one each, and never delays a card.
    CommitteeNotices,
    /// Edit the reporter's ephemeral reply to carry the channel link, while
    /// its token lives (see [`token_alive`]); after that, tell them by DM.
    LinkReporter {
        incident: IncidentId,
        application_id: u64,
        token: String,
        /// When the interaction was received (items queued by earlier
        /// versions have none, and are edited as they were).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asked_at: Option<chrono::DateTime<chrono::Utc>>,
        /// Who reported (a report gathered into a wave links to another
        /// incident than its own); none: the incident's reporter.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reporter: Option<UserId>,
    },
    /// Post a §4.3 log entry in the incident channel.
    PostLogEntry { incident: IncidentId, entry_id: i64, kind: LogKind },
    /// Let a person see and write in the incident channel.
    GrantAccess { incident: IncidentId, user: UserId },
    /// Take a person's access away again.
    RevokeAccess { incident: IncidentId, user: UserId },
    /// Post a plain notice (phase change, appointment, …) in the channel.
    PostNotice { incident: IncidentId, notice: Notice },
    /// Move the channel to the archive, read-only, and attach the transcript.
    Archive { incident: IncidentId },
    /// Rewrite the committee's status board message.
    RefreshStatusBoard,
    /// A drill (§4.1(2)) or annual-review (§9) reminder to the committee.
    CronReminder { reminder: i64 },
    /// The same reminder, unacknowledged for too long.
    EscalateReminder { reminder: i64 },
    /// A deadline step or a nudge about one incident.
    Remind { incident: IncidentId, what: IncidentReminder },
    /// §4.2 (issue 26): a step of the chain in Discord (a DM to who is on
    /// duty, the role pinged again, a DM to every committee member), while
    /// the report waits for an acknowledgement; nothing once it came.
    Escalate { incident: IncidentId, step: super::escalation::Step },
    /// The chain's last step, outside Discord: the organisation's webhook
    /// and e-mail. Not held behind the incident's Discord deliveries (a
    /// hung receiver must not hold up its channel), nor they behind it.
    PageOutside { incident: IncidentId, road: super::escalation::Road },
    /// Issue 26 item 6: the organisation's other tools hear of the
    /// incident's life by a signed webhook (`[webhooks] events_url`; none
    /// set, nothing is sent). Not held behind Discord, nor it behind them.
    NotifyTools { incident: IncidentId, what: super::webhooks::ToolEvent },
    /// §4.1(2): the report of a finished drill.
    PostDrillReport { incident: IncidentId },
    /// §4.4(3): the prevention plan, to all members, with a read button.
    Announce { incident: IncidentId },
    /// Update the announcement's read count.
    RefreshAnnouncement { incident: IncidentId },
    /// §4.4(2): the board report draft, to the committee.
    BoardReport { incident: IncidentId },
    /// §5: the scheduled audit, run and posted at delivery.
    AuditReport { reminder: i64 },
    /// §6/§9: a request, to the committee with decision buttons.
    PostRequest { request: i64 },
    /// §6/§9: the decision, to the requester (and, for an accepted
    /// amendment, to all members).
    RequestDecided { request: i64 },
    /// §6: an approved exception has ended.
    RequestExpired { request: i64 },
    /// §9: the regulation's text changed: the new version, to all members.
    AnnounceRegulation,
    /// §4.1 周知: a playbook changed; the members its roles name are told.
    TellPlaybookRevised { playbook: super::ids::PlaybookId },
    /// §9: the yearly review's outcome, to all members.
    AnnounceReview { reminder: i64 },
    /// A confidential reporter hears of a status change by DM.
    TellReporter { incident: IncidentId },
    /// APPI Art. 26: the draft report to the PPC, to the committee.
    AppiDraft { incident: IncidentId },
    /// Rewrite the committee's triage post: the reports held by the flood
    /// guard, with Open channel / Merge into … / Dismiss.
    RefreshTriage,
    /// Ping the committee about held reports (at most once per
    /// `triage_ping_every`, decided when the report was stored).
    PingTriage,
    /// Tell the committee, in one message edited in place, which side
    /// effects were given up and how to act (`hikeshi outbox`).
    ReportDeadItems,
    /// Discord has refused so many of the bot's requests (401, 403, 429)
    /// that it slows down to stay clear of Discord's hour-long ban: the
    /// committee hears of it once.
    WarnRefusals { count: u32 },
    /// Issue 25: puts the incident channel's overwrites back to what the
    /// state gives (a hand edit let someone in, or the state now lets
    /// 情報システム部 in to write the plan, §4.4(1)).
    RestoreAccess { incident: IncidentId },
    /// Issue 25: tells the committee who reads an incident its state does
    /// not let them into, through what, and whether hikeshi undoes it.
    AccessDrift { incident: IncidentId, gained: Vec<Reader>, undone: bool },
    /// Issue 25: tells the committee an incident's channel was deleted by
    /// hand and a new one opened.
    ChannelLost { incident: IncidentId, channel: super::ids::ChannelId },
    /// Issue 25, APPI: deletes a redacted message from Discord.
    DeleteMessage { incident: IncidentId, channel: super::ids::ChannelId, message: super::ids::MessageId },
}

/// Discord's interaction tokens live 15 minutes.
pub const TOKEN_LIFE: chrono::Duration = chrono::Duration::minutes(15);

/// Whether a token received at `asked_at` may still be used at `now`: a
/// minute short of its life, so that a request in flight does not outlive
/// it. Unknown (an item from an earlier version): tried as before.
pub fn token_alive(asked_at: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> bool {
    asked_at.is_none_or(|t| now - t < TOKEN_LIFE - chrono::Duration::minutes(1))
}

/// Short announcements in an incident channel; rendered in the
/// organisation's language at delivery. `VARIANTS` lists their serialised
/// types (the canary story goes through every one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Notice {
    CommandTaken {
        commander: UserId,
    },
    CommanderAppointed {
        commander: UserId,
        by: UserId,
    },
    /// `skipped`: the unticked items of the phase `from`, by index.
    PhaseAdvanced {
        by: UserId,
        from: Phase,
        skipped: Vec<usize>,
    },
    ResponderAdded {
        user: UserId,
        by: UserId,
    },
    ResponderRemoved {
        user: UserId,
        by: UserId,
    },
    Dismissed {
        by: UserId,
        reason: String,
    },
    MarkedDuplicate {
        by: UserId,
        original: String,
    },
    DuplicateReporterJoined {
        user: UserId,
        duplicate: String,
    },
    /// A confidential report was merged here: nobody is named.
    ConfidentialReportMerged,
    /// What the channel's history held that the record lacked, found
    /// when the bot came back (§4.2 "collected in one place").
    RecoveredWhileOffline {
        new: usize,
        edited: usize,
        deleted: usize,
    },
    CommandHandedOver {
        from: UserId,
        to: UserId,
        by: UserId,
    },
    /// Information from the confidential reporter, without their name.
    ConfidentialInfo {
        text: String,
    },
    /// §4.1(3): an alert, with where it came from and its link.
    Alert {
        source: String,
        title: String,
        url: Option<String>,
        resolved: bool,
        repeated: bool,
    },
    /// §4.1(3): a big notification in one message (every alert is still
    /// in the record).
    Alerts(super::alert::Summary),
    /// A report gathered here was split out into its own incident.
    SplitOut {
        number: String,
    },
    /// The report was made confidential: nobody is named.
    MadeConfidential {
        by: UserId,
    },
    /// §4.2, §4.3: reclassified, with the reason.
    RoleAssigned {
        role: super::text::Text,
        member: UserId,
        by: UserId,
    },
    PlaybookChosen {
        by: UserId,
        playbook: PlaybookId,
        reason: String,
    },
    Reclassified {
        by: UserId,
        category: super::category::Category,
        kind: Option<super::category::SubKind>,
        new_playbook: bool,
        reason: String,
    },
    /// §4.4(1): the commander's draft waits for the committee's approval;
    /// `signoff` when it waits first for 情報システム部's sign-off (the
    /// role is pinged and given the button).
    PlanAwaitsApproval {
        revision: u32,
        #[serde(default)]
        signoff: bool,
    },
    /// §4.4(1): 情報システム部 signed off this revision.
    PlanSignedOff {
        by: UserId,
        revision: u32,
    },
    /// §4.4(1): approved; `revised` when it revises an announced plan.
    PlanApproved {
        by: UserId,
        revision: u32,
        revised: bool,
    },
    FollowUpAdded {
        n: u32,
        what: String,
        owner: Option<UserId>,
        due: chrono::DateTime<chrono::Utc>,
    },
    FollowUpDone {
        n: u32,
    },
    /// Issue 25: someone the state does not allow reads the channel.
    AccessGained {
        gained: Vec<Reader>,
        undone: bool,
    },
    /// Issue 25: this channel replaces `old`, deleted by hand.
    ChannelReplaced {
        old: super::ids::ChannelId,
    },
}

impl Effect {
    /// The effect's stable name (the serialised `type`), stored beside it
    /// for queries and logs.
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    /// Effects that may be merged while one is still pending: a second
    /// refresh of the same card adds nothing.
    pub fn coalesce_key(&self) -> Option<String> {
        match self {
            Effect::RefreshCard { incident } => Some(format!("refresh-card:{incident}")),
            Effect::RefreshStatusBoard => Some("status-board".to_string()),
            Effect::CommitteeNotices => Some("committee-notices".to_string()),
            Effect::RefreshTriage => Some("triage".to_string()),
            Effect::ReportDeadItems => Some("dead-items".to_string()),
            Effect::RefreshAnnouncement { incident } => Some(format!("refresh-announcement:{incident}")),
            _ => None,
        }
    }

    pub fn incident(&self) -> Option<IncidentId> {
        use Effect::*;
        match self {
            CreateChannel { incident }
            | PostCard { incident }
            | RefreshCard { incident }
            | NoticeCommittee { incident }
            | LinkReporter { incident, .. }
            | PostLogEntry { incident, .. }
            | GrantAccess { incident, .. }
            | RevokeAccess { incident, .. }
            | PostNotice { incident, .. }
            | Archive { incident }
            | Remind { incident, .. }
            | Escalate { incident, .. }
            | PostDrillReport { incident }
            | Announce { incident }
            | RefreshAnnouncement { incident }
            | BoardReport { incident }
            | TellReporter { incident }
            | AppiDraft { incident }
            | RestoreAccess { incident }
            | AccessDrift { incident, .. }
            | ChannelLost { incident, .. }
            | DeleteMessage { incident, .. } => Some(*incident),
            RefreshStatusBoard
            | CommitteeNotices
            | RefreshTriage
            | PingTriage
            | ReportDeadItems
            | WarnRefusals { .. }
            | CronReminder { .. }
            | EscalateReminder { .. }
            | PageOutside { .. }
            | NotifyTools { .. }
            | AuditReport { .. }
            | PostRequest { .. }
            | RequestDecided { .. }
            | RequestExpired { .. }
            | AnnounceReview { .. }
            | AnnounceRegulation
            | TellPlaybookRevised { .. } => None,
        }
    }
}

impl Effect {
    /// Kinds that wait while a burst's channels and cards are delivered
    /// (see the outbox's claim): what they show is a summary that one late
    /// delivery brings up to date for every report at once.
    pub const DEFER_TO_REPORTS: [&'static str; 2] = ["committee_notices", "refresh_status_board"];

    /// Kinds that change an incident channel's overwrites: while one waits,
    /// what the channel shows is on its way to the state (issue 25).
    pub const CHANGING_ACCESS: [&'static str; 5] = ["create_channel", "grant_access", "revoke_access", "archive", "restore_access"];

    /// Delivered outside Discord (the organisation's webhook and mail).
    pub fn leaves_discord(&self) -> bool {
        matches!(self, Effect::PageOutside { .. } | Effect::NotifyTools { .. })
    }

    /// Effects that happen in (or about) the incident's own channel.
    pub fn needs_channel(&self) -> bool {
        use Effect::*;
        matches!(
            self,
            CreateChannel { .. }
                | PostCard { .. }
                | NoticeCommittee { .. }
                | LinkReporter { .. }
                | PostLogEntry { .. }
                | GrantAccess { .. }
                | RevokeAccess { .. }
                | PostNotice { .. }
                | Remind { .. }
                | RestoreAccess { .. }
        )
    }
}

/// An effect waiting in the outbox, as the worker claimed it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub effect: Effect,
    /// Deliveries tried so far, this one included.
    pub attempts: i64,
}

/// One undelivered or dead item as an operator sees it (`hikeshi outbox
/// list`): the raw kind, since a row that cannot be read has no `Effect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub incident: Option<i64>,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    pub pending: i64,
    pub inflight: i64,
    pub done: i64,
    pub dead: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Putting overwrites back happens in the incident's channel; telling
    /// the committee and deleting a redacted message do not wait for it.
    #[test]
    fn what_needs_the_incidents_channel() {
        let id = IncidentId(1);
        assert!(Effect::RestoreAccess { incident: id }.needs_channel());
        assert!(Effect::GrantAccess { incident: id, user: UserId(2) }.needs_channel());
        assert!(!Effect::AccessDrift { incident: id, gained: vec![], undone: false }.needs_channel());
        let (channel, message) = (super::super::ids::ChannelId(3), super::super::ids::MessageId(4));
        assert!(!Effect::DeleteMessage { incident: id, channel, message }.needs_channel());
        assert!(!Effect::ChannelLost { incident: id, channel }.needs_channel());
    }

    #[test]
    fn the_kind_is_the_serialised_type() {
        let i = IncidentId(1);
        for e in [
            Effect::CreateChannel { incident: i },
            Effect::RefreshStatusBoard,
            Effect::CommitteeNotices,
            Effect::LinkReporter { incident: i, application_id: 1, token: "t".into(), asked_at: None, reporter: None },
            Effect::Remind { incident: i, what: IncidentReminder::NoCommander },
            Effect::AppiDraft { incident: i },
        ] {
            assert_eq!(serde_json::to_value(&e).unwrap()["type"], e.kind());
        }
        for kind in Effect::CHANGING_ACCESS {
            assert!(<Effect as strum::VariantNames>::VARIANTS.contains(&kind), "{kind} is a kind");
        }
        for kind in Effect::DEFER_TO_REPORTS {
            assert!([Effect::CommitteeNotices, Effect::RefreshStatusBoard].iter().any(|e| e.kind() == kind), "{kind} is a kind");
        }
    }

    /// A refresh still pending absorbs a new one; other effects are never
    /// merged (each post, grant and revoke must happen).
    #[test]
    fn only_refreshes_coalesce_and_incident_effects_name_their_incident() {
        let (i, j) = (IncidentId(1), IncidentId(2));
        assert_eq!(Effect::RefreshCard { incident: i }.coalesce_key(), Some("refresh-card:1".into()));
        assert_ne!(Effect::RefreshCard { incident: i }.coalesce_key(), Effect::RefreshCard { incident: j }.coalesce_key());
        assert_eq!(Effect::RefreshStatusBoard.coalesce_key(), Some("status-board".into()));
        // The notice gathers every report owed one when it is delivered.
        assert_eq!(Effect::CommitteeNotices.coalesce_key(), Some("committee-notices".into()));
        assert_eq!(Effect::CommitteeNotices.incident(), None);
        assert_eq!(Effect::RefreshAnnouncement { incident: i }.coalesce_key(), Some("refresh-announcement:1".into()));
        assert_eq!(Effect::PostCard { incident: i }.coalesce_key(), None);
        assert_eq!(Effect::GrantAccess { incident: i, user: UserId(3) }.coalesce_key(), None);
        assert_eq!(Effect::RevokeAccess { incident: j, user: UserId(3) }.incident(), Some(j));
        assert_eq!(Effect::Remind { incident: i, what: IncidentReminder::NoCommander }.incident(), Some(i));
        assert_eq!(Effect::RefreshStatusBoard.incident(), None);
        assert_eq!(Effect::PostRequest { request: 4 }.incident(), None);
    }

    #[test]
    fn a_token_is_used_until_a_minute_short_of_its_fifteen() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let after = |secs: i64| at + chrono::Duration::seconds(secs);
        assert!(token_alive(Some(at), at));
        assert!(token_alive(Some(at), after(14 * 60 - 1)));
        assert!(!token_alive(Some(at), after(14 * 60)), "a minute short of its life");
        assert!(!token_alive(Some(at), after(16 * 60)));
        assert!(token_alive(None, after(100 * 60)), "an item from an earlier version is tried as before");
        assert_eq!(TOKEN_LIFE, chrono::Duration::minutes(15));
    }

    /// The notices' names are the types serde writes (the canary story
    /// checks each was delivered by its name).
    #[test]
    fn every_notice_name_is_a_serialised_type() {
        use strum::VariantNames;
        assert_eq!(Notice::VARIANTS.len(), 26);
        assert_eq!(serde_json::to_value(Notice::ConfidentialReportMerged).unwrap()["type"], "confidential_report_merged");
        for kind in Notice::VARIANTS {
            match serde_json::from_value::<Notice>(serde_json::json!({ "type": kind })) {
                Ok(n) => assert_eq!(serde_json::to_value(n).unwrap()["type"], *kind),
                Err(e) => assert!(e.to_string().starts_with("missing field"), "{kind}: {e}"),
            }
        }
    }

    /// Every kind is a type serde reads (so the two tables are one): a
    /// unit effect reads back as itself, any other asks for its fields.
    #[test]
    fn every_kind_is_a_serialised_type() {
        use strum::VariantNames;
        assert_eq!(Effect::VARIANTS.len(), 39);
        for kind in Effect::VARIANTS {
            match serde_json::from_value::<Effect>(serde_json::json!({ "type": kind })) {
                Ok(e) => assert_eq!(e.kind(), *kind),
                Err(e) => assert!(e.to_string().starts_with("missing field"), "{kind}: {e}"),
            }
        }
    }
}
