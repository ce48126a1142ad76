//! A large server's members (issue 25). GUILD_CREATE carries every member
//! only up to Discord's large threshold; past it the bot reads them, a
//! thousand a page, with `GET /guilds/{id}/members` (the Server Members
//! intent allows it), in the idle lane so that nothing urgent waits.

use super::super::Ctx;
use crate::domain::{RoleId, UserId};
use serde::Deserialize;
use serenity::all::{GuildId, LightMethod, Request, Route};

/// Discord's largest page of members.
const PAGE: u64 = 1000;

#[derive(Deserialize)]
struct Member {
    user: User,
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

/// Every member of the server, page by page, into the mirror; logged and
/// left by role when Discord refuses.
pub async fn read_all(ctx: Ctx, guild: GuildId) {
    let mut after = 0u64;
    let mut all = std::collections::BTreeMap::new();
    loop {
        let mut req = Request::new(Route::GuildMembers { guild_id: guild }, LightMethod::Get);
        let params = [("limit", PAGE.to_string()), ("after", after.to_string())];
        req = req.params(Some(params.to_vec()));
        let page: Vec<Member> = match ctx.rest.json_in(req, crate::discord::rest::Lane::Idle).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the server's members; who can read an incident is known by role");
                ctx.access.members(None);
                return;
            }
        };
        let n = page.len() as u64;
        for m in page {
            let Ok(id) = m.user.id.parse::<u64>() else { continue };
            after = after.max(id);
            all.insert(UserId(id), m.roles.iter().filter_map(|r| r.parse().ok()).map(RoleId).collect());
        }
        if n < PAGE {
            break;
        }
    }
    tracing::info!(members = all.len(), "read the server's members");
    ctx.access.members(Some(all));
}
