//! Who may do what (§4.1(1): the commander holds every emergency decision;
//! §4.2: the committee runs the response). Checked in the service layer for
//! every action, whatever the Discord layer chose to show.

use serde::{Deserialize, Serialize};

/// A role a person holds towards one incident. One person can hold several
/// (a committee member who reported, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Any member of the organisation (§2).
    Member,
    /// Filed the report.
    Reporter,
    /// Added to the incident by the commander or committee.
    Responder,
    /// The executive in charge (§4.1(1)).
    Commander,
    /// The Information Security Committee.
    Committee,
    /// 情報システム部: drafts the prevention plan with the committee
    /// (§4.4(1)); a role of the server, configured.
    ItDepartment,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Member, Role::Reporter, Role::Responder, Role::Commander, Role::Committee, Role::ItDepartment];
}

/// The roles a person holds towards one incident; every member is a Member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoleSet {
    pub reporter: bool,
    pub responder: bool,
    pub commander: bool,
    pub committee: bool,
    pub it_department: bool,
}

impl RoleSet {
    pub fn only(role: Role) -> RoleSet {
        let mut s = RoleSet::default();
        match role {
            Role::Member => {}
            Role::Reporter => s.reporter = true,
            Role::Responder => s.responder = true,
            Role::Commander => s.commander = true,
            Role::Committee => s.committee = true,
            Role::ItDepartment => s.it_department = true,
        }
        s
    }

    pub fn has(&self, role: Role) -> bool {
        match role {
            Role::Member => true,
            Role::Reporter => self.reporter,
            Role::Responder => self.responder,
            Role::Commander => self.commander,
            Role::Committee => self.committee,
            Role::ItDepartment => self.it_department,
        }
    }
}

/// Everything a person can ask hikeshi to do with an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Report,
    TakeCommand,
    AppointCommander,
    Advance,
    TickChecklist,
    LogEntry,
    AddResponder,
    RemoveResponder,
    MarkDuplicate,
    Dismiss,
    WriteLessons,
    Export,
    StartDrill,
    /// §4.1(2), §9, §5: acknowledge a drill, review or audit reminder.
    Acknowledge,
    /// §6, §9: approve or deny a request; record the yearly review.
    Decide,
    /// §4.1(1): hand command to someone else (shifts, absence).
    HandOver,
    /// §4.4(3): name the incident for the announcement to all members.
    SetPublicTitle,
    /// Open a report held by the flood guard.
    Triage,
    /// §4.2, §4.3: change the category, kind and systems as the cause
    /// becomes clear.
    Reclassify,
    /// Make a report confidential after the fact (§1(1) leaks by a member).
    MakeConfidential,
    /// §4.4(1): approve the prevention plan the commander drafted.
    ApprovePlan,
    /// §4.4(2): record that the board was told.
    RecordBoardReport,
    /// The committee's figures and lists: `/stats`, `/audit`, `/schedule`,
    /// `/playbook notes`, who has read an announcement (§4.4(3)).
    ViewRecords,
    /// Issue 25: who can read this incident, and why (`/incident access`).
    SeeAccess,
    /// Issue 25, APPI: redact personal data posted by mistake.
    Redact,
    /// Issue 26: record an absence from duty or a swap.
    ChangeDuty,
    /// §4.2: choose the playbook where none fits the report's kind.
    ChoosePlaybook,
    /// §4.4(2): answer the two questions that decide the board's report.
    AnswerBoard,
    /// §4.2: record what the analysis found (damage, cause).
    RecordFindings,
    /// §4.1(4): give a system the registry lacks its recovery priority.
    AssignPriority,
    /// §4.2: file a report taken by phone or in person for someone else.
    ReportFor,
    /// §4.4(1): 情報システム部 signs off the plan it drafted with the
    /// committee.
    SignOffPlan,
}

impl Action {
    pub const ALL: [Action; 32] = [
        Action::Report,
        Action::TakeCommand,
        Action::AppointCommander,
        Action::Advance,
        Action::TickChecklist,
        Action::LogEntry,
        Action::AddResponder,
        Action::RemoveResponder,
        Action::MarkDuplicate,
        Action::Dismiss,
        Action::WriteLessons,
        Action::Export,
        Action::StartDrill,
        Action::Acknowledge,
        Action::Decide,
        Action::HandOver,
        Action::SetPublicTitle,
        Action::Triage,
        Action::Reclassify,
        Action::MakeConfidential,
        Action::ApprovePlan,
        Action::RecordBoardReport,
        Action::ViewRecords,
        Action::SeeAccess,
        Action::Redact,
        Action::ChangeDuty,
        Action::ChoosePlaybook,
        Action::AnswerBoard,
        Action::RecordFindings,
        Action::AssignPriority,
        Action::ReportFor,
        Action::SignOffPlan,
    ];

