//! §4.4 on Discord: the Lessons part of the card, the announcement.

use crate::config::Settings;
use crate::discord::custom_id::CustomId;
use crate::discord::text::{clip, inert};
use crate::domain::followup::{FollowUp, Source};
use crate::domain::lessons::{BoardQuestion, ItDepartment, LessonItem};
use crate::domain::refusal::lesson_item;
use crate::domain::{Incident, IncidentId, Lang};
use crate::tr;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter, CreateSelectMenu, CreateSelectMenuKind,
    CreateSelectMenuOption,
};

fn yes_no(a: Option<bool>, lang: Lang) -> String {
    match a {
        Some(true) => tr!(lang, "該当", "yes"),
        Some(false) => tr!(lang, "非該当", "no"),
        None => tr!(lang, "未回答", "not answered"),
    }
}

/// The Lessons status shown on the card.
pub fn card_field(i: &Incident, it: ItDepartment, lang: Lang) -> String {
    let l = &i.lessons;
    let plan = if l.plan.is_some() { "☑" } else { "☐" };
    let mut lines = vec![format!("{plan} {}", lesson_item(LessonItem::Plan, lang))];
    if l.plan.is_some() {
        let r = l.plan_revision;
        if let Some(line) = signoff_line(i, it, lang) {
            lines.push(line);
        }
        lines.push(if l.plan_approved() {
            tr!(lang, "☑ 委員会承認済み（第{r}版）", "☑ approved by the committee (revision {r})")
        } else {
            tr!(lang, "☐ 第{r}版は委員会の承認待ち（§4.4(1)）", "☐ revision {r} awaits the committee's approval (§4.4(1))")
        });
    }
    if !i.is_drill() {
        let (v, h) = (yes_no(l.board.victim_of_outside_breach, lang), yes_no(l.board.harmed_outsiders, lang));
        let mark = if l.board.answered() { "☑" } else { "☐" };
        lines.push(tr!(
            lang,
            "{mark} 社外の第三者からのセキュリティ侵害により当法人が被害者となる場合: {v} / 顧客や取引先等の社外に対して当法人が加害者となる場合: {h}",
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
    if l.board.report_due() {
        lines.push(match &l.board_told {
            Some(t) => {
                let at = crate::discord::render::when(t.at);
                tr!(lang, "☑ 取締役会へ報告済み（{at}）", "☑ the board was told ({at})")
            }
            None => tr!(lang, "☐ 取締役会への報告は未記録", "☐ the board report is not recorded yet"),
        });
    }
    clip(&lines.join("\n"), 1024)
}

/// §4.4(1): where the plan stands with 情報システム部 (nothing when no
/// role is configured, or the plan was approved before it was asked).
fn signoff_line(i: &Incident, it: ItDepartment, lang: Lang) -> Option<String> {
    let l = &i.lessons;
    let r = l.plan_revision;
    if let Some(by) = l.it_signoff.as_ref().filter(|_| l.signed_off()).map(|s| s.by) {
        Some(tr!(lang, "☑ 情報システム部 <@{by}> が確認済み（第{r}版）", "☑ signed off by the IT department, <@{by}> (revision {r})"))
    } else if i.awaits_signoff(it) && !l.plan_approved() {
        Some(tr!(lang, "☐ 第{r}版は情報システム部の確認待ち（§4.4(1)）", "☐ revision {r} awaits the IT department's sign-off (§4.4(1))"))
    } else {
        None
    }
}

/// §4.4(1) 適切に実施: the follow-up actions, on the card (which is not
/// redrawn as time passes, so it shows no "overdue").
pub fn followups_field(i: &Incident, lang: Lang) -> Option<String> {
    if i.lessons.followups.is_empty() {
        return None;
    }
    let lines: Vec<String> = i.lessons.followups.iter().map(|f| followup_line(f, lang, None)).collect();
    Some(clip(&lines.join("\n"), 1024))
}

/// One follow-up action as a line: state, number, what, owner, due.
pub fn followup_line(f: &FollowUp, lang: Lang, now: Option<chrono::DateTime<chrono::Utc>>) -> String {
    let mark = if !f.is_open() {
        "☑"
    } else if now.is_some_and(|now| f.overdue(now)) {
        "⚠"
    } else {
        "☐"
    };
    let (n, due) = (f.n, crate::discord::render::when(f.due));
    let what = match &f.source {
        Source::Plan => inert(&f.what),
        Source::PlaybookUpdate { playbook, .. } => {
            let what = inert(&f.what);
            tr!(lang, "対応手順 {playbook} の更新: {what}", "update playbook {playbook}: {what}")
        }
    };
    let owner = f.owner.map(|u| format!("<@{u}>")).unwrap_or_else(|| tr!(lang, "委員会", "committee"));
    tr!(lang, "{mark} #{n} {what}（担当 {owner}、期限 {due}）", "{mark} #{n} {what} (owner {owner}, due {due})")
}

/// The Lessons buttons: the plan, the two board questions, waivers.
pub fn rows(i: &Incident, it: ItDepartment, lang: Lang) -> Vec<CreateActionRow> {
    let id = i.id;
    let mut buttons = vec![CreateButton::new(CustomId::PlanButton(id).encode())
        .label(tr!(lang, "再発防止計画", "Prevention plan"))
        .style(ButtonStyle::Primary)];
    if !i.is_drill() {
        for (q, label) in [
            (
                BoardQuestion::VictimOfOutsideBreach,
                tr!(lang, "社外の第三者からのセキュリティ侵害により当法人が被害者となる場合", "Outside breach"),
            ),
            (BoardQuestion::HarmedOutsiders, tr!(lang, "顧客や取引先等の社外に対して当法人が加害者となる場合", "Harmed outsiders")),
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
        .filter(|item| !(i.is_drill() && matches!(**item, LessonItem::BoardQuestions | LessonItem::Plan | LessonItem::ItSignOff)))
        .filter(|item| **item != LessonItem::ItSignOff || it == ItDepartment::Configured)
        .map(|item| CreateSelectMenuOption::new(clip(&lesson_item(*item, lang), 100), item.id()))
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

/// §4.4(1): the committee's Approve button, under the draft's notice.
pub fn approve_row(id: IncidentId, lang: Lang) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![CreateButton::new(CustomId::ApprovePlan(id).encode())
        .label(tr!(lang, "承認する（委員会）", "Approve (committee)"))
        .style(ButtonStyle::Success)])]
}

/// §4.4(1): 情報システム部's button under the draft's notice, for the
/// revision it shows.
pub fn signoff_row(id: IncidentId, revision: u32, lang: Lang) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![CreateButton::new(CustomId::SignOff(id, i64::from(revision)).encode())
        .label(tr!(lang, "確認した（情報システム部）", "Sign off (IT department)"))
        .style(ButtonStyle::Success)])]
}

