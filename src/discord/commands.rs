//! The application commands, registered for the configured guild with
//! Japanese names and descriptions beside the English ones; each feature
//! defines its own beside its handlers, and this gathers them.

use crate::config::Settings;
use serenity::all::CreateCommand;

/// Every command, in the order Discord lists them.
pub fn all(settings: &Settings) -> Vec<CreateCommand> {
    let mut all = super::report::commands();
    all.push(super::incident::definition());
    all.push(super::lessons::followups::command_definition());
    all.extend(super::reminders::commands(settings));
    all.extend(super::records::commands(settings));
    all.extend(super::requests::commands());
    all
}
