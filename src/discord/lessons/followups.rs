//! §4.4(1) 適切に実施: `/incident followup` adds an action in an incident
//! channel; `/followups` lists the open ones (the committee sees all,
//! anyone else their own) with a Done button each.

use super::render::followup_line;
use crate::discord::custom_id::CustomId;
use crate::discord::options::{sub_options, text, user};
use crate::discord::reply::{ephemeral, Reply};
use crate::discord::text::clip;
use crate::discord::Ctx;
use crate::domain::Lang;
use crate::service::{Caller, ServiceError};
use crate::tr;
use serenity::all::{
    ButtonStyle, CommandDataOption, CommandInteraction, CommandOptionType, CreateActionRow, CreateButton, CreateCommand,
    CreateCommandOption, CreateInteractionResponseMessage,
};

pub const FOLLOWUPS: &str = "followups";

pub fn command_definition() -> CreateCommand {
    CreateCommand::new(FOLLOWUPS)
        .description("Follow-up actions not done yet (§4.4(1)): all for the committee, yours for anyone")
        .name_localized("ja", "フォローアップ")
        .description_localized("ja", "未完了のフォローアップ（§4.4(1)）。委員会はすべて、それ以外は自分の担当分")
        .dm_permission(false)
}

/// The `/incident followup` subcommand.
pub fn subcommand() -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, "followup", "Add a follow-up action of the prevention plan (§4.4(1))")
        .name_localized("ja", "フォローアップ")
        .description_localized("ja", "再発防止計画の対策をフォローアップとして登録します（§4.4(1)）")
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "what", "What is to be done")
                .name_localized("ja", "内容")
                .description_localized("ja", "実施すること")
                .required(true)
                .max_length(crate::domain::followup::MAX_FOLLOWUP as u16),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "due", "Due date, YYYY-MM-DD")
                .name_localized("ja", "期限")
                .description_localized("ja", "期限（YYYY-MM-DD）")
                .required(true)
                .max_length(10),
        )
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::User, "owner", "Who carries it out (default: the committee)")
                .name_localized("ja", "担当")
                .description_localized("ja", "担当者（省略時は委員会）")
                .required(false),
        )
}

/// `/incident followup what due [owner]`.
pub async fn add(ctx: &Ctx, cmd: &CommandInteraction, sub: &CommandDataOption, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let opts = sub_options(sub);
    let text = |name: &str| text(opts, name).unwrap_or("");
    let owner = user(opts, "owner");
    let incident = ctx.incident_here(cmd).await?;
    let i = ctx.app.lessons().add_followup(incident.id, caller, text("what"), owner, text("due")).await?;
    let n = i.lessons.followups.len();
    let number = i.number;
    Ok(ephemeral(tr!(
        lang,
        "{number} のフォローアップ #{n} を登録しました。期限を過ぎると完了まで通知します。",
        "{number} follow-up #{n} added; once due it is reminded until done."
    )))
}

/// `/followups`: the open actions, most urgent first, with Done buttons
/// for the first five.
pub async fn list(ctx: &Ctx, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let open = ctx.app.lessons().open_followups(caller).await?;
    if open.is_empty() {
        return Ok(ephemeral(tr!(lang, "未完了のフォローアップはありません。", "No follow-up action is open.")));
    }
    let now = ctx.app.clock.now();
    let lines: Vec<String> = open.iter().map(|(i, f)| format!("{} {}", i.number, followup_line(f, lang, Some(now)))).collect();
    let buttons: Vec<CreateButton> = open
        .iter()
        .take(5)
        .map(|(i, f)| {
            let (number, n) = (i.number, f.n);
            CreateButton::new(CustomId::FollowUpDone(i.id, i64::from(n)).encode())
                .label(clip(&tr!(lang, "完了: {number} #{n}", "Done: {number} #{n}"), 80))
                .style(ButtonStyle::Success)
        })
        .collect();
    let n = open.len();
    let text = tr!(lang, "未完了のフォローアップ {n}件:\n", "{n} open follow-up action(s):\n") + &lines.join("\n");
    Ok(Reply::message(
        CreateInteractionResponseMessage::new()
            .content(clip(&text, 2000))
            .components(vec![CreateActionRow::Buttons(buttons)])
            .ephemeral(true)
            .allowed_mentions(crate::discord::render::no_mentions()),
    ))
}
