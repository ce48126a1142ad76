//! §4.1 周知: a changed playbook, to the members its roles name.

use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::render::no_mentions;
use crate::domain::effect::OutboxItem;
use crate::domain::{Lang, Playbook, PlaybookId};
use crate::runner::DeliveryError;
use crate::service::Delivered;
use crate::tr;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// A DM to each member a role of the playbook names, as it stands now
    /// (a playbook no longer configured is nobody's to hear of).
    pub(crate) async fn tell_playbook_revised(&self, item: &OutboxItem, id: &PlaybookId) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let Some(p) = s.playbooks.get(id) else {
            return Ok(Delivered::Done);
        };
        for user in p.named_members() {
            let text = revised(p, user, s.organisation.lang);
            let msg = CreateMessage::new().content(text).allowed_mentions(no_mentions());
            // Closed DMs are not retried: the playbook is on /playbook show.
            self.dm(user, msg, &format!("{}-{user}", nonce(item))).await?;
        }
        Ok(Delivered::Done)
    }
}

/// The DM: which playbook, its version and approval, the member's roles.
fn revised(p: &Playbook, user: crate::domain::UserId, lang: Lang) -> String {
    let title = p.title.get(lang).to_string();
    let roles = p.roles.iter().filter(|r| r.members.contains(&user)).map(|r| r.name.get(lang).to_string()).collect::<Vec<_>>().join("、");
    let version = match &p.approval {
        Some(a) => {
            let (v, d) = (&a.version, a.approved_on);
            tr!(lang, "（第{v}版、{d} 委員会承認）", " (version {v}, approved by the committee on {d})")
        }
        None => String::new(),
    };
    tr!(
        lang,
        "📘 対応手順「{title}」が改訂されました{version}。あなたは役割「{roles}」に指名されています（§4.1(1)）。/対応手順 表示 で確認してください。",
        "📘 The playbook “{title}” was revised{version}. You are named for the role “{roles}” (§4.1(1)). Read it with /playbook show."
    )
}
