//! §4.2 被害の特定・原因の分析: what the analysis found — the damage and
//! its cause — recorded before containment starts (§4.4(1) plans
//! 調査結果をもとに, from these findings), or the committee's waiver with
//! a reason.

use super::{check, Incident, IncidentError, Outcome};
use crate::domain::event::EventPayload;
use crate::domain::ids::UserId;
use crate::domain::permission::{Action, RoleSet};
use crate::domain::phase::Phase;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The analysis's findings as last recorded (a revision replaces them;
/// each is in the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub damage: String,
    pub cause: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// The committee let containment start without findings, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsWaiver {
    pub reason: String,
    pub by: UserId,
}

/// The longest a finding may be (a modal's paragraph).
pub const MAX_FINDING: usize = 2000;

impl Incident {
    /// §4.2: the findings, from the analysis on (they may be revised as
    /// more is learnt), by whoever works the incident under the commander.
    pub fn record_findings(
        &mut self,
        by: UserId,
        roles: &RoleSet,
        damage: &str,
        cause: &str,
        now: DateTime<Utc>,
    ) -> Result<Outcome, IncidentError> {
        check(Action::RecordFindings, roles)?;
        self.open_phase()?;
        if self.phase < Phase::Analysis {
            return Err(IncidentError::FindingsTooEarly);
        }
        let (damage, cause) = (damage.trim(), cause.trim());
        if damage.is_empty() || cause.is_empty() {
            return Err(IncidentError::FindingsEmpty);
        }
        if damage.chars().count() > MAX_FINDING || cause.chars().count() > MAX_FINDING {
            return Err(IncidentError::FindingsTooLong(MAX_FINDING));
        }
        self.findings = Some(Findings { damage: damage.to_string(), cause: cause.to_string(), by, at: now });
        let event = EventPayload::FindingsRecorded { damage: damage.to_string(), cause: cause.to_string() };
        Ok(Outcome::default().with(event).refreshed(self.id))
    }

    /// The committee lets containment start without findings (an outage
    /// to stop first), with a reason.
    pub fn waive_findings(&mut self, by: UserId, roles: &RoleSet, reason: &str) -> Result<Outcome, IncidentError> {
        check(Action::Dismiss, roles)?;
        self.open_phase()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(IncidentError::ReasonRequired);
        }
        self.findings_waiver = Some(FindingsWaiver { reason: reason.to_string(), by });
        Ok(Outcome::default().with(EventPayload::FindingsWaived { reason: reason.to_string() }).refreshed(self.id))
    }

    /// Containment needs the findings or their waiver.
    pub(super) fn findings_missing(&self) -> bool {
        self.findings.is_none() && self.findings_waiver.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::incident::tests::{committee, incident, now};
    use crate::domain::permission::Role;

    fn commander() -> RoleSet {
        RoleSet { commander: true, ..Default::default() }
    }

    #[test]
    fn containment_waits_for_the_findings_or_the_committees_waiver() {
        let mut i = incident(true);
        i.commander = Some(UserId(5));
        assert_eq!(i.record_findings(UserId(5), &commander(), "d", "c", now()), Err(IncidentError::FindingsTooEarly));
        i.advance(UserId(5), &commander(), None, true, &[], now()).unwrap();
        assert_eq!(i.phase, Phase::Analysis);
        assert_eq!(i.advance(UserId(5), &commander(), None, true, &[], now()), Err(IncidentError::FindingsMissing));
        let member = RoleSet { reporter: true, ..Default::default() };
        assert_eq!(
            i.record_findings(UserId(9), &member, "d", "c", now()),
            Err(IncidentError::NotAllowed(Action::RecordFindings.allowed_roles()))
        );
        assert_eq!(i.record_findings(UserId(5), &commander(), " ", "c", now()), Err(IncidentError::FindingsEmpty));
        assert_eq!(i.record_findings(UserId(5), &commander(), "d", "", now()), Err(IncidentError::FindingsEmpty));
        let long = "x".repeat(MAX_FINDING + 1);
        assert_eq!(i.record_findings(UserId(5), &commander(), &long, "c", now()), Err(IncidentError::FindingsTooLong(MAX_FINDING)));
        assert_eq!(i.record_findings(UserId(5), &commander(), "d", &long, now()), Err(IncidentError::FindingsTooLong(MAX_FINDING)));
        let full = "x".repeat(MAX_FINDING);
        assert!(i.clone().record_findings(UserId(5), &commander(), &full, &full, now()).is_ok(), "the limit itself fits");
        let out = i.record_findings(UserId(5), &commander(), " 共有フォルダ2日停止 ", "添付ファイル", now()).unwrap();
        assert!(matches!(&out.events[0], EventPayload::FindingsRecorded { damage, .. } if damage == "共有フォルダ2日停止"));
        assert!(i.advance(UserId(5), &commander(), None, true, &[], now()).is_ok());
        assert_eq!(i.phase, Phase::Containment);
    }

    #[test]
    fn only_the_committee_waives_the_findings_and_with_a_reason() {
        let mut i = incident(true);
        i.commander = Some(UserId(5));
        i.advance(UserId(5), &commander(), None, true, &[], now()).unwrap();
        assert_eq!(i.waive_findings(UserId(5), &commander(), "急ぐ"), Err(IncidentError::NotAllowed(&[Role::Committee])));
        assert_eq!(i.waive_findings(UserId(3), &committee(), "  "), Err(IncidentError::ReasonRequired));
        i.waive_findings(UserId(3), &committee(), "停止を先に止める").unwrap();
        assert!(i.advance(UserId(5), &commander(), None, true, &[], now()).is_ok());
    }
}
