//! §4.4: what the organisation learns from an incident.

use super::ids::PlaybookId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// §4.4(1) the recurrence-prevention plan, technical and organisational,
/// with what the investigation found (for the board report, §4.4(2)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionPlan {
    pub technical: String,
    pub organisational: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub damage: String,
}

impl PreventionPlan {
    /// Both parts are required by §4.4(1).
    pub fn new(technical: &str, organisational: &str) -> Result<Self, super::refusal::IncidentError> {
        if technical.trim().is_empty() {
            return Err(super::refusal::IncidentError::PlanTechnicalEmpty);
        }
        if organisational.trim().is_empty() {
            return Err(super::refusal::IncidentError::PlanOrganisationalEmpty);
        }
        Ok(PreventionPlan {
            technical: technical.trim().to_string(),
            organisational: organisational.trim().to_string(),
            cause: String::new(),
            damage: String::new(),
        })
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

    /// Both answered, and a report owed: the draft goes to the committee.
    pub fn report_due(&self) -> bool {
        self.answered() && self.board_report_required()
    }
}

/// §4.4(4): a note on a playbook, what went well or what was missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementNote {
    pub playbook: Option<PlaybookId>,
    pub went_well: String,
    pub missing: String,
}

/// §4.4(1): the committee approved a revision of the plan (drafted by the
/// commander) before it was announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanApproval {
    pub revision: u32,
    /// The plan as approved: what all members read, whatever drafts follow.
    pub plan: PreventionPlan,
    pub by: super::ids::UserId,
    pub at: DateTime<Utc>,
}

/// §4.4(2): what the committee records of the board's meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardMeeting {
    pub met_on: chrono::NaiveDate,
    pub decided: String,
}

/// §4.4(2): the committee recorded that the board was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardTold {
    pub by: super::ids::UserId,
    pub at: DateTime<Utc>,
    /// The day the board met (recorded before this was asked: none).
    #[serde(default)]
    pub met_on: Option<chrono::NaiveDate>,
    /// What the board decided or instructed.
    #[serde(default)]
    pub decided: String,
}

/// What the Lessons phase must produce before an incident may close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LessonItem {
    /// §4.4(1)
    Plan,
    /// §4.4(1): the committee's approval of the plan as it stands (not
    /// waivable on its own: waiving the plan covers it).
    PlanApproval,
    /// §4.4(1) 情報セキュリティ委員会および情報システム部は…作成: the IT
    /// department's sign-off on the plan as it stands, where a role is
    /// configured for it. The committee may waive it (an incident the IT
    /// department has no part in), with a reason.
    ItSignOff,
    /// §4.4(2)
    BoardQuestions,
    /// §4.4(4)
    ImprovementNotes,
}

impl LessonItem {
    pub const ALL: [LessonItem; 4] = [LessonItem::Plan, LessonItem::ItSignOff, LessonItem::BoardQuestions, LessonItem::ImprovementNotes];

    pub fn id(self) -> &'static str {
        match self {
            LessonItem::Plan => "plan",
            LessonItem::PlanApproval => "approval",
            LessonItem::ItSignOff => "itsignoff",
            LessonItem::BoardQuestions => "board",
            LessonItem::ImprovementNotes => "notes",
        }
    }

    /// The items the committee may waive (`ALL`).
    pub fn parse(s: &str) -> Option<LessonItem> {
        Self::ALL.into_iter().find(|i| i.id() == s)
    }
}

/// The committee excused an item, with a reason that is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub item: LessonItem,
    pub reason: String,
    pub by: super::ids::UserId,
}

/// §4.4(1): 情報システム部 signed off one revision of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItSignOff {
    pub revision: u32,
    pub by: super::ids::UserId,
    pub at: DateTime<Utc>,
}

/// Whether the plan waits for 情報システム部 (§4.4(1)): only where the
/// organisation configured a role for it, so that the button has someone
/// to press it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItDepartment {
    Configured,
    NotConfigured,
}

/// One of the two §4.4(2) questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardQuestion {
    VictimOfOutsideBreach,
    HarmedOutsiders,
}

