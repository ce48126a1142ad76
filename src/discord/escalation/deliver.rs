//! Delivering a step of the chain in Discord.

use super::render;
use crate::discord::deliver::{nonce, DiscordEffects, Reached};
use crate::discord::render::{no_mentions, role_mention_only};
use crate::domain::effect::OutboxItem;
use crate::domain::escalation::Step;
use crate::domain::IncidentId;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// One step, if the report still waits: DMs (the member on duty, or
    /// every committee member, but those in their quiet hours), or the
    /// role pinged again in the committee channel with 確認しました.
    pub(crate) async fn escalate(&self, item: &OutboxItem, id: IncidentId, step: Step) -> Result<Delivered, DeliveryError> {
        let committee = self.access.holding(self.app.settings.discord.committee_role);
        let Some((i, to)) = self.app.escalation().reach(id, step, committee).await? else {
            return Ok(Delivered::Done);
        };
        let s = &self.app.settings;
        let text = render::step(&i, step, s, self.app.clock.now());
        let (mut reached, mut missed): (Vec<String>, Vec<String>) = (vec![], to.quiet.iter().map(|u| format!("quiet:{u}")).collect());
        if step == Step::PingAgain {
            let rows = crate::discord::incident::card::acknowledge_rows([&i], s.organisation.lang);
            let msg =
                CreateMessage::new().content(text.clone()).components(rows).allowed_mentions(role_mention_only(s.discord.committee_role));
            self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
            reached.push("role".into());
        }
        if matches!(step, Step::OnDuty | Step::Committee) && to.dm.is_empty() && to.quiet.is_empty() {
            missed.push("nobody on duty".into());
        }
        for user in &to.dm {
            let msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
            match self.dm(*user, msg, &format!("{}-{user}", nonce(item))).await? {
                Reached::Dm => reached.push(format!("dm:{user}")),
                Reached::Closed => missed.push(format!("closed:{user}")),
            }
        }
        self.app.escalation().delivered(id, step, reached, missed).await?;
        Ok(Delivered::Done)
    }
}
