//! `hikeshi check-config`: the configuration and playbooks, validated,
//! and what they hold.

use crate::config::Settings;
use crate::domain::Category;
use std::path::Path;
use std::process::ExitCode;

pub fn check_config(config: &Path) -> anyhow::Result<ExitCode> {
    match Settings::load(config) {
        Ok(s) => {
            print!("{}", summary(&s));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprint!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn summary(s: &Settings) -> String {
    let mut out = format!("{}: configuration OK ({})\n", s.path.display(), s.organisation.name);
    out.push_str("systems per recovery priority (Table 1):\n");
    for (p, n) in s.systems.count_by_priority() {
        out.push_str(&format!("  priority {p}: {n}\n"));
    }
    out.push_str("playbooks per category:\n");
    for c in Category::ALL {
        let ids: Vec<&str> = s
            .playbooks
            .all()
            .iter()
            .filter(|p| p.covers.iter().any(|cv| cv.fit(c, None).is_some() || c.sub_kinds().any(|k| cv.fit(c, Some(k)).is_some())))
            .map(|p| p.id.0.as_str())
            .collect();
        out.push_str(&format!(
            "  {}: {} {}\n",
            c.id(),
            ids.len(),
            if ids.is_empty() { String::new() } else { format!("({})", ids.join(", ")) }
        ));
    }
    out
}
