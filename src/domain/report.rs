//! What a member types into `/report`, checked before anything is stored.

use super::category::{Category, SubKind};
use super::incident::Noticed;
use super::text::Lang;
use crate::tr;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The limits of each report field. The modal declares the same maxima, so
/// Discord enforces them on the client; a forged or replayed submission that
/// exceeds them still gets a message naming the field and the limit.
pub mod limits {
    /// The channel name is built from it; Discord allows 100 characters.
    pub const TITLE: usize = 100;
    /// Discord's maximum for a modal text input.
    pub const DESCRIPTION: usize = 4000;
    pub const NOTICED: usize = 100;
    pub const SYSTEMS: usize = 1000;
    pub const IMPACT: usize = 1000;
}

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReportDraft {
    pub category: Option<Category>,
    pub kind: Option<SubKind>,
    pub title: String,
    pub description: String,
    pub noticed: String,
    pub systems: String,
    pub impact: String,
    pub confidential: bool,
    /// §4.2: taken by phone or in person and filed by the committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<super::proxy::Proxy>,
}

/// A field of the report form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportField {
    Title,
    Description,
    Noticed,
    Systems,
    Impact,
    /// Who made a report the committee files for them (§4.2).
    Reporter,
}

impl ReportField {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReportField::Title, Lang::Ja) => "件名",
            (ReportField::Title, Lang::En) => "title",
            (ReportField::Description, Lang::Ja) => "何が起きたか",
            (ReportField::Description, Lang::En) => "what happened",
            (ReportField::Noticed, Lang::Ja) => "発見日時",
            (ReportField::Noticed, Lang::En) => "noticed at",
            (ReportField::Systems, Lang::Ja) => "影響を受けるシステム",
            (ReportField::Systems, Lang::En) => "affected systems",
            (ReportField::Impact, Lang::Ja) => "これまでの影響",
            (ReportField::Impact, Lang::En) => "impact so far",
            (ReportField::Reporter, Lang::Ja) => "報告者（会員でない場合の氏名）",
            (ReportField::Reporter, Lang::En) => "reporter (the name, if not a member)",
        }
    }
}

/// One problem with one field, for the reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Empty {
        field: ReportField,
    },
    TooLong {
        field: ReportField,
        len: usize,
        max: usize,
    },
    /// The kind belongs under another category.
    KindMismatch {
        kind: SubKind,
        category: Category,
    },
    NoCategory,
}

impl FieldError {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            FieldError::Empty { field } => {
                let f = field.label(lang);
                tr!(lang, "「{f}」が空です。内容を書いてください。", "“{f}” is empty: please describe it.")
            }
            FieldError::TooLong { field, len, max } => {
                let f = field.label(lang);
                tr!(
                    lang,
                    "「{f}」は{len}文字です。上限は{max}文字なので短くしてください。",
                    "“{f}” has {len} characters; the limit is {max}: shorten it."
                )
            }
            FieldError::KindMismatch { kind, category } => {
                let (k, c, a) = (kind.label(), category.label(), kind.category().label());
                let (k, c, actual) = (k.get(lang), c.get(lang), a.get(lang));
                tr!(
                    lang,
                    "種類「{k}」は区分「{c}」に属しません。区分「{actual}」を選ぶか、別の種類を選んでください。",
                    "The kind “{k}” is not under “{c}”: choose the category “{actual}” or another kind."
                )
            }
            FieldError::NoCategory => tr!(lang, "区分が選ばれていません。", "No category was chosen."),
        }
    }

    /// One of each, for the test that reads every refusal in Japanese.
    pub fn examples() -> Vec<FieldError> {
        vec![
            FieldError::Empty { field: ReportField::Title },
            FieldError::TooLong { field: ReportField::Description, len: 4001, max: 4000 },
            FieldError::KindMismatch { kind: SubKind::Malware, category: Category::Failure },
            FieldError::NoCategory,
        ]
    }
}

/// A report as checked: a category is chosen, every field is within its
/// limit, the text is trimmed. Only [`ReportDraft::validate`] makes one, so
/// the service never stores an unchecked report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub category: Category,
    pub kind: Option<SubKind>,
    pub title: String,
    pub description: String,
    pub noticed: String,
    pub systems: Vec<String>,
    pub impact: String,
    pub confidential: bool,
    pub proxy: Option<super::proxy::Proxy>,
}

