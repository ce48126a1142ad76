//! The triage post: reports held by the flood guard (one member past the
//! hourly limit of channels) wait here, in one message of the committee
//! channel edited in place, for the committee to open their channel, merge
//! them into another incident, or dismiss them. The committee is pinged
//! about them at most once per `triage_ping_every` (decided when stored).

use crate::discord::custom_id::CustomId;
use crate::discord::deliver::{nonce, rest_err, DiscordEffects};
use crate::discord::forms::Modal;
use crate::discord::render::no_mentions;
use crate::discord::reply::{self, ephemeral, Reply};
use crate::discord::text::{clip, inert};
use crate::discord::Ctx;
use crate::domain::effect::OutboxItem;
use crate::domain::{Action, Incident, IncidentId, Lang};
use crate::runner::DeliveryError;
use crate::service::{Caller, Delivered, InputError, ServiceError};
use crate::tr;
use serenity::all::{
    ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateEmbed, CreateMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, EditMessage,
};

/// At most this many held reports are listed (a select holds 25).
const LISTED: usize = 25;

/// The post's text and selects for the reports held now.
fn post(held: &[Incident], lang: Lang) -> (CreateEmbed, Vec<CreateActionRow>) {
    let title = tr!(lang, "トリアージ待ちの報告", "Reports held for triage");
    if held.is_empty() {
        let none = tr!(lang, "保留中の報告はありません。", "No report is held.");
        return (CreateEmbed::new().title(title).description(none).colour(0x95a5a6), vec![]);
    }
    let lines: Vec<String> = held
        .iter()
        .take(LISTED)
        .map(|i| {
            let who = if i.confidential { tr!(lang, "🔒 匿名", "🔒 confidential") } else { format!("<@{}>", i.reporter) };
            format!("**{}** {} — {}", i.number, inert(&clip(&i.title, 80)), who)
        })
        .collect();
    let n = held.len();
    let mut text = tr!(
        lang,
        "同じ会員から短時間に多くの報告があったため、次の{n}件はチャンネルを開かずに保留しています。内容を確認して、開く・統合する・取り下げるを選んでください。\n",
        "One member sent many reports in a short time, so these {n} are held without a channel. Review them and open, merge or dismiss each.\n"
    );
    text.push_str(&lines.join("\n"));
    if n > LISTED {
        let more = n - LISTED;
        text.push_str(&tr!(lang, "\n…ほか{more}件（古い順に表示）", "\n…and {more} more (oldest first)"));
    }
    let options = || {
        held.iter()
            .take(LISTED)
            .map(|i| CreateSelectMenuOption::new(clip(&format!("{} {}", i.number, i.title), 100), i.id.0.to_string()))
            .collect::<Vec<_>>()
    };
    let select = |id: CustomId, placeholder: String| {
        CreateActionRow::SelectMenu(
            CreateSelectMenu::new(id.encode(), CreateSelectMenuKind::String { options: options() })
                .placeholder(placeholder)
                .min_values(1)
                .max_values(1),
        )
    };
    let rows = vec![
        select(CustomId::TriageOpen, tr!(lang, "チャンネルを開く…", "Open its channel…")),
        select(CustomId::TriageMerge, tr!(lang, "別のインシデントに統合…", "Merge into…")),
        select(CustomId::TriageDismiss, tr!(lang, "インシデントではないとして取り下げ…", "Dismiss as not an incident…")),
    ];
    (CreateEmbed::new().title(title).description(clip(&text, 4096)).colour(0xe67e22), rows)
}

impl DiscordEffects {
    pub(crate) async fn refresh_triage(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let s = &self.app.settings;
        let held = self.app.reports().held_reports().await?;
        let (embed, rows) = post(&held, s.organisation.lang);
        if let Some(id) = self.app.reports().triage_message().await? {
            let edit = EditMessage::new().embed(embed.clone()).components(rows.clone()).allowed_mentions(no_mentions());
            match self.edit(s.discord.committee_channel, id, edit).await {
                Ok(()) => return Ok(Delivered::Done),
                // Deleted by someone: post it again.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(rest_err(e)),
            }
        }
        if held.is_empty() {
            return Ok(Delivered::Done);
        }
        let msg = CreateMessage::new().embed(embed).components(rows).allowed_mentions(no_mentions());
        let m = self.post(s.discord.committee_channel, msg, &nonce(item)).await?;
        self.app.reports().remember_triage_message(m).await?;
        Ok(Delivered::Done)
    }

    /// One ping for the reports held in a window, pointing at the post.
    pub(crate) async fn ping_triage(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let lang = self.app.settings.organisation.lang;
        let n = self.app.reports().held_reports().await?.len();
        if n == 0 {
            return Ok(Delivered::Done);
        }
        let text = tr!(
            lang,
            "⚠ 保留中の報告が{n}件あります。このチャンネルのトリアージの投稿で確認してください。",
            "⚠ {n} report(s) are held for triage: see the triage post in this channel."
        );
        self.ping_committee(&text, &nonce(item)).await?;
        Ok(Delivered::Done)
    }
}

/// The incident chosen in a triage select.
fn chosen(c: &ComponentInteraction) -> Result<IncidentId, ServiceError> {
    match &c.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => {
            values.first().and_then(|v| v.parse().ok()).map(IncidentId).ok_or(InputError::NoItemChosen.into())
        }
        _ => Err(InputError::NoItemChosen.into()),
    }
}

/// A choice on the triage post. Every one is the committee's (checked by
/// the service against the stored incident).
pub async fn click(ctx: &Ctx, c: &ComponentInteraction, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let app = &ctx.app;
    let incident = chosen(c)?;
    Ok(match id {
        CustomId::TriageOpen => {
            let number = app.reports().release(incident, caller).await?.number;
            ephemeral(tr!(lang, "{number} の対応チャンネルを開きます。", "Opening the channel of {number}."))
        }
        CustomId::TriageMerge => {
            app.incidents().may(incident, caller, Action::MarkDuplicate).await?;
            Modal::new(CustomId::DuplicateModal(incident), tr!(lang, "重複として閉じる", "Close as duplicate"), lang).build()
        }
        CustomId::TriageDismiss => {
            app.incidents().may(incident, caller, Action::Dismiss).await?;
            Modal::new(CustomId::DismissModal(incident), tr!(lang, "インシデントではない", "Not an incident"), lang).build()
        }
        _ => return reply::refuse(InputError::InvalidControl),
    })
}
