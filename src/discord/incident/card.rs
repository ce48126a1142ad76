//! The incident card (everything the committee needs at a glance; its
//! buttons are in `buttons.rs`), the committee's status board, and the
//! channel's name.

use crate::config::Settings;
use crate::discord::render::{deadline_text, relative, when};
use crate::discord::text::{clip, inert};
use crate::domain::{Incident, Lang, MarkState, Phase, RecoveryDeadline};
use crate::tr;
use chrono::{DateTime, Utc};
use serenity::all::{CreateEmbed, CreateEmbedFooter};

/// Red for real incidents, blue for drills, grey once closed.
fn colour(i: &Incident) -> u32 {
    if !i.phase.is_open() {
        0x95a5a6
    } else if i.is_drill() {
        0x3498db
    } else {
        0xe74c3c
    }
}

fn affected_text(i: &Incident, lang: Lang) -> String {
    if i.affected.is_empty() {
        return tr!(lang, "（未記入）", "(none given)");
    }
    let lines: Vec<String> = i
        .affected
        .iter()
        .map(|a| match a.priority {
            Some(p) => format!("{} — {}", inert(&a.name), tr!(lang, "復旧優先度{p}", "priority {p}")),
            None => format!(
                "{} — {}",
                inert(&a.name),
                tr!(
                    lang,
                    "⚠ 登録外のシステム（委員会が /インシデント 優先度 で復旧優先度を決めてください）",
                    "⚠ not in the registry (the committee sets its priority with /incident priority)"
                )
            ),
        })
        .collect();
    clip(&lines.join("\n"), 500)
}

pub fn checklist_text(i: &Incident, settings: &Settings, lang: Lang) -> Option<String> {
    let pb = i.playbook.as_ref().and_then(|p| settings.playbooks.get(p))?;
    let items = pb.checklist(i.phase);
    if items.is_empty() {
        return None;
    }
    let lines: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let done = i.marks.iter().any(|m| m.phase == i.phase && m.item == n && m.state == MarkState::Done);
            format!("{} {}. {}", if done { "☑" } else { "☐" }, n + 1, t.get(lang))
        })
        .collect();
    Some(clip(&lines.join("\n"), 1024))
}

/// How much of the description the card shows; the embed limits (6000
/// characters in all) leave room for this beside the fields.
const CARD_DESCRIPTION: usize = 1000;

pub fn description_is_clipped(i: &Incident) -> bool {
    i.description.chars().count() > CARD_DESCRIPTION
}

/// The text of the card's message: the committee ping (§4.2).
pub fn committee_ping(i: &Incident, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let role = settings.discord.committee_role;
    let number = i.number;
    if i.is_drill() {
        tr!(lang, "<@&{role}> 🧯 訓練 {number} が始まりました。", "<@&{role}> 🧯 Drill {number} has started.")
    } else if i.playbook.is_some() {
        tr!(
            lang,
            "<@&{role}> 🔥 新しいインシデント {number} が報告されました。対応手順に従い、委員会の誰かが実行責任者になってください（§4.2）。",
            "<@&{role}> 🔥 New incident {number} reported. Following the playbook, a committee member takes command (§4.2)."
        )
    } else {
        tr!(
            lang,
            "<@&{role}> 🔥 新しいインシデント {number} が報告されました。該当する対応手順がないため、実行責任者を任命してください（§4.2）。",
            "<@&{role}> 🔥 New incident {number} reported. No playbook matches: appoint a commander (§4.2)."
        )
    }
}

/// The incident card: everything the committee needs at a glance.
pub fn card(i: &Incident, settings: &Settings) -> CreateEmbed {
    let lang = settings.organisation.lang;
    let mut title = format!("{} · {}", i.number, i.title);
    if i.is_drill() {
        title = format!("🧯 DRILL · {title}");
    }
    let kind = i.kind.map(|k| format!(" / {}", k.label().get(lang))).unwrap_or_default();
    let e = CreateEmbed::new()
        .title(clip(&title, 256))
        .description(clip(&inert(&i.description), CARD_DESCRIPTION))
        .colour(colour(i))
        .field(tr!(lang, "区分", "Category"), format!("{}{kind}", i.category.label().get(lang)), true)
        .field(tr!(lang, "報告者", "Reporter"), reporter(i, lang), true)
        .field(tr!(lang, "発見日時", "Noticed at"), noticed(i, lang), true)
        .field(tr!(lang, "影響を受けるシステム", "Affected systems"), affected_text(i, lang), false)
        .field(tr!(lang, "復旧期限（表1）", "Recovery deadline (Table 1)"), deadline_text(i, lang), false)
        .field(tr!(lang, "対応手順", "Playbook"), playbook_name(i, settings), false)
        .field(tr!(lang, "実行責任者", "Commander"), commander(i, lang), true)
        .field(tr!(lang, "委員会の確認", "Acknowledged"), acknowledged(i, lang), true)
        .field(tr!(lang, "フェーズ", "Phase"), i.phase.label().get(lang).to_string(), true);
    let e = working_fields(e, i, settings);
    let e = closing_fields(e, i, lang);
    e.footer(CreateEmbedFooter::new(tr!(
        lang,
        "hikeshi · セキュリティインシデント報告・対応規程",
        "hikeshi · security incident response regulation"
    )))
}

