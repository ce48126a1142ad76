//! Japan's APPI Art. 26: a leak of personal data is reported to the
//! Personal Information Protection Commission (PPC), and the people
//! affected told, when any of four conditions holds. hikeshi asks the four
//! questions, tracks the preliminary and final report deadlines, and drafts
//! the report. An aid, not legal advice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppiQuestion {
    /// Sensitive personal information (要配慮個人情報).
    Sensitive,
    /// Data whose misuse can cause financial damage.
    Financial,
    /// A possibly malicious cause (unauthorised access, an insider taking data).
    Malicious,
    /// More than 1,000 people.
    OverThousand,
}

impl AppiQuestion {
    pub const ALL: [AppiQuestion; 4] =
        [AppiQuestion::Sensitive, AppiQuestion::Financial, AppiQuestion::Malicious, AppiQuestion::OverThousand];

    pub fn id(self) -> &'static str {
        match self {
            AppiQuestion::Sensitive => "sensitive",
            AppiQuestion::Financial => "financial",
            AppiQuestion::Malicious => "malicious",
            AppiQuestion::OverThousand => "over1000",
        }
    }

    pub fn parse(s: &str) -> Option<AppiQuestion> {
        Self::ALL.into_iter().find(|q| q.id() == s)
    }

    pub fn label(self) -> super::Text {
        use super::Text;
        match self {
            AppiQuestion::Sensitive => Text::new("要配慮個人情報を含む", "Sensitive personal information"),
            AppiQuestion::Financial => Text::new("財産的被害のおそれ", "Risk of financial damage"),
            AppiQuestion::Malicious => Text::new("不正の目的によるおそれ", "Possibly malicious cause"),
            AppiQuestion::OverThousand => Text::new("本人が1,000人を超える", "More than 1,000 people"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Preliminary,
    Final,
}

impl Stage {
    /// The two reports to the PPC, as the Act's guidelines name them.
    pub fn label(self) -> super::Text {
        match self {
            Stage::Preliminary => super::Text::new("速報", "preliminary report"),
            Stage::Final => super::Text::new("確報", "final report"),
        }
    }
}

/// The answers and what was filed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Appi {
    pub answers: Vec<(AppiQuestion, bool)>,
    pub preliminary_filed: bool,
    pub final_filed: bool,
}

/// The deadlines the organisation configured (PPC rules: preliminary
/// "promptly", about 3–5 days; final within 30 days, 60 where malicious).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppiPolicy {
    pub preliminary: Duration,
    pub final_normal: Duration,
    pub final_malicious: Duration,
}

impl Default for AppiPolicy {
    fn default() -> Self {
        AppiPolicy { preliminary: Duration::days(3), final_normal: Duration::days(30), final_malicious: Duration::days(60) }
    }
}

impl Appi {
    pub fn answer(&self, q: AppiQuestion) -> Option<bool> {
        self.answers.iter().find(|(x, _)| *x == q).map(|(_, a)| *a)
    }

    pub fn set(&mut self, q: AppiQuestion, yes: bool) {
        self.answers.retain(|(x, _)| *x != q);
        self.answers.push((q, yes));
    }

    /// A report to the PPC is owed where any answer is yes.
    pub fn reportable(&self) -> bool {
        self.answers.iter().any(|(_, a)| *a)
    }

    /// When each report is due, counted from discovery.
    pub fn deadlines(&self, discovered: DateTime<Utc>, p: &AppiPolicy) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.reportable() {
            return None;
        }
        let fin = if self.answer(AppiQuestion::Malicious) == Some(true) { p.final_malicious } else { p.final_normal };
        Some((discovered + p.preliminary, discovered + fin))
    }

    pub fn filed(&self, stage: Stage) -> bool {
        match stage {
            Stage::Preliminary => self.preliminary_filed,
            Stage::Final => self.final_filed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn each_filing_is_kept_for_its_own_stage() {
        let mut a = Appi::default();
        assert!(!a.filed(Stage::Preliminary) && !a.filed(Stage::Final));
        a.preliminary_filed = true;
        assert!(a.filed(Stage::Preliminary) && !a.filed(Stage::Final));
        a.final_filed = true;
        a.preliminary_filed = false;
        assert!(!a.filed(Stage::Preliminary) && a.filed(Stage::Final));
    }

    #[test]
    fn any_yes_makes_it_reportable_and_malice_doubles_the_final_deadline() {
        let t = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        let p = AppiPolicy::default();
        let mut a = Appi::default();
        for q in AppiQuestion::ALL {
            a.set(q, false);
        }
        assert!(!a.reportable());
        assert_eq!(a.deadlines(t, &p), None);
        a.set(AppiQuestion::OverThousand, true);
        assert_eq!(a.deadlines(t, &p), Some((t + Duration::days(3), t + Duration::days(30))));
        a.set(AppiQuestion::Malicious, true);
        assert_eq!(a.deadlines(t, &p), Some((t + Duration::days(3), t + Duration::days(60))));
        assert_eq!(a.answers.len(), 4, "an answer replaces the earlier one");
    }
}
