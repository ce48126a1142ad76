//! Who can read an incident's channel, computed as Discord computes it,
//! and which of those readers the incident's state allows (issue 25).
//!
//! Discord's rule: a member's base permissions are `@everyone`'s and their
//! roles'; Administrator (or owning the server) gives everything and no
//! overwrite can take it away; then the channel's overwrites apply in
//! order — `@everyone`'s, the member's roles' (denies then allows, all
//! roles together), the member's own. A channel synced with its category
//! carries the category's overwrites as its own, so the channel's list is
//! the whole truth. Threads never widen it: a public thread shows to whoever
//! reads its channel, a private one to a subset of them.

use super::ids::{RoleId, UserId};
use super::incident::Incident;
use super::text::Lang;
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Discord's permission bits this module reads.
pub const VIEW_CHANNEL: u64 = 1 << 10;
pub const ADMINISTRATOR: u64 = 1 << 3;

/// What an overwrite applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Role(RoleId),
    Member(UserId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    pub target: Target,
    pub allow: u64,
    pub deny: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRole {
    pub id: RoleId,
    pub name: String,
    pub permissions: u64,
}

/// The server as the bot last saw it. `members` is `None` without the
/// Server Members intent: then readers are known by role only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The server's id, which is also its `@everyone` role's.
    pub everyone: RoleId,
    pub owner: UserId,
    pub roles: Vec<ServerRole>,
    pub members: Option<BTreeMap<UserId, Vec<RoleId>>>,
}

/// Through what a reader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "through", content = "role", rename_all = "snake_case")]
pub enum Through {
    /// Owns the server: reads every channel, Discord cannot deny it.
    Owner,
    /// Holds a role with Administrator: reads every channel.
    Administrator(RoleId),
    /// What every member gets (`@everyone` not denied, or allowed).
    Everyone,
    /// A role (its overwrite here, or its base permissions).
    Role(RoleId),
    /// The member's own overwrite on the channel.
    Own,
}

impl Through {
    /// Discord lets no channel deny these.
    pub fn reads_every_channel(self) -> bool {
        matches!(self, Through::Owner | Through::Administrator(_))
    }
}

/// Who reads: a member, or (without the members intent) every holder of a
/// role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Who {
    Member(UserId),
    Role(RoleId),
}

/// What the incident's state gives a reader (see `Incident::has_access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Reporter,
    Commander,
    Responder,
    Committee,
    /// 情報システム部, writing the plan (§4.4(1)).
    ItDepartment,
    /// hikeshi itself.
    Bot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reader {
    pub who: Who,
    pub through: Through,
    /// `None`: the incident's state does not let this reader in.
    pub standing: Option<Standing>,
}

impl Reader {
    /// Read by someone the state does not allow, through a way hikeshi's
    /// overwrites can close (not the owner, not an Administrator).
    pub fn is_drift(&self) -> bool {
        self.standing.is_none() && !self.through.reads_every_channel()
    }
}

/// The incident's side of the question: whom its state lets in.
#[derive(Debug, Clone, Copy)]
pub struct Allowed<'a> {
    pub incident: &'a Incident,
    pub committee: RoleId,
    /// 情報システム部's role, where one is configured.
    pub it_department: Option<RoleId>,
    pub bot: UserId,
}

impl Allowed<'_> {
    fn member(&self, user: UserId, roles: &[RoleId]) -> Option<Standing> {
        let i = self.incident;
        if user == self.bot {
            Some(Standing::Bot)
        } else if i.commander == Some(user) {
            Some(Standing::Commander)
        } else if i.responders.contains(&user) {
            Some(Standing::Responder)
        } else if i.has_access(user) {
            Some(Standing::Reporter)
        } else if roles.contains(&self.committee) {
            Some(Standing::Committee)
        } else {
            roles.iter().find_map(|r| self.it_department(*r))
        }
    }

    fn role(&self, role: RoleId) -> Option<Standing> {
        if role == self.committee {
            Some(Standing::Committee)
        } else {
            self.it_department(role)
        }
    }

    /// §4.4(1): the IT department's role, while the incident lets it in.
    fn it_department(&self, role: RoleId) -> Option<Standing> {
        (self.it_department == Some(role) && self.incident.it_department_reads()).then_some(Standing::ItDepartment)
    }
}

impl Server {
    fn role_permissions(&self, role: RoleId) -> u64 {
        self.roles.iter().find(|r| r.id == role).map_or(0, |r| r.permissions)
    }

