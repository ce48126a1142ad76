//! Reminder messages: drills and the annual review to the committee,
//! deadline steps and nudges in incident channels, the drill report.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::render::{no_mentions, relative, role_mention_only, user_mention_only, when};
use crate::discord::text::inert;
use crate::domain::drill::DrillReport;
use crate::domain::reminder::ReminderRow;
use crate::domain::{Incident, IncidentReminder, Lang, Phase};
use crate::service::DRILL;
use crate::tr;
use chrono::{DateTime, Utc};
use serenity::all::{ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed};

fn buttons(r: &ReminderRow, lang: Lang) -> Vec<CreateActionRow> {
    let mut row = vec![CreateButton::new(CustomId::Acknowledge(r.id).encode())
        .label(tr!(lang, "確認済みにする", "Acknowledge"))
        .style(ButtonStyle::Success)];
    if r.kind == DRILL {
        row.push(
            CreateButton::new(CustomId::StartDrill(r.id).encode())
                .label(tr!(lang, "今すぐ訓練を始める", "Start drill now"))
                .style(ButtonStyle::Primary),
        );
    }
    vec![CreateActionRow::Buttons(row)]
}

/// A drill (§4.1(2)) or annual-review (§9) reminder, with its buttons.
pub fn cron_reminder(r: &ReminderRow, settings: &Settings) -> (String, Vec<CreateActionRow>) {
    let lang = settings.organisation.lang;
    let role = settings.discord.committee_role;
    let mut text = if r.kind == DRILL {
        let suggestion = r
            .playbook
            .as_ref()
            .and_then(|p| settings.playbooks.get(p))
            .map(|p| p.title.get(lang).to_string())
            .unwrap_or_else(|| "—".into());
        tr!(
            lang,
            "<@&{role}> 🧯 定期訓練の時期です（§4.1(2)）。おすすめの対応手順: **{suggestion}**（最も長く訓練していないもの）。",
            "<@&{role}> 🧯 Time for a drill (§4.1(2)). Suggested playbook: **{suggestion}** (the one drilled longest ago)."
        )
    } else {
        tr!(
            lang,
            "<@&{role}> 📜 規程の内容の適切性の審議（年１回）の時期です（§9）。",
            "<@&{role}> 📜 The yearly review of the regulation is due (§9)."
        )
    };
    if r.missed > 0 {
        let n = r.missed;
        text.push_str(&tr!(
            lang,
            "\n（hikeshi の停止中に {n} 回分のリマインダーを逃しました。まとめてお知らせします。）",
            "\n({n} earlier reminders were missed while hikeshi was offline; this one stands for them.)"
        ));
    }
    (text, buttons(r, lang))
}

/// The same reminder, unacknowledged for too long.
pub fn escalation(r: &ReminderRow, settings: &Settings, now: DateTime<Utc>) -> (String, Vec<CreateActionRow>) {
    let lang = settings.organisation.lang;
    let role = settings.discord.committee_role;
    let days = (now - r.fired_at).num_days();
    let what = if r.kind == DRILL {
        tr!(lang, "訓練", "drill")
    } else {
        tr!(lang, "内容の適切性の審議（年１回）", "annual review")
    };
    let fired = when(r.fired_at);
    let text = tr!(
        lang,
        "<@&{role}> ⚠ {fired} の{what}リマインダーが {days} 日間確認されていません。",
        "<@&{role}> ⚠ The {what} reminder of {fired} has not been acknowledged for {days} days."
    );
    (text, buttons(r, lang))
}

/// A reminder about an incident: the text for its channel (who it pings),
/// and, where the committee must hear of it, the text for the committee
/// channel.
type Reminder = ((String, CreateAllowedMentions), Option<String>);

