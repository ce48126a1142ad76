//! §4.4: the Lessons phase.

use super::{core::Core, Caller, InputError, ServiceError};
use crate::domain::followup::{FollowUp, Source};
use crate::domain::lessons::{BoardQuestion, ItDepartment, LessonItem, PreventionPlan};
use crate::domain::{Action, Actor, Effect, EventPayload, Incident, IncidentId, MessageId, PlaybookId, UserId};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Where each announcement was posted, so it is edited in place (the key
/// kept as the first version wrote it).
fn announcement_key(id: IncidentId) -> String {
    format!("announcement:{id}")
}

/// One improvement note on a playbook, with the incident it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookNote {
    pub incident: crate::domain::IncidentNumber,
    pub went_well: String,
    pub missing: String,
}

#[derive(Clone)]
pub struct Lessons {
    core: Core,
}

impl Lessons {
    pub(super) fn new(core: Core) -> Self {
        Lessons { core }
    }

    /// §4.4(1): records the plan; the committee's own save is approved (and
    /// announced, §4.4(3)) at once, the commander's waits for approval;
    /// either waits first for 情報システム部 where its role is configured.
    pub async fn set_plan(&self, id: IncidentId, caller: Caller, plan: PreventionPlan) -> Result<Incident, ServiceError> {
        let it = self.it_department();
        self.core.act(id, caller, |i, _, now| i.set_plan(caller.user, &caller.roles(i), plan, it, now)).await
    }

    /// §4.4(1): the committee approves the plan as it stands.
    pub async fn approve_plan(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        let it = self.it_department();
        self.core.act(id, caller, |i, _, now| i.approve_plan(caller.user, &caller.roles(i), it, now)).await
    }

    /// §4.4(1): 情報システム部 signs off the revision its button showed.
    pub async fn sign_off_plan(&self, id: IncidentId, caller: Caller, revision: u32) -> Result<Incident, ServiceError> {
        let it = self.it_department();
        self.core.act(id, caller, |i, _, now| i.sign_off_plan(caller.user, &caller.roles(i), revision, it, now)).await
    }

    fn it_department(&self) -> ItDepartment {
        self.core.settings.discord.it_department()
    }

    /// §4.4(2): the committee records that the board was told: the day it
    /// met (`YYYY-MM-DD`) and what it decided or instructed.
    pub async fn board_told(&self, id: IncidentId, caller: Caller, met_on: &str, decided: &str) -> Result<Incident, ServiceError> {
        let met_on = self.day(met_on)?;
        let told = crate::domain::lessons::BoardMeeting { met_on, decided: decided.to_string() };
        self.core.act(id, caller, |i, _, now| i.board_told(caller.user, &caller.roles(i), told, now)).await
    }

    /// Today where the organisation is.
    pub fn today(&self) -> NaiveDate {
        self.core.clock.now().with_timezone(&self.core.settings.organisation.tz).date_naive()
    }

    /// A `YYYY-MM-DD` day as typed.
    fn day(&self, day: &str) -> Result<NaiveDate, ServiceError> {
        let bad = || InputError::BadDate(day.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.')).take(20).collect());
        Ok(NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| bad())?)
    }

    /// §4.4(1) 適切に実施: a follow-up action, due at the end of `due`
    /// (`YYYY-MM-DD`, the organisation's time zone).
    pub async fn add_followup(
        &self,
        id: IncidentId,
        caller: Caller,
        what: &str,
        owner: Option<UserId>,
        due: &str,
    ) -> Result<Incident, ServiceError> {
        let (len, max) = (what.trim().chars().count(), crate::domain::followup::MAX_FOLLOWUP);
        if len == 0 {
            return Err(InputError::RequiredFieldEmpty.into());
        }
        if len > max {
            return Err(InputError::EntryTooLong { len, max }.into());
        }
        let due = self.end_of_day(due)?;
        if due <= self.core.clock.now() {
            return Err(InputError::DueInPast(due.with_timezone(&self.core.settings.organisation.tz).date_naive().to_string()).into());
        }
        self.core.act(id, caller, |i, _, now| i.add_followup(&caller.roles(i), what, owner, due, now)).await
    }

