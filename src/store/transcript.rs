//! §4.2 "collected in one place": every message of an incident channel.
//! Edits add a version; deletions are marked, never erased.

use super::{Result, Store, WriteTx};
use crate::clock::{from_ms, to_ms};
use crate::domain::transcript::{Attachment, Kept, TranscriptLine, TranscriptMessage};
use crate::domain::{Actor, ChannelId, EventPayload, IncidentId, MessageId, UserId};
use chrono::{DateTime, Utc};
use sqlx::Row;

impl WriteTx {
    /// Stores a new message or a new version of an edited one; the event
    /// carries the content's digest so `verify` covers the transcript. An
    /// edit that arrives after the deletion (events race) stays deleted.
    pub async fn record_message(&mut self, incident: IncidentId, m: &TranscriptMessage) -> Result<i64> {
        // A message delivered again (a gateway resume replays events, the
        // history fetched after a restart overlaps) is not a new version:
        // only a changed text or set of files is.
        let latest =
            sqlx::query("SELECT version, content, attachments FROM transcript WHERE message_id = $1 ORDER BY version DESC LIMIT 1")
                .bind(m.message.as_i64())
                .fetch_optional(self.conn())
                .await?;
        if let Some(r) = latest {
            let (content, files): (String, String) = (r.try_get("content")?, r.try_get("attachments")?);
            // Files by name: Discord signs its file links anew over time.
            let names = |f: &[(String, String)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            let stored: Vec<(String, String)> = serde_json::from_str(&files)?;
            if content == m.content && names(&stored) == names(&m.attachments) {
                return Ok(r.try_get("version")?);
            }
        }
        // One statement: the next version, and the deletion mark of the
        // versions before (an edit that arrives after the deletion stays
        // deleted).
        let row = sqlx::query(
            "INSERT INTO transcript (message_id, version, channel_id, incident_id, author_id, author_name, author_bot, at, content, attachments, reply_to, deleted_at) \
             SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, MAX(deleted_at) FROM transcript WHERE message_id = $1 \
             RETURNING version",
        )
        .bind(m.message.as_i64())
        .bind(m.channel.as_i64())
        .bind(incident.0)
        .bind(m.author.as_i64())
        .bind(&m.author_name)
        .bind(m.author_bot as i64)
        .bind(to_ms(m.at))
        .bind(&m.content)
        .bind(serde_json::to_string(&m.attachments)?)
        .bind(m.reply_to.map(|r| r.as_i64()))
        .fetch_one(self.conn())
        .await?;
        let version: i64 = row.try_get("version")?;
        if !m.author_bot {
            self.acted(incident, to_ms(m.at));
        }
        let actor = Actor::User(m.author);
        self.append(
            Some(incident),
            actor,
            m.at,
            &EventPayload::TranscriptRecorded { message: m.message, version, digest: crate::domain::event::digest(&m.content) },
        )
        .await?;
        Ok(version)
    }

    /// Marks every version of a message deleted; returns false when the
    /// message was never recorded.
    pub async fn mark_deleted(&mut self, incident: IncidentId, message: MessageId, at: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query("UPDATE transcript SET deleted_at = $1 WHERE message_id = $2 AND deleted_at IS NULL")
            .bind(to_ms(at))
            .bind(message.as_i64())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.append(Some(incident), Actor::System, at, &EventPayload::TranscriptDeleted { message }).await?;
        Ok(true)
    }
}

impl WriteTx {
    /// A thread of an incident channel joins the record, or is renamed;
    /// `false` when nothing changed (a repeated event).
    pub async fn record_thread(&mut self, incident: IncidentId, thread: ChannelId, name: &str, at: DateTime<Utc>) -> Result<bool> {
        let known: Option<String> =
            sqlx::query_scalar("SELECT name FROM threads WHERE thread_id = $1").bind(thread.as_i64()).fetch_optional(self.conn()).await?;
        let payload = match known {
            Some(n) if n == name => return Ok(false),
            Some(_) => {
                sqlx::query("UPDATE threads SET name = $1 WHERE thread_id = $2")
                    .bind(name)
                    .bind(thread.as_i64())
                    .execute(self.conn())
                    .await?;
                EventPayload::ThreadRenamed { thread, name: name.to_string() }
            }
            None => {
                sqlx::query("INSERT INTO threads (thread_id, incident_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(thread.as_i64())
                    .bind(incident.0)
                    .bind(name)
                    .bind(to_ms(at))
                    .execute(self.conn())
                    .await?;
                EventPayload::ThreadOpened { thread, name: name.to_string() }
            }
        };
        self.append(Some(incident), Actor::System, at, &payload).await?;
        Ok(true)
    }
}

impl WriteTx {
    /// Keeps a posted file (or the reason it is not kept) once: a repeated
    /// event or a history read after a restart changes nothing. `false`
    /// when it was kept already.
    pub async fn keep_attachment(&mut self, incident: IncidentId, a: &Attachment, at: DateTime<Utc>) -> Result<bool> {
        let known: Option<i64> = sqlx::query_scalar("SELECT attachment_id FROM attachments WHERE attachment_id = $1")
            .bind(a.id as i64)
            .fetch_optional(self.conn())
            .await?;
        if known.is_some() {
            return Ok(false);
        }
        let (sha, content, reason, payload) = match &a.kept {
            Kept::Stored { sha256, content } => (
                Some(sha256.clone()),
                Some(content.clone()),
                None,
                EventPayload::AttachmentKept {
                    message: a.message,
                    attachment: a.id,
                    name: a.name.clone(),
                    size: a.size,
                    digest: sha256.clone(),
                },
            ),
            Kept::NotKept { reason } => (
                None,
                None,
                Some(reason.clone()),
                EventPayload::AttachmentNotKept {
                    message: a.message,
                    attachment: a.id,
                    name: a.name.clone(),
                    size: a.size,
                    reason: reason.clone(),
                },
            ),
        };
        sqlx::query(
            "INSERT INTO attachments (attachment_id, incident_id, message_id, name, size, sha256, content, reason, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(a.id as i64)
        .bind(incident.0)
        .bind(a.message.as_i64())
        .bind(&a.name)
        .bind(a.size as i64)
        .bind(sha)
        .bind(content)
        .bind(reason)
        .bind(to_ms(at))
        .execute(self.conn())
        .await?;
        self.append(Some(incident), Actor::System, at, &payload).await?;
        Ok(true)
    }
}

impl Store {
    /// A member's display name as seen at `at`; nothing when it is the name
    /// last seen already.
    pub async fn saw_person(&self, user: UserId, name: &str, at: DateTime<Utc>) -> Result<()> {
        let last: Option<String> = sqlx::query_scalar("SELECT name FROM people WHERE user_id = $1 ORDER BY seen_at DESC LIMIT 1")
            .bind(user.as_i64())
            .fetch_optional(&self.pool)
            .await?;
        if last.as_deref() == Some(name) {
            return Ok(());
        }
        let _turn = self.writer_turn().await;
        sqlx::query("INSERT INTO people (user_id, seen_at, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(user.as_i64())
            .bind(to_ms(at))
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every name seen, oldest first: `(user, since, name)`.
    pub async fn people(&self) -> Result<Vec<(UserId, DateTime<Utc>, String)>> {
        let rows = sqlx::query("SELECT user_id, seen_at, name FROM people ORDER BY seen_at").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((UserId::from_i64(r.try_get("user_id")?), from_ms(r.try_get("seen_at")?), r.try_get("name")?))).collect()
    }

    /// Whether a posted file was already kept (or recorded as not kept).
    pub async fn attachment_known(&self, id: u64) -> Result<bool> {
        let row: Option<i64> = sqlx::query_scalar("SELECT attachment_id FROM attachments WHERE attachment_id = $1")
            .bind(id as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The files posted in an incident's channel, in order, with their bytes.
    pub async fn attachments(&self, incident: IncidentId) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT attachment_id, message_id, name, size, sha256, content, reason FROM attachments WHERE incident_id = $1 ORDER BY message_id, attachment_id",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kept = match (r.try_get::<Option<String>, _>("sha256")?, r.try_get::<Option<Vec<u8>>, _>("content")?) {
                    (Some(sha256), Some(content)) => Kept::Stored { sha256, content },
                    _ => Kept::NotKept { reason: r.try_get::<Option<String>, _>("reason")?.unwrap_or_default() },
                };
                Ok(Attachment {
                    id: r.try_get::<i64, _>("attachment_id")? as u64,
                    message: MessageId::from_i64(r.try_get("message_id")?),
                    name: r.try_get("name")?,
                    size: r.try_get::<i64, _>("size")? as u64,
                    kept,
                })
            })
            .collect()
    }

