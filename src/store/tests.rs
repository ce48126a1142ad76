//! One storage suite, run on SQLite and (with `TEST_DATABASE_URL`) on
//! PostgreSQL.

use super::testing::{fresh_postgres, fresh_sqlite, skipped_postgres};
use super::*;
use crate::domain::incident::{NewIncident, Noticed};
use crate::domain::transcript::TranscriptMessage;
use crate::domain::{Actor, Category, Effect, Incident, IncidentId, MessageId, Phase, UserId};
use chrono::{TimeZone, Utc};

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let store = super::fresh_sqlite(dir.path()).await.unwrap();
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
                async fn $name() {
                    match super::fresh_postgres().await.unwrap() {
                        Some(store) => super::$name(store).await,
                        None => super::skipped_postgres(stringify!($name)),
                    }
                }
            )*
        }
    };
}

both_backends!(
    incidents_round_trip_with_numbers_per_year,
    the_same_source_finds_the_same_incident,
    a_rolled_back_transaction_leaves_nothing,
    verify_passes_fresh_and_finds_tampering,
    outbox_claims_are_exclusive_and_leases_expire,
    an_incidents_effects_are_claimed_in_the_order_decided,
    pending_refreshes_coalesce,
    a_bursts_notice_and_board_wait_for_its_channels_and_cards,
    transcript_keeps_versions_and_marks_deletions,
    attachments_keep_their_bytes_once_and_verify_checks_them,
    a_window_is_taken_once,
    concurrent_writers_keep_one_chain,
    own_posts_are_found_by_channel_and_nonce_and_forgotten_after_a_day,
    the_oldest_due_item_ignores_those_put_off,
    letters_are_kept_once_per_source_and_the_first_per_incident_is_told,
);

async fn letters_are_kept_once_per_source_and_the_first_per_incident_is_told(store: Store) {
    use crate::domain::IncidentId;
    let (dave, alice) = (UserId(4), UserId(1));
    assert!(store.keep_letter(dave, Some(IncidentId(1)), "hk1-0", "a", now()).await.unwrap(), "the first for INC 1");
    assert!(!store.keep_letter(dave, Some(IncidentId(1)), "hk1-0", "a", now()).await.unwrap(), "a retry keeps nothing twice");
    assert!(!store.keep_letter(dave, Some(IncidentId(1)), "hk2-0", "b", now()).await.unwrap(), "not the first for INC 1");
    assert!(store.keep_letter(dave, Some(IncidentId(2)), "hk3-0", "c", now()).await.unwrap(), "the first for INC 2");
    assert!(store.keep_letter(dave, None, "hk4", "d", now()).await.unwrap(), "the first about no incident");
    assert!(!store.keep_letter(dave, None, "hk5", "e", now()).await.unwrap());
    assert!(store.keep_letter(alice, Some(IncidentId(1)), "hk6-1", "f", now()).await.unwrap(), "by member");
    let texts: Vec<String> = store.letters_for(dave, 10).await.unwrap().into_iter().map(|l| l.text).collect();
    assert_eq!(texts, vec!["e", "d", "c", "b", "a"], "newest first, each once");
    assert_eq!(store.letters_for(dave, 2).await.unwrap().len(), 2);
    assert_eq!(store.letters_for(UserId(99), 10).await.unwrap(), vec![]);
    let mine = open(&store, None).await;
    assert_eq!(store.reports_by(UserId(7), 10).await.unwrap().iter().map(|i| i.id).collect::<Vec<_>>(), vec![mine.id]);
    assert_eq!(store.reports_by(dave, 10).await.unwrap(), vec![]);
}

async fn own_posts_are_found_by_channel_and_nonce_and_forgotten_after_a_day(store: Store) {
    use crate::domain::{ChannelId, MessageId};
    let (c, other) = (ChannelId(10), ChannelId(11));
    assert_eq!(store.post_seen(c, "hk1").await.unwrap(), None);
    store.saw_post(c, "hk1", MessageId(100), now()).await.unwrap();
    // Seen twice (two sessions): the first stays.
    store.saw_post(c, "hk1", MessageId(101), now()).await.unwrap();
    assert_eq!(store.post_seen(c, "hk1").await.unwrap(), Some(MessageId(100)));
    assert_eq!(store.post_seen(other, "hk1").await.unwrap(), None, "by channel");
    assert_eq!(store.post_seen(c, "hk2").await.unwrap(), None, "by nonce");
    store.forget_posts_before(now()).await.unwrap();
    assert_eq!(store.post_seen(c, "hk1").await.unwrap(), Some(MessageId(100)), "not older than the limit");
    store.forget_posts_before(now() + chrono::Duration::milliseconds(1)).await.unwrap();
    assert_eq!(store.post_seen(c, "hk1").await.unwrap(), None);
}