/// Everything §4.4 asks for, gathered during the Lessons phase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lessons {
    pub plan: Option<PreventionPlan>,
    pub board: BoardQuestions,
    pub notes: Vec<ImprovementNote>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    // The fields below are left out while empty, so that a state written
    // before they existed reads and writes back as it was.
    /// How many times the plan was saved; each save is a revision.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub plan_revision: u32,
    /// The latest approval; the plan as it stands is approved when this
    /// names the current revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_approval: Option<PlanApproval>,
    /// The revision all members were first told of (§4.4(3)); later
    /// approvals revise that announcement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_revision: Option<u32>,
    /// When all members were first told (members who have not confirmed
    /// are reminded some days after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_at: Option<DateTime<Utc>>,
    /// Members who had not confirmed it were reminded (once).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unread_reminded: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board_told: Option<BoardTold>,
    /// §4.4(1): the latest sign-off by 情報システム部 (it covers the plan
    /// only while it names the current revision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub it_signoff: Option<ItSignOff>,
    /// §4.4(1) 適切に実施, §4.4(4): tracked to done, past the close.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub followups: Vec<super::followup::FollowUp>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Lessons {
    /// The plan as it stands was approved by the committee.
    /// Plans recorded before approvals existed (revision 0) count as
    /// approved: they were announced when recorded.
    pub fn plan_approved(&self) -> bool {
        self.plan.is_some() && (self.plan_revision == 0 || self.plan_approval.as_ref().is_some_and(|a| a.revision == self.plan_revision))
    }

    /// 情報システム部 signed off the plan as it stands.
    pub fn signed_off(&self) -> bool {
        self.plan.is_some() && self.it_signoff.as_ref().is_some_and(|s| s.revision == self.plan_revision)
    }

    /// The plan as it stands waits for 情報システム部 before the committee
    /// may approve it (§4.4(1)).
    pub fn awaits_signoff(&self, it: ItDepartment) -> bool {
        it == ItDepartment::Configured && self.plan.is_some() && !self.signed_off() && !self.waived(LessonItem::ItSignOff)
    }

    /// The plan all members are told of: the approved one.
    pub fn announced_plan(&self) -> Option<&PreventionPlan> {
        match &self.plan_approval {
            Some(a) => Some(&a.plan),
            None if self.plan_revision == 0 => self.plan.as_ref(),
            None => None,
        }
    }

    /// The board must be told and nobody recorded that it was (§4.4(2)).
    pub fn board_report_owed(&self) -> bool {
        self.board.report_due() && self.board_told.is_none()
    }

    pub fn open_followups(&self) -> impl Iterator<Item = &super::followup::FollowUp> {
        self.followups.iter().filter(|f| f.is_open())
    }

    /// The committee excused `item`.
    pub fn waived(&self, item: LessonItem) -> bool {
        self.waivers.iter().any(|w| w.item == item)
    }

    /// What is still missing before the incident may close. Drills owe no
    /// board answers (they harm nobody and are never reported to the board)
    /// and no prevention plan: §4.4(1) plans against the recurrence of an
    /// incident, and a drill's findings are its improvement notes (§4.1(2)).
    pub fn missing(&self, drill: bool) -> Vec<LessonItem> {
        let mut out = vec![];
        if !drill && !self.waived(LessonItem::Plan) {
            if self.plan.is_none() {
                out.push(LessonItem::Plan);
            } else if !self.plan_approved() {
                out.push(LessonItem::PlanApproval);
            }
        }
        if !drill && !self.board.answered() && !self.waived(LessonItem::BoardQuestions) {
            out.push(LessonItem::BoardQuestions);
        }
        if self.notes.is_empty() && !self.waived(LessonItem::ImprovementNotes) {
            out.push(LessonItem::ImprovementNotes);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_questions_are_answered_only_when_both_are() {
        let mut b = BoardQuestions::default();
        assert!(!b.answered());
        b.victim_of_outside_breach = Some(false);
        assert!(!b.answered(), "one of two");
        b.victim_of_outside_breach = None;
        b.harmed_outsiders = Some(true);
        assert!(!b.answered(), "the other one of two");
        b.victim_of_outside_breach = Some(false);
        assert!(b.answered() && b.board_report_required());
    }

    #[test]
    fn a_plan_needs_both_parts() {
        assert!(PreventionPlan::new("patch", "").is_err());
        assert!(PreventionPlan::new(" ", "train").is_err());
        assert!(PreventionPlan::new("patch", "train").is_ok());
    }

    #[test]
    fn closing_needs_each_item_or_its_waiver() {
        let mut l = Lessons::default();
        assert_eq!(l.missing(false), vec![LessonItem::Plan, LessonItem::BoardQuestions, LessonItem::ImprovementNotes]);
        assert_eq!(l.missing(true), vec![LessonItem::ImprovementNotes], "a drill owes its notes alone");
        l.plan = Some(PreventionPlan::new("patch", "train").unwrap());
        l.plan_revision = 1;
        assert_eq!(
            l.missing(false),
            vec![LessonItem::PlanApproval, LessonItem::BoardQuestions, LessonItem::ImprovementNotes],
            "a draft is not enough"
        );
        assert_eq!(l.missing(true), vec![LessonItem::ImprovementNotes]);
        l.plan_approval = Some(PlanApproval {
            revision: 1,
            plan: l.plan.clone().unwrap(),
            by: crate::domain::UserId(3),
            at: chrono::DateTime::<Utc>::MIN_UTC,
        });
        l.board = BoardQuestions { victim_of_outside_breach: Some(false), harmed_outsiders: Some(true) };
        assert_eq!(l.missing(false), vec![LessonItem::ImprovementNotes]);
        l.waivers.push(Waiver { item: LessonItem::ImprovementNotes, reason: "nothing to learn".into(), by: crate::domain::UserId(1) });
        assert!(l.missing(false).is_empty());
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
