//! The committee's figures as one picture (PNG): incidents per month by
//! category, the median time to a commander, to containment and to
//! recovery, the time to the committee's acknowledgement by priority, and
//! Table 1 deadlines met and missed, over all and per system. Drawn in
//! memory; the
//! caller brings the font (a Japanese one for Japanese labels).

use super::stats::Stats;
use crate::domain::{Category, Lang};
use crate::tr;
use plotters::coord::Shift;
use plotters::prelude::*;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 1000;

/// Category colours, in `Category::ALL`'s order.
const COLOURS: [RGBColor; 4] = [RGBColor(231, 76, 60), RGBColor(52, 152, 219), RGBColor(243, 156, 18), RGBColor(149, 165, 166)];

/// A font for the chart's text, and whether it has Japanese glyphs (the
/// labels are Japanese only then).
pub struct ChartFont {
    pub bytes: &'static [u8],
    pub japanese: bool,
}

/// The machine's chart font (see `config::fonts`), or why there is none.
pub fn machine_font() -> Result<ChartFont, String> {
    crate::config::fonts::chart_font()
        .map(|(bytes, japanese)| ChartFont { bytes, japanese })
        .ok_or_else(|| crate::config::fonts::NO_FONT.to_string())
}

/// The chart drawn with the machine's font (`/stats`, the audit post).
pub fn png_with_machine_font(stats: &Stats, lang: Lang) -> Result<Vec<u8>, String> {
    png(stats, lang, &machine_font()?)
}

/// The chart as PNG bytes. Labels in `lang` when the font can show them,
/// in English otherwise.
pub fn png(stats: &Stats, lang: Lang, font: &ChartFont) -> Result<Vec<u8>, String> {
    // One registration per process: plotters keeps fonts by family name.
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, font.bytes).map_err(|_| "the font cannot be read".to_string())
        })
        .clone()?;
    let lang = if font.japanese { lang } else { Lang::En };
    let mut rgb = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    draw(stats, lang, &mut rgb).map_err(|e| format!("the chart could not be drawn: {e}"))?;
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_raw(WIDTH, HEIGHT, rgb)
        .ok_or("the picture has the wrong size")?
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| format!("the PNG could not be written: {e}"))?;
    Ok(out.into_inner())
}

fn hours(d: Option<chrono::Duration>) -> f64 {
    d.map(|d| d.num_minutes() as f64 / 60.0).unwrap_or(0.0)
}

fn draw(stats: &Stats, lang: Lang, rgb: &mut [u8]) -> Result<(), Box<dyn std::error::Error>> {
    let root = BitMapBackend::with_buffer(rgb, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(HEIGHT / 2);
    let (left, rest) = bottom.split_horizontally(WIDTH / 3);
    let (middle, right) = rest.split_horizontally(WIDTH / 3);
    per_month(&top, stats, lang)?;
    medians(&left, stats, lang)?;
    super::acknowledge::chart(&middle, stats, lang)?;
    deadlines(&right, stats, lang)?;
    root.present()?;
    Ok(())
}

pub(super) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
pub(super) type Drawn = Result<(), Box<dyn std::error::Error>>;

pub(super) fn title_font() -> FontDesc<'static> {
    ("sans-serif", 26).into_font()
}

pub(super) fn label_font() -> FontDesc<'static> {
    ("sans-serif", 18).into_font()
}

