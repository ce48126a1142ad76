//! §6 exceptions, §9 amendments and §8 the regulation on Discord:
//! `/exception request|list`, `/amend`, `/regulation`, the committee's
//! Approve / Deny with a reason, and the delivery of requests and answers.

mod commands;
mod deliver;
pub mod render;

pub use commands::{commands, AMEND, EXCEPTION, REGULATION};

use super::custom_id::CustomId;
use super::forms::{self, Modal, F_BODY, F_REASON, F_SUBJECT, F_TEXT, F_UNTIL};
use super::reply::{self, ephemeral, Reply};
use super::text::{clip, inert};
use super::Ctx;
use crate::domain::request::{RequestBody, RequestKind};
use crate::domain::Lang;
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serenity::all::{CreateAttachment, CreateInteractionResponseMessage};

/// The end of `YYYY-MM-DD` (the last moment of that day) in `tz`.
pub fn parse_day(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?.succ_opt()?;
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.with_timezone(&Utc) - chrono::Duration::seconds(1))
}

/// `/amend` opens the amendment form (§9).
pub fn amend(lang: Lang) -> Reply {
    Modal::new(CustomId::AmendModal, tr!(lang, "規程の変更の申請（§9）", "Amendment request (§9)"), lang).build()
}

/// `/exception request` opens the form (§6).
pub fn exception_request(lang: Lang) -> Reply {
    Modal::new(CustomId::ExceptionModal, tr!(lang, "例外の申請（§6）", "Exception request (§6)"), lang).build()
}

/// `/exception list`: the exceptions in force.
pub async fn exceptions(ctx: &Ctx, lang: Lang) -> Result<Reply, ServiceError> {
    let list = ctx.app.requests().active_exceptions().await?;
    if list.is_empty() {
        return Ok(ephemeral(tr!(lang, "有効な例外はありません。", "No exceptions are in force.")));
    }
    let tz = ctx.app.settings.organisation.tz;
    let lines: Vec<String> = list
        .iter()
        .map(|r| {
            let until = r.until.map(|u| u.with_timezone(&tz).format("%Y-%m-%d").to_string()).unwrap_or_default();
            format!("#{} <@{}> — {} ({})", r.id, r.requester, inert(&r.body.subject), tr!(lang, "{until} まで", "until {until}"))
        })
        .collect();
    Ok(ephemeral(lines.join("\n")))
}

/// §8: the regulation, to members only (this command exists only in the
/// organisation's guild, and answers only there), ephemeral, in the
/// reader's language where both are given.
/// `/regulation howto`: §4.1 周知・徹底 — how any member reports, in
/// their language (members only: the command answers in the server).
pub fn howto(ctx: &Ctx, lang: Lang) -> Reply {
    let role = ctx.app.settings.discord.committee_role;
    ephemeral(tr!(
        lang,
        "🚨 **インシデントの報告のしかた（§4.2）**\nセキュリティインシデントが発生した場合、あるいは発生が疑われる場合は、遅滞なく情報セキュリティ委員会（<@&{role}>）に報告してください。\n1. `/報告 新規` で区分を選び、フォームに件名・何が起きたか・発見日時・影響を受けるシステムを書きます。分からない区分は「不明」で構いません。\n2. 名前を委員会以外に知られたくないときは「匿名」を選べます。\n3. 気になるメッセージは、メッセージのメニュー「インシデントとして報告」からも報告できます。\n4. Discord が使えないとき（停電・天災・端末の紛失など）は、電話や対面で委員会に伝えてください。委員会が代理で登録します。\n5. ご報告いただいたものの状況は `/報告 状況` で確認できます。",
        "🚨 **How to report an incident (§4.2)**\nWhen a security incident happens, or you suspect one, report it to the Information Security Committee (<@&{role}>) without delay.\n1. `/report new`: choose a category and fill in the title, what happened, when you noticed it and the systems affected. “Unsure” is fine.\n2. Choose “confidential” to keep your name from everyone but the committee.\n3. A worrying message can be reported from its menu: “Report as incident”.\n4. When Discord is out of reach (a power cut, a disaster, a lost device), tell the committee by phone or in person; it files the report for you.\n5. `/report status` shows how your reports are going."
    ))
}

