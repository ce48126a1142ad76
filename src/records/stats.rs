//! Figures for the committee: per category, incidents, median times to a
//! commander, to containment and to recovery, Table 1 deadlines met and
//! missed. Drills are counted apart and never mixed in.

use crate::domain::{Category, Incident, Phase};
use chrono::{DateTime, Duration, Utc};

pub use crate::domain::phase::PhaseEntries as Entered;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub incidents: usize,
    pub to_commander: Option<Duration>,
    pub to_containment: Option<Duration>,
    pub to_recovery: Option<Duration>,
    pub deadlines_met: usize,
    pub deadlines_missed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    pub by_category: Vec<(Category, Row)>,
    pub all: Row,
    pub drills: Row,
    /// Real incidents reported per month (`YYYY-MM` in the organisation's
    /// time zone), by category in `Category::ALL`'s order.
    pub by_month: Vec<(String, Vec<usize>)>,
    /// §4.2: the time to the committee's acknowledgement, by priority.
    pub acknowledge: Vec<super::acknowledge::AckRow>,
    /// §4.1(4) Table 1 per system: `(system, met, missed, still down)`
    /// over the outages recorded, by system name.
    pub by_system: Vec<(String, usize, usize, usize)>,
}

/// The recorded outages of real incidents, counted per system.
fn by_system<'a>(incidents: impl Iterator<Item = &'a Incident>) -> Vec<(String, usize, usize, usize)> {
    let mut out: Vec<(String, usize, usize, usize)> = vec![];
    for o in incidents.flat_map(|i| i.outages.iter()) {
        let k = match out.iter().position(|(s, ..)| s.eq_ignore_ascii_case(&o.system)) {
            Some(k) => k,
            None => {
                out.push((o.system.clone(), 0, 0, 0));
                out.len() - 1
            }
        };
        match (o.restored, o.met()) {
            (None, _) => out[k].3 += 1,
            (Some(_), Some(true)) | (Some(_), None) => out[k].1 += 1,
            (Some(_), Some(false)) => out[k].2 += 1,
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Option<Duration> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2 })
}

fn row<'a>(items: impl Iterator<Item = &'a (Incident, Entered)>, now: DateTime<Utc>) -> Row {
    let items: Vec<&(Incident, Entered)> = items.collect();
    let since = |i: &Incident, t: Option<DateTime<Utc>>| t.map(|t| t - i.reported_at);
    let mut r = Row { incidents: items.len(), ..Row::default() };
    r.to_commander = median(items.iter().filter_map(|(i, _)| since(i, i.commander_since)).collect());
    r.to_containment = median(items.iter().filter_map(|(i, e)| since(i, e.get(&Phase::Containment).copied())).collect());
    r.to_recovery = median(items.iter().filter_map(|(i, e)| since(i, e.get(&Phase::Lessons).copied())).collect());
    for (i, e) in &items {
        // Dismissed reports and duplicates had no recovery to make.
        if i.close_reason.is_some() {
            continue;
        }
        let Some(deadline) = i.deadline.at() else { continue };
        match e.get(&Phase::Lessons) {
            Some(recovered) if *recovered <= deadline => r.deadlines_met += 1,
            Some(_) => r.deadlines_missed += 1,
            None if now > deadline => r.deadlines_missed += 1,
            None => {}
        }
    }
    r
}

/// Figures over the incidents reported in the period the caller chose.
pub fn compute(items: &[(Incident, Entered)], now: DateTime<Utc>, tz: chrono_tz::Tz) -> Stats {
    let real = || items.iter().filter(|(i, _)| !i.is_drill());
    let mut months: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, _) in real() {
        let month = i.reported_at.with_timezone(&tz).format("%Y-%m").to_string();
        let counts = months.entry(month).or_insert_with(|| vec![0; Category::ALL.len()]);
        if let Some(k) = Category::ALL.iter().position(|c| *c == i.category) {
            counts[k] += 1;
        }
    }
    Stats {
        by_category: Category::ALL.iter().map(|c| (*c, row(real().filter(|(i, _)| i.category == *c), now))).collect(),
        all: row(real(), now),
        drills: row(items.iter().filter(|(i, _)| i.is_drill()), now),
        by_month: months.into_iter().collect(),
        acknowledge: super::acknowledge::rows(real().map(|(i, _)| i)),
        by_system: by_system(real().map(|(i, _)| i)),
    }
}

/// `1h05m`, or `—` when there is nothing to measure.
pub fn human(d: Option<Duration>) -> String {
    match d {
        None => "—".into(),
        Some(d) => {
            let m = d.num_minutes();
            if m >= 24 * 60 {
                format!("{}d{:02}h", m / (24 * 60), (m / 60) % 24)
            } else {
                format!("{}h{:02}m", m / 60, m % 60)
            }
        }
    }
}

