//! §4.1(1): a playbook is the committee's procedure for one kind of incident.

use super::category::{Category, Coverage, SubKind};
use super::ids::PlaybookId;
use super::phase::Phase;
use super::text::Text;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: Text,
    /// `true` for bodies outside the organisation (police, vendor, CERT, …).
    pub external: bool,
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookRole {
    pub name: Text,
    pub responsibilities: Text,
    /// The members this role names (§4.1(1) 周知: told when it changes).
    pub members: Vec<super::ids::UserId>,
}

/// §4.1 周知・徹底: the version of a procedure (a playbook, the priority
/// registry) and the day the committee approved it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Approval {
    pub version: String,
    pub approved_on: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    pub id: PlaybookId,
    pub title: Text,
    pub covers: Vec<Coverage>,
    /// What starts the response organisation.
    pub activation: Text,
    /// What ends it.
    pub termination: Text,
    pub roles: Vec<PlaybookRole>,
    pub contacts: Vec<Contact>,
    pub checklist: BTreeMap<Phase, Vec<Text>>,
    /// The systems this playbook is written for: a report naming one of
    /// them suggests it.
    pub systems: Vec<super::ids::SystemId>,
    /// SHA-256 of the playbook's file as loaded (§4.4(4): a requested
    /// update is done once the file changes).
    pub digest: String,
    /// Its version and the committee's approval, where the file says.
    pub approval: Option<Approval>,
}

impl Playbook {
    /// Everyone its roles name, each once.
    pub fn named_members(&self) -> Vec<super::ids::UserId> {
        let mut all: Vec<_> = self.roles.iter().flat_map(|r| r.members.iter().copied()).collect();
        all.sort();
        all.dedup();
        all
    }
}

impl Playbook {
    pub fn checklist(&self, phase: Phase) -> &[Text] {
        self.checklist.get(&phase).map(Vec::as_slice).unwrap_or(&[])
    }

    fn fit(&self, category: Category, kind: Option<SubKind>) -> Option<u8> {
        self.covers.iter().filter_map(|c| c.fit(category, kind)).max()
    }
}

/// Every playbook of the organisation.
#[derive(Debug, Clone, Default)]
pub struct Playbooks {
    list: Vec<Playbook>,
}

impl Playbooks {
    pub fn new(mut list: Vec<Playbook>) -> Self {
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Playbooks { list }
    }

    pub fn all(&self) -> &[Playbook] {
        &self.list
    }

    pub fn get(&self, id: &PlaybookId) -> Option<&Playbook> {
        self.list.iter().find(|p| &p.id == id)
    }

