//! §3, §4.1(4): the registry of the organisation's systems and their
//! recovery priorities.

use super::ids::SystemId;
use super::incident::AffectedSystem;
use super::priority::RecoveryPriority;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub id: SystemId,
    pub name: String,
    pub owner: String,
    pub priority: RecoveryPriority,
    pub aliases: Vec<String>,
}

impl System {
    fn answers_to(&self, typed: &str) -> bool {
        let t = typed.trim();
        t.eq_ignore_ascii_case(&self.id.0) || t.eq_ignore_ascii_case(&self.name) || self.aliases.iter().any(|a| t.eq_ignore_ascii_case(a))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Systems {
    list: Vec<System>,
}

impl Systems {
    pub fn new(list: Vec<System>) -> Self {
        Systems { list }
    }

    pub fn all(&self) -> &[System] {
        &self.list
    }

    pub fn get(&self, id: &SystemId) -> Option<&System> {
        self.list.iter().find(|s| &s.id == id)
    }

    /// Matches a name a member typed against ids, names and aliases (case
    /// insensitive). Unknown names are kept, flagged, and carry no priority.
    pub fn resolve(&self, typed: &str) -> AffectedSystem {
        match self.list.iter().find(|s| s.answers_to(typed)) {
            Some(s) => AffectedSystem { name: s.name.clone(), system: Some(s.id.clone()), priority: Some(s.priority) },
            None => AffectedSystem { name: typed.trim().to_string(), system: None, priority: None },
        }
    }

    /// How many systems have each priority, 3 first.
    pub fn count_by_priority(&self) -> [(RecoveryPriority, usize); 4] {
        use RecoveryPriority::*;
        [NoDowntime, OneDay, ThreeDays, MayStop].map(|p| (p, self.list.iter().filter(|s| s.priority == p).count()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_resolve_by_id_name_or_alias() {
        let reg = Systems::new(vec![System {
            id: SystemId("mail".into()),
            name: "Mail service".into(),
            owner: "IT".into(),
            priority: RecoveryPriority::OneDay,
            aliases: vec!["メール".into()],
        }]);
        for typed in ["mail", "MAIL", "mail service", "メール"] {
            assert_eq!(reg.resolve(typed).system, Some(SystemId("mail".into())), "{typed}");
            assert!(reg.resolve(typed).is_known());
        }
        let unknown = reg.resolve(" printer ");
        assert!(!unknown.is_known());
        assert_eq!(unknown.name, "printer");
        assert_eq!(reg.count_by_priority()[1], (RecoveryPriority::OneDay, 1));
    }
}
