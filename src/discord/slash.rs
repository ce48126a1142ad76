//! Every slash command, subcommand and context-menu command hikeshi
//! answers, in one table: an interaction's route is read here once, one
//! exhaustive `match` sends each to its handler, and a test holds the table
//! equal to what is registered with Discord (nothing registered goes
//! unanswered, nothing answered is missing from the registration).

use super::options::sub_options;
use super::reply::Reply;
use super::{access, appi, incident, lessons, oncall, playbook, records, reminders, report, requests, Ctx};
use crate::domain::Lang;
use crate::service::{Caller, InputError, ServiceError};
use serenity::all::{CommandDataOptionValue, CommandInteraction};
use strum::IntoEnumIterator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum Slash {
    ReportNew,
    ReportFor,
    ReportStatus,
    ReportMessage,
    IncidentAdd,
    IncidentRemove,
    IncidentTitle,
    IncidentReclassify,
    IncidentSplit,
    IncidentConfidential,
    IncidentFollowup,
    IncidentAppi,
    IncidentExport,
    IncidentAccess,
    IncidentRedact,
    IncidentRole,
    IncidentPriority,
    IncidentOutage,
    Followups,
    DrillStart,
    Schedule,
    Stats,
    Audit,
    PlaybookShow,
    PlaybookNotes,
    PlaybookChoose,
    ExceptionRequest,
    ExceptionList,
    Amend,
    Regulation,
    RegulationHowto,
    OncallShow,
    OncallAway,
    OncallSwap,
}

impl Slash {
    /// The command's name and, for a subcommand, its name, as registered.
    pub fn path(self) -> (&'static str, Option<&'static str>) {
        use Slash::*;
        let (command, sub) = match self {
            ReportNew => (report::REPORT, "new"),
            ReportFor => (report::REPORT, "for"),
            ReportStatus => (report::REPORT, "status"),
            ReportMessage => (report::REPORT_MESSAGE, ""),
            IncidentAdd => (incident::INCIDENT, "add"),
            IncidentRemove => (incident::INCIDENT, "remove"),
            IncidentTitle => (incident::INCIDENT, "title"),
            IncidentReclassify => (incident::INCIDENT, "reclassify"),
            IncidentSplit => (incident::INCIDENT, "split"),
            IncidentConfidential => (incident::INCIDENT, "confidential"),
            IncidentFollowup => (incident::INCIDENT, "followup"),
            IncidentAppi => (incident::INCIDENT, "appi"),
            IncidentExport => (incident::INCIDENT, "export"),
            IncidentAccess => (incident::INCIDENT, "access"),
            IncidentRedact => (incident::INCIDENT, "redact"),
            IncidentRole => (incident::INCIDENT, "role"),
            IncidentPriority => (incident::INCIDENT, "priority"),
            IncidentOutage => (incident::INCIDENT, "outage"),
            Followups => (lessons::FOLLOWUPS, ""),
            DrillStart => (reminders::DRILL, "start"),
            Schedule => (reminders::SCHEDULE, ""),
            Stats => (records::STATS, ""),
            Audit => (records::AUDIT, ""),
            PlaybookShow => (playbook::PLAYBOOK, "show"),
            PlaybookNotes => (playbook::PLAYBOOK, "notes"),
            PlaybookChoose => (playbook::PLAYBOOK, "choose"),
            ExceptionRequest => (requests::EXCEPTION, "request"),
            ExceptionList => (requests::EXCEPTION, "list"),
            Amend => (requests::AMEND, ""),
            Regulation => (requests::REGULATION, "show"),
            RegulationHowto => (requests::REGULATION, "howto"),
            OncallShow => (oncall::ONCALL, "show"),
            OncallAway => (oncall::ONCALL, "away"),
            OncallSwap => (oncall::ONCALL, "swap"),
        };
        (command, Some(sub).filter(|s| !s.is_empty()))
    }

    /// The route of a command interaction, if hikeshi answers it.
    pub fn of(cmd: &CommandInteraction) -> Option<Slash> {
        let sub = cmd.data.options.first().filter(|o| matches!(o.value, CommandDataOptionValue::SubCommand(_))).map(|o| o.name.as_str());
        Slash::iter().find(|s| s.path() == (cmd.data.name.as_str(), sub))
    }
}

