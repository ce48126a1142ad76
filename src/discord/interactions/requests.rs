//! `/exception`, `/amend` and `/regulation` (§6, §8, §9).

use super::{ephemeral, failure, Ctx};
use crate::discord::custom_id::CustomId;
use crate::discord::forms::{self, F_REASON, F_SUBJECT, F_TEXT, F_UNTIL};
use crate::discord::i18n::{clip, inert};
use crate::domain::Lang;
use crate::tr;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serenity::all::{
    CommandInteraction, Context, CreateActionRow, CreateAttachment, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateModal, InputTextStyle,
};

/// The end of `YYYY-MM-DD` (the last moment of that day) in `tz`.
pub fn parse_day(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?.succ_opt()?;
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.with_timezone(&Utc) - chrono::Duration::seconds(1))
}

fn input(form: &CustomId, id: &str, label: String, style: InputTextStyle, required: bool) -> CreateActionRow {
    CreateActionRow::InputText(CreateInputText::new(style, clip(&label, 45), id).max_length(forms::max(form, id)).required(required))
}

/// `/exception request` opens the form; `/exception list` shows those in force.
pub async fn exception(ctx: &Ctx, cmd: &CommandInteraction, lang: Lang) -> CreateInteractionResponse {
    match cmd.data.options.first().map(|o| o.name.as_str()) {
        Some("list") => match ctx.app.active_exceptions().await {
            Ok(list) if list.is_empty() => ephemeral(tr!(lang, "有効な例外はありません。", "No exceptions are in force.")),
            Ok(list) => {
                let tz = ctx.app.settings.organisation.tz;
                let lines: Vec<String> = list
                    .iter()
                    .map(|r| {
                        let until = r.until.map(|u| u.with_timezone(&tz).format("%Y-%m-%d").to_string()).unwrap_or_default();
                        format!(
                            "#{} <@{}> — {} ({})",
                            r.id,
                            r.requester,
                            inert(&r.body.subject),
                            tr!(lang, "{until} まで", "until {until}")
                        )
                    })
                    .collect();
                ephemeral(lines.join("\n"))
            }
            Err(e) => ephemeral(failure(&e, lang, "exception list")),
        },
        _ => {
            let form = CustomId::ExceptionModal;
            CreateInteractionResponse::Modal(
                CreateModal::new(form.encode(), clip(&tr!(lang, "例外の申請（§6）", "Exception request (§6)"), 45)).components(vec![
                    input(&form, F_SUBJECT, tr!(lang, "どの規定の例外か", "Which rule"), InputTextStyle::Short, true),
                    input(&form, F_TEXT, tr!(lang, "業務上の理由", "The business reason"), InputTextStyle::Paragraph, true),
                    input(&form, F_UNTIL, tr!(lang, "いつまで（YYYY-MM-DD）", "Until (YYYY-MM-DD)"), InputTextStyle::Short, true),
                ]),
            )
        }
    }
}

/// `/amend` opens the amendment form.
pub fn amend_form(lang: Lang) -> CreateInteractionResponse {
    let form = CustomId::AmendModal;
    CreateInteractionResponse::Modal(
        CreateModal::new(form.encode(), clip(&tr!(lang, "規程の改正の申出（§9）", "Amendment request (§9)"), 45)).components(vec![
            input(&form, F_SUBJECT, tr!(lang, "条項", "Section"), InputTextStyle::Short, true),
            input(&form, F_TEXT, tr!(lang, "改正案", "Proposed change"), InputTextStyle::Paragraph, true),
            input(&form, F_REASON, tr!(lang, "理由", "Why"), InputTextStyle::Paragraph, false),
        ]),
    )
}

/// §8: the regulation, to members only (this command exists only in the
/// organisation's guild, and answers only there), ephemeral, in the
/// reader's language where both are given.
pub async fn regulation(ctx: &Ctx, discord: &Context, cmd: &CommandInteraction, lang: Lang) -> serenity::Result<()> {
    let o = &ctx.app.settings.organisation;
    let (first, second) = match lang {
        Lang::Ja => (&o.regulation_ja, &o.regulation_en),
        Lang::En => (&o.regulation_en, &o.regulation_ja),
    };
    let response = match first.as_ref().or(second.as_ref()).and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t))) {
        None => ephemeral(tr!(
            lang,
            "規程の本文が設定されていません。委員会に連絡してください。",
            "The regulation's text is not configured; please tell the committee."
        )),
        Some((path, text)) => {
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "regulation.md".into());
            let intro = tr!(
                lang,
                "📘 規程（§8: 構成員のみに開示）。全文は添付ファイルにあります。\n\n",
                "📘 The regulation (§8: for members only). The full text is attached.\n\n"
            );
            CreateInteractionResponse::Message(
                CreateInteractionResponseMessage::new()
                    .content(clip(&format!("{intro}{text}"), 2000))
                    .add_file(CreateAttachment::bytes(text.into_bytes(), format!("regulation-{name}")))
                    .ephemeral(true)
                    .allowed_mentions(crate::discord::render::no_mentions()),
            )
        }
    };
    cmd.create_response(&discord.http, response).await
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