    /// The roles that may perform this action.
    pub fn allowed_roles(self) -> &'static [Role] {
        use Action::*;
        use Role::*;
        match self {
            // §2: every member reports.
            Report => &[Member, Reporter, Responder, Commander, Committee],
            // §4.2: the committee takes command or appoints the executive.
            TakeCommand | AppointCommander | ChoosePlaybook | MarkDuplicate | Dismiss | StartDrill | ReportFor => &[Committee],
            // §4.1(2), §5, §6, §9: the committee's own work.
            Acknowledge | Decide | ViewRecords | SetPublicTitle | Triage => &[Committee],
            // §4.4(1) names the committee for the plan; §4.4(2) its report.
            ApprovePlan | AnswerBoard | AssignPriority | RecordBoardReport | MakeConfidential | Redact | ChangeDuty => &[Committee],
            // §4.1(1): the commander decides; the committee backs them up.
            Advance | TickChecklist | AddResponder | RemoveResponder | WriteLessons | HandOver | Reclassify => &[Commander, Committee],
            // §4.3: records are kept under the commander by everyone working the incident.
            LogEntry | RecordFindings => &[Responder, Commander, Committee],
            Export | SeeAccess => &[Commander, Committee],
            // §4.4(1): the plan is the committee's and 情報システム部's together.
            SignOffPlan => &[ItDepartment],
        }
    }

    pub fn allowed(self, roles: &RoleSet) -> bool {
        self.allowed_roles().iter().any(|r| roles.has(*r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    /// The whole matrix, written out: a change to who may do what must change
    /// this table too.
    #[test]
    fn permission_matrix() {
        #[rustfmt::skip]
        let table: &[(Action, [bool; 6])] = &[
            //                 member reporter responder commander committee it
            (Report,           [true,  true,  true,  true,  true , true ]),
            (TakeCommand,      [false, false, false, false, true , false]),
            (AppointCommander, [false, false, false, false, true , false]),
            (Advance,          [false, false, false, true,  true , false]),
            (TickChecklist,    [false, false, false, true,  true , false]),
            (LogEntry,         [false, false, true,  true,  true , false]),
            (AddResponder,     [false, false, false, true,  true , false]),
            (RemoveResponder,  [false, false, false, true,  true , false]),
            (MarkDuplicate,    [false, false, false, false, true , false]),
            (Dismiss,          [false, false, false, false, true , false]),
            (WriteLessons,     [false, false, false, true,  true , false]),
            (Export,           [false, false, false, true,  true , false]),
            (StartDrill,       [false, false, false, false, true , false]),
            (Acknowledge,      [false, false, false, false, true , false]),
            (Decide,           [false, false, false, false, true , false]),
            (HandOver,         [false, false, false, true,  true , false]),
            (SetPublicTitle,   [false, false, false, false, true , false]),
            (Triage,           [false, false, false, false, true , false]),
            (Reclassify,       [false, false, false, true,  true , false]),
            (MakeConfidential, [false, false, false, false, true , false]),
            (ApprovePlan,      [false, false, false, false, true , false]),
            (RecordBoardReport,[false, false, false, false, true , false]),
            (ViewRecords,      [false, false, false, false, true , false]),
            (SeeAccess,        [false, false, false, true,  true , false]),
            (Redact,           [false, false, false, false, true , false]),
            (ChangeDuty,       [false, false, false, false, true , false]),
            (ChoosePlaybook,   [false, false, false, false, true , false]),
            (AnswerBoard,      [false, false, false, false, true , false]),
            (RecordFindings,   [false, false, true,  true,  true , false]),
            (AssignPriority,   [false, false, false, false, true , false]),
            (ReportFor,        [false, false, false, false, true , false]),
            (SignOffPlan,      [false, false, false, false, false, true ]),
        ];
        assert_eq!(table.len(), Action::ALL.len(), "every action is in the table");
        for (action, row) in table {
            for (role, expected) in Role::ALL.iter().zip(row) {
                assert_eq!(action.allowed(&RoleSet::only(*role)), *expected, "{action:?} by {role:?}");
            }
        }
    }

    #[test]
    fn roles_combine() {
        let both = RoleSet { reporter: true, committee: true, ..Default::default() };
        assert!(TakeCommand.allowed(&both));
        assert!(!TakeCommand.allowed(&RoleSet { reporter: true, ..Default::default() }));
    }
}
