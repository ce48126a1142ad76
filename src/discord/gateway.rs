//! Gateway events in: interactions to their features, incident-channel
//! messages to the transcript. Events from other guilds are ignored.

use super::{interactions, transcript, Ctx};
use serenity::all::{
    Context, EventHandler, Guild, GuildChannel, GuildId, GuildMemberUpdateEvent, Interaction, Member, Message, MessageUpdateEvent, Ready,
    Role, RoleId, User,
};

pub struct Handler {
    ctx: Ctx,
}

impl Handler {
    pub fn new(ctx: Ctx) -> Self {
        Handler { ctx }
    }

    fn ours(&self, guild: Option<GuildId>) -> bool {
        super::reply::in_guild(&self.ctx.app.settings, guild)
    }

    /// Issue 28: a member's roles changed, or they left (`None`): their
    /// sign-ins to the web console follow now.
    async fn console(&self, user: serenity::all::UserId, roles: Option<&[serenity::all::RoleId]>) {
        let roles: Option<Vec<crate::domain::RoleId>> = roles.map(|r| r.iter().map(|r| crate::domain::RoleId(r.get())).collect());
        if let Err(e) = self.ctx.app.console().member_changed(crate::domain::UserId(user.get()), roles.as_deref()).await {
            tracing::warn!(error = %e, "could not apply a member's change to their console sign-ins; the next check will");
        }
    }

    /// The bot's own post with an outbox nonce: kept, so a retry whose
    /// first answer was lost finds it (see `DiscordEffects::post`).
    async fn own_post(&self, msg: &Message) {
        let Some(serenity::all::Nonce::String(nonce)) = &msg.nonce else {
            return;
        };
        if !nonce.starts_with("hk") {
            return;
        }
        let (channel, message) = (crate::domain::ChannelId(msg.channel_id.get()), crate::domain::MessageId(msg.id.get()));
        if let Err(e) = self.ctx.app.delivery().saw_own_post(channel, nonce, message).await {
            tracing::warn!(error = %e, "could not keep the bot's own post");
        }
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    /// Registers the commands for the configured guild at every start (a
    /// bulk overwrite, so a removed command disappears too).
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let guild = GuildId::new(self.ctx.app.settings.discord.guild);
        match super::commands::register(&self.ctx.rest, ready.application.id, guild, &self.ctx.app.settings).await {
            Ok(count) => tracing::info!(count, "commands registered"),
            Err(e) => {
                tracing::error!(error = %e, "could not register commands; /report will not appear until this works")
            }
        }
        tracing::info!(user = %ready.user.name, "connected to the gateway");
        // A READY (not a resume): what happened in incident channels while
        // the bot was away is not in the record yet.
        let me = self.ctx.clone();
        tokio::spawn(async move { transcript::recover(&me).await });
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        interactions::dispatch(&self.ctx, interaction).await;
    }

    /// A thread started under an incident channel joins its record, and
    /// the bot joins it (private threads send their messages to members).
    async fn thread_create(&self, _ctx: Context, thread: GuildChannel) {
        if self.ours(Some(thread.guild_id)) {
            transcript::thread(&self.ctx, &thread, true).await;
        }
    }

    /// A renamed thread keeps its place in the record, under its new name.
    async fn thread_update(&self, _ctx: Context, _old: Option<GuildChannel>, new: GuildChannel) {
        if self.ours(Some(new.guild_id)) {
            transcript::thread(&self.ctx, &new, false).await;
        }
    }

    /// A deleted thread stays in the record; the deletion is noted.
    async fn thread_delete(&self, _ctx: Context, thread: serenity::all::PartialGuildChannel, _full: Option<GuildChannel>) {
        if self.ours(Some(thread.guild_id)) {
            if let Err(e) = self.ctx.app.transcript().thread_deleted(crate::domain::ChannelId(thread.id.get())).await {
                tracing::warn!(thread = %thread.id, error = %e, "could not note a deleted thread");
            }
        }
    }

    /// The server at each connection: who reads each channel from now on.
    async fn guild_create(&self, _ctx: Context, guild: Guild, _new: Option<bool>) {
        if self.ours(Some(guild.id)) && self.ctx.access.guild(&guild) {
            tokio::spawn(super::access::members::read_all(self.ctx.clone(), guild.id));
        }
    }

