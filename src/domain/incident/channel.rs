//! Issue 25: an incident channel deleted by hand. The record is the
//! database's, not the channel's, so nothing of it is lost; the incident
//! gets a new private channel with its card, a line saying what happened,
//! and the committee is told. A closed incident's goes to the archive.

use super::{Incident, Outcome};
use crate::domain::effect::Notice;
use crate::domain::{ChannelId, Effect, EventPayload};

impl Incident {
    /// `channel` was deleted: if it was this incident's, a new one.
    pub fn channel_lost(&mut self, channel: ChannelId) -> Option<Outcome> {
        if self.channel != Some(channel) {
            return None;
        }
        self.channel = None;
        self.card_message = None;
        let id = self.id;
        let mut out = Outcome::default()
            .with(EventPayload::ChannelLost { channel })
            .effect(Effect::CreateChannel { incident: id })
            .effect(Effect::PostCard { incident: id })
            .effect(Effect::PostNotice { incident: id, notice: Notice::ChannelReplaced { old: channel } });
        if !self.phase.is_open() {
            out = out.effect(Effect::Archive { incident: id });
        }
        Some(out.effect(Effect::ChannelLost { incident: id, channel }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::incident;
    use super::*;
    use crate::domain::{MessageId, Phase};

    #[test]
    fn a_deleted_channel_is_replaced_and_a_closed_ones_archived() {
        let mut i = incident(true);
        i.channel = Some(ChannelId(5));
        i.card_message = Some(MessageId(6));
        assert_eq!(i.channel_lost(ChannelId(7)), None, "another channel");
        assert_eq!(i.channel, Some(ChannelId(5)));
        let out = i.channel_lost(ChannelId(5)).unwrap();
        assert_eq!((i.channel, i.card_message), (None, None));
        assert_eq!(out.events, vec![EventPayload::ChannelLost { channel: ChannelId(5) }]);
        let kinds: Vec<&str> = out.effects.iter().map(Effect::kind).collect();
        assert_eq!(kinds, ["create_channel", "post_card", "post_notice", "channel_lost"]);
        i.channel = Some(ChannelId(8));
        i.phase = Phase::Closed;
        let kinds: Vec<&str> = i.channel_lost(ChannelId(8)).unwrap().effects.iter().map(Effect::kind).collect();
        assert_eq!(kinds, ["create_channel", "post_card", "post_notice", "archive", "channel_lost"]);
    }
}