fn playbook_name(i: &Incident, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    match i.playbook.as_ref().and_then(|p| settings.playbooks.get(p)) {
        Some(p) => p.title.get(lang).to_string(),
        None => {
            tr!(lang, "該当なし — 委員会が実行責任者を任命してください（§4.2）", "none — the committee must appoint a commander (§4.2)")
        }
    }
}

fn commander(i: &Incident, lang: Lang) -> String {
    match i.commander {
        Some(c) => format!("<@{c}>"),
        None => tr!(lang, "未定", "not yet"),
    }
}

/// §4.2: who of the committee has it, and how long it took.
fn acknowledged(i: &Incident, lang: Lang) -> String {
    match (i.acknowledged, i.time_to_acknowledge()) {
        (Some(a), Some(took)) => {
            let (by, took) = (a.by, crate::discord::render::elapsed(took, lang));
            tr!(lang, "✅ <@{by}>（報告から{took}）", "✅ <@{by}> ({took} after the report)")
        }
        _ if i.awaits_acknowledgement() => tr!(lang, "⏳ まだ誰も確認していません", "⏳ nobody yet"),
        _ => "—".to_string(),
    }
}

fn noticed(i: &Incident, lang: Lang) -> String {
    if i.noticed.understood {
        return when(i.noticed.at);
    }
    let typed = inert(&i.noticed.text);
    tr!(lang, "「{typed}」（解釈できず、報告時刻を使用）", "“{typed}” (not understood; report time used)")
}

/// §1(1) leaks by a member: the reporter is known to the committee only.
fn reporter(i: &Incident, lang: Lang) -> String {
    let who = if i.confidential {
        tr!(lang, "🔒 匿名（報告者を秘匿、委員会のみ把握）", "🔒 confidential (known to the committee)")
    } else if i.reporter.is_monitoring() {
        tr!(lang, "📡 監視（検知、§4.1(3)）", "📡 monitoring (detected, §4.1(3))")
    } else if let Some(name) = i.taken.as_ref().and_then(|t| t.outsider.as_deref()) {
        let name = inert(name);
        tr!(lang, "{name}（会員外）", "{name} (not a member)")
    } else {
        format!("<@{}>", i.reporter)
    };
    match &i.taken {
        // §4.2: who took it, and how, beside the reporter.
        Some(t) => {
            let (via, by) = (t.via.label().get(lang).to_string(), t.by);
            tr!(lang, "{who}\n（{via}で受付: <@{by}>）", "{who}\n(taken by {via}: <@{by}>)")
        }
        None => who,
    }
}

/// What the work on it has added: impact, the checklist, the APPI
/// questions (§4.2 analysis, §4.4 lessons), the lessons.
fn working_fields(mut e: CreateEmbed, i: &Incident, settings: &Settings) -> CreateEmbed {
    let lang = settings.organisation.lang;
    if !i.impact.trim().is_empty() {
        e = e.field(tr!(lang, "これまでの影響", "Impact so far"), clip(&inert(&i.impact), 500), false);
    }
    if !i.outages.is_empty() {
        let lines: Vec<String> = i.outages.iter().map(|o| outage_line(o, lang)).collect();
        e = e.field(tr!(lang, "システムごとの復旧（表1）", "Restoration per system (Table 1)"), clip(&lines.join("\n"), 1024), false);
    }
    if !i.organisation.is_empty() {
        let holders: Vec<String> = i.organisation.iter().map(|h| format!("{}: <@{}>", h.role.get(lang), h.member)).collect();
        e = e.field(tr!(lang, "対応組織（§4.1(1)）", "Response organisation (§4.1(1))"), clip(&holders.join("\n"), 1024), false);
    }
    if let Some(text) = crate::discord::findings::card_text(i, lang) {
        e = e.field(tr!(lang, "調査結果（§4.2）", "Findings (§4.2)"), text, false);
    }
    if let Some(list) = checklist_text(i, settings, lang) {
        let phase = i.phase.label().get(lang).to_string();
        e = e.field(tr!(lang, "チェックリスト（{phase}）", "Checklist ({phase})"), list, false);
    }
    if settings.personal_data.is_some()
        && i.category == crate::domain::Category::Breach
        && !i.is_drill()
        && matches!(i.phase, Phase::Analysis | Phase::Lessons)
    {
        e = e.field(tr!(lang, "個人情報保護法第26条", "APPI Art. 26"), appi_text(i, lang), false);
    }
    if i.phase >= Phase::Lessons && i.close_reason.is_none() {
        e = e.field(
            tr!(lang, "教訓（§4.4）", "Lessons (§4.4)"),
            crate::discord::lessons::render::card_field(i, settings.discord.it_department(), lang),
            false,
        );
    }
    e
}

