//! `/exception`, `/amend` and `/regulation` (§6, §9, §8), as registered.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const EXCEPTION: &str = "exception";
pub const AMEND: &str = "amend";
pub const REGULATION: &str = "regulation";

pub fn commands() -> Vec<CreateCommand> {
    let exception = CreateCommand::new(EXCEPTION)
        .description("Exceptions to the regulation (§6)")
        .name_localized("ja", "例外")
        .description_localized("ja", "規程の例外（§6）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "request", "Ask the committee for an exception")
                .name_localized("ja", "申請")
                .description_localized("ja", "委員会に例外を申請します"),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "list", "Exceptions in force")
                .name_localized("ja", "一覧")
                .description_localized("ja", "有効な例外の一覧"),
        );
    let amend = CreateCommand::new(AMEND)
        .description("Ask the committee to change the regulation (§9)")
        .name_localized("ja", "変更申請")
        .description_localized("ja", "規程の変更を委員会に申請します（§9）")
        .dm_permission(false);
    let regulation = CreateCommand::new(REGULATION)
        .description("Read the regulation (§8: members only)")
        .name_localized("ja", "規程")
        .description_localized("ja", "規程を読む（§8: 対象者にのみ公開）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "show", "Read the regulation (§8: members only)")
                .name_localized("ja", "表示")
                .description_localized("ja", "規程の本文を表示します（§8: 対象者にのみ公開）"),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "howto", "How to report an incident (§4.2)")
                .name_localized("ja", "報告のしかた")
                .description_localized("ja", "インシデントの報告のしかた（§4.2）"),
        );
    vec![exception, amend, regulation]
}
