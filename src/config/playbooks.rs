//! The playbook folder (§4.1(1)): every `*.toml` read, each playbook
//! validated with the file, key and fix of every problem.

use super::file::{ChecklistFile, ContactFile, PlaybookFile};
use super::problem::{from_toml, Problem};
use super::validate::Collector;
use crate::domain::category::Coverage;
use crate::domain::playbook::{Contact, PlaybookRole};
use crate::domain::systems::Systems;
use crate::domain::{Phase, Playbook, PlaybookId, Playbooks, SystemId, Text};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Reads every `*.toml` in the playbook folder, in name order.
pub(super) fn playbooks(problems: &mut Vec<Problem>, dir: &Path, systems: &Systems) -> Playbooks {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect(),
        Err(e) => {
            problems.push(Problem::new(
                dir,
                "playbooks.dir",
                format!("cannot read the playbook folder: {e}"),
                "create the folder or correct `[playbooks] dir` (relative to the configuration file)",
            ));
            return Playbooks::default();
        }
    };
    files.sort();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut list = vec![];
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::new(&file, "(file)", format!("cannot read it: {e}"), "check the file's permissions"));
                continue;
            }
        };
        let raw: PlaybookFile = match toml::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                problems.push(from_toml(&file, &e));
                continue;
            }
        };
        let mut c = Collector { file: &file, problems: vec![] };
        if let Some(mut p) = playbook(&mut c, raw, systems) {
            // §4.4(4): an update asked of this playbook is done once this changes.
            p.digest = crate::domain::event::digest(&text);
            if let Some(first) = ids.get(&p.id.0) {
                c.add("id", format!("`{}` is also the id of {}", p.id, first.display()), "give every playbook a unique id");
            } else {
                ids.insert(p.id.0.clone(), file.clone());
                list.push(p);
            }
        }
        problems.extend(c.problems);
    }
    Playbooks::new(list)
}

/// The phases whose checklist may not be empty: §4.2 analysis and §4.3
/// containment, eradication and recovery. Lessons follow §4.4 itself.
const REQUIRED_PHASES: [Phase; 4] = [Phase::Analysis, Phase::Containment, Phase::Eradication, Phase::Recovery];

fn playbook(c: &mut Collector, raw: PlaybookFile, systems: &Systems) -> Option<Playbook> {
    let id_ok =
        !raw.id.trim().is_empty() && raw.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
    if !id_ok {
        c.add("id", format!("`{}` is not a usable id", raw.id), "use lower-case letters, digits, - and _, e.g. \"malware\"");
    }
    if raw.title.is_blank() {
        c.add("title", "needs both `ja` and `en`", "write the title in Japanese and English");
    }
    let covers = covers(c, &raw.covers);
    for (i, s) in raw.systems.iter().enumerate() {
        if systems.get(&SystemId(s.clone())).is_none() {
            c.add(
                format!("systems[{i}]"),
                format!("`{s}` is not defined in [[systems]]"),
                "add the system to the configuration file or correct the id",
            );
        }
    }
    let raw_systems: Vec<SystemId> = raw.systems.iter().map(|s| SystemId(s.clone())).collect();
    for (key, t) in [("triggers.activation", &raw.triggers.activation), ("triggers.termination", &raw.triggers.termination)] {
        if t.is_blank() {
            c.add(key, "needs both `ja` and `en`", "say, in both languages, what starts or ends the response (§4.1(1))");
        }
    }
    let contacts = contacts(c, &raw.contacts);
    let checklist = checklist(c, raw.checklist);
    let approval = approval(c, raw.version.as_deref(), raw.approved_on.as_deref(), "");
    let roles = raw
        .roles
        .into_iter()
        .map(|r| PlaybookRole {
            name: r.name,
            responsibilities: r.responsibilities,
            members: r.members.into_iter().map(crate::domain::UserId).collect(),
        })
        .collect();
    if !id_ok {
        return None;
    }
    Some(Playbook {
        id: PlaybookId(raw.id),
        title: raw.title,
        covers,
        activation: raw.triggers.activation,
        termination: raw.triggers.termination,
        roles,
        contacts,
        checklist,
        systems: raw_systems,
        digest: String::new(),
        approval,
    })
}

/// §4.1 周知・徹底: `version` and `approved_on` (YYYY-MM-DD) together, or
/// neither; `prefix` names the table (`registry.`).
pub(super) fn approval(
    c: &mut Collector,
    version: Option<&str>,
    on: Option<&str>,
    prefix: &str,
) -> Option<crate::domain::playbook::Approval> {
    match (version.map(str::trim).filter(|v| !v.is_empty()), on) {
        (None, None) => None,
        (Some(v), Some(d)) => match chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
            Ok(approved_on) => Some(crate::domain::playbook::Approval { version: v.to_string(), approved_on }),
            Err(_) => {
                c.add(
                    format!("{prefix}approved_on"),
                    format!("`{d}` is not a date"),
                    "write the day the committee approved it as YYYY-MM-DD",
                );
                None
            }
        },
        (None, Some(_)) => {
            c.add(format!("{prefix}version"), "is missing", "name the version the committee approved, e.g. version = \"2\"");
            None
        }
        (Some(_), None) => {
            c.add(format!("{prefix}approved_on"), "is missing", "write the day the committee approved this version as YYYY-MM-DD");
            None
        }
    }
}

/// What the playbook covers: categories or category/sub-kinds.
fn covers(c: &mut Collector, raw: &[String]) -> Vec<Coverage> {
    let mut covers = vec![];
    for (i, cov) in raw.iter().enumerate() {
        match Coverage::parse(cov) {
            Ok(cv) => covers.push(cv),
            Err(e) => c.add(format!("covers[{i}]"), e, "use a category (breach, failure, threat, unsure) or category/sub_kind"),
        }
    }
    if raw.is_empty() {
        c.add("covers", "is empty", "name the incident types this playbook handles, e.g. [\"breach/malware\"]");
    }
    covers
}

/// §4.1(1): whom to call, inside the organisation and outside.
fn contacts(c: &mut Collector, raw: &[ContactFile]) -> Vec<Contact> {
    let mut contacts = vec![];
    for (i, ct) in raw.iter().enumerate() {
        let external = match ct.kind.as_str() {
            "internal" => false,
            "external" => true,
            other => {
                c.add(
                    format!("contacts[{i}].kind"),
                    format!("`{other}` is neither internal nor external"),
                    "write \"internal\" or \"external\"",
                );
                false
            }
        };
        contacts.push(Contact { name: ct.name.clone(), external, how: ct.how.clone() });
    }
    contacts
}

/// A checklist for each phase, none empty where the regulation asks.
fn checklist(c: &mut Collector, cl: ChecklistFile) -> BTreeMap<Phase, Vec<Text>> {
    let checklist: BTreeMap<Phase, Vec<_>> = [
        (Phase::Analysis, cl.analysis),
        (Phase::Containment, cl.containment),
        (Phase::Eradication, cl.eradication),
        (Phase::Recovery, cl.recovery),
        (Phase::Lessons, cl.lessons),
    ]
    .into_iter()
    .collect();
    for phase in REQUIRED_PHASES {
        let items = &checklist[&phase];
        if items.is_empty() {
            c.add(format!("checklist.{}", phase.id()), "is empty", format!("list at least one step for the {} phase", phase.id()));
        }
        for (i, t) in items.iter().enumerate() {
            if t.is_blank() {
                c.add(format!("checklist.{}[{i}]", phase.id()), "needs both `ja` and `en`", "write the step in both languages");
            }
        }
    }
    checklist
}