    /// The last instant of a `YYYY-MM-DD` day where the organisation is.
    fn end_of_day(&self, day: &str) -> Result<DateTime<Utc>, ServiceError> {
        let bad = || InputError::BadDate(day.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.')).take(20).collect());
        let date = self.day(day)?;
        let next = date.succ_opt().ok_or_else(bad)?.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
        let local = self.core.settings.organisation.tz.from_local_datetime(&next).earliest().ok_or_else(bad)?;
        Ok(local.with_timezone(&Utc) - chrono::Duration::seconds(1))
    }

    /// A follow-up action is done (its owner, the commander or the
    /// committee; also after the incident closed).
    pub async fn complete_followup(&self, id: IncidentId, caller: Caller, n: u32) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, now| i.complete_followup(caller.user, &caller.roles(i), n, now)).await
    }

    /// Follow-up actions not done yet, across incidents, most urgent first:
    /// the committee sees all of them, anyone else those they own.
    pub async fn open_followups(&self, caller: Caller) -> Result<Vec<(Incident, FollowUp)>, ServiceError> {
        let mut out = vec![];
        for i in self.core.store.all_incidents().await? {
            for f in i.lessons.open_followups() {
                if caller.committee || f.owned_by(caller.user) {
                    out.push((i.clone(), f.clone()));
                }
            }
        }
        out.sort_by_key(|(_, f)| f.due);
        Ok(out)
    }

    /// §4.4(4): "update playbook X" actions are done once X's file changed
    /// (the configuration as loaded now).
    pub(super) async fn reconcile_playbook_updates(&self) -> Result<usize, ServiceError> {
        let digest_of = |p: &crate::domain::PlaybookId| self.core.settings.playbooks.get(p).map(|p| p.digest.clone());
        let mut done = 0;
        for candidate in self.core.store.all_incidents().await? {
            let waiting = candidate.lessons.open_followups().any(|f| match &f.source {
                Source::PlaybookUpdate { playbook, digest } => digest_of(playbook).is_some_and(|d| &d != digest),
                Source::Plan => false,
            });
            if !waiting {
                continue;
            }
            let now = self.core.clock.now();
            let mut tx = self.core.store.begin().await?;
            // Read again inside the transaction: another process may have
            // done it first.
            let mut i = tx.incident(candidate.id).await?;
            let outcome = i.playbooks_changed(digest_of, now);
            if !outcome.events.is_empty() {
                done += outcome.events.len();
                tx.save_incident(&i, now).await?;
                tx.record(Some(i.id), Actor::System, now, &outcome).await?;
            }
            tx.commit().await?;
        }
        Ok(done)
    }

    /// §4.4(2): answers one board question.
    pub async fn answer_board(&self, id: IncidentId, caller: Caller, question: BoardQuestion, yes: bool) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.answer_board(&caller.roles(i), question, yes)).await
    }

    /// The committee waives a Lessons item with a reason.
    pub async fn waive(&self, id: IncidentId, caller: Caller, item: LessonItem, reason: &str) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.waive(caller.user, &caller.roles(i), item, reason)).await
    }

    /// §4.4(3): a member read the announced plan; `false` when they had.
    /// Only an announced plan can be read: a forged button for another
    /// incident records nothing.
    pub async fn read_announcement(&self, id: IncidentId, caller: Caller) -> Result<bool, ServiceError> {
        if self.announcement_message(id).await?.is_none() {
            return Err(ServiceError::NotFound(super::Missing::Announcement));
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        tx.incident(id).await?;
        let first = tx.record_read(id, caller.user, now).await?;
        if first {
            tx.append(Some(id), Actor::User(caller.user), now, &EventPayload::AnnouncementRead { user: caller.user }).await?;
            tx.enqueue(&Effect::RefreshAnnouncement { incident: id }, now).await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    /// How many members have read the announcement (§4.4(3)).
    pub async fn read_count(&self, id: IncidentId) -> Result<usize, ServiceError> {
        Ok(self.core.store.readers(id).await?.len())
    }

    /// Who has read the announcement: the committee's list.
    pub async fn readers(&self, id: IncidentId, caller: Caller) -> Result<Vec<(UserId, DateTime<Utc>)>, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        Ok(self.core.store.readers(id).await?)
    }

    /// Every improvement note on `playbook`, newest first (§4.4(4), §4.1(2)).
    pub async fn playbook_notes(&self, caller: Caller, playbook: &PlaybookId) -> Result<Vec<PlaybookNote>, ServiceError> {
        self.core.may_always(caller, Action::ViewRecords)?;
        let mut out = vec![];
        for i in self.core.store.all_incidents().await?.iter().rev() {
            for n in i.lessons.notes.iter().filter(|n| n.playbook.as_ref() == Some(playbook)) {
                out.push(PlaybookNote { incident: i.number, went_well: n.went_well.clone(), missing: n.missing.clone() });
            }
        }
        Ok(out)
    }

    /// Where an incident's announcement was posted (§4.4(3)).
    pub async fn announcement_message(&self, id: IncidentId) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.core.store.get_state(&announcement_key(id)).await?.and_then(|v| v.parse().ok()).map(MessageId))
    }

    /// §4.4(3): of `members`, those who have not confirmed the
    /// announcement of `id`.
    pub async fn not_yet_read(&self, id: IncidentId, members: Vec<UserId>) -> Result<Vec<UserId>, ServiceError> {
        let read: std::collections::HashSet<UserId> = self.core.store.readers(id).await?.into_iter().map(|(u, _)| u).collect();
        Ok(members.into_iter().filter(|m| !read.contains(m)).collect())
    }

    /// §4.4(3): members who have not confirmed an announcement are
    /// reminded once, some days after it.
    pub(super) async fn remind_unread(&self, i: &Incident, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        let after = self.core.settings.remind_unread_after;
        if i.unread_due(after).is_none_or(|at| at > now) {
            return Ok(0);
        }
        let mut tx = self.core.store.begin().await?;
        let mut i = tx.incident(i.id).await?;
        let out = i.remind_unread(after, now);
        tx.save_incident(&i, now).await?;
        tx.record(Some(i.id), Actor::System, now, &out).await?;
        tx.commit().await?;
        Ok(out.effects.len())
    }

    pub async fn remember_announcement(&self, id: IncidentId, message: MessageId) -> Result<(), ServiceError> {
        Ok(self.core.store.set_state(&announcement_key(id), &message.0.to_string()).await?)
    }
}

