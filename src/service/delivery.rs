//! What a delivered side effect produced is recorded in the same
//! transaction that marks the outbox item done: a crash in between leaves
//! the item to be delivered again, and the Discord layer makes that
//! redelivery find what the first one made.

use super::{Hikeshi, ServiceError};
use crate::domain::{Actor, ChannelId, EventPayload, MessageId};
use crate::store::OutboxItem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Nothing to remember.
    Done,
    /// The incident channel exists.
    ChannelCreated(ChannelId),
    /// The incident card was posted.
    CardPosted(MessageId),
    /// The channel moved to the archive.
    Archived(ChannelId),
}

impl Hikeshi {
    pub async fn delivered(&self, item: &OutboxItem, result: Delivered) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = item.effect.incident() {
            let event = match result {
                Delivered::Done => None,
                Delivered::ChannelCreated(channel) => Some(EventPayload::ChannelCreated { channel }),
                Delivered::CardPosted(message) => Some(EventPayload::CardPosted { message }),
                Delivered::Archived(channel) => Some(EventPayload::Archived { channel }),
            };
            if let Some(event) = event {
                let mut incident = tx.incident(id).await?;
                match result {
                    Delivered::ChannelCreated(c) => incident.channel = Some(c),
                    Delivered::CardPosted(m) => incident.card_message = Some(m),
                    _ => {}
                }
                tx.save_incident(&incident, now).await?;
                tx.append(Some(id), Actor::System, now, &event).await?;
                if matches!(result, Delivered::ChannelCreated(_)) {
                    tx.hurry(id, now).await?;
                }
            }
        }
        tx.complete(item.id, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
