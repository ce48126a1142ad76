//! Whom a message would notify, as Discord decides it from the content and
//! `allowed_mentions`.

use super::{path_matches, FakeDiscord};
use serde_json::Value;

/// Whom Discord would notify for one message: by its content and its
/// `allowed_mentions`, as Discord decides (embeds and files never ping;
/// without `allowed_mentions` every mention in the content pings).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pings {
    pub everyone: bool,
    pub roles: Vec<u64>,
    pub users: Vec<u64>,
}

/// `<@id>`, `<@!id>` (users) and `<@&id>` (roles) in a text.
fn mentions_in(content: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut users, mut roles) = (vec![], vec![]);
    for (at, _) in content.match_indices("<@") {
        let rest = &content[at + 2..];
        let (is_role, rest) = match rest.strip_prefix('&') {
            Some(r) => (true, r),
            None => (false, rest.strip_prefix('!').unwrap_or(rest)),
        };
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with('>') {
            if let Ok(id) = digits.parse() {
                if is_role {
                    roles.push(id)
                } else {
                    users.push(id)
                }
            }
        }
    }
    (users, roles)
}

pub fn pings_of(message: &Value) -> Pings {
    let content = message["content"].as_str().unwrap_or("");
    let (users, roles) = mentions_in(content);
    let am = message.get("allowed_mentions").filter(|a| !a.is_null());
    let parses = |kind: &str| am.is_none_or(|a| a["parse"].as_array().is_some_and(|p| p.iter().any(|x| x == kind)));
    let listed = |kind: &str, id: u64| {
        am.is_some_and(|a| {
            a[kind].as_array().is_some_and(|l| l.iter().any(|x| x.as_str() == Some(&id.to_string()) || x.as_u64() == Some(id)))
        })
    };
    Pings {
        everyone: (content.contains("@everyone") || content.contains("@here")) && parses("everyone"),
        roles: roles.into_iter().filter(|r| parses("roles") || listed("roles", *r)).collect(),
        users: users.into_iter().filter(|u| parses("users") || listed("users", *u)).collect(),
    }
}

impl FakeDiscord {
    /// Every message the bot sent or edited that would notify someone, with
    /// whom: channel posts and edits, interaction answers, webhook edits.
    pub fn pings(&self) -> Vec<(String, Pings)> {
        self.requests()
            .into_iter()
            .filter(|r| r.status < 300)
            .filter_map(|r| {
                let message = if path_matches("/interactions/*/*/callback", &r.path) { r.body["data"].clone() } else { r.body.clone() };
                let carries = ["/channels/*/messages", "/channels/*/messages/*", "/webhooks/*/*/messages/@original", "/webhooks/*/*"]
                    .iter()
                    .any(|p| path_matches(p, &r.path))
                    || path_matches("/interactions/*/*/callback", &r.path);
                let p = pings_of(&message);
                (carries && p != Pings::default()).then(|| (format!("{} {}", r.method, r.path), p))
            })
            .collect()
    }
}
