//! §4.4: what the organisation learns from an incident.

use super::ids::PlaybookId;
use serde::{Deserialize, Serialize};

/// §4.4(1) the recurrence-prevention plan, technical and organisational.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionPlan {
    pub technical: String,
    pub organisational: String,
}

impl PreventionPlan {
    /// Both parts are required by §4.4(1).
    pub fn new(technical: &str, organisational: &str) -> Result<Self, &'static str> {
        if technical.trim().is_empty() {
            return Err("the technical part of the prevention plan is empty");
        }
        if organisational.trim().is_empty() {
            return Err("the organisational part of the prevention plan is empty");
        }
        Ok(PreventionPlan { technical: technical.trim().to_string(), organisational: organisational.trim().to_string() })
    }
}

/// §4.4(2): the two questions that decide whether the board hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BoardQuestions {
    /// Was the organisation the victim of a breach by an outside third party?
    pub victim_of_outside_breach: Option<bool>,
    /// Did the organisation harm customers, partners or others outside it?
    pub harmed_outsiders: Option<bool>,
}

impl BoardQuestions {
    pub fn answered(&self) -> bool {
        self.victim_of_outside_breach.is_some() && self.harmed_outsiders.is_some()
    }

    /// A board report is owed where either answer is yes.
    pub fn board_report_required(&self) -> bool {
        self.victim_of_outside_breach == Some(true) || self.harmed_outsiders == Some(true)
    }
}

/// §4.4(4): a note on a playbook, what went well or what was missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementNote {
    pub playbook: Option<PlaybookId>,
    pub went_well: String,
    pub missing: String,
}

/// Everything §4.4 asks for, gathered during the Lessons phase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lessons {
    pub plan: Option<PreventionPlan>,
    pub board: BoardQuestions,
    pub notes: Vec<ImprovementNote>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_needs_both_parts() {
        assert!(PreventionPlan::new("patch", "").is_err());
        assert!(PreventionPlan::new(" ", "train").is_err());
        assert!(PreventionPlan::new("patch", "train").is_ok());
    }

    #[test]
    fn the_board_hears_of_it_when_either_answer_is_yes() {
        let mut q = BoardQuestions::default();
        assert!(!q.answered() && !q.board_report_required());
        q.victim_of_outside_breach = Some(false);
        q.harmed_outsiders = Some(false);
        assert!(q.answered() && !q.board_report_required());
        q.harmed_outsiders = Some(true);
        assert!(q.board_report_required());
    }
}