pub fn regulation(ctx: &Ctx, lang: Lang) -> Result<Reply, ServiceError> {
    let o = &ctx.app.settings.organisation;
    let (first, second) = match lang {
        Lang::Ja => (&o.regulation_ja, &o.regulation_en),
        Lang::En => (&o.regulation_en, &o.regulation_ja),
    };
    let (path, text) = first
        .as_ref()
        .or(second.as_ref())
        .and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t)))
        .ok_or(InputError::NoRegulationText)?;
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "regulation.md".into());
    let intro = tr!(
        lang,
        "📘 規程（§8: 対象者にのみ公開）。全文は添付ファイルにあります。\n\n",
        "📘 The regulation (§8: for members only). The full text is attached.\n\n"
    );
    Ok(Reply::message(
        CreateInteractionResponseMessage::new()
            .content(clip(&format!("{intro}{text}"), 2000))
            .ephemeral(true)
            .allowed_mentions(super::render::no_mentions()),
    )
    .with_file(CreateAttachment::bytes(text.into_bytes(), format!("regulation-{name}"))))
}

/// Approve / Deny: the committee gives a reason first.
pub fn click(ctx: &Ctx, id: CustomId, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    match id {
        CustomId::Decide(r, yes) => {
            ctx.app.requests().may_decide(caller)?;
            let title = if yes { tr!(lang, "承認", "Approve") } else { tr!(lang, "却下", "Deny") };
            Ok(Modal::new(CustomId::DecideModal(r, yes), title, lang).build())
        }
        _ => reply::refuse(InputError::InvalidControl),
    }
}

/// A request, or a decision on one, came back from its form.
pub async fn submit(ctx: &Ctx, id: CustomId, f: &[(String, String)], caller: Caller, lang: Lang) -> Result<String, ServiceError> {
    let field = |k| forms::value(f, k).to_string();
    Ok(match id {
        CustomId::DecideModal(r, yes) => {
            let id = ctx.app.requests().decide(r, caller, yes, forms::value(f, F_BODY)).await?.id;
            if yes {
                tr!(lang, "#{id} を承認しました。申請者に通知します。", "#{id} approved; the requester is told.")
            } else {
                tr!(lang, "#{id} を却下しました。申請者に通知します。", "#{id} denied; the requester is told.")
            }
        }
        CustomId::ExceptionModal => {
            let until = parse_day(forms::value(f, F_UNTIL), ctx.app.settings.organisation.tz).ok_or(InputError::EndDateFormat)?;
            let body = RequestBody { subject: field(F_SUBJECT), text: field(F_TEXT), reason: String::new() };
            let id = ctx.app.requests().make_request(RequestKind::Exception, caller, body, Some(until)).await?;
            tr!(
                lang,
                "例外申請 #{id} を委員会に送りました。結果はDMでお知らせします（§6）。",
                "Exception request #{id} sent to the committee; you will get the answer by DM (§6)."
            )
        }
        CustomId::AmendModal => {
            let body = RequestBody { subject: field(F_SUBJECT), text: field(F_TEXT), reason: field(F_REASON) };
            let id = ctx.app.requests().make_request(RequestKind::Amendment, caller, body, None).await?;
            tr!(
                lang,
                "変更の申請 #{id} を委員会に送りました。結果はDMでお知らせします（§9）。",
                "Amendment request #{id} sent to the committee; you will get the answer by DM (§9)."
            )
        }
        _ => return reply::refuse(InputError::InvalidForm),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_end_date_lasts_the_whole_local_day() {
        let t = parse_day("2026-12-31", chrono_tz::Asia::Tokyo).unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 12, 31, 14, 59, 59).unwrap());
        assert!(parse_day("31/12/2026", chrono_tz::Asia::Tokyo).is_none());
    }
}
