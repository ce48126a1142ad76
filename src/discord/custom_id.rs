//! Buttons, selects and modals carry their whole meaning in their custom id
//! (`hk1:<action>:<incident>[:<arg>]`), and handlers read the state from the
//! database: after a restart every old button still works, and nothing is
//! held in memory between a click and its answer.
//!
//! Anything can arrive here (a forged interaction, an old version's id), so
//! parsing never panics and refuses what it does not know.

use crate::domain::appi::{AppiQuestion, Stage};
use crate::domain::lessons::{BoardQuestion, LessonItem};
use crate::domain::{Category, IncidentId, LogKind, SubKind};

fn board_id(q: BoardQuestion) -> &'static str {
    match q {
        BoardQuestion::VictimOfOutsideBreach => "victim",
        BoardQuestion::HarmedOutsiders => "harm",
    }
}

const PREFIX: &str = "hk1";
/// Discord's limit for a custom id.
pub const MAX_LEN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomId {
    /// The /report modal, with the options chosen on the command.
    ReportModal {
        category: Category,
        kind: Option<SubKind>,
        confidential: bool,
    },
    TakeCommand(IncidentId),
    /// The user select that appoints a commander.
    Appoint(IncidentId),
    /// Advance; `confirmed` once the person agreed to skip unticked items.
    Advance {
        incident: IncidentId,
        confirmed: bool,
    },
    /// The select that ticks checklist items.
    Checklist(IncidentId),
    /// A button opening the modal for a §4.3 record, and that modal.
    LogButton(IncidentId, LogKind),
    LogModal(IncidentId, LogKind),
    DismissButton(IncidentId),
    DismissModal(IncidentId),
    DuplicateButton(IncidentId),
    DuplicateModal(IncidentId),
    /// A scheduled reminder's buttons (the id is the reminder's).
    Acknowledge(i64),
    StartDrill(i64),
    /// A playbook-improvement note (§4.4(4)), and its modal.
    NoteButton(IncidentId),
    NoteModal(IncidentId),
    /// §4.4: the plan, the board questions, waivers, the announcement.
    PlanButton(IncidentId),
    PlanModal(IncidentId),
    Board(IncidentId, BoardQuestion, bool),
    WaiveSelect(IncidentId),
    WaiveModal(IncidentId, LessonItem),
    Read(IncidentId),
    Readers(IncidentId),
    /// §6/§9: the committee decides a request (id), and the reason modal.
    Decide(i64, bool),
    DecideModal(i64, bool),
    /// §6/§9: the request forms.
    ExceptionModal,
    AmendModal,
    /// §9: the yearly review's outcome (reminder id).
    ReviewModal(i64),
    /// The confidential reporter adds information, from their DM.
    AddInfo(IncidentId),
    AddInfoModal(IncidentId),
    /// APPI Art. 26: a question answered, a report filed.
    Appi(IncidentId, AppiQuestion, bool),
    AppiFiled(IncidentId, Stage),
}

impl CustomId {
    pub fn encode(&self) -> String {
        use CustomId::*;
        match self {
            ReportModal { category, kind, confidential } => {
                format!("{PREFIX}:report:{}:{}:{}", category.id(), kind.map(|k| k.id()).unwrap_or("-"), u8::from(*confidential))
            }
            TakeCommand(i) => format!("{PREFIX}:take:{i}"),
            Appoint(i) => format!("{PREFIX}:appoint:{i}"),
            Advance { incident, confirmed } => format!("{PREFIX}:{}:{incident}", if *confirmed { "advance!" } else { "advance" }),
            Checklist(i) => format!("{PREFIX}:tick:{i}"),
            LogButton(i, k) => format!("{PREFIX}:log:{i}:{}", k.id()),
            LogModal(i, k) => format!("{PREFIX}:logm:{i}:{}", k.id()),
            DismissButton(i) => format!("{PREFIX}:dismiss:{i}"),
            DismissModal(i) => format!("{PREFIX}:dismissm:{i}"),
            DuplicateButton(i) => format!("{PREFIX}:dup:{i}"),
            DuplicateModal(i) => format!("{PREFIX}:dupm:{i}"),
            Acknowledge(r) => format!("{PREFIX}:ack:{r}"),
            StartDrill(r) => format!("{PREFIX}:drillnow:{r}"),
            NoteButton(i) => format!("{PREFIX}:note:{i}"),
            NoteModal(i) => format!("{PREFIX}:notem:{i}"),
            PlanButton(i) => format!("{PREFIX}:plan:{i}"),
            PlanModal(i) => format!("{PREFIX}:planm:{i}"),
            Board(i, q, yes) => format!("{PREFIX}:board:{i}:{}:{}", board_id(*q), if *yes { "y" } else { "n" }),
            WaiveSelect(i) => format!("{PREFIX}:waive:{i}"),
            WaiveModal(i, item) => format!("{PREFIX}:waivem:{i}:{}", item.id()),
            Read(i) => format!("{PREFIX}:read:{i}"),
            Readers(i) => format!("{PREFIX}:readers:{i}"),
            Decide(r, yes) => format!("{PREFIX}:decide:{r}:{}", if *yes { "y" } else { "n" }),
            DecideModal(r, yes) => format!("{PREFIX}:decidem:{r}:{}", if *yes { "y" } else { "n" }),
            ExceptionModal => format!("{PREFIX}:exceptionm"),
            AmendModal => format!("{PREFIX}:amendm"),
            ReviewModal(r) => format!("{PREFIX}:reviewm:{r}"),
            AddInfo(i) => format!("{PREFIX}:addinfo:{i}"),
            AddInfoModal(i) => format!("{PREFIX}:addinfom:{i}"),
            Appi(i, q, yes) => format!("{PREFIX}:appi:{i}:{}:{}", q.id(), if *yes { "y" } else { "n" }),
            AppiFiled(i, stage) => format!("{PREFIX}:appifiled:{i}:{}", if *stage == Stage::Preliminary { "p" } else { "f" }),
        }
    }

