//! Issue 25: who can read each incident, against what its state allows.
//! The Discord adapter brings the facts (the server, a channel's
//! overwrites); every decision — who is let in, what is drift, whether to
//! put the overwrites back, who is told — is made here.

use super::{core::Core, Caller, ServiceError};
use crate::domain::access::{Allowed, Overwrite, Reader, Server};
use crate::domain::effect::Notice;
use crate::domain::{Action, Actor, ChannelId, Effect, EventPayload, Incident, IncidentId, UserId};

/// The readers an incident's state does not allow, as last seen, and
/// whether they were known by member (else by role).
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Seen {
    by_member: bool,
    outsiders: Vec<Reader>,
}

#[derive(Clone)]
pub struct Access {
    core: Core,
}

impl Access {
    pub(super) fn new(core: Core) -> Self {
        Access { core }
    }

    /// Every incident with a channel to watch, open or archived.
    pub async fn watched(&self) -> Result<Vec<(IncidentId, ChannelId)>, ServiceError> {
        Ok(self.core.store.incident_channels().await?)
    }

    fn readers_of(&self, i: &Incident, server: &Server, overwrites: &[Overwrite], bot: UserId) -> Vec<Reader> {
        let d = &self.core.settings.discord;
        let allowed = Allowed { incident: i, committee: d.committee_role, it_department: d.it_department_role, bot };
        server.readers(overwrites, &allowed)
    }

    /// `/incident access` (commander, committee): who reads this incident
    /// now, and why each.
    pub async fn readers(
        &self,
        caller: Caller,
        channel: ChannelId,
        server: &Server,
        overwrites: &[Overwrite],
        bot: UserId,
    ) -> Result<(Incident, Vec<Reader>), ServiceError> {
        let incident = self.core.incident_in_channel(channel).await?;
        let incident = self.core.may(incident.id, caller, Action::SeeAccess).await?;
        let readers = self.readers_of(&incident, server, overwrites, bot);
        Ok((incident, readers))
    }

    /// The watcher saw `overwrites` on incident `id`'s channel. A reader the
    /// state does not allow and was not seen before is news: an
    /// `access_changed` event, the overwrites put back when they let them
    /// in, the channel (its commander) and the committee told. The owner
    /// and Administrators first seen with the channel are where every
    /// channel starts (Discord cannot deny them), not news.
    pub async fn observe(&self, id: IncidentId, server: &Server, overwrites: &[Overwrite], bot: UserId) -> Result<(), ServiceError> {
        let incident = self.core.incident(id).await?;
        let outsiders: Vec<Reader> =
            self.readers_of(&incident, server, overwrites, bot).into_iter().filter(|r| r.standing.is_none()).collect();
        let now_seen = Seen { by_member: server.members.is_some(), outsiders };
        let seen: Option<Seen> = self.core.store.access_seen(id).await?.and_then(|s| serde_json::from_str(&s).ok());
        if seen.as_ref() == Some(&now_seen) {
            return Ok(());
        }
        // Readers known another way (by role, then by member) are a new
        // starting point, not news.
        let before = seen.filter(|s| s.by_member == now_seen.by_member).map(|s| s.outsiders);
        let outsiders = &now_seen.outsiders;
        let gained: Vec<Reader> = match &before {
            Some(before) => {
                outsiders.iter().filter(|r| !before.iter().any(|b| b.who == r.who && b.through == r.through)).copied().collect()
            }
            None => outsiders.iter().filter(|r| r.is_drift()).copied().collect(),
        };
        // A grant or revoke on its way makes the channel differ from the
        // state for a moment; its own channel update brings the next look.
        if !gained.is_empty() && self.core.store.access_changing(id).await? {
            return Ok(());
        }
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let json = serde_json::to_string(&now_seen).map_err(|_| ServiceError::Internal("access readers not serialisable"))?;
        tx.set_access_seen(id, &json, now).await?;
        if !gained.is_empty() {
            let undone = gained.iter().any(Reader::is_drift);
            let event = EventPayload::AccessChanged { before: before.unwrap_or_default(), after: now_seen.outsiders, undone };
            tx.append(Some(id), Actor::System, now, &event).await?;
            let mut effects = vec![
                Effect::PostNotice { incident: id, notice: Notice::AccessGained { gained: gained.clone(), undone } },
                Effect::AccessDrift { incident: id, gained, undone },
            ];
            if undone {
                effects.insert(0, Effect::RestoreAccess { incident: id });
            }
            tx.enqueue_all(&effects, now).await?;
            tracing::warn!(incident = %incident.number, undone, "someone the state does not allow can read an incident");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Issue 25: a channel was deleted (by hand: hikeshi deletes none). If
    /// it was an incident's, the incident gets a new private channel, its
    /// card and a line saying what happened, and the committee is told;
    /// the record, kept in the database, is whole. Once, however many
    /// processes hear of it. True when it was an incident's.
    pub async fn channel_deleted(&self, channel: ChannelId) -> Result<bool, ServiceError> {
        let Some(found) = self.core.store.incident_by_channel(channel).await? else {
            return Ok(false);
        };
        let now = self.core.clock.now();
        let mut tx = self.core.store.begin().await?;
        let mut incident = tx.incident(found.id).await?;
        let Some(outcome) = incident.channel_lost(channel) else {
            return Ok(false);
        };
        tx.save_incident(&incident, now).await?;
        tx.record(Some(incident.id), Actor::System, now, &outcome).await?;
        tx.commit().await?;
        tracing::warn!(incident = %incident.number, %channel, "an incident channel was deleted by hand; opening a new one");
        Ok(true)
    }
}