impl ReportDraft {
    /// The report, or every problem at once, so the reporter fixes them in
    /// one go.
    pub fn validate(&self) -> Result<Report, Vec<FieldError>> {
        let problems = self.problems();
        match self.category {
            Some(category) if problems.is_empty() => Ok(Report {
                category,
                kind: self.kind,
                title: self.title.trim().to_string(),
                description: self.description.trim().to_string(),
                noticed: self.noticed.trim().to_string(),
                systems: self.system_names(),
                impact: self.impact.trim().to_string(),
                confidential: self.confidential,
                proxy: self.proxy.clone(),
            }),
            _ => Err(problems),
        }
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut out = vec![];
        let mut field = |name: ReportField, value: &str, max: usize, required: bool| {
            let len = value.chars().count();
            if required && value.trim().is_empty() {
                out.push(FieldError::Empty { field: name });
            } else if len > max {
                out.push(FieldError::TooLong { field: name, len, max });
            }
        };
        field(ReportField::Title, &self.title, limits::TITLE, true);
        field(ReportField::Description, &self.description, limits::DESCRIPTION, true);
        field(ReportField::Noticed, &self.noticed, limits::NOTICED, false);
        field(ReportField::Systems, &self.systems, limits::SYSTEMS, false);
        field(ReportField::Impact, &self.impact, limits::IMPACT, false);
        if let Some(p) = &self.proxy {
            // A member chosen, or the name of whoever made it.
            field(ReportField::Reporter, &p.outsider, super::proxy::MAX_OUTSIDER, p.member.is_none());
        }
        match (self.category, self.kind) {
            (None, _) => out.push(FieldError::NoCategory),
            (Some(c), Some(k)) if k.category() != c => out.push(FieldError::KindMismatch { kind: k, category: c }),
            _ => {}
        }
        out
    }

    fn system_names(&self) -> Vec<String> {
        system_names(&self.systems)
    }
}

/// The names of affected systems as typed, split on commas, 、 and new
/// lines, each once.
pub fn system_names(typed: &str) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for n in typed.split([',', '、', '，', '\n', ';']).map(str::trim).filter(|n| !n.is_empty()) {
        if !names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
            names.push(n.to_string());
        }
    }
    names
}

/// Understands "when it was noticed" in the organisation's time zone:
/// `2026-11-25 14:30`, `2026/11/25 14:30`, `11/25 14:30`, `14:30`,
/// `2026年11月25日 14時30分`, or empty / `now` / `今`. Anything else is kept
/// as typed and the report time is used (flagged as not understood). A time
/// in the future is taken as the previous day (people type "23:50" after
/// midnight).
pub fn parse_noticed(text: &str, now: DateTime<Utc>, tz: Tz) -> Noticed {
    let trimmed = text.trim();
    let keep = |at: DateTime<Utc>, understood| Noticed { text: trimmed.to_string(), at, understood };
    if trimmed.is_empty() || ["now", "今", "いま", "たった今"].contains(&trimmed.to_lowercase().as_str()) {
        return keep(now, true);
    }
    let norm: String = trimmed
        .replace(['年', '月'], "-")
        .replace('日', " ")
        .replace('時', ":")
        .replace('分', "")
        .replace('/', "-")
        .replace('T', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let local_now = now.with_timezone(&tz);
    let naive = parse_naive(&norm, local_now.date_naive());
    let Some((naive, time_only)) = naive else {
        return keep(now, false);
    };
    let Some(mut at) = tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)) else {
        return keep(now, false);
    };
    if time_only && at > now {
        at -= Duration::days(1);
    }
    if at > now + Duration::minutes(5) {
        // A date in the future cannot be when something was noticed.
        return keep(now, false);
    }
    keep(at, true)
}