    async fn guild_role_create(&self, _ctx: Context, role: Role) {
        if self.ours(Some(role.guild_id)) {
            self.ctx.access.role(&role);
        }
    }

    async fn guild_role_update(&self, _ctx: Context, _old: Option<Role>, role: Role) {
        if self.ours(Some(role.guild_id)) {
            self.ctx.access.role(&role);
        }
    }

    async fn guild_role_delete(&self, _ctx: Context, guild: GuildId, role: RoleId, _old: Option<Role>) {
        if self.ours(Some(guild)) {
            self.ctx.access.role_deleted(crate::domain::RoleId(role.get()));
        }
    }

    async fn guild_member_addition(&self, _ctx: Context, member: Member) {
        if self.ours(Some(member.guild_id)) {
            self.ctx.access.member(member.user.id, Some(&member.roles));
        }
    }

    async fn guild_member_update(&self, _ctx: Context, _old: Option<Member>, _new: Option<Member>, event: GuildMemberUpdateEvent) {
        if self.ours(Some(event.guild_id)) {
            self.ctx.access.member(event.user.id, Some(&event.roles));
            self.console(event.user.id, Some(&event.roles)).await;
        }
    }

    async fn guild_member_removal(&self, _ctx: Context, guild: GuildId, user: User, _old: Option<Member>) {
        if self.ours(Some(guild)) {
            self.ctx.access.member(user.id, None);
            self.console(user.id, None).await;
        }
    }

    /// A channel's overwrites changed (by hikeshi, or by hand).
    async fn channel_update(&self, _ctx: Context, _old: Option<GuildChannel>, new: GuildChannel) {
        if self.ours(Some(new.guild_id)) {
            self.ctx.access.channel(&new);
        }
    }

    async fn channel_create(&self, _ctx: Context, channel: GuildChannel) {
        if self.ours(Some(channel.guild_id)) {
            self.ctx.access.channel(&channel);
        }
    }

    /// A channel deleted: an incident's gets a new one (issue 25).
    async fn channel_delete(&self, _ctx: Context, channel: GuildChannel, _messages: Option<Vec<Message>>) {
        if self.ours(Some(channel.guild_id)) {
            self.ctx.access.channel_deleted(channel.id.get());
            super::access::watch::deleted(&self.ctx, crate::domain::ChannelId(channel.id.get())).await;
        }
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        if msg.author.id.get() == self.ctx.me.0 {
            self.own_post(&msg).await;
        }
        if self.ours(msg.guild_id) {
            transcript::message(&self.ctx, msg).await;
        }
    }

    async fn message_update(&self, _ctx: Context, _old: Option<Message>, _new: Option<Message>, event: MessageUpdateEvent) {
        if self.ours(event.guild_id) {
            transcript::edit(&self.ctx, event).await;
        }
    }

    async fn message_delete(
        &self,
        _ctx: Context,
        channel: serenity::all::ChannelId,
        message: serenity::all::MessageId,
        guild: Option<GuildId>,
    ) {
        if self.ours(guild) {
            transcript::deletion(&self.ctx, channel, message).await;
        }
    }
}

/// Keeps `/healthz` and `hikeshi_gateway_connected` true to the gateway:
/// every quarter second, whether the shard is connected and whether a
/// heartbeat was acknowledged since the last look. serenity reports an
/// acknowledgement only by updating the shard's measured latency, so a
/// new latency is a new acknowledgement. Times are the app's clock's.
pub(super) async fn watch_shards(
    shards: std::sync::Arc<serenity::all::ShardManager>,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) {
    let mut last_latency = None;
    loop {
        let (connected, latency) = {
            let runners = shards.runners.lock().await;
            match runners.values().next() {
                Some(r) => (r.stage == serenity::all::ConnectionStage::Connected, r.latency),
                None => (false, None),
            }
        };
        let now = clock.now();
        metrics.gateway(connected, now);
        if connected && latency.is_some() && latency != last_latency {
            metrics.heartbeat_acked(now);
        }
        last_latency = latency;
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}
