//! Years of records in flat time: verify from a checkpoint, the watched
//! incidents and the last activity kept in columns, a message found by key.

use super::{fresh_postgres, fresh_sqlite, skipped_postgres};
use super::{now, open};
use crate::domain::event::ChainBreak;
use crate::domain::transcript::TranscriptMessage;
use crate::domain::{Actor, ChannelId, EventPayload, IncidentId, MessageId, Phase, UserId};
use crate::store::Store;

both_backends!(
    verify_from_a_checkpoint_reads_only_what_is_new,
    a_row_added_by_hand_is_found_by_the_whole_check,
    the_scheduler_reads_only_watched_incidents,
    the_last_activity_is_kept_as_people_act,
    a_message_is_found_by_its_key,
    an_incidents_rows_stream_in_order_and_its_story_without_messages,
);

fn msg(id: u64, content: &str, bot: bool) -> TranscriptMessage {
    TranscriptMessage {
        message: MessageId(id),
        channel: ChannelId(55),
        author: UserId(if bot { 1 } else { 7 }),
        author_name: "alice".into(),
        author_bot: bot,
        at: now() + chrono::Duration::seconds(id as i64),
        content: content.into(),
        attachments: vec![],
        reply_to: None,
    }
}

async fn record(store: &Store, incident: IncidentId, m: &TranscriptMessage) {
    let mut tx = store.begin().await.unwrap();
    tx.record_message(incident, m).await.unwrap();
    tx.commit().await.unwrap();
}

async fn verify_from_a_checkpoint_reads_only_what_is_new(store: Store) {
    let a = open(&store, None).await;
    record(&store, a.id, &msg(1, "first", false)).await;
    let full = store.verify_after(0).await.unwrap().unwrap();
    store.keep_verified_head(&full).await.unwrap();
    assert_eq!(store.verified_head().await.unwrap(), Some(full.head.0));
    record(&store, a.id, &msg(2, "second", false)).await;
    record(&store, a.id, &msg(3, "third", false)).await;
    let new = store.verify_after(full.head.0).await.unwrap().unwrap();
    assert_eq!((new.events, new.head.0), (2, full.head.0 + 2), "only the two new events are read");
    // An old row edited is not what a daily check reads; the whole check finds it.
    sqlx::query("UPDATE transcript SET content = 'x' WHERE message_id = 1").execute(store.pool()).await.unwrap();
    assert!(store.verify_after(full.head.0).await.unwrap().is_ok());
    assert!(matches!(store.verify().await.unwrap(), Err(ChainBreak::RecordEdited(w)) if w.contains("message 1 ")));
    // A new row edited is found by the daily check.
    sqlx::query("UPDATE transcript SET content = 'y' WHERE message_id = 3").execute(store.pool()).await.unwrap();
    assert!(matches!(store.verify_after(full.head.0).await.unwrap(), Err(ChainBreak::RecordEdited(w)) if w.contains("message 3 ")));
    // A checkpoint past the chain's end: the newest events were deleted.
    let past = new.head.0 + 5;
    assert_eq!(store.verify_after(past).await.unwrap(), Err(ChainBreak::Truncated { last: new.head.0, head: new.head.0 }));
}

async fn a_row_added_by_hand_is_found_by_the_whole_check(store: Store) {
    let a = open(&store, None).await;
    record(&store, a.id, &msg(1, "first", false)).await;
    assert!(store.verify().await.unwrap().is_ok());
    sqlx::query(
        "INSERT INTO transcript (message_id, version, channel_id, incident_id, author_id, author_name, author_bot, at, content, attachments) \
         VALUES (9, 1, 55, $1, 7, 'mallory', 0, 0, 'it was fine', '[]')",
    )
    .bind(a.id.0)
    .execute(store.pool())
    .await
    .unwrap();
    assert!(matches!(store.verify().await.unwrap(), Err(ChainBreak::RecordEdited(w)) if w.contains("message 9 ")));
}