/// The figures as a fixed-width table (CLI and Discord code block).
/// The figures as a table for a terminal or a code block: labels in the
/// organisation's language, columns aligned by display width (a Japanese
/// character takes two columns).
pub fn table(s: &Stats, lang: crate::domain::Lang) -> String {
    use crate::tr;
    let head = vec![
        tr!(lang, "区分", "category"),
        tr!(lang, "件数", "count"),
        tr!(lang, "実行責任者まで", "to command"),
        tr!(lang, "封じ込めまで", "to contain"),
        tr!(lang, "復旧まで", "to recover"),
        tr!(lang, "期限内", "met"),
        tr!(lang, "超過", "missed"),
    ];
    let line = |name: String, r: &Row| {
        vec![
            name,
            r.incidents.to_string(),
            human(r.to_commander),
            human(r.to_containment),
            human(r.to_recovery),
            r.deadlines_met.to_string(),
            r.deadlines_missed.to_string(),
        ]
    };
    let mut rows = vec![head];
    for (c, r) in &s.by_category {
        rows.push(line(c.label().get(lang).to_string(), r));
    }
    rows.push(line(tr!(lang, "合計", "all"), &s.all));
    rows.push(line(tr!(lang, "訓練（別集計）", "drills (apart)"), &s.drills));
    let mut out = aligned(&rows);
    out.push_str(&super::acknowledge::table(&s.acknowledge, lang));
    if !s.by_system.is_empty() {
        let mut rows = vec![vec![
            tr!(lang, "システム（表1）", "system (Table 1)"),
            tr!(lang, "期限内", "met"),
            tr!(lang, "超過", "missed"),
            tr!(lang, "停止中", "down"),
        ]];
        rows.extend(
            s.by_system.iter().map(|(name, met, missed, down)| vec![name.clone(), met.to_string(), missed.to_string(), down.to_string()]),
        );
        out.push('\n');
        out.push_str(&aligned(&rows));
    }
    out
}

/// Rows as columns aligned by display width (a Japanese character takes
/// two): the name column to the left, figures to the right.
pub(super) fn aligned(rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let widths: Vec<usize> = (0..rows[0].len()).map(|k| rows.iter().map(|r| r[k].width()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (cell, w))| {
                let pad = " ".repeat(w - cell.width());
                // The name column to the left, figures to the right.
                if k == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(&cells.join("  "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;
    use crate::domain::UserId;

    #[test]
    fn medians_deadlines_and_drills_apart() {
        let mut a = incident(true); // priority 2: 24 h
        a.commander = Some(UserId(1));
        a.commander_since = Some(a.reported_at + Duration::minutes(10));
        let t = a.reported_at;
        let a_entered: Entered = [(Phase::Containment, t + Duration::hours(2)), (Phase::Lessons, t + Duration::hours(20))].into();
        let mut b = incident(true);
        b.commander_since = Some(b.reported_at + Duration::minutes(30));
        let b_entered: Entered = [(Phase::Containment, t + Duration::hours(4)), (Phase::Lessons, t + Duration::hours(30))].into();
        let mut drill = incident(true);
        drill.number.drill = true;
        drill.commander_since = Some(drill.reported_at + Duration::minutes(1));
        let s = compute(&[(a, a_entered), (b, b_entered), (drill, Entered::new())], t + Duration::days(2), chrono_tz::Asia::Tokyo);
        assert_eq!(s.by_month, vec![("2026-11".to_string(), vec![2, 0, 0, 0])], "drills apart");
        assert_eq!(s.all.incidents, 2);
        assert_eq!(s.all.to_commander, Some(Duration::minutes(20)));
        assert_eq!(s.all.to_containment, Some(Duration::hours(3)));
        assert_eq!((s.all.deadlines_met, s.all.deadlines_missed), (1, 1));
        assert_eq!(s.drills.incidents, 1);
        assert_eq!(s.drills.to_commander, Some(Duration::minutes(1)));
        assert_eq!(s.by_category.iter().find(|(c, _)| *c == Category::Breach).unwrap().1.incidents, 2);
        assert_eq!(human(Some(Duration::minutes(65))), "1h05m");
        assert_eq!(human(Some(Duration::hours(49))), "2d01h");
    }

    /// Every line of the table is as wide on screen as the others, in
    /// Japanese (wide characters) and in English, and the labels are the
    /// organisation's.
    #[test]
    fn the_table_lines_up_in_japanese_and_english() {
        use unicode_width::UnicodeWidthStr;
        let mut s = compute(&[], Utc::now(), chrono_tz::Asia::Tokyo);
        s.all.to_commander = Some(Duration::minutes(75));
        for lang in [crate::domain::Lang::Ja, crate::domain::Lang::En] {
            let t = table(&s, lang);
            let widths: Vec<usize> = t.lines().map(|l| l.width()).collect();
            assert!(widths.windows(2).all(|w| w[0] == w[1]), "{lang:?}:\n{t}\n{widths:?}");
        }
        // In Japanese (no spaces inside a label) each figure column ends at
        // the same display column on every line.
        let ends = |l: &str| {
            let (mut col, mut out, mut in_word) = (0, vec![], false);
            for ch in l.chars() {
                let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
                if ch == ' ' && in_word {
                    out.push(col);
                }
                in_word = ch != ' ';
                col += w;
            }
            out.push(col);
            out
        };
        let ja = table(&s, crate::domain::Lang::Ja);
        let first = ends(ja.lines().next().unwrap());
        assert_eq!(first.len(), 7, "{ja}");
        for l in ja.lines() {
            assert_eq!(ends(l)[1..], first[1..], "{ja}");
        }
        let ja = table(&s, crate::domain::Lang::Ja);
        assert!(ja.contains("セキュリティに対する侵害") && ja.contains("実行責任者まで") && !ja.contains("breach"), "{ja}");
        assert!(table(&s, crate::domain::Lang::En).contains("Security breach"));
    }
}
