//! `/report` and the "Report as incident" context menu, as registered
//! (Japanese names and descriptions beside the English ones).

use crate::domain::{Category, SubKind};
use serenity::all::{CommandOptionType, CommandType, CreateCommand, CreateCommandOption};

pub const REPORT: &str = "report";
/// The message context-menu command (a display name, not a slash name).
pub const REPORT_MESSAGE: &str = "Report as incident";

/// The category (§1), required.
fn category() -> CreateCommandOption {
    let mut category = CreateCommandOption::new(CommandOptionType::String, "category", "What kind of incident (§1)")
        .name_localized("ja", "区分")
        .description_localized("ja", "インシデントの区分（§1）")
        .required(true);
    for c in Category::ALL {
        category = category.add_string_choice_localized(c.label().en, c.id(), [("ja", c.label().ja)]);
    }
    category
}

/// The kind under it, if one fits.
fn kind() -> CreateCommandOption {
    let mut kind = CreateCommandOption::new(CommandOptionType::String, "kind", "The closest example, if one fits")
        .name_localized("ja", "種類")
        .description_localized("ja", "当てはまる例があれば選んでください")
        .required(false);
    for k in SubKind::ALL {
        kind = kind.add_string_choice_localized(k.label().en, k.id(), [("ja", k.label().ja)]);
    }
    kind
}

/// Whose name only the committee knows: `(en, ja)` descriptions.
fn confidential((en, ja): (&str, &str)) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Boolean, "confidential", en)
        .name_localized("ja", "匿名")
        .description_localized("ja", ja)
        .required(false)
}

pub fn commands() -> Vec<CreateCommand> {
    let (category, kind) = (category(), kind());
    let confidential = confidential(("Keep my name from everyone but the committee", "委員会以外に名前を知られないようにする"));
    let new = CreateCommandOption::new(CommandOptionType::SubCommand, "new", "Report a security incident, or a suspected one (§4.2)")
        .name_localized("ja", "新規")
        .description_localized("ja", "セキュリティインシデント（疑いを含む）を報告します（§4.2）")
        .add_sub_option(category)
        .add_sub_option(kind)
        .add_sub_option(confidential);
    let status = CreateCommandOption::new(CommandOptionType::SubCommand, "status", "Your reports, their phase, and messages meant for you")
        .name_localized("ja", "状況")
        .description_localized("ja", "自分の報告とその段階、あなたへのお知らせを表示します");
    let report = CreateCommand::new(REPORT)
        .description("Report a security incident, or see your reports (§4.2)")
        .name_localized("ja", "報告")
        .description_localized("ja", "セキュリティインシデントを報告する・自分の報告を見る（§4.2）")
        .dm_permission(false)
        .add_option(new)
        .add_option(status)
        .add_option(for_someone());

    let context =
        CreateCommand::new(REPORT_MESSAGE).kind(CommandType::Message).name_localized("ja", "インシデントとして報告").dm_permission(false);
    vec![report, context]
}

/// `/report for`: §4.2 reports taken by phone or in person, filed by a
/// committee member for a member or for someone outside the server.
fn for_someone() -> CreateCommandOption {
    let mut via = CreateCommandOption::new(CommandOptionType::String, "via", "How the report came in")
        .name_localized("ja", "受付方法")
        .description_localized("ja", "報告を受けた方法")
        .required(true);
    for v in crate::domain::proxy::Via::ALL {
        via = via.add_string_choice_localized(v.label().en, v.id(), [("ja", v.label().ja)]);
    }
    let member = CreateCommandOption::new(
        CommandOptionType::User,
        "member",
        "The member who reported it (leave out for someone outside the server)",
    )
    .name_localized("ja", "報告者")
    .description_localized("ja", "報告した会員（会員以外の場合は省略し、フォームに氏名を記入）")
    .required(false);
    let confidential =
        confidential(("Keep the reporter's name from everyone but the committee", "委員会以外に報告者の名前を知られないようにする"));
    CreateCommandOption::new(CommandOptionType::SubCommand, "for", "File a report taken by phone or in person (committee, §4.2)")
        .name_localized("ja", "代理")
        .description_localized("ja", "電話・対面などで受けた報告を代理で登録します（委員会、§4.2）")
        .add_sub_option(category())
        .add_sub_option(via)
        .add_sub_option(member)
        .add_sub_option(kind())
        .add_sub_option(confidential)
}
