//! Storms (§4.2 "one place"): many members report the same thing at once;
//! look-alike reports join the first one's incident, and the committee
//! can split one out again.

use super::{check, Incident, IncidentError, Merge, MergedReport, NewIncident, Outcome};
use crate::domain::effect::{Effect, Notice};
use crate::domain::event::EventPayload;
use crate::domain::ids::IncidentId;
use crate::domain::permission::{Action, RoleSet};
use chrono::{DateTime, Utc};

impl Incident {
    /// Many members report the same thing at once (the same phishing mail,
    /// the same outage): a report that looks like `self` — same kind and a
    /// shared known system, or the same text — arriving within the wave's
    /// window joins it instead of opening a channel.
    pub fn gathers(&self, new: &NewIncident, since: DateTime<Utc>) -> bool {
        let open = self.phase.is_open() && !self.held && !self.is_drill() && self.duplicate_of.is_none() && self.reported_at >= since;
        let same_kind = self.kind.is_some() && self.kind == new.kind && {
            let ours: Vec<_> = self.affected.iter().filter_map(|a| a.system.as_ref()).collect();
            new.affected.iter().filter_map(|a| a.system.as_ref()).any(|s| ours.contains(&s))
        };
        let same_text = !new.description.trim().is_empty() && self.description.trim() == new.description.trim();
        open && (same_kind || same_text)
    }

    /// §4.2 "one place": a report that arrived in `original`'s wave is stored
    /// as its own (numbered, closed as joined) and its reporter joins the
    /// original — a public one let in and named, a confidential one never
    /// (told by DM). One channel, one ping for the wave.
    pub fn open_in_wave(id: IncidentId, new: NewIncident, original: &mut Incident, now: DateTime<Utc>) -> (Incident, Merge) {
        let (mut incident, _) = Incident::open(id, new, now);
        // The first report's line and ping stand for the wave.
        incident.notice_owed = false;
        incident.duplicate_of = Some(original.id);
        incident.close(format!("joined {}", original.number), now);
        let reporter = incident.reporter;
        let mut duplicate = Outcome::default()
            .with(EventPayload::Reported { number: incident.number, title: incident.title.clone() })
            .with(EventPayload::MarkedDuplicate { original: original.id })
            .effect(Effect::RefreshStatusBoard);
        if incident.confidential {
            duplicate = duplicate.effect(Effect::TellReporter { incident: id });
        }
        let known = original.reporter == reporter || original.merged.iter().any(|m| m.reporter == reporter);
        let mut merged = Outcome::default();
        if !known {
            original.merged.push(MergedReport { number: incident.number, reporter, confidential: incident.confidential, wave: true });
            merged = merged.with(EventPayload::ReportMerged { duplicate: id, confidential: incident.confidential });
            merged = if incident.confidential {
                merged.effect(Effect::PostNotice { incident: original.id, notice: Notice::ConfidentialReportMerged })
            } else if original.responders.contains(&reporter) || original.commander == Some(reporter) {
                merged
            } else {
                merged.effect(Effect::GrantAccess { incident: original.id, user: reporter }).effect(Effect::PostNotice {
                    incident: original.id,
                    notice: Notice::DuplicateReporterJoined { user: reporter, duplicate: incident.number.to_string() },
                })
            };
            merged = merged.refreshed(original.id);
        }
        (incident, Merge { duplicate, original: merged })
    }

    /// The committee splits a report gathered into this wave out again:
    /// it becomes an incident of its own (channel, card, ping), and its
    /// reporter keeps access here only if otherwise entitled.
    pub fn split_out(&mut self, roles: &RoleSet, original: &mut Incident, now: DateTime<Utc>) -> Result<Merge, IncidentError> {
        check(Action::MarkDuplicate, roles)?;
        let Some(at) = original.merged.iter().position(|m| m.wave && m.number == self.number) else {
            return Err(IncidentError::NotInWave);
        };
        original.merged.remove(at);
        self.duplicate_of = None;
        self.phase = crate::domain::Phase::Reported;
        self.phase_since = now;
        self.closed_at = None;
        self.close_reason = None;
        self.notice_owed = true;
        let mine = Outcome::default()
            .with(EventPayload::SplitOut { from: original.id })
            .effect(Effect::CreateChannel { incident: self.id })
            .effect(Effect::PostCard { incident: self.id })
            .effect(Effect::CommitteeNotices)
            .effect(Effect::RefreshStatusBoard);
        let mut theirs = Outcome::default()
            .with(EventPayload::SplitOut { from: self.id })
            .effect(Effect::PostNotice { incident: original.id, notice: Notice::SplitOut { number: self.number.to_string() } });
        if !original.has_access(self.reporter) && !self.confidential {
            theirs = theirs.effect(Effect::RevokeAccess { incident: original.id, user: self.reporter });
        }
        Ok(Merge { duplicate: mine, original: theirs.refreshed(original.id) })
    }
}
