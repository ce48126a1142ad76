//! Working an incident: command, phases, checklist, records, people.

use super::{core::Core, Caller, InputError, Missing, ServiceError};
use crate::domain::event::EventRecord;
use crate::domain::incident::{Classification, IncidentError};
use crate::domain::log_entry::LogEntry;
use crate::domain::{
    Action, Actor, ChannelId, Incident, IncidentId, IncidentNumber, LogKind, MessageId, Playbook, PlaybookId, Role, UserId,
};
use crate::domain::{Category, SubKind};

/// Where the status board is posted, so they are
/// edited in place (keys kept as the first version wrote them).
const STATUS_BOARD: &str = "status_board_message";

#[derive(Clone)]
pub struct Incidents {
    core: Core,
}

impl Incidents {
    pub(super) fn new(core: Core) -> Self {
        Incidents { core }
    }

    pub async fn get(&self, id: IncidentId) -> Result<Incident, ServiceError> {
        self.core.incident(id).await
    }

    /// The incident whose channel (or archived channel) this is.
    pub async fn in_channel(&self, channel: ChannelId) -> Result<Incident, ServiceError> {
        self.core.incident_in_channel(channel).await
    }

    /// May `caller` do `action` to incident `id` now? The incident, if so.
    /// Asked before a form opens, so nobody types a long entry only to be
    /// refused; the submission is checked again.
    pub async fn may(&self, id: IncidentId, caller: Caller, action: Action) -> Result<Incident, ServiceError> {
        self.core.may(id, caller, action).await
    }

    pub async fn take_command(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.core
            .act(id, caller, |i, pb, now| {
                let first = i.commander_since.is_none();
                let out = i.take_command(caller.user, &caller.roles(i), now)?;
                Ok(i.started(out, pb, first))
            })
            .await
    }

    /// §4.1(1) 終了の契機: closes the incident, saying whether the
    /// playbook's end trigger was met.
    pub async fn close(&self, id: IncidentId, caller: Caller, met: bool) -> Result<Incident, ServiceError> {
        let logged = self.core.store.logged_kinds(id).await?;
        self.core.act(id, caller, |i, pb, now| i.close_with_trigger(caller.user, &caller.roles(i), pb, met, &logged, now)).await
    }