fn parse_naive(s: &str, today: NaiveDate) -> Option<(NaiveDateTime, bool)> {
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some((dt, false));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some((d.and_time(NaiveTime::MIN), false));
    }
    for f in ["%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&format!("{}-{s}", today.format("%Y")), &format!("%Y-{f}")) {
            return Some((dt, false));
        }
    }
    for f in ["%H:%M", "%H:%M:%S", "%H:"] {
        if let Ok(t) = NaiveTime::parse_from_str(s, f) {
            return Some((today.and_time(t), true));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        // 2026-11-25 10:00 in Tokyo.
        Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap()
    }

    fn jst(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Tokyo.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn noticed_times_in_the_organisations_zone() {
        let tz = chrono_tz::Asia::Tokyo;
        let p = |s| parse_noticed(s, now(), tz);
        assert_eq!(p("2026-11-25 09:15").at, jst(2026, 11, 25, 9, 15));
        assert_eq!(p("2026/11/24 23:00").at, jst(2026, 11, 24, 23, 0));
        assert_eq!(p("2026年11月25日 8時30分").at, jst(2026, 11, 25, 8, 30));
        assert_eq!(p("11/25 07:00").at, jst(2026, 11, 25, 7, 0));
        assert_eq!(p("09:45").at, jst(2026, 11, 25, 9, 45));
        // After midnight, "23:50" means yesterday evening.
        assert_eq!(p("23:50").at, jst(2026, 11, 24, 23, 50));
        assert!(p("").understood && p("今").understood);
        assert_eq!(p("").at, now());
    }

    /// Exactly now is now (not yesterday); up to five minutes ahead is a
    /// clock difference, further is the future.
    #[test]
    fn the_edges_of_now_and_of_the_future() {
        let tz = chrono_tz::Asia::Tokyo;
        // now() is 10:00 in Tokyo.
        assert_eq!(parse_noticed("10:00", now(), tz).at, now(), "this very minute, today");
        let ahead =
            |m: i64| parse_noticed(&(now() + Duration::minutes(m)).with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(), now(), tz);
        assert!(ahead(4).understood && ahead(5).understood);
        assert_eq!(ahead(5).at, now() + Duration::minutes(5));
        assert!(!ahead(6).understood);
    }

    #[test]
    fn unparsable_or_future_times_are_kept_and_flagged() {
        let n = parse_noticed("yesterday after lunch", now(), chrono_tz::Asia::Tokyo);
        assert!(!n.understood);
        assert_eq!(n.at, now());
        assert_eq!(n.text, "yesterday after lunch");
        assert!(!parse_noticed("2027-01-01 00:00", now(), chrono_tz::Asia::Tokyo).understood);
    }

    fn draft() -> ReportDraft {
        ReportDraft {
            category: Some(Category::Breach),
            kind: Some(SubKind::Malware),
            title: "t".into(),
            description: "d".into(),
            ..Default::default()
        }
    }

    #[test]
    fn fields_at_the_limit_pass_and_longer_ones_are_named() {
        let mut d = draft();
        d.title = "あ".repeat(limits::TITLE);
        d.description = "x".repeat(limits::DESCRIPTION);
        assert!(d.validate().is_ok());
        d.title.push('あ');
        let problems = d.validate().unwrap_err();
        assert_eq!(problems, vec![FieldError::TooLong { field: ReportField::Title, len: 101, max: 100 }]);
        assert_eq!(problems[0].text(Lang::Ja), "「件名」は101文字です。上限は100文字なので短くしてください。");
    }

    #[test]
    fn a_draft_without_a_category_says_so() {
        let d = ReportDraft { category: None, ..draft() };
        assert_eq!(d.validate().unwrap_err(), vec![FieldError::NoCategory]);
    }

    #[test]
    fn every_problem_is_listed() {
        let d = ReportDraft { category: Some(Category::Failure), kind: Some(SubKind::Malware), ..Default::default() };
        let p = d.validate().unwrap_err();
        assert_eq!(
            p,
            vec![
                FieldError::Empty { field: ReportField::Title },
                FieldError::Empty { field: ReportField::Description },
                FieldError::KindMismatch { kind: SubKind::Malware, category: Category::Failure },
            ]
        );
    }

    #[test]
    fn system_names_split_and_dedupe() {
        let mut d = draft();
        d.systems = "mail, Web、mail\nVPN ; ".into();
        assert_eq!(d.validate().unwrap().systems, vec!["mail", "Web", "VPN"]);
    }
}

/// The flood guard (one member cannot open hundreds of channels and ping
/// the committee each time): beyond `channels_per_member_per_hour` a
/// member's report is stored and answered with its number, but held for
/// the committee's triage; the committee hears of held reports at most
/// once per `triage_ping_every`. The committee is never limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLimits {
    pub channels_per_member_per_hour: usize,
    pub triage_ping_every: chrono::Duration,
    /// Reports that look alike within this window join the first one's
    /// incident (`None`: off).
    pub wave: Option<chrono::Duration>,
}

impl Default for ReportLimits {
    fn default() -> Self {
        ReportLimits {
            channels_per_member_per_hour: 3,
            triage_ping_every: chrono::Duration::minutes(5),
            wave: Some(chrono::Duration::minutes(10)),
        }
    }
}
