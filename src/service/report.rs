//! §4.2: a member reports an incident, or a suspected one, without delay.

use super::batch::{together_or_alone, WriteBatch};
use super::{core::Core, Caller, ServiceError};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::incident::{NewIncident, Outcome};
use crate::domain::report::{parse_noticed, Report, ReportDraft};
use crate::domain::{Actor, Effect, Incident, IncidentId, IncidentNumber, UserId};
use crate::store::{Store, WriteTx};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Reports {
    core: Core,
    /// Group commit: reports come in bursts.
    batch: Arc<super::batch::Batcher<ReportJob, Reported>>,
    /// Where reports held while the database is away are kept on disk.
    spool: Option<Arc<crate::held::Spool>>,
}

impl Reports {
    pub(super) fn new(core: Core) -> Self {
        let batch = Arc::new(super::batch::Batcher::new(writer(core.store.clone(), core.settings.clone(), core.clock.clone())));
        Reports { core, batch, spool: None }
    }

    pub(super) fn with_spool(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.spool = Some(Arc::new(crate::held::Spool::new(dir)));
        self
    }
}

/// Where the reporter's first reply can be edited to carry the channel
/// link once it exists (a Discord interaction's webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHandle {
    pub application_id: u64,
    pub token: String,
    /// When the interaction was received: its token lives 15 minutes.
    pub asked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The stored incident, and whether this call created it (a retried
/// delivery of the same interaction finds the first one).
#[derive(Debug, Clone)]
pub struct Reported {
    pub incident: Incident,
    pub created: bool,
    /// The incident this report joined, where it arrived in a wave.
    pub joined: Option<IncidentNumber>,
}

/// One report waiting to be stored (already checked).
#[derive(Debug, Clone)]
pub(super) struct ReportJob {
    report: Report,
    reporter: UserId,
    /// §4.2: filed by the committee for the reporter.
    taken: Option<crate::domain::proxy::Taken>,
    /// The committee is never held by the flood guard.
    committee: bool,
    source_key: String,
    reply: Option<ReplyHandle>,
}

/// Where the triage post's message id is kept.
const TRIAGE_POST: &str = "triage_message";

/// Where the last triage ping's time is kept (the committee hears of held
/// reports at most once per `triage_ping_every`).
pub(super) const TRIAGE_PINGED: &str = "triage_pinged_at";

mod held;

impl Reports {
    /// §4.2: may `caller` file a report taken by phone or in person for
    /// someone else? (Asked before the form opens, and again on storing.)
    pub fn may_report_for(&self, caller: super::Caller) -> Result<(), ServiceError> {
        self.core.may_always(caller, crate::domain::Action::ReportFor)
    }

    /// Validates and stores a report, with its channel, card and pings queued
    /// in the same transaction. `source_key` makes it idempotent. Reports
    /// that arrive together are stored in one transaction (group commit);
    /// the answer comes once this one is committed.
    pub async fn report(
        &self,
        draft: &ReportDraft,
        caller: super::Caller,
        source_key: &str,
        reply: Option<ReplyHandle>,
    ) -> Result<Reported, ServiceError> {
        // Checked once, here: what is queued is a valid report.
        let report = draft.validate().map_err(ServiceError::Invalid)?;
        // §4.2: only the committee files a report for someone else.
        if report.proxy.is_some() {
            self.may_report_for(caller)?;
        }
        let reporter = report.proxy.as_ref().map_or(caller.user, |p| p.reporter(caller.user));
        let taken = report.proxy.as_ref().map(|p| p.taken(caller.user));
        let job = ReportJob { report, reporter, taken, committee: caller.committee, source_key: source_key.to_string(), reply };
        let reported = self.batch.submit(job).await?;
        // Logged here, in the caller's span (the interaction, the held
        // report's replay), not in the batch writer's task.
        if reported.created {
            tracing::info!(incident = %reported.incident.number, category = reported.incident.category.id(), "incident reported");
        }
        Ok(reported)
    }
}

/// What `/report status` shows a member: their latest reports and the
/// letters kept for them.
#[derive(Debug, Clone)]
pub struct MyReports {
    pub reports: Vec<crate::domain::Incident>,
    pub letters: Vec<crate::domain::letter::Letter>,
}

impl Reports {
    /// `/report status`: the caller's own reports and letters, never
    /// anyone else's (there is no one else to ask about).
    pub async fn my_reports(&self, caller: crate::domain::UserId) -> Result<MyReports, ServiceError> {
        Ok(MyReports { reports: self.core.store.reports_by(caller, 10).await?, letters: self.core.store.letters_for(caller, 5).await? })
    }
}

/// The group-commit writer of reports.
pub(super) fn writer(store: Store, settings: Arc<Settings>, clock: Arc<dyn Clock>) -> WriteBatch<ReportJob, Reported> {
    Arc::new(move |jobs| {
        let (store, settings, clock) = (store.clone(), settings.clone(), clock.clone());
        Box::pin(async move {
            together_or_alone(&jobs, |jobs| {
                let (store, settings, clock) = (&store, &settings, &clock);
                async move {
                    let now = clock.now();
                    let mut tx = store.begin().await?;
                    let out = store_reports(&mut tx, settings, now, jobs).await?;
                    tx.commit().await?;
                    Ok(out)
                }
            })
            .await
        })
    })
}

/// Stores a batch: the sources already seen and the new numbers are
/// fetched with one statement each, whatever the batch's size.
async fn store_reports(
    tx: &mut WriteTx,
    settings: &Settings,
    now: DateTime<Utc>,
    jobs: &[ReportJob],
) -> Result<Vec<Reported>, ServiceError> {
    let sources: Vec<&str> = jobs.iter().map(|j| j.source_key.as_str()).collect();
    let mut seen = tx.incidents_by_source(&sources).await?;
    let mut fresh: Vec<&str> = sources.iter().copied().filter(|s| !seen.contains_key(*s)).collect();
    fresh.sort_unstable();
    fresh.dedup();
    let mut numbers = tx.next_numbers(false, now, settings.organisation.tz, fresh.len()).await?.into_iter();
    let mut ids = tx.reserve_incident_ids(fresh.len()).await?.into_iter();
    let mut guard = FloodGuard::load(tx, settings, now, jobs).await?;
    // Waves: the open incidents a look-alike report would join, this
    // batch's new ones added as they open.
    let since = settings.reports.wave.map(|w| now - w);
    let mut waves = match since {
        Some(since) => tx.recent_open_incidents(since).await?,
        None => vec![],
    };
    let mut held_any = false;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        // The same interaction twice (a retried delivery) finds the first.
        if let Some(existing) = seen.get(&job.source_key) {
            out.push(Reported { incident: existing.clone(), created: false, joined: None });
            continue;
        }
        let (Some(number), Some(id)) = (numbers.next(), ids.next()) else {
            return Err(ServiceError::Internal("fewer numbers than reports"));
        };
        let new = new_incident(settings, now, job, number);
        if let Some(original) = since.and_then(|since| waves.iter_mut().find(|w| w.gathers(&new, since))) {
            let reported = join_wave(tx, now, job, id, new, original).await?;
            seen.insert(job.source_key.clone(), reported.incident.clone());
            out.push(reported);
            continue;
        }
        let held = guard.holds(job);
        held_any |= held;
        let reported = store_report(tx, now, job, id, new, held).await?;
        if !held {
            waves.push(reported.incident.clone());
        }
        seen.insert(job.source_key.clone(), reported.incident.clone());
        out.push(reported);
    }
    // One ping for held reports per window, whatever the flood's size.
    if held_any && tx.take_window(TRIAGE_PINGED, now, settings.reports.triage_ping_every).await? {
        tx.enqueue(&Effect::PingTriage, now).await?;
    }
    Ok(out)
}