/// A bar chart's x labels name the segment under them.
fn named(names: &[String]) -> impl Fn(&SegmentValue<usize>) -> String + '_ {
    move |v| match v {
        SegmentValue::CenterOf(x) => names.get(*x).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Incidents per month, stacked by category.
fn per_month(area: &Area, stats: &Stats, lang: Lang) -> Drawn {
    let (title, label) = (title_font(), label_font());
    let months: Vec<String> = stats.by_month.iter().map(|(m, _)| m.clone()).collect();
    let most = stats.by_month.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(tr!(lang, "月別・区分別のインシデント件数", "Incidents per month by category"), title.clone())
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        // Headroom above the tallest bar for the legend.
        .build_cartesian_2d((0..months.len().saturating_sub(1)).into_segmented(), 0..(most + most / 2 + 2))?;
    let month_names = named(&months);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(months.len().max(1))
        .x_label_formatter(&month_names)
        .y_labels(most.min(10) + 2)
        .x_label_style(label.clone())
        .y_label_style(label.clone())
        .draw()?;
    for (k, c) in Category::ALL.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let below: Vec<usize> = stats.by_month.iter().map(|(_, counts)| counts[..k].iter().sum()).collect();
        let series = Histogram::vertical(&chart)
            .style(colour.filled())
            .margin(30)
            .baseline_func(move |x| match x {
                SegmentValue::Exact(x) | SegmentValue::CenterOf(x) => below.get(*x).copied().unwrap_or(0),
                SegmentValue::Last => 0,
            })
            .data(stats.by_month.iter().enumerate().map(|(x, (_, counts))| (x, counts[..=k].iter().sum::<usize>())));
        chart
            .draw_series(series)?
            .label(c.label().get(lang).to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(label.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;

    Ok(())
}

/// Median hours from the report to each step.
fn medians(area: &Area, stats: &Stats, lang: Lang) -> Drawn {
    let (title, label) = (title_font(), label_font());
    let steps = [
        // Short: the panel is a third of the picture wide.
        (tr!(lang, "実行責任者", "commander"), hours(stats.all.to_commander)),
        (tr!(lang, "封じ込め", "contained"), hours(stats.all.to_containment)),
        (tr!(lang, "復旧", "recovered"), hours(stats.all.to_recovery)),
    ];
    let names: Vec<String> = steps.iter().map(|(n, _)| n.clone()).collect();
    let longest = steps.iter().map(|(_, h)| *h).fold(1.0, f64::max) * 1.15;
    let mut chart = ChartBuilder::on(area)
        .caption(tr!(lang, "報告からの時間（中央値・時間）", "Median hours from the report"), title.clone())
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((0..steps.len() - 1).into_segmented(), 0.0..longest)?;
    let step_names = named(&names);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(steps.len())
        .x_label_formatter(&step_names)
        .x_label_style(label.clone())
        .y_label_style(label.clone())
        .draw()?;
    chart.draw_series(
        Histogram::vertical(&chart)
            .style(RGBColor(52, 73, 94).filled())
            .margin(40)
            .data(steps.iter().enumerate().map(|(x, (_, h))| (x, *h))),
    )?;

    Ok(())
}

/// Table 1 deadlines: over all incidents, then per system (§4.1(4)), the
/// systems with the most outages first; each bar stacks met, missed and
/// (for a system) still down.
pub(super) fn deadline_groups(stats: &Stats, lang: Lang) -> Vec<(String, [usize; 3])> {
    let mut systems = stats.by_system.clone();
    systems.sort_by_key(|(name, met, missed, down)| (std::cmp::Reverse(met + missed + down), name.clone()));
    let all = (tr!(lang, "全体", "all"), [stats.all.deadlines_met, stats.all.deadlines_missed, 0]);
    std::iter::once(all).chain(systems.into_iter().take(MAX_SYSTEMS).map(|(name, met, missed, down)| (name, [met, missed, down]))).collect()
}

/// The systems the panel has room for.
const MAX_SYSTEMS: usize = 5;

/// Met, missed, still down.
const DEADLINE_COLOURS: [RGBColor; 3] = [RGBColor(39, 174, 96), RGBColor(192, 57, 43), RGBColor(127, 140, 141)];

fn deadlines(area: &Area, stats: &Stats, lang: Lang) -> Drawn {
    let groups = deadline_groups(stats, lang);
    let names: Vec<String> = groups.iter().map(|(n, _)| n.chars().take(8).collect()).collect();
    let most = groups.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(tr!(lang, "表1の復旧期限", "Table 1 recovery deadlines"), title_font())
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0..groups.len() - 1).into_segmented(), 0..(most + 1))?;
    let group_names = named(&names);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(groups.len())
        .x_label_formatter(&group_names)
        .y_labels(most.min(10) + 1)
        .x_label_style(label_font())
        .y_label_style(label_font())
        .draw()?;
    let parts = [tr!(lang, "期限内に復旧", "met"), tr!(lang, "期限超過", "missed"), tr!(lang, "停止中", "still down")];
    // Stacked: each part from the top of the one below it.
    for (part, name) in parts.into_iter().enumerate() {
        let below = |x: usize| groups.get(x).map_or(0, |(_, c)| c[..part].iter().sum::<usize>());
        let base = move |v: &SegmentValue<usize>| match v {
            SegmentValue::Exact(x) | SegmentValue::CenterOf(x) => below(*x),
            SegmentValue::Last => 0,
        };
        let tops = groups.iter().enumerate().filter(|(_, (_, c))| c[part] > 0).map(|(x, (_, c))| (x, below(x) + c[part]));
        let colour = DEADLINE_COLOURS[part];
        let bars = Histogram::vertical(&chart).style(colour.filled()).margin(12).baseline_func(base).data(tops);
        chart.draw_series(bars)?.label(name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE)
        .border_style(BLACK)
        .label_font(label_font())
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the built-in font alone (a machine with no fonts), the chart is
    /// drawn, in English.
    #[test]
    fn the_built_in_font_draws_a_chart() {
        let ack = super::super::acknowledge::AckRow {
            priority: Some(crate::domain::RecoveryPriority::NoDowntime),
            acknowledged: 3,
            median: Some(chrono::Duration::minutes(9)),
            p95: Some(chrono::Duration::minutes(40)),
            waiting: 1,
        };
        let by_system = vec![("VPN".into(), 1, 2, 0), ("mail".into(), 0, 0, 1)];
        let stats = Stats { by_month: vec![("2026-10".into(), vec![2, 1, 0, 1])], acknowledge: vec![ack], by_system, ..Default::default() };
        let font = ChartFont { bytes: crate::config::fonts::BUILT_IN, japanese: false };
        let png = png(&stats, Lang::Ja, &font).unwrap();
        if let Ok(path) = std::env::var("HIKESHI_CHART_OUT") {
            std::fs::write(path, &png).unwrap();
        }
        let picture = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(picture.dimensions(), (WIDTH, HEIGHT));
        let colours: std::collections::HashSet<[u8; 3]> = picture.pixels().map(|p| p.0).collect();
        assert!(colours.len() > 20 && colours.contains(&[231, 76, 60]), "{} colours", colours.len());
        assert!(colours.contains(&[230, 126, 34]), "the 95th percentile of the time to acknowledge is drawn");
        for (c, what) in DEADLINE_COLOURS.iter().zip(["met", "missed", "still down"]) {
            assert!(colours.contains(&[c.0, c.1, c.2]), "a system's outage {what} is drawn");
        }
    }

    /// §4.1(4): the panel's bars: all incidents, then the systems with the
    /// most outages first (ties by name), as many as there is room for.
    #[test]
    fn the_deadline_panel_counts_all_then_each_system() {
        let mut stats = Stats::default();
        stats.all.deadlines_met = 4;
        stats.all.deadlines_missed = 1;
        stats.by_system = (0..7).map(|k| (format!("s{k}"), k % 3, k / 3, usize::from(k == 0))).collect();
        let groups = deadline_groups(&stats, Lang::Ja);
        assert_eq!(groups[0], ("全体".to_string(), [4, 1, 0]));
        let names: Vec<&str> = groups[1..].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["s5", "s2", "s4", "s6", "s0"], "{groups:?}");
        assert_eq!(groups[1].1, [2, 1, 0]);
        assert_eq!(groups.len(), 1 + MAX_SYSTEMS);
    }
}
