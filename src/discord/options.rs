//! Command options more than one feature's commands use.

use super::text::clip;
use crate::config::Settings;
use serenity::all::{CommandDataOption, CommandDataOptionValue, CommandOptionType, CreateCommandOption};

/// The options given to a subcommand (none for anything else).
pub fn sub_options(sub: &CommandDataOption) -> &[CommandDataOption] {
    match &sub.value {
        CommandDataOptionValue::SubCommand(o) => o,
        _ => &[],
    }
}

/// A string option by name.
pub fn text<'a>(opts: &'a [CommandDataOption], name: &str) -> Option<&'a str> {
    opts.iter().find(|o| o.name == name).and_then(|o| o.value.as_str())
}

/// A user option by name.
pub fn user(opts: &[CommandDataOption], name: &str) -> Option<crate::domain::UserId> {
    opts.iter().find_map(|o| match o.value {
        CommandDataOptionValue::User(u) if o.name == name => Some(crate::domain::UserId(u.get())),
        _ => None,
    })
}

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
