//! §9 改訂: the regulation's text in sections, and what a revision changed,
//! section by section, for the notice to all members (変更内容の通知).

/// One section: its heading line (`４<TAB>遵守事項`, `## §4 Obligations`) and
/// everything under it up to the next heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub body: String,
}

/// What became of a section in a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Changed,
    Removed,
}

/// The text before the first heading (a title, a preamble).
pub const PREAMBLE: &str = "（前文）";

/// A top-level heading: a Markdown `#`–`###` line, or a line that starts
/// with a section number (ASCII or full-width digits) followed by a tab or
/// a space, as the organisation's Japanese text writes them (`９<TAB>改訂`).
fn is_heading(line: &str) -> bool {
    let l = line.trim_end();
    if l.starts_with("## ") || l.starts_with("### ") {
        return true;
    }
    let digits = l.chars().take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c)).count();
    // The line is trimmed at its end: a separator there is followed by a title.
    digits > 0 && l.chars().nth(digits).is_some_and(|c| c == '\t' || c == ' ' || c == '　')
}

/// The sections of `text`, in order; whitespace at line ends and blank
/// lines do not count as a change.
pub fn sections(text: &str) -> Vec<Section> {
    let mut out = vec![Section { heading: PREAMBLE.to_string(), body: String::new() }];
    for line in text.lines() {
        if is_heading(line) {
            out.push(Section { heading: line.trim().replace('\t', " "), body: String::new() });
        } else if !line.trim().is_empty() {
            let last = out.last_mut().expect("the preamble is always there");
            last.body.push_str(line.trim_end());
            last.body.push('\n');
        }
    }
    out.retain(|s| s.heading != PREAMBLE || !s.body.is_empty());
    out
}

/// What a revision from `old` to `new` changed: the sections added or
/// changed in the new text's order, then those removed.
pub fn changes(old: &str, new: &str) -> Vec<(String, Change)> {
    let (old, new) = (sections(old), sections(new));
    let mut out = vec![];
    for s in &new {
        match old.iter().find(|o| o.heading == s.heading) {
            None => out.push((s.heading.clone(), Change::Added)),
            Some(o) if o.body != s.body => out.push((s.heading.clone(), Change::Changed)),
            Some(_) => {}
        }
    }
    for o in &old {
        if !new.iter().any(|s| s.heading == o.heading) {
            out.push((o.heading.clone(), Change::Removed));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "規程\n１\t趣旨\n本規程は…\n\n４\t遵守事項\n（１）準備\n８\t公開事項\n対象者にのみ公開\n";

    #[test]
    fn the_japanese_numbered_sections_and_markdown_headings_are_sections() {
        let s = sections(V1);
        let headings: Vec<&str> = s.iter().map(|x| x.heading.as_str()).collect();
        assert_eq!(headings, vec![PREAMBLE, "１ 趣旨", "４ 遵守事項", "８ 公開事項"]);
        assert_eq!(s[2].body, "（１）準備\n");
        let md = sections("# Title\n## §1 Purpose\ntext\n### §4.1 Preparation\nmore\n");
        assert_eq!(md.iter().map(|x| x.heading.as_str()).collect::<Vec<_>>(), vec![PREAMBLE, "## §1 Purpose", "### §4.1 Preparation"]);
        assert!(!is_heading("１"), "a number alone is no heading");
        assert!(!is_heading("（１）準備"), "an item is no heading");
    }

    /// A heading is a number and a title, parted by a tab, a space or a
    /// full-width space; a number alone, a year in a sentence, an
    /// indented line or a numbered item in brackets is body text.
    #[test]
    fn a_heading_is_a_number_then_a_separator_then_a_title() {
        for heading in ["１\t趣旨", "9 改訂", "１２\t附則", "３　定義", "## 附則", "### Scope"] {
            assert!(is_heading(heading), "{heading:?}");
        }
        for body in ["１", "１\t", "9 ", "2026年に改訂", "本規程は", " 本文", "\t本文", "（１）準備", "#タグ"] {
            assert!(!is_heading(body), "{body:?}");
        }
    }

    /// A section with a heading and no text yet is still a section.
    #[test]
    fn a_heading_without_text_is_kept() {
        let s = sections("１\t趣旨\n本規程は…\n９\t改訂\n");
        assert_eq!(s.iter().map(|x| x.heading.as_str()).collect::<Vec<_>>(), ["１ 趣旨", "９ 改訂"]);
    }

    #[test]
    fn a_revision_names_each_section_it_added_changed_or_removed() {
        let v2 = "規程\n１\t趣旨\n本規程は…   \n\n４\t遵守事項\n（１）準備\n（２）訓練は年2回\n９\t改訂\n承認\n";
        assert_eq!(
            changes(V1, v2),
            vec![("４ 遵守事項".into(), Change::Changed), ("９ 改訂".into(), Change::Added), ("８ 公開事項".into(), Change::Removed)]
        );
        assert!(changes(V1, V1).is_empty());
        assert!(changes(V1, &V1.replace('\n', "\n\n")).is_empty(), "blank lines are no change");
    }
}