    /// The transcript of an incident: every version, in time order.
    pub async fn transcript(&self, incident: IncidentId) -> Result<Vec<TranscriptLine>> {
        let rows = sqlx::query(&format!("SELECT {LINE} FROM transcript WHERE incident_id = $1 ORDER BY message_id, version"))
            .bind(incident.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(line).collect()
    }

    /// The newest version of one message of an incident, found by its key
    /// (an edit in an incident of 300,000 messages reads one row).
    pub async fn latest_version(&self, incident: IncidentId, message: MessageId) -> Result<Option<TranscriptLine>> {
        let row =
            sqlx::query(&format!("SELECT {LINE} FROM transcript WHERE message_id = $1 AND incident_id = $2 ORDER BY version DESC LIMIT 1"))
                .bind(message.as_i64())
                .bind(incident.0)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(line).transpose()
    }
}

/// The columns of a transcript line, in the order [`line`] reads them.
pub(super) const LINE: &str =
    "message_id, version, channel_id, author_id, author_name, author_bot, at, content, attachments, reply_to, deleted_at";

pub(super) fn line(r: &sqlx::any::AnyRow) -> Result<TranscriptLine> {
    line_of((
        r.try_get("message_id")?,
        r.try_get("version")?,
        r.try_get("channel_id")?,
        r.try_get("author_id")?,
        r.try_get("author_name")?,
        r.try_get("author_bot")?,
        r.try_get("at")?,
        r.try_get("content")?,
        r.try_get("attachments")?,
        r.try_get("reply_to")?,
        r.try_get("deleted_at")?,
    ))
}

/// The columns of [`LINE`], as read.
pub(super) type LineRow = (i64, i64, i64, i64, String, i64, i64, String, String, Option<i64>, Option<i64>);

pub(super) fn line_of(row: LineRow) -> Result<TranscriptLine> {
    let (message, version, channel, author, author_name, bot, at, content, attachments, reply_to, deleted_at) = row;
    Ok(TranscriptLine {
        version,
        deleted_at: deleted_at.map(from_ms),
        msg: TranscriptMessage {
            message: MessageId::from_i64(message),
            channel: ChannelId::from_i64(channel),
            author: UserId::from_i64(author),
            author_name,
            author_bot: bot != 0,
            at: from_ms(at),
            content,
            attachments: serde_json::from_str(&attachments)?,
            reply_to: reply_to.map(MessageId::from_i64),
        },
    })
}

impl WriteTx {
    /// A thread of an incident was deleted on Discord: noted once; its
    /// name and messages stay. `false` for a thread hikeshi never kept, or
    /// one whose deletion was noted already (a replayed event).
    pub async fn thread_deleted(&mut self, thread: ChannelId, at: DateTime<Utc>) -> Result<bool> {
        let incident: Option<i64> = sqlx::query_scalar("SELECT incident_id FROM threads WHERE thread_id = $1")
            .bind(thread.as_i64())
            .fetch_optional(self.conn())
            .await?;
        let Some(incident) = incident else {
            return Ok(false);
        };
        let marked = sqlx::query("UPDATE threads SET deleted_at = $1 WHERE thread_id = $2 AND deleted_at IS NULL")
            .bind(to_ms(at))
            .bind(thread.as_i64())
            .execute(self.conn())
            .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        self.append(Some(IncidentId(incident)), Actor::System, at, &EventPayload::ThreadDeleted { thread }).await?;
        Ok(true)
    }
}
