//! Permissions as Discord computes them: a member's base permissions from
//! @everyone and their roles, then a channel's overwrites (@everyone, the
//! member's roles, the member), Administrator bypassing all. The fake uses
//! it to refuse what the bot could not do (403 with 50001 Missing Access
//! or 50013 Missing Permissions), and to check that @everyone never sees
//! an incident or archived channel.

use super::ids;
use serde_json::Value;

pub const ADMINISTRATOR: u64 = 1 << 3;
pub const MANAGE_CHANNELS: u64 = 1 << 4;
pub const MANAGE_MESSAGES: u64 = 1 << 13;
pub const VIEW_CHANNEL: u64 = 1 << 10;
pub const SEND_MESSAGES: u64 = 1 << 11;
pub const EMBED_LINKS: u64 = 1 << 14;
pub const ATTACH_FILES: u64 = 1 << 15;
pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
pub const MENTION_EVERYONE: u64 = 1 << 17;
pub const MANAGE_ROLES: u64 = 1 << 28;
pub const MANAGE_THREADS: u64 = 1 << 34;
pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
/// Starting or writing in a thread.
pub const THREADS: u64 = CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS;

/// What the invite URL in the README grants the bot's role (395405552656).
pub const BOT_INVITE: u64 = VIEW_CHANNEL
    | MANAGE_MESSAGES
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | EMBED_LINKS
    | ATTACH_FILES
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_THREADS
    | THREADS;
/// Discord's default for @everyone in a new server: the classic defaults
/// and, since threads came, starting and writing in threads.
pub const EVERYONE_DEFAULT: u64 = 104_324_673 | THREADS;

/// The guild's roles and who holds which.
#[derive(Debug, Clone)]
pub struct Roles {
    /// `(role id, permissions)`; the @everyone role's id is the guild's.
    pub roles: Vec<(u64, u64)>,
    /// `(member, role ids)`.
    pub members: Vec<(u64, Vec<u64>)>,
}

impl Default for Roles {
    fn default() -> Self {
        Roles {
            roles: vec![(ids::GUILD, EVERYONE_DEFAULT), (ids::COMMITTEE_ROLE, 0), (ids::BOT_ROLE, BOT_INVITE)],
            members: vec![(ids::BOT, vec![ids::BOT_ROLE]), (ids::BOB, vec![ids::COMMITTEE_ROLE]), (ids::CAROL, vec![ids::COMMITTEE_ROLE])],
        }
    }
}

fn bits(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())).unwrap_or(0)
}

impl Roles {
    fn roles_of(&self, member: u64) -> Vec<u64> {
        self.members.iter().find(|(m, _)| *m == member).map(|(_, r)| r.clone()).unwrap_or_default()
    }

    fn role_perms(&self, role: u64) -> u64 {
        self.roles.iter().find(|(r, _)| *r == role).map(|(_, p)| *p).unwrap_or(0)
    }

    /// Guild-wide permissions of `member`.
    pub fn base(&self, member: u64) -> u64 {
        let mut p = self.role_perms(ids::GUILD);
        for r in self.roles_of(member) {
            p |= self.role_perms(r);
        }
        if p & ADMINISTRATOR != 0 {
            u64::MAX
        } else {
            p
        }
    }

    /// `member`'s permissions in a channel with these overwrites.
    pub fn in_channel(&self, member: u64, overwrites: &Value) -> u64 {
        let base = self.base(member);
        if base == u64::MAX {
            return base;
        }
        let list = overwrites.as_array().cloned().unwrap_or_default();
        let find = |id: u64| list.iter().find(|o| bits(&o["id"]) == id).map(|o| (bits(&o["allow"]), bits(&o["deny"])));
        let mut p = base;
        if let Some((allow, deny)) = find(ids::GUILD) {
            p = (p & !deny) | allow;
        }
        let (mut allow, mut deny) = (0, 0);
        for r in self.roles_of(member) {
            if let Some((a, d)) = find(r) {
                allow |= a;
                deny |= d;
            }
        }
        p = (p & !deny) | allow;
        if let Some((a, d)) =
            list.iter().find(|o| o["type"] == 1 && bits(&o["id"]) == member).map(|o| (bits(&o["allow"]), bits(&o["deny"])))
        {
            p = (p & !d) | a;
        }
        p
    }

    /// What @everyone (a member with no role) gets in a channel.
    pub fn everyone_in(&self, overwrites: &Value) -> u64 {
        let mut p = self.role_perms(ids::GUILD);
        let list = overwrites.as_array().cloned().unwrap_or_default();
        if let Some(o) = list.iter().find(|o| bits(&o["id"]) == ids::GUILD) {
            p = (p & !bits(&o["deny"])) | bits(&o["allow"]);
        }
        p
    }
}

/// Discord's answer when `have` lacks `need`: none, or 403 with its code.
pub fn refusal(have: u64, need: u64) -> Option<(u16, i64, &'static str)> {
    if have & VIEW_CHANNEL == 0 && need & VIEW_CHANNEL != 0 {
        Some((403, 50001, "Missing Access"))
    } else if have & need != need {
        Some((403, 50013, "Missing Permissions"))
    } else {
        None
    }
}

/// An overwrite may only allow or deny what the bot itself holds there
/// (Discord refuses the rest with 50013).
pub fn grants_only_what_it_has(have: u64, overwrites: &[Value]) -> bool {
    overwrites.iter().all(|o| (bits(&o["allow"]) | bits(&o["deny"])) & !have == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overwrites_apply_everyone_then_roles_then_the_member() {
        let r = Roles::default();
        let hidden = json!([{"id": ids::GUILD.to_string(), "type": 0, "allow": 0, "deny": VIEW_CHANNEL}]);
        assert_eq!(r.everyone_in(&hidden) & VIEW_CHANNEL, 0);
        // The bot's role does not lift a channel's @everyone deny by itself…
        assert_eq!(r.in_channel(ids::BOT, &hidden) & VIEW_CHANNEL, 0);
        assert_eq!(refusal(r.in_channel(ids::BOT, &hidden), VIEW_CHANNEL | SEND_MESSAGES), Some((403, 50001, "Missing Access")));
        // …its own overwrite does.
        let with_bot = json!([
            {"id": ids::GUILD.to_string(), "type": 0, "allow": 0, "deny": VIEW_CHANNEL},
            {"id": ids::BOT.to_string(), "type": 1, "allow": VIEW_CHANNEL | SEND_MESSAGES, "deny": 0}
        ]);
        assert_eq!(refusal(r.in_channel(ids::BOT, &with_bot), VIEW_CHANNEL | SEND_MESSAGES), None);
        let no_embeds = json!([{"id": ids::BOT_ROLE.to_string(), "type": 0, "allow": 0, "deny": EMBED_LINKS}]);
        assert_eq!(refusal(r.in_channel(ids::BOT, &no_embeds), SEND_MESSAGES | EMBED_LINKS), Some((403, 50013, "Missing Permissions")));
    }

    #[test]
    fn administrator_bypasses_overwrites() {
        let mut r = Roles::default();
        r.roles.push((9, ADMINISTRATOR));
        r.members.push((ids::DAVE, vec![9]));
        let hidden = json!([{"id": ids::GUILD.to_string(), "type": 0, "allow": 0, "deny": VIEW_CHANNEL}]);
        assert_eq!(r.in_channel(ids::DAVE, &hidden), u64::MAX);
    }
}