/// The flood guard: each member's channels over the last hour, this
/// batch's included; past the limit a member's report is held (the
/// committee's never is).
struct FloodGuard {
    opened: std::collections::HashMap<UserId, usize>,
    limit: usize,
}

impl FloodGuard {
    async fn load(tx: &mut WriteTx, settings: &Settings, now: DateTime<Utc>, jobs: &[ReportJob]) -> Result<FloodGuard, ServiceError> {
        let mut reporters: Vec<UserId> = jobs.iter().filter(|j| !j.committee).map(|j| j.reporter).collect();
        reporters.sort_unstable_by_key(|u| u.0);
        reporters.dedup();
        let opened = tx.channels_opened_since(&reporters, now - chrono::Duration::hours(1)).await?;
        Ok(FloodGuard { opened, limit: settings.reports.channels_per_member_per_hour })
    }

    /// Whether this report is held; a report let through counts.
    fn holds(&mut self, job: &ReportJob) -> bool {
        let count = self.opened.entry(job.reporter).or_default();
        let held = !job.committee && *count >= self.limit;
        if !held {
            *count += 1;
        }
        held
    }
}

fn new_incident(settings: &Settings, now: DateTime<Utc>, job: &ReportJob, number: IncidentNumber) -> NewIncident {
    let r = &job.report;
    NewIncident {
        number,
        category: r.category,
        kind: r.kind,
        title: r.title.clone(),
        description: r.description.clone(),
        noticed: parse_noticed(&r.noticed, now, settings.organisation.tz),
        impact: r.impact.clone(),
        affected: r.systems.iter().map(|n| settings.systems.resolve(n)).collect(),
        reporter: job.reporter,
        playbook: {
            let named: Vec<_> = r.systems.iter().filter_map(|n| settings.systems.resolve(n).system).collect();
            settings.playbooks.suggest(r.category, r.kind, &named).map(|p| p.id.clone())
        },
        confidential: r.confidential,
        taken: job.taken.clone(),
    }
}

