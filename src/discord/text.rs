//! Text helpers for Discord: clipping to its limits, and showing a person's
//! text without letting it ping, link or break the formatting. (The
//! translation macro `tr!` lives in `domain::text`, for every layer.)

/// Cuts a text to at most `max` characters (not bytes), marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A person's own text given back to them in a code block (nothing in it
/// renders or pings), clipped to leave room in one message; a fence in the
/// text would end the block early, so it is shown as '''.
pub fn fenced(text: &str) -> String {
    format!("```\n{}\n```", clip(&text.replace("```", "'''"), 1200))
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

    #[test]
    fn fenced_text_cannot_close_the_block_early() {
        let shown = fenced("a ``` b");
        assert_eq!(shown, "```\na ''' b\n```");
        assert_eq!(fenced(&"x".repeat(5000)).chars().count(), 1200 + 8);
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("火消し", 3), "火消し");
        assert_eq!(clip("火消しです", 3), "火消…");
    }

    #[test]
    fn inert_defuses_mentions() {
        assert_eq!(inert("@everyone <@&123> @here <@456>"), "@\u{200B}everyone <@\u{200B}&123> @\u{200B}here <@\u{200B}456>");
    }
}
