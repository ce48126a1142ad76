//! §4.1(3) 検知: alerts from monitoring, stored before any answer (a 2xx
//! means stored; a monitoring system that saw a 5xx sends again and nothing
//! is lost or doubled). One incident per problem: an alert whose fingerprint
//! belongs to an open incident is appended to it; the alerts of one
//! notification that belong to none open one incident together.

use super::report::open_incident;
use super::{core::Core, ServiceError};
use crate::config::Settings;
use crate::domain::alert::{self, Alert, Batch, Status};
use crate::domain::incident::{NewIncident, Noticed};
use crate::domain::{Actor, Category, IncidentId, IncidentNumber, UserId};
use crate::store::WriteTx;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Alerts {
    core: Core,
}

impl Alerts {
    pub(super) fn new(core: Core) -> Self {
        Alerts { core }
    }
}

/// What one notification did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// The incident the notification's new alerts opened, if any.
    pub opened: Option<IncidentNumber>,
    /// Alerts appended to incidents already open (repeats, resolutions).
    pub appended: usize,
    /// Resolutions of alerts no open incident knows: noted nowhere.
    pub ignored: usize,
}

impl Alerts {
    pub async fn receive(&self, batch: &Batch) -> Result<Received, ServiceError> {
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let mut out = Received::default();
        let mut fresh: Vec<&Alert> = vec![];
        // One notification's alerts, by the open incident they join.
        let mut joining: BTreeMap<IncidentId, Vec<(&Alert, bool)>> = BTreeMap::new();
        for a in &batch.alerts {
            match tx.incident_of_alert(&a.fingerprint).await? {
                Some(id) => {
                    tx.link_alert(&a.fingerprint, id, a.status == Status::Resolved, now).await?;
                    joining.entry(id).or_default().push((a, a.status == Status::Firing));
                    out.appended += 1;
                }
                // A resolution of something no open incident holds (closed
                // already, or never seen): nothing to open.
                None if a.status == Status::Resolved => out.ignored += 1,
                None => fresh.push(a),
            }
        }
        for (id, alerts) in &joining {
            let incident = tx.incident(*id).await?;
            tx.record(Some(*id), Actor::System, now, &incident.alerts(alerts)).await?;
        }
        if !fresh.is_empty() {
            out.opened = Some(self.open(&mut tx, &fresh, now).await?);
        }
        tx.commit().await?;
        if let Some(n) = out.opened {
            tracing::info!(incident = %n, alerts = fresh.len(), "incident opened by monitoring");
        }
        Ok(out)
    }

    /// The alerts of one notification that no open incident holds open one
    /// incident together.
    async fn open(&self, tx: &mut WriteTx, fresh: &[&Alert], now: DateTime<Utc>) -> Result<IncidentNumber, ServiceError> {
        let settings = &self.core.settings;
        let number = tx.next_number(false, now, settings.organisation.tz).await?;
        let id = tx.reserve_incident_ids(1).await?.remove(0);
        let source_key = format!("alert:{}:{}", fresh[0].fingerprint, now.timestamp_millis());
        let incident = open_incident(tx, id, new_incident(settings, fresh, number, now), &source_key, now, |_| {}).await?;
        for a in fresh {
            tx.link_alert(&a.fingerprint, id, false, now).await?;
        }
        let alerts: Vec<(&Alert, bool)> = fresh.iter().map(|a| (*a, false)).collect();
        tx.record(Some(id), Actor::System, now, &incident.alerts(&alerts)).await?;
        Ok(number)
    }
}

/// The incident alerts open: classified by the first alert's rule (§4.1(3)),
/// titled by it, described by all of them.
fn new_incident(settings: &Settings, fresh: &[&Alert], number: IncidentNumber, now: DateTime<Utc>) -> NewIncident {
    let first = fresh[0];
    let rule = alert::classify(&settings.intake_rules, first);
    let (category, kind) = rule.map_or((Category::Unsure, None), |r| (r.category, r.kind));
    let affected: Vec<_> = rule.map(|r| r.systems.iter().map(|s| settings.systems.resolve(&s.0)).collect()).unwrap_or_default();
    let named: Vec<_> = affected.iter().filter_map(|a: &crate::domain::AffectedSystem| a.system.clone()).collect();
    let title = match fresh.len() - 1 {
        0 => first.title.clone(),
        n => format!("{} (+{n})", first.title),
    };
    let description = fresh
        .iter()
        .map(|a| {
            let labels = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
            format!("[{}] {}\n{}\n{labels}", a.source.name(), a.title, a.description).trim().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    NewIncident {
        number,
        category,
        kind,
        title,
        description: description.chars().take(4000).collect(),
        noticed: Noticed { text: first.source.name().to_string(), at: now, understood: true },
        impact: String::new(),
        affected,
        reporter: UserId::MONITORING,
        playbook: settings.playbooks.suggest(category, kind, &named).map(|p| p.id.clone()),
        confidential: false,
        taken: None,
    }
}