pub fn incident_reminder(i: &Incident, what: &IncidentReminder, settings: &Settings) -> Reminder {
    let (lang, role) = (settings.organisation.lang, settings.discord.committee_role);
    let (number, channel) = (i.number, i.channel.map(|c| format!("<#{c}>")).unwrap_or_default());
    let to_commander = |text: String| match i.commander {
        Some(c) => (format!("<@{c}> {text}"), user_mention_only(c)),
        None => (text, no_mentions()),
    };
    match what {
        // Delivered by the announcement's feature (`lessons::render::unread`).
        IncidentReminder::Unread => ((tr!(lang, "📢 周知の確認（§4.4(3)）", "📢 Confirm the announcement (§4.4(3))"), no_mentions()), None),
        IncidentReminder::FollowUp { n, due, .. } => followup(i, *n, *due, lang, &format!("<@&{role}>")),
        IncidentReminder::Deadline { percent: 100, deadline, .. } => {
            let d = when(*deadline);
            (
                to_commander(tr!(
                    lang,
                    "⚠ 表1の復旧期限（{d}）を過ぎましたが、復旧が完了していません。",
                    "⚠ The Table 1 recovery deadline ({d}) has passed and recovery is not complete."
                )),
                Some(tr!(
                    lang,
                    "<@&{role}> ⚠ {number} {channel} が表1の復旧期限（{d}）を過ぎました。",
                    "<@&{role}> ⚠ {number} {channel} is past its Table 1 recovery deadline ({d})."
                )),
            )
        }
        IncidentReminder::Deadline { percent, deadline, missed } => (to_commander(deadline_step(*percent, *deadline, missed, lang)), None),
        IncidentReminder::NoDowntime { nudge: 0 } => no_downtime(&format!("<@&{role}> 🚨 {number} {channel}"), lang),
        IncidentReminder::NoCommander => (
            (tr!(lang, "⏳ まだ実行責任者がいません（§4.2）。", "⏳ There is still no commander (§4.2)."), no_mentions()),
            Some(tr!(
                lang,
                "<@&{role}> ⏳ {number} {channel} にまだ実行責任者がいません。実行責任者になるか任命してください（§4.2）。",
                "<@&{role}> ⏳ {number} {channel} still has no commander: take command or appoint one (§4.2)."
            )),
        ),
        IncidentReminder::Appi { stage, due, overdue } => {
            let text = appi(*stage, *due, *overdue, lang);
            ((text.clone(), no_mentions()), Some(format!("<@&{role}> {number} {channel} {text}")))
        }
        IncidentReminder::NoDowntime { nudge } => {
            let minutes = nudge * settings.schedules.policy.no_downtime_nudge.num_minutes();
            (to_commander(nudges::no_downtime(minutes, lang)), None)
        }
        IncidentReminder::Stale { since } => (to_commander(nudges::stale(*since, lang)), None),
        IncidentReminder::StatusDue { every_minutes } => (to_commander(nudges::status_due(*every_minutes, lang)), None),
    }
}

/// Table 1 priority 3: at once, in the channel and to the committee
/// (`about`: the role, the number and the channel).
fn no_downtime(about: &str, lang: Lang) -> Reminder {
    (
        (
            tr!(
                lang,
                "🚨 復旧優先度3のシステムに影響しています。業務を止めることはできません（表1）。",
                "🚨 A priority-3 system is affected: business may not stop (Table 1)."
            ),
            no_mentions(),
        ),
        Some(tr!(
            lang,
            "{about} は復旧優先度3（業務停止不可）のシステムに影響しています。",
            "{about} affects a priority-3 system: business may not stop."
        )),
    )
}

/// §4.4(1): a follow-up past its due date, to its owner and the committee.
fn followup(i: &Incident, n: u32, due: chrono::DateTime<chrono::Utc>, lang: Lang, committee: &str) -> Reminder {
    let number = i.number;
    let f = i.lessons.followups.iter().find(|f| f.n == n);
    let text = f.map(|f| inert(&f.what)).unwrap_or_default();
    let d = when(due);
    let line = tr!(
        lang,
        "📌 {number} のフォローアップ #{n}「{text}」の期限（{d}）を過ぎています。完了したら /フォローアップ で完了にしてください（§4.4(1)）。",
        "📌 {number} follow-up #{n} “{text}” was due {d}. Once done, mark it done with /followups (§4.4(1))."
    );
    let here = match f.and_then(|f| f.owner) {
        Some(o) => (format!("<@{o}> {line}"), user_mention_only(o)),
        None => (line.clone(), no_mentions()),
    };
    (here, Some(format!("{committee} {line}")))
}