async fn the_scheduler_reads_only_watched_incidents(store: Store) {
    let a = open(&store, None).await;
    let mut b = open(&store, None).await;
    let ids = |v: Vec<crate::domain::Incident>| v.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![a.id, b.id]);
    b.phase = Phase::Closed;
    let mut tx = store.begin().await.unwrap();
    tx.save_incident(&b, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![a.id], "closed with nothing owed");
    // A row marked watched by the migration is set right once looked at;
    // an open one stays.
    sqlx::query("UPDATE incidents SET watched = 1").execute(store.pool()).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.unwatch(a.id).await.unwrap();
    tx.unwatch(b.id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![a.id]);
    // Told when to look again, a tick reads it only from then; a change of
    // its state, or a restart, has it read at the next tick.
    let later = now() + chrono::Duration::days(7);
    let mut tx = store.begin().await.unwrap();
    tx.look_again_at(a.id, Some(later)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![]);
    assert_eq!(ids(store.incidents_to_look_at(later).await.unwrap()), vec![a.id]);
    let mut tx = store.begin().await.unwrap();
    tx.save_incident(&a, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![a.id], "saved: looked at again");
    let mut tx = store.begin().await.unwrap();
    tx.look_again_at(a.id, Some(later)).await.unwrap();
    tx.commit().await.unwrap();
    store.look_at_all_again().await.unwrap();
    assert_eq!(ids(store.incidents_to_look_at(now()).await.unwrap()), vec![a.id], "after a restart");
}

async fn the_last_activity_is_kept_as_people_act(store: Store) {
    let a = open(&store, None).await;
    let since = now() - chrono::Duration::days(1);
    // Opening it was the reporter's act.
    assert_eq!(store.activity(a.id, since).await.unwrap().last, now());
    record(&store, a.id, &msg(10, "a person", false)).await;
    assert_eq!(store.activity(a.id, since).await.unwrap().last, now() + chrono::Duration::seconds(10));
    // The bot's posts and the system's events are not people acting.
    record(&store, a.id, &msg(20, "the bot", true)).await;
    let mut tx = store.begin().await.unwrap();
    tx.append(Some(a.id), Actor::System, now() + chrono::Duration::seconds(30), &EventPayload::CardPosted { message: MessageId(4) })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.activity(a.id, since).await.unwrap().last, now() + chrono::Duration::seconds(10));
    // A person's act later than anything before; an older one changes nothing.
    let mut tx = store.begin().await.unwrap();
    let later = now() + chrono::Duration::seconds(40);
    tx.append(Some(a.id), Actor::User(UserId(8)), later, &EventPayload::CardPosted { message: MessageId(5) }).await.unwrap();
    tx.append(Some(a.id), Actor::User(UserId(8)), now(), &EventPayload::CardPosted { message: MessageId(6) }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.activity(a.id, since).await.unwrap().last, later);
}

async fn a_message_is_found_by_its_key(store: Store) {
    let a = open(&store, None).await;
    let b = open(&store, None).await;
    record(&store, a.id, &msg(1, "v1", false)).await;
    record(&store, a.id, &msg(1, "v2", false)).await;
    let last = store.latest_version(a.id, MessageId(1)).await.unwrap().unwrap();
    assert_eq!((last.version, last.msg.content.as_str()), (2, "v2"));
    assert!(store.latest_version(b.id, MessageId(1)).await.unwrap().is_none(), "another incident's message");
    assert!(store.latest_version(a.id, MessageId(2)).await.unwrap().is_none());
}

/// An export reads an incident's rows as streams: every version by message
/// and version, every event in chain order; the story held in memory is
/// the events without one per message.
async fn an_incidents_rows_stream_in_order_and_its_story_without_messages(store: Store) {
    use futures_util::TryStreamExt;
    let (a, b) = (open(&store, None).await, open(&store, None).await);
    record(&store, a.id, &msg(9, "later id, written first", false)).await;
    record(&store, b.id, &msg(5, "another incident", false)).await;
    record(&store, a.id, &msg(3, "first", false)).await;
    record(&store, a.id, &msg(3, "first, edited", false)).await;
    let lines: Vec<_> = store.transcript_stream(a.id).try_collect().await.unwrap();
    let keys: Vec<(u64, i64)> = lines.iter().map(|l| (l.msg.message.0, l.version)).collect();
    assert_eq!(keys, [(3, 1), (3, 2), (9, 1)]);
    assert_eq!(lines[1].msg.content, "first, edited");
    let events: Vec<_> = store.events_stream(a.id).try_collect().await.unwrap();
    assert_eq!(events, store.events_of(a.id).await.unwrap());
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(events.iter().filter(|e| e.kind == "transcript_recorded").count(), 3);
    let story = store.story_events(a.id).await.unwrap();
    assert_eq!(story, events.iter().filter(|e| e.kind != "transcript_recorded").cloned().collect::<Vec<_>>());
    assert!(!story.is_empty());
}