fn appi_text(i: &Incident, lang: Lang) -> String {
    let answered = i.appi.answers.len();
    if i.appi.reportable() {
        tr!(
            lang,
            "報告が必要（/インシデント 個人情報 で期限と提出を管理）",
            "a report is owed (see /incident appi for deadlines and filings)"
        )
    } else {
        tr!(
            lang,
            "4問中{answered}問回答済み — /インシデント 個人情報 で回答してください",
            "{answered} of 4 answered — answer with /incident appi"
        )
    }
}

/// Storms (every reporter of the same thing), follow-ups, why it closed.
fn closing_fields(mut e: CreateEmbed, i: &Incident, lang: Lang) -> CreateEmbed {
    if !i.merged.is_empty() {
        let lines: Vec<String> = i
            .merged
            .iter()
            .map(|m| {
                let who = if m.confidential { tr!(lang, "🔒 匿名", "🔒 confidential") } else { format!("<@{}>", m.reporter) };
                format!("{} {who}", m.number)
            })
            .collect();
        let n = lines.len();
        e = e.field(tr!(lang, "同じ事象の報告（{n}件）", "Reports of the same thing ({n})"), clip(&lines.join("\n"), 1024), false);
    }
    if let Some(list) = crate::discord::lessons::render::followups_field(i, lang) {
        e = e.field(tr!(lang, "フォローアップ（§4.4(1)）", "Follow-up actions (§4.4(1))"), list, false);
    }
    if let Some(reason) = &i.close_reason {
        e = e.field(tr!(lang, "終了理由", "Closed because"), clip(&inert(reason), 300), false);
    }
    e
}

/// The card, and beside it the playbook in hand (§4.1(1) 周知) while the
/// incident is open — left out where both would pass Discord's 6,000
/// characters (the Playbook button still shows it).
pub fn card_embeds(i: &Incident, settings: &Settings) -> Vec<CreateEmbed> {
    let card = card(i, settings);
    let playbook = i.playbook.as_ref().and_then(|p| settings.playbooks.get(p)).filter(|_| i.phase.is_open());
    match playbook {
        Some(p) => {
            let pb = crate::discord::playbook::render::embed(p, settings.organisation.lang);
            if embed_chars(&card) + embed_chars(&pb) <= 6000 {
                vec![card, pb]
            } else {
                vec![card]
            }
        }
        None => vec![card],
    }
}

/// What Discord counts towards an embed's 6,000 characters.
fn embed_chars(e: &CreateEmbed) -> usize {
    let v = serde_json::to_value(e).unwrap_or_default();
    let len = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
    let fields: usize = v["fields"].as_array().map_or(0, |f| f.iter().map(|f| len(&f["name"]) + len(&f["value"])).sum());
    len(&v["title"]) + len(&v["description"]) + len(&v["footer"]["text"]) + len(&v["author"]["name"]) + fields
}

pub use super::buttons::{acknowledge_rows, card_components};

/// The committee's one-message overview of every open incident.
pub fn status_board(open: &[Incident], settings: &Settings, now: DateTime<Utc>) -> CreateEmbed {
    let lang = settings.organisation.lang;
    let mut lines = vec![];
    for i in open.iter().filter(|i| !i.is_drill()) {
        let commander = i.commander.map(|c| format!("<@{c}>")).unwrap_or_else(|| tr!(lang, "実行責任者未定", "no commander"));
        let deadline = match (i.phase.recovery_complete(), i.deadline) {
            (true, _) => tr!(lang, "復旧済み", "recovered"),
            (false, RecoveryDeadline::Immediate(_)) => tr!(lang, "⚠ 停止不可", "⚠ may not stop"),
            (false, RecoveryDeadline::By(t)) if t < now => {
                let r = relative(t);
                tr!(lang, "⚠ 期限超過 {r}", "⚠ overdue {r}")
            }
            (false, RecoveryDeadline::By(t)) => relative(t),
            (false, RecoveryDeadline::None) => "—".to_string(),
        };
        let channel = i.channel.map(|c| format!("<#{c}>")).unwrap_or_else(|| clip(&inert(&i.title), 60));
        lines.push(format!("**{}** {channel} · {} · {commander} · {deadline}", i.number, i.phase.label().get(lang)));
    }
    let body = if lines.is_empty() {
        tr!(lang, "対応中のインシデントはありません。", "No open incidents.")
    } else {
        lines.join("\n")
    };
    CreateEmbed::new()
        .title(tr!(lang, "📋 対応中のインシデント", "📋 Open incidents"))
        .description(clip(&body, 4096))
        .colour(0x2c3e50)
        .footer(CreateEmbedFooter::new(tr!(lang, "自動更新", "updated automatically")))
        .timestamp(serenity::all::Timestamp::from_unix_timestamp(now.timestamp()).unwrap_or_else(|_| serenity::all::Timestamp::now()))
}

