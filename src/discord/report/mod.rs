//! §4.2: `/report`, the "Report as incident" context menu, and the modal
//! both open (one function builds the modal, one handles its submission);
//! the confidential reporter's "Add information" from their DM; and the
//! delivery of what a report sets off — the channel, the card with the
//! committee's ping, the committee notice, the link in the reporter's reply.

mod commands;
mod deliver;
mod status;

pub use status::show as status;
pub mod triage;

pub use commands::{commands, REPORT, REPORT_MESSAGE};

use super::custom_id::{Confidential, CustomId};
use super::forms::{self, Modal, F_BODY, F_TITLE, F_WHAT};
use super::options::text;
use super::render::no_mentions;
use super::reply::{self, ephemeral, failure, Reply};
use super::rest::RestError;
use super::text::clip;
use super::Ctx;
use crate::domain::proxy::{Proxy, Via};
use crate::domain::report::ReportDraft;
use crate::domain::{Category, Lang, SubKind};
use crate::service::{Caller, InputError, ReplyHandle, ServiceError};
use crate::tr;
use serenity::all::{CommandDataOption, CommandInteraction, ModalInteraction};

/// The report form; `prefill` carries a message's text and link.
fn form(category: Category, kind: Option<SubKind>, confidential: bool, lang: Lang, prefill: Option<(String, String)>) -> Reply {
    let id = CustomId::ReportModal(category, kind, Confidential(confidential));
    let mut modal = Modal::new(id, tr!(lang, "インシデントの報告", "Report an incident"), lang);
    if let Some((title, what)) = prefill {
        modal = modal.value(F_TITLE, title).value(F_WHAT, what);
    }
    modal.build()
}

/// `/report new category:<…> [kind:<…>] [confidential]` opens the form.
pub(crate) fn new(opts: &[CommandDataOption], lang: Lang) -> Reply {
    let Some(category) = text(opts, "category").and_then(Category::parse) else {
        return ephemeral(InputError::NoCategoryChosen.text(lang));
    };
    let kind = text(opts, "kind").and_then(SubKind::parse);
    if let Some(k) = kind {
        if k.category() != category {
            return ephemeral(crate::domain::report::FieldError::KindMismatch { kind: k, category }.text(lang));
        }
    }
    let confidential = opts.iter().find(|o| o.name == "confidential").and_then(|o| o.value.as_bool()).unwrap_or(false);
    form(category, kind, confidential, lang, None)
}

/// `/report for category via [member] [kind] [confidential]`: a committee
/// member files a report taken by phone or in person (§4.2) for a member,
/// or for someone outside the server (named in the form).
pub(crate) fn for_someone(ctx: &Ctx, opts: &[CommandDataOption], caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    ctx.app.reports().may_report_for(caller)?;
    let category = text(opts, "category").and_then(Category::parse).ok_or(InputError::NoCategoryChosen)?;
    let kind = text(opts, "kind").and_then(SubKind::parse).filter(|k| k.category() == category);
    let via = text(opts, "via").and_then(Via::parse).unwrap_or(Via::Other);
    let member = super::options::user(opts, "member");
    let confidential = opts.iter().find(|o| o.name == "confidential").and_then(|o| o.value.as_bool()).unwrap_or(false);
    let (how, id) = (via.label().get(lang).to_string(), CustomId::ReportForModal(category, kind, Confidential(confidential), via, member));
    Ok(Modal::new(id, clip(&tr!(lang, "代理で報告（{how}で受付）", "Report taken by {how}"), 45), lang).build())
}

/// "Report as incident" on a message: the same form, prefilled with the
/// message's text, author and link, as a suspected ("unsure") incident.
pub fn from_message(cmd: &CommandInteraction, lang: Lang) -> Reply {
    let target = cmd.data.target_id.and_then(|t| cmd.data.resolved.messages.get(&t.to_message_id()));
    let Some(msg) = target else {
        return ephemeral(InputError::UnreadableMessage.text(lang));
    };
    let guild = cmd.guild_id.map(|g| g.get().to_string()).unwrap_or_else(|| "@me".into());
    let link = format!("https://discord.com/channels/{guild}/{}/{}", msg.channel_id, msg.id);
    let author = msg.author.id;
    let first_line = msg.content.lines().next().unwrap_or("").to_string();
    let title = if first_line.trim().is_empty() { tr!(lang, "不審なメッセージ", "Suspicious message") } else { first_line };
    let quoted: String = msg.content.lines().map(|l| format!("> {l}\n")).collect();
    let body = tr!(lang, "<@{author}> のメッセージ {link}\n{quoted}", "Message by <@{author}> {link}\n{quoted}");
    form(Category::Unsure, None, false, lang, Some((title, body)))
}

