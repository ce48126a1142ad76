//! The buttons and menus under the incident card, for the state it is in.
//! Hiding one is a convenience only: every handler checks permission again.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::text::clip;
use crate::domain::{Category, Incident, IncidentId, Lang, LogKind, MarkState, Phase};
use crate::tr;
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption};

/// The rows under the card (at most Discord's five).
pub fn card_components(i: &Incident, settings: &Settings) -> Vec<CreateActionRow> {
    let lang = settings.organisation.lang;
    if !i.phase.is_open() {
        return vec![];
    }
    let id = i.id;
    let mut rows = vec![];
    if i.commander.is_none() {
        rows.extend(command_rows(i, lang));
    }
    // §4.2: while nobody of the committee has said they have it, the
    // committee's row (acknowledge, not an incident, duplicate) comes
    // first, so that the five-row limit never cuts it.
    let triage = i.phase < Phase::Analysis || i.commander.is_none();
    if triage && i.awaits_acknowledgement() {
        rows.push(triage_row(i, lang));
    }
    rows.extend(checklist(i, settings));
    rows.push(CreateActionRow::Buttons(work(i, lang)));
    rows.extend(crate::discord::findings::row(i, lang));
    if i.category == Category::Unsure && !i.is_drill() {
        rows.push(classify(id, lang));
    }
    if i.phase == Phase::Recovery && !i.is_drill() {
        rows.extend(waive_record(i, lang));
    }
    if i.phase == Phase::Lessons {
        rows.extend(crate::discord::lessons::render::rows(i, settings.discord.it_department(), lang));
    }
    if i.commander.is_some() {
        // §4.1(1): shifts change; the commander or the committee hands over.
        rows.push(user_menu(
            CustomId::HandOver(id),
            tr!(lang, "実行責任者を引き継ぐ（実行責任者・委員会）", "Hand over command (commander, committee)"),
        ));
    }
    if triage && !i.awaits_acknowledgement() {
        rows.push(triage_row(i, lang));
    }
    rows.truncate(5);
    rows
}

/// The committee's first look: acknowledge (while nobody has), not an
/// incident, a duplicate.
fn triage_row(i: &Incident, lang: Lang) -> CreateActionRow {
    let mut row = vec![];
    if i.awaits_acknowledgement() {
        row.push(acknowledge_button(i, tr!(lang, "確認しました（委員会）", "Acknowledge (committee)")));
    }
    row.push(
        CreateButton::new(CustomId::DismissButton(i.id).encode())
            .label(tr!(lang, "インシデントではない", "Not an incident"))
            .style(ButtonStyle::Danger),
    );
    row.push(
        CreateButton::new(CustomId::DuplicateButton(i.id).encode())
            .label(tr!(lang, "重複として閉じる", "Close as duplicate"))
            .style(ButtonStyle::Danger),
    );
    CreateActionRow::Buttons(row)
}

fn acknowledge_button(i: &Incident, label: String) -> CreateButton {
    CreateButton::new(CustomId::AcknowledgeIncident(i.id).encode()).label(clip(&label, 80)).style(ButtonStyle::Primary)
}

/// §4.2: one 確認しました per report nobody of the committee has
/// acknowledged yet, under the status board and the committee's notice
/// (at most Discord's 25 buttons; the card always has its own).
pub fn acknowledge_rows<'a>(incidents: impl IntoIterator<Item = &'a Incident>, lang: Lang) -> Vec<CreateActionRow> {
    let buttons: Vec<CreateButton> = incidents
        .into_iter()
        .filter(|i| i.awaits_acknowledgement())
        .take(25)
        .map(|i| {
            let number = i.number;
            acknowledge_button(i, tr!(lang, "確認しました {number}", "Acknowledge {number}"))
        })
        .collect();
    buttons.chunks(5).map(|c| CreateActionRow::Buttons(c.to_vec())).collect()
}

fn user_menu(id: CustomId, placeholder: String) -> CreateActionRow {
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(id.encode(), CreateSelectMenuKind::User { default_users: None })
            .placeholder(placeholder)
            .min_values(1)
            .max_values(1),
    )
}

fn string_menu(id: CustomId, options: Vec<CreateSelectMenuOption>, placeholder: String) -> CreateActionRow {
    CreateActionRow::SelectMenu(
        CreateSelectMenu::new(id.encode(), CreateSelectMenuKind::String { options }).placeholder(placeholder).min_values(1).max_values(1),
    )
}

