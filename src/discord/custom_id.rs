//! Buttons, selects and modals carry their whole meaning in their custom id
//! (`hk1:<action>:<arg>…`), and handlers read the state from the database:
//! after a restart every old button still works, and nothing is held in
//! memory between a click and its answer.
//!
//! One table below declares every id: its action word, its arguments and
//! the feature that handles it. Encoding and parsing are both generated
//! from it, so they cannot drift apart, and the words must stay as they are
//! (buttons posted by older versions carry them).
//!
//! Anything can arrive here (a forged interaction, an old version's id), so
//! parsing never panics and refuses what it does not know.

use crate::domain::appi::{AppiQuestion, Stage};
use crate::domain::lessons::{BoardQuestion, LessonItem};
use crate::domain::proxy::Via;
use crate::domain::{Category, IncidentId, LogKind, SubKind};

const PREFIX: &str = "hk1";
/// Discord's limit for a custom id.
pub const MAX_LEN: usize = 100;

/// The folder of `discord/` that handles an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Report,
    Incident,
    Lessons,
    Reminders,
    Requests,
    Appi,
    Findings,
}

/// One argument of a custom id: how it is written, and read back.
pub trait Part: Sized {
    fn put(&self) -> String;
    fn take(s: &str) -> Option<Self>;
}

/// Only plain positive decimals: no signs, no leading-zero tricks, no
/// full-width digits.
fn positive(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

impl Part for IncidentId {
    fn put(&self) -> String {
        self.0.to_string()
    }
    fn take(s: &str) -> Option<Self> {
        positive(s).map(IncidentId)
    }
}

/// Reminder and request ids.
impl Part for i64 {
    fn put(&self) -> String {
        self.to_string()
    }
    fn take(s: &str) -> Option<Self> {
        positive(s)
    }
}

/// Yes / no answers.
impl Part for bool {
    fn put(&self) -> String {
        if *self { "y" } else { "n" }.into()
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "y" => Some(true),
            "n" => Some(false),
            _ => None,
        }
    }
}

/// Whether a report is made confidentially (written `1` / `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confidential(pub bool);

impl Part for Confidential {
    fn put(&self) -> String {
        if self.0 { "1" } else { "0" }.into()
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "1" => Some(Confidential(true)),
            "0" => Some(Confidential(false)),
            _ => None,
        }
    }
}

/// A member, or `-` for none.
impl Part for Option<crate::domain::UserId> {
    fn put(&self) -> String {
        self.map_or_else(|| "-".into(), |u| u.0.to_string())
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "-" => Some(None),
            u => positive(u).map(|u| Some(crate::domain::UserId(u as u64))),
        }
    }
}

impl Part for Via {
    fn put(&self) -> String {
        self.id().into()
    }
    fn take(s: &str) -> Option<Self> {
        Via::parse(s)
    }
}

impl Part for Category {
    fn put(&self) -> String {
        self.id().into()
    }
    fn take(s: &str) -> Option<Self> {
        Category::parse(s)
    }
}

/// A kind, or `-` for none.
impl Part for Option<SubKind> {
    fn put(&self) -> String {
        self.map(|k| k.id()).unwrap_or("-").into()
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "-" => Some(None),
            k => SubKind::parse(k).map(Some),
        }
    }
}

impl Part for LogKind {
    fn put(&self) -> String {
        self.id().into()
    }
    fn take(s: &str) -> Option<Self> {
        LogKind::parse(s)
    }
}

impl Part for LessonItem {
    fn put(&self) -> String {
        self.id().into()
    }
    fn take(s: &str) -> Option<Self> {
        LessonItem::parse(s)
    }
}

impl Part for BoardQuestion {
    fn put(&self) -> String {
        match self {
            BoardQuestion::VictimOfOutsideBreach => "victim",
            BoardQuestion::HarmedOutsiders => "harm",
        }
        .into()
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "victim" => Some(BoardQuestion::VictimOfOutsideBreach),
            "harm" => Some(BoardQuestion::HarmedOutsiders),
            _ => None,
        }
    }
}

impl Part for AppiQuestion {
    fn put(&self) -> String {
        self.id().into()
    }
    fn take(s: &str) -> Option<Self> {
        AppiQuestion::parse(s)
    }
}

