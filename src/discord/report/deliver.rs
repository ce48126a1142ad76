//! Delivering a report (§4.2 "without delay"): the private channel, the
//! card with the committee's ping, the committee's notice, the link in the
//! reporter's reply; a confidential reporter's DM; and the alarm when a
//! channel cannot be made.

use crate::discord::channels::{state_overwrites, topic_marker, ChannelLite};
use crate::discord::custom_id::CustomId;
use crate::discord::deliver::{nonce, rest_err, DiscordEffects};
use crate::discord::dm::Fallback;
use crate::discord::incident::card;
use crate::discord::render::{no_mentions, role_mention_only};
use crate::discord::rest::RestError;
use crate::domain::effect::OutboxItem;
use crate::domain::{ChannelId, Effect, Incident, IncidentId};
use crate::runner::DeliveryError;
use crate::service::{Delivered, NoticePost};
use crate::tr;
use serde_json::json;
use serenity::all::{CreateEmbed, CreateMessage, EditMessage, LightMethod, Request, Route};

/// A notice message lists at most this many reports: ten lines with
/// titles clipped to [`NOTICE_TITLE`] stay under Discord's 2,000 characters.
const NOTICE_LINES: usize = 10;
const NOTICE_TITLE: usize = 80;
/// Reports told within this of a notice message's first line join it;
/// later ones start a new message (an old message edited would go unseen).
const NOTICE_TOGETHER: chrono::Duration = chrono::Duration::minutes(2);

/// Discord's "Maximum number of guild channels reached (500)".
const GUILD_FULL: i64 = 30013;
/// How often a channel is tried again while the server is full.
const GUILD_FULL_RETRY: std::time::Duration = std::time::Duration::from_secs(300);

impl DiscordEffects {
    /// §4.2 "one place": a private channel, seen only by the committee, the
    /// reporter and the bot.
    pub(crate) async fn create_channel(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        if let Some(c) = i.channel {
            return Ok(Delivered::ChannelCreated(c));
        }
        let retry = item.attempts > 1;
        let marker = topic_marker(&i);
        if retry {
            let channels = self.guild_channels(true).await?;
            if let Some(c) = channels.iter().find(|c| c.kind == 0 && c.topic.as_deref().is_some_and(|t| t.starts_with(&marker))) {
                return Ok(Delivered::ChannelCreated(ChannelId(c.id)));
            }
        }
        let d = &self.app.settings.discord;
        // One placement at a time: choosing a category and creating the
        // channel in it are one step, or a burst overfills the category.
        let _placing = self.placing.lock().await;
        let parent = self.category_with_room("incidents", d.incident_category, false).await?;
        let lang = self.app.settings.organisation.lang;
        let title = crate::discord::text::clip(&i.title, 200);
        let topic = if i.is_drill() {
            tr!(lang, "{marker} 訓練 — {title}", "{marker} DRILL — {title}")
        } else {
            tr!(lang, "{marker} {title}", "{marker} {title}")
        };
        let body = json!({
            "name": card::channel_name(&i),
            "type": 0,
            "topic": topic,
            "parent_id": parent.to_string(),
            // Whom the state lets in (a confidential reporter is not: the
            // channel would name them); all of them when it replaces a
            // channel deleted by hand.
            "permission_overwrites": state_overwrites(&i, &self.app.settings, self.bot),
        });
        let req =
            Request::new(Route::GuildChannels { guild_id: self.guild() }, LightMethod::Post).body(Some(body.to_string().into_bytes()));
        let created: ChannelLite = match self.rest.json(req).await {
            Ok(c) => c,
            // Someone filled the category by hand meanwhile: look again.
            // Discord nests the reason in a 50035 "Invalid Form Body".
            Err(e) if e.has_form_error("CHANNEL_PARENT_MAX_CHANNELS") => {
                self.guild_channels(true).await?;
                return Err(DeliveryError::Transient(format!("the category is full: {e}")));
            }
            // The server is at Discord's 500 channels: nothing hikeshi can
            // fix. The committee is told what to do, the reporter that the
            // report is safe, and the channel opens once there is room.
            Err(e) if e.code() == Some(GUILD_FULL) => {
                if item.attempts == 1 {
                    self.guild_full(item, &i).await?;
                }
                return Err(DeliveryError::Blocked { after: GUILD_FULL_RETRY, why: format!("the server has 500 channels: {e}") });
            }
            Err(e) => return Err(rest_err(e)),
        };
        let channel = ChannelId(created.id);
        self.remember_channel(created).await;
        Ok(Delivered::ChannelCreated(channel))
    }

