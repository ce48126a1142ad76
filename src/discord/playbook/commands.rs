//! `/playbook show` and `/playbook notes`, as registered.

use crate::config::Settings;
use crate::discord::options::playbook_choice;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const PLAYBOOK: &str = "playbook";

pub fn commands(settings: &Settings) -> Vec<CreateCommand> {
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
            .description_localized("ja", "対応手順を表示します: 役割・連絡先・始動/終了の契機・チェックリスト（§4.1(1)）")
            .add_sub_option(shown),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "notes", "Improvement notes on a playbook (§4.4(4))")
                .name_localized("ja", "改善メモ")
                .description_localized("ja", "対応手順への改善メモ（§4.4(4)）")
                .add_sub_option(which),
        );
    vec![playbook.add_option(choose(settings))]
}

/// `/playbook choose playbook reason`: §4.2, where none fits the kind.
fn choose(settings: &Settings) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::SubCommand, "choose", "Choose this incident's playbook (committee, §4.2)")
        .name_localized("ja", "選択")
        .description_localized("ja", "このインシデントの対応手順を選びます（委員会、§4.2）")
        .add_sub_option(playbook_choice(settings, "The playbook to follow", "従う対応手順"))
        .add_sub_option(
            CreateCommandOption::new(CommandOptionType::String, "reason", "Why this one (kept in the record)")
                .name_localized("ja", "理由")
                .description_localized("ja", "選んだ理由（記録に残ります）")
                .required(true)
                .max_length(500),
        )
}