    /// §4.2 確認しました: a committee member has the report; the
    /// escalation chain stops.
    pub async fn acknowledge(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, now| i.acknowledge(caller.user, &caller.roles(i), now)).await
    }

    pub async fn appoint(&self, id: IncidentId, caller: Caller, commander: UserId) -> Result<Incident, ServiceError> {
        self.core
            .act(id, caller, |i, pb, now| {
                let first = i.commander_since.is_none();
                let out = i.appoint(caller.user, &caller.roles(i), commander, now)?;
                Ok(i.started(out, pb, first))
            })
            .await
    }

    pub async fn advance(&self, id: IncidentId, caller: Caller, confirm: bool) -> Result<Incident, ServiceError> {
        // Entries are never deleted: read before the transaction, the kinds
        // can only have grown by the time it runs.
        let logged = self.core.store.logged_kinds(id).await?;
        self.core.act(id, caller, |i, pb, now| i.advance(caller.user, &caller.roles(i), pb, confirm, &logged, now)).await
    }

    /// §4.2, §4.3: reclassified as the cause becomes clear; `systems` as
    /// typed (`None` keeps them). The playbook that fits the new
    /// classification comes with it (a drill keeps its own).
    pub async fn reclassify(
        &self,
        id: IncidentId,
        caller: Caller,
        category: Category,
        kind: Option<SubKind>,
        systems: Option<&str>,
        reason: &str,
    ) -> Result<Incident, ServiceError> {
        let settings = &self.core.settings;
        self.core
            .act(id, caller, |i, _, _| {
                let affected = match systems {
                    Some(typed) => crate::domain::report::system_names(typed).iter().map(|n| settings.systems.resolve(n)).collect(),
                    None => i.affected.clone(),
                };
                let named: Vec<_> = affected.iter().filter_map(|a: &crate::domain::AffectedSystem| a.system.clone()).collect();
                let playbook = if i.is_drill() {
                    i.playbook.clone()
                } else {
                    settings.playbooks.suggest(category, kind, &named).map(|p| p.id.clone())
                };
                i.reclassify(caller.user, &caller.roles(i), Classification { category, kind, affected }, playbook, reason)
            })
            .await
    }

    /// §4.2: the committee chooses the playbook (one of the configured).
    pub async fn choose_playbook(
        &self,
        id: IncidentId,
        caller: Caller,
        playbook: &PlaybookId,
        reason: &str,
    ) -> Result<Incident, ServiceError> {
        let chosen = self.core.settings.playbooks.get(playbook).ok_or(InputError::NoPlaybookChosen)?.id.clone();
        self.core.act(id, caller, |i, _, _| i.choose_playbook(caller.user, &caller.roles(i), chosen, reason)).await
    }

    /// §4.1(1) 対応組織: one of the playbook's roles, typed by number or
    /// name, given to a member.
    pub async fn assign_role(&self, id: IncidentId, caller: Caller, role: &str, member: UserId) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, pb, _| i.assign_role(caller.user, &caller.roles(i), pb, role, member)).await
    }

    /// §4.1(4): the committee gives a system the registry lacks its
    /// recovery priority (0–3) for this incident.
    pub async fn assign_priority(&self, id: IncidentId, caller: Caller, system: &str, level: u8) -> Result<Incident, ServiceError> {
        let priority = crate::domain::RecoveryPriority::try_from(level).map_err(|_| InputError::InvalidControl)?;
        self.core.act(id, caller, |i, _, _| i.assign_priority(&caller.roles(i), system, priority)).await
    }

    /// §4.1(4) Table 1 per system: a system went down (`restored`: came
    /// back) at the time typed (as a report's discovery time is read; empty
    /// is now).
    pub async fn outage(
        &self,
        id: IncidentId,
        caller: Caller,
        system: &str,
        restored: bool,
        typed: &str,
    ) -> Result<Incident, ServiceError> {
        let tz = self.core.settings.organisation.tz;
        self.core
            .act(id, caller, |i, _, now| {
                let at = crate::domain::report::parse_noticed(typed, now, tz);
                if !at.understood {
                    return Err(IncidentError::TimeNotUnderstood(typed.trim().chars().take(40).collect()));
                }
                let roles = caller.roles(i);
                if restored {
                    i.system_restored(&roles, system, at.at)
                } else {
                    i.outage_started(&roles, system, at.at)
                }
            })
            .await
    }

    /// §4.2: what the analysis found.
    pub async fn record_findings(&self, id: IncidentId, caller: Caller, damage: &str, cause: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, now| i.record_findings(caller.user, &caller.roles(i), damage, cause, now)).await
    }

    /// §4.2: the committee lets containment start without findings.
    pub async fn waive_findings(&self, id: IncidentId, caller: Caller, reason: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.waive_findings(caller.user, &caller.roles(i), reason)).await
    }

    /// The committee makes a report confidential after the fact.
    pub async fn make_confidential(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.make_confidential(caller.user, &caller.roles(i))).await
    }

    /// §4.3: the committee excuses one of the three records, with a reason.
    pub async fn waive_record(&self, id: IncidentId, caller: Caller, kind: LogKind, reason: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.waive_record(caller.user, &caller.roles(i), kind, reason)).await
    }

    pub async fn tick(&self, id: IncidentId, caller: Caller, item: usize) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, pb, _| i.tick(&caller.roles(i), pb, item)).await
    }

    pub async fn add_responder(&self, id: IncidentId, caller: Caller, user: UserId) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.add_responder(caller.user, &caller.roles(i), user)).await
    }

    pub async fn remove_responder(&self, id: IncidentId, caller: Caller, user: UserId) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.remove_responder(caller.user, &caller.roles(i), user)).await
    }

    pub async fn dismiss(&self, id: IncidentId, caller: Caller, reason: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, now| i.dismiss(caller.user, &caller.roles(i), reason, now)).await
    }

    /// The incident a member typed the number of (`INC-2026-0007`).
    async fn numbered(&self, typed: &str) -> Result<IncidentId, ServiceError> {
        let number: IncidentNumber = typed.parse().map_err(|_| InputError::BadIncidentNumber(typed.trim().to_string()))?;
        let found = self.core.store.incident_by_number(number).await?;
        Ok(found.ok_or(ServiceError::NotFound(Missing::IncidentNumbered(number.to_string())))?.id)
    }

    /// Closes `id` as a duplicate of the incident numbered `original` and
    /// merges its reporter into that one: both incidents change in one
    /// transaction, each change recorded under its own incident.
    pub async fn mark_duplicate(&self, id: IncidentId, caller: Caller, original: &str) -> Result<Incident, ServiceError> {
        let original_id = self.numbered(original).await?;
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let mut incident = tx.incident(id).await?;
        let mut original = tx.incident(original_id).await?;
        let merge = incident.mark_duplicate(caller.user, &caller.roles(&incident), &mut original, now)?;
        tx.save_incident(&incident, now).await?;
        tx.record(Some(id), Actor::User(caller.user), now, &incident.deliverable(merge.duplicate)).await?;
        if incident.id != original.id {
            tx.save_incident(&original, now).await?;
            tx.record(Some(original.id), Actor::User(caller.user), now, &original.deliverable(merge.original)).await?;
        }
        tx.commit().await?;
        Ok(incident)
    }

    /// The committee splits a report gathered into the wave of the
    /// incident `id` out into an incident of its own.
    pub async fn split_out(&self, id: IncidentId, caller: Caller, report: &str) -> Result<Incident, ServiceError> {
        let split_id = self.numbered(report).await?;
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let mut original = tx.incident(id).await?;
        let mut split = tx.incident(split_id).await?;
        let merge = split.split_out(&caller.roles(&original), &mut original, now)?;
        tx.save_incident(&split, now).await?;
        tx.record(Some(split.id), Actor::User(caller.user), now, &merge.duplicate).await?;
        tx.save_incident(&original, now).await?;
        tx.record(Some(original.id), Actor::User(caller.user), now, &original.deliverable(merge.original)).await?;
        tx.commit().await?;
        Ok(split)
    }

    /// §4.4(3): the committee names the incident for all members.
    pub async fn set_public_title(&self, id: IncidentId, caller: Caller, title: &str) -> Result<Incident, ServiceError> {
        let (len, max) = (title.trim().chars().count(), crate::domain::incident::MAX_PUBLIC_TITLE);
        if len == 0 {
            return Err(InputError::RequiredFieldEmpty.into());
        }
        if len > max {
            return Err(InputError::EntryTooLong { len, max }.into());
        }
        self.core.act(id, caller, |i, _, _| i.set_public_title(&caller.roles(i), title)).await
    }

    /// §4.1(1): command changes hands (the commander or the committee).
    pub async fn hand_over(&self, id: IncidentId, caller: Caller, to: UserId) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, now| i.hand_over(caller.user, &caller.roles(i), to, now)).await
    }

    /// §4.4(4): a playbook-improvement note (for a drill, the procedure
    /// problems found, §4.1(2)).
    pub async fn add_note(&self, id: IncidentId, caller: Caller, went_well: &str, missing: &str) -> Result<Incident, ServiceError> {
        let update_within = self.core.settings.followups.playbook_update;
        self.core
            .act(id, caller, |i, pb, now| {
                let update = pb.map(|p| (p.digest.clone(), now + update_within));
                i.add_note(&caller.roles(i), went_well, missing, update, now)
            })
            .await
    }

    /// The confidential reporter adds information (posted without a name).
    pub async fn add_info(&self, id: IncidentId, caller: Caller, text: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.add_info(caller.user, text)).await
    }

    /// §4.3: stores one of the three records and posts it in the channel.
    pub async fn log(&self, id: IncidentId, caller: Caller, kind: LogKind, body: &str) -> Result<i64, ServiceError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(InputError::EmptyEntry.into());
        }
        let (len, max) = (body.chars().count(), crate::domain::log_entry::MAX_LOG_BODY);
        if len > max {
            return Err(InputError::EntryTooLong { len, max }.into());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let incident = tx.incident(id).await?;
        incident.may_log(&caller.roles(&incident))?;
        let entry = tx.insert_log_entry(id, kind, body, caller.user, now).await?;
        tx.record(Some(id), Actor::User(caller.user), now, &incident.logged(entry, kind, body)).await?;
        tx.commit().await?;
        Ok(entry)
    }

    pub async fn open(&self) -> Result<Vec<Incident>, ServiceError> {
        Ok(self.core.store.open_incidents().await?)
    }

    pub async fn log_entry(&self, id: i64) -> Result<LogEntry, ServiceError> {
        self.core.store.log_entry(id).await?.ok_or(ServiceError::Internal("log entry missing"))
    }

    pub async fn log_entries(&self, id: IncidentId) -> Result<Vec<LogEntry>, ServiceError> {
        Ok(self.core.store.log_entries(id).await?)
    }

    pub async fn events_of(&self, id: IncidentId) -> Result<Vec<EventRecord>, ServiceError> {
        Ok(self.core.store.events_of(id).await?)
    }

    /// §4.1(1) 周知: the playbook of an incident, for the people working it
    /// (anyone the state lets into its channel) and the committee.
    pub async fn playbook_of(&self, id: IncidentId, caller: Caller) -> Result<(Incident, Option<Playbook>), ServiceError> {
        let incident = self.core.incident(id).await?;
        if !caller.committee && !incident.has_access(caller.user) {
            return Err(IncidentError::NotAllowed(&[Role::Reporter, Role::Responder, Role::Commander, Role::Committee]).into());
        }
        let playbook = incident.playbook.as_ref().and_then(|p| self.core.settings.playbooks.get(p)).cloned();
        Ok((incident, playbook))
    }

    /// `/playbook show`: a named playbook (the committee), or the playbook
    /// of the incident whose channel this is (anyone working it).
    pub async fn playbook_to_show(
        &self,
        caller: Caller,
        named: Option<&PlaybookId>,
        channel: crate::domain::ChannelId,
    ) -> Result<Option<Playbook>, ServiceError> {
        if let Some(p) = named {
            self.core.may_always(caller, Action::ViewRecords)?;
            return Ok(self.core.settings.playbooks.get(p).cloned());
        }
        let incident = self.core.incident_in_channel(channel).await?;
        Ok(self.playbook_of(incident.id, caller).await?.1)
    }

    /// Where the status board was posted.
    pub async fn status_board_message(&self) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.core.store.get_state(STATUS_BOARD).await?.and_then(|v| v.parse().ok()).map(MessageId))
    }

    pub async fn remember_status_board(&self, message: MessageId) -> Result<(), ServiceError> {
        Ok(self.core.store.set_state(STATUS_BOARD, &message.0.to_string()).await?)
    }

    /// The overflow categories opened for `purpose` (`incidents`, `archive`),
    /// as `(number, channel)`.
    pub async fn overflow_categories(&self, purpose: &str) -> Result<Vec<(i64, ChannelId)>, ServiceError> {
        Ok(self.core.store.overflow_categories(purpose).await?.into_iter().map(|(n, c)| (n, ChannelId(c as u64))).collect())
    }

    pub async fn add_overflow_category(&self, purpose: &str, n: i64, channel: ChannelId) -> Result<(), ServiceError> {
        Ok(self.core.store.add_overflow_category(purpose, n, channel.as_i64()).await?)
    }
}
