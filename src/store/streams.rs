//! The rows of an incident too many to hold at once (a 300,000-message
//! incident, §4.4(4) kept for years): its events and its transcript as
//! streams, read in order as an export writes them.

use super::pages;
use super::transcript::{line, LINE};
use super::{event_record, Result, Store, StoreError};
use crate::domain::event::EventRecord;
use crate::domain::transcript::TranscriptLine;
use crate::domain::{ChannelId, IncidentId, MessageId};
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use std::sync::LazyLock;

impl Store {
    /// Every event of an incident, in chain order, read a page at a time.
    pub fn events_stream(&self, incident: IncidentId) -> BoxStream<'_, Result<EventRecord>> {
        let pages = stream::try_unfold(Some(0), move |after| async move {
            let Some(after) = after else { return Ok::<_, StoreError>(None) };
            let page = pages::events(&self.pool, self.backend, pages::Events::Of(incident.0), after).await?;
            let next = pages::next(&page, |e| e.seq);
            Ok(Some((stream::iter(page.into_iter().map(Ok)), next)))
        });
        pages.try_flatten().boxed()
    }

    /// The events of an incident that tell its story: all but one per
    /// message (`transcript_recorded`, which the transcript itself shows).
    pub async fn story_events(&self, incident: IncidentId) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT seq, incident_id, actor, at, kind, payload, prev_hash, hash FROM events \
             WHERE incident_id = $1 AND kind <> 'transcript_recorded' ORDER BY seq",
        )
        .bind(incident.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_record).collect()
    }

    /// Every version of every message of an incident, by message and
    /// version, read a page at a time.
    pub fn transcript_stream(&self, incident: IncidentId) -> BoxStream<'_, Result<TranscriptLine>> {
        let pages = stream::try_unfold(Some((0, 0)), move |after| async move {
            let Some(after) = after else { return Ok::<_, StoreError>(None) };
            let page = pages::transcript(&self.pool, self.backend, incident.0, after).await?;
            let next = pages::next(&page, |l| (l.msg.message.as_i64(), l.version));
            Ok(Some((stream::iter(page.into_iter().map(Ok)), next)))
        });
        pages.try_flatten().boxed()
    }
}

impl Store {
    /// The newest message of `channel` in the record of `incident`.
    pub async fn newest_message(&self, incident: IncidentId, channel: ChannelId) -> Result<Option<MessageId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT message_id FROM transcript WHERE channel_id = $1 AND incident_id = $2 ORDER BY message_id DESC LIMIT 1",
        )
        .bind(channel.as_i64())
        .bind(incident.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(MessageId::from_i64))
    }

    /// The newest version of every message of `channel` with an id in
    /// `[from, until)`, by id: what the record holds for one page of
    /// Discord's history.
    pub async fn latest_between(&self, incident: IncidentId, channel: ChannelId, from: i64, until: i64) -> Result<Vec<TranscriptLine>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {LINE} FROM transcript WHERE channel_id = $1 AND message_id >= $2 AND message_id < $3 AND incident_id = $4 \
                 ORDER BY message_id, version"
            )
        });
        let rows = sqlx::query(SQL.as_str()).bind(channel.as_i64()).bind(from).bind(until).bind(incident.0).fetch_all(&self.pool).await?;
        let mut latest: Vec<TranscriptLine> = Vec::with_capacity(rows.len());
        for r in &rows {
            let l = line(r)?;
            match latest.last_mut() {
                Some(last) if last.msg.message == l.msg.message => *last = l,
                _ => latest.push(l),
            }
        }
        Ok(latest)
    }
}
