//! §4.2 "collected in one place": messages in incident channels are kept.

use super::batch::{together_or_alone, WriteBatch};
use super::{core::Core, Caller, InputError, ServiceError};
use crate::domain::transcript::{TranscriptLine, TranscriptMessage};
use crate::domain::EventPayload;
use crate::domain::{ChannelId, IncidentId, MessageId, UserId};
use crate::store::Store;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct Transcript {
    core: Core,
    /// Group commit: messages come in bursts.
    batch: Arc<super::batch::Batcher<TranscriptMessage, Kept>>,
    /// Display names this process has kept (a write only on a change).
    names: Arc<std::sync::Mutex<HashMap<UserId, String>>>,
}

impl Transcript {
    pub(super) fn new(core: Core) -> Self {
        let batch = Arc::new(super::batch::Batcher::new(writer(core.store.clone())));
        Transcript { core, batch, names: Arc::default() }
    }
}

/// What became of a transcript change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Stored,
    /// Not an incident channel: nothing to keep.
    NotIncident,
    /// An edit or deletion of a message not (yet) recorded. Gateway events
    /// are handled concurrently, so the creation may still be on its way.
    UnknownMessage,
}

/// Who wrote an edited message, when the edit event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditAuthor {
    pub id: UserId,
    pub name: String,
    pub bot: bool,
}

/// The group-commit writer of new messages: each channel is looked up once
/// per batch, and only messages of incident channels open a transaction.
pub(super) fn writer(store: Store) -> WriteBatch<TranscriptMessage, Kept> {
    Arc::new(move |messages| {
        let store = store.clone();
        Box::pin(async move {
            together_or_alone(&messages, |messages| {
                let store = &store;
                async move {
                    let mut incidents: HashMap<ChannelId, Option<IncidentId>> = HashMap::new();
                    for m in messages {
                        if let Entry::Vacant(e) = incidents.entry(m.channel) {
                            e.insert(store.incident_by_channel(m.channel).await?.map(|i| i.id));
                        }
                    }
                    let kept: Vec<(Option<IncidentId>, &TranscriptMessage)> =
                        messages.iter().map(|m| (incidents.get(&m.channel).copied().flatten(), m)).collect();
                    if kept.iter().any(|(i, _)| i.is_some()) {
                        let mut tx = store.begin().await?;
                        for (incident, m) in &kept {
                            if let Some(i) = incident {
                                tx.record_message(*i, m).await?;
                            }
                        }
                        tx.commit().await?;
                    }
                    Ok(kept.iter().map(|(i, _)| if i.is_some() { Kept::Stored } else { Kept::NotIncident }).collect())
                }
            })
            .await
        })
    })
}

impl Transcript {
    /// Stores a new message or an edit; `Ok(false)` when the channel is not
    /// an incident channel.
    /// Messages that arrive together are stored in one transaction.
    pub async fn record_message(&self, msg: &TranscriptMessage) -> Result<Kept, ServiceError> {
        self.batch.submit(msg.clone()).await
    }

    /// Marks a deleted message; its text stays in the record.
    pub async fn record_deletion(&self, channel: ChannelId, message: MessageId) -> Result<Kept, ServiceError> {
        let Some(incident) = self.core.store.incident_by_channel(channel).await? else {
            return Ok(Kept::NotIncident);
        };
        let mut tx = self.core.store.begin().await?;
        let found = tx.mark_deleted(incident.id, message, self.core.clock.now()).await?;
        tx.commit().await?;
        Ok(if found { Kept::Stored } else { Kept::UnknownMessage })
    }

    /// A member acted under this display name: kept (once per change, and
    /// once per process while it stays the same) for records people read.
    pub async fn saw_person(&self, user: UserId, name: &str) {
        {
            let mut known = self.names.lock().unwrap_or_else(|e| e.into_inner());
            if known.get(&user).map(String::as_str) == Some(name) {
                return;
            }
            known.insert(user, name.to_string());
        }
        if let Err(e) = self.core.store.saw_person(user, name, self.core.clock.now()).await {
            tracing::debug!(error = %e, "could not keep a member's name");
            self.names.lock().unwrap_or_else(|e| e.into_inner()).remove(&user);
        }
    }

