//! §4.1(3) 検知: alerts from monitoring become incidents. Three shapes are
//! understood — Prometheus Alertmanager's webhook (version 4), Grafana's
//! webhook contact point, and hikeshi's own small schema — and each alert
//! is classified by the organisation's rules.

use super::category::{Category, SubKind};
use super::effect::Notice;
use super::ids::SystemId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Alertmanager,
    Grafana,
    Generic,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Alertmanager => "Alertmanager",
            Source::Grafana => "Grafana",
            Source::Generic => "monitoring",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Firing,
    Resolved,
}

/// One alert, whatever shape it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub source: Source,
    pub title: String,
    pub description: String,
    pub labels: BTreeMap<String, String>,
    /// The same problem keeps its fingerprint across notifications.
    pub fingerprint: String,
    pub status: Status,
    /// Where to look (Prometheus's graph, Grafana's panel): http(s) only.
    pub url: Option<String>,
}

/// Alerts that arrived together: one notification of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub alerts: Vec<Alert>,
}

/// What is wrong with a payload, said to the monitoring system (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not the expected JSON: {0}")]
    Json(String),
    #[error("`{0}` is required and empty")]
    Missing(&'static str),
    #[error("`status` must be \"firing\" or \"resolved\", not {0:?}")]
    Status(String),
    #[error("the payload holds no alert")]
    NoAlerts,
}
/// Longest title and description kept.
const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 3000;

fn status(s: &str) -> Result<Status, PayloadError> {
    match s {
        "firing" | "alerting" => Ok(Status::Firing),
        "resolved" | "ok" | "normal" => Ok(Status::Resolved),
        other => Err(PayloadError::Status(other.to_string())),
    }
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// Only plain web links are kept (no `javascript:`, no masked text).
fn web_link(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() <= 2000
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
    ok.then(|| s.to_string())
}

/// Alertmanager and Grafana send the same outline.
#[derive(Deserialize)]
struct GroupPayload {
    #[serde(default)]
    alerts: Vec<GroupAlert>,
}

#[derive(Deserialize)]
struct GroupAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    #[serde(default, rename = "panelURL")]
    panel_url: String,
    #[serde(default)]
    fingerprint: String,
}

/// Alertmanager's webhook (version 4) or Grafana's contact point.
pub fn parse_group(source: Source, body: &[u8]) -> Result<Batch, PayloadError> {
    let p: GroupPayload = serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    if p.alerts.is_empty() {
        return Err(PayloadError::NoAlerts);
    }
    let mut alerts = vec![];
    for a in p.alerts {
        if a.fingerprint.trim().is_empty() {
            return Err(PayloadError::Missing("alerts[].fingerprint"));
        }
        let name = a.labels.get("alertname").cloned().unwrap_or_default();
        let title = a.annotations.get("summary").cloned().filter(|s| !s.trim().is_empty()).unwrap_or(name);
        let description = a.annotations.get("description").cloned().unwrap_or_default();
        let url = web_link(&a.panel_url).or_else(|| web_link(&a.generator_url));
        alerts.push(Alert {
            source,
            title: clip(if title.trim().is_empty() { "alert" } else { &title }, MAX_TITLE),
            description: clip(&description, MAX_TEXT),
            labels: a.labels,
            fingerprint: clip(&a.fingerprint, 200),
            status: status(&a.status)?,
            url,
        });
    }
    Ok(Batch { alerts })
}

/// hikeshi's own schema (README: "Alert intake").
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericAlert {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    fingerprint: String,
    status: String,
    #[serde(default)]
    source_url: Option<String>,
}

pub fn parse_generic(body: &[u8]) -> Result<Batch, PayloadError> {
    let a: GenericAlert = serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    if a.title.trim().is_empty() {
        return Err(PayloadError::Missing("title"));
    }
    if a.fingerprint.trim().is_empty() {
        return Err(PayloadError::Missing("fingerprint"));
    }
    let mut labels = a.labels;
    if let Some(s) = a.severity {
        labels.entry("severity".into()).or_insert(s);
    }
    Ok(Batch {
        alerts: vec![Alert {
            source: Source::Generic,
            title: clip(&a.title, MAX_TITLE),
            description: clip(&a.description, MAX_TEXT),
            labels,
            fingerprint: clip(&a.fingerprint, 200),
            status: status(&a.status)?,
            url: a.source_url.as_deref().and_then(web_link),
        }],
    })
}

/// The notice one alert makes in its incident's channel.
pub fn notice(a: &Alert, repeated: bool) -> Notice {
    Notice::Alert {
        source: a.source.name().to_string(),
        title: a.title.clone(),
        url: a.url.clone(),
        resolved: a.status == Status::Resolved,
        repeated,
    }
}

/// Up to this many alerts of one notification are told one by one in an
/// incident's channel; more make one [`Summary`].
pub const SUMMARISE_ABOVE: usize = 5;
/// A summary shows this many alerts in full…
pub const SUMMARY_FIRST: usize = 3;
/// …and counts at most this many names (the rest as one "other" count),
/// so it fits one Discord message whatever monitoring sent.
pub const SUMMARY_NAMES: usize = 8;

