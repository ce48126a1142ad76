//! The chain's messages, in the organisation's language. The title is the
//! reporter's text: made inert and clipped, never a ping or a link.

use crate::config::Settings;
use crate::discord::render::elapsed;
use crate::discord::text::{clip, inert};
use crate::domain::escalation::Step;
use crate::domain::Incident;
use crate::tr;
use chrono::{DateTime, Utc};

/// "INC-2026-0001「title」", with 【訓練】 before a drill's.
fn named(i: &Incident, settings: &Settings) -> String {
    let lang = settings.organisation.lang;
    let drill = if i.is_drill() { tr!(lang, "【訓練】", "[DRILL] ") } else { String::new() };
    let (number, title) = (i.number, inert(&clip(&i.title, 80)));
    tr!(lang, "{drill}{number}「{title}」", "{drill}{number} “{title}”")
}

fn place(i: &Incident) -> String {
    i.channel.map(|c| format!("<#{c}>")).unwrap_or_else(|| "—".into())
}

/// The text of a step in Discord.
pub fn step(i: &Incident, step: Step, settings: &Settings, now: DateTime<Utc>) -> String {
    let lang = settings.organisation.lang;
    let (what, waited, place) = (named(i, settings), elapsed(now - i.reported_at, lang), place(i));
    let role = settings.discord.committee_role;
    let priority = crate::records::acknowledge::priority_name(i.priority(), lang);
    match step {
        Step::OnDuty => tr!(
            lang,
            "🔔 {what} の報告から{waited}、委員会の誰も確認していません。当番として確認してください（§4.2）。{place} のカードで「確認しました」を押すと、この通知は止まります。",
            "🔔 {what} was reported {waited} ago and nobody of the committee has acknowledged it. You are on duty: please look (§4.2). Pressing Acknowledge on the card in {place} stops these messages."
        ),
        Step::PingAgain => tr!(
            lang,
            "<@&{role}> ⏰ {what}（{priority}）は報告から{waited}、まだ誰も確認していません。{place}",
            "<@&{role}> ⏰ {what} ({priority}) was reported {waited} ago and nobody has acknowledged it yet. {place}"
        ),
        Step::Committee | Step::Outside => tr!(
            lang,
            "🔔🔔 {what}（{priority}）の報告から{waited}、委員会の誰も確認していません。委員全員にお知らせしています（§4.2）。{place} のカードで「確認しました」を押してください。",
            "🔔🔔 {what} ({priority}) was reported {waited} ago and nobody of the committee has acknowledged it; every committee member is told (§4.2). Press Acknowledge on the card in {place}."
        ),
    }
}
