//! Delivering the work on an incident: the card edited in place, §4.3
//! records and notices in the channel, access granted and revoked, the
//! archive (read-only, with the transcript attached), the status board.

use super::{card, notices};
use crate::discord::channels::{perms, state_overwrites, ChannelLite};
use crate::discord::deliver::{nonce, rest_err, DiscordEffects};
use crate::discord::lessons;
use crate::discord::render::no_mentions;
use crate::domain::effect::{Notice, OutboxItem};
use crate::domain::{IncidentId, UserId};
use crate::records;
use crate::runner::DeliveryError;
use crate::service::Delivered;
use crate::tr;
use serde_json::json;
use serenity::all::{CreateMessage, EditMessage, LightMethod, Request, Route, TargetId};

/// Below Discord's 10 MiB a file for a bot without boosts, with room for
/// the rest of the request.
pub(super) const UPLOAD_LIMIT: usize = 8 * 1024 * 1024;
/// Parts are never made smaller than this.
const MIN_UPLOAD: usize = 1024 * 1024;

impl DiscordEffects {
    pub(crate) async fn refresh_card(&self, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let (Some(channel), Some(card)) = (i.channel, i.card_message) else {
            // The card is not posted yet; when it is, it shows this state.
            return Ok(Delivered::Done);
        };
        let s = &self.app.settings;
        let edit =
            EditMessage::new().embeds(card::card_embeds(&i, s)).components(card::card_components(&i, s)).allowed_mentions(no_mentions());
        match self.edit(channel, card, edit).await {
            Ok(()) => Ok(Delivered::Done),
            // Someone deleted the card: nothing to refresh.
            Err(e) if e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    pub(crate) async fn post_log_entry(&self, item: &OutboxItem, id: IncidentId, entry: i64) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let e = self.app.incidents().log_entry(entry).await?;
        let msg =
            CreateMessage::new().embed(notices::log_entry_embed(&e, self.app.settings.organisation.lang)).allowed_mentions(no_mentions());
        self.post(channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// Grants or revokes `user`'s own access as the stored state says now,
    /// whichever effect asked: a grant retried after a later revoke (Discord
    /// answered 500 to it first) revokes, so the channel always converges
    /// to the state in the database.
    pub(crate) async fn sync_access(&self, id: IncidentId, user: UserId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let grant = i.has_access(user);
        let route = Route::ChannelPermission { channel_id: channel.0.into(), target_id: TargetId::new(user.0) };
        let req = if grant {
            let allow = if i.phase.is_open() { perms::MEMBER } else { perms::READ_ONLY };
            let body = json!({"type": 1, "allow": allow, "deny": 0});
            Request::new(route, LightMethod::Put).body(Some(body.to_string().into_bytes()))
        } else {
            Request::new(route, LightMethod::Delete)
        };
        match self.rest.send(req).await {
            Ok(_) => Ok(Delivered::Done),
            Err(e) if !grant && e.is_not_found() => Ok(Delivered::Done),
            Err(e) => Err(rest_err(e)),
        }
    }

    pub(crate) async fn post_notice(
        &self,
        item: &OutboxItem,
        id: IncidentId,
        notice: &crate::domain::effect::Notice,
    ) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let s = &self.app.settings;
        let playbook = i.playbook.as_ref().and_then(|p| s.playbooks.get(p));
        let (text, mentions) = notices::notice_text(notice, s.organisation.lang, playbook);
        let lang = s.organisation.lang;
        // §4.4(1): the plan's notices call who acts next, with their button.
        let (role, rows) = match notice {
            Notice::PlanAwaitsApproval { revision, signoff: true } => {
                (s.discord.it_department_role, lessons::render::signoff_row(id, *revision, lang))
            }
            Notice::PlanAwaitsApproval { .. } | Notice::PlanSignedOff { .. } => {
                (Some(s.discord.committee_role), lessons::render::approve_row(id, lang))
            }
            _ => (None, vec![]),
        };
        let msg = match role {
            Some(role) => CreateMessage::new()
                .content(format!("<@&{role}> {text}"))
                .allowed_mentions(crate::discord::render::role_mention_only(role))
                .components(rows),
            None => CreateMessage::new().content(text).allowed_mentions(mentions),
        };
        self.post(channel, msg, &nonce(item)).await?;
        Ok(Delivered::Done)
    }

    /// Closing: the transcript is attached, then the channel moves to the
    /// archive and becomes read-only for everyone but the bot.
    pub(crate) async fn archive(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let Some(channel) = i.channel else {
            return Ok(Delivered::Done);
        };
        let s = &self.app.settings;
        let lines = self.app.transcript().lines(id).await?;
        let entries = self.app.incidents().log_entries(id).await?;
        let threads = self.app.transcript().threads(id).await?;
        // The channel's own readers know the people: mentions stay as written.
        let md = records::transcript_markdown(&i, &lines, &entries, &threads, &|t| t.to_string(), s);
        self.attach_transcript(item, &i, channel, md.into_bytes()).await?;

        let _placing = self.placing.lock().await;
        let archive = self.category_with_room("archive", s.discord.archive_category, item.attempts > 1).await?;
        // Everyone the state gives access keeps it, read-only.
        let body = json!({"parent_id": archive.to_string(), "permission_overwrites": state_overwrites(&i, s, self.bot)});
        let req =
            Request::new(Route::Channel { channel_id: channel.0.into() }, LightMethod::Patch).body(Some(body.to_string().into_bytes()));
        let moved: ChannelLite = self.rest.json(req).await.map_err(rest_err)?;
        self.remember_channel(moved).await;
        self.close_threads(channel).await?;
        Ok(Delivered::Archived(channel))
    }

    /// The record, attached to the channel: as one Markdown file when it
    /// fits Discord's upload limit, else compressed, else in numbered
    /// parts. A 413 (a server whose limit is lower) halves the parts.
    async fn attach_transcript(
        &self,
        item: &OutboxItem,
        i: &crate::domain::Incident,
        channel: crate::domain::ChannelId,
        md: Vec<u8>,
    ) -> Result<(), DeliveryError> {
        let lang = self.app.settings.organisation.lang;
        let number = i.number;
        let mut limit = UPLOAD_LIMIT;
        'sizes: loop {
            let parts = records::fit_upload(&records::transcript_file_name(i, lang), md.clone(), limit);
            let total = parts.len();
            for (n, (file, bytes)) in parts.into_iter().enumerate() {
                let mut text =
                    tr!(lang, "📁 {number} の記録（会話記録と§4.3の記録）", "📁 The record of {number} (transcript and §4.3 entries)");
                if total > 1 {
                    let k = n + 1;
                    text.push_str(&tr!(
                        lang,
                        "　{k}/{total}（`cat` でつなげて gunzip で展開）",
                        " — part {k} of {total} (join with `cat`, then gunzip)"
                    ));
                }
                let nonce = format!("{}-{}-{n}", nonce(item), limit / (1024 * 1024));
                match self.attach_or_refused(channel, text, no_mentions(), &[], (file, bytes), &nonce).await {
                    Ok(()) => {}
                    Err(e) if e.status() == Some(413) && limit > MIN_UPLOAD => {
                        tracing::warn!(incident = %number, limit, "the upload was too large; sending smaller parts");
                        limit /= 2;
                        continue 'sizes;
                    }
                    Err(e) => return Err(rest_err(e)),
                }
            }
            return Ok(());
        }
    }

    /// The archived channel's threads are archived and locked: nobody
    /// carries the incident on in them (only Manage Threads reopens one).
    async fn close_threads(&self, channel: crate::domain::ChannelId) -> Result<(), DeliveryError> {
        #[derive(serde::Deserialize)]
        struct Active {
            threads: Vec<ChannelLite>,
        }
        let req = Request::new(Route::GuildThreadsActive { guild_id: self.guild() }, LightMethod::Get);
        let active: Active = self.rest.json(req).await.map_err(rest_err)?;
        for t in active.threads.into_iter().filter(|t| t.parent_id == Some(channel.0)) {
            let body = json!({"archived": true, "locked": true}).to_string().into_bytes();
            let req = Request::new(Route::Channel { channel_id: t.id.into() }, LightMethod::Patch).body(Some(body));
            match self.rest.send(req).await {
                Ok(_) => {}
                // Deleted meanwhile: nothing left to carry on in.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        Ok(())
    }

    pub(crate) async fn refresh_status_board(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let open = self.app.incidents().open().await?;
        let embed = card::status_board(&open, s, self.app.clock.now());
        // §4.2: a 確認しました for each report nobody has acknowledged.
        let rows = card::acknowledge_rows(&open, s.organisation.lang);
        if let Some(id) = self.app.incidents().status_board_message().await? {
            let edit = EditMessage::new().embed(embed.clone()).components(rows.clone()).allowed_mentions(no_mentions());
            match self.edit(s.discord.committee_channel, id, edit).await {
                Ok(()) => return Ok(Delivered::Done),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        let message = CreateMessage::new().embed(embed).components(rows).allowed_mentions(no_mentions());
        let m = self.post(s.discord.committee_channel, message, &nonce(item)).await?;
        self.app.incidents().remember_status_board(m).await?;
        Ok(Delivered::Done)
    }
}
