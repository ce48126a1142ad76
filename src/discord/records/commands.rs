//! `/stats` and `/audit` (the committee's), as registered.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const STATS: &str = "stats";
pub const AUDIT: &str = "audit";

pub fn commands() -> Vec<CreateCommand> {
    let stats = CreateCommand::new(STATS)
        .description("Figures per category; drills apart (committee)")
        .name_localized("ja", "統計")
        .description_localized("ja", "区分ごとの件数と所要時間、訓練は別集計（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::String, "period", "Which period")
                .name_localized("ja", "期間")
                .description_localized("ja", "集計する期間")
                .required(false)
                .add_string_choice_localized("This year", "year", [("ja", "今年")])
                .add_string_choice_localized("This month", "month", [("ja", "今月")])
                .add_string_choice_localized("All time", "all", [("ja", "全期間")]),
        );
    let audit = CreateCommand::new(AUDIT)
        .description("Operational checks of §5 (committee)")
        .name_localized("ja", "運用確認")
        .description_localized("ja", "§5の運用確認事項（委員会）")
        .dm_permission(false);
    vec![stats, audit]
}
