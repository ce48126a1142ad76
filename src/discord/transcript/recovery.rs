//! After a (re)connection that was not a resume: what was written, edited
//! or deleted in the open incidents' channels while the bot was away,
//! read back into the record (§4.2).

use super::{keep_files, thread, transcript_message};
use crate::discord::rest::{Lane, Rest, RestError};
use crate::discord::Ctx;
use crate::domain::transcript::Recovered;
use crate::domain::{ChannelId, MessageId};
use serenity::all::{LightMethod, Message, Request, Route};

/// One page of a channel's history (100 messages at most), oldest first:
/// just after `after`, or just before `before`, or the newest.
async fn page(
    rest: &Rest,
    channel: ChannelId,
    after: Option<MessageId>,
    before: Option<MessageId>,
    lane: Lane,
) -> Result<Vec<Message>, RestError> {
    let mut params = vec![("limit", PAGE.to_string())];
    if let Some(a) = after {
        params.push(("after", a.0.to_string()));
    }
    if let Some(b) = before {
        params.push(("before", b.0.to_string()));
    }
    let req = Request::new(Route::ChannelMessages { channel_id: channel.0.into() }, LightMethod::Get).params(Some(params));
    let mut got: Vec<Message> = rest.json_in(req, lane).await?;
    got.sort_by_key(|m| m.id);
    Ok(got)
}

const PAGE: usize = 100;

/// After a (re)connection that was not a resume, every open incident's
/// channel and its threads are read back and compared with the record
/// (§4.2). First what is new since the newest message the record holds
/// (Discord's `after`: a few requests), so that what was written while
/// away is in the record within seconds; then the whole history again,
/// for edits and deletions of older messages, in the background: its
/// requests go only when nothing else waits for Discord (a burst of
/// reports, a card, an answer go first).
pub async fn recover(ctx: &Ctx) {
    let places = places(ctx).await;
    let mut found = Vec::with_capacity(places.len());
    for (i, channel) in &places {
        found.push(catch_up(ctx, i, *channel).await);
    }
    for ((i, channel), mut found) in places.into_iter().zip(found) {
        found += reread(ctx, &i, channel).await;
        if let Err(e) = ctx.app.transcript().tell_recovered(i.id, found).await {
            tracing::warn!(incident = %i.number, error = %e, "could not tell the channel what was recovered");
        }
        if found.any() {
            tracing::info!(incident = %i.number, new = found.new, edited = found.edited, deleted = found.deleted, "recovered what happened while away");
        }
    }
}

/// Every open incident's channel and its threads (those started while
/// away included, and recorded now).
async fn places(ctx: &Ctx) -> Vec<(crate::domain::Incident, ChannelId)> {
    let open = match ctx.app.incidents().open().await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "could not list open incidents to recover their history");
            return vec![];
        }
    };
    // Nothing open: nothing to read back (and no request at start).
    if !open.iter().any(|i| i.channel.is_some()) {
        return vec![];
    }
    let guild = serenity::all::GuildId::new(ctx.app.settings.discord.guild);
    let active = Request::new(Route::GuildThreadsActive { guild_id: guild }, LightMethod::Get);
    let threads = match ctx.rest.json::<serenity::all::ThreadsData>(active).await {
        Ok(t) => t.threads,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the active threads");
            vec![]
        }
    };
    for t in &threads {
        thread(ctx, t, true).await;
    }
    let mut places = vec![];
    for i in open {
        let Some(channel) = i.channel else {
            continue;
        };
        for t in threads.iter().filter(|t| t.parent_id.map(|p| p.get()) == Some(channel.0)) {
            places.push((i.clone(), ChannelId(t.id.get())));
        }
        places.push((i, channel));
    }
    places
}

/// What was written after the newest message the record holds, page by
/// page from there (all of it for a channel the record holds nothing of).
async fn catch_up(ctx: &Ctx, i: &crate::domain::Incident, channel: ChannelId) -> Recovered {
    let mut found = Recovered::default();
    let mut after = match ctx.app.transcript().newest_recorded(i.id, channel).await {
        Ok(newest) => newest.unwrap_or(MessageId(0)),
        Err(e) => {
            tracing::warn!(incident = %i.number, error = %e, "could not read the record to catch up");
            return found;
        }
    };
    loop {
        let messages = match page(&ctx.rest, channel, Some(after), None, Lane::Now).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(incident = %i.number, error = %e, "could not read the channel's new messages");
                return found;
            }
        };
        let full = messages.len() == PAGE;
        after = messages.last().map_or(after, |m| MessageId(m.id.get()));
        match store_page(ctx, i, channel, &messages, None).await {
            Some(more) => found += more,
            None => return found,
        }
        if !full {
            return found;
        }
    }
}

/// The whole history again, newest first, each page judged for the span
/// of ids it covers (a message of the record in that span that Discord
/// no longer has was deleted). Lowest priority under the global limit.
async fn reread(ctx: &Ctx, i: &crate::domain::Incident, channel: ChannelId) -> Recovered {
    let mut found = Recovered::default();
    let mut before: Option<MessageId> = None;
    // The record's newest now: a message of it that Discord no longer has
    // is judged even when it was the newest of all.
    let newest_kept = match ctx.app.transcript().newest_recorded(i.id, channel).await {
        Ok(n) => n.map_or(0, |m| m.as_i64() + 1),
        Err(e) => {
            tracing::warn!(incident = %i.number, error = %e, "could not read the record to read the history again");
            return found;
        }
    };
    loop {
        let messages = match page(&ctx.rest, channel, None, before, Lane::Idle).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(incident = %i.number, error = %e, "could not read the channel's history");
                return found;
            }
        };
        let (Some(oldest), Some(newest)) = (messages.first().map(|m| m.id.get() as i64), messages.last().map(|m| m.id.get() as i64)) else {
            return found;
        };
        let full = messages.len() == PAGE;
        // Messages newer than the first page's newest arrived meanwhile:
        // not judged. A short page reaches back to the channel's start.
        let until = before.map_or((newest + 1).max(newest_kept), |b| b.as_i64());
        let from = if full { oldest } else { 0 };
        match store_page(ctx, i, channel, &messages, Some((from, until))).await {
            Some(more) => found += more,
            None => return found,
        }
        if !full {
            return found;
        }
        before = Some(MessageId(oldest as u64));
    }
}

/// One page stored (see `Transcript::reconcile`), and the files of its
/// new messages kept (their links still work for about a day).
async fn store_page(
    ctx: &Ctx,
    i: &crate::domain::Incident,
    channel: ChannelId,
    messages: &[Message],
    span: Option<(i64, i64)>,
) -> Option<Recovered> {
    let history = messages
        .iter()
        .map(|m| crate::domain::transcript::HistoryMessage {
            msg: transcript_message(m),
            edited_at: m.edited_timestamp.and_then(|t| chrono::DateTime::from_timestamp(t.unix_timestamp(), 0)),
        })
        .collect();
    let found = ctx.app.transcript().reconcile(i.id, channel, history, span).await;
    for m in messages {
        keep_files(ctx, m).await;
    }
    match found {
        Ok(found) => Some(found),
        Err(e) => {
            tracing::warn!(incident = %i.number, error = %e, "could not store the recovered history");
            None
        }
    }
}