async fn the_oldest_due_item_ignores_those_put_off(store: Store) {
    assert_eq!(store.outbox_oldest_due(now()).await.unwrap(), None);
    let i = open(&store, None).await;
    let due = store.outbox_oldest_due(now() + chrono::Duration::minutes(10)).await.unwrap().expect("the report's effects are due");
    assert!(due <= now() + chrono::Duration::minutes(10), "{due}");
    // Everything claimed and put off an hour (a rate limit, a backoff).
    loop {
        let items = store.claim("w", now() + chrono::Duration::minutes(10), chrono::Duration::seconds(30), 100).await.unwrap().items;
        if items.is_empty() {
            break;
        }
        for item in &items {
            store.retry_at(item.id, now() + chrono::Duration::hours(1), "rate limited", false).await.unwrap();
        }
    }
    assert_eq!(i.number.year, 2026);
    assert_eq!(store.outbox_oldest_due(now() + chrono::Duration::minutes(10)).await.unwrap(), None, "put off: not due");
    assert!(store.outbox_oldest_due(now() + chrono::Duration::hours(2)).await.unwrap().is_some());
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap()
}

fn new_incident(number: crate::domain::IncidentNumber, reporter: UserId) -> NewIncident {
    NewIncident {
        number,
        category: Category::Unsure,
        kind: None,
        title: "不審なメール".into(),
        description: "リンクを開いた".into(),
        noticed: Noticed { text: String::new(), at: now(), understood: true },
        impact: String::new(),
        affected: vec![],
        reporter,
        playbook: None,
        confidential: false,
        taken: None,
    }
}

async fn open(store: &Store, source: Option<&str>) -> Incident {
    let mut tx = store.begin().await.unwrap();
    let number = tx.next_number(false, now(), chrono_tz::Asia::Tokyo).await.unwrap();
    let id = tx.reserve_incident_ids(1).await.unwrap()[0];
    let (incident, outcome) = Incident::open(id, new_incident(number, UserId(7)), now());
    tx.insert_incident(&incident, source, now()).await.unwrap();
    tx.record(Some(id), Actor::User(UserId(7)), now(), &outcome).await.unwrap();
    tx.commit().await.unwrap();
    incident
}

async fn incidents_round_trip_with_numbers_per_year(store: Store) {
    let a = open(&store, None).await;
    let b = open(&store, None).await;
    assert_eq!(a.number.to_string(), "INC-2026-0001");
    assert_eq!(b.number.to_string(), "INC-2026-0002");
    let back = store.incident(a.id).await.unwrap().unwrap();
    assert_eq!(back, a);
    assert_eq!(back.title, "不審なメール");
    assert_eq!(store.incident_by_number(b.number).await.unwrap().unwrap().id, b.id);
    assert_eq!(store.open_incidents().await.unwrap().len(), 2);
    // Drills are numbered apart.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_number(true, now(), chrono_tz::Asia::Tokyo).await.unwrap().to_string(), "DRILL-2026-0001");
    tx.commit().await.unwrap();
}

async fn the_same_source_finds_the_same_incident(store: Store) {
    let a = open(&store, Some("interaction:1")).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.incident_by_source("interaction:1").await.unwrap().map(|i| i.id), Some(a.id));
    assert!(tx.incident_by_source("interaction:2").await.unwrap().is_none());
}

