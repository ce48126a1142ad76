//! Discord's OAuth2, for signing in: the authorisation page's address, the
//! code redeemed (with the PKCE verifier), the member read with the
//! member's own token, and that token revoked at once — the console keeps
//! no token of the member's; it asks the bot afterwards.

use crate::config::Secret;
use crate::domain::{RoleId, UserId};
use serde::Deserialize;
use std::time::Duration;

/// The scopes asked: who the member is, and their roles in the server.
pub const SCOPES: &str = "identify guilds.members.read";

pub struct Oauth {
    /// The application's id (the bot's user id, for every application
    /// made since 2019), which is the OAuth2 client id.
    pub client_id: u64,
    pub secret: Secret,
    /// Where REST requests go (`HIKESHI_DISCORD_API`); the authorisation
    /// page is on the same host.
    pub base: String,
    client: reqwest::Client,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

#[derive(Deserialize)]
struct Member {
    user: MemberUser,
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct MemberUser {
    id: String,
}

/// The refusal Discord gives a token whose user is not in the guild.
const UNKNOWN_GUILD: i64 = 10004;

impl Oauth {
    pub fn new(client_id: u64, secret: Secret, base: &str) -> Oauth {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default();
        Oauth { client_id, secret, base: base.trim_end_matches('/').to_string(), client }
    }

    /// Discord's page where the member says yes.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str, challenge: &str) -> String {
        let params = [
            ("response_type", "code"),
            ("client_id", &self.client_id.to_string()),
            ("scope", SCOPES),
            ("state", state),
            ("redirect_uri", redirect_uri),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("prompt", "none"),
        ];
        match reqwest::Url::parse_with_params(&format!("{}/oauth2/authorize", self.base), &params) {
            Ok(url) => url.to_string(),
            Err(_) => format!("{}/oauth2/authorize", self.base),
        }
    }

    /// Redeems `code`, reads who signed in and their roles in `guild`
    /// (`None`: not a member), and revokes the token.
    pub async fn member(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        guild: u64,
    ) -> Result<(UserId, Option<Vec<RoleId>>), String> {
        let token = self.redeem(code, verifier, redirect_uri).await?;
        let read = self.read_member(&token, guild).await;
        self.revoke(&token).await;
        read
    }

    async fn redeem(&self, code: &str, verifier: &str, redirect_uri: &str) -> Result<String, String> {
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri), ("code_verifier", verifier)];
        let resp = self.as_client("/oauth2/token", &form).await.map_err(|e| format!("the token request failed: {}", e.without_url()))?;
        if !resp.status().is_success() {
            return Err(format!("Discord refused the code ({})", resp.status()));
        }
        Ok(resp.json::<Token>().await.map_err(|e| format!("unreadable token: {}", e.without_url()))?.access_token)
    }

    async fn read_member(&self, token: &str, guild: u64) -> Result<(UserId, Option<Vec<RoleId>>), String> {
        let get = |path: String| self.client.get(format!("{}/api/v10{path}", self.base)).bearer_auth(token).send();
        let resp = get(format!("/users/@me/guilds/{guild}/member"))
            .await
            .map_err(|e| format!("reading the member failed: {}", e.without_url()))?;
        if resp.status().as_u16() == 404 {
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            if body["code"].as_i64() != Some(UNKNOWN_GUILD) {
                return Err(format!("reading the member was refused: {body}"));
            }
            // Not in the server: who they are still matters to the log.
            let me: MemberUser = get("/users/@me".into())
                .await
                .map_err(|e| e.without_url().to_string())?
                .json()
                .await
                .map_err(|e| e.without_url().to_string())?;
            return Ok((UserId(me.id.parse().unwrap_or(0)), None));
        }
        if !resp.status().is_success() {
            return Err(format!("reading the member was refused ({})", resp.status()));
        }
        let m: Member = resp.json().await.map_err(|e| format!("unreadable member: {}", e.without_url()))?;
        let roles = m.roles.iter().filter_map(|r| r.parse().ok()).map(RoleId).collect();
        Ok((UserId(m.user.id.parse().map_err(|_| "a member without an id")?), Some(roles)))
    }

    /// A form posted to `path` as the application (its id and secret).
    async fn as_client(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Result<reqwest::Response> {
        self.client
            .post(format!("{}/api/v10{path}", self.base))
            .basic_auth(self.client_id, Some(self.secret.expose()))
            .form(form)
            .send()
            .await
    }

    /// Best effort: a token not revoked expires by itself within a week.
    async fn revoke(&self, token: &str) {
        let form = [("token", token), ("token_type_hint", "access_token")];
        if let Err(e) = self.as_client("/oauth2/token/revoke", &form).await {
            tracing::warn!(error = %e.without_url(), "could not revoke a sign-in's token");
        }
    }
}