/// A big notification as the channel reads it: how many fired, repeated
/// and resolved, the count of each alert name, and the first few alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub source: String,
    pub firing: usize,
    pub repeated: usize,
    pub resolved: usize,
    /// The most frequent names first, at most [`SUMMARY_NAMES`].
    pub names: Vec<(String, usize)>,
    /// Alerts whose names did not make the list.
    pub other_names: usize,
    pub first: Vec<(String, Option<String>)>,
}

impl Summary {
    /// `None` when the alerts are few enough to be told one by one.
    pub fn of(alerts: &[(&Alert, bool)]) -> Option<Summary> {
        let first_alert = alerts.first()?.0;
        if alerts.len() <= SUMMARISE_ABOVE {
            return None;
        }
        let resolved = alerts.iter().filter(|(a, _)| a.status == Status::Resolved).count();
        let repeated = alerts.iter().filter(|(a, r)| a.status == Status::Firing && *r).count();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (a, _) in alerts {
            *counts.entry(a.name()).or_default() += 1;
        }
        let mut names: Vec<(String, usize)> = counts.into_iter().map(|(n, c)| (clip(n, 60), c)).collect();
        // Most frequent first; names in order among equals (the map's).
        names.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
        let other_names = names.iter().skip(SUMMARY_NAMES).map(|(_, c)| c).sum();
        names.truncate(SUMMARY_NAMES);
        Some(Summary {
            source: first_alert.source.name().to_string(),
            firing: alerts.len() - resolved - repeated,
            repeated,
            resolved,
            names,
            other_names,
            first: alerts
                .iter()
                .take(SUMMARY_FIRST)
                .map(|(a, _)| (clip(&a.title, 120), a.url.clone().filter(|u| u.chars().count() <= 200)))
                .collect(),
        })
    }

    pub fn total(&self) -> usize {
        self.firing + self.repeated + self.resolved
    }
}

impl Alert {
    /// What monitoring calls it: `alertname`, else its title.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map(String::as_str).filter(|n| !n.trim().is_empty()).unwrap_or(&self.title)
    }
}

/// `[[intake.rules]]`: alerts whose labels include every `labels` pair are
/// this category, kind and systems. The first rule that matches decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub labels: BTreeMap<String, String>,
    pub category: Category,
    pub kind: Option<SubKind>,
    pub systems: Vec<SystemId>,
}

impl Rule {
    pub fn matches(&self, alert: &Alert) -> bool {
        self.labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v))
    }
}

