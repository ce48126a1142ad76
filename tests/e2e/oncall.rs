//! Issue 26: who is on duty — `/oncall show`, `/oncall away`, `/oncall
//! swap` — and the chain's first step follows it.

use crate::escalation::with_oncall;
use crate::support::fake::ids;
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{DateTime, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use serde_json::{json, Value};
use std::sync::Arc;

fn tokyo(d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Tokyo.with_ymd_and_hms(2026, 6, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

fn oncall(app: &TestApp, who: Who, sub: &str, options: Value) -> Value {
    payloads::slash(app.id(), who, "oncall", json!([{"name": sub, "type": 1, "options": options}]))
}

fn opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

fn member(id: u64) -> Value {
    json!({"name": "member", "type": 6, "value": id.to_string()})
}

#[tokio::test]
async fn the_committee_sees_who_is_on_duty_records_an_absence_and_a_swap_and_the_first_step_follows() {
    let clock = ManualClock::new(tokyo(3, 12)); // Wednesday of Bob's week
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let committee = Who::new(ids::BOB, ids::COMMITTEE_CHANNEL);

    let shown = ephemeral_text(&app.interact(oncall(&app, committee, "show", json!([]))).await);
    assert!(
        shown.contains(&format!("**今の当番**: <@{}>", ids::BOB)) && shown.contains(&format!("**次の当番**: <@{}>", ids::CAROL)),
        "{shown}"
    );
    let until = tokyo(8, 9).timestamp();
    assert!(shown.contains(&format!("<t:{until}:f>")), "until Monday 09:00: {shown}");
    let en = ephemeral_text(&app.interact(oncall(&app, committee.en(), "show", json!([]))).await);
    assert!(en.contains(&format!("**On duty now**: <@{}>", ids::BOB)), "{en}");

    // Bob is away today and tomorrow: Carol is on duty meanwhile.
    let away = oncall(&app, committee, "away", json!([opt("from", "2026-06-03"), opt("to", "2026-06-04")]));
    let text = ephemeral_text(&app.interact(away).await);
    assert!(
        text.contains(&format!("<@{}> の不在を記録しました", ids::BOB)) && text.contains(&format!("**今の当番**: <@{}>", ids::CAROL)),
        "{text}"
    );
    // A report now: its first step goes to Carol, not to Bob.
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    clock.set(tokyo(3, 16));
    app.ticks_pass(2).await;
    let duty_dms = |user| app.dms_to(user).into_iter().filter(|m| m.contains("当番として")).count();
    assert_eq!((duty_dms(ids::CAROL), duty_dms(ids::BOB)), (1, 0), "{}", i.number);

    // Friday: Bob is back; Carol takes the rest of the week by a swap.
    clock.set(tokyo(5, 10));
    let text = ephemeral_text(&app.interact(oncall(&app, committee, "swap", json!([member(ids::CAROL)]))).await);
    assert!(text.contains(&format!("<@{}> が次の引き継ぎまで当番です", ids::CAROL)), "{text}");
    let shown = ephemeral_text(&app.interact(oncall(&app, committee, "show", json!([]))).await);
    assert!(shown.contains(&format!("**今の当番**: <@{}>", ids::CAROL)), "{shown}");
    let changes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'duty_changed'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(changes, 2, "each change in the record");
}

#[tokio::test]
async fn a_member_cannot_change_who_is_on_duty_and_a_typo_says_what_to_write() {
    let clock = ManualClock::new(tokyo(3, 12));
    let app = TestApp::spawn_custom(Arc::new(clock.clone()), with_oncall).await;
    let alice = Who::new(ids::ALICE, ids::GENERAL);
    for payload in [
        oncall(&app, alice, "show", json!([])),
        oncall(&app, alice, "swap", json!([member(ids::ALICE)])),
        oncall(&app, alice, "away", json!([opt("from", "2026-06-03"), opt("to", "2026-06-04"), member(ids::BOB)])),
    ] {
        let text = app.refused_and_unchanged("a member changing the duty", payload).await;
        assert!(text.contains("委員会") && text.contains("だけ"), "{text}");
    }
    let bob = Who::new(ids::BOB, ids::COMMITTEE_CHANNEL);
    let text = app
        .refused_and_unchanged(
            "a date that is none",
            oncall(&app, bob, "away", json!([opt("from", "あした @everyone"), opt("to", "2026-06-04")])),
        )
        .await;
    assert!(text.contains("YYYY-MM-DD") && !text.contains("@everyone"), "{text}");
    let text = app
        .refused_and_unchanged("backwards", oncall(&app, bob, "away", json!([opt("from", "2026-06-05"), opt("to", "2026-06-04")])))
        .await;
    assert!(text.contains("終わりが始まりより前"), "{text}");
}

#[tokio::test]
async fn without_a_rotation_oncall_says_how_to_set_one() {
    let app = TestApp::spawn().await;
    let text = ephemeral_text(&app.interact(oncall(&app, Who::new(ids::BOB, ids::COMMITTEE_CHANNEL).en(), "show", json!([]))).await);
    assert!(text.contains("No on-duty rotation is configured") && text.contains("[oncall]"), "{text}");
}
