//! The server as the gateway shows it — roles, members (with the Server
//! Members intent), each channel's overwrites — kept from GUILD_CREATE and
//! every change after it. It is Discord's state, not hikeshi's: rebuilt at
//! each connection, never stored.

use crate::domain::access::{Overwrite, Server, ServerRole, Target};
use crate::domain::{RoleId, UserId};
use serenity::all::{Guild, GuildChannel, PermissionOverwrite, PermissionOverwriteType, Role};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Default)]
struct State {
    server: Option<Server>,
    /// Counts changes to the server (roles, members): a look that saw this
    /// version need not look at an unchanged channel again.
    version: u64,
    /// The members are still being read (a large server): nobody looks
    /// until they are all known, or a member read late would look new.
    reading_members: bool,
    channels: HashMap<u64, Vec<Overwrite>>,
}

/// Shared by the gateway's handlers (which write) and the watcher and
/// `/incident access` (which read).
#[derive(Clone, Default)]
pub struct Mirror {
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
    /// Whether the bot asked for the Server Members intent (the application
    /// has it enabled): without it, readers are known by role only.
    members: bool,
}

fn overwrite(o: &PermissionOverwrite) -> Option<Overwrite> {
    let target = match o.kind {
        PermissionOverwriteType::Member(u) => Target::Member(UserId(u.get())),
        PermissionOverwriteType::Role(r) => Target::Role(RoleId(r.get())),
        _ => return None,
    };
    Some(Overwrite { target, allow: o.allow.bits(), deny: o.deny.bits() })
}

fn roles(list: &[serenity::all::RoleId]) -> Vec<RoleId> {
    list.iter().map(|r| RoleId(r.get())).collect()
}

fn server_role(r: &Role) -> ServerRole {
    ServerRole { id: RoleId(r.id.get()), name: r.name.clone(), permissions: r.permissions.bits() }
}

impl Mirror {
    pub fn new(members_intent: bool) -> Self {
        Mirror { members: members_intent, ..Mirror::default() }
    }

    pub fn members_known(&self) -> bool {
        self.members
    }

    /// Something changed: the watcher looks again (one wake-up however
    /// many changes come before it looks).
    pub fn changed(&self) -> &Notify {
        &self.changed
    }

    fn change(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.changed.notify_one();
    }

    /// A change to the server itself (a role, a member): every channel is
    /// worth a new look.
    fn server_change(&self, f: impl FnOnce(&mut Server)) {
        self.change(|s| {
            if let Some(server) = s.server.as_mut() {
                f(server);
                s.version += 1;
            }
        });
    }

    /// The whole server, at each connection. True when it is large and its
    /// members must be read apart ([`super::members`]).
    pub fn guild(&self, g: &Guild) -> bool {
        let members = self.members_known().then(|| g.members.values().map(|m| (UserId(m.user.id.get()), roles(&m.roles))).collect());
        let server = Server {
            everyone: RoleId(g.id.get()),
            owner: UserId(g.owner_id.get()),
            roles: g.roles.values().map(server_role).collect(),
            members,
        };
        let channels = g.channels.values().map(|c| (c.id.get(), c.permission_overwrites.iter().filter_map(overwrite).collect())).collect();
        let reading_members = self.members_known() && (g.members.len() as u64) < g.member_count;
        self.change(|s| *s = State { server: Some(server), channels, version: s.version + 1, reading_members });
        reading_members
    }

    /// Every member, read apart (`None`: they could not be read; readers
    /// are then known by role).
    pub fn members(&self, all: Option<std::collections::BTreeMap<UserId, Vec<RoleId>>>) {
        self.change(|s| {
            if let Some(server) = s.server.as_mut() {
                server.members = all;
                s.version += 1;
            }
            s.reading_members = false;
        });
    }

    pub fn role(&self, r: &Role) {
        self.server_change(|server| {
            server.roles.retain(|x| x.id.0 != r.id.get());
            server.roles.push(server_role(r));
        });
    }

    pub fn role_deleted(&self, id: RoleId) {
        self.server_change(|server| server.roles.retain(|x| x.id != id));
    }

    /// A member joined or their roles changed (`None`: they left).
    pub fn member(&self, user: serenity::all::UserId, held: Option<&[serenity::all::RoleId]>) {
        let user = UserId(user.get());
        self.server_change(|server| {
            if let Some(members) = server.members.as_mut() {
                match held {
                    Some(held) => members.insert(user, roles(held)),
                    None => members.remove(&user),
                };
            }
        });
    }

    pub fn channel(&self, c: &GuildChannel) {
        let list = c.permission_overwrites.iter().filter_map(overwrite).collect();
        self.change(|s| {
            s.channels.insert(c.id.get(), list);
        });
    }

    pub fn channel_deleted(&self, id: u64) {
        self.change(|s| {
            s.channels.remove(&id);
        });
    }

    /// The server's version, the server and every channel's overwrites, as
    /// last seen (`None` before the first GUILD_CREATE).
    pub fn snapshot(&self) -> Option<(u64, Server, HashMap<u64, Vec<Overwrite>>)> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.reading_members {
            return None;
        }
        Some((s.version, s.server.clone()?, s.channels.clone()))
    }

    /// The members holding `role`, when the server's members are known.
    pub fn holding(&self, role: crate::domain::RoleId) -> Option<Vec<UserId>> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let members = s.server.as_ref()?.members.as_ref()?;
        Some(members.iter().filter(|(_, roles)| roles.contains(&role)).map(|(u, _)| *u).collect())
    }

    /// Every member but `bot` (hikeshi itself), when the server's members
    /// are known.
    pub fn members_but(&self, bot: UserId) -> Option<Vec<UserId>> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        Some(s.server.as_ref()?.members.as_ref()?.keys().copied().filter(|u| *u != bot).collect())
    }

    /// The server and one channel's overwrites.
    pub fn channel_view(&self, channel: u64) -> Option<(Server, Vec<Overwrite>)> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.reading_members {
            return None;
        }
        Some((s.server.clone()?, s.channels.get(&channel)?.clone()))
    }
}
