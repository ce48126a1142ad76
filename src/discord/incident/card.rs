//! The incident card (everything the committee needs at a glance, with the
//! buttons of the current phase), the committee's status board, and the
//! channel's name.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::render::{deadline_text, relative, when};
use crate::discord::text::{clip, inert};
use crate::domain::{Incident, Lang, LogKind, MarkState, Phase, RecoveryDeadline};
use crate::tr;
use chrono::{DateTime, Utc};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption,
};

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
            Some(p) => format!("{} — {}", inert(&a.name), tr!(lang, "優先度{p}", "priority {p}")),
            None => format!("{} — {}", inert(&a.name), tr!(lang, "⚠ 登録外のシステム", "⚠ not in the systems registry")),
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
    let playbook = match i.playbook.as_ref().and_then(|p| settings.playbooks.get(p)) {
        Some(p) => p.title.get(lang).to_string(),
        None => {
            tr!(lang, "該当なし — 委員会が実行責任者を任命してください（§4.2）", "none — the committee must appoint a commander (§4.2)")
        }
    };
    let commander = match i.commander {
        Some(c) => format!("<@{c}>"),
        None => tr!(lang, "未定", "not yet"),
    };
    let kind = i.kind.map(|k| format!(" / {}", k.label().get(lang))).unwrap_or_default();
    let noticed = if i.noticed.understood {
        when(i.noticed.at)
    } else {
        let typed = inert(&i.noticed.text);
        tr!(lang, "「{typed}」（解釈できず、報告時刻を使用）", "“{typed}” (not understood; report time used)")
    };
    // §1(1) leaks by a member: the reporter is known to the committee only.
    let reporter = if i.confidential {
        tr!(lang, "🔒 匿名（報告者を秘匿、委員会のみ把握）", "🔒 confidential (known to the committee)")
    } else if i.reporter.is_monitoring() {
        tr!(lang, "📡 監視（検知、§4.1(3)）", "📡 monitoring (detected, §4.1(3))")
    } else {
        format!("<@{}>", i.reporter)
    };
    let mut e = CreateEmbed::new()
        .title(clip(&title, 256))
        .description(clip(&inert(&i.description), CARD_DESCRIPTION))
        .colour(colour(i))
        .field(tr!(lang, "区分", "Category"), format!("{}{kind}", i.category.label().get(lang)), true)
        .field(tr!(lang, "報告者", "Reporter"), reporter, true)
        .field(tr!(lang, "発見日時", "Noticed at"), noticed, true)
        .field(tr!(lang, "影響を受けるシステム", "Affected systems"), affected_text(i, lang), false)
        .field(tr!(lang, "復旧期限（表1）", "Recovery deadline (Table 1)"), deadline_text(i, lang), false)
        .field(tr!(lang, "対応手順", "Playbook"), playbook, false)
        .field(tr!(lang, "実行責任者", "Commander"), commander, true)
        .field(tr!(lang, "フェーズ", "Phase"), i.phase.label().get(lang).to_string(), true);
    if !i.impact.trim().is_empty() {
        e = e.field(tr!(lang, "これまでの影響", "Impact so far"), clip(&inert(&i.impact), 500), false);
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
        // §4.2 analysis and §4.4 lessons ask the APPI questions.
        let answered = i.appi.answers.len();
        let text = if i.appi.reportable() {
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
        };
        e = e.field(tr!(lang, "個人情報保護法第26条", "APPI Art. 26"), text, false);
    }
    if i.phase >= Phase::Lessons && i.close_reason.is_none() {
        e = e.field(tr!(lang, "教訓（§4.4）", "Lessons (§4.4)"), crate::discord::lessons::render::card_field(i, lang), false);
    }
    if !i.merged.is_empty() {
        // Storms: every reporter of the same thing, listed for the committee.
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
    e.footer(CreateEmbedFooter::new(tr!(
        lang,
        "hikeshi · セキュリティインシデント報告・対応規程",
        "hikeshi · security incident response regulation"
    )))
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

/// The buttons under the card for the current state. Hiding a button is a
/// convenience only: every handler checks permission again.
pub fn card_components(i: &Incident, settings: &Settings) -> Vec<CreateActionRow> {
    let lang = settings.organisation.lang;
    if !i.phase.is_open() {
        return vec![];
    }
    let id = i.id;
    let mut rows = vec![];
    if i.commander.is_none() {
        if i.playbook.is_some() {
            rows.push(CreateActionRow::Buttons(vec![CreateButton::new(CustomId::TakeCommand(id).encode())
                .label(tr!(lang, "実行責任者になる（委員会）", "Take command (committee)"))
                .style(ButtonStyle::Primary)]));
        }
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(CustomId::Appoint(id).encode(), CreateSelectMenuKind::User { default_users: None })
                .placeholder(tr!(lang, "実行責任者を任命（委員会）", "Appoint a commander (committee)"))
                .min_values(1)
                .max_values(1),
        ));
    }
    let pb = i.playbook.as_ref().and_then(|p| settings.playbooks.get(p));
    let items = pb.map(|p| p.checklist(i.phase)).unwrap_or(&[]);
    if !items.is_empty() {
        let options = items
            .iter()
            .enumerate()
            .take(25)
            .map(|(n, t)| {
                let done = i.marks.iter().any(|m| m.phase == i.phase && m.item == n && m.state == MarkState::Done);
                CreateSelectMenuOption::new(
                    clip(&format!("{}{}. {}", if done { "☑ " } else { "" }, n + 1, t.get(lang)), 100),
                    n.to_string(),
                )
            })
            .collect();
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(CustomId::Checklist(id).encode(), CreateSelectMenuKind::String { options })
                .placeholder(tr!(lang, "項目をチェック／解除", "Tick or untick an item"))
                .min_values(1)
                .max_values(1),
        ));
    }
    let mut work = vec![];
    if let Some(next) = i.phase.next() {
        let label = if next == Phase::Closed {
            tr!(lang, "終了する", "Close")
        } else {
            let next = next.label().get(lang).to_string();
            tr!(lang, "{next}へ進む", "Advance to {next}")
        };
        work.push(CreateButton::new(CustomId::Advance(id).encode()).label(clip(&label, 80)).style(ButtonStyle::Success));
    }
    for k in LogKind::ALL {
        let what = k.label().get(lang).to_lowercase();
        work.push(
            CreateButton::new(CustomId::LogButton(id, k).encode())
                .label(clip(&tr!(lang, "記録: {what}", "Log {what}"), 80))
                .style(ButtonStyle::Secondary),
        );
    }
    if i.phase == Phase::Lessons || i.is_drill() {
        work.push(
            CreateButton::new(CustomId::NoteButton(id).encode())
                .label(tr!(lang, "改善メモ", "Improvement note"))
                .style(ButtonStyle::Secondary),
        );
    }
    if i.playbook.is_some() && work.len() < 5 {
        work.push(
            CreateButton::new(CustomId::PlaybookButton(id).encode()).label(tr!(lang, "対応手順", "Playbook")).style(ButtonStyle::Secondary),
        );
    }
    rows.push(CreateActionRow::Buttons(work));
    if i.category == crate::domain::Category::Unsure && !i.is_drill() {
        // §4.2: the committee decides what an unsure report is.
        let mut options = vec![];
        for c in crate::domain::Category::ALL.into_iter().filter(|c| *c != crate::domain::Category::Unsure) {
            options.push(CreateSelectMenuOption::new(clip(c.label().get(lang), 100), c.id()));
            for k in c.sub_kinds() {
                let label = crate::domain::category::classification_label(c, Some(k));
                options.push(CreateSelectMenuOption::new(clip(label.get(lang), 100), format!("{}/{}", c.id(), k.id())));
            }
        }
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(CustomId::ClassifySelect(id).encode(), CreateSelectMenuKind::String { options })
                .placeholder(tr!(lang, "区分を決める（委員会・実行責任者）", "Classify (committee, commander)"))
                .min_values(1)
                .max_values(1),
        ));
    }
    if i.phase == Phase::Recovery && !i.is_drill() {
        // §4.3: leaving Recovery needs each record, or the committee's waiver.
        let options = LogKind::ALL
            .iter()
            .filter(|k| !i.record_waivers.iter().any(|w| w.kind == **k))
            .map(|k| CreateSelectMenuOption::new(clip(k.label().get(lang), 100), k.id()))
            .collect::<Vec<_>>();
        if !options.is_empty() {
            rows.push(CreateActionRow::SelectMenu(
                CreateSelectMenu::new(CustomId::WaiveRecordSelect(id).encode(), CreateSelectMenuKind::String { options })
                    .placeholder(tr!(lang, "§4.3 の記録を免除（委員会・理由必須）", "Waive a §4.3 record (committee, with a reason)"))
                    .min_values(1)
                    .max_values(1),
            ));
        }
    }
    if i.phase == Phase::Lessons {
        rows.extend(crate::discord::lessons::render::rows(i, lang));
    }
    if i.commander.is_some() {
        // §4.1(1): shifts change; the commander or the committee hands over.
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(CustomId::HandOver(id).encode(), CreateSelectMenuKind::User { default_users: None })
                .placeholder(tr!(lang, "実行責任者を引き継ぐ（実行責任者・委員会）", "Hand over command (commander, committee)"))
                .min_values(1)
                .max_values(1),
        ));
    }
    if i.phase < Phase::Analysis || i.commander.is_none() {
        rows.push(CreateActionRow::Buttons(vec![
            CreateButton::new(CustomId::DismissButton(id).encode())
                .label(tr!(lang, "インシデントではない", "Not an incident"))
                .style(ButtonStyle::Danger),
            CreateButton::new(CustomId::DuplicateButton(id).encode())
                .label(tr!(lang, "重複として閉じる", "Close as duplicate"))
                .style(ButtonStyle::Danger),
        ]));
    }
    rows.truncate(5);
    rows
}

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