/// The rule for an alert; `None`: unsure, for the committee to classify.
pub fn classify<'a>(rules: &'a [Rule], alert: &Alert) -> Option<&'a Rule> {
    rules.iter().find(|r| r.matches(alert))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AM: &str = r#"{"version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","status":"firing","receiver":"hikeshi",
      "groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093",
      "alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"website","severity":"critical"},
      "annotations":{"summary":"5xx over 20%","description":"the website answers 5xx"},"startsAt":"2026-12-02T01:00:00Z",
      "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph?g0.expr=x","fingerprint":"c0ffee"}]}"#;

    #[test]
    fn an_alertmanager_payload_becomes_alerts_with_their_labels_and_link() {
        let b = parse_group(Source::Alertmanager, AM.as_bytes()).unwrap();
        let a = &b.alerts[0];
        assert_eq!((a.title.as_str(), a.fingerprint.as_str(), a.status), ("5xx over 20%", "c0ffee", Status::Firing));
        assert_eq!(a.labels["service"], "website");
        assert_eq!(a.url.as_deref(), Some("http://prometheus:9090/graph?g0.expr=x"));
    }

    #[test]
    fn malformed_payloads_say_what_is_wrong() {
        assert!(matches!(parse_group(Source::Grafana, b"{"), Err(PayloadError::Json(_))));
        assert_eq!(parse_group(Source::Grafana, br#"{"alerts":[]}"#), Err(PayloadError::NoAlerts));
        let no_fp = AM.replace(r#""fingerprint":"c0ffee""#, r#""fingerprint":"""#);
        assert_eq!(parse_group(Source::Alertmanager, no_fp.as_bytes()), Err(PayloadError::Missing("alerts[].fingerprint")));
        let odd = AM.replace(r#""status":"firing","labels""#, r#""status":"maybe","labels""#);
        assert_eq!(parse_group(Source::Alertmanager, odd.as_bytes()), Err(PayloadError::Status("maybe".into())));
        assert!(matches!(parse_generic(br#"{"title":"x","fingerprint":"f","status":"firing","extra":1}"#), Err(PayloadError::Json(_))));
        assert_eq!(parse_generic(br#"{"title":" ","fingerprint":"f","status":"firing"}"#), Err(PayloadError::Missing("title")));
    }

    #[test]
    fn only_web_links_are_kept() {
        let b =
            parse_generic(br#"{"title":"x","fingerprint":"f","status":"resolved","source_url":"javascript:alert(1)","severity":"high"}"#)
                .unwrap();
        assert_eq!((b.alerts[0].url.clone(), b.alerts[0].status), (None, Status::Resolved));
        assert_eq!(b.alerts[0].labels["severity"], "high");
    }

    #[test]
    fn the_first_rule_whose_labels_all_match_decides() {
        let a = parse_group(Source::Alertmanager, AM.as_bytes()).unwrap().alerts.remove(0);
        let rule = |pairs: &[(&str, &str)], kind| Rule {
            labels: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            category: Category::Breach,
            kind,
            systems: vec![],
        };
        let rules = [rule(&[("service", "website"), ("severity", "warning")], None), rule(&[("service", "website")], Some(SubKind::Dos))];
        assert_eq!(classify(&rules, &a).and_then(|r| r.kind), Some(SubKind::Dos));
        assert!(classify(&rules[..1], &a).is_none(), "no rule: unsure");
    }

    fn alert(n: usize, name: &str, status: Status, url: Option<&str>) -> Alert {
        let mut labels = BTreeMap::new();
        if !name.is_empty() {
            labels.insert("alertname".to_string(), name.to_string());
        }
        Alert {
            source: Source::Alertmanager,
            title: format!("title {n}"),
            description: String::new(),
            labels,
            fingerprint: format!("fp{n}"),
            status,
            url: url.map(str::to_string),
        }
    }

    #[test]
    fn a_few_alerts_are_told_one_by_one_and_more_make_one_summary() {
        let alerts: Vec<Alert> = (0..SUMMARISE_ABOVE + 1).map(|n| alert(n, "Down", Status::Firing, None)).collect();
        let pairs: Vec<(&Alert, bool)> = alerts.iter().map(|a| (a, false)).collect();
        assert_eq!(Summary::of(&pairs[..SUMMARISE_ABOVE]), None);
        assert_eq!(Summary::of(&[]), None);
        let s = Summary::of(&pairs).unwrap();
        assert_eq!((s.firing, s.repeated, s.resolved, s.total()), (SUMMARISE_ABOVE + 1, 0, 0, SUMMARISE_ABOVE + 1));
        assert_eq!(s.source, "Alertmanager");
    }

    #[test]
    fn a_summary_counts_states_and_names_and_shows_the_first_alerts() {
        let long = format!("https://grafana.example/{}", "x".repeat(200));
        let mut alerts = vec![
            alert(0, "A", Status::Firing, Some("https://p.example/0")),
            alert(1, "B", Status::Resolved, Some(&long)),
            alert(2, "", Status::Firing, None),
        ];
        // Eleven names: B four times, C three, D to L once each.
        alerts.extend((3..6).map(|n| alert(n, "B", Status::Firing, None)));
        alerts.extend((6..9).map(|n| alert(n, "C", Status::Resolved, None)));
        alerts.extend(["D", "E", "F", "G", "H", "I", "J", "K", "L"].iter().enumerate().map(|(n, x)| alert(9 + n, x, Status::Firing, None)));
        let pairs: Vec<(&Alert, bool)> = alerts.iter().enumerate().map(|(n, a)| (a, n % 2 == 0)).collect();
        let s = Summary::of(&pairs).unwrap();
        // Repeated: firing and seen before (even positions); resolved whatever was seen.
        let repeated = pairs.iter().filter(|(a, r)| *r && a.status == Status::Firing).count();
        assert_eq!((s.resolved, s.repeated, s.firing + s.repeated + s.resolved), (4, repeated, 18));
        assert_eq!(s.names[0], ("B".to_string(), 4));
        assert_eq!(s.names[1], ("C".to_string(), 3));
        assert_eq!(s.names.len(), SUMMARY_NAMES);
        // A nameless alert counts by its title.
        let counted: usize = s.names.iter().map(|(_, c)| c).sum::<usize>() + s.other_names;
        assert_eq!(counted, 18);
        assert!(s.other_names > 0);
        assert_eq!(s.first.len(), SUMMARY_FIRST);
        assert_eq!(s.first[0], ("title 0".to_string(), Some("https://p.example/0".to_string())));
        assert_eq!(s.first[1], ("title 1".to_string(), None), "a link too long to fit is left to the record");
        assert_eq!(alerts[2].name(), "title 2");
        assert_eq!(alerts[0].name(), "A");
    }

    #[test]
    fn a_group_of_any_size_is_accepted() {
        let one = r#"{"status":"firing","labels":{"alertname":"X"},"annotations":{},"fingerprint":"f"}"#;
        let body = format!("{{\"alerts\":[{}]}}", vec![one; 1000].join(","));
        assert_eq!(parse_group(Source::Alertmanager, body.as_bytes()).unwrap().alerts.len(), 1000);
    }
}