async fn a_rolled_back_transaction_leaves_nothing(store: Store) {
    {
        let mut tx = store.begin().await.unwrap();
        let number = tx.next_number(false, now(), chrono_tz::Asia::Tokyo).await.unwrap();
        let id = tx.reserve_incident_ids(1).await.unwrap()[0];
        tx.insert_incident(&Incident::open(id, new_incident(number, UserId(1)), now()).0, None, now()).await.unwrap();
        tx.enqueue(&Effect::RefreshStatusBoard, now()).await.unwrap();
        // dropped without commit
    }
    assert_eq!(store.count_incidents().await.unwrap(), 0);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 0);
    assert_eq!(store.verify().await.unwrap(), Ok(0));
    // The number was not consumed either.
    assert_eq!(open(&store, None).await.number.seq, 1);
}

async fn verify_passes_fresh_and_finds_tampering(store: Store) {
    assert_eq!(store.verify().await.unwrap(), Ok(0));
    open(&store, None).await;
    open(&store, None).await;
    assert_eq!(store.verify().await.unwrap(), Ok(2));
    sqlx::query("UPDATE events SET payload = REPLACE(payload, '不審', '普通') WHERE seq = 1").execute(store.pool()).await.unwrap();
    assert_eq!(store.verify().await.unwrap(), Err(crate::domain::event::ChainBreak::Edited { seq: 1 }));
}