/// A report in `original`'s wave: stored and numbered, its reporter joins
/// the original (the reply links to that channel); no channel, no ping.
async fn join_wave(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    job: &ReportJob,
    id: IncidentId,
    new: NewIncident,
    original: &mut Incident,
) -> Result<Reported, ServiceError> {
    let actor = Actor::User(job.reporter);
    let confidential = new.confidential;
    let (incident, merge) = Incident::open_in_wave(id, new, original, now);
    tx.insert_incident(&incident, Some(&job.source_key), now).await?;
    tx.record(Some(id), actor, now, &merge.duplicate).await?;
    let mut joined = original.deliverable(merge.original);
    if let Some(reply) = job.reply.clone().filter(|_| !confidential) {
        joined.effects.push(Effect::LinkReporter {
            incident: original.id,
            application_id: reply.application_id,
            token: reply.token,
            asked_at: reply.asked_at,
            reporter: Some(job.reporter),
        });
    }
    tx.save_incident(original, now).await?;
    tx.record(Some(original.id), actor, now, &joined).await?;
    tracing::info!(incident = %incident.number, joined = %original.number, "report gathered into a wave");
    Ok(Reported { incident, created: true, joined: Some(original.number) })
}

async fn store_report(
    tx: &mut WriteTx,
    now: DateTime<Utc>,
    job: &ReportJob,
    id: IncidentId,
    new: NewIncident,
    held: bool,
) -> Result<Reported, ServiceError> {
    let r = &job.report;
    if held {
        let (incident, outcome) = Incident::open_held(id, new, now);
        tx.insert_incident(&incident, Some(&job.source_key), now).await?;
        tx.record(Some(id), Actor::User(job.reporter), now, &outcome).await?;
        tracing::warn!(incident = %incident.number, "report held for triage: its reporter is past the hourly limit");
        return Ok(Reported { incident, created: true, joined: None });
    }
    // A confidential reporter cannot open the channel: no link for them.
    let link = job.reply.clone().filter(|_| !r.confidential);
    let incident = open_incident(tx, id, new, &job.source_key, now, |outcome| {
        if let Some(reply) = link {
            outcome.effects.push(Effect::LinkReporter {
                incident: id,
                application_id: reply.application_id,
                token: reply.token,
                asked_at: reply.asked_at,
                reporter: None,
            });
        }
    })
    .await?;
    Ok(Reported { incident, created: true, joined: None })
}

