//! The application commands, registered for the configured guild with
//! Japanese names and descriptions beside the English ones; each feature
//! defines its own beside its handlers, and this gathers them.

use super::rest::{Rest, RestError};
use crate::config::Settings;
use serenity::all::{ApplicationId, CreateCommand, GuildId, LightMethod, Request, Route};

/// Registers every command for the guild (a bulk overwrite, so a removed
/// command disappears too); returns how many Discord now lists.
pub async fn register(rest: &Rest, application: ApplicationId, guild: GuildId, settings: &Settings) -> Result<usize, RestError> {
    let body = serde_json::to_vec(&all(settings)).map_err(|e| RestError::Transient(e.to_string()))?;
    let route = Route::GuildCommands { application_id: application, guild_id: guild };
    let listed: Vec<serde_json::Value> = rest.json(Request::new(route, LightMethod::Put).body(Some(body))).await?;
    Ok(listed.len())
}

/// Every command, in the order Discord lists them.
pub fn all(settings: &Settings) -> Vec<CreateCommand> {
    let mut all = super::report::commands();
    all.push(super::incident::definition());
    all.push(super::lessons::followups::command_definition());
    all.extend(super::reminders::commands(settings));
    all.extend(super::records::commands());
    all.extend(super::playbook::commands(settings));
    all.extend(super::requests::commands());
    all.push(super::oncall::command());
    all
}