    /// A file posted in `channel` (an incident channel or one of its
    /// threads) is kept as evidence with its digest in the event chain, or
    /// recorded as not kept with the reason. Once per file.
    pub async fn keep_attachment(&self, channel: ChannelId, a: &crate::domain::transcript::Attachment) -> Result<Kept, ServiceError> {
        let Some(incident) = self.core.store.incident_by_channel(channel).await? else {
            return Ok(Kept::NotIncident);
        };
        let mut tx = self.core.store.begin().await?;
        tx.keep_attachment(incident.id, a, self.core.clock.now()).await?;
        tx.commit().await?;
        Ok(Kept::Stored)
    }

    /// Whether a posted file was dealt with already (no second download).
    pub async fn attachment_known(&self, id: u64) -> Result<bool, ServiceError> {
        Ok(self.core.store.attachment_known(id).await?)
    }

    /// The files kept with an incident, for exports.
    pub async fn attachments(&self, incident: IncidentId) -> Result<Vec<crate::domain::transcript::Attachment>, ServiceError> {
        Ok(self.core.store.attachments(incident).await?)
    }

    /// A thread was started in (or renamed under) a channel: a thread of an
    /// incident channel belongs to that incident's record. `true` when it
    /// does (the bot then joins it, to hear its messages).
    pub async fn record_thread(
        &self,
        parent: ChannelId,
        thread: ChannelId,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, ServiceError> {
        let Some(incident) = self.core.store.incident_by_channel(parent).await? else {
            return Ok(false);
        };
        // A thread of a thread does not exist on Discord; a thread under an
        // incident's thread would name the thread as parent: not ours.
        if incident.channel != Some(parent) {
            return Ok(false);
        }
        let mut tx = self.core.store.begin().await?;
        tx.record_thread(incident.id, thread, name, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Issue 25, APPI: the committee redacts a message of this incident
    /// posted by mistake (personal data): every version's text becomes the
    /// marker, its files' bytes leave the database, the Discord message is
    /// deleted; the `redacted` event keeps the old digests, who, when and
    /// why. The database's files are scrubbed after.
    pub async fn redact(&self, caller: Caller, channel: ChannelId, message: &str, reason: &str) -> Result<MessageId, ServiceError> {
        let incident = self.core.incident_in_channel(channel).await?;
        self.core.may(incident.id, caller, crate::domain::Action::Redact).await?;
        let message = crate::domain::transcript::message_named(message).ok_or(InputError::NotAMessage)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(InputError::NoReason.into());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let marker = crate::domain::transcript::REDACTED;
        let taken = tx.redact_message(incident.id, message, marker).await?.ok_or(InputError::MessageNotInRecord)?;
        let event = EventPayload::Redacted { message, versions: taken.versions, files: taken.files, reason: reason.to_string() };
        tx.append(Some(incident.id), crate::domain::Actor::User(caller.user), now, &event).await?;
        tx.enqueue(&crate::domain::Effect::DeleteMessage { incident: incident.id, channel: taken.channel, message }, now).await?;
        tx.commit().await?;
        tracing::info!(incident = %incident.number, %message, "a message was redacted");
        // Before the answer (slow work is deferred by the adapter), so that
        // what the committee is told is done is done.
        if let Err(e) = self.core.store.scrub().await {
            tracing::warn!(error = %e, "the database could not be scrubbed after a redaction; its files may hold the old bytes until the next checkpoint");
        }
        Ok(message)
    }

    /// A thread was deleted on Discord: if it was an incident's, the record
    /// notes it (its messages stay).
    pub async fn thread_deleted(&self, thread: ChannelId) -> Result<bool, ServiceError> {
        let mut tx = self.core.store.begin().await?;
        let noted = tx.thread_deleted(thread, self.core.clock.now()).await?;
        tx.commit().await?;
        Ok(noted)
    }

    /// The threads of an incident channel, for exports.
    pub async fn threads(&self, incident: IncidentId) -> Result<Vec<(ChannelId, String)>, ServiceError> {
        Ok(self.core.store.threads(incident).await?)
    }

    /// The newest message of a channel in the record: after a restart,
    /// what Discord holds after it is what was written while away.
    pub async fn newest_recorded(&self, incident: IncidentId, channel: ChannelId) -> Result<Option<MessageId>, ServiceError> {
        Ok(self.core.store.newest_message(incident, channel).await?)
    }

    /// After the bot was away (a restart, a session that could not resume),
    /// one page of a channel's history as Discord has it now is compared
    /// with the record (§4.2): messages it lacks are stored, changed ones
    /// get a new version, and with `span` — the ids `[from, until)` the
    /// page covers whole — those of the record no longer there are marked
    /// deleted while offline. Page by page, so that a channel of 300,000
    /// messages costs one page of memory; the channel is told at the end
    /// ([`Transcript::tell_recovered`]).
    pub async fn reconcile(
        &self,
        incident: IncidentId,
        channel: ChannelId,
        page: Vec<crate::domain::transcript::HistoryMessage>,
        span: Option<(i64, i64)>,
    ) -> Result<crate::domain::transcript::Recovered, ServiceError> {
        let ids = page.iter().map(|h| h.msg.message.as_i64());
        let (from, until) = match span {
            Some(span) => span,
            None => (ids.clone().min().unwrap_or(0), ids.max().map_or(0, |m| m + 1)),
        };
        let latest: HashMap<MessageId, crate::domain::transcript::TranscriptLine> =
            self.core.store.latest_between(incident, channel, from, until).await?.into_iter().map(|l| (l.msg.message, l)).collect();
        let now = self.core.clock.now();
        let mut found = crate::domain::transcript::Recovered::default();
        let present: std::collections::HashSet<MessageId> = page.iter().map(|h| h.msg.message).collect();
        let mut writes = vec![];
        for h in page {
            // The bot's own posts are recorded too, but are not news to the
            // channel (its notice of the last recovery, say).
            let people = usize::from(!h.msg.author_bot);
            match latest.get(&h.msg.message) {
                None => {
                    found.new += people;
                    writes.push(h.msg);
                }
                Some(l) if l.deleted_at.is_none() && l.msg.content != h.msg.content => {
                    found.edited += people;
                    writes.push(TranscriptMessage { at: h.edited_at.unwrap_or(now), ..h.msg });
                }
                Some(_) => {}
            }
        }
        let gone: Vec<&crate::domain::transcript::TranscriptLine> =
            latest.values().filter(|l| span.is_some() && l.deleted_at.is_none() && !present.contains(&l.msg.message)).collect();
        // Most pages of a re-read change nothing: no write transaction.
        if writes.is_empty() && gone.is_empty() {
            return Ok(found);
        }
        let mut tx = self.core.store.begin().await?;
        for m in &writes {
            tx.record_message(incident, m).await?;
        }
        for l in gone {
            if tx.mark_deleted(incident, l.msg.message, now).await? && !l.msg.author_bot {
                found.deleted += 1;
            }
        }
        tx.commit().await?;
        Ok(found)
    }

    /// Tells the channel, once, what was recovered while the bot was away.
    pub async fn tell_recovered(&self, incident: IncidentId, found: crate::domain::transcript::Recovered) -> Result<(), ServiceError> {
        use crate::domain::effect::{Effect, Notice};
        if !found.any() {
            return Ok(());
        }
        let notice = Notice::RecoveredWhileOffline { new: found.new, edited: found.edited, deleted: found.deleted };
        let mut tx = self.core.store.begin().await?;
        tx.enqueue(&Effect::PostNotice { incident, notice }, self.core.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores the new text of an edited message as a new version; the rest
    /// comes from the version before. With `author` given, an edit of a
    /// message never recorded becomes its first version.
    pub async fn record_edit(
        &self,
        channel: ChannelId,
        message: MessageId,
        content: String,
        attachments: Option<Vec<(String, String)>>,
        at: chrono::DateTime<chrono::Utc>,
        author: Option<EditAuthor>,
    ) -> Result<Kept, ServiceError> {
        let Some(incident) = self.core.store.incident_by_channel(channel).await? else {
            return Ok(Kept::NotIncident);
        };
        let last = self.core.store.latest_version(incident.id, message).await?.map(|l| l.msg);
        let msg = match (last, author) {
            (Some(last), _) if last.content == content => return Ok(Kept::Stored),
            (Some(last), _) => TranscriptMessage { content, at, attachments: attachments.unwrap_or(last.attachments), ..last },
            (None, Some(a)) => TranscriptMessage {
                message,
                channel,
                author: a.id,
                author_name: a.name,
                author_bot: a.bot,
                at,
                content,
                attachments: attachments.unwrap_or_default(),
                reply_to: None,
            },
            (None, None) => return Ok(Kept::UnknownMessage),
        };
        let mut tx = self.core.store.begin().await?;
        tx.record_message(incident.id, &msg).await?;
        tx.commit().await?;
        Ok(Kept::Stored)
    }

    pub async fn lines(&self, id: IncidentId) -> Result<Vec<TranscriptLine>, ServiceError> {
        Ok(self.core.store.transcript(id).await?)
    }
}