/// While the database cannot be reached, a report is held and retried this
/// long: the interaction's token, which edits the answer, lives 15 minutes.
const KEEP_TRYING: std::time::Duration = std::time::Duration::from_secs(10 * 60);
const RETRY_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

fn transient(result: &Result<crate::service::Reported, ServiceError>) -> bool {
    matches!(result, Err(e) if e.is_transient())
}

/// The form came back: store the report first, then answer — at once when
/// the database is quick, else with a deferred answer edited in once the
/// report is stored. While the database is unreachable the report is held
/// and retried, and the reporter is told so (with their text, in case).
pub async fn submit(ctx: &Ctx, m: &ModalInteraction, form: CustomId, lang: Lang) -> Result<(), RestError> {
    let asked = reply::Asked::new(m.id, &m.token, m.application_id);
    let fields = forms::submitted(&m.data);
    let draft = match form {
        CustomId::ReportModal(category, kind, confidential) => forms::report_draft(category, kind, confidential, &fields),
        CustomId::ReportForModal(category, kind, confidential, via, member) => {
            let outsider = forms::value(&fields, forms::F_FROM).to_string();
            ReportDraft { proxy: Some(Proxy { via, member, outsider }), ..forms::report_draft(category, kind, confidential, &fields) }
        }
        _ => return Ok(()),
    };
    // The committee is never held by the flood guard.
    let caller = super::reply::caller(&ctx.app.settings.discord, &m.user, m.member.as_ref());
    let reply = ReplyHandle { application_id: m.application_id.get(), token: m.token.clone(), asked_at: Some(ctx.app.clock.now()) };
    let source = format!("interaction:{}", m.id);
    let store = ctx.app.reports().report(&draft, caller, &source, Some(reply.clone()));
    tokio::pin!(store);
    let result = match tokio::time::timeout(reply::ANSWER_WITHIN, &mut store).await {
        Ok(result) if !transient(&result) => {
            return reply::answer_now(&ctx.rest, asked, ephemeral(answer(result, &draft, lang))).await;
        }
        Ok(result) => {
            reply::answer_now(&ctx.rest, asked, reply::deferred()).await?;
            result
        }
        Err(_) => {
            tracing::warn!("the database is slow; deferring the report's answer");
            reply::answer_now(&ctx.rest, asked, reply::deferred()).await?;
            store.await
        }
    };
    keep_trying(ctx, m, Submitted { draft: &draft, caller, source: &source, reply: &reply }, result, lang).await
}

/// A report as the reporter submitted it, and where its reply is.
struct Submitted<'a> {
    draft: &'a crate::domain::report::ReportDraft,
    caller: Caller,
    source: &'a str,
    reply: &'a ReplyHandle,
}

