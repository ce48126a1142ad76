//! The life of an incident, §4.2–§4.4: reported, analysed, contained,
//! eradicated, recovered, learnt from, closed. Only the moves below exist.

use super::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// §4.2 reported to the committee, nobody in command yet.
    Reported,
    /// §4.2 identifying the damage and analysing the cause.
    Analysis,
    /// §4.3 stopping the damage from spreading.
    Containment,
    /// §4.3 removing the cause.
    Eradication,
    /// §4.3 repairing and restoring business.
    Recovery,
    /// §4.4 prevention plan, board report, playbook improvement.
    Lessons,
    Closed,
}

/// How an incident moves from one phase to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// To the next phase of the regulation's order.
    Advance,
    /// Straight to Closed from any open phase: not an incident after all, or a
    /// duplicate of another report. Always with a recorded reason.
    Dismiss,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("the incident is already closed")]
    AlreadyClosed,
    #[error("cannot move from {from:?} to {to:?}: the next phase after {from:?} is {next:?}")]
    Skips { from: Phase, to: Phase, next: Phase },
    #[error("cannot move from {from:?} back to {to:?}: phases only go forward")]
    Backwards { from: Phase, to: Phase },
    #[error("the incident is already in {0:?}")]
    Same(Phase),
}

impl Phase {
    pub const ALL: [Phase; 7] =
        [Phase::Reported, Phase::Analysis, Phase::Containment, Phase::Eradication, Phase::Recovery, Phase::Lessons, Phase::Closed];

    /// The phases that carry a playbook checklist.
    pub const WORKING: [Phase; 5] = [Phase::Analysis, Phase::Containment, Phase::Eradication, Phase::Recovery, Phase::Lessons];

    /// The next phase in the regulation's order, `None` once closed.
    pub fn next(self) -> Option<Phase> {
        let i = Self::ALL.iter().position(|p| *p == self)?;
        Self::ALL.get(i + 1).copied()
    }

    pub fn is_open(self) -> bool {
        self != Phase::Closed
    }

    /// Is Recovery done, i.e. business restored (Table 1 deadlines stop)?
    pub fn recovery_complete(self) -> bool {
        self >= Phase::Lessons
    }

    /// Decides whether `self → to` is a legal move, and which kind.
    pub fn transition(self, to: Phase) -> Result<Move, PhaseError> {
        if self == Phase::Closed {
            return Err(PhaseError::AlreadyClosed);
        }
        if to == self {
            return Err(PhaseError::Same(self));
        }
        if to < self {
            return Err(PhaseError::Backwards { from: self, to });
        }
        let next = self.next().ok_or(PhaseError::AlreadyClosed)?;
        if to == next {
            Ok(Move::Advance)
        } else if to == Phase::Closed {
            Ok(Move::Dismiss)
        } else {
            Err(PhaseError::Skips { from: self, to, next })
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Phase::Reported => "reported",
            Phase::Analysis => "analysis",
            Phase::Containment => "containment",
            Phase::Eradication => "eradication",
            Phase::Recovery => "recovery",
            Phase::Lessons => "lessons",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Self::ALL.into_iter().find(|p| p.id() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Phase::Reported => Text::new("報告済み", "Reported"),
            Phase::Analysis => Text::new("分析", "Analysis"),
            Phase::Containment => Text::new("封じ込め", "Containment"),
            Phase::Eradication => Text::new("根絶", "Eradication"),
            Phase::Recovery => Text::new("復旧", "Recovery"),
            Phase::Lessons => Text::new("インシデントからの学習", "Lessons"),
            Phase::Closed => Text::new("終了", "Closed"),
        }
    }
}

/// When an incident entered each phase (from its recorded phase changes).
pub type PhaseEntries = std::collections::HashMap<Phase, chrono::DateTime<chrono::Utc>>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks the whole 7×7 table: exactly the next phase (Advance) and, from
    /// any open phase other than Lessons, Closed (Dismiss) are legal.
    #[test]
    fn the_full_transition_table() {
        let order = Phase::ALL;
        for (i, from) in order.iter().enumerate() {
            for (j, to) in order.iter().enumerate() {
                let got = from.transition(*to);
                let expected = if *from == Phase::Closed {
                    Err(PhaseError::AlreadyClosed)
                } else if i == j {
                    Err(PhaseError::Same(*from))
                } else if j < i {
                    Err(PhaseError::Backwards { from: *from, to: *to })
                } else if j == i + 1 {
                    Ok(Move::Advance)
                } else if *to == Phase::Closed {
                    Ok(Move::Dismiss)
                } else {
                    Err(PhaseError::Skips { from: *from, to: *to, next: order[i + 1] })
                };
                assert_eq!(got, expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn illegal_moves_explain_themselves() {
        let e = Phase::Reported.transition(Phase::Recovery).unwrap_err().to_string();
        assert!(e.contains("next phase after Reported is Analysis"), "{e}");
        let e = Phase::Recovery.transition(Phase::Analysis).unwrap_err().to_string();
        assert!(e.contains("only go forward"), "{e}");
    }

    #[test]
    fn lessons_closes_by_advancing() {
        assert_eq!(Phase::Lessons.transition(Phase::Closed), Ok(Move::Advance));
        assert!(Phase::Lessons.recovery_complete());
        assert!(!Phase::Recovery.recovery_complete());
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.id()), Some(p));
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::domain::incident::tests::{incident, CHAIR};
    use crate::domain::playbook::tests::playbook;
    use crate::domain::RoleSet;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Take,
        Advance(bool),
        Tick(usize),
        Dismiss,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![Just(Op::Take), any::<bool>().prop_map(Op::Advance), (0usize..4).prop_map(Op::Tick), Just(Op::Dismiss)]
    }

    proptest! {
        /// Whatever the committee clicks, in any order: phases only go
        /// forward one step at a time, analysis never starts without a
        /// commander, and nothing changes a closed incident.
        #[test]
        fn the_phase_machine_stays_legal(ops in proptest::collection::vec(op(), 0..40)) {
            let pb = playbook("malware", &["breach/malware"], 2);
            let mut i = incident(true);
            let now = i.reported_at;
            let committee = RoleSet { committee: true, ..Default::default() };
            for o in ops {
                let before = i.clone();
                let result = match o {
                    Op::Take => i.take_command(CHAIR, &committee, now).map(|_| ()),
                    Op::Advance(confirm) => i.advance(CHAIR, &committee, Some(&pb), confirm, &crate::domain::LogKind::ALL, now).map(|_| ()),
                    Op::Tick(n) => i.tick(&committee, Some(&pb), n).map(|_| ()),
                    Op::Dismiss => i.dismiss(CHAIR, &committee, "test", now).map(|_| ()),
                };
                if result.is_err() {
                    prop_assert_eq!(&i, &before, "a refused operation changed the incident");
                }
                if before.phase == Phase::Closed {
                    prop_assert_eq!(&i, &before);
                }
                prop_assert!(i.phase >= before.phase);
                prop_assert!(i.phase == before.phase || i.phase == Phase::Closed || before.phase.next() == Some(i.phase));
                if i.phase >= Phase::Analysis && i.phase != Phase::Closed {
                    prop_assert!(i.commander.is_some());
                }
            }
        }
    }
}
