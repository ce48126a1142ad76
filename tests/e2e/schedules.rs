//! Reminders that never miss and never repeat, under a controlled clock.

use crate::support::fake::{ids, snowflake, Fault};
use crate::support::payloads::{self, Who};
use crate::support::{ephemeral_text, TestApp};
use chrono::{Duration, TimeZone, Utc};
use hikeshi::clock::ManualClock;
use hikeshi::domain::Phase;
use serde_json::json;
use std::sync::Arc;

/// 2026-03-31 09:00 in Tokyo.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap()
}

async fn app_at(clock: &ManualClock) -> TestApp {
    TestApp::spawn_with_clock(Arc::new(clock.clone())).await
}

fn committee_posts(app: &TestApp) -> Vec<serde_json::Value> {
    app.posts_in(ids::COMMITTEE_CHANNEL).into_iter().filter(|p| p.status == 200).map(|p| p.body).collect()
}

fn containing(app: &TestApp, text: &str) -> usize {
    committee_posts(app).iter().filter(|b| b["content"].as_str().unwrap_or("").contains(text)).count()
}

#[tokio::test]
async fn drills_and_the_annual_review_fire_at_local_time_with_buttons() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    app.ticks_pass(2).await;
    assert_eq!(containing(&app, "訓練"), 0, "nothing is due yet");
    // 1 April 10:00 JST = 01:00 UTC: the quarterly drill and the yearly review.
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("both reminders are posted", |_| containing(&app, "定期訓練") == 1 && containing(&app, "内容の適切性の審議") == 1).await;
    let drill = committee_posts(&app).into_iter().find(|b| b["content"].as_str().unwrap().contains("定期訓練")).unwrap();
    assert!(drill["content"].as_str().unwrap().contains(&format!("<@&{}>", ids::COMMITTEE_ROLE)));
    assert_eq!(drill["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]));
    // The least recently drilled playbook is suggested: none drilled yet,
    // so the first by id.
    assert!(drill["content"].as_str().unwrap().contains("建物への侵入"), "{drill}");
    let buttons: Vec<String> =
        drill["components"][0]["components"].as_array().unwrap().iter().map(|b| b["custom_id"].as_str().unwrap().to_string()).collect();
    assert!(buttons[0].starts_with("hk1:ack:") && buttons[1].starts_with("hk1:drillnow:"), "{buttons:?}");
    app.ticks_pass(2).await;
    assert_eq!(containing(&app, "定期訓練"), 1, "fired once");
    app.assert_no_schema_violations();
}

#[tokio::test]
async fn a_week_of_downtime_is_made_up_by_one_reminder_per_schedule() {
    let clock = ManualClock::new(start());
    let mut app = TestApp::spawn_custom(Arc::new(clock.clone()), |c| {
        c.replace("drill = \"0 10 1 */3 *\"", "drill = \"0 10 * * *\"")
            .replace("annual_review = \"0 10 1 4 *\"", "annual_review = \"0 10 * * 1\"")
    })
    .await;
    app.ticks_pass(2).await;
    app.stop_bot().await;
    clock.advance(Duration::days(7));
    app.start_bot().await;
    app.wait_until("the catch-up is posted", |_| containing(&app, "定期訓練") == 1 && containing(&app, "内容の適切性の審議") == 1).await;
    let drill = committee_posts(&app).into_iter().find(|b| b["content"].as_str().unwrap().contains("定期訓練")).unwrap();
    assert!(drill["content"].as_str().unwrap().contains("6 回分"), "seven daily firings make one message naming six missed: {drill}");
    // A restart does not send them again, nor does time passing before the
    // next firing (10:00; it is 09:00).
    app.restart().await;
    clock.advance(Duration::minutes(50));
    app.ticks_pass(2).await;
    assert_eq!((containing(&app, "定期訓練"), containing(&app, "内容の適切性の審議")), (1, 1));
    let fired = app.store.reminders().await.unwrap().into_iter().filter(|r| r.kind != "audit").count();
    assert_eq!(fired, 2);
}

#[tokio::test]
async fn an_unacknowledged_reminder_is_escalated_and_an_acknowledged_one_is_not() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    app.ticks_pass(2).await;
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("both reminders are posted", |_| containing(&app, "定期訓練") == 1 && containing(&app, "内容の適切性の審議") == 1).await;
    // The committee acknowledges the review, not the drill.
    let review = app.store.reminders().await.unwrap().into_iter().find(|r| r.kind == "annual_review").unwrap();
    let msg = app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().last().unwrap();
    let no = app
        .interact(payloads::button(app.id(), Who::new(ids::ALICE, ids::COMMITTEE_CHANNEL), &format!("hk1:ack:{}", review.id), &msg))
        .await;
    assert!(ephemeral_text(&no).contains("だけ"), "members cannot acknowledge");
    // Acknowledging the yearly review asks for its outcome (§9).
    let form =
        app.interact(payloads::button(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), &format!("hk1:ack:{}", review.id), &msg)).await;
    assert_eq!(form["type"], 9, "{form}");
    let ok = app
        .interact(payloads::modal(
            app.id(),
            Who::new(ids::BOB, ids::COMMITTEE_CHANNEL),
            &format!("hk1:reviewm:{}", review.id),
            &[("body", "変更なし")],
        ))
        .await;
    assert!(ephemeral_text(&ok).contains("記録"), "{ok}");
    clock.advance(Duration::days(3));
    app.wait_until("the drill reminder is escalated", |_| containing(&app, "確認されていません") == 1).await;
    let esc = committee_posts(&app).into_iter().find(|b| b["content"].as_str().unwrap().contains("確認されていません")).unwrap();
    assert!(esc["content"].as_str().unwrap().contains("3 日間") && esc["content"].as_str().unwrap().contains("訓練"), "{esc}");
    app.ticks_pass(2).await;
    assert_eq!(containing(&app, "確認されていません"), 1, "escalated once; the acknowledged review never");
}

