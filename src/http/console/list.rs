//! The list of incidents: open, closed and drills as tabs; filters by
//! category, Table 1 priority, phase and year (a plain GET form, so the
//! address says what is shown); pages of fifty.

use crate::domain::{Category, Lang, Phase};
use crate::records::local;
use crate::service::{Listed, Shown, Wanted};
use crate::tr;
use chrono_tz::Tz;
use maud::{html, Markup};

/// The address of the list with `w`'s filters (and `w.page`).
fn address(w: &Wanted) -> String {
    let mut pairs = vec![("shown", w.shown.id().to_string())];
    pairs.extend(w.category.map(|c| ("category", c.id().to_string())));
    pairs.extend(w.priority.map(|p| ("priority", p.level().to_string())));
    pairs.extend(w.phase.map(|p| ("phase", p.id().to_string())));
    pairs.extend(w.year.map(|y| ("year", y.to_string())));
    if w.page > 1 {
        pairs.push(("page", w.page.to_string()));
    }
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("/incidents?{}", query.join("&"))
}

fn tabs(lang: Lang, w: &Wanted) -> Markup {
    let tab = |shown: Shown, label: String| {
        let to = address(&Wanted { shown, page: 1, ..*w });
        html! { @if w.shown == shown { a href=(to) aria-current="page" { (label) } } @else { a href=(to) { (label) } } }
    };
    html! {
        nav.tabs aria-label=(tr!(lang, "表示する範囲", "What to show")) {
            (tab(Shown::Open, tr!(lang, "対応中", "Open")))
            (tab(Shown::Closed, tr!(lang, "終了", "Closed")))
            (tab(Shown::Drills, tr!(lang, "訓練", "Drills")))
        }
    }
}

fn filters(lang: Lang, w: &Wanted) -> Markup {
    let any = tr!(lang, "すべて", "any");
    html! {
        form.filters method="get" action="/incidents" {
            input type="hidden" name="shown" value=(w.shown.id());
            label { (tr!(lang, "区分", "Category"))
                select name="category" { option value="" { (any) } @for c in Category::ALL { option value=(c.id()) selected[w.category == Some(c)] { (c.label().get(lang)) } } } }
            label { (tr!(lang, "復旧優先度（表1）", "Priority (Table 1)"))
                select name="priority" { option value="" { (any) } @for p in [3u8, 2, 1, 0] { option value=(p) selected[w.priority.map(|x| x.level()) == Some(p)] { (p) } } } }
            label { (tr!(lang, "フェーズ", "Phase"))
                select name="phase" { option value="" { (any) } @for p in Phase::ALL { option value=(p.id()) selected[w.phase == Some(p)] { (p.label().get(lang)) } } } }
            label { (tr!(lang, "報告の年", "Year reported"))
                input type="number" name="year" min="2000" max="9999" value=[w.year]; }
            button type="submit" { (tr!(lang, "絞り込む", "Filter")) }
        }
    }
}

/// The list page's body.
pub fn list(lang: Lang, w: &Wanted, l: &Listed, tz: Tz) -> Markup {
    let (total, page, pages) = (l.total, l.page, l.pages);
    html! {
        (tabs(lang, w))
        (filters(lang, w))
        p { (tr!(lang, "{total}件（{page}/{pages}ページ）", "{total} incidents (page {page} of {pages})")) }
        @if l.incidents.is_empty() {
            p.none { (tr!(lang, "読めるインシデントはありません。", "No incidents you can read.")) }
        } @else {
            table.incidents {
                thead { tr {
                    th scope="col" { (tr!(lang, "番号", "Number")) } th scope="col" { (tr!(lang, "件名", "Title")) }
                    th scope="col" { (tr!(lang, "区分", "Category")) } th scope="col" { (tr!(lang, "フェーズ", "Phase")) }
                    th scope="col" { (tr!(lang, "優先度", "Priority")) } th scope="col" { (tr!(lang, "報告", "Reported")) }
                } }
                tbody { @for i in &l.incidents { tr {
                    td { a href=(format!("/incidents/{}/", i.number)) { (i.number) } }
                    td { (i.title) }
                    td { (i.category.label().get(lang)) }
                    td { (i.phase.label().get(lang)) }
                    td { @if let Some(p) = i.priority() { (p.level()) } @else { "—" } }
                    td { (local(i.reported_at, tz)) }
                } } }
            }
        }
        nav.paging aria-label=(tr!(lang, "ページ", "Pages")) {
            @if page > 1 { a href=(address(&Wanted { page: page - 1, ..*w })) rel="prev" { (tr!(lang, "← 前へ", "← Previous")) } }
            @if page < pages { a href=(address(&Wanted { page: page + 1, ..*w })) rel="next" { (tr!(lang, "次へ →", "Next →")) } }
        }
    }
}