    /// §4.2: the playbook for a report. The one written for its category
    /// and kind (the most specific wins; ties go to the first id); else
    /// the one playbook, among those that could fit the category, written
    /// for a system the report names (an unsure report about the file
    /// server gets the file server's playbook). A system several such
    /// playbooks share decides nothing: then there is none, and the
    /// committee chooses one or appoints a 実行責任者.
    pub fn suggest(&self, category: Category, kind: Option<SubKind>, systems: &[super::ids::SystemId]) -> Option<&Playbook> {
        if let Some(p) = self.matching(category, kind) {
            return Some(p);
        }
        let mut by_system = self
            .list
            .iter()
            .filter(|p| category == Category::Unsure || p.covers.iter().any(|c| c.category() == category))
            .filter(|p| p.systems.iter().any(|s| systems.contains(s)));
        match (by_system.next(), by_system.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    pub fn matching(&self, category: Category, kind: Option<SubKind>) -> Option<&Playbook> {
        let mut best: Option<(&Playbook, u8)> = None;
        for p in &self.list {
            if let Some(fit) = p.fit(category, kind) {
                if best.is_none_or(|(_, b)| fit > b) {
                    best = Some((p, fit));
                }
            }
        }
        best.map(|(p, _)| p)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn playbook(id: &str, covers: &[&str], items_per_phase: usize) -> Playbook {
        let checklist = Phase::WORKING
            .iter()
            .map(|p| (*p, (0..items_per_phase).map(|i| Text::new(format!("項目{i}"), format!("item {i}"))).collect()))
            .collect();
        Playbook {
            id: PlaybookId(id.into()),
            title: Text::new(id, id),
            covers: covers.iter().map(|c| Coverage::parse(c).unwrap()).collect(),
            activation: Text::new("開始", "start"),
            termination: Text::new("終了", "end"),
            roles: vec![],
            contacts: vec![],
            checklist,
            systems: vec![],
            digest: String::new(),
            approval: None,
        }
    }

    #[test]
    fn a_report_naming_a_playbooks_system_is_suggested_that_playbook() {
        let mut fs = playbook("fileserver", &["failure/power_anomaly"], 1);
        fs.systems = vec![super::super::ids::SystemId("fileserver".into())];
        let pbs = Playbooks::new(vec![playbook("malware", &["breach/malware"], 1), fs]);
        let named = [super::super::ids::SystemId("fileserver".into())];
        let s = |c, k, sys: &[super::super::ids::SystemId]| pbs.suggest(c, k, sys).map(|p| p.id.0.clone());
        assert_eq!(s(Category::Unsure, None, &named), Some("fileserver".into()));
        assert_eq!(s(Category::Breach, Some(SubKind::Malware), &named), Some("malware".into()), "the kind's own playbook first");
        assert_eq!(s(Category::Unsure, None, &[]), None);
        assert_eq!(s(Category::Breach, None, &named), None, "a breach is not a power anomaly, whatever system it names");
        assert_eq!(s(Category::Failure, None, &named), Some("fileserver".into()), "a failure of the file server is");
    }

    /// The two cases: a breach naming the mail server is not a DoS,
    /// and an unsure report naming the server room is not an intrusion,
    /// when other playbooks are written for the same system.
    #[test]
    fn a_system_several_playbooks_share_decides_nothing() {
        let with = |id: &str, covers: &[&str], systems: &[&str]| {
            let mut p = playbook(id, covers, 1);
            p.systems = systems.iter().map(|s| super::super::ids::SystemId((*s).into())).collect();
            p
        };
        let pbs = Playbooks::new(vec![
            with("dos", &["breach/dos"], &["mail"]),
            with("malware", &["breach/malware"], &["mail"]),
            with("intrusion", &["threat/building_intrusion"], &["server-room"]),
            with("power", &["failure/power_anomaly"], &["server-room"]),
            with("vpn-dos", &["breach/dos"], &["vpn"]),
        ]);
        let s = |c, sys: &str| pbs.suggest(c, None, &[super::super::ids::SystemId(sys.into())]).map(|p| p.id.0.clone());
        assert_eq!(s(Category::Breach, "mail"), None);
        assert_eq!(s(Category::Unsure, "server-room"), None);
        assert_eq!(s(Category::Threat, "server-room"), Some("intrusion".into()), "the one threat playbook for the room");
        assert_eq!(s(Category::Breach, "vpn"), Some("vpn-dos".into()), "one breach playbook for the VPN");
        assert_eq!(s(Category::Failure, "vpn"), None, "no failure playbook is written for the VPN");
    }

    #[test]
    fn the_most_specific_playbook_matches() {
        let pbs = Playbooks::new(vec![playbook("breach-general", &["breach"], 1), playbook("malware", &["breach/malware"], 1)]);
        let m = |c, k| pbs.matching(c, k).map(|p| p.id.0.as_str());
        assert_eq!(m(Category::Breach, Some(SubKind::Malware)), Some("malware"));
        assert_eq!(m(Category::Breach, Some(SubKind::Dos)), Some("breach-general"));
        assert_eq!(m(Category::Breach, None), Some("breach-general"));
        assert_eq!(m(Category::Unsure, None), None);
        assert_eq!(m(Category::Threat, Some(SubKind::BuildingIntrusion)), None);
    }

    /// Two playbooks that fit equally: the first id wins, whatever the
    /// order in the folder.
    #[test]
    fn a_tie_goes_to_the_first_id_and_playbooks_are_found_by_id() {
        let pbs = Playbooks::new(vec![playbook("zeta", &["breach"], 1), playbook("alpha", &["breach"], 1)]);
        assert_eq!(pbs.matching(Category::Breach, None).map(|p| p.id.0.as_str()), Some("alpha"));
        assert_eq!(pbs.get(&PlaybookId("zeta".into())).map(|p| p.id.0.as_str()), Some("zeta"));
        assert_eq!(pbs.get(&PlaybookId("alpha".into())).map(|p| p.id.0.as_str()), Some("alpha"));
        assert!(pbs.get(&PlaybookId("nope".into())).is_none());
    }
}
