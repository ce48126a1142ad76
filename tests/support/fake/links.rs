//! Masked links as Discord renders them: `[text](https://…)` in message
//! content, embed descriptions and field values (not in titles, footers or
//! code). The bot never writes one itself, so any masked link in what it
//! sends came from a person's text and could disguise where it leads.

use super::{path_matches, FakeDiscord};
use serde_json::Value;

/// The masked links in `text`: `(shown text, target)`. A bracket preceded
/// by an unescaped backslash is literal; code spans and blocks render
/// nothing.
pub fn masked_links(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let mut in_code: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|c| **c == '`').count();
            match in_code {
                Some(n) if n == run => in_code = None,
                None => in_code = Some(run),
                _ => {}
            }
            i += run;
            continue;
        }
        if c == '[' && in_code.is_none() {
            if let Some((shown, target, end)) = link_at(&chars, i) {
                out.push((shown, target));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A link starting at the `[` at `start`: its text, target and the index
/// after its `)`.
fn link_at(chars: &[char], start: usize) -> Option<(String, String, usize)> {
    let mut j = start + 1;
    let mut shown = String::new();
    while j < chars.len() {
        match chars[j] {
            '\\' => {
                shown.extend(chars.get(j + 1));
                j += 2;
                continue;
            }
            ']' => break,
            '[' | '\n' => return None,
            c => shown.push(c),
        }
        j += 1;
    }
    if chars.get(j) != Some(&']') || chars.get(j + 1) != Some(&'(') {
        return None;
    }
    let mut k = j + 2;
    let mut target = String::new();
    while k < chars.len() && chars[k] != ')' {
        if chars[k] == '\n' {
            return None;
        }
        target.push(chars[k]);
        k += 1;
    }
    if k >= chars.len() || shown.trim().is_empty() {
        return None;
    }
    let t = target.trim().trim_start_matches('<').trim_end_matches('>');
    (t.starts_with("https://") || t.starts_with("http://")).then(|| (shown, t.to_string(), k + 1))
}

/// The texts of a message body in which Discord renders links.
fn linkable_texts(message: &Value) -> Vec<String> {
    let mut texts = vec![];
    texts.extend(message["content"].as_str().map(str::to_string));
    for e in message["embeds"].as_array().into_iter().flatten() {
        texts.extend(e["description"].as_str().map(str::to_string));
        for f in e["fields"].as_array().into_iter().flatten() {
            texts.extend(f["value"].as_str().map(str::to_string));
        }
    }
    texts
}

impl FakeDiscord {
    /// Every masked link in what the bot posted or edited: channel
    /// messages, interaction answers and their edits, direct messages.
    pub fn masked_links(&self) -> Vec<String> {
        let mut out = vec![];
        for r in self.requests().into_iter().filter(|r| r.status < 300 && r.method != "GET") {
            let message = if path_matches("/interactions/*/*/callback", &r.path) {
                r.body["data"].clone()
            } else if ["/channels/*/messages", "/channels/*/messages/*", "/webhooks/*/*/messages/@original", "/webhooks/*/*"]
                .iter()
                .any(|p| path_matches(p, &r.path))
            {
                r.body.clone()
            } else {
                continue;
            };
            for text in linkable_texts(&message) {
                for (shown, target) in masked_links(&text) {
                    out.push(format!("{} {}: [{shown}]({target})", r.method, r.path));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::masked_links;

    #[test]
    fn masked_links_render_unless_escaped_or_in_code() {
        let l = |t: &str| masked_links(t).into_iter().map(|(a, b)| format!("{a}->{b}")).collect::<Vec<_>>();
        assert_eq!(l("see [https://intranet/login](https://evil/x) now"), ["https://intranet/login->https://evil/x"]);
        assert_eq!(l("[a](<https://x>)"), ["a->https://x"]);
        assert!(l("\\[a\\](https://x)").is_empty());
        assert!(l("\\[a](https://x)").is_empty());
        assert!(l("`[a](https://x)`").is_empty());
        assert!(l("```\n[a](https://x)\n```").is_empty());
        assert!(l("[a](ftp://x)").is_empty());
        assert!(l("[a] (https://x)").is_empty());
        // An escaped backslash does not escape the bracket.
        assert_eq!(l("\\\\[a](https://x)"), ["a->https://x"]);
    }
}