#[tokio::test]
async fn table_1_deadline_steps_reach_the_channel_and_overdue_reaches_the_committee() {
    let clock = ManualClock::new(start());
    let mut app = app_at(&clock).await;
    // Mail has priority 2: restore within 24 hours of noticing.
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "breach",
            Some("dos"),
            &[("title", "メールが送れない"), ("what", "大量の接続"), ("systems", "mail")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    let took = app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    assert!(ephemeral_text(&took).contains("実行責任者になりました"));
    app.settled().await;
    let channel = i.channel.unwrap().0;
    let said = |app: &TestApp, text: &str| {
        app.posts_in(channel).iter().filter(|p| p.body["content"].as_str().unwrap_or("").contains(text)).count()
    };
    clock.advance(Duration::hours(11));
    app.ticks_pass(2).await;
    assert_eq!(said(&app, "50%"), 0);
    clock.advance(Duration::hours(1)); // 12 h: 50 %
    app.wait_until("the 50% reminder", |_| said(&app, "50%") == 1).await;
    clock.advance(Duration::minutes(7 * 60 + 13)); // 19 h 13 m: 80 %
    app.wait_until("the 80% reminder", |_| said(&app, "80%") == 1).await;
    // A restart in between sends nothing again.
    app.restart().await;
    app.ticks_pass(2).await;
    assert_eq!((said(&app, "50%"), said(&app, "80%")), (1, 1));
    clock.advance(Duration::hours(5)); // past 24 h
    app.wait_until("overdue, in the channel and to the committee", |_| {
        said(&app, "過ぎました") == 1 && containing(&app, "が表1の復旧期限") == 1
    })
    .await;
    let esc = committee_posts(&app).into_iter().find(|b| b["content"].as_str().unwrap_or("").contains("が表1の復旧期限")).unwrap();
    assert_eq!(esc["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]));
    // The commander is the one pinged in the channel.
    let overdue = app.posts_in(channel).into_iter().find(|p| p.body["content"].as_str().unwrap_or("").contains("過ぎました")).unwrap();
    assert_eq!(overdue.body["allowed_mentions"]["users"], json!([snowflake(ids::BOB)]));
}

#[tokio::test]
async fn priority_3_pings_the_committee_at_once_and_nudges_until_recovered() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    let (_, reply) = app
        .submit_report(
            Who::new(ids::ALICE, ids::GENERAL),
            "failure",
            None,
            &[("title", "基幹が停止"), ("what", "ログインできない"), ("systems", "core")],
        )
        .await;
    let i = app.incident_from_reply(&reply).await;
    app.wait_until("the committee hears of priority 3 at once", |_| containing(&app, "優先度3") == 1).await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    let channel = i.channel.unwrap().0;
    let nudges = |app: &TestApp| {
        app.posts_in(channel).iter().filter(|p| p.body["content"].as_str().unwrap_or("").contains("復旧がまだ完了していません")).count()
    };
    clock.advance(Duration::minutes(31));
    app.wait_until("a nudge after 30 minutes", |_| nudges(&app) == 1).await;
    clock.advance(Duration::minutes(30));
    app.wait_until("another after 60", |_| nudges(&app) == 2).await;
}

#[tokio::test]
async fn a_reminder_whose_answer_was_lost_is_posted_once() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    app.ticks_pass(2).await;
    // Discord posts the reminder but the answer never reaches the bot.
    app.fake.fail("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL), vec![Fault::LostAnswer]);
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("the first attempt", |f| {
        f.calls("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL)).iter().any(|r| r.status == 502)
    })
    .await;
    // Keep time moving past the retry back-off until the retry went out.
    let ticking = {
        let clock = clock.clone();
        tokio::spawn(async move {
            loop {
                clock.advance(Duration::seconds(5));
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        })
    };
    app.wait_until("the retry", |f| f.calls("POST", &format!("/channels/{}/messages", ids::COMMITTEE_CHANNEL)).len() >= 2).await;
    app.settled().await;
    ticking.abort();
    let in_channel =
        app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().filter(|m| m["content"].as_str().unwrap_or("").contains("定期訓練")).count();
    assert_eq!(in_channel, 1, "the retry carried the same nonce");
}

#[tokio::test]
async fn schedule_lists_what_is_due_in_the_organisations_time_zone() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    let reply = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "schedule", json!([]))).await;
    let text = ephemeral_text(&reply);
    assert!(text.contains("2026-04-01 10:00 JST"), "{text}");
    let no = app.interact(payloads::slash(app.id(), Who::new(ids::ALICE, ids::GENERAL), "schedule", json!([]))).await;
    assert!(ephemeral_text(&no).contains("だけ"));
}

#[tokio::test]
async fn a_drill_is_walked_to_the_end_and_reported_with_phase_times() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    let start_drill = |user: u64| {
        payloads::slash(
            app.id(),
            Who::new(user, ids::COMMITTEE_CHANNEL),
            "drill",
            json!([{"name": "start", "type": 1, "options": [{"name": "playbook", "type": 3, "value": "malware"}]}]),
        )
    };
    let no = app.interact(start_drill(ids::ALICE)).await;
    assert!(ephemeral_text(&no).contains("だけ"));
    let mut previous = None;
    for round in 0..2 {
        let reply = app.interact(start_drill(ids::BOB)).await;
        let d = app.incident_from_reply(&reply).await;
        assert!(d.number.drill && d.number.to_string().starts_with("DRILL-2026-"));
        let channel = app.fake.channel(d.channel.unwrap().0).unwrap();
        assert!(channel["name"].as_str().unwrap().starts_with("drill-"), "{channel}");
        let card = app
            .posts_in(d.channel.unwrap().0)
            .into_iter()
            .find(|p| p.body["components"].as_array().is_some_and(|c| !c.is_empty()))
            .unwrap()
            .body;
        assert!(card["embeds"][0]["title"].as_str().unwrap().contains("DRILL"));
        assert_eq!(card["allowed_mentions"]["roles"], json!([snowflake(ids::COMMITTEE_ROLE)]), "only the committee is pinged");
        clock.advance(Duration::minutes(4 - round));
        app.click(ids::BOB, &d, &format!("hk1:take:{}", d.id)).await;
        for minutes in [2, 20, 15, 10, 30, 5] {
            clock.advance(Duration::minutes(minutes - round * 2));
            let now = app.incident(d.number).await;
            if now.phase == Phase::Analysis {
                app.record_findings(ids::BOB, &now).await;
            }
            let close = now.phase == Phase::Lessons;
            let r = app.click(ids::BOB, &d, &if close { format!("hk1:close:{}:y", d.id) } else { format!("hk1:advance!:{}", d.id) }).await;
            assert_eq!(r["type"], 4, "{r}");
            if round == 1 && minutes == 2 {
                // A responder takes part without acting: still counted.
                let add = json!([{"name": "user", "type": 6, "value": snowflake(ids::ALICE)}]);
                let who = Who::new(ids::BOB, d.channel.unwrap().0);
                app.interact(payloads::slash(app.id(), who, "incident", json!([{"name": "add", "type": 1, "options": add}]))).await;
            }
            // §4.4(1) plans against an incident's recurrence: the second
            // drill closes with its improvement note alone.
            if app.incident(d.number).await.phase == Phase::Lessons && round == 0 {
                let form = app.click(ids::BOB, &d, &format!("hk1:plan:{}", d.id)).await;
                let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
                app.interact(payloads::modal(
                    app.id(),
                    Who::new(ids::BOB, d.channel.unwrap().0),
                    &custom,
                    &[("technical", "EDRの設定見直し"), ("organisational", "連絡網の更新")],
                ))
                .await;
            }
            if app.incident(d.number).await.phase == Phase::Lessons {
                let form = app.click(ids::BOB, &d, &format!("hk1:note:{}", d.id)).await;
                let custom = form["data"]["custom_id"].as_str().unwrap().to_string();
                app.interact(payloads::modal(
                    app.id(),
                    Who::new(ids::BOB, d.channel.unwrap().0),
                    &custom,
                    &[("went_well", "隔離が早かった"), ("missing", "連絡先リストが古い")],
                ))
                .await;
            }
        }
        let closed = app.incident(d.number).await;
        assert_eq!(closed.phase, Phase::Closed);
        app.settled().await;
        let report = app.store.drill_report(d.id).await.unwrap().expect("a drill report");
        assert_eq!(report.time_to_command, Some((4 - round) * 60));
        assert_eq!(report.phases.len(), 6);
        assert_eq!(report.phases[1].phase, Phase::Analysis);
        assert_eq!(report.phases[1].seconds, (20 - round * 2) * 60);
        assert!(!report.skipped.is_empty(), "the unticked checklist items");
        assert_eq!(report.problems, vec!["連絡先リストが古い".to_string()]);
        assert_eq!(report.previous, previous);
        let took_part: Vec<u64> = report.participants.iter().map(|u| u.0).collect();
        assert_eq!(took_part, if round == 0 { vec![ids::BOB] } else { vec![ids::ALICE, ids::BOB] }, "§4.1(2) who took part");
        if round == 1 {
            assert_eq!(report.phases[1].change, Some(-120), "two minutes faster than last time");
        }
        let posted = app
            .posts_in(ids::COMMITTEE_CHANNEL)
            .into_iter()
            .filter(|p| p.body["embeds"][0]["title"].as_str().unwrap_or("").contains("訓練報告"))
            .count();
        assert_eq!(posted as i64, round + 1);
        let embed = app
            .posts_in(ids::COMMITTEE_CHANNEL)
            .into_iter()
            .rfind(|p| p.body["embeds"][0]["title"].as_str().unwrap_or("").contains("訓練報告"))
            .unwrap()
            .body;
        assert!(embed["embeds"][0].to_string().contains(&format!("<@{}>", ids::BOB)), "{embed}");
        assert_eq!(embed["allowed_mentions"]["users"], json!([]), "participants are named, never pinged: {embed}");
        previous = Some(d.number.to_string());
    }
    // Drills are numbered apart and never counted as incidents.
    assert!(app.store.open_incidents().await.unwrap().is_empty());
    assert!(app.store.incident_by_number("INC-2026-0001".parse().unwrap()).await.unwrap().is_none());
}