/// Table 1: a step of the recovery time passed, with the steps missed
/// while hikeshi was down.
fn deadline_step(percent: u8, deadline: chrono::DateTime<chrono::Utc>, missed: &[u8], lang: Lang) -> String {
    let (d, r) = (when(deadline), relative(deadline));
    let mut text = tr!(
        lang,
        "⏰ 表1の業務復旧までの許容時間の {percent}% が経過しました。期限: {d}（{r}）",
        "⏰ {percent}% of the Table 1 recovery time has passed. Restore by {d} ({r})."
    );
    if !missed.is_empty() {
        let list = missed.iter().map(|p| format!("{p}%")).collect::<Vec<_>>().join(", ");
        text.push_str(&tr!(lang, "\n（停止中に逃した通知: {list}）", "\n(missed while hikeshi was offline: {list})"));
    }
    text
}

/// APPI Art. 26: a report to the PPC coming due, or past due.
fn appi(stage: crate::domain::appi::Stage, due: chrono::DateTime<chrono::Utc>, overdue: bool, lang: Lang) -> String {
    let d = when(due);
    let what = match stage {
        crate::domain::appi::Stage::Preliminary => tr!(lang, "速報", "preliminary report"),
        crate::domain::appi::Stage::Final => tr!(lang, "確報", "final report"),
    };
    if overdue {
        tr!(lang, "🛡 個人情報保護委員会への{what}の期限（{d}）を過ぎました（個人情報保護法第26条）。提出したら /インシデント 個人情報 で記録してください。", "🛡 The {what} to the PPC was due {d} (APPI Art. 26). Once filed, record it with /incident appi.")
    } else {
        tr!(
            lang,
            "🛡 個人情報保護委員会への{what}の期限は {d} です（個人情報保護法第26条）。",
            "🛡 The {what} to the PPC is due {d} (APPI Art. 26)."
        )
    }
}

/// The nudges for the commander alone.
mod nudges {
    use crate::discord::render::relative;
    use crate::domain::Lang;
    use crate::tr;

    pub fn no_downtime(minutes: i64, lang: Lang) -> String {
        tr!(
            lang,
            "🚨 復旧優先度3: 復旧がまだ完了していません（{minutes}分経過）。",
            "🚨 Priority 3: recovery is still not complete ({minutes} minutes)."
        )
    }

    pub fn stale(since: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
        let r = relative(since);
        tr!(lang, "💤 {r} から動きがありません。状況を記録してください。", "💤 Nothing has happened since {r}. Please log the status.")
    }

    pub fn status_due(m: i64, lang: Lang) -> String {
        tr!(
            lang,
            "📝 状況の記録（§4.3）をお願いします（この優先度では{m}分ごと）。",
            "📝 Time for a status entry (§4.3); at this priority, every {m} minutes."
        )
    }
}

pub fn committee_mentions(settings: &Settings) -> CreateAllowedMentions {
    role_mention_only(settings.discord.committee_role)
}

fn duration(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m:02}m")
    } else {
        format!("{m}m{s:02}s")
    }
}

fn change(delta: Option<i64>) -> String {
    match delta {
        Some(d) if d < 0 => format!(" (−{})", duration(-d)),
        Some(d) if d > 0 => format!(" (+{})", duration(d)),
        Some(_) => " (±0)".to_string(),
        None => String::new(),
    }
}