/// The channel name: incident number and title, lower-case, Discord-valid,
/// at most 100 characters. Letters of any script are kept (Discord accepts
/// Japanese channel names); everything else becomes `-`.
pub fn channel_name(i: &Incident) -> String {
    let mut name = format!("{}-", i.number.to_string().to_lowercase());
    let mut last_dash = true;
    for ch in i.title.chars().flat_map(|c| c.to_lowercase()) {
        if ch.is_alphanumeric() {
            name.push(ch);
            last_dash = false;
        } else if !last_dash {
            name.push('-');
            last_dash = true;
        }
    }
    let mut name: String = name.trim_end_matches('-').chars().take(100).collect();
    while name.ends_with('-') {
        name.pop();
    }
    if i.is_drill() && !name.starts_with("drill-") {
        name = format!("drill-{}", name.trim_start_matches("drill-")).chars().take(100).collect();
    }
    name
}

/// §4.1(4) Table 1 per system: one system's outage, deadline and state.
pub fn outage_line(o: &crate::domain::incident::outage::Outage, lang: Lang) -> String {
    let when = crate::discord::render::when;
    let (system, started) = (inert(&o.system), when(o.started));
    let deadline = o.deadline().map_or_else(|| tr!(lang, "期限なし", "no deadline"), when);
    let state = match (o.restored.map(when), o.met()) {
        (None, _) => tr!(lang, "⏳ 停止中", "⏳ down"),
        (Some(r), Some(true)) => tr!(lang, "✅ {r} 期限内に復旧", "✅ restored {r}, in time"),
        (Some(r), Some(false)) => tr!(lang, "⚠ {r} 期限を超過して復旧", "⚠ restored {r}, late"),
        (Some(r), None) => tr!(lang, "{r} 復旧", "restored {r}"),
    };
    tr!(lang, "{system}: 停止 {started} → 期限 {deadline} — {state}", "{system}: down {started} → due {deadline} — {state}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;

    /// Discord refuses a message whose embeds hold more than 6000
    /// characters; the card stays under that with every field at its limit.
    #[test]
    fn a_card_with_every_field_at_its_limit_fits_discords_embed_budget() {
        use crate::domain::incident::AffectedSystem;
        let settings =
            crate::config::Settings::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml"))).unwrap();
        let mut i = incident(true);
        i.title = "題".repeat(100);
        i.description = "述".repeat(4000);
        i.impact = "影".repeat(1000);
        i.noticed.understood = false;
        i.noticed.text = "時".repeat(100);
        i.affected =
            (0..100).map(|n| AffectedSystem { name: format!("system-{n}-{}", "x".repeat(10)), system: None, priority: None }).collect();
        i.close_reason = Some("理".repeat(1000));
        for lang in [Lang::Ja, Lang::En] {
            let mut s = settings.clone();
            s.organisation.lang = lang;
            let v = serde_json::to_value(card(&i, &s)).unwrap();
            let text = |k: &str| v[k].as_str().map(|t| t.chars().count()).unwrap_or(0);
            let mut total = text("title") + text("description") + v["footer"]["text"].as_str().map(|t| t.chars().count()).unwrap_or(0);
            for f in v["fields"].as_array().unwrap() {
                let n = f["name"].as_str().unwrap().chars().count();
                let val = f["value"].as_str().unwrap().chars().count();
                assert!(n <= 256 && val <= 1024, "{f}");
                total += n + val;
            }
            assert!(total <= 6000, "{total} characters");
            assert!(v["fields"].as_array().unwrap().len() <= 25);
            assert!(description_is_clipped(&i));
        }
    }

    #[test]
    fn channel_names_are_discord_valid() {
        let mut i = incident(true);
        i.title = "Ransomware on FILE server!!! @everyone".into();
        assert_eq!(channel_name(&i), "inc-2026-0001-ransomware-on-file-server-everyone");
        i.title = "メールサーバ停止".into();
        assert_eq!(channel_name(&i), "inc-2026-0001-メールサーバ停止");
        i.title = "x".repeat(300);
        assert_eq!(channel_name(&i).chars().count(), 100);
        i.title = "!!!".into();
        assert_eq!(channel_name(&i), "inc-2026-0001");
        i.number.drill = true;
        assert!(channel_name(&i).starts_with("drill-"));
    }
}