/// Nobody in command: take it (with a playbook), or appoint someone.
fn command_rows(i: &Incident, lang: Lang) -> Vec<CreateActionRow> {
    let mut rows = vec![];
    if i.playbook.is_some() {
        rows.push(CreateActionRow::Buttons(vec![CreateButton::new(CustomId::TakeCommand(i.id).encode())
            .label(tr!(lang, "実行責任者になる（委員会）", "Take command (committee)"))
            .style(ButtonStyle::Primary)]));
    }
    rows.push(user_menu(CustomId::Appoint(i.id), tr!(lang, "実行責任者を任命（委員会）", "Appoint a commander (committee)")));
    rows
}

/// The playbook's checklist for this phase, ticked where done.
fn checklist(i: &Incident, settings: &Settings) -> Option<CreateActionRow> {
    let lang = settings.organisation.lang;
    let pb = i.playbook.as_ref().and_then(|p| settings.playbooks.get(p));
    let items = pb.map(|p| p.checklist(i.phase)).unwrap_or(&[]);
    if items.is_empty() {
        return None;
    }
    let options = items
        .iter()
        .enumerate()
        .take(25)
        .map(|(n, t)| {
            let done = i.marks.iter().any(|m| m.phase == i.phase && m.item == n && m.state == MarkState::Done);
            CreateSelectMenuOption::new(clip(&format!("{}{}. {}", if done { "☑ " } else { "" }, n + 1, t.get(lang)), 100), n.to_string())
        })
        .collect();
    Some(string_menu(CustomId::Checklist(i.id), options, tr!(lang, "項目をチェック／解除", "Tick or untick an item")))
}

/// Advance, the three §4.3 records, a note, the playbook.
fn work(i: &Incident, lang: Lang) -> Vec<CreateButton> {
    let id = i.id;
    let mut work = vec![];
    match i.phase.next() {
        // §4.1(1) 終了の契機: closing says whether it was met.
        Some(Phase::Closed) => {
            for (met, label) in [
                (true, tr!(lang, "終了する（終了の契機を満たした）", "Close (end trigger met)")),
                (false, tr!(lang, "終了する（契機は満たしていない）", "Close (end trigger not met)")),
            ] {
                let style = if met { ButtonStyle::Success } else { ButtonStyle::Secondary };
                work.push(CreateButton::new(CustomId::Close(id, met).encode()).label(clip(&label, 80)).style(style));
            }
        }
        Some(next) => {
            let next = next.label().get(lang).to_string();
            let label = tr!(lang, "{next}へ進む", "Advance to {next}");
            work.push(CreateButton::new(CustomId::Advance(id).encode()).label(clip(&label, 80)).style(ButtonStyle::Success));
        }
        None => {}
    }
    // In Lessons the row holds the two Close buttons instead: the §4.3
    // records were owed before leaving Recovery.
    for k in LogKind::ALL.into_iter().filter(|_| i.phase != Phase::Lessons) {
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
    work
}

/// §4.2: the committee decides what an unsure report is.
fn classify(id: IncidentId, lang: Lang) -> CreateActionRow {
    let mut options = vec![];
    for c in Category::ALL.into_iter().filter(|c| *c != Category::Unsure) {
        options.push(CreateSelectMenuOption::new(clip(c.label().get(lang), 100), c.id()));
        for k in c.sub_kinds() {
            let label = crate::domain::category::classification_label(c, Some(k));
            options.push(CreateSelectMenuOption::new(clip(label.get(lang), 100), format!("{}/{}", c.id(), k.id())));
        }
    }
    string_menu(CustomId::ClassifySelect(id), options, tr!(lang, "区分を決める（委員会・実行責任者）", "Classify (committee, commander)"))
}

/// §4.3: leaving Recovery needs each record, or the committee's waiver.
fn waive_record(i: &Incident, lang: Lang) -> Option<CreateActionRow> {
    let options = LogKind::ALL
        .iter()
        .filter(|k| !i.record_waivers.iter().any(|w| w.kind == **k))
        .map(|k| CreateSelectMenuOption::new(clip(k.label().get(lang), 100), k.id()))
        .collect::<Vec<_>>();
    (!options.is_empty()).then(|| {
        string_menu(
            CustomId::WaiveRecordSelect(i.id),
            options,
            tr!(lang, "§4.3 の記録を免除（委員会・理由必須）", "Waive a §4.3 record (committee, with a reason)"),
        )
    })
}