/// §4.1(2): the drill report.
pub fn drill_report(r: &DrillReport, settings: &Settings) -> CreateEmbed {
    let lang = settings.organisation.lang;
    let playbook = settings.playbooks.get(&r.playbook).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| r.playbook.0.clone());
    let number = &r.number;
    let mut e = CreateEmbed::new().title(tr!(lang, "🧯 訓練報告 {number}", "🧯 Drill report {number}")).colour(0x3498db).field(
        tr!(lang, "対応手順", "Playbook"),
        playbook,
        false,
    );
    let command = r.time_to_command.map(|t| format!("{}{}", duration(t), change(r.time_to_command_change))).unwrap_or_else(|| "—".into());
    e = e.field(tr!(lang, "実行責任者が決まるまで", "Time to take command"), command, true);
    let phases: Vec<String> =
        r.phases.iter().map(|p| format!("{}: {}{}", phase_name(p.phase, lang), duration(p.seconds), change(p.change))).collect();
    e = e.field(
        tr!(lang, "フェーズごとの時間", "Time in each phase"),
        if phases.is_empty() { "—".into() } else { phases.join("\n") },
        false,
    );
    let skipped: Vec<String> = r.skipped.iter().map(|s| format!("{} #{}: {}", phase_name(s.phase, lang), s.item + 1, s.text)).collect();
    e = e.field(
        tr!(lang, "未実施のチェック項目", "Checklist items skipped"),
        crate::discord::text::clip(&if skipped.is_empty() { "—".into() } else { skipped.join("\n") }, 1024),
        false,
    );
    let problems = if r.problems.is_empty() {
        "—".into()
    } else {
        r.problems.iter().map(|p| format!("- {}", crate::discord::text::inert(p))).collect::<Vec<_>>().join("\n")
    };
    e = e.field(
        tr!(lang, "見つかった手順の問題（改善メモ）", "Procedure problems found (improvement notes)"),
        crate::discord::text::clip(&problems, 1024),
        false,
    );
    e = chain_fields(e, r, lang);
    let people: Vec<String> = r.participants.iter().map(|u| format!("<@{u}>")).collect();
    let n = people.len();
    e = e.field(
        tr!(lang, "参加者（{n}名）", "Took part ({n})"),
        crate::discord::text::clip(&if people.is_empty() { "—".into() } else { people.join(" ") }, 1024),
        false,
    );
    let previous = r.previous.clone().unwrap_or_else(|| tr!(lang, "なし（初回）", "none (first drill)"));
    e.field(tr!(lang, "比較対象の前回訓練", "Compared with"), previous, false)
}

/// Whom a step reached, as the record keeps it (`dm:ID`, `quiet:ID`,
/// `closed:ID`, `role`, `webhook`, `mail:ADDRESS`, a road's failure), in
/// words; an embed's mention names without pinging.
fn target(t: &str, lang: Lang) -> String {
    let (kind, rest) = t.split_once(':').unwrap_or((t, ""));
    let id = rest.parse::<u64>().ok();
    match (kind, id) {
        ("dm", Some(u)) => format!("<@{u}>"),
        ("quiet", Some(u)) => tr!(lang, "<@{u}>（静かな時間帯）", "<@{u}> (quiet hours)"),
        ("closed", Some(u)) => tr!(lang, "<@{u}>（DMを受け付けていない）", "<@{u}> (DMs closed)"),
        ("role", _) => tr!(lang, "委員会ロール", "the committee role"),
        _ => crate::discord::text::inert(t),
    }
}

/// Issue 26: the time to acknowledge, and each step of the chain that
/// fired — when, what it reached — with a step that reached nobody (or
/// missed someone awake) marked as a finding.
fn chain_fields(e: CreateEmbed, r: &DrillReport, lang: Lang) -> CreateEmbed {
    let ack = r.time_to_acknowledge.map(duration).unwrap_or_else(|| tr!(lang, "確認されず", "never acknowledged"));
    let e = e.field(tr!(lang, "委員会の確認まで", "Time to acknowledge"), ack, true);
    let steps: Vec<String> = r
        .escalation
        .iter()
        .map(|s| {
            let (step, after) = (s.step.label().get(lang).to_string(), duration(s.after));
            let names = |v: &[String]| v.iter().map(|t| target(t, lang)).collect::<Vec<_>>().join(", ");
            let reached = if s.reached.is_empty() { "—".to_string() } else { names(&s.reached) };
            let mut line = tr!(lang, "{step}（開始から{after}）: 届いた先 {reached}", "{step} (after {after}): reached {reached}");
            if !s.missed.is_empty() {
                let missed = names(&s.missed);
                line.push_str(&tr!(lang, "／届かなかった先 {missed}", "; missed {missed}"));
            }
            if s.is_finding() {
                line = format!("⚠ {line}");
            }
            line
        })
        .collect();
    let text = if steps.is_empty() {
        tr!(lang, "なし（確認が間に合いました）", "none (acknowledged in time)")
    } else {
        steps.join("\n")
    };
    e.field(
        tr!(lang, "エスカレーション（⚠ は見つかった問題）", "Escalation (⚠: a finding)"),
        crate::discord::text::clip(&text, 1024),
        false,
    )
}

fn phase_name(p: Phase, lang: Lang) -> String {
    p.label().get(lang).to_string()
}
