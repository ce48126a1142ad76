//! Issue 25, APPI: a message's text and its files' bytes taken out of the
//! record, and out of the database's files as far as the database allows.

use super::{Backend, Result, Store, WriteTx};
use crate::domain::event::digest;
use crate::domain::{ChannelId, IncidentId, MessageId};

/// What a redaction took away: each version's old text digest, each file's
/// digest, and the channel the message was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenAway {
    pub versions: Vec<(i64, String)>,
    pub files: Vec<(u64, String)>,
    pub channel: ChannelId,
}

impl WriteTx {
    /// Every version of `message` reads `marker`, its files' bytes are
    /// dropped; `None` when the record holds no such message of the
    /// incident, or it was redacted already. SQLite zeroes what it frees
    /// (`secure_delete`), so the old text does not linger in the page.
    pub async fn redact_message(&mut self, incident: IncidentId, message: MessageId, marker: &str) -> Result<Option<TakenAway>> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT version, content, channel_id FROM transcript WHERE incident_id = $1 AND message_id = $2 ORDER BY version",
        )
        .bind(incident.0)
        .bind(message.as_i64())
        .fetch_all(self.conn())
        .await?;
        let Some(channel) = rows.first().map(|r| ChannelId::from_i64(r.2)) else { return Ok(None) };
        if rows.iter().all(|(_, content, _)| content == marker) {
            return Ok(None);
        }
        let versions = rows.iter().map(|(version, content, _)| (*version, digest(content))).collect();
        if self.backend() == Backend::Sqlite {
            sqlx::query("PRAGMA secure_delete = ON").execute(self.conn()).await?;
        }
        sqlx::query("UPDATE transcript SET content = $1, attachments = '[]' WHERE incident_id = $2 AND message_id = $3")
            .bind(marker)
            .bind(incident.0)
            .bind(message.as_i64())
            .execute(self.conn())
            .await?;
        let files: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT attachment_id, sha256 FROM attachments WHERE incident_id = $1 AND message_id = $2 AND content IS NOT NULL ORDER BY attachment_id",
        )
        .bind(incident.0)
        .bind(message.as_i64())
        .fetch_all(self.conn())
        .await?;
        sqlx::query("UPDATE attachments SET content = NULL, reason = $1 WHERE incident_id = $2 AND message_id = $3")
            .bind(marker)
            .bind(incident.0)
            .bind(message.as_i64())
            .execute(self.conn())
            .await?;
        if self.backend() == Backend::Sqlite {
            sqlx::query("PRAGMA secure_delete = OFF").execute(self.conn()).await?;
        }
        let files = files.into_iter().map(|(id, d)| (id as u64, d.unwrap_or_default())).collect();
        Ok(Some(TakenAway { versions, files, channel }))
    }
}

impl Store {
    /// After a redaction: SQLite's log folded into the file and emptied
    /// (it may still hold the old pages); PostgreSQL's old row versions
    /// vacuumed (their space reused; the server's own WAL and backups keep
    /// what they kept, see the README).
    pub async fn scrub(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                for _ in 0..20 {
                    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
                    if busy == 0 {
                        return Ok(());
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                tracing::warn!(
                    "the database's log could not be emptied after a redaction (readers kept it busy); it empties at the next checkpoint"
                );
            }
            Backend::Postgres => {
                sqlx::query("VACUUM transcript").execute(&self.pool).await?;
                sqlx::query("VACUUM attachments").execute(&self.pool).await?;
            }
        }
        Ok(())
    }
}
