//! Issue 26 on Discord: `/oncall` — who is on duty now and next; `away`
//! and `swap` record an absence and a swap (the committee's; the service
//! decides).

use super::options::{sub_options, text, user};
use super::reply::{ephemeral, Reply};
use super::Ctx;
use crate::domain::oncall::Duty;
use crate::domain::Lang;
use crate::service::{Caller, InputError, ServiceError};
use crate::tr;
use serenity::all::{CommandDataOption, CommandOptionType, CreateCommand, CreateCommandOption};

pub const ONCALL: &str = "oncall";

fn date(name: &str, description: &str, ja: &str, ja_description: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, description)
        .name_localized("ja", ja)
        .description_localized("ja", ja_description)
        .required(true)
}

pub fn command() -> CreateCommand {
    let member = |required: bool, description: &str, ja: &str| {
        CreateCommandOption::new(CommandOptionType::User, "member", description)
            .name_localized("ja", "委員")
            .description_localized("ja", ja)
            .required(required)
    };
    CreateCommand::new(ONCALL)
        .description("Who of the committee is on duty (committee)")
        .name_localized("ja", "当番")
        .description_localized("ja", "委員会の当番（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "show", "Who is on duty now, and next")
                .name_localized("ja", "表示")
                .description_localized("ja", "今の当番と次の当番"),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "away", "Record an absence: the next in turn is on duty")
                .name_localized("ja", "不在")
                .description_localized("ja", "不在を記録します（その間は次の順番の委員が当番）")
                .add_sub_option(date("from", "From (YYYY-MM-DD or YYYY-MM-DD HH:MM)", "開始", "開始（YYYY-MM-DD または YYYY-MM-DD HH:MM）"))
                .add_sub_option(date("to", "Until (a date: to its end)", "終了", "終了（日付ならその日の終わりまで）"))
                .add_sub_option(member(false, "Who is away (default: you)", "不在の委員（省略時は自分）")),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "swap", "Someone takes duty until the next hand-off")
                .name_localized("ja", "交代")
                .description_localized("ja", "次の引き継ぎまで、指定した委員が当番になります")
                .add_sub_option(member(true, "Who takes duty", "当番になる委員")),
        )
}

/// Who is on duty, as every `/oncall` answer ends.
fn duty_text(d: &Duty, lang: Lang) -> String {
    let who = |u: Option<crate::domain::UserId>| u.map(|u| format!("<@{u}>")).unwrap_or_else(|| tr!(lang, "（なし）", "(nobody)"));
    let (now, next, until) = (who(d.now), who(d.next), crate::discord::render::when(d.until));
    tr!(lang, "**今の当番**: {now}（{until} まで）\n**次の当番**: {next}", "**On duty now**: {now} (until {until})\n**Next**: {next}")
}

pub async fn show(ctx: &Ctx, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    match ctx.app.oncall().duty(caller).await? {
        Some(d) => Ok(ephemeral(duty_text(&d, lang))),
        None => Err(InputError::NoRotation.into()),
    }
}

pub async fn away(ctx: &Ctx, sub: &CommandDataOption, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let o = sub_options(sub);
    let member = user(o, "member").unwrap_or(caller.user);
    let (from, to) = (text(o, "from").unwrap_or(""), text(o, "to").unwrap_or(""));
    let d = ctx.app.oncall().away(caller, member, from, to).await?;
    let head = tr!(lang, "<@{member}> の不在を記録しました。", "Recorded: <@{member}> is away.");
    Ok(ephemeral(format!("{head}\n{}", duty_text(&d, lang))))
}

pub async fn swap(ctx: &Ctx, sub: &CommandDataOption, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    let member = user(sub_options(sub), "member").ok_or(InputError::NoMemberNamed)?;
    let d = ctx.app.oncall().swap(caller, member).await?;
    let head = tr!(lang, "<@{member}> が次の引き継ぎまで当番です。", "<@{member}> is on duty until the next hand-off.");
    Ok(ephemeral(format!("{head}\n{}", duty_text(&d, lang))))
}