#[tokio::test]
async fn start_drill_now_opens_the_suggested_drill_and_acknowledges() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    app.ticks_pass(2).await;
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("the drill reminder", |_| containing(&app, "定期訓練") == 1).await;
    let r = app.store.reminders().await.unwrap().into_iter().find(|r| r.kind == "drill").unwrap();
    let msg =
        app.fake.messages(ids::COMMITTEE_CHANNEL).into_iter().find(|m| m["content"].as_str().unwrap_or("").contains("定期訓練")).unwrap();
    let reply = app
        .interact(payloads::button(app.id(), Who::new(ids::CAROL, ids::COMMITTEE_CHANNEL), &format!("hk1:drillnow:{}", r.id), &msg))
        .await;
    let d = app.incident_from_reply(&reply).await;
    assert!(d.is_drill());
    assert_eq!(d.playbook, r.playbook, "the suggested playbook");
    assert_eq!(app.store.reminder(r.id).await.unwrap().unwrap().acknowledged_by, Some(ids::CAROL as i64));
    // The next suggestion moves on to another playbook.
    let reply = app.interact(payloads::slash(app.id(), Who::new(ids::BOB, ids::COMMITTEE_CHANNEL), "schedule", json!([]))).await;
    assert!(!ephemeral_text(&reply).contains("建物への侵入"), "{reply}");
}