    /// Told once per report whose channel cannot be opened because the
    /// server has 500 channels.
    async fn guild_full(&self, item: &OutboxItem, i: &crate::domain::Incident) -> Result<(), DeliveryError> {
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let number = i.number;
        let minutes = GUILD_FULL_RETRY.as_secs() / 60;
        let text = tr!(
            lang,
            "⚠ {number} の対応チャンネルを開けません。サーバーのチャンネル数が Discord の上限（500）に達しています。報告は保存済みで、状況ボードに載っています。不要になったチャンネル（書き出し済みのアーカイブなど）を削除してください。hikeshi は{minutes}分ごとに再試行し、空きができしだいチャンネルを開きます。",
            "⚠ The channel of {number} cannot be opened: the server has reached Discord's limit of 500 channels. The report is stored and on the status board. Delete channels you no longer need (exported archive channels, say); hikeshi tries again every {minutes} minutes and opens the channel as soon as there is room."
        );
        self.ping_committee(&text, &format!("hkfull{}", item.id)).await?;
        if let Some((application_id, token)) = self.app.delivery().pending_reply(i.id).await? {
            let text = tr!(
                lang,
                "✅ ご報告いただいた内容は {number} として安全に保存されています。サーバーの都合で対応チャンネルをまだ開けませんが、委員会には伝わっており、開きしだい対応が始まります。",
                "✅ Your report is stored safely as {number}. The server has no room for its channel yet; the committee knows, and the channel opens as soon as there is room."
            );
            // An expired token: the reporter still has their number.
            if let Err(e) = self.edit_reply(application_id, &token, &text).await {
                tracing::warn!(incident = %number, error = %e, "could not tell the reporter their report is safe");
            }
        }
        Ok(())
    }

    /// The card, with the committee ping as its text. A description longer
    /// than the card shows follows in full in a second message.
    pub(crate) async fn post_card(&self, item: &OutboxItem, id: IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        if let Some(m) = i.card_message {
            return Ok(Delivered::CardPosted(m));
        }
        let channel = Self::channel_of(&i)?;
        let s = &self.app.settings;
        let role = s.discord.committee_role;
        let msg = CreateMessage::new()
            .content(card::committee_ping(&i, s))
            .embeds(card::card_embeds(&i, s))
            .components(card::card_components(&i, s))
            .allowed_mentions(role_mention_only(role));
        let card = self.post(channel, msg, &nonce(item)).await?;
        if card::description_is_clipped(&i) {
            let lang = s.organisation.lang;
            let full = CreateEmbed::new()
                .title(tr!(lang, "報告の全文", "The full report"))
                .description(crate::discord::text::clip(&crate::discord::text::inert(&i.description), 4096));
            self.post(channel, CreateMessage::new().embed(full).allowed_mentions(no_mentions()), &format!("hkfull{}", item.id)).await?;
        }
        Ok(Delivered::CardPosted(card))
    }

