//! What the last step says outside Discord: the same few facts for every
//! road, in the organisation's language.

use crate::config::Settings;
use crate::domain::Incident;
use crate::tr;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The facts, and the sentence made of them.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub number: String,
    pub drill: bool,
    pub category: &'static str,
    /// Table 1 level of the strictest system named (none: no registered system).
    pub priority: Option<u8>,
    pub reported_at: DateTime<Utc>,
    pub waited_minutes: i64,
    /// The incident channel in Discord (only its readers can open it).
    pub link: Option<String>,
    #[serde(skip)]
    pub title: String,
    #[serde(skip)]
    pub text: String,
}

impl Page {
    pub fn of(i: &Incident, s: &Settings, now: DateTime<Utc>) -> Page {
        let lang = s.organisation.lang;
        let waited = (now - i.reported_at).num_minutes().max(0);
        let link = super::channel_link(i, s);
        let number = i.number.to_string();
        let category = i.category.label().get(lang).to_string();
        let priority = crate::records::acknowledge::priority_name(i.priority(), lang);
        let drill = if i.is_drill() { tr!(lang, "【訓練】", "[DRILL] ") } else { String::new() };
        let title = tr!(lang, "{drill}hikeshi: {number} が委員会の確認を待っています", "{drill}hikeshi: {number} waits for the committee");
        let place = link.clone().unwrap_or_default();
        let text = tr!(
            lang,
            "{drill}{number}（{category}、{priority}）は報告から{waited}分、委員会の誰も確認していません（§4.2）。Discord のカードで「確認しました」を押してください。{place}",
            "{drill}{number} ({category}, {priority}) was reported {waited} minutes ago and nobody of the committee has acknowledged it (§4.2). Press Acknowledge on its card in Discord. {place}"
        );
        Page {
            number,
            drill: i.is_drill(),
            category: i.category.id(),
            priority: i.priority().map(|p| p.level()),
            reported_at: i.reported_at,
            waited_minutes: waited,
            link,
            title,
            text,
        }
    }
}