/// Claims as `claim` does, leaving out what goes to the organisation's
/// tools (issue 26: queued with every report, not what these tests are about).
async fn claim_discord(
    store: &Store,
    worker: &str,
    at: chrono::DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Vec<crate::domain::effect::OutboxItem> {
    let items = store.claim(worker, at, lease, limit).await.unwrap().items;
    items.into_iter().filter(|i| !i.effect.leaves_discord()).collect()
}

async fn outbox_claims_are_exclusive_and_leases_expire(store: Store) {
    let a = open(&store, None).await;
    let lease = chrono::Duration::seconds(30);
    let first = claim_discord(&store, "w1", now(), lease, 2).await;
    assert_eq!(
        first.iter().map(|i| &i.effect).collect::<Vec<_>>(),
        vec![&Effect::CreateChannel { incident: a.id }, &Effect::PostCard { incident: a.id }]
    );
    // Nothing is claimed twice; the committee's notice and the board wait
    // while w1 delivers the channel and the card.
    assert_eq!(claim_discord(&store, "w2", now(), lease, 10).await, vec![]);
    let b = open(&store, None).await;
    let second = claim_discord(&store, "w2", now(), lease, 10).await;
    assert!(second.iter().all(|i| !first.iter().any(|f| f.id == i.id)), "an item was claimed twice");
    assert_eq!(
        second.iter().map(|i| &i.effect).collect::<Vec<_>>(),
        vec![&Effect::CreateChannel { incident: b.id }, &Effect::PostCard { incident: b.id }]
    );
    assert_eq!(claim_discord(&store, "w3", now(), lease, 10).await, vec![]);
    // w1 and w2 die: after their lease, their items come back, oldest first.
    let again = claim_discord(&store, "w3", now() + lease + chrono::Duration::seconds(1), lease, 2).await;
    assert_eq!(again.iter().map(|i| i.id).collect::<Vec<_>>(), first.iter().map(|i| i.id).collect::<Vec<_>>());
    assert_eq!(again[0].attempts, 2);
    // Completing and retrying.
    let mut tx = store.begin().await.unwrap();
    tx.complete(again[0].id, now()).await.unwrap();
    tx.commit().await.unwrap();
    store.retry_at(again[1].id, now() + chrono::Duration::minutes(5), "503", true).await.unwrap();
    let later = claim_discord(&store, "w4", now() + chrono::Duration::minutes(6), lease, 10).await;
    assert_eq!(later.iter().filter(|i| i.id == again[1].id).count(), 1);
    store.give_up(again[1].id, "403", now(), None).await.unwrap();
    let stats = store.outbox_stats().await.unwrap();
    // In flight: b's channel and card (w2's lease ran out), the notice and
    // the board (they waited no longer than DEFER_AT_MOST), and what the
    // tools hear of each report.
    assert_eq!((stats.done, stats.dead, stats.inflight), (1, 1, 6));
}

/// A burst of reports: their notice and the status board wait while
/// fresh channels and cards are due or in flight, then go; they wait no
/// longer than DEFER_AT_MOST however long the burst; and a coalesced
/// message is never delivered twice at once.
async fn a_bursts_notice_and_board_wait_for_its_channels_and_cards(store: Store) {
    let lease = chrono::Duration::seconds(30);
    let summaries = |items: &[crate::domain::effect::OutboxItem]| {
        items.iter().filter(|i| matches!(i.effect, Effect::CommitteeNotices | Effect::RefreshStatusBoard)).count()
    };
    let a = open(&store, None).await;
    let b = open(&store, None).await;
    let first = claim_discord(&store, "w", now(), lease, 100).await;
    assert_eq!(first.len(), 4, "both channels and cards: {first:?}");
    assert_eq!(summaries(&first), 0);
    let mut tx = store.begin().await.unwrap();
    for item in first.iter().filter(|i| i.effect.incident() == Some(a.id)) {
        tx.complete(item.id, now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    // b's card is still in flight.
    assert_eq!(claim_discord(&store, "w", now(), lease, 100).await, vec![]);
    let mut tx = store.begin().await.unwrap();
    for item in first.iter().filter(|i| i.effect.incident() == Some(b.id)) {
        tx.complete(item.id, now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let then = claim_discord(&store, "w", now(), lease, 100).await;
    assert_eq!(summaries(&then), 2, "{then:?}");
    // While the notice is in flight, the one queued meanwhile waits for it.
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&Effect::CommitteeNotices, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claim_discord(&store, "w2", now(), lease, 100).await, vec![]);
    for item in &then {
        store.retry_at(item.id, now(), "500", true).await.unwrap();
    }
    // The failed notice is superseded by the pending one; one of each goes.
    let again = claim_discord(&store, "w2", now(), lease, 100).await;
    assert_eq!(summaries(&again), 2, "{again:?}");
    // A storm that never ends: the summaries wait DEFER_AT_MOST at most.
    let mut tx = store.begin().await.unwrap();
    for item in &again {
        tx.complete(item.id, now()).await.unwrap();
    }
    tx.enqueue(&Effect::RefreshStatusBoard, now()).await.unwrap();
    tx.commit().await.unwrap();
    open(&store, None).await;
    let burst = claim_discord(&store, "w", now(), lease, 100).await;
    assert_eq!(summaries(&burst), 0, "{burst:?}");
    let storm = now() + super::outbox::DEFER_AT_MOST + chrono::Duration::seconds(1);
    open(&store, None).await;
    let late = claim_discord(&store, "w", storm, lease, 100).await;
    assert_eq!(summaries(&late), 2, "{late:?}");
}

/// `/incident add X` meets a 500 and is retried later; `/incident remove X`
/// comes meanwhile: the revoke is not claimed before the grant, by this
/// worker or another, while other incidents' items go on.
async fn an_incidents_effects_are_claimed_in_the_order_decided(store: Store) {
    let a = open(&store, None).await;
    let lease = chrono::Duration::seconds(30);
    // The channel and card first; then the notice and the board.
    for _ in 0..2 {
        let all = store.claim("w1", now(), lease, 10).await.unwrap().items;
        let mut tx = store.begin().await.unwrap();
        for item in &all {
            tx.complete(item.id, now()).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    let x = UserId(77);
    let enqueue = |e: Effect| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            tx.enqueue(&e, now()).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    enqueue(Effect::GrantAccess { incident: a.id, user: x }).await;
    let grant = store.claim("w1", now(), lease, 10).await.unwrap().items;
    assert_eq!(grant.iter().map(|i| &i.effect).collect::<Vec<_>>(), vec![&Effect::GrantAccess { incident: a.id, user: x }]);
    // While w1 holds the grant, another worker does not take the revoke.
    enqueue(Effect::RevokeAccess { incident: a.id, user: x }).await;
    assert_eq!(store.claim("w2", now(), lease, 10).await.unwrap().items, vec![]);
    // Discord answered 500: the grant waits five seconds; so does the revoke.
    store.retry_at(grant[0].id, now() + chrono::Duration::seconds(5), "500", true).await.unwrap();
    let b = open(&store, None).await;
    let meanwhile = store.claim("w2", now(), lease, 10).await.unwrap().items;
    assert!(!meanwhile.is_empty() && meanwhile.iter().all(|i| i.effect.incident() != Some(a.id)), "{meanwhile:?}");
    assert!(meanwhile.iter().any(|i| i.effect.incident() == Some(b.id)));
    let later = store.claim("w2", now() + chrono::Duration::seconds(6), lease, 10).await.unwrap().items;
    let of_a: Vec<&Effect> = later.iter().map(|i| &i.effect).filter(|e| e.incident() == Some(a.id)).collect();
    assert_eq!(of_a, vec![&Effect::GrantAccess { incident: a.id, user: x }, &Effect::RevokeAccess { incident: a.id, user: x }]);
    // A given-up item blocks nothing.
    let grant = later.iter().find(|i| matches!(i.effect, Effect::GrantAccess { .. })).unwrap();
    let revoke = later.iter().find(|i| matches!(i.effect, Effect::RevokeAccess { .. })).unwrap();
    store.give_up(grant.id, "403", now(), None).await.unwrap();
    store.retry_at(revoke.id, now(), "500", true).await.unwrap();
    let last = store.claim("w3", now() + chrono::Duration::seconds(7), lease, 10).await.unwrap().items;
    assert!(last.iter().any(|i| i.id == revoke.id), "{last:?}");
}

async fn pending_refreshes_coalesce(store: Store) {
    let id = IncidentId(1);
    open(&store, None).await;
    let before = store.outbox_stats().await.unwrap().pending;
    let mut tx = store.begin().await.unwrap();
    for _ in 0..3 {
        tx.enqueue(&Effect::RefreshCard { incident: id }, now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(store.outbox_stats().await.unwrap().pending, before + 1);
    // Once claimed, a new refresh is queued again (the claimed one may have
    // rendered the older state).
    let claimed = store.claim("w", now(), chrono::Duration::seconds(30), 100).await.unwrap().items;
    let refresh = claimed.iter().find(|i| i.effect == Effect::RefreshCard { incident: id }).unwrap().id;
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(&Effect::RefreshCard { incident: id }, now()).await.unwrap();
    tx.commit().await.unwrap();
    let pending_refreshes =
        || async { store.outbox_rows().await.unwrap().iter().filter(|r| r.kind == "refresh_card" && r.status == "pending").count() };
    assert_eq!(pending_refreshes().await, 1);
    // The old one failing is superseded by the pending one.
    store.retry_at(refresh, now(), "500", true).await.unwrap();
    assert_eq!(pending_refreshes().await, 1);
}

async fn transcript_keeps_versions_and_marks_deletions(store: Store) {
    let a = open(&store, None).await;
    let msg = TranscriptMessage {
        message: MessageId(900),
        channel: crate::domain::ChannelId(50),
        author: UserId(7),
        author_name: "alice".into(),
        author_bot: false,
        at: now(),
        content: "サーバが応答しません".into(),
        attachments: vec![("log.txt".into(), "https://cdn.example/log.txt".into())],
        reply_to: None,
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.record_message(a.id, &msg).await.unwrap(), 1);
    let edited = TranscriptMessage { content: "サーバが応答しません（復旧）".into(), ..msg.clone() };
    assert_eq!(tx.record_message(a.id, &edited).await.unwrap(), 2);
    assert!(tx.mark_deleted(a.id, MessageId(900), now()).await.unwrap());
    assert!(!tx.mark_deleted(a.id, MessageId(901), now()).await.unwrap());
    tx.commit().await.unwrap();
    let lines = store.transcript(a.id).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].msg, msg);
    assert_eq!(lines[1].msg.content, "サーバが応答しません（復旧）");
    assert!(lines.iter().all(|l| l.deleted_at.is_some()));
    assert!(store.verify().await.unwrap().is_ok());
    // Everything a row claims is vouched for: who wrote it, when, and
    // that it was deleted (issue 25) — each rewrite named, each put back.
    let broken = |sql: &'static str, undo: &'static str, what: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
            let found = store.verify().await.unwrap();
            assert!(matches!(&found, Err(crate::domain::event::ChainBreak::RecordEdited(w)) if w.contains(what)), "{sql}: {found:?}");
            sqlx::query(undo).execute(store.pool()).await.unwrap();
            assert!(store.verify().await.unwrap().is_ok(), "{undo}");
        }
    };
    broken("UPDATE transcript SET author_id = 8 WHERE version = 1", "UPDATE transcript SET author_id = 7", "(its author)").await;
    broken(
        "UPDATE transcript SET at = at + 1 WHERE version = 2",
        "UPDATE transcript SET at = at - 1 WHERE version = 2",
        "(when it was written)",
    )
    .await;
    let deleted_at: i64 = sqlx::query_scalar("SELECT deleted_at FROM transcript WHERE version = 1").fetch_one(store.pool()).await.unwrap();
    sqlx::query("UPDATE transcript SET deleted_at = NULL").execute(store.pool()).await.unwrap();
    assert!(
        matches!(store.verify().await.unwrap(), Err(crate::domain::event::ChainBreak::RecordEdited(w)) if w.contains("(its deletion)"))
    );
    sqlx::query("UPDATE transcript SET deleted_at = $1").bind(deleted_at).execute(store.pool()).await.unwrap();
    assert!(store.verify().await.unwrap().is_ok());
    // The transcript is tamper-evident too: an edited text, a deleted row.
    sqlx::query("UPDATE transcript SET content = 'nothing happened' WHERE version = 1").execute(store.pool()).await.unwrap();
    assert!(matches!(store.verify().await.unwrap(), Err(crate::domain::event::ChainBreak::RecordEdited(w)) if w.contains("version 1")));
    sqlx::query("DELETE FROM transcript WHERE version = 1").execute(store.pool()).await.unwrap();
    assert!(matches!(store.verify().await.unwrap(), Err(crate::domain::event::ChainBreak::RecordMissing(_))));
}

async fn concurrent_writers_keep_one_chain(store: Store) {
    let mut tasks = vec![];
    for _ in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { open(&s, None).await.number.seq }));
    }
    let mut seqs = vec![];
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=8).collect::<Vec<_>>());
    assert_eq!(store.verify().await.unwrap(), Ok(8));
    let phases: Vec<Phase> = store.open_incidents().await.unwrap().iter().map(|i| i.phase).collect();
    assert_eq!(phases.len(), 8);
}