impl Part for Stage {
    fn put(&self) -> String {
        match self {
            Stage::Preliminary => "p",
            Stage::Final => "f",
        }
        .into()
    }
    fn take(s: &str) -> Option<Self> {
        match s {
            "p" => Some(Stage::Preliminary),
            "f" => Some(Stage::Final),
            _ => None,
        }
    }
}

/// Declares [`CustomId`] with its encoder, parser and feature from one
/// table: `Variant(arg: Type, …) = "word" => Feature`.
macro_rules! custom_ids {
    ($( $(#[$doc:meta])* $variant:ident $( ( $($arg:ident : $ty:ty),* ) )? = $word:literal => $feature:ident, )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum CustomId {
            $( $(#[$doc])* $variant $( ( $($ty),* ) )?, )*
        }

        impl CustomId {
            pub fn encode(&self) -> String {
                match self {
                    $( CustomId::$variant $( ( $($arg),* ) )? => {
                        #[allow(unused_mut)]
                        let mut out = format!("{PREFIX}:{}", $word);
                        $( $( out.push(':'); out.push_str(&Part::put($arg)); )* )?
                        out
                    } )*
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
                let word = parts.next()?;
                #[allow(unused_mut)]
                let mut args = parts;
                let id = match word {
                    $( $word => {
                        $( $( let $arg = <$ty as Part>::take(args.next()?)?; )* )?
                        CustomId::$variant $( ( $($arg),* ) )?
                    } )*
                    _ => return None,
                };
                // Exactly as many arguments as the table says.
                match args.next() {
                    None => Some(id),
                    Some(_) => None,
                }
            }

            /// The folder of `discord/` that handles this id.
            pub fn feature(&self) -> Feature {
                match self {
                    $( CustomId::$variant { .. } => Feature::$feature, )*
                }
            }

            /// Every action word, for the fuzzer's dictionary and tests.
            pub const WORDS: &'static [&'static str] = &[$( $word ),*];
        }
    };
}

custom_ids! {
    /// The /report modal, with the options chosen on the command.
    ReportModal(category: Category, kind: Option<SubKind>, confidential: Confidential) = "report" => Report,
    /// §4.2: a report the committee files for someone (no `member`: a
    /// person outside the server, named in the form).
    ReportForModal(category: Category, kind: Option<SubKind>, confidential: Confidential, via: Via, member: Option<crate::domain::UserId>) = "reportfor" => Report,
    TakeCommand(incident: IncidentId) = "take" => Incident,
    /// §4.2: the committee has the report (確認しました); "ack" is a
    /// reminder's.
    AcknowledgeIncident(incident: IncidentId) = "iack" => Incident,
    /// The user select that appoints a commander.
    Appoint(incident: IncidentId) = "appoint" => Incident,
    /// The user select that hands command to someone else (§4.1(1)).
    HandOver(incident: IncidentId) = "handover" => Incident,
    Advance(incident: IncidentId) = "advance" => Incident,
    /// §4.1(1) 終了の契機: close, the end trigger met or not.
    Close(incident: IncidentId, met: bool) = "close" => Incident,
    /// Advance once the person agreed to skip the unticked items.
    AdvanceAnyway(incident: IncidentId) = "advance!" => Incident,
    /// The select that ticks checklist items.
    Checklist(incident: IncidentId) = "tick" => Incident,
    /// A button opening the modal for a §4.3 record, and that modal.
    LogButton(incident: IncidentId, kind: LogKind) = "log" => Incident,
    LogModal(incident: IncidentId, kind: LogKind) = "logm" => Incident,
    DismissButton(incident: IncidentId) = "dismiss" => Incident,
    DismissModal(incident: IncidentId) = "dismissm" => Incident,
    DuplicateButton(incident: IncidentId) = "dup" => Incident,
    /// §4.2: the committee classifies an unsure report (select, then the
    /// reason's modal).
    ClassifySelect(incident: IncidentId) = "classify" => Incident,
    ClassifyModal(incident: IncidentId, category: Category, kind: Option<SubKind>) = "classifym" => Incident,
    /// §4.1(1): the playbook in hand, shown again.
    PlaybookButton(incident: IncidentId) = "playbook" => Incident,
    /// §4.3: the committee waives one of the three records (select, modal).
    WaiveRecordSelect(incident: IncidentId) = "waiverec" => Incident,
    WaiveRecordModal(incident: IncidentId, kind: LogKind) = "waiverecm" => Incident,
    DuplicateModal(incident: IncidentId) = "dupm" => Incident,
    /// A scheduled reminder's buttons (the id is the reminder's).
    Acknowledge(reminder: i64) = "ack" => Reminders,
    StartDrill(reminder: i64) = "drillnow" => Reminders,
    /// §9: the yearly review's outcome (reminder id).
    ReviewModal(reminder: i64) = "reviewm" => Reminders,
    /// A playbook-improvement note (§4.4(4)), and its modal.
    NoteButton(incident: IncidentId) = "note" => Lessons,
    NoteModal(incident: IncidentId) = "notem" => Lessons,
    /// §4.4: the plan, the board questions, waivers, the announcement.
    PlanButton(incident: IncidentId) = "plan" => Lessons,
    PlanModal(incident: IncidentId) = "planm" => Lessons,
    Board(incident: IncidentId, question: BoardQuestion, yes: bool) = "board" => Lessons,
    WaiveSelect(incident: IncidentId) = "waive" => Lessons,
    WaiveModal(incident: IncidentId, item: LessonItem) = "waivem" => Lessons,
    Read(incident: IncidentId) = "read" => Lessons,
    /// §4.4(1): the committee approves the commander's plan.
    ApprovePlan(incident: IncidentId) = "approve" => Lessons,
    /// §4.4(1): 情報システム部 signs off the plan's revision it was shown.
    SignOff(incident: IncidentId, revision: i64) = "signoff" => Lessons,
    /// §4.4(2): the committee records that the board was told.
    BoardTold(incident: IncidentId) = "boardtold" => Lessons,
    /// Its form: the day the board met and what it decided or instructed.
    BoardToldModal(incident: IncidentId) = "boardtoldm" => Lessons,
    /// A follow-up action (its number) is done.
    FollowUpDone(incident: IncidentId, n: i64) = "fudone" => Lessons,
    Readers(incident: IncidentId) = "readers" => Lessons,
    /// §6/§9: the committee decides a request (id), and the reason modal.
    Decide(request: i64, yes: bool) = "decide" => Requests,
    DecideModal(request: i64, yes: bool) = "decidem" => Requests,
    /// §6/§9: the request forms.
    ExceptionModal = "exceptionm" => Requests,
    AmendModal = "amendm" => Requests,
    /// The triage post's selects (the chosen value is the held report's
    /// incident id): open its channel, merge it into another, dismiss it.
    TriageOpen = "triageopen" => Report,
    TriageMerge = "triagemerge" => Report,
    TriageDismiss = "triagedismiss" => Report,
    /// The confidential reporter adds information, from their DM.
    AddInfo(incident: IncidentId) = "addinfo" => Report,
    AddInfoModal(incident: IncidentId) = "addinfom" => Report,
    /// APPI Art. 26: a question answered, a report filed.
    Appi(incident: IncidentId, question: AppiQuestion, yes: bool) = "appi" => Appi,
    AppiFiled(incident: IncidentId, stage: Stage) = "appifiled" => Appi,
    /// §4.2: what the analysis found, its form, and the committee's waiver.
    FindingsButton(incident: IncidentId) = "findings" => Findings,
    FindingsModal(incident: IncidentId) = "findingsm" => Findings,
    WaiveFindings(incident: IncidentId) = "waivefind" => Findings,
    WaiveFindingsModal(incident: IncidentId) = "waivefindm" => Findings,
}

impl CustomId {
    /// Ids that name a modal (they arrive as submissions, never as clicks).
    pub fn is_modal(&self) -> bool {
        use CustomId::*;
        matches!(
            self,
            ReportModal(..)
                | ReportForModal(..)
                | LogModal(..)
                | DismissModal(_)
                | DuplicateModal(_)
                | ReviewModal(_)
                | NoteModal(_)
                | PlanModal(_)
                | BoardToldModal(_)
                | WaiveModal(..)
                | WaiveRecordModal(..)
                | ClassifyModal(..)
                | DecideModal(..)
                | ExceptionModal
                | AmendModal
                | AddInfoModal(_)
                | FindingsModal(_)
                | WaiveFindingsModal(_)
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn all() -> Vec<CustomId> {
        let i = IncidentId(i64::MAX);
        let mut v = vec![
            CustomId::TakeCommand(i),
            CustomId::Appoint(i),
            CustomId::HandOver(i),
            CustomId::Advance(i),
            CustomId::AdvanceAnyway(i),
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
            CustomId::ApprovePlan(i),
            CustomId::SignOff(i, 4),
            CustomId::BoardTold(i),
            CustomId::BoardToldModal(i),
            CustomId::Close(i, true),
            CustomId::Close(i, false),
            CustomId::FindingsButton(i),
            CustomId::FindingsModal(i),
            CustomId::WaiveFindings(i),
            CustomId::WaiveFindingsModal(i),
            CustomId::FollowUpDone(i, 12),
            CustomId::Decide(3, true),
            CustomId::DecideModal(3, false),
            CustomId::ExceptionModal,
            CustomId::TriageOpen,
            CustomId::TriageMerge,
            CustomId::TriageDismiss,
            CustomId::AmendModal,
            CustomId::ReviewModal(4),
            CustomId::AddInfo(i),
            CustomId::AddInfoModal(i),
            CustomId::Appi(i, AppiQuestion::OverThousand, true),
            CustomId::AppiFiled(i, Stage::Final),
            CustomId::AppiFiled(i, Stage::Preliminary),
        ];
        v.push(CustomId::WaiveRecordSelect(i));
        v.push(CustomId::ClassifySelect(i));
        v.push(CustomId::PlaybookButton(i));
        v.push(CustomId::ClassifyModal(i, Category::Unsure, None));
        v.push(CustomId::ClassifyModal(i, Category::Breach, Some(SubKind::InsiderLeak)));
        for k in LogKind::ALL {
            v.push(CustomId::WaiveRecordModal(i, k));
            v.push(CustomId::LogButton(i, k));
            v.push(CustomId::LogModal(i, k));
        }
        for c in Category::ALL {
            v.push(CustomId::ReportModal(c, None, Confidential(true)));
            v.push(CustomId::ReportForModal(c, None, Confidential(false), Via::InPerson, None));
            v.push(CustomId::ReportForModal(c, None, Confidential(true), Via::Phone, Some(crate::domain::UserId(3001))));
        }
        for k in SubKind::ALL {
            v.push(CustomId::ReportModal(k.category(), Some(k), Confidential(false)));
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

    /// Buttons already posted in Discord carry ids written by earlier
    /// versions: these must keep meaning what they meant.
    #[test]
    fn ids_written_by_earlier_versions_still_parse() {
        let i = IncidentId(42);
        for (text, id) in [
            ("hk1:report:breach:-:1", CustomId::ReportModal(Category::Breach, None, Confidential(true))),
            ("hk1:take:42", CustomId::TakeCommand(i)),
            ("hk1:advance:42", CustomId::Advance(i)),
            ("hk1:advance!:42", CustomId::AdvanceAnyway(i)),
            ("hk1:tick:42", CustomId::Checklist(i)),
            ("hk1:board:42:victim:y", CustomId::Board(i, BoardQuestion::VictimOfOutsideBreach, true)),
            ("hk1:board:42:harm:n", CustomId::Board(i, BoardQuestion::HarmedOutsiders, false)),
            ("hk1:decidem:3:n", CustomId::DecideModal(3, false)),
            ("hk1:exceptionm", CustomId::ExceptionModal),
            ("hk1:appifiled:42:p", CustomId::AppiFiled(i, Stage::Preliminary)),
            ("hk1:ack:7", CustomId::Acknowledge(7)),
        ] {
            assert_eq!(CustomId::parse(text), Some(id), "{text}");
            assert_eq!(id.encode(), text);
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
            "hk1:exceptionm:1",
            "hk1:board:5:victim:yes",
        ] {
            assert_eq!(CustomId::parse(bad), None, "{bad:?} accepted");
        }
        assert_eq!(CustomId::parse(&format!("hk1:take:{}", "1".repeat(200))), None);
    }

    #[test]
    fn every_word_is_declared_once() {
        let mut words = CustomId::WORDS.to_vec();
        words.sort_unstable();
        let n = words.len();
        words.dedup();
        assert_eq!(words.len(), n);
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
            for id in [CustomId::TakeCommand(i), CustomId::Advance(i), CustomId::LogModal(i, LogKind::Status), CustomId::Decide(n, yes)] {
                prop_assert_eq!(CustomId::parse(&id.encode()), Some(id));
            }
        }
    }
}
