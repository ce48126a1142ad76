//! `/drill start` and `/schedule` (the committee's), as registered.

use crate::config::Settings;
use crate::discord::options::playbook_choice;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

pub const DRILL: &str = "drill";
pub const SCHEDULE: &str = "schedule";

pub fn commands(settings: &Settings) -> Vec<CreateCommand> {
    // §4.1(2): drills, one choice per playbook (Discord allows 25).
    let playbook = playbook_choice(settings, "The playbook to practise", "訓練する対応手順");
    let drill = CreateCommand::new(DRILL)
        .description("Drills of the incident response (committee)")
        .name_localized("ja", "訓練")
        .description_localized("ja", "インシデント対応の訓練（委員会）")
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "start", "Start a drill now")
                .name_localized("ja", "開始")
                .description_localized("ja", "訓練を今すぐ始めます")
                .add_sub_option(playbook),
        );
    let schedule = CreateCommand::new(SCHEDULE)
        .description("What is due next: drills, the annual review, deadlines (committee)")
        .name_localized("ja", "予定")
        .description_localized("ja", "次の訓練・内容の適切性の審議（年１回）・復旧期限（委員会）")
        .dm_permission(false);
    vec![drill, schedule]
}