#[tokio::test]
async fn nudges_for_no_commander_a_due_status_entry_and_a_stale_incident() {
    let clock = ManualClock::new(start());
    let app = app_at(&clock).await;
    let i = app.report_malware(ids::ALICE).await; // file server: priority 1
    let channel = i.channel.unwrap().0;
    let said = |app: &TestApp, text: &str| {
        app.posts_in(channel).iter().filter(|p| p.body["content"].as_str().unwrap_or("").contains(text)).count()
    };
    clock.advance(Duration::minutes(31));
    app.wait_until("the committee is nudged about the missing commander", |_| {
        containing(&app, "まだ実行責任者がいません") == 1 && said(&app, "まだ実行責任者がいません") == 1
    })
    .await;
    app.click(ids::BOB, &i, &format!("hk1:take:{}", i.id)).await;
    // Priority 1: a status entry is asked for daily; the incident goes stale after 24 h.
    clock.advance(Duration::hours(24));
    app.wait_until("the commander is asked for a status entry", |_| said(&app, "状況の記録（§4.3）") == 1).await;
    app.wait_until("the commander is nudged about the silence", |_| said(&app, "動きがありません") == 1).await;
    let status = app.posts_in(channel).into_iter().find(|p| p.body["content"].as_str().unwrap_or("").contains("状況の記録")).unwrap();
    assert_eq!(status.body["allowed_mentions"]["users"], json!([snowflake(ids::BOB)]));
    app.ticks_pass(2).await;
    assert_eq!((said(&app, "状況の記録（§4.3）"), said(&app, "動きがありません")), (1, 1), "each once");
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL (scripts/test does when a server answers)")]
async fn two_bots_on_one_postgres_database_fire_each_reminder_once() {
    let clock = ManualClock::new(start());
    let test = "two_bots_on_one_postgres_database_fire_each_reminder_once";
    let Some(mut app) = TestApp::without_bot_on_postgres_at(test, Arc::new(clock.clone())).await else {
        return;
    };
    // A rolling deploy: the old and the new instance run side by side.
    app.start_bot().await;
    app.start_another_bot().await;
    let i = app.report_malware(ids::ALICE).await;
    app.settled().await;
    // 1 April 10:00 JST: the drill, the yearly review and the monthly audit
    // are due, and the incident has had no commander for a day.
    clock.set(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 30).unwrap());
    app.wait_until("the reminders are posted", |_| {
        containing(&app, "定期訓練") >= 1
            && containing(&app, "内容の適切性の審議") >= 1
            && containing(&app, "まだ実行責任者がいません") >= 1
    })
    .await;
    // Both instances look every tick; give them many chances to repeat.
    for _ in 0..5 {
        app.ticks_pass(2).await;
    }
    app.settled().await;
    assert_eq!(containing(&app, "定期訓練"), 1, "the drill reminder once");
    assert_eq!(containing(&app, "内容の適切性の審議"), 1, "the yearly review once");
    assert_eq!(containing(&app, "まだ実行責任者がいません"), 1, "the missing commander once");
    let kinds: Vec<String> = app.store.reminders().await.unwrap().into_iter().map(|r| r.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "drill").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "annual_review").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "audit").count(), 1, "{kinds:?}");
    // The old instance stops; the new one alone escalates what nobody
    // acknowledged, once each.
    app.stop_oldest_bot().await;
    clock.advance(Duration::days(3));
    app.wait_until("the escalations are posted", |_| containing(&app, "確認されていません") >= 2).await;
    for _ in 0..5 {
        app.ticks_pass(2).await;
    }
    app.settled().await;
    assert_eq!(containing(&app, "確認されていません"), 2, "drill and review escalated once each");
    app.assert_one_channel_and_card(&i);
    app.assert_no_schema_violations();
}
