//! §5: the committee's figures as SVG charts with their numbers in a table
//! beside each (the chart for the eye, the table for the screen reader
//! and the minutes), and the §5 audit's findings.

use super::{lang, respond, view, viewer, Site};
use crate::domain::{Category, Lang};
use crate::records::stats::Stats;
use crate::service::Console;
use crate::tr;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};

/// The four categories' colours, in `Category::ALL`'s order.
const COLOURS: [&str; 4] = ["#c0392b", "#2471a3", "#b9770e", "#5d6d7e"];

/// Incidents per month, stacked by category: one bar a month.
fn months_chart(lang: Lang, stats: &Stats) -> Markup {
    let months = &stats.by_month;
    let max = months.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let (w, h, left, bottom) = (640.0_f64, 220.0_f64, 30.0_f64, 30.0_f64);
    let step = (w - left) / months.len().max(1) as f64;
    let scale = (h - bottom - 10.0) / max as f64;
    let title = tr!(lang, "月別のインシデント件数（区分別）", "Incidents per month, by category");
    html! {
        svg.chart role="img" aria-labelledby="months-title" viewBox=(format!("0 0 {w} {h}")) width="100%" {
            title id="months-title" { (title) }
            line x1=(left) y1=(h - bottom) x2=(w) y2=(h - bottom) stroke="#444" {}
            text x="0" y="14" font-size="11" { (max) }
            @for (k, (month, counts)) in months.iter().enumerate() {
                @let x = left + k as f64 * step + step * 0.15;
                @let mut y = h - bottom;
                @for (c, n) in counts.iter().enumerate() {
                    @let bar = *n as f64 * scale;
                    @let top = { y -= bar; y };
                    @if *n > 0 { rect x=(format!("{x:.1}")) y=(format!("{top:.1}")) width=(format!("{:.1}", step * 0.7)) height=(format!("{bar:.1}")) fill=(COLOURS[c % 4]) {} }
                }
                text x=(format!("{x:.1}")) y=(h - 10.0) font-size="10" { (month.get(2..).unwrap_or(month)) }
            }
        }
    }
}

/// The same numbers as a table.
fn months_table(lang: Lang, stats: &Stats) -> Markup {
    html! {
        table.figures {
            caption { (tr!(lang, "月別のインシデント件数", "Incidents per month")) }
            thead { tr { th scope="col" { (tr!(lang, "月", "Month")) } @for (k, c) in Category::ALL.iter().enumerate() { th scope="col" { span class=(format!("key c{k}")) { "■ " } (c.label().get(lang)) } } } }
            tbody { @for (month, counts) in &stats.by_month { tr { th scope="row" { (month) } @for n in counts { td { (n) } } } } }
        }
    }
}

fn minutes(d: Option<chrono::Duration>) -> String {
    d.map(|d| format!("{} min", d.num_minutes())).unwrap_or_else(|| "—".into())
}

/// Table 1 and the times to each step, by category.
fn steps_table(lang: Lang, stats: &Stats) -> Markup {
    html! {
        table.figures {
            caption { (tr!(lang, "区分別の対応時間と表1の期限", "Times to each step and Table 1 deadlines, by category")) }
            thead { tr {
                th scope="col" { (tr!(lang, "区分", "Category")) } th scope="col" { (tr!(lang, "件数", "Incidents")) }
                th scope="col" { (tr!(lang, "実行責任者まで（中央値）", "To a commander (median)")) } th scope="col" { (tr!(lang, "封じ込めまで", "To containment")) }
                th scope="col" { (tr!(lang, "復旧まで", "To recovery")) } th scope="col" { (tr!(lang, "期限内", "Deadlines met")) } th scope="col" { (tr!(lang, "期限超過", "Missed")) }
            } }
            tbody { @for (c, r) in &stats.by_category { tr {
                th scope="row" { (c.label().get(lang)) } td { (r.incidents) } td { (minutes(r.to_commander)) } td { (minutes(r.to_containment)) }
                td { (minutes(r.to_recovery)) } td { (r.deadlines_met) } td { (r.deadlines_missed) }
            } } }
        }
    }
}

/// `GET /figures`: this year's figures (the committee's).
pub async fn figures(State(site): State<Site>, headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, uri.path()).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let from = site.records.period_start(false);
    let stats = match site.records.stats_for(Console::caller(&s), from, site.clock.now() + chrono::Duration::seconds(1)).await {
        Ok(st) => st,
        Err(e) => return view::failed(lang, &e),
    };
    let n = stats.all.incidents;
    let body = html! {
        p { (tr!(lang, "今年報告された実際のインシデント（訓練を除く）: {n}件", "Real incidents reported this year (drills apart): {n}")) }
        div.figure { (months_chart(lang, &stats)) (months_table(lang, &stats)) }
        (steps_table(lang, &stats))
    };
    respond(lang, &tr!(lang, "数値", "Figures"), uri.path(), &s, body)
}

/// `GET /audit`: the §5 checks now (the committee's).
pub async fn audit(State(site): State<Site>, headers: HeaderMap, uri: Uri) -> Response {
    let lang = lang(&headers, &site.settings);
    let s = match viewer(&site, &headers, uri.path()).await {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let findings = match site.records.audit_for(Console::caller(&s), None).await {
        Ok(f) => f,
        Err(e) => return view::failed(lang, &e),
    };
    let body = html! {
        @if findings.is_empty() { p.none { (tr!(lang, "指摘事項はありません。", "Nothing to report.")) } }
        @else { ol.findings { @for f in &findings { li { p { (f.what.get(lang)) } p.fix { (tr!(lang, "対応: ", "Fix: ")) (f.fix.get(lang)) } } } } }
    };
    respond(lang, &tr!(lang, "運用状況の点検（§5）", "The operational audit (§5)"), uri.path(), &s, body)
}
