//! Bilingual text: every user-facing string exists in Japanese and English.
//! Replies follow the user's Discord locale; channel posts and documents
//! follow the organisation's language.

use serde::{Deserialize, Serialize};

/// The two languages hikeshi speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// Discord sends locales such as `ja`, `en-US`, `en-GB`, `fr`.
    /// Japanese for `ja`, English for everything else.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.eq_ignore_ascii_case("ja") || locale.to_ascii_lowercase().starts_with("ja-") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`: use \"ja\" or \"en\"")),
        }
    }
}

/// A text given in both languages (playbook titles, checklist items, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Text {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Text { ja: ja.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    pub fn is_blank(&self) -> bool {
        self.ja.trim().is_empty() || self.en.trim().is_empty()
    }
}

/// `tr!(lang, "日本語 {x}", "English {x}")` picks and formats one.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $ja:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::domain::Lang::Ja => format!($ja),
            $crate::domain::Lang::En => format!($en),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_have_their_codes() {
        assert_eq!((Lang::Ja.code(), Lang::En.code()), ("ja", "en"));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn tr_picks_the_language() {
        let n = 3;
        assert_eq!(tr!(Lang::Ja, "{n}件", "{n} items"), "3件");
        assert_eq!(tr!(Lang::En, "{n}件", "{n} items"), "3 items");
    }

    #[test]
    fn locales_map_to_the_two_languages() {
        assert_eq!(Lang::from_locale("ja"), Lang::Ja);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("fr"), Lang::En);
    }

    #[test]
    fn text_picks_the_language() {
        let t = Text::new("火消し", "firefighter");
        assert_eq!(t.get(Lang::Ja), "火消し");
        assert_eq!(t.get(Lang::En), "firefighter");
        assert!(Text::new("", "x").is_blank());
    }
}
