//! Scheduled work: cron reminders (§4.1(2) drills, §9 annual review),
//! incident reminders (Table 1), escalations, and drills.

use super::{core::Core, Caller, Missing, ServiceError};
use crate::domain::drill as drills;
use crate::domain::drill::DrillReport;
use crate::domain::incident::IncidentError;
use crate::domain::incident::{NewIncident, Noticed};
use crate::domain::reminder::ReminderRow;
use crate::domain::{Action, Actor, Category, Effect, EventPayload, Incident, IncidentId, IncidentReminder, PlaybookId};
use crate::reminders::rules;
use crate::store::WriteTx;
use chrono::{DateTime, Utc};

/// What pressing Acknowledge on a reminder leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOrAck {
    /// §9: the yearly review's outcome is asked for first (a form).
    AskOutcome,
    /// Recorded now.
    Acknowledged(Acknowledging),
}

/// Whether an acknowledgement was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledging {
    Recorded,
    AlreadyDone,
}

#[derive(Clone)]
pub struct Reminders {
    core: Core,
    /// A tick also forgets old interactions and reminds of expired
    /// exceptions (§7).
    delivery: super::Delivery,
    requests: super::Requests,
    /// A new configuration may finish §4.4(4) playbook updates.
    lessons: super::Lessons,
    /// §4.2: the chain of reports nobody has acknowledged.
    escalation: super::Escalation,
}

impl Reminders {
    pub(super) fn new(
        core: Core,
        delivery: super::Delivery,
        requests: super::Requests,
        lessons: super::Lessons,
        escalation: super::Escalation,
    ) -> Self {
        Reminders { core, delivery, requests, lessons, escalation }
    }
}

/// The two cron schedules, by the name their state is kept under.
pub const DRILL: &str = "drill";
pub const ANNUAL_REVIEW: &str = "annual_review";
/// §5: the monthly audit post (needs no acknowledgement).
pub const AUDIT: &str = "audit";

/// What one tick queued.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub fired: usize,
    pub escalated: usize,
    pub reminded: usize,
}

impl Tick {
    pub fn total(&self) -> usize {
        self.fired + self.escalated + self.reminded
    }
}

/// What `/schedule` shows.
#[derive(Debug, Clone)]
pub struct Overview {
    pub next_drill: Option<DateTime<Utc>>,
    pub next_review: Option<DateTime<Utc>>,
    pub suggested_playbook: Option<PlaybookId>,
    pub unacknowledged: Vec<crate::domain::reminder::ReminderRow>,
    pub deadlines: Vec<Incident>,
}

impl Reminders {
    /// Looks at the clock and queues whatever is due and not yet sent. Each
    /// reminder is recorded as sent in the transaction that queues it, so a
    /// crash or a second process never sends one twice, and downtime is made
    /// up once at the next tick.
    pub async fn tick(&self) -> Result<Tick, ServiceError> {
        let now = self.core.clock.now();
        let mut tick = Tick::default();
        self.delivery.forget_old_interactions(now).await?;
        let s = self.core.settings.clone();
        for (name, spec) in [(DRILL, &s.schedules.drill), (ANNUAL_REVIEW, &s.schedules.annual_review), (AUDIT, &s.schedules.audit)] {
            if self.fire_cron(name, &spec.schedule, now).await? {
                tick.fired += 1;
            }
        }
        tick.escalated += self.escalate(now).await?;
        tick.reminded += self.requests.remind_expired_exceptions().await?;
        // Only the incidents that can need something (Incident::watched)
        // and need it now (rules::next_look), found by columns: a tick does
        // not grow with the years of history.
        let mut looked = vec![];
        for i in self.core.store.incidents_to_look_at(now).await? {
            if i.watched() {
                tick.reminded += self.remind(&i, now).await?;
                tick.reminded += self.lessons.remind_unread(&i, now).await?;
                tick.escalated += self.escalation.queue_due(&i, now).await?;
            }
            // An open incident is looked at every tick; the rest, later.
            if !(i.watched() && i.phase.is_open()) {
                looked.push(i.id);
            }
        }
        self.look_again_later(&looked, now).await?;
        Ok(tick)
    }

