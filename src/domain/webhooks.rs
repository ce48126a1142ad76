//! Issue 26 item 6: the organisation's other tools (a ticket system, a
//! chat, a dashboard) hear of an incident's life — opened, each phase, its
//! end, the prevention plan approved — by a signed webhook. Only these
//! facts leave: never who reported it, never what anyone wrote.

use super::event::EventPayload;
use super::phase::Phase;
use serde::{Deserialize, Serialize};

/// What a tool hears of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolEvent {
    Opened,
    PhaseChanged {
        from: Phase,
        to: Phase,
    },
    /// Closed: at the end of its phases, as not an incident, or as a
    /// duplicate of another.
    Closed {
        how: Closing,
    },
    PlanApproved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    Completed,
    Dismissed,
    Duplicate,
}

impl ToolEvent {
    /// The `type` of the webhook's body (the README documents each).
    pub fn name(self) -> &'static str {
        match self {
            ToolEvent::Opened => "incident.opened",
            ToolEvent::PhaseChanged { .. } => "incident.phase_changed",
            ToolEvent::Closed { .. } => "incident.closed",
            ToolEvent::PlanApproved => "incident.plan_approved",
        }
    }
}

/// What the tools hear of, from the events an operation recorded.
pub fn from_events(events: &[EventPayload]) -> Vec<ToolEvent> {
    let mut out = vec![];
    for e in events {
        match e {
            EventPayload::Reported { .. } => out.push(ToolEvent::Opened),
            EventPayload::PhaseAdvanced { from, to, .. } => {
                out.push(ToolEvent::PhaseChanged { from: *from, to: *to });
                if *to == Phase::Closed {
                    out.push(ToolEvent::Closed { how: Closing::Completed });
                }
            }
            EventPayload::Dismissed { .. } => out.push(ToolEvent::Closed { how: Closing::Dismissed }),
            EventPayload::MarkedDuplicate { .. } => out.push(ToolEvent::Closed { how: Closing::Duplicate }),
            EventPayload::PlanApproved { .. } => out.push(ToolEvent::PlanApproved),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{IncidentNumber, UserId};

    #[test]
    fn the_tools_hear_of_the_life_of_an_incident_and_nothing_else() {
        let number = IncidentNumber { drill: false, year: 2026, seq: 1 };
        let events = vec![
            EventPayload::Reported { number, title: "secret".into() },
            EventPayload::Acknowledged { by: UserId(2) },
            EventPayload::PhaseAdvanced { from: Phase::Lessons, to: Phase::Closed, skipped: vec![] },
        ];
        assert_eq!(
            from_events(&events),
            vec![
                ToolEvent::Opened,
                ToolEvent::PhaseChanged { from: Phase::Lessons, to: Phase::Closed },
                ToolEvent::Closed { how: Closing::Completed }
            ]
        );
        assert_eq!(
            serde_json::to_value(ToolEvent::Closed { how: Closing::Dismissed }).unwrap(),
            serde_json::json!({"type": "closed", "how": "dismissed"})
        );
        assert_eq!(ToolEvent::PlanApproved.name(), "incident.plan_approved");
    }
}
