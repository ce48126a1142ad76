//! §1: the three kinds of security incident, their examples as sub-kinds,
//! and "unsure" — a *suspected* incident must still be reportable.

use super::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// §1(1) a breach of security.
    Breach,
    /// §1(2) a failure or damage of systems or networks.
    Failure,
    /// §1(3) a threat to information assets.
    Threat,
    /// The reporter cannot tell (yet); §4.2 still wants it reported.
    Unsure,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Breach, Category::Failure, Category::Threat, Category::Unsure];

    pub fn id(self) -> &'static str {
        match self {
            Category::Breach => "breach",
            Category::Failure => "failure",
            Category::Threat => "threat",
            Category::Unsure => "unsure",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Self::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Category::Breach => Text::new("セキュリティに対する侵害", "Security breach"),
            Category::Failure => Text::new("システム・ネットワークの故障・損壊", "System or network failure"),
            Category::Threat => Text::new("情報資産への脅威", "Threat to information assets"),
            Category::Unsure => Text::new("不明・その他（疑い）", "Unsure / other (suspected)"),
        }
    }

    /// The sub-kinds the regulation lists under this category.
    pub fn sub_kinds(self) -> impl Iterator<Item = SubKind> {
        SubKind::ALL.into_iter().filter(move |k| k.category() == self)
    }
}

/// A category, or a category and its kind, as the card and the record name
/// it ("セキュリティに対する侵害／ウイルス・マルウェア感染").
pub fn classification_label(category: Category, kind: Option<SubKind>) -> Text {
    let c = category.label();
    match kind {
        Some(k) => {
            let k = k.label();
            Text::new(format!("{}／{}", c.ja, k.ja), format!("{}／{}", c.en, k.en))
        }
        None => c,
    }
}

/// The examples of §1, each under its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubKind {
    UnauthorisedAccess,
    InsiderLeak,
    Malware,
    Dos,
    LostMedia,
    PowerAnomaly,
    ThermalRunaway,
    DisasterDamage,
    BuildingIntrusion,
}

impl SubKind {
    pub const ALL: [SubKind; 9] = [
        SubKind::UnauthorisedAccess,
        SubKind::InsiderLeak,
        SubKind::Malware,
        SubKind::Dos,
        SubKind::LostMedia,
        SubKind::PowerAnomaly,
        SubKind::ThermalRunaway,
        SubKind::DisasterDamage,
        SubKind::BuildingIntrusion,
    ];

    pub fn category(self) -> Category {
        use SubKind::*;
        match self {
            UnauthorisedAccess | InsiderLeak | Malware | Dos | LostMedia => Category::Breach,
            PowerAnomaly | ThermalRunaway | DisasterDamage => Category::Failure,
            BuildingIntrusion => Category::Threat,
        }
    }

    pub fn id(self) -> &'static str {
        use SubKind::*;
        match self {
            UnauthorisedAccess => "unauthorised_access",
            InsiderLeak => "insider_leak",
            Malware => "malware",
            Dos => "dos",
            LostMedia => "lost_media",
            PowerAnomaly => "power_anomaly",
            ThermalRunaway => "thermal_runaway",
            DisasterDamage => "disaster_damage",
            BuildingIntrusion => "building_intrusion",
        }
    }

    pub fn parse(s: &str) -> Option<SubKind> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn label(self) -> Text {
        use SubKind::*;
        match self {
            UnauthorisedAccess => Text::new("不正アクセスによる情報漏えい", "Leak through unauthorised access"),
            InsiderLeak => Text::new("会員による情報漏えい", "Leak by a member"),
            Malware => Text::new("ウイルス・マルウェア感染", "Virus / malware infection"),
            Dos => Text::new("DoS攻撃", "Denial-of-service attack"),
            LostMedia => Text::new("記録媒体の紛失", "Loss of storage media"),
            PowerAnomaly => Text::new("電源異常", "Power anomaly"),
            ThermalRunaway => Text::new("熱暴走", "Thermal runaway"),
            DisasterDamage => Text::new("天災による機器損壊", "Equipment damaged by natural disaster"),
            BuildingIntrusion => Text::new("建物への侵入", "Intrusion into the building"),
        }
    }
}

/// What a playbook covers: a whole category, or one sub-kind of it.
/// Written in configuration as `"breach"` or `"breach/malware"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Coverage {
    Category(Category),
    Kind(SubKind),
}

impl Coverage {
    /// Parses `"category"` or `"category/sub_kind"`; the error says what is
    /// accepted.
    pub fn parse(s: &str) -> Result<Coverage, String> {
        let known = || {
            let mut all: Vec<String> = Category::ALL.iter().map(|c| c.id().to_string()).collect();
            all.extend(SubKind::ALL.iter().map(|k| format!("{}/{}", k.category().id(), k.id())));
            all.join(", ")
        };
        match s.split_once('/') {
            None => Category::parse(s).map(Coverage::Category).ok_or_else(|| format!("unknown category `{s}`; known: {}", known())),
            Some((c, k)) => {
                let cat = Category::parse(c).ok_or_else(|| format!("unknown category `{c}` in `{s}`; known: {}", known()))?;
                let kind = SubKind::parse(k).ok_or_else(|| format!("unknown sub-kind `{k}` in `{s}`; known: {}", known()))?;
                if kind.category() != cat {
                    return Err(format!("`{k}` belongs to `{}`, not `{c}`: write `{}/{k}`", kind.category().id(), kind.category().id()));
                }
                Ok(Coverage::Kind(kind))
            }
        }
    }

    /// The category this coverage lies in.
    pub fn category(self) -> Category {
        match self {
            Coverage::Category(c) => c,
            Coverage::Kind(k) => k.category(),
        }
    }

    /// How well this coverage fits a report; `None` when it does not apply.
    /// A playbook for the exact sub-kind beats one for the whole category.
    pub fn fit(self, category: Category, kind: Option<SubKind>) -> Option<u8> {
        match self {
            Coverage::Kind(k) if Some(k) == kind => Some(2),
            Coverage::Category(c) if c == category => Some(1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sub_kind_belongs_to_one_of_the_three_categories() {
        for k in SubKind::ALL {
            assert_ne!(k.category(), Category::Unsure);
            assert_eq!(SubKind::parse(k.id()), Some(k));
        }
        assert_eq!(Category::Breach.sub_kinds().count(), 5);
        assert_eq!(Category::Failure.sub_kinds().count(), 3);
        assert_eq!(Category::Threat.sub_kinds().count(), 1);
        assert_eq!(Category::Unsure.sub_kinds().count(), 0);
    }

    #[test]
    fn coverage_parses_and_prefers_the_exact_kind() {
        assert_eq!(Coverage::parse("breach"), Ok(Coverage::Category(Category::Breach)));
        let m = Coverage::parse("breach/malware").unwrap();
        assert_eq!(m.fit(Category::Breach, Some(SubKind::Malware)), Some(2));
        assert_eq!(Coverage::Category(Category::Breach).fit(Category::Breach, Some(SubKind::Malware)), Some(1));
        assert_eq!(m.fit(Category::Breach, None), None);
        assert!(Coverage::parse("failure/malware").unwrap_err().contains("breach/malware"));
        assert!(Coverage::parse("nope").is_err());
    }
}