/// §4.2: one incident opened, written once with its events and effects —
/// the one path for reports and drills. `adjust` adds what only one of
/// them needs.
pub(super) async fn open_incident(
    tx: &mut WriteTx,
    id: IncidentId,
    new: NewIncident,
    source_key: &str,
    now: DateTime<Utc>,
    adjust: impl FnOnce(&mut Outcome),
) -> Result<Incident, ServiceError> {
    let actor = Actor::User(new.reporter);
    let (incident, mut outcome) = Incident::open(id, new, now);
    adjust(&mut outcome);
    tx.insert_incident(&incident, Some(source_key), now).await?;
    tx.record(Some(id), actor, now, &outcome).await?;
    Ok(incident)
}

impl Reports {
    /// Reports held by the flood guard, for the triage post.
    pub async fn held_reports(&self) -> Result<Vec<Incident>, ServiceError> {
        Ok(self.core.store.held_reports().await?)
    }

    /// Where the triage post was posted.
    pub async fn triage_message(&self) -> Result<Option<crate::domain::MessageId>, ServiceError> {
        Ok(self.core.store.get_state(TRIAGE_POST).await?.and_then(|v| v.parse().ok()).map(crate::domain::MessageId))
    }

    pub async fn remember_triage_message(&self, m: crate::domain::MessageId) -> Result<(), ServiceError> {
        Ok(self.core.store.set_state(TRIAGE_POST, &m.0.to_string()).await?)
    }

    /// The committee opens a held report's channel (the triage post).
    pub async fn release(&self, id: IncidentId, caller: Caller) -> Result<Incident, ServiceError> {
        self.core.act(id, caller, |i, _, _| i.release(&caller.roles(i))).await
    }

    /// Wakes when a report is held on disk (none without a spool).
    pub fn held_signal(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.spool.as_ref().map(|s| s.kept_signal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Category;

    async fn app(dir: &std::path::Path) -> (super::super::Hikeshi, Store) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let settings = Settings::load(&root.join("config/hikeshi.toml")).expect("shipped config");
        let store = crate::store::testing::fresh_sqlite(dir).await.expect("store");
        (super::super::Hikeshi::new(store.clone(), Arc::new(settings), Arc::new(crate::clock::SystemClock)), store)
    }

    fn draft(title: &str) -> ReportDraft {
        ReportDraft { category: Some(Category::Breach), title: title.into(), description: "x".into(), ..Default::default() }
    }

    #[tokio::test]
    async fn a_burst_gets_consecutive_numbers_and_a_repeated_interaction_finds_its_first_report() {
        let dir = tempfile::tempdir().unwrap();
        let (app, store) = app(dir.path()).await;
        let calls: Vec<_> = (0..30)
            .map(|n| {
                let app = app.clone();
                // Interactions 7 and 8 are the same one, delivered twice.
                let source = format!("interaction:{}", if n == 8 { 7 } else { n });
                tokio::spawn(async move {
                    let committee = super::super::Caller::member(UserId(1), true);
                    app.reports().report(&draft(&format!("r{n}")), committee, &source, None).await
                })
            })
            .collect();
        let mut results = vec![];
        for c in calls {
            results.push(c.await.unwrap().unwrap());
        }
        assert_eq!(results.iter().filter(|r| r.created).count(), 29);
        assert_eq!(results[7].incident.id, results[8].incident.id, "one incident for the repeated interaction");
        let mut seqs: Vec<u32> = results.iter().filter(|r| r.created).map(|r| r.incident.number.seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=29).collect::<Vec<_>>(), "no gaps, no repeats");
        assert_eq!(store.count_incidents().await.unwrap(), 29);
        assert!(store.verify().await.unwrap().is_ok());
    }
}