/// The database is away: the report is held (on disk first) and retried
/// for ten minutes, the reporter's reply edited to say so, then to say how
/// it ended.
async fn keep_trying(
    ctx: &Ctx,
    m: &ModalInteraction,
    sub: Submitted<'_>,
    mut result: Result<crate::service::Reported, ServiceError>,
    lang: Lang,
) -> Result<(), RestError> {
    let edit = |text: String| {
        let body = serenity::all::EditInteractionResponse::new().content(clip(&text, 2000)).allowed_mentions(no_mentions());
        async move { reply::edit_original(&ctx.rest, m.application_id, &m.token, &body).await }
    };
    // By the app's clock, as the token's life is judged: the last edit of
    // this reply comes well within its 15 minutes.
    let deadline = ctx.app.clock.now() + chrono::Duration::from_std(KEEP_TRYING).unwrap_or_default();
    let mut told = false;
    // Storing is idempotent (keyed by the interaction), so a retry after an
    // attempt whose commit did land finds that incident instead of a second.
    while transient(&result) && ctx.app.clock.now() < deadline {
        if !told {
            told = true;
            tracing::warn!("the database cannot be reached; holding a report and retrying");
            // On disk first (fsynced), then the promise: a stop now loses nothing.
            let kept = ctx.app.reports().hold_report(sub.draft, sub.caller, sub.source, Some(sub.reply.clone())).await;
            ctx.held.lock().unwrap_or_else(|e| e.into_inner()).insert(
                sub.source.to_string(),
                HeldReply { application: m.application_id.get(), token: m.token.clone(), typed: typed(sub.draft), kept, lang },
            );
            edit(held(sub.draft, kept, lang)).await?;
        }
        tokio::time::sleep(RETRY_EVERY).await;
        result = ctx.app.reports().report(sub.draft, sub.caller, sub.source, Some(sub.reply.clone())).await;
    }
    let kept = ctx.held.lock().unwrap_or_else(|e| e.into_inner()).remove(sub.source).is_some_and(|h| h.kept);
    if result.is_ok() {
        ctx.app.reports().forget_held(sub.source).await;
    } else if kept && transient(&result) {
        // Still away after ten minutes: the copy on disk is stored as soon
        // as the database is back (by this process or the next).
        return edit(still_held(sub.draft, lang)).await.map(|_| ());
    }
    edit(answer(result, sub.draft, lang)).await.map(|_| ())
}

/// A report held while the database is away, for the reply's last word if
/// the process stops first.
#[derive(Debug, Clone)]
pub struct HeldReply {
    pub application: u64,
    pub token: String,
    /// The reporter's text, as given back to them.
    pub typed: String,
    /// Kept on disk (it will be stored after a restart).
    pub kept: bool,
    pub lang: Lang,
}

/// What a held report's reply says when hikeshi stops before storing it.
pub fn stopping(h: &HeldReply) -> String {
    let echo = &h.typed;
    if h.kept {
        tr!(
            h.lang,
            "⏳ hikeshi が再起動のため停止しました。ご報告いただいた内容はこのサーバーのディスクに保持しており、再開してデータベースに接続できしだい保存します（二重には保存されません）。\n\n入力内容:\n{echo}",
            "⏳ hikeshi stopped for a restart. Your report is kept on this server's disk and will be stored once it is back and the database answers (never twice).\n\nWhat you wrote:\n{echo}"
        )
    } else {
        tr!(
            h.lang,
            "⚠ hikeshi が停止したため、報告を保存できませんでした。お手数ですが、少し待ってからもう一度報告してください。\n\n入力内容（控えてください）:\n{echo}",
            "⚠ hikeshi stopped before your report could be stored, and it could not be kept. Please report again in a little while.\n\nWhat you wrote (keep a copy):\n{echo}"
        )
    }
}

/// Ten minutes on, the database is still away; the report is on disk.
fn still_held(draft: &ReportDraft, lang: Lang) -> String {
    let echo = typed(draft);
    tr!(
        lang,
        "⏳ データベースにまだ接続できません。ご報告いただいた内容はディスクに保持しており、接続でき次第保存します。委員会への通知もその時に届きます。\n\n入力内容:\n{echo}",
        "⏳ The database still cannot be reached. Your report is kept on disk and will be stored as soon as it answers; the committee is alerted then.\n\nWhat you wrote:\n{echo}"
    )
}

/// The reporter's title and text, given back while (or because) the report
/// is not stored.
fn typed(draft: &ReportDraft) -> String {
    super::text::fenced(&format!("{}\n{}", draft.title, draft.description))
}

/// What the reporter sees while their report waits for the database.
fn held(draft: &ReportDraft, kept: bool, lang: Lang) -> String {
    let echo = typed(draft);
    if kept {
        tr!(
            lang,
            "⏳ データベースに接続できません。報告をこのサーバーのディスクに保持し、保存を再試行しています。hikeshi が再起動しても失われません。保存されるとこのメッセージが変わります。\n\n入力内容:\n{echo}",
            "⏳ The database cannot be reached. hikeshi is holding your report on this server's disk and retrying; it survives a restart. This message changes once it is stored.\n\nWhat you wrote:\n{echo}"
        )
    } else {
        tr!(
            lang,
            "⏳ データベースに接続できません。報告を保持して保存を再試行しています。保存されるとこのメッセージが変わります。\n\n入力内容（念のため控えてください）:\n{echo}",
            "⏳ The database cannot be reached. hikeshi is holding your report and retrying; this message changes once it is stored.\n\nWhat you wrote (keep a copy, just in case):\n{echo}"
        )
    }
}

