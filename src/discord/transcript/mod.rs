//! §4.2 "collected in one place": every message of an incident channel,
//! its edits and deletions, into the transcript.

use super::rest::RestError;
use super::Ctx;
use crate::domain::transcript::TranscriptMessage;
use crate::domain::{ChannelId, MessageId, UserId};
use crate::service::{EditAuthor, Kept, ServiceError};
use serenity::all::{LightMethod, Message, MessageUpdateEvent, Request, Route};
use std::time::Duration;

mod recovery;
pub mod redact;

pub use recovery::recover;

/// Transcript writes retry briefly: a locked database must not lose a
/// message of the record, and an edit or deletion handled before the
/// message's own creation (gateway events run concurrently) waits for it.
/// `last_try` runs once the waiting is over. Returns what became of the
/// change, `None` when it could not be stored.
async fn keep<F>(what: &str, f: F) -> Option<Kept>
where
    F: Fn(bool) -> futures_util::future::BoxFuture<'static, Result<Kept, ServiceError>>,
{
    const TRIES: u32 = 8;
    for attempt in 1..=TRIES {
        let last_try = attempt == TRIES;
        match f(last_try).await {
            Ok(kept @ (Kept::Stored | Kept::NotIncident)) => return Some(kept),
            Ok(Kept::UnknownMessage) if !last_try => tokio::time::sleep(Duration::from_millis(25 * 2u64.pow(attempt))).await,
            Ok(Kept::UnknownMessage) => {
                tracing::debug!(what, "a change to a message never recorded");
                return Some(Kept::UnknownMessage);
            }
            Err(e) if e.is_transient() && !last_try => tokio::time::sleep(Duration::from_millis(25 * 2u64.pow(attempt))).await,
            Err(e) => {
                tracing::error!(error = %e, what, "could not store a transcript change");
                return None;
            }
        }
    }
    None
}

fn transcript_message(msg: &Message) -> TranscriptMessage {
    TranscriptMessage {
        message: MessageId(msg.id.get()),
        channel: ChannelId(msg.channel_id.get()),
        author: UserId(msg.author.id.get()),
        author_name: msg.author.name.clone(),
        author_bot: msg.author.bot,
        at: chrono::DateTime::from_timestamp(msg.timestamp.unix_timestamp(), 0).unwrap_or_default(),
        content: msg.content.clone(),
        attachments: msg.attachments.iter().map(|a| (a.filename.clone(), a.url.clone())).collect(),
        reply_to: msg
            .referenced_message
            .as_ref()
            .map(|r| MessageId(r.id.get()))
            .or_else(|| msg.message_reference.as_ref().and_then(|r| r.message_id).map(|m| MessageId(m.get()))),
    }
}

/// A new message, and the files posted with it. §4.2: a message in a
/// channel no incident knows may be in a thread whose creation is not
/// handled yet (gateway events run side by side): the channel is looked
/// up before the message is let go, and a thread of an incident channel
/// joins the record first.
pub async fn message(ctx: &Ctx, msg: Message) {
    let m = transcript_message(&msg);
    let app = ctx.app.clone();
    let store = || {
        keep("message", |_| {
            let (app, m) = (app.clone(), m.clone());
            Box::pin(async move { app.transcript().record_message(&m).await })
        })
    };
    if store().await == Some(Kept::NotIncident) && unknown_thread_joined(ctx, msg.channel_id).await {
        store().await;
    }
    keep_files(ctx, &msg).await;
}

/// Whether `channel`, unknown to every incident, is a thread of an
/// incident channel, now recorded. Each channel is looked up once per
/// process (messages arriving together wait for the one lookup), so a busy
/// ordinary channel costs one request; a failed lookup is tried again by
/// the next message.
async fn unknown_thread_joined(ctx: &Ctx, channel: serenity::all::ChannelId) -> bool {
    let cell = {
        let mut looked_up = ctx.looked_up.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a guild has at most a few thousand channels and threads.
        if looked_up.len() >= 10_000 {
            looked_up.clear();
        }
        looked_up.entry(channel.get()).or_default().clone()
    };
    let found = cell.get_or_try_init(|| async {
        let found: Result<serenity::all::GuildChannel, _> =
            ctx.rest.json(Request::new(Route::Channel { channel_id: channel }, LightMethod::Get)).await;
        match found {
            Ok(c) if c.thread_metadata.is_some() => Ok(thread(ctx, &c, true).await),
            Ok(_) => Ok(false),
            // Gone, or out of the bot's sight: never an incident's thread.
            Err(RestError::Refused { status: 403 | 404, .. }) => Ok(false),
            Err(e) => {
                tracing::warn!(channel = %channel, error = %e, "could not look up the channel of a message");
                Err(e)
            }
        }
    });
    found.await.is_ok_and(|joined| *joined)
}

/// The HTTP client that fetches posted files (Discord's CDN).
fn files_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap_or_default())
}

