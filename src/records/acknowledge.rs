//! §4.2: how long reports waited for a person of the committee, by
//! Table 1 priority (the escalation chain's deadlines are by priority
//! too). Median and 95th percentile, and the reports still waiting.

use crate::domain::{Incident, Lang, RecoveryPriority};
use crate::tr;
use chrono::Duration;

/// One priority's figures; `priority: None` for reports naming no
/// registered system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckRow {
    pub priority: Option<RecoveryPriority>,
    pub acknowledged: usize,
    pub median: Option<Duration>,
    pub p95: Option<Duration>,
    /// Open, and nobody has acknowledged it yet.
    pub waiting: usize,
}

/// The priorities in the order the committee reads them: 3 first.
const ORDER: [Option<RecoveryPriority>; 5] = [
    Some(RecoveryPriority::NoDowntime),
    Some(RecoveryPriority::OneDay),
    Some(RecoveryPriority::ThreeDays),
    Some(RecoveryPriority::MayStop),
    None,
];

/// The value at or below which `share` of `sorted` lies (nearest rank).
fn percentile(sorted: &[Duration], share: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (share * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// The rows for these incidents (the caller leaves drills out); a
/// priority with nothing to show is left out.
pub fn rows<'a>(incidents: impl IntoIterator<Item = &'a Incident> + Clone) -> Vec<AckRow> {
    let mut out = vec![];
    for p in ORDER {
        let of = || incidents.clone().into_iter().filter(move |i| i.priority() == p);
        let mut times: Vec<Duration> = of().filter_map(|i| i.time_to_acknowledge()).collect();
        times.sort();
        let waiting = of().filter(|i| i.awaits_acknowledgement()).count();
        if times.is_empty() && waiting == 0 {
            continue;
        }
        out.push(AckRow { priority: p, acknowledged: times.len(), median: median(&times), p95: percentile(&times, 0.95), waiting });
    }
    out
}

/// "優先度3" / "priority 3", or "優先度なし" / "no priority".
pub fn priority_name(p: Option<RecoveryPriority>, lang: Lang) -> String {
    match p {
        Some(p) => {
            let level = p.level();
            tr!(lang, "復旧優先度{level}", "priority {level}")
        }
        None => tr!(lang, "復旧優先度なし", "no priority"),
    }
}

/// The figures under /stats' table: a blank line, a heading, a row per
/// priority (nothing when no report is counted).
pub fn table(rows: &[AckRow], lang: Lang) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let head = vec![
        tr!(lang, "委員会の確認まで", "to acknowledge"),
        tr!(lang, "確認済", "acknowledged"),
        tr!(lang, "中央値", "median"),
        tr!(lang, "95%", "95th pct"),
        tr!(lang, "未確認", "waiting"),
    ];
    let mut lines = vec![head];
    for r in rows {
        lines.push(vec![
            priority_name(r.priority, lang),
            r.acknowledged.to_string(),
            super::stats::human(r.median),
            super::stats::human(r.p95),
            r.waiting.to_string(),
        ]);
    }
    format!("\n{}", super::stats::aligned(&lines))
}

/// The chart's panel: by priority, the median and the 95th percentile in
/// minutes, side by side (three slots a priority: median, 95th, a gap;
/// the name under the first).
pub(super) fn chart(area: &super::chart::Area, stats: &super::stats::Stats, lang: Lang) -> super::chart::Drawn {
    use plotters::prelude::*;
    let rows = &stats.acknowledge;
    let minutes = |d: Option<Duration>| d.map_or(0, |d| d.num_minutes().max(0) as u64);
    let most = rows.iter().map(|r| minutes(r.p95)).max().unwrap_or(0).max(1);
    let names: Vec<String> = rows.iter().map(|r| priority_name(r.priority, lang)).collect();
    let slots = (names.len() * 3).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(tr!(lang, "確認までの時間（分）", "Minutes to acknowledge"), super::chart::title_font())
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0..slots - 1).into_segmented(), 0..(most + most / 4 + 1))?;
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(x) if x % 3 == 0 => names.get(x / 3).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(slots)
        .x_label_formatter(&label)
        .x_label_style(super::chart::label_font())
        .y_label_style(super::chart::label_font())
        .draw()?;
    let bars = [(tr!(lang, "中央値", "median"), RGBColor(52, 73, 94)), (tr!(lang, "95%", "95th percentile"), RGBColor(230, 126, 34))];
    for (k, (name, colour)) in bars.into_iter().enumerate() {
        let value = |r: &AckRow| minutes(if k == 0 { r.median } else { r.p95 });
        let data: Vec<(usize, u64)> = rows.iter().enumerate().map(|(x, r)| (x * 3 + k, value(r))).collect();
        chart
            .draw_series(Histogram::vertical(&chart).style(colour.filled()).margin(4).data(data))?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(super::chart::label_font())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::incident;
    use crate::domain::incident::Acknowledgement;
    use crate::domain::UserId;

    fn acked_after(minutes: i64, priority: Option<RecoveryPriority>) -> Incident {
        let mut i = incident(true);
        i.affected[0].priority = priority;
        i.acknowledged = Some(Acknowledgement { by: UserId(9), at: i.reported_at + Duration::minutes(minutes) });
        i
    }

    #[test]
    fn the_median_and_95th_percentile_by_priority_three_first() {
        let p3 = Some(RecoveryPriority::NoDowntime);
        let mut all: Vec<Incident> = (1..=20).map(|m| acked_after(m, p3)).collect();
        all.push(acked_after(600, p3));
        all.extend([acked_after(30, None), acked_after(50, None)]);
        let mut waiting = incident(true);
        waiting.affected[0].priority = Some(RecoveryPriority::OneDay);
        all.push(waiting);
        let rows = rows(&all);
        assert_eq!(rows.iter().map(|r| r.priority).collect::<Vec<_>>(), vec![p3, Some(RecoveryPriority::OneDay), None]);
        // 21 times: the 11th is the median, the 20th (ceil 19.95) the 95th.
        assert_eq!((rows[0].acknowledged, rows[0].median, rows[0].p95), (21, Some(Duration::minutes(11)), Some(Duration::minutes(20))));
        assert_eq!((rows[1].acknowledged, rows[1].waiting, rows[1].median), (0, 1, None));
        assert_eq!((rows[2].median, rows[2].p95), (Some(Duration::minutes(40)), Some(Duration::minutes(50))));
    }

    #[test]
    fn the_table_names_each_priority_in_both_languages() {
        let all = [acked_after(5, Some(RecoveryPriority::NoDowntime)), acked_after(65, Some(RecoveryPriority::NoDowntime))];
        let ja = table(&rows(&all), Lang::Ja);
        assert!(ja.contains("委員会の確認まで") && ja.contains("優先度3"), "{ja}");
        assert!(ja.lines().last().unwrap().split_whitespace().eq(["復旧優先度3", "2", "0h35m", "1h05m", "0"]), "{ja}");
        let en = table(&rows(&all), Lang::En);
        assert!(en.contains("to acknowledge") && en.contains("priority 3") && en.contains("95th pct"), "{en}");
        assert_eq!(table(&[], Lang::En), "");
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<Duration> = [1, 2, 3, 4].iter().map(|m| Duration::minutes(*m)).collect();
        assert_eq!(percentile(&v, 0.95), Some(Duration::minutes(4)));
        assert_eq!(percentile(&v, 0.5), Some(Duration::minutes(2)));
        assert_eq!(percentile(&v[..1], 0.95), Some(Duration::minutes(1)));
        assert_eq!(percentile(&[], 0.95), None);
        assert_eq!(median(&v), Some(Duration::seconds(150)));
    }
}
