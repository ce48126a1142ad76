//! `/drill start` and `/schedule` (committee).

use super::{ephemeral, failure, Ctx};
use crate::domain::{Lang, PlaybookId};
use crate::service::ServiceError;
use crate::tr;
use serenity::all::{CommandDataOptionValue, CommandInteraction, CreateInteractionResponse};

/// The refusal for anyone outside the committee, `None` for the committee.
fn committee_only(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> Option<CreateInteractionResponse> {
    let caller = ctx.caller(&cmd.user, cmd.member.as_deref());
    (!caller.committee).then(|| {
        let e = ServiceError::Refused(crate::domain::incident::IncidentError::NotAllowed(&[crate::domain::Role::Committee]));
        ephemeral(failure(&e, lang, cmd.data.name.as_str()))
    })
}

/// The `playbook` option of a subcommand (`/drill start`, `/playbook notes`).
fn playbook_option(cmd: &CommandInteraction) -> Option<PlaybookId> {
    cmd.data.options.first().and_then(|sub| match &sub.value {
        CommandDataOptionValue::SubCommand(opts) => {
            opts.iter().find(|o| o.name == "playbook").and_then(|o| o.value.as_str().map(|s| PlaybookId(s.to_string())))
        }
        _ => None,
    })
}

/// `/drill start playbook:<id>`: a practice incident (§4.1(2)).
pub async fn drill(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    let caller = ctx.caller(&cmd.user, cmd.member.as_deref());
    let playbook = playbook_option(cmd);
    let Some(playbook) = playbook else {
        return ephemeral(tr!(lang, "プレイブックを選んでください。", "Choose a playbook."));
    };
    match ctx.app.start_drill(caller, &playbook, &format!("interaction:{}", cmd.id)).await {
        Ok(d) => {
            let number = d.number;
            ephemeral(tr!(
                lang,
                "🧯 訓練 {number} を始めました。チャンネルを用意しています。",
                "🧯 Drill {number} started; its channel is being opened."
            ))
        }
        Err(e) => ephemeral(failure(&e, lang, "drill")),
    }
}

/// `/schedule`: what is due next, in the organisation's time zone.
pub async fn schedule(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    if let Some(refusal) = committee_only(ctx, cmd, lang) {
        return refusal;
    }
    let o = match ctx.app.overview().await {
        Ok(o) => o,
        Err(e) => return ephemeral(failure(&e, lang, "schedule")),
    };
    let s = &ctx.app.settings;
    let tz = s.organisation.tz;
    let local = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()).unwrap_or_else(|| "—".into())
    };
    let (drill, review) = (local(o.next_drill), local(o.next_review));
    let suggestion =
        o.suggested_playbook.as_ref().and_then(|p| s.playbooks.get(p)).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| "—".into());
    let mut text = tr!(
        lang,
        "**次の訓練（§4.1(2)）**: {drill}（おすすめ: {suggestion}）\n**次の年次見直し（§9）**: {review}",
        "**Next drill (§4.1(2))**: {drill} (suggested: {suggestion})\n**Next annual review (§9)**: {review}"
    );
    if !o.unacknowledged.is_empty() {
        let n = o.unacknowledged.len();
        text.push_str(&tr!(lang, "\n**未確認のリマインダー**: {n}件", "\n**Unacknowledged reminders**: {n}"));
    }
    for i in o.deadlines.iter().take(10) {
        let number = i.number;
        let at = local(i.deadline.at());
        text.push_str(&tr!(lang, "\n**{number}** 復旧期限: {at}", "\n**{number}** recovery deadline: {at}"));
    }
    ephemeral(text)
}

/// `/stats [period]`: the committee's figures, drills apart.
pub async fn stats(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    if let Some(refusal) = committee_only(ctx, cmd, lang) {
        return refusal;
    }
    let period = cmd.data.options.iter().find(|o| o.name == "period").and_then(|o| o.value.as_str()).unwrap_or("year");
    let from = match period {
        "month" => ctx.app.period_start(true),
        "all" => chrono::DateTime::<chrono::Utc>::MIN_UTC,
        _ => ctx.app.period_start(false),
    };
    let until = ctx.app.clock.now() + chrono::Duration::seconds(1);
    match ctx.app.stats(from, until).await {
        Ok(s) => {
            let table = crate::records::stats::table(&s, lang);
            ephemeral(format!("```\n{table}```"))
        }
        Err(e) => ephemeral(failure(&e, lang, "stats")),
    }
}

/// `/audit`: §5's checks, now.
pub async fn audit(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    if let Some(refusal) = committee_only(ctx, cmd, lang) {
        return refusal;
    }
    match ctx.app.audit().await {
        Ok(f) => ephemeral(crate::records::audit::report(&f, lang)),
        Err(e) => ephemeral(failure(&e, lang, "audit")),
    }
}

/// `/playbook notes <id>`: every improvement note on a playbook, newest
/// first, from incidents and drills (§4.4(4), §4.1(2)).
pub async fn playbook_notes(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    if let Some(refusal) = committee_only(ctx, cmd, lang) {
        return refusal;
    }
    let id = playbook_option(cmd);
    let Some(id) = id else {
        return ephemeral(tr!(lang, "プレイブックを選んでください。", "Choose a playbook."));
    };
    let incidents = match ctx.app.store.all_incidents().await {
        Ok(i) => i,
        Err(e) => return ephemeral(failure(&e.into(), lang, "playbook notes")),
    };
    let mut lines = vec![];
    for i in incidents.iter().rev() {
        for n in i.lessons.notes.iter().filter(|n| n.playbook.as_ref() == Some(&id)) {
            let (well, missing) = (crate::discord::i18n::inert(&n.went_well), crate::discord::i18n::inert(&n.missing));
            let number = i.number;
            lines.push(tr!(lang, "**{number}** ✅ {well}\n　⚠ {missing}", "**{number}** ✅ {well}\n　⚠ {missing}"));
        }
    }
    let title = ctx.app.settings.playbooks.get(&id).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| id.0.clone());
    if lines.is_empty() {
        return ephemeral(tr!(lang, "「{title}」への改善メモはまだありません。", "No improvement notes on “{title}” yet."));
    }
    let n = lines.len();
    let body = lines.join("\n");
    ephemeral(tr!(lang, "「{title}」への改善メモ {n}件:\n{body}", "{n} improvement note(s) on “{title}”:\n{body}"))
}
