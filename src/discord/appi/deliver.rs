//! APPI Art. 26: the draft report to the PPC, attached, to the committee.

use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::render::role_mention_only;
use crate::domain::effect::OutboxItem;
use crate::domain::IncidentId;
use crate::records;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use crate::tr;

impl DiscordEffects {
    /// APPI Art. 26: the draft report to the PPC, attached, to the committee.
    pub(crate) async fn appi_draft(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let entries = self.app.incidents().log_entries(id).await?;
        let md = records::appi::ppc_report_markdown(&i, &entries, s);
        let (role, number) = (s.discord.committee_role, i.number);
        let text = tr!(
            lang,
            "<@&{role}> 🛡 {number} は個人情報保護委員会への報告（速報・確報）と本人への通知が必要な可能性があります（個人情報保護法第26条）。報告書の案を添付します。法的助言ではありません。",
            "<@&{role}> 🛡 {number} may need reports to the PPC (preliminary and final) and notice to the people affected (APPI Art. 26). A draft is attached; not legal advice."
        );
        self.attach(
            s.discord.committee_channel,
            text,
            role_mention_only(role),
            format!("{number}-ppc-report.md"),
            md.into_bytes(),
            &nonce(item),
        )
        .await?;
        Ok(Delivered::Done)
    }
}
