//! Issue 28: the web console asks the bot who a member is now. The bot's
//! own REST client answers (the one road to Discord, its rate limits
//! kept), and the gateway's news of a member leaving or changing roles
//! reaches their sign-ins at once.

use super::channels::num;
use super::rest::Rest;
use crate::domain::{RoleId, UserId};
use crate::service::Members;
use serenity::all::{GuildId, LightMethod, Request, Route};

/// The configured server's members, as the bot reads them.
pub struct ServerMembers {
    pub(super) rest: Rest,
    pub(super) guild: u64,
}

/// Unknown Member: the user is not in the server.
const UNKNOWN_MEMBER: i64 = 10007;

#[async_trait::async_trait]
impl Members for ServerMembers {
    async fn roles_of(&self, user: UserId) -> Result<Option<Vec<RoleId>>, String> {
        let route = Route::GuildMember { guild_id: GuildId::new(self.guild), user_id: serenity::all::UserId::new(user.0.max(1)) };
        match self.rest.json::<serde_json::Value>(Request::new(route, LightMethod::Get)).await {
            Ok(m) => Ok(Some(m["roles"].as_array().map(|r| r.iter().map(|v| RoleId(num(v))).collect()).unwrap_or_default())),
            Err(e) if e.code() == Some(UNKNOWN_MEMBER) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}