/// §4.4(3), issue 28: one plan as announced to all members — only what
/// every member may read: the committee's public name for the incident and
/// the approved plan, nothing of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub incident: IncidentId,
    /// The public name in Japanese and in English.
    pub name: (String, String),
    pub technical: String,
    pub organisational: String,
    pub announced_at: DateTime<Utc>,
    /// When the member asking confirmed it, if they did.
    pub read_at: Option<DateTime<Utc>>,
}

impl Announced {
    pub fn name(&self, lang: crate::domain::Lang) -> &str {
        match lang {
            crate::domain::Lang::Ja => &self.name.0,
            crate::domain::Lang::En => &self.name.1,
        }
    }
}

impl Lessons {
    /// Issue 28: every plan announced to all members (its message posted),
    /// newest first, with whether `caller` confirmed it — the same receipt
    /// as the button under the announcement in Discord.
    pub async fn announcements(&self, caller: Caller) -> Result<Vec<Announced>, ServiceError> {
        let mut out = vec![];
        for i in self.core.store.all_incidents().await? {
            let (Some(at), Some(plan)) = (i.lessons.announced_at, i.lessons.announced_plan()) else { continue };
            if self.announcement_message(i.id).await?.is_none() {
                continue;
            }
            let read_at = self.core.store.readers(i.id).await?.into_iter().find(|(u, _)| *u == caller.user).map(|(_, at)| at);
            out.push(Announced {
                incident: i.id,
                name: (i.public_name(crate::domain::Lang::Ja), i.public_name(crate::domain::Lang::En)),
                technical: plan.technical.clone(),
                organisational: plan.organisational.clone(),
                announced_at: at,
                read_at,
            });
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.announced_at));
        Ok(out)
    }

    /// Issue 28: the names people were last seen under, for lists that
    /// name owners (the web has no mentions to render them).
    pub async fn names(&self) -> Result<std::collections::HashMap<UserId, String>, ServiceError> {
        Ok(self.core.store.people().await?.into_iter().map(|(u, _, name)| (u, name)).collect())
    }
}