/// §4.4(2): under the board report's draft, to record that it was made.
pub fn board_told_row(id: IncidentId, lang: Lang) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![CreateButton::new(CustomId::BoardTold(id).encode())
        .label(tr!(lang, "取締役会に報告済みにする", "Record: the board was told"))
        .style(ButtonStyle::Primary)])]
}

/// §4.4(3): to a member who has not confirmed the announcement yet.
pub fn unread(i: &Incident, link: &str, lang: Lang) -> String {
    let number = i.number;
    tr!(
        lang,
        "📢 {number} の再発防止計画がすべての会員に周知されています（§4.4(3)）。まだ確認されていないようです。お読みのうえ「確認しました」を押してください: {link}",
        "📢 The prevention plan after {number} was announced to all members (§4.4(3)), and you have not confirmed it yet. Please read it and press “I have read this”: {link}"
    )
}

/// §4.4(3): the announcement of the plan to all members.
pub fn announcement(i: &Incident, readers: usize, settings: &Settings) -> (String, CreateEmbed, Vec<CreateActionRow>) {
    let lang = settings.organisation.lang;
    let number = i.number;
    let text = tr!(
        lang,
        "📢 {number} の再発防止計画です（§4.4(3)）。すべての会員の方はお読みください。",
        "📢 The prevention plan after {number} (§4.4(3)). Everyone, please read it."
    );
    // Only the approved plan is ever shown to all members (§4.4(1)).
    let (technical, organisational) =
        i.lessons.announced_plan().map(|p| (p.technical.clone(), p.organisational.clone())).unwrap_or_default();
    let revision = i.lessons.plan_approval.as_ref().map(|a| a.revision).filter(|r| Some(*r) != i.lessons.announced_revision);
    let footer = match revision {
        Some(r) => tr!(lang, "改訂版（第{r}版） · 既読 {readers}人", "Revised (revision {r}) · read by {readers}"),
        None => tr!(lang, "既読 {readers}人", "Read by {readers}"),
    };
    let embed = CreateEmbed::new()
        // Never the reporter's title: the committee's public one (§4.4(3)).
        .title(clip(&i.public_name(lang), 256))
        .field(tr!(lang, "技術的対策", "Technical measures"), clip(&inert(&technical), 1024), false)
        .field(tr!(lang, "組織的対策", "Organisational measures"), clip(&inert(&organisational), 1024), false)
        .footer(CreateEmbedFooter::new(footer))
        .colour(0x27ae60);
    let rows = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(CustomId::Read(i.id).encode()).label(tr!(lang, "確認しました", "I have read this")).style(ButtonStyle::Success),
        CreateButton::new(CustomId::Readers(i.id).encode())
            .label(tr!(lang, "既読者（委員会）", "Who has read (committee)"))
            .style(ButtonStyle::Secondary),
    ])];
    (text, embed, rows)
}
