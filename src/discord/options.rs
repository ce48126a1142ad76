//! Command options more than one feature's commands use.

use super::text::clip;
use crate::config::Settings;
use serenity::all::{CommandOptionType, CreateCommandOption};

/// A required `playbook` option, one choice per playbook (Discord allows 25).
pub fn playbook_choice(settings: &Settings, description: &str, description_ja: &str) -> CreateCommandOption {
    let mut option = CreateCommandOption::new(CommandOptionType::String, "playbook", description)
        .name_localized("ja", "対応手順")
        .description_localized("ja", description_ja)
        .required(true);
    for p in settings.playbooks.all().iter().take(25) {
        option = option.add_string_choice_localized(clip(&p.title.en, 100), p.id.0.clone(), [("ja", clip(&p.title.ja, 100))]);
    }
    option
}
