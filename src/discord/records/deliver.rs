//! §5: the monthly audit post, run at delivery.

use crate::discord::deliver::{nonce, DiscordEffects};
use crate::discord::render::no_mentions;
use crate::discord::text::clip;
use crate::domain::effect::OutboxItem;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use serenity::all::CreateMessage;

impl DiscordEffects {
    /// §5: the monthly audit, as found at delivery.
    pub(crate) async fn audit_report(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let findings = self
            .app
            .records()
            .audit(false, self.access.members_but(self.bot).map(|m| m.len()))
            .await
            .map_err(|e| DeliveryError::Transient(e.to_string()))?;
        let lang = s.organisation.lang;
        // What needs action comes first and is never cut: findings past
        // Discord's 2,000 characters are in the attached file, whole.
        let (text, whole) = crate::records::audit::report_within(&findings, lang, 2000);
        let mut files = vec![];
        if !whole {
            files.push(("hikeshi-audit.txt".to_string(), crate::records::audit::report(&findings, lang).into_bytes()));
        }
        // The year's figures as a chart beside the findings (§5), when the
        // machine has a font to draw with.
        let chart = async {
            let stats =
                self.app.records().stats(self.app.records().period_start(false), self.app.clock.now()).await.map_err(|e| e.to_string())?;
            crate::records::chart::png_with_machine_font(&stats, lang)
        };
        match chart.await {
            Ok(png) => files.insert(0, ("hikeshi-figures.png".to_string(), png)),
            Err(e) => tracing::warn!(error = %e, "the audit post goes without its chart"),
        }
        if files.is_empty() {
            let msg = CreateMessage::new().content(text).allowed_mentions(no_mentions());
            self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        } else {
            self.attach_all(s.discord.committee_channel, text, no_mentions(), files, &nonce(item)).await?;
        }
        Ok(Delivered::Done)
    }
}

impl DiscordEffects {
    /// Side effects hikeshi gave up on, in one message of the committee
    /// channel edited in place: what they were and what the operator can
    /// do. The first post pings the committee; edits do not.
    pub(crate) async fn report_dead_items(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        use crate::discord::deliver::rest_err;
        use crate::tr;
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let dead = self.app.delivery().dead_items().await?;
        let n: i64 = dead.iter().map(|(_, n)| n).sum();
        let kinds = dead.iter().map(|(k, n)| format!("`{k}` ×{n}")).collect::<Vec<_>>().join(", ");
        let text = if n == 0 {
            tr!(lang, "✅ 届けられなかった処理はありません。", "✅ No side effect is left undelivered.")
        } else {
            tr!(
                lang,
                "⚠ hikeshi が Discord に反映できなかった処理が{n}件あります（{kinds}）。運用担当者は `hikeshi outbox list` で内容を確認し、原因を直したら `hikeshi outbox retry <ID>`、不要なら `hikeshi outbox drop <ID>` を実行してください。記録そのものはデータベースに残っています。",
                "⚠ {n} side effect(s) could not be carried out on Discord ({kinds}). An operator can see them with `hikeshi outbox list`, then `hikeshi outbox retry <ID>` once the cause is fixed, or `hikeshi outbox drop <ID>`. The records themselves are safe in the database."
            )
        };
        let channel = s.discord.committee_channel;
        if let Some(m) = self.app.delivery().dead_items_message().await? {
            let edit = serenity::all::EditMessage::new().content(clip(&text, 2000)).allowed_mentions(no_mentions());
            match self.edit(channel, m, edit).await {
                Ok(()) => return Ok(Delivered::Done),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        if n == 0 {
            return Ok(Delivered::Done);
        }
        let role = s.discord.committee_role;
        let msg = CreateMessage::new()
            .content(clip(&format!("<@&{role}> {text}"), 2000))
            .allowed_mentions(crate::discord::render::role_mention_only(role));
        let m = self.post(channel, msg, &nonce(item)).await?;
        self.app.delivery().remember_dead_items_message(m).await?;
        Ok(Delivered::Done)
    }

    /// Discord is refusing many requests: the committee learns that the bot
    /// slows down, and what an operator should look at, before Discord bans
    /// the address for an hour.
    pub(crate) async fn warn_refusals(&self, item: &OutboxItem, count: u32) -> Result<Delivered, DeliveryError> {
        let text = crate::tr!(
            self.app.settings.organisation.lang,
            "⚠ Discord が直近10分間に hikeshi の要求を{count}件拒否しました（401・403・429）。10,000件に達するとこの接続元は1時間遮断されるため、hikeshi は要求の送信を遅くしています。運用担当者はログ（`hikeshi_discord_invalid_requests_total`）で原因（権限の不足、トークン、レート制限）を確認してください。",
            "⚠ Discord refused {count} of hikeshi's requests (401, 403, 429) in the last ten minutes. At 10,000 it bans this address for an hour, so hikeshi now sends more slowly. An operator should look at the logs and `hikeshi_discord_invalid_requests_total` for the cause (a missing permission, the token, rate limits)."
        );
        self.ping_committee(&text, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}