/// What the reporter is told.
fn answer(result: Result<crate::service::Reported, ServiceError>, draft: &ReportDraft, lang: Lang) -> String {
    match result {
        Ok(r) if r.incident.held => {
            let number = r.incident.number;
            tr!(
                lang,
                "✅ ご報告いただいた内容を {number} として保存しました。短い時間に多くの報告をいただいたため、委員会が確認してから対応チャンネルを開きます。報告が失われることはありません。",
                "✅ Your report is stored as {number}. You have sent many reports in a short time, so the committee reviews this one before its channel opens. Nothing is lost."
            )
        }
        Ok(crate::service::Reported { incident, joined: Some(into), .. }) => {
            let number = incident.number;
            if incident.confidential {
                tr!(
                    lang,
                    "🔒 ご報告いただいた内容を {number} として匿名（報告者を秘匿）で受け付けました。同じ事象の {into} にまとめて対応します。お名前は委員会にしか知らされません。進捗はDMでお知らせします。",
                    "🔒 Reported confidentially as {number}. The same thing is already being handled as {into}; your report joins it. Only the committee knows it was you; you will hear of progress by DM."
                )
            } else {
                tr!(
                    lang,
                    "✅ ご報告いただいた内容を {number} として受け付けました。同じ事象の報告がすでにあるため {into} にまとめ、そちらのチャンネルで一緒に対応します（このメッセージにリンクが表示されます）。",
                    "✅ Reported as {number}. The same thing is already being handled as {into}: your report joins it, and you join its channel (this message will show its link)."
                )
            }
        }
        Ok(r) if r.incident.confidential => {
            let number = r.incident.number;
            tr!(
                lang,
                "🔒 ご報告いただいた内容を {number} として匿名（報告者を秘匿）で受け付けました。お名前は委員会にしか知らされません。進捗はDMでお知らせし、そこから情報を追加できます。",
                "🔒 Reported confidentially as {number}. Only the committee knows it was you. You will hear of progress by DM, and can add information from there."
            )
        }
        Ok(r) => {
            let number = r.incident.number;
            tr!(
                lang,
                "✅ ご報告いただいた内容を {number} として受け付けました。委員会に通知しました。対応チャンネルを用意しています（用意ができるとこのメッセージにリンクが表示されます）。",
                "✅ Reported as {number}. The committee has been alerted. Your incident channel is being opened (this message will show its link)."
            )
        }
        Err(e) => {
            // Nothing was stored: give the reporter their text back.
            let why = failure(&e, lang, "report");
            let echo = typed(draft);
            tr!(
                lang,
                "⚠ 報告は保存されていません。\n{why}\n\n入力内容:\n{echo}",
                "⚠ The report was not saved.\n{why}\n\nWhat you wrote:\n{echo}"
            )
        }
    }
}

/// "Add information" in the confidential reporter's DM opens its form.
pub fn add_info_click(id: CustomId, lang: Lang) -> Result<Reply, ServiceError> {
    match id {
        CustomId::AddInfo(i) => {
            Ok(Modal::new(CustomId::AddInfoModal(i), tr!(lang, "情報を追加（匿名）", "Add information (confidential)"), lang).build())
        }
        _ => reply::refuse(InputError::InvalidControl),
    }
}

/// The confidential reporter's information, passed on without their name.
pub async fn submit_info(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    match id {
        CustomId::AddInfoModal(i) => {
            ctx.app.incidents().add_info(i, caller, forms::value(f, F_BODY)).await?;
            Ok(tr!(
                lang,
                "ありがとうございます。名前を伏せて対応チャンネルに伝えました。",
                "Thank you; it was passed to the incident channel without your name."
            ))
        }
        _ => reply::refuse(InputError::InvalidForm),
    }
}
