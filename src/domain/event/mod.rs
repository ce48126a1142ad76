//! Every change is an event: who did it, when, and what. Events are appended
//! to a hash-chained log (see `store::events`) so that an edited or deleted
//! record is detected by `hikeshi verify` (§4.4(4) "keep the records").

use super::ids::{ChannelId, IncidentId, IncidentNumber, MessageId, UserId};
use super::log_entry::LogKind;
use super::phase::Phase;
use serde::{Deserialize, Serialize};

mod chain;
pub mod vouch;

mod record;
pub use chain::{chain_hash, from_hex, to_hex, verify_chain, ChainBreak, ChainWalk};
pub use record::{digest, digest_bytes, Actor, EventRecord, GENESIS_HASH};

/// Stored as JSON tagged by `type`, beside its `kind()`: both the
/// variant's name in snake case (serde and strum alike), but for two kinds
/// first stored otherwise (they are in the hash chain, so they stay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventPayload {
    Reported {
        number: IncidentNumber,
        title: String,
    },
    CommandTaken {
        commander: UserId,
    },
    /// §4.2: a committee member said they have the report (確認しました).
    Acknowledged {
        by: UserId,
    },
    CommanderAppointed {
        commander: UserId,
    },
    PhaseAdvanced {
        from: Phase,
        to: Phase,
        skipped: Vec<usize>,
    },
    ChecklistTicked {
        phase: Phase,
        item: usize,
        done: bool,
    },
    LogEntryAdded {
        entry_id: i64,
        kind: LogKind,
        /// SHA-256 of the entry's text: `verify` checks the stored entry.
        #[serde(default)]
        digest: String,
    },
    ResponderAdded {
        user: UserId,
    },
    ResponderRemoved {
        user: UserId,
    },
    MarkedDuplicate {
        original: IncidentId,
    },
    /// A report closed as a duplicate of this incident joined it (its
    /// reporter is on the incident's state, not here).
    ReportMerged {
        duplicate: IncidentId,
        confidential: bool,
    },
    /// A file posted in the channel, kept as evidence; `digest` is its
    /// SHA-256 (`verify` checks the stored bytes against it).
    AttachmentKept {
        message: MessageId,
        attachment: u64,
        name: String,
        size: u64,
        digest: String,
    },
    /// A file that could not be kept (too large, download failed).
    AttachmentNotKept {
        message: MessageId,
        attachment: u64,
        name: String,
        size: u64,
        reason: String,
    },
    /// A thread of the incident channel joins its record (§4.2).
    ThreadOpened {
        thread: ChannelId,
        name: String,
    },
    ThreadRenamed {
        thread: ChannelId,
        name: String,
    },
    /// Someone deleted the thread; its messages stay in the record.
    ThreadDeleted {
        thread: ChannelId,
    },
    /// Past its reporter's flood guard: held for the committee's triage.
    HeldForTriage,
    /// The committee opened a held report's channel.
    Released,
    /// The committee named the incident for all members (§4.4(3)).
    PublicTitleSet {
        title: String,
    },
    /// Command changed hands (§4.1(1)).
    CommandHandedOver {
        from: UserId,
        to: UserId,
    },
    Dismissed {
        reason: String,
    },
    ChannelCreated {
        channel: ChannelId,
    },
    /// Issue 25: the incident's channel was deleted by hand (a new one
    /// follows, `channel_created`).
    ChannelLost {
        channel: ChannelId,
    },
    CardPosted {
        message: MessageId,
    },
    Archived {
        channel: ChannelId,
    },
    /// Issue 25: the readers the state does not allow changed (`before`,
    /// `after`); `undone` when hikeshi puts its overwrites back.
    AccessChanged {
        before: Vec<super::access::Reader>,
        after: Vec<super::access::Reader>,
        undone: bool,
    },
    TranscriptRecorded {
        message: MessageId,
        version: i64,
        digest: String,
    },
    TranscriptDeleted {
        message: MessageId,
    },
    /// Issue 25, APPI: the committee redacted a message posted by mistake:
    /// every version's text became the marker and its files' bytes left the
    /// database. The old text's digest per version, and each file's, stay
    /// here, so `verify` still proves what was recorded.
    Redacted {
        message: MessageId,
        versions: Vec<(i64, String)>,
        files: Vec<(u64, String)>,
        reason: String,
    },
    /// A scheduled reminder fired (`missed`: earlier firings it covers).
    ReminderFired {
        reminder: i64,
        kind: String,
        missed: i64,
    },
    ReminderAcknowledged {
        reminder: i64,
    },
    ReminderEscalated {
        reminder: i64,
    },
    /// §4.2 (issue 26): a step of the chain was taken for a report nobody
    /// of the committee had acknowledged (queued once).
    Escalated {
        step: super::escalation::Step,
    },
    /// What that step reached when it was delivered: the members DMed
    /// (`dm:ID`), the role, the webhook, the mailbox; and what it could not
    /// (`quiet:ID` for quiet hours, `closed:ID` for closed DMs, `webhook:…`,
    /// `mail:…`, `nobody on duty`). A drill's report lists both.
    EscalationDelivered {
        step: super::escalation::Step,
        reached: Vec<String>,
        missed: Vec<String>,
    },
    /// Issue 26: the committee changed who is on duty.
    DutyChanged {
        change: super::oncall::DutyChange,
    },
    /// A deadline step or nudge about the incident was queued.
    Reminded {
        key: String,
    },
    DrillStarted {
        playbook: String,
    },
    NoteAdded {
        playbook: Option<String>,
    },
    PlanRecorded,
    /// §4.2, §4.3: the category, kind and systems changed as the cause
    /// became clear (and with them the playbook and the deadline).
    Reclassified {
        category: super::category::Category,
        kind: Option<super::category::SubKind>,
        systems: Vec<String>,
        playbook: Option<String>,
        reason: String,
    },
    /// §4.2: a committee member took the report by phone or in person and
    /// filed it for the reporter (the actor), or for someone outside the
    /// server by name.
    ReportTaken {
        by: super::ids::UserId,
        via: super::proxy::Via,
        #[serde(default)]
        outsider: Option<String>,
    },
    /// §4.1(1) 始動の契機: the first 実行責任者 started the response; what
    /// started it, as the playbook says (in both languages).
    ResponseStarted {
        trigger: String,
        #[serde(default)]
        trigger_en: String,
    },
    /// §4.1(1) 終了の契機: on closing, whether the end trigger was met.
    EndTriggerAnswered {
        met: bool,
        trigger: String,
        #[serde(default)]
        trigger_en: String,
    },
    /// §4.1(4): the committee gave a system the registry lacks its
    /// recovery priority (0–3) for this incident.
    PriorityAssigned {
        system: String,
        priority: u8,
    },
    /// §4.1(4): a system went down, and (later) was restored.
    OutageStarted {
        system: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    SystemRestored {
        system: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// §4.1(1) 対応組織: a role of the playbook given to a member.
    RoleAssigned {
        role: String,
        member: super::ids::UserId,
    },
    /// §4.2: what the analysis found, as recorded (a revision replaces it).
    FindingsRecorded {
        damage: String,
        cause: String,
    },
    /// §4.2: the committee let containment start without findings.
    FindingsWaived {
        reason: String,
    },
    /// §4.2: the committee chose the playbook (none fitted the kind, or
    /// another fits better), with a reason.
    PlaybookChosen {
        playbook: String,
        reason: String,
    },
    /// §4.1(3): an alert from monitoring opened or joined this incident.
    AlertReceived {
        source: String,
        fingerprint: String,
        title: String,
        resolved: bool,
    },
    /// A report gathered into a wave became its own incident again
    /// (`from`: the other incident of the pair).
    SplitOut {
        from: IncidentId,
    },
    /// The committee made the report confidential after the fact.
    MadeConfidential,
    /// §4.3: the committee excused one of the three records.
    RecordWaived {
        kind: LogKind,
        reason: String,
    },
    /// §4.4(1): the committee approved this revision of the plan.
    PlanApproved {
        revision: u32,
    },
    /// §4.4(1): 情報システム部 signed off this revision of the plan.
    PlanSignedOff {
        revision: u32,
    },
    /// §4.4(2): the committee recorded that the board was told: the day
    /// it met and what it decided or instructed (both absent in records
    /// kept before they were asked).
    BoardTold {
        #[serde(default)]
        met_on: Option<chrono::NaiveDate>,
        #[serde(default)]
        decided: String,
    },
    /// §4.4: a follow-up action, with its owner and due date.
    #[strum(serialize = "followup_added")]
    FollowUpAdded {
        n: u32,
        what: String,
        owner: Option<UserId>,
        due: chrono::DateTime<chrono::Utc>,
    },
    /// Done: by its owner, the commander or the committee (the actor), or
    /// by hikeshi when the playbook it asked to update changed.
    #[strum(serialize = "followup_done")]
    FollowUpDone {
        n: u32,
    },
    BoardAnswered {
        question: super::lessons::BoardQuestion,
        yes: bool,
    },
    Waived {
        item: super::lessons::LessonItem,
        reason: String,
    },
    AnnouncementRead {
        user: UserId,
    },
    RequestMade {
        request: i64,
        kind: super::request::RequestKind,
    },
    RequestDecided {
        request: i64,
        approved: bool,
        reason: String,
    },
    /// §9: the regulation's text changed (its digest as loaded): which
    /// revision this is, its 承認日 and 施行日, the approved change
    /// requests it carried out, and the sections it changed (all absent
    /// in records kept before they were).
    RegulationRevised {
        digest: String,
        #[serde(default)]
        revision: u32,
        #[serde(default)]
        approved_on: Option<chrono::NaiveDate>,
        #[serde(default)]
        effective_on: Option<chrono::NaiveDate>,
        #[serde(default)]
        enacted: Vec<i64>,
        #[serde(default)]
        changed: Vec<String>,
    },
    /// §4.1 周知・徹底: a playbook's file changed: its version and the
    /// committee's approval as the file says (none where it does not).
    PlaybookRevised {
        playbook: String,
        digest: String,
        #[serde(default)]
        approval: Option<super::playbook::Approval>,
    },
    /// §4.1(4): the `[[systems]]` registry (Table 1's priorities) changed.
    RegistryRevised {
        digest: String,
        #[serde(default)]
        approval: Option<super::playbook::Approval>,
    },
    ReviewConcluded {
        reminder: i64,
    },
    InfoAdded,
    AppiAnswered {
        question: super::appi::AppiQuestion,
        yes: bool,
    },
    AppiFiled {
        stage: super::appi::Stage,
    },
}

impl EventPayload {
    /// The kind of a phase change, for the queries that time phases.
    pub const PHASE_ADVANCED: &'static str = "phase_advanced";
    /// The kinds that vouch for content stored beside the chain (a
    /// message's text, a kept file, a §4.3 entry): `verify` reads them
    /// with the rows they vouch for.
    /// A message's deletion vouches for its rows' deletion mark.
    /// A redaction vouches for the marker in its rows and the bytes gone.
    pub const VOUCHING: [&'static str; 5] = ["transcript_recorded", "attachment_kept", "log_entry_added", "transcript_deleted", "redacted"];

    /// A short stable name, stored beside the payload for queries.
    pub fn kind(&self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<EventRecord> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let payload = format!("{{\"n\":{seq}}}");
                let hash = chain_hash(&prev, seq, Some(1), "system", seq * 1000, "x", &payload);
                let e = EventRecord {
                    seq,
                    incident: Some(1),
                    actor: "system".into(),
                    at_ms: seq * 1000,
                    kind: "x".into(),
                    payload,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        assert_eq!(verify_chain(&c, head), Ok(5));
        assert_eq!(verify_chain(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn edits_deletions_and_truncation_are_found() {
        let c = chain(5);
        let head_hash = c[4].hash.clone();
        let head = (5, head_hash.as_str());

        let mut edited = c.clone();
        edited[2].payload = "{\"n\":99}".into();
        assert_eq!(verify_chain(&edited, head), Err(ChainBreak::Edited { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(verify_chain(&deleted, head), Err(ChainBreak::Gap { seq: 3, expected: 2 }));

        assert_eq!(verify_chain(&c[..3], head), Err(ChainBreak::Truncated { last: 3, head: 5 }));
        // The last link replaced (same number, another hash): the head knows.
        assert_eq!(verify_chain(&c, (5, GENESIS_HASH)), Err(ChainBreak::Truncated { last: 5, head: 5 }));
    }

    /// A walk from a checkpoint reads only what follows it, and finds the
    /// same breaks there.
    #[test]
    fn a_walk_from_a_checkpoint_checks_what_follows() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        let mut walk = ChainWalk::after(2, &c[1].hash);
        for e in &c[2..] {
            walk.step(e).unwrap();
        }
        assert_eq!(walk.finish(head), Ok(5));
        // A checkpoint that is not the chain's: the next event does not link.
        let mut walk = ChainWalk::after(2, &c[0].hash);
        assert_eq!(walk.step(&c[2]), Err(ChainBreak::Unlinked { seq: 3, prev: 2 }));
        let mut walk = ChainWalk::after(3, &c[1].hash);
        assert_eq!(walk.step(&c[2]), Err(ChainBreak::Gap { seq: 3, expected: 4 }));
        // Nothing new since the checkpoint at the head.
        assert_eq!(ChainWalk::after(5, &c[4].hash).finish(head), Ok(5));
    }

    /// The actor is part of what the hash covers: its written form is fixed.
    #[test]
    fn actors_are_written_as_stored() {
        assert_eq!(Actor::User(UserId(7)).to_string(), "user:7");
        assert_eq!(Actor::System.to_string(), "system");
    }

    #[test]
    fn field_boundaries_matter() {
        assert_ne!(chain_hash("a", 1, None, "ab", 0, "c", ""), chain_hash("a", 1, None, "a", 0, "bc", ""));
    }

    /// Every kind is the type serde reads, but the two first stored
    /// otherwise; a unit payload reads back as its kind.
    #[test]
    fn every_kind_is_a_serialised_type_but_two_kept_as_first_stored() {
        use strum::VariantNames;
        let first_stored_otherwise = [("followup_added", "follow_up_added"), ("followup_done", "follow_up_done")];
        assert_eq!(EventPayload::VARIANTS.len(), 71);
        assert!(EventPayload::VARIANTS.contains(&EventPayload::PHASE_ADVANCED), "the phases are timed by this kind");
        for kind in EventPayload::VOUCHING {
            assert!(EventPayload::VARIANTS.contains(&kind), "verify reads {kind}");
        }
        for kind in EventPayload::VARIANTS {
            let tag = first_stored_otherwise.iter().find(|(k, _)| k == kind).map_or(*kind, |(_, t)| *t);
            match serde_json::from_value::<EventPayload>(serde_json::json!({ "type": tag })) {
                Ok(p) => assert_eq!(p.kind(), *kind),
                Err(e) => assert!(e.to_string().starts_with("missing field"), "{kind}: {e}"),
            }
        }
        for (kind, _) in first_stored_otherwise {
            assert!(EventPayload::VARIANTS.contains(&kind), "{kind} is still stored as it first was");
            assert!(serde_json::from_value::<EventPayload>(serde_json::json!({ "type": kind })).is_err(), "{kind}");
        }
    }
}
