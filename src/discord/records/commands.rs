//! `/stats`, `/playbook notes` and `/audit` (the committee's), as registered.

use crate::config::Settings;
use crate::discord::options::playbook_choice;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const STATS: &str = "stats";
pub const AUDIT: &str = "audit";
pub const PLAYBOOK: &str = "playbook";

pub fn commands(settings: &Settings) -> Vec<CreateCommand> {
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
    let which = playbook_choice(settings, "The playbook", "対象の対応手順");
    let shown = playbook_choice(
        settings,
        "The playbook (committee); default: this incident's",
        "対象（委員会）。省略時はこのインシデントの対応手順",
    )
    .required(false);
    let playbook = CreateCommand::new(PLAYBOOK)
        .description("Playbooks")
        .name_localized("ja", "対応手順")
        .description_localized("ja", "対応手順（プレイブック）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "show",
                "Show a playbook: roles, contacts, triggers, checklists (§4.1(1))",
            )
            .name_localized("ja", "表示")
            .description_localized("ja", "対応手順を表示します: 役割・連絡先・開始/終了の条件・チェックリスト（§4.1(1)）")
            .add_sub_option(shown),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "notes", "Improvement notes on a playbook (§4.4(4))")
                .name_localized("ja", "改善メモ")
                .description_localized("ja", "対応手順への改善メモ（§4.4(4)）")
                .add_sub_option(which),
        );
    let audit = CreateCommand::new(AUDIT)
        .description("Operational checks of §5 (committee)")
        .name_localized("ja", "運用確認")
        .description_localized("ja", "§5の運用確認事項（委員会）")
        .dm_permission(false);
    vec![stats, audit, playbook]
}