/// Fetches a posted file, at most `cap` bytes, trying three times.
async fn download(url: &str, cap: u64) -> Result<Vec<u8>, String> {
    let mut last = String::new();
    for attempt in 0..3u32 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
        }
        let mut response = match files_client().get(url).send().await {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                last = format!("HTTP {}", r.status());
                continue;
            }
            Err(e) => {
                last = e.without_url().to_string();
                continue;
            }
        };
        let mut bytes = vec![];
        loop {
            match response.chunk().await {
                Ok(Some(c)) => {
                    bytes.extend_from_slice(&c);
                    if bytes.len() as u64 > cap {
                        return Err(format!("larger than the {} MiB cap", cap / (1024 * 1024)));
                    }
                }
                Ok(None) => return Ok(bytes),
                Err(e) => {
                    last = e.without_url().to_string();
                    break;
                }
            }
        }
    }
    Err(last)
}

/// Files posted in an incident channel are evidence, and Discord's links to
/// them expire: each is fetched now and kept with its SHA-256 (§4.2,
/// §4.4(4)), or recorded as not kept with the reason.
async fn keep_files(ctx: &Ctx, msg: &Message) {
    use crate::domain::transcript::{Attachment, Kept as File};
    // Only files of incident channels (and their threads) are fetched.
    if msg.attachments.is_empty() || ctx.app.incidents().in_channel(ChannelId(msg.channel_id.get())).await.is_err() {
        return;
    }
    let cap = ctx.app.settings.max_attachment_bytes;
    for a in &msg.attachments {
        match ctx.app.transcript().attachment_known(a.id.get()).await {
            Ok(false) => {}
            Ok(true) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not look up a posted file");
                continue;
            }
        }
        let size = u64::from(a.size);
        let kept = if size > cap {
            File::NotKept { reason: format!("too large: {size} bytes, over the {} MiB cap", cap / (1024 * 1024)) }
        } else {
            match download(&a.url, cap).await {
                Ok(content) => File::Stored { sha256: crate::domain::event::digest_bytes(&content), content },
                Err(e) => File::NotKept { reason: format!("could not be fetched: {e}") },
            }
        };
        let file = Attachment { id: a.id.get(), message: MessageId(msg.id.get()), name: a.filename.clone(), size, kept };
        let channel = ChannelId(msg.channel_id.get());
        let app = ctx.app.clone();
        keep("attachment", |_| {
            let (app, file) = (app.clone(), file.clone());
            Box::pin(async move { app.transcript().keep_attachment(channel, &file).await })
        })
        .await;
    }
}

/// An edit: only edits of the text make a new version.
pub async fn edit(ctx: &Ctx, event: MessageUpdateEvent) {
    // Only edits of the text make a new version (embeds resolving do not).
    let Some(content) = event.content.clone() else {
        return;
    };
    let app = ctx.app.clone();
    let channel = ChannelId(event.channel_id.get());
    let message = MessageId(event.id.get());
    let at = event
        .edited_timestamp
        .map(|t| chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default())
        .unwrap_or_else(chrono::Utc::now);
    let attachments: Option<Vec<(String, String)>> =
        event.attachments.as_ref().map(|a| a.iter().map(|a| (a.filename.clone(), a.url.clone())).collect());
    let author = event.author.as_ref().map(|u| EditAuthor { id: UserId(u.id.get()), name: u.name.clone(), bot: u.bot });
    keep("edit", |last_try| {
        let (app, content, attachments) = (app.clone(), content.clone(), attachments.clone());
        // Only once the original had its chance is the edit stored alone.
        let author = if last_try { author.clone() } else { None };
        Box::pin(async move { app.transcript().record_edit(channel, message, content, attachments, at, author).await })
    })
    .await;
}

/// A deletion: marked, never erased.
pub async fn deletion(ctx: &Ctx, channel: serenity::all::ChannelId, message: serenity::all::MessageId) {
    let app = ctx.app.clone();
    keep("delete", |_| {
        let app = app.clone();
        Box::pin(async move { app.transcript().record_deletion(ChannelId(channel.get()), MessageId(message.get())).await })
    })
    .await;
}

/// A thread started or renamed: kept with its incident; a new one is
/// joined so that its messages reach the bot (a rename is not a reason to
/// join again: the bot is in it already).
pub async fn thread(ctx: &Ctx, t: &serenity::all::GuildChannel, new: bool) -> bool {
    let Some(parent) = t.parent_id else {
        return false;
    };
    let at = chrono::DateTime::from_timestamp(t.id.created_at().unix_timestamp(), 0).unwrap_or_default();
    match ctx.app.transcript().record_thread(ChannelId(parent.get()), ChannelId(t.id.get()), &t.name, at).await {
        Ok(true) => {
            if new && t.member.is_none() {
                let join = Request::new(Route::ChannelThreadMemberMe { channel_id: t.id }, LightMethod::Put);
                if let Err(e) = ctx.rest.send(join).await {
                    tracing::warn!(thread = %t.id, error = %e, "could not join an incident thread; its messages may not reach the record");
                }
            }
            true
        }
        Ok(false) => false,
        Err(e) => {
            tracing::error!(thread = %t.id, error = %e, "could not record an incident thread");
            false
        }
    }
}