    /// Through what a member holding `roles` reads a channel with these
    /// overwrites, if they do.
    pub fn reads(&self, user: Option<UserId>, roles: &[RoleId], overwrites: &[Overwrite]) -> Option<Through> {
        if user == Some(self.owner) {
            return Some(Through::Owner);
        }
        if let Some(admin) = roles.iter().find(|r| self.role_permissions(**r) & ADMINISTRATOR != 0) {
            return Some(Through::Administrator(*admin));
        }
        if self.role_permissions(self.everyone) & ADMINISTRATOR != 0 {
            return Some(Through::Administrator(self.everyone));
        }
        let find = |t: Target| overwrites.iter().find(|o| o.target == t);
        // Each layer may turn VIEW_CHANNEL on or off; the last to touch it says why.
        let mut view: Option<Through> = None;
        let granted = |bits: u64| bits & VIEW_CHANNEL != 0;
        if granted(self.role_permissions(self.everyone)) {
            view = Some(Through::Everyone);
        }
        if let Some(r) = roles.iter().find(|r| granted(self.role_permissions(**r))) {
            view = view.or(Some(Through::Role(*r)));
        }
        if let Some(o) = find(Target::Role(self.everyone)) {
            view = if granted(o.deny) { None } else { view };
            view = if granted(o.allow) { Some(Through::Everyone) } else { view };
        }
        let on_roles: Vec<(RoleId, &Overwrite)> = roles.iter().filter_map(|r| Some((*r, find(Target::Role(*r))?))).collect();
        if on_roles.iter().any(|(_, o)| granted(o.deny)) {
            view = None;
        }
        if let Some((r, _)) = on_roles.iter().find(|(_, o)| granted(o.allow)) {
            view = Some(Through::Role(*r));
        }
        if let Some(o) = user.and_then(|u| find(Target::Member(u))) {
            view = if granted(o.deny) { None } else { view };
            view = if granted(o.allow) { Some(Through::Own) } else { view };
        }
        view
    }

    /// Everyone who can read a channel with these overwrites, and what the
    /// incident's state gives each; by member when members are known, else
    /// by role (each role as held alone) and by the members' own overwrites.
    pub fn readers(&self, overwrites: &[Overwrite], allowed: &Allowed<'_>) -> Vec<Reader> {
        let mut out = match &self.members {
            Some(members) => members
                .iter()
                .filter_map(|(u, roles)| {
                    let through = self.reads(Some(*u), roles, overwrites)?;
                    Some(Reader { who: Who::Member(*u), through, standing: allowed.member(*u, roles) })
                })
                .collect(),
            None => self.readers_by_role(overwrites, allowed),
        };
        out.sort();
        out.dedup_by_key(|r| r.who);
        out
    }

    fn readers_by_role(&self, overwrites: &[Overwrite], allowed: &Allowed<'_>) -> Vec<Reader> {
        let mut out: Vec<Reader> = self
            .roles
            .iter()
            .filter_map(|r| {
                let roles: &[RoleId] = if r.id == self.everyone { &[] } else { std::slice::from_ref(&r.id) };
                let through = self.reads(None, roles, overwrites)?;
                Some(Reader { who: Who::Role(r.id), through, standing: allowed.role(r.id) })
            })
            .collect();
        let own = overwrites.iter().filter_map(|o| match o.target {
            Target::Member(u) if o.allow & VIEW_CHANNEL != 0 => Some(u),
            _ => None,
        });
        for u in own.chain(std::iter::once(self.owner)) {
            let through = self.reads(Some(u), &[], overwrites).unwrap_or(Through::Own);
            out.push(Reader { who: Who::Member(u), through, standing: allowed.member(u, &[]) });
        }
        out
    }
}

impl Through {
    /// How a reader reads, in words; `role` names a role.
    pub fn says(self, lang: Lang, role: &dyn Fn(RoleId) -> String) -> String {
        match self {
            Through::Owner => tr!(
                lang,
                "サーバーの所有者（Discord はどのチャンネルでも拒めません）",
                "owns the server (Discord cannot deny it any channel)"
            ),
            Through::Administrator(r) => {
                let r = role(r);
                tr!(
                    lang,
                    "{r} の管理者権限（Discord はどのチャンネルでも拒めません）",
                    "Administrator through {r} (Discord cannot deny it any channel)"
                )
            }
            Through::Everyone => tr!(lang, "@everyone の権限", "what every member may do (@everyone)"),
            Through::Role(r) => {
                let r = role(r);
                tr!(lang, "ロール {r}", "the role {r}")
            }
            Through::Own => tr!(lang, "このチャンネルでの個別の権限設定", "their own permission overwrite on the channel"),
        }
    }
}

impl Standing {
    pub fn says(self, lang: Lang) -> String {
        match self {
            Standing::Reporter => tr!(lang, "報告者", "reporter"),
            Standing::Commander => tr!(lang, "実行責任者", "commander"),
            Standing::Responder => tr!(lang, "対応者", "responder"),
            Standing::Committee => tr!(lang, "委員会", "committee"),
            Standing::ItDepartment => tr!(lang, "情報システム部（再発防止計画）", "IT department (the prevention plan)"),
            Standing::Bot => "hikeshi".to_string(),
        }
    }
}

impl Reader {
    /// "who — standing (through what)", or "who — through what" for an
    /// outsider.
    pub fn says(&self, lang: Lang, name: &dyn Fn(UserId) -> String, role: &dyn Fn(RoleId) -> String) -> String {
        let who = match self.who {
            Who::Member(u) => name(u),
            Who::Role(r) => {
                let r = role(r);
                tr!(lang, "{r} の全員", "everyone with {r}")
            }
        };
        let through = self.through.says(lang, role);
        match self.standing {
            Some(s) => {
                let s = s.says(lang);
                tr!(lang, "{who} — {s}（{through}）", "{who} — {s} ({through})")
            }
            None => format!("{who} — {through}"),
        }
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
