//! Every user-facing text exists in Japanese and English. Replies follow
//! the user's Discord locale; channel posts follow the organisation's
//! language.

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

/// Cuts a text to at most `max` characters (not bytes), marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Shows user text as typed without letting it ping or break formatting:
/// `@everyone`, `@here` and mentions get a zero-width space after the `@`
/// (defence in depth: `allowed_mentions` is always set as well).
pub fn inert(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;

    #[test]
    fn tr_picks_the_language() {
        let n = 3;
        assert_eq!(tr!(Lang::Ja, "{n}件", "{n} items"), "3件");
        assert_eq!(tr!(Lang::En, "{n}件", "{n} items"), "3 items");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("火消し", 3), "火消し");
        assert_eq!(clip("火消しです", 3), "火消…");
    }

    #[test]
    fn inert_defuses_mentions() {
        assert!(!inert("@everyone <@&123> @here").contains("@e"));
    }
}
