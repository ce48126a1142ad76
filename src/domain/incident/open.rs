//! A report becomes an incident (§4.2), and monitoring's alerts join it
//! (§4.1(3)).

use super::*;

/// Everything about a new report that the reporter decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub number: IncidentNumber,
    pub category: Category,
    pub kind: Option<SubKind>,
    pub title: String,
    pub description: String,
    pub noticed: Noticed,
    pub impact: String,
    pub affected: Vec<AffectedSystem>,
    pub reporter: UserId,
    pub playbook: Option<PlaybookId>,
    pub confidential: bool,
    /// §4.2: taken by phone or in person, filed by the committee.
    pub taken: Option<crate::domain::proxy::Taken>,
}

impl Incident {
    /// §4.2: a report opens an incident; the channel, card and committee ping
    /// follow as effects.
    pub fn open(id: IncidentId, new: NewIncident, now: DateTime<Utc>) -> (Incident, Outcome) {
        let deadline = RecoveryDeadline::for_systems(new.noticed.at, new.affected.iter().filter_map(|a| a.priority));
        let incident = Incident {
            id,
            number: new.number,
            category: new.category,
            kind: new.kind,
            title: new.title,
            description: new.description,
            noticed: new.noticed,
            impact: new.impact,
            affected: new.affected,
            reporter: new.reporter,
            reported_at: now,
            playbook: new.playbook,
            commander: None,
            commander_since: None,
            phase: Phase::Reported,
            phase_since: now,
            deadline,
            channel: None,
            card_message: None,
            marks: vec![],
            responders: vec![],
            duplicate_of: None,
            close_reason: None,
            closed_at: None,
            lessons: Lessons::default(),
            confidential: new.confidential,
            appi: Default::default(),
            merged: vec![],
            public_title: None,
            held: false,
            record_waivers: vec![],
            findings: None,
            findings_waiver: None,
            taken: new.taken,
            organisation: vec![],
            end_trigger: None,
            outages: vec![],
            notice_owed: true,
            acknowledged: None,
        };
        let mut outcome = Outcome::default().with(EventPayload::Reported { number: incident.number, title: incident.title.clone() });
        if let Some(t) = &incident.taken {
            outcome = outcome.with(EventPayload::ReportTaken { by: t.by, via: t.via, outsider: t.outsider.clone() });
        }
        let outcome = outcome
            .effect(Effect::CreateChannel { incident: id })
            .effect(Effect::PostCard { incident: id })
            .effect(Effect::CommitteeNotices)
            .effect(Effect::RefreshStatusBoard);
        (incident, outcome)
    }

    /// §4.1(3) 検知: the alerts of one notification that belong to this
    /// open incident (their fingerprint did before, or they arrived in the
    /// same group), each with whether it was seen before. Every one is in
    /// the record; the channel reads one notice each with where it came
    /// from, or, past [`alert::SUMMARISE_ABOVE`], one summary (a monitoring
    /// group of 500 alerts is one message, not 500). A resolution is noted,
    /// never closes the incident (people do, §4.3).
    pub fn alerts(&self, alerts: &[(&Alert, bool)]) -> Outcome {
        let mut out = Outcome::default();
        for (a, _) in alerts {
            out = out.with(EventPayload::AlertReceived {
                source: a.source.name().to_string(),
                fingerprint: a.fingerprint.clone(),
                title: a.title.clone(),
                resolved: a.status == AlertStatus::Resolved,
            });
        }
        let notices = match alert::Summary::of(alerts) {
            Some(summary) => vec![Notice::Alerts(summary)],
            None => alerts.iter().map(|(a, repeated)| alert::notice(a, *repeated)).collect(),
        };
        for notice in notices {
            out = out.effect(Effect::PostNotice { incident: self.id, notice });
        }
        self.deliverable(out)
    }
}
