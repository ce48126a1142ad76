//! §4.2 "collected in one place": messages in incident channels are kept.

use super::{Hikeshi, ServiceError};
use crate::domain::{ChannelId, MessageId};
use crate::store::TranscriptMessage;

impl Hikeshi {
    /// Stores a new message or an edit; `Ok(false)` when the channel is not
    /// an incident channel.
    pub async fn record_message(&self, msg: &TranscriptMessage) -> Result<bool, ServiceError> {
        let Some(incident) = self.store.incident_by_channel(msg.channel).await? else {
            return Ok(false);
        };
        let mut tx = self.store.begin().await?;
        tx.record_message(incident.id, msg).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks a deleted message; its text stays in the record.
    pub async fn record_deletion(&self, channel: ChannelId, message: MessageId) -> Result<bool, ServiceError> {
        let Some(incident) = self.store.incident_by_channel(channel).await? else {
            return Ok(false);
        };
        let mut tx = self.store.begin().await?;
        let found = tx.mark_deleted(incident.id, message, self.clock.now()).await?;
        tx.commit().await?;
        Ok(found)
    }
}

impl Hikeshi {
    /// Stores the new text of an edited message as a new version; the
    /// author and the rest come from the version before.
    pub async fn record_edit(
        &self,
        channel: ChannelId,
        message: MessageId,
        content: String,
        attachments: Option<Vec<(String, String)>>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, ServiceError> {
        let Some(incident) = self.store.incident_by_channel(channel).await? else {
            return Ok(false);
        };
        let Some(last) = self.store.transcript(incident.id).await?.into_iter().rfind(|l| l.msg.message == message) else {
            return Ok(false);
        };
        if last.msg.content == content {
            return Ok(true);
        }
        let msg = TranscriptMessage { content, at, attachments: attachments.unwrap_or(last.msg.attachments), ..last.msg };
        let mut tx = self.store.begin().await?;
        tx.record_message(incident.id, &msg).await?;
        tx.commit().await?;
        Ok(true)
    }
}
