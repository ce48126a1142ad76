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

/// Shows user text as typed without letting it ping, link or disguise
/// itself under the bot's name:
/// - `@everyone`, `@here` and mentions get a zero-width space after the `@`
///   (defence in depth: `allowed_mentions` is always set as well);
/// - a masked link `[https://intranet](https://evil)` shows its brackets
///   (`\[`, `\]`), so the real address is what Discord links;
/// - a line that would render as a heading (`# `) or as small subtext
///   (`-# `) shows its marker instead;
/// - a backslash is doubled first, so the text cannot undo these escapes.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches([' ', '\t']);
        if body.starts_with('#') || body.starts_with("-#") {
            out.push_str(&line[..line.len() - body.len()]);
            out.push('\\');
            push_defused(&mut out, body);
        } else {
            push_defused(&mut out, line);
        }
    }
    out
}

fn push_defused(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '@' => out.push_str("@\u{200B}"),
            c => out.push(c),
        }
    }
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

    /// A masked link, a heading and subtext render as the text typed; a
    /// backslash cannot undo the escapes.
    #[test]
    fn inert_defuses_masked_links_headings_and_subtext() {
        assert_eq!(
            inert("[https://intranet.example/login](https://evil.example/x)"),
            "\\[https://intranet.example/login\\](https://evil.example/x)"
        );
        assert_eq!(inert("# big\n  -# small\nok # not"), "\\# big\n  \\-# small\nok # not");
        assert_eq!(inert("\\[a](https://x)"), "\\\\\\[a\\](https://x)");
        assert_eq!(inert("C:\\Users"), "C:\\\\Users");
    }

    #[test]
    fn inert_defuses_mentions() {
        assert_eq!(inert("@everyone <@&123> @here <@456>"), "@\u{200B}everyone <@\u{200B}&123> @\u{200B}here <@\u{200B}456>");
    }
}