    /// §4.2: every report owed a notice, one line each, in the committee
    /// channel. Lines join the latest notice message (edited in place)
    /// while it is young and has room, then go into new messages; a burst
    /// of reports is told in a few messages once its channels and cards
    /// are out (the outbox defers this until then). A report waits for its
    /// channel, so that its line links it. `also`: a report queued by an
    /// earlier version with a notice of its own.
    pub(crate) async fn committee_notices(&self, item: &OutboxItem, also: Option<IncidentId>) -> Result<Delivered, DeliveryError> {
        let mut owed: Vec<Incident> = self.app.delivery().notices_owed().await?.into_iter().filter(|i| i.channel.is_some()).collect();
        if let Some(id) = also.filter(|id| !owed.iter().any(|i| i.id == *id)) {
            owed.push(self.incident(id).await?);
            owed.sort_by_key(|i| i.id);
        }
        if owed.is_empty() {
            return Ok(Delivered::Done);
        }
        let s = &self.app.settings;
        let channel = s.discord.committee_channel;
        let now = self.app.clock.now();
        let told: Vec<IncidentId> = owed.iter().map(|i| i.id).collect();
        let last = self.app.delivery().committee_notice_post().await?;
        // A report the latest message lists already is not listed again.
        owed.retain(|i| !last.as_ref().is_some_and(|p| p.incidents.contains(&i.id)));
        let mut rest = &owed[..];
        let mut latest = None;
        // Nothing to add (every report listed already): no edit either.
        let open = last.clone().filter(|p| !rest.is_empty() && now - p.started < NOTICE_TOGETHER && p.incidents.len() < NOTICE_LINES);
        if let Some(mut post) = open {
            let (joining, after) = rest.split_at((NOTICE_LINES - post.incidents.len()).min(rest.len()));
            let mut listed = vec![];
            for id in &post.incidents {
                listed.push(self.incident(*id).await?);
            }
            listed.extend(joining.iter().cloned());
            let (text, rows) = self.notice(&listed);
            match self.edit(channel, post.message, EditMessage::new().content(text).components(rows).allowed_mentions(no_mentions())).await
            {
                Ok(()) => {
                    post.incidents.extend(joining.iter().map(|i| i.id));
                    latest = Some(post);
                    rest = after;
                }
                // Deleted by someone: the lines go into a new message.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        for (k, chunk) in rest.chunks(NOTICE_LINES).enumerate() {
            let (text, rows) = self.notice(chunk);
            // One nonce per message: a retry repeats none that arrived.
            let create = CreateMessage::new().content(text).components(rows).allowed_mentions(no_mentions());
            let message = self.post(channel, create, &format!("{}-{k}", nonce(item))).await?;
            latest = Some(NoticePost { message, started: now, incidents: chunk.iter().map(|i| i.id).collect() });
        }
        match latest.or(last) {
            Some(latest) => Ok(Delivered::CommitteeTold { told, latest }),
            None => Err(DeliveryError::Transient("no notice message was written".into())),
        }
    }

    /// The committee's notice of these reports: a line each, and a
    /// 確認しました for each nobody has acknowledged yet (§4.2).
    fn notice(&self, listed: &[Incident]) -> (String, Vec<serenity::all::CreateActionRow>) {
        let text = listed.iter().map(|i| self.notice_line(i)).collect::<Vec<_>>().join("\n");
        (text, crate::discord::incident::card::acknowledge_rows(listed, self.app.settings.organisation.lang))
    }

    /// One report's line in the committee's notice; its reporter is named,
    /// never pinged (the card already pinged the committee).
    fn notice_line(&self, i: &Incident) -> String {
        let lang = self.app.settings.organisation.lang;
        let number = i.number;
        let title = crate::discord::text::inert(&crate::discord::text::clip(&i.title, NOTICE_TITLE));
        let reporter = if i.reporter.is_monitoring() { tr!(lang, "監視", "monitoring") } else { format!("<@{}>", i.reporter) };
        let mut category = i.category.label().get(lang).to_string();
        if i.confidential {
            category.push_str(&tr!(lang, "・🔒匿名", ", 🔒 confidential"));
        }
        match i.channel {
            Some(c) => tr!(
                lang,
                "🔥 {number} 「{title}」（{category}）報告者 {reporter} → <#{c}>",
                "🔥 {number} “{title}” ({category}) reported by {reporter} → <#{c}>"
            ),
            None => tr!(
                lang,
                "🔥 {number} 「{title}」（{category}）報告者 {reporter}",
                "🔥 {number} “{title}” ({category}) reported by {reporter}"
            ),
        }
    }

    /// The reporter's first reply gets the channel link while its token
    /// lives; after that (a held report stored late, a report replayed
    /// after a restart, a backlog) the reporter hears by DM instead — the
    /// bot never uses a dead token.
    pub(crate) async fn link_reporter(
        &self,
        item: &OutboxItem,
        id: IncidentId,
        (application_id, token, asked_at): (u64, &str, Option<chrono::DateTime<chrono::Utc>>),
        reporter: Option<crate::domain::UserId>,
    ) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let channel = Self::channel_of(&i)?;
        let lang = self.app.settings.organisation.lang;
        let number = i.number;
        let text = tr!(
            lang,
            "✅ ご報告いただいた内容を {number} として受け付けました。対応チャンネル: <#{channel}>",
            "✅ Reported as {number}. Incident channel: <#{channel}>"
        );
        if crate::domain::effect::token_alive(asked_at, self.app.clock.now()) {
            match self.edit_reply(application_id, token, &text).await {
                Ok(_) => return Ok(Delivered::Done),
                // Refused (the token died meanwhile): the DM below.
                Err(RestError::Refused { .. }) => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        let to = reporter.unwrap_or(i.reporter);
        let msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
        self.tell(to, Some(&i), (&text, msg), &nonce(item), Fallback::Channel(channel)).await?;
        Ok(Delivered::Done)
    }

    /// Edits the reporter's first reply (the interaction's own message),
    /// pinging nobody.
    async fn edit_reply(&self, application_id: u64, token: &str, text: &str) -> Result<(), RestError> {
        let body = json!({"content": text, "allowed_mentions": {"parse": []}});
        crate::discord::reply::edit_original(&self.rest, application_id, token, &body).await
    }

    /// Where a confidential report stands, by DM, with a button to add
    /// information. Confidential reporters hear of changes by DM (§1(1): they never see
    /// the channel): this report's, and those of reports merged into it.
    /// A confidential report closed as a duplicate tells its reporter where
    /// it went; they stay anonymous there too.
    pub(crate) async fn tell_reporter(&self, item: &OutboxItem, id: crate::domain::IncidentId) -> Result<Delivered, DeliveryError> {
        let i = self.incident(id).await?;
        let lang = self.app.settings.organisation.lang;
        let (number, phase) = (i.number, i.phase.label().get(lang).to_string());
        let (text, follow) = match i.duplicate_of {
            Some(original) if i.confidential => {
                let original = self.incident(original).await?;
                let into = original.number;
                let text = crate::tr!(
                    lang,
                    "🔒 ご報告いただいた {number} は、同じ事象の {into} に統合されました。対応は {into} で続きます。お名前は委員会以外には伏せたままで、進み具合はここでお知らせします。",
                    "🔒 Your report {number} was merged into {into}, which is about the same thing; the response goes on there. Your name stays known to the committee only, and you will hear of its progress here."
                );
                (text, original.phase.is_open().then_some(original.id))
            }
            _ => {
                let text = crate::tr!(
                    lang,
                    "🔒 ご報告いただいた {number} は現在「{phase}」です。",
                    "🔒 Your report {number} is now in “{phase}”."
                );
                (text, i.phase.is_open().then_some(id))
            }
        };
        let mut msg = CreateMessage::new().content(text.clone()).allowed_mentions(no_mentions());
        if let Some(target) = follow {
            let button = serenity::all::CreateButton::new(CustomId::AddInfo(target).encode()).label(crate::tr!(
                lang,
                "情報を追加",
                "Add information"
            ));
            msg = msg.components(vec![serenity::all::CreateActionRow::Buttons(vec![button])]);
        }
        let to = if i.duplicate_of.is_some() { vec![i.reporter] } else { i.confidential_reporters() };
        // A public duplicate's reporter joined the original's channel: a
        // closed DM is said there; a confidential reader is never named.
        let public_channel = match i.duplicate_of {
            Some(original) if !i.confidential => self.incident(original).await?.channel,
            _ => None,
        };
        for (n, user) in to.into_iter().enumerate() {
            // One nonce per reader: a retry repeats none that arrived.
            let fallback = public_channel.map_or(Fallback::Committee, Fallback::Channel);
            self.tell(user, Some(&i), (&text, msg.clone()), &format!("{}-{n}", nonce(item)), fallback).await?;
        }
        Ok(Delivered::Done)
    }

    /// A channel that could not be created must not leave a report unseen:
    /// the committee channel hears of it, with the report's number.
    pub(crate) async fn report_gave_up(&self, item: &OutboxItem, error: &str) {
        let Some(id) = item.effect.incident() else {
            return;
        };
        if !matches!(item.effect, Effect::CreateChannel { .. } | Effect::PostCard { .. }) {
            return;
        }
        let Ok(i) = self.incident(id).await else {
            return;
        };
        let s = &self.app.settings;
        let lang = s.organisation.lang;
        let role = s.discord.committee_role;
        let number = i.number;
        let error = crate::discord::text::clip(error, 300);
        let text = tr!(
            lang,
            "<@&{role}> ⚠ {number} の対応チャンネルを用意できませんでした（{error}）。報告は保存されており、状況ボードに表示されています。",
            "<@&{role}> ⚠ Could not open the channel for {number} ({error}). The report is stored and listed on the status board."
        );
        let msg = CreateMessage::new().content(text).allowed_mentions(role_mention_only(role));
        if let Err(e) = self.post(s.discord.committee_channel, msg, &format!("hkfail{}", item.id)).await {
            tracing::error!(incident = %number, error = %e, "could not alert the committee either");
        }
    }
}