    pub fn parse(s: &str) -> Option<CustomId> {
        if s.len() > MAX_LEN {
            return None;
        }
        let mut parts = s.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let action = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        let incident = |i: usize| -> Option<IncidentId> {
            let s = rest.get(i)?;
            // Only plain positive decimals: no signs, no leading zeros tricks.
            if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<i64>().ok().filter(|n| *n > 0).map(IncidentId)
        };
        let arity = |n: usize| (rest.len() == n).then_some(());
        use CustomId::*;
        Some(match action {
            "report" => {
                arity(3)?;
                let category = Category::parse(rest[0])?;
                let kind = match rest[1] {
                    "-" => None,
                    k => Some(SubKind::parse(k)?),
                };
                let confidential = match rest[2] {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                };
                ReportModal { category, kind, confidential }
            }
            "take" => arity(1).and_then(|_| incident(0)).map(TakeCommand)?,
            "appoint" => arity(1).and_then(|_| incident(0)).map(Appoint)?,
            "advance" => Advance { incident: arity(1).and_then(|_| incident(0))?, confirmed: false },
            "advance!" => Advance { incident: arity(1).and_then(|_| incident(0))?, confirmed: true },
            "tick" => arity(1).and_then(|_| incident(0)).map(Checklist)?,
            "log" | "logm" => {
                arity(2)?;
                let i = incident(0)?;
                let k = LogKind::parse(rest[1])?;
                if action == "log" {
                    LogButton(i, k)
                } else {
                    LogModal(i, k)
                }
            }
            "dismiss" => arity(1).and_then(|_| incident(0)).map(DismissButton)?,
            "dismissm" => arity(1).and_then(|_| incident(0)).map(DismissModal)?,
            "dup" => arity(1).and_then(|_| incident(0)).map(DuplicateButton)?,
            "dupm" => arity(1).and_then(|_| incident(0)).map(DuplicateModal)?,
            "ack" => Acknowledge(arity(1).and_then(|_| incident(0))?.0),
            "drillnow" => StartDrill(arity(1).and_then(|_| incident(0))?.0),
            "note" => arity(1).and_then(|_| incident(0)).map(NoteButton)?,
            "notem" => arity(1).and_then(|_| incident(0)).map(NoteModal)?,
            "plan" => arity(1).and_then(|_| incident(0)).map(PlanButton)?,
            "planm" => arity(1).and_then(|_| incident(0)).map(PlanModal)?,
            "board" => {
                arity(3)?;
                let q = match rest[1] {
                    "victim" => BoardQuestion::VictimOfOutsideBreach,
                    "harm" => BoardQuestion::HarmedOutsiders,
                    _ => return None,
                };
                let yes = match rest[2] {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                Board(incident(0)?, q, yes)
            }
            "waive" => arity(1).and_then(|_| incident(0)).map(WaiveSelect)?,
            "waivem" => {
                arity(2)?;
                WaiveModal(incident(0)?, LessonItem::parse(rest[1])?)
            }
            "read" => arity(1).and_then(|_| incident(0)).map(Read)?,
            "readers" => arity(1).and_then(|_| incident(0)).map(Readers)?,
            "decide" | "decidem" => {
                arity(2)?;
                let r = incident(0)?.0;
                let yes = match rest[1] {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                if action == "decide" {
                    Decide(r, yes)
                } else {
                    DecideModal(r, yes)
                }
            }
            "exceptionm" => arity(0).map(|_| ExceptionModal)?,
            "amendm" => arity(0).map(|_| AmendModal)?,
            "reviewm" => ReviewModal(arity(1).and_then(|_| incident(0))?.0),
            "addinfo" => arity(1).and_then(|_| incident(0)).map(AddInfo)?,
            "addinfom" => arity(1).and_then(|_| incident(0)).map(AddInfoModal)?,
            "appi" => {
                arity(3)?;
                let yes = match rest[2] {
                    "y" => true,
                    "n" => false,
                    _ => return None,
                };
                Appi(incident(0)?, AppiQuestion::parse(rest[1])?, yes)
            }
            "appifiled" => {
                arity(2)?;
                let stage = match rest[1] {
                    "p" => Stage::Preliminary,
                    "f" => Stage::Final,
                    _ => return None,
                };
                AppiFiled(incident(0)?, stage)
            }
            _ => return None,
        })
    }

    /// The incident the id concerns, if any.
    pub fn incident(&self) -> Option<IncidentId> {
        use CustomId::*;
        match self {
            ReportModal { .. }
            | Acknowledge(_)
            | StartDrill(_)
            | Decide(..)
            | DecideModal(..)
            | ExceptionModal
            | AmendModal
            | ReviewModal(_) => None,
            TakeCommand(i)
            | Appoint(i)
            | Checklist(i)
            | LogButton(i, _)
            | LogModal(i, _)
            | DismissButton(i)
            | DismissModal(i)
            | DuplicateButton(i)
            | NoteButton(i)
            | NoteModal(i)
            | PlanButton(i)
            | PlanModal(i)
            | Board(i, _, _)
            | WaiveSelect(i)
            | WaiveModal(i, _)
            | Read(i)
            | Readers(i)
            | AddInfo(i)
            | AddInfoModal(i)
            | Appi(i, _, _)
            | AppiFiled(i, _)
            | DuplicateModal(i) => Some(*i),
            Advance { incident, .. } => Some(*incident),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<CustomId> {
        let i = IncidentId(i64::MAX);
        let mut v = vec![
            CustomId::TakeCommand(i),
            CustomId::Appoint(i),
            CustomId::Advance { incident: i, confirmed: false },
            CustomId::Advance { incident: i, confirmed: true },
            CustomId::Checklist(i),
            CustomId::DismissButton(i),
            CustomId::DismissModal(i),
            CustomId::DuplicateButton(i),
            CustomId::DuplicateModal(i),
            CustomId::Acknowledge(7),
            CustomId::StartDrill(7),
            CustomId::NoteButton(i),
            CustomId::NoteModal(i),
            CustomId::PlanButton(i),
            CustomId::PlanModal(i),
            CustomId::Board(i, BoardQuestion::VictimOfOutsideBreach, true),
            CustomId::Board(i, BoardQuestion::HarmedOutsiders, false),
            CustomId::WaiveSelect(i),
            CustomId::WaiveModal(i, LessonItem::ImprovementNotes),
            CustomId::Read(i),
            CustomId::Readers(i),
            CustomId::Decide(3, true),
            CustomId::DecideModal(3, false),
            CustomId::ExceptionModal,
            CustomId::AmendModal,
            CustomId::ReviewModal(4),
            CustomId::AddInfo(i),
            CustomId::AddInfoModal(i),
            CustomId::Appi(i, AppiQuestion::OverThousand, true),
            CustomId::AppiFiled(i, Stage::Final),
        ];
        for k in LogKind::ALL {
            v.push(CustomId::LogButton(i, k));
            v.push(CustomId::LogModal(i, k));
        }
        for c in Category::ALL {
            v.push(CustomId::ReportModal { category: c, kind: None, confidential: true });
        }
        for k in SubKind::ALL {
            v.push(CustomId::ReportModal { category: k.category(), kind: Some(k), confidential: false });
        }
        v
    }

    #[test]
    fn every_id_round_trips_within_discords_limit() {
        for id in all() {
            let s = id.encode();
            assert!(s.len() <= MAX_LEN, "{s}");
            assert_eq!(CustomId::parse(&s), Some(id), "{s}");
        }
    }

    #[test]
    fn forged_ids_are_refused() {
        for bad in [
            "",
            "hk1",
            "hk1:take",
            "hk1:take:",
            "hk1:take:-1",
            "hk1:take:0",
            "hk1:take:+5",
            "hk1:take:99999999999999999999",
            "hk1:take:5:6",
            "hk1:nuke:5",
            "hk2:take:5",
            "hk1:log:5:weather",
            "hk1:report:breach:dos",
            "hk1:report:breach:nope:0",
            "hk1:report:breach:dos:2",
            "hk1:take:%00",
            "hk1:take:５",
        ] {
            assert_eq!(CustomId::parse(bad), None, "{bad:?} accepted");
        }
        assert_eq!(CustomId::parse(&format!("hk1:take:{}", "1".repeat(200))), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Anything a forged interaction can carry parses to `None` or to an
        /// id that encodes back to the same text — never a panic.
        #[test]
        fn any_text_parses_safely(s in "\\PC{0,120}") {
            if let Some(id) = CustomId::parse(&s) {
                prop_assert_eq!(id.encode(), s);
            }
        }

        #[test]
        fn ids_round_trip(n in 1i64..i64::MAX, yes: bool) {
            let i = IncidentId(n);
            for id in [CustomId::TakeCommand(i), CustomId::Advance { incident: i, confirmed: yes }, CustomId::LogModal(i, LogKind::Status), CustomId::Decide(n, yes)] {
                prop_assert_eq!(CustomId::parse(&id.encode()), Some(id));
            }
        }
    }
}
