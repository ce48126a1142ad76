//! Issue 26 item 6: incident events to the organisation's other tools,
//! signed like the escalation's webhook. The body is a documented schema
//! (README, "Webhooks"): the number, whether a drill, the category, the
//! priority, the phase, the committee's public title if set, a link — no
//! reporter, no text a member wrote.

use super::OutsideEffects;
use crate::domain::effect::OutboxItem;
use crate::domain::webhooks::ToolEvent;
use crate::domain::IncidentId;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serde_json::json;

impl OutsideEffects {
    pub(super) async fn tools(&self, item: &OutboxItem, id: IncidentId, what: ToolEvent) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let Some(url) = &s.outside.events_url else { return Ok(Delivered::Done) };
        let i = self.app.incidents().get(id).await?;
        let incident = json!({
            "number": i.number.to_string(),
            "drill": i.is_drill(),
            "category": i.category.id(),
            "priority": i.priority().map(|p| p.level()),
            "phase": i.phase.id(),
            "public_title": i.public_title,
            "reported_at": i.reported_at,
            "link": super::channel_link(&i, s),
        });
        let body = json!({"type": what.name(), "event": what, "incident": incident, "sent_at": self.app.clock.now()}).to_string();
        self.signed(url, item, body).await?;
        Ok(Delivered::Done)
    }
}
