//! §4.2: a member reports an incident, or a suspected one, without delay.

use super::batch::{together_or_alone, WriteBatch};
use super::{Hikeshi, ServiceError};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::incident::NewIncident;
use crate::domain::report::{parse_noticed, ReportDraft};
use crate::domain::{Actor, Effect, Incident, UserId};
use crate::store::{Store, WriteTx};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Where the reporter's first reply can be edited to carry the channel
/// link once it exists (a Discord interaction's webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHandle {
    pub application_id: u64,
    pub token: String,
}

/// The stored incident, and whether this call created it (a retried
/// delivery of the same interaction finds the first one).
#[derive(Debug, Clone)]
pub struct Reported {
    pub incident: Incident,
    pub created: bool,
}

/// One report waiting to be stored (already checked).
#[derive(Debug, Clone)]
pub(super) struct ReportJob {
    draft: ReportDraft,
    reporter: UserId,
    source_key: String,
    reply: Option<ReplyHandle>,
}

impl Hikeshi {
    /// Validates and stores a report, with its channel, card and pings queued
    /// in the same transaction. `source_key` makes it idempotent. Reports
    /// that arrive together are stored in one transaction (group commit);
    /// the answer comes once this one is committed.
    pub async fn report(
        &self,
        draft: &ReportDraft,
        reporter: UserId,
        source_key: &str,
        reply: Option<ReplyHandle>,
    ) -> Result<Reported, ServiceError> {
        let problems = draft.problems();
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        draft.category.ok_or(ServiceError::NotFound("category"))?;
        self.reports.submit(ReportJob { draft: draft.clone(), reporter, source_key: source_key.to_string(), reply }).await
    }
}

/// The group-commit writer of reports.
pub(super) fn writer(store: Store, settings: Arc<Settings>, clock: Arc<dyn Clock>) -> WriteBatch<ReportJob, Reported> {
    Arc::new(move |jobs| {
        let (store, settings, clock) = (store.clone(), settings.clone(), clock.clone());
        Box::pin(async move {
            together_or_alone(jobs, |jobs| {
                let (store, settings, clock) = (&store, &settings, &clock);
                async move {
                    let now = clock.now();
                    let mut tx = store.begin().await?;
                    let mut out = Vec::with_capacity(jobs.len());
                    for job in &jobs {
                        out.push(store_report(&mut tx, settings, now, job).await?);
                    }
                    tx.commit().await?;
                    for r in out.iter().filter(|r| r.created) {
                        tracing::info!(incident = %r.incident.number, category = r.incident.category.id(), "incident reported");
                    }
                    Ok(out)
                }
            })
            .await
        })
    })
}

async fn store_report(tx: &mut WriteTx, settings: &Settings, now: DateTime<Utc>, job: &ReportJob) -> Result<Reported, ServiceError> {
    let draft = &job.draft;
    let category = draft.category.ok_or(ServiceError::NotFound("category"))?;
    let tz = settings.organisation.tz;
    if let Some(existing) = tx.incident_by_source(&job.source_key).await? {
        return Ok(Reported { incident: existing, created: false });
    }
    let number = tx.next_number(false, now, tz).await?;
    let id = tx.insert_incident(number, job.reporter, Some(&job.source_key), now).await?;
    let affected = draft.system_names().iter().map(|n| settings.systems.resolve(n)).collect();
    let playbook = settings.playbooks.matching(category, draft.kind).map(|p| p.id.clone());
    let new = NewIncident {
        number,
        category,
        kind: draft.kind,
        title: draft.title.trim().to_string(),
        description: draft.description.trim().to_string(),
        noticed: parse_noticed(&draft.noticed, now, tz),
        impact: draft.impact.trim().to_string(),
        affected,
        reporter: job.reporter,
        playbook,
        confidential: draft.confidential,
    };
    let (incident, mut outcome) = Incident::open(id, new, now);
    // A confidential reporter cannot open the channel: no link for them.
    if let Some(r) = job.reply.clone().filter(|_| !draft.confidential) {
        outcome.effects.push(Effect::LinkReporter { incident: id, application_id: r.application_id, token: r.token });
    }
    tx.save_incident(&incident, now).await?;
    tx.record(Some(id), Actor::User(job.reporter), now, &outcome).await?;
    Ok(Reported { incident, created: true })
}
