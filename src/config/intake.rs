//! `[[intake.rules]]` (§4.1(3)): how alerts from monitoring are classified.

use super::file::ConfigFile;
use super::validate::Collector;
use crate::domain::systems::Systems;
use crate::domain::SystemId;

/// §4.1(3): each rule names labels, a category, and optionally a kind of
/// that category and systems of the registry.
pub(super) fn rules(c: &mut Collector, raw: &ConfigFile, systems: &Systems) -> Vec<crate::domain::alert::Rule> {
    use crate::domain::{Category, SubKind};
    let mut out = vec![];
    for (n, r) in raw.intake.rules.iter().enumerate() {
        let key = |k: &str| format!("intake.rules[{n}].{k}");
        if r.labels.is_empty() {
            c.add(
                key("labels"),
                "is empty (it would match every alert)",
                "name at least one label, e.g. labels = { alertname = \"HighErrorRate\" }",
            );
        }
        let Some(category) = Category::parse(&r.category) else {
            c.add(key("category"), format!("`{}` is not a category", r.category), "write breach, failure, threat or unsure");
            continue;
        };
        let kind = match &r.kind {
            None => None,
            Some(k) => match SubKind::parse(k).filter(|k| k.category() == category) {
                Some(k) => Some(k),
                None => {
                    c.add(
                        key("kind"),
                        format!("`{k}` is not a kind of {}", category.id()),
                        "use a kind of that category (see the README), or leave it out",
                    );
                    continue;
                }
            },
        };
        let mut ids = vec![];
        for (i, s) in r.systems.iter().enumerate() {
            match systems.get(&SystemId(s.clone())) {
                Some(_) => ids.push(SystemId(s.clone())),
                None => {
                    c.add(key(&format!("systems[{i}]")), format!("`{s}` is not defined in [[systems]]"), "add the system or correct the id")
                }
            }
        }
        out.push(crate::domain::alert::Rule { labels: r.labels.clone(), category, kind, systems: ids });
    }
    out
}