async fn attachments_keep_their_bytes_once_and_verify_checks_them(store: Store) {
    use crate::domain::transcript::{Attachment, Kept};
    let a = open(&store, None).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let file = Attachment {
        id: 77,
        message: MessageId(900),
        name: "log.bin".into(),
        size: bytes.len() as u64,
        kept: Kept::Stored { sha256: crate::domain::event::digest_bytes(&bytes), content: bytes.clone() },
    };
    let big = Attachment {
        id: 78,
        message: MessageId(900),
        name: "huge.iso".into(),
        size: 1 << 33,
        kept: Kept::NotKept { reason: "too large".into() },
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.keep_attachment(a.id, &file, now()).await.unwrap());
    assert!(!tx.keep_attachment(a.id, &file, now()).await.unwrap(), "once");
    assert!(tx.keep_attachment(a.id, &big, now()).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.attachments(a.id).await.unwrap(), vec![file, big]);
    assert!(store.attachment_known(77).await.unwrap());
    assert!(store.verify().await.unwrap().is_ok());
    sqlx::query("UPDATE attachments SET content = $1 WHERE attachment_id = 77").bind(vec![1u8, 2, 3]).execute(store.pool()).await.unwrap();
    assert!(matches!(store.verify().await.unwrap(), Err(crate::domain::event::ChainBreak::RecordEdited(w)) if w == "attachment 77"));
}

/// The triage ping's window: taken once, by whoever asks first, until it
/// has passed.
async fn a_window_is_taken_once(store: Store) {
    let every = chrono::Duration::minutes(5);
    let take = |at: chrono::DateTime<Utc>| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let got = tx.take_window("w", at, every).await.unwrap();
            tx.commit().await.unwrap();
            got
        }
    };
    assert!(take(now()).await, "the first asks gets it");
    assert!(!take(now()).await, "a second, at once, does not");
    assert!(!take(now() + chrono::Duration::minutes(4)).await);
    assert!(take(now() + chrono::Duration::minutes(5)).await, "the next window");
    // Two at once: one gets it.
    let later = now() + chrono::Duration::minutes(20);
    let (a, b) = tokio::join!(take(later), take(later));
    assert!(a ^ b, "exactly one of two: {a} {b}");
}

#[path = "years_tests.rs"]
mod years;