/// Answers a command by its route: one arm a route, so a route without a
/// handler does not compile.
pub async fn answer(ctx: &Ctx, cmd: &CommandInteraction, slash: Slash, caller: Caller, lang: Lang) -> Result<Reply, ServiceError> {
    use Slash::*;
    let sub = || cmd.data.options.first().ok_or(ServiceError::from(InputError::NoSubcommand));
    match slash {
        ReportNew => Ok(report::new(sub_options(sub()?), lang)),
        ReportFor => report::for_someone(ctx, sub_options(sub()?), caller, lang),
        ReportStatus => report::status(ctx, caller, lang).await,
        ReportMessage => Ok(report::from_message(cmd, lang)),
        IncidentAdd => incident::responder(ctx, cmd, sub()?, caller, lang, true).await,
        IncidentRemove => incident::responder(ctx, cmd, sub()?, caller, lang, false).await,
        IncidentTitle => incident::public_title(ctx, cmd, sub()?, caller, lang).await,
        IncidentReclassify => incident::reclassify(ctx, cmd, sub()?, caller, lang).await,
        IncidentSplit => incident::split(ctx, cmd, sub()?, caller, lang).await,
        IncidentConfidential => incident::confidential(ctx, cmd, caller, lang).await,
        IncidentFollowup => lessons::followups::add(ctx, cmd, sub()?, caller, lang).await,
        IncidentAppi => appi::panel_command(ctx, cmd, lang).await,
        IncidentExport => incident::export(ctx, cmd, sub()?, caller, lang).await,
        IncidentAccess => access::show(ctx, cmd, caller, lang).await,
        IncidentRedact => super::transcript::redact::redact(ctx, cmd, sub()?, caller, lang).await,
        IncidentRole => incident::role(ctx, cmd, sub()?, caller, lang).await,
        IncidentPriority => incident::priority(ctx, cmd, sub()?, caller, lang).await,
        IncidentOutage => incident::outage(ctx, cmd, sub()?, caller, lang).await,
        Followups => lessons::followups::list(ctx, caller, lang).await,
        DrillStart => reminders::drill(ctx, cmd, caller, lang).await,
        Schedule => reminders::schedule(ctx, caller, lang).await,
        Stats => records::stats(ctx, cmd, caller, lang).await,
        Audit => records::audit(ctx, caller, lang).await,
        PlaybookShow => playbook::show(ctx, cmd, caller, lang).await,
        PlaybookNotes => playbook::notes(ctx, cmd, caller, lang).await,
        PlaybookChoose => playbook::choose(ctx, cmd, caller, lang).await,
        ExceptionRequest => Ok(requests::exception_request(lang)),
        ExceptionList => requests::exceptions(ctx, lang).await,
        Amend => Ok(requests::amend(lang)),
        Regulation => requests::regulation(ctx, lang),
        RegulationHowto => Ok(requests::howto(ctx, lang)),
        OncallShow => oncall::show(ctx, caller, lang).await,
        OncallAway => oncall::away(ctx, sub()?, caller, lang).await,
        OncallSwap => oncall::swap(ctx, sub()?, caller, lang).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// What is registered: each command, and each of its subcommands.
    fn registered() -> BTreeSet<(String, Option<String>)> {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml"));
        let settings = crate::config::Settings::load(path).unwrap();
        let all = serde_json::to_value(crate::discord::commands::all(&settings)).unwrap();
        let mut out = BTreeSet::new();
        for c in all.as_array().unwrap() {
            let name = c["name"].as_str().unwrap().to_string();
            let subs: Vec<String> = c["options"]
                .as_array()
                .map(|o| o.iter().filter(|o| o["type"] == 1).map(|o| o["name"].as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            if subs.is_empty() {
                out.insert((name, None));
            }
            out.extend(subs.into_iter().map(|s| (c["name"].as_str().unwrap().to_string(), Some(s))));
        }
        out
    }

    #[test]
    fn every_registered_command_has_a_route_and_every_route_is_registered() {
        let routes: BTreeSet<(String, Option<String>)> =
            Slash::iter().map(|s| s.path()).map(|(c, s)| (c.to_string(), s.map(str::to_string))).collect();
        assert_eq!(routes.len(), Slash::iter().count(), "two routes share a path");
        let registered = registered();
        let unanswered: Vec<_> = registered.difference(&routes).collect();
        assert!(unanswered.is_empty(), "registered but answered by nothing: {unanswered:?}");
        let unregistered: Vec<_> = routes.difference(&registered).collect();
        assert!(unregistered.is_empty(), "answered but never registered: {unregistered:?}");
    }

    #[test]
    fn an_interaction_finds_its_route_by_command_and_subcommand() {
        let cmd = |json: serde_json::Value| serde_json::from_value::<CommandInteraction>(json).unwrap();
        let base = |data: serde_json::Value| {
            serde_json::json!({"id": "1", "application_id": "2", "type": 2, "token": "t", "version": 1, "locale": "ja",
                "channel_id": "3", "data": data, "user": {"id": "4", "username": "u", "discriminator": "0", "global_name": null, "avatar": null},
                "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 10485760})
        };
        let sub = |name: &str, sub: &str| {
            base(serde_json::json!({"id": "5", "name": name, "type": 1, "options": [{"name": sub, "type": 1, "options": []}]}))
        };
        assert_eq!(Slash::of(&cmd(sub("incident", "export"))), Some(Slash::IncidentExport));
        assert_eq!(Slash::of(&cmd(sub("exception", "list"))), Some(Slash::ExceptionList));
        assert_eq!(Slash::of(&cmd(base(serde_json::json!({"id": "5", "name": "schedule", "type": 1})))), Some(Slash::Schedule));
        assert_eq!(Slash::of(&cmd(sub("incident", "nonsense"))), None);
        assert_eq!(Slash::of(&cmd(base(serde_json::json!({"id": "5", "name": "incident", "type": 1})))), None);
    }
}
