//! §4.4 on Discord: the Lessons part of the card, the announcement.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::text::{clip, inert};
use crate::domain::lessons::{BoardQuestion, LessonItem};
use crate::domain::refusal::lesson_item;
use crate::domain::{Incident, Lang};
use crate::tr;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption,
};

fn yes_no(a: Option<bool>, lang: Lang) -> String {
    match a {
        Some(true) => tr!(lang, "はい", "yes"),
        Some(false) => tr!(lang, "いいえ", "no"),
        None => tr!(lang, "未回答", "not answered"),
    }
}

/// The Lessons status shown on the card.
pub fn card_field(i: &Incident, lang: Lang) -> String {
    let l = &i.lessons;
    let plan = if l.plan.is_some() { "☑" } else { "☐" };
    let mut lines = vec![format!("{plan} {}", lesson_item(LessonItem::Plan, lang))];
    if !i.is_drill() {
        let (v, h) = (yes_no(l.board.victim_of_outside_breach, lang), yes_no(l.board.harmed_outsiders, lang));
        let mark = if l.board.answered() { "☑" } else { "☐" };
        lines.push(tr!(
            lang,
            "{mark} 外部からの侵害の被害: {v} / 社外への加害: {h}",
            "{mark} victim of an outside breach: {v} / harmed outsiders: {h}"
        ));
    }
    let n = l.notes.len();
    let mark = if n > 0 { "☑" } else { "☐" };
    lines.push(tr!(lang, "{mark} 改善メモ {n}件", "{mark} {n} improvement note(s)"));
    for w in &l.waivers {
        let (item, reason) = (lesson_item(w.item, lang), inert(&w.reason));
        lines.push(tr!(lang, "免除: {item} — {reason}", "waived: {item} — {reason}"));
    }
    clip(&lines.join("\n"), 1024)
}

/// The Lessons buttons: the plan, the two board questions, waivers.
pub fn rows(i: &Incident, lang: Lang) -> Vec<CreateActionRow> {
    let id = i.id;
    let mut buttons = vec![CreateButton::new(CustomId::PlanButton(id).encode())
        .label(tr!(lang, "再発防止計画", "Prevention plan"))
        .style(ButtonStyle::Primary)];
    if !i.is_drill() {
        for (q, label) in [
            (BoardQuestion::VictimOfOutsideBreach, tr!(lang, "外部からの侵害", "Outside breach")),
            (BoardQuestion::HarmedOutsiders, tr!(lang, "社外への加害", "Harmed outsiders")),
        ] {
            buttons.push(
                CreateButton::new(CustomId::Board(id, q, true).encode())
                    .label(clip(&format!("{label}: {}", yes_no(Some(true), lang)), 80))
                    .style(ButtonStyle::Secondary),
            );
            buttons.push(
                CreateButton::new(CustomId::Board(id, q, false).encode())
                    .label(clip(&format!("{label}: {}", yes_no(Some(false), lang)), 80))
                    .style(ButtonStyle::Secondary),
            );
        }
    }
    let options = LessonItem::ALL
        .iter()
        .filter(|it| !(i.is_drill() && **it == LessonItem::BoardQuestions))
        .map(|it| CreateSelectMenuOption::new(clip(&lesson_item(*it, lang), 100), it.id()))
        .collect();
    vec![
        CreateActionRow::Buttons(buttons),
        CreateActionRow::SelectMenu(
            CreateSelectMenu::new(CustomId::WaiveSelect(id).encode(), CreateSelectMenuKind::String { options })
                .placeholder(tr!(lang, "項目を免除する（委員会・理由必須）", "Waive an item (committee, with a reason)"))
                .min_values(1)
                .max_values(1),
        ),
    ]
}

/// §4.4(3): the announcement of the plan to all members.
pub fn announcement(i: &Incident, readers: usize, settings: &Settings) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let lang = settings.organisation.lang;
    let number = i.number;
    let text = tr!(
        lang,
        "📢 {number} の再発防止計画です（§4.4(3)）。全員お読みください。",
        "📢 The prevention plan after {number} (§4.4(3)). Everyone, please read it."
    );
    let (technical, organisational) = i.lessons.plan.as_ref().map(|p| (p.technical.clone(), p.organisational.clone())).unwrap_or_default();
    let embed = CreateEmbed::new()
        // Never the reporter's title: the committee's public one (§4.4(3)).
        .title(clip(&i.public_name(lang), 256))
        .field(tr!(lang, "技術的対策", "Technical measures"), clip(&inert(&technical), 1024), false)
        .field(tr!(lang, "組織的対策", "Organisational measures"), clip(&inert(&organisational), 1024), false)
        .footer(CreateEmbedFooter::new(tr!(lang, "既読 {readers}人", "Read by {readers}")))
        .colour(0x27ae60);
    let rows = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(CustomId::Read(i.id).encode()).label(tr!(lang, "読みました", "I have read this")).style(ButtonStyle::Success),
        CreateButton::new(CustomId::Readers(i.id).encode())
            .label(tr!(lang, "既読者（委員会）", "Who has read (committee)"))
            .style(ButtonStyle::Secondary),
    ])];
    (text, embed, rows)
}