    /// Incidents just looked at that need not be read at every tick, as
    /// their state stands under the write lock: one that needs nothing is
    /// unmarked (the migration marked every row until a tick had looked at
    /// it); a closed one is read again when its next reminder can fall due.
    async fn look_again_later(&self, ids: &[crate::domain::IncidentId], now: DateTime<Utc>) -> Result<(), ServiceError> {
        if ids.is_empty() {
            return Ok(());
        }
        let s = &self.core.settings;
        let mut tx = self.core.store.begin().await?;
        for id in ids {
            let i = tx.incident(*id).await?;
            if !i.watched() {
                tx.unwatch(*id).await?;
                continue;
            }
            let at = match rules::next_look(&i, s.followups.remind_every, s.remind_unread_after, s.personal_data.as_ref(), now) {
                rules::Look::At(t) => Some(t),
                rules::Look::EveryTick | rules::Look::Never => None,
            };
            tx.look_again_at(*id, at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reminders the committee has not acknowledged in time escalate, once.
    async fn escalate(&self, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        let mut escalated = 0;
        let escalate_after = self.core.settings.schedules.policy.escalate_unacknowledged_after;
        for r in self.core.store.reminders_to_escalate(now - escalate_after, AUDIT).await? {
            let mut tx = self.core.store.begin().await?;
            if tx.mark_escalated(r.id, now).await? {
                tx.append(None, Actor::System, now, &EventPayload::ReminderEscalated { reminder: r.id }).await?;
                tx.enqueue(&Effect::EscalateReminder { reminder: r.id }, now).await?;
                escalated += 1;
            }
            tx.commit().await?;
        }
        Ok(escalated)
    }

    /// What is due about one incident and not yet sent is queued; deadline
    /// steps not sent yet (several after downtime) make one reminder: the
    /// newest, naming the others.
    async fn remind(&self, i: &Incident, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        let mut reminded = 0;
        let s = &self.core.settings;
        let activity = self.core.store.activity(i.id, i.reported_at).await?;
        let mut due = rules::due(i, &s.schedules.policy, s.personal_data.as_ref(), activity, now);
        due.extend(rules::followups_due(i, s.followups.remind_every, now));
        // Most ticks find everything due already sent: read that first, and
        // take the write lock only for what is left (marked again inside).
        let mut unsent = vec![];
        for d in due {
            if !self.core.store.was_sent(i.id, &d.key).await? {
                unsent.push(d);
            }
        }
        let due = unsent;
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.core.store.begin().await?;
        let mut steps: Vec<(u8, rules::Due)> = vec![];
        for d in due {
            if !tx.mark_sent(i.id, &d.key, now).await? {
                continue;
            }
            tx.append(Some(i.id), Actor::System, now, &EventPayload::Reminded { key: d.key.clone() }).await?;
            match d.what {
                IncidentReminder::Deadline { percent, .. } => steps.push((percent, d)),
                what => {
                    tx.enqueue(&Effect::Remind { incident: i.id, what }, now).await?;
                    reminded += 1;
                }
            }
        }
        steps.sort_by_key(|(p, _)| *p);
        if let Some((percent, newest)) = steps.pop() {
            let deadline = match newest.what {
                IncidentReminder::Deadline { deadline, .. } => deadline,
                _ => newest.at,
            };
            let missed = steps.iter().map(|(p, _)| *p).collect();
            tx.enqueue(&Effect::Remind { incident: i.id, what: IncidentReminder::Deadline { percent, deadline, missed } }, now).await?;
            reminded += 1;
        }
        tx.commit().await?;
        Ok(reminded)
    }

    /// What follows from the configuration as this process loaded it (it
    /// changes only with a restart): playbook updates asked for are done
    /// once the file changed, and a revised regulation is announced. The
    /// scheduler runs this until it succeeds once, not every tick.
    pub async fn configuration_loaded(&self) -> Result<(), ServiceError> {
        // The reminder rules' settings may have changed: every watched
        // incident is looked at again by the next tick.
        self.core.store.look_at_all_again().await?;
        self.lessons.reconcile_playbook_updates().await?;
        self.requests.revise_procedures(self.core.clock.now()).await?;
        self.requests.revise_regulation(self.core.clock.now()).await
    }

    /// Fires one cron schedule once for every firing since it was last
    /// looked at; several missed firings make one reminder that counts them.
    async fn fire_cron(&self, name: &str, schedule: &cron::Schedule, now: DateTime<Utc>) -> Result<bool, ServiceError> {
        let tz = self.core.settings.organisation.tz;
        // Most ticks fire nothing: found by a read, without the write lock.
        if let Some(checked) = self.core.store.checked_until(name).await? {
            if rules::firings(schedule, tz, checked, now).is_empty() {
                return Ok(false);
            }
        }
        let suggestion = if name == DRILL {
            drills::least_recently_drilled(&self.core.settings.playbooks, &self.core.store.last_drills().await?)
        } else {
            None
        };
        let mut tx = self.core.store.begin().await?;
        let Some(checked) = tx.checked_until(name).await? else {
            // First start: begin counting now, not from the dawn of time.
            tx.set_checked_until(name, now).await?;
            tx.commit().await?;
            return Ok(false);
        };
        let firings = rules::firings(schedule, tz, checked, now);
        let mut fired = false;
        if let Some(latest) = firings.last() {
            let missed = firings.len() as i64 - 1;
            if let Some(id) = tx.insert_reminder(name, *latest, missed, now, suggestion.as_ref()).await? {
                tx.append(None, Actor::System, now, &EventPayload::ReminderFired { reminder: id, kind: name.to_string(), missed }).await?;
                let effect = if name == AUDIT { Effect::AuditReport { reminder: id } } else { Effect::CronReminder { reminder: id } };
                tx.enqueue(&effect, now).await?;
                fired = true;
            }
        }
        tx.set_checked_until(name, now).await?;
        tx.commit().await?;
        Ok(fired)
    }

    /// The committee acknowledges a reminder; `false` when it already was.
    pub async fn acknowledge(&self, reminder: i64, caller: Caller) -> Result<bool, ServiceError> {
        self.core.may_always(caller, Action::Acknowledge)?;
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let done = tx.acknowledge_reminder(reminder, caller.user.as_i64(), now).await?;
        if done {
            tx.append(None, Actor::User(caller.user), now, &EventPayload::ReminderAcknowledged { reminder }).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// §4.1(2): the committee starts a drill of `playbook`: a practice
    /// incident, numbered apart, marked DRILL everywhere.
    pub async fn start_drill(&self, caller: Caller, playbook: &PlaybookId, source_key: &str) -> Result<Incident, ServiceError> {
        self.core.may_always(caller, Action::StartDrill)?;
        let mut tx = self.core.store.begin().await?;
        let incident = self.drill_in(&mut tx, caller, playbook, source_key).await?;
        tx.commit().await?;
        Ok(incident)
    }

    /// "Start drill now" on a drill reminder: the drill of the suggested
    /// playbook starts and the reminder is acknowledged, in one transaction.
    pub async fn start_drill_from_reminder(&self, reminder: i64, caller: Caller, source_key: &str) -> Result<Incident, ServiceError> {
        self.core.may_always(caller, Action::StartDrill)?;
        let playbook = self.get(reminder).await?.playbook.ok_or(ServiceError::NotFound(Missing::Playbook))?;
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let incident = self.drill_in(&mut tx, caller, &playbook, source_key).await?;
        if tx.acknowledge_reminder(reminder, caller.user.as_i64(), now).await? {
            tx.append(None, Actor::User(caller.user), now, &EventPayload::ReminderAcknowledged { reminder }).await?;
        }
        tx.commit().await?;
        Ok(incident)
    }

    /// The drill itself, inside the caller's transaction; a repeated
    /// interaction finds the drill it started.
    async fn drill_in(&self, tx: &mut WriteTx, caller: Caller, playbook: &PlaybookId, source_key: &str) -> Result<Incident, ServiceError> {
        let pb = self.core.settings.playbooks.get(playbook).ok_or(ServiceError::NotFound(Missing::Playbook))?;
        let (category, kind) = match pb.covers.first() {
            Some(crate::domain::category::Coverage::Kind(k)) => (k.category(), Some(*k)),
            Some(crate::domain::category::Coverage::Category(c)) => (*c, None),
            None => (Category::Unsure, None),
        };
        let now = self.core.clock.now();
        let lang = self.core.settings.organisation.lang;
        if let Some(existing) = tx.incident_by_source(source_key).await? {
            return Ok(existing);
        }
        let number = tx.next_number(true, now, self.core.settings.organisation.tz).await?;
        let id = tx.reserve_incident_ids(1).await?.pop().ok_or(ServiceError::Internal("no incident id"))?;
        let title = pb.title.get(lang);
        let new = NewIncident {
            number,
            category,
            kind,
            title: crate::tr!(lang, "訓練: {title}", "Drill: {title}"),
            description: pb.activation.get(lang).to_string(),
            noticed: Noticed { text: String::new(), at: now, understood: true },
            impact: String::new(),
            affected: vec![],
            reporter: caller.user,
            playbook: Some(pb.id.clone()),
            confidential: false,
            taken: None,
        };
        let started = EventPayload::DrillStarted { playbook: pb.id.0.clone() };
        super::report::open_incident(tx, id, new, source_key, now, |o| o.events.insert(0, started)).await
    }

    /// What is due next, for `/schedule` (the committee's).
    pub async fn overview(&self, caller: Caller) -> Result<Overview, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        let now = self.core.clock.now();
        let tz = self.core.settings.organisation.tz;
        let s = &self.core.settings.schedules;
        let mut deadlines: Vec<Incident> = self
            .core
            .store
            .open_incidents()
            .await?
            .into_iter()
            .filter(|i| i.deadline.at().is_some() && !i.phase.recovery_complete())
            .collect();
        deadlines.sort_by_key(|i| i.deadline.at());
        Ok(Overview {
            next_drill: rules::next_firing(&s.drill.schedule, tz, now),
            next_review: rules::next_firing(&s.annual_review.schedule, tz, now),
            suggested_playbook: drills::least_recently_drilled(&self.core.settings.playbooks, &self.core.store.last_drills().await?),
            unacknowledged: self.core.store.unacknowledged_reminders().await?,
            deadlines,
        })
    }

    /// §9: the yearly review's outcome, acknowledged and announced.
    pub async fn conclude_review(&self, reminder: i64, caller: Caller, outcome: &str) -> Result<(), ServiceError> {
        self.core.may_always(caller, Action::Decide)?;
        if outcome.trim().is_empty() {
            return Err(IncidentError::ReasonRequired.into());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        tx.acknowledge_reminder(reminder, caller.user.as_i64(), now).await?;
        tx.set_review_outcome(reminder, outcome.trim()).await?;
        tx.append(None, Actor::User(caller.user), now, &EventPayload::ReviewConcluded { reminder }).await?;
        tx.enqueue(&Effect::AnnounceReview { reminder }, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, id: i64) -> Result<ReminderRow, ServiceError> {
        self.core.store.reminder(id).await?.ok_or(ServiceError::NotFound(Missing::Reminder))
    }

    pub async fn review_outcome(&self, reminder: i64) -> Result<String, ServiceError> {
        Ok(self.core.store.review_outcome(reminder).await?.unwrap_or_default())
    }

    pub async fn drill_report(&self, id: IncidentId) -> Result<DrillReport, ServiceError> {
        self.core.store.drill_report(id).await?.ok_or(ServiceError::Internal("drill report missing"))
    }

    /// Acknowledge on a reminder: the committee only; a yearly review asks
    /// for its outcome first (§9).
    pub async fn acknowledge_or_review(&self, reminder: i64, caller: Caller) -> Result<ReviewOrAck, ServiceError> {
        self.core.may_always(caller, Action::Acknowledge)?;
        if self.get(reminder).await?.kind == ANNUAL_REVIEW {
            return Ok(ReviewOrAck::AskOutcome);
        }
        let done = self.acknowledge(reminder, caller).await?;
        Ok(ReviewOrAck::Acknowledged(if done { Acknowledging::Recorded } else { Acknowledging::AlreadyDone }))
    }
}
