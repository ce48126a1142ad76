//! `hikeshi doctor`: the checks a real server's set-up needs, against
//! Discord itself, each one line with what to fix. Where people give up on
//! self-hosted bots (ids copied wrong, a category visible to everyone, a
//! missing permission, the Message Content intent off) is said plainly
//! before the first incident finds it.

mod intents;

use super::channels::{num, perms as bits};
use super::rest::{Rest, RestError};
use crate::config::{Secret, Settings};
use crate::domain::Lang;
use crate::tr;
use serde_json::Value;
use serenity::all::{GuildId, LightMethod, Request, Route, UserId};

/// One check's outcome: `ok`, what was checked (or found), and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub what: String,
    pub fix: String,
}

impl Check {
    pub fn pass(what: impl Into<String>) -> Check {
        Check { ok: true, what: what.into(), fix: String::new() }
    }

    pub fn fail(what: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { ok: false, what: what.into(), fix: fix.into() }
    }

    /// `✔ what` or `✘ what — fix`.
    pub fn line(&self) -> String {
        if self.ok {
            format!("✔ {}", self.what)
        } else {
            format!("✘ {} — {}", self.what, self.fix)
        }
    }
}

/// Permissions as Discord computes them: @everyone and the member's roles,
/// then the channel's overwrites (@everyone, roles, the member).
fn permissions(guild: u64, roles: &[Value], member_roles: &[u64], member: u64, overwrites: &[Value]) -> u64 {
    let role_perms = |id: u64| roles.iter().find(|r| num(&r["id"]) == id).map(|r| num(&r["permissions"])).unwrap_or(0);
    let mut p = role_perms(guild);
    for r in member_roles {
        p |= role_perms(*r);
    }
    if p & bits::ADMINISTRATOR != 0 {
        return u64::MAX;
    }
    let find = |id: u64| overwrites.iter().find(|o| num(&o["id"]) == id).map(|o| (num(&o["allow"]), num(&o["deny"])));
    if let Some((a, d)) = find(guild) {
        p = (p & !d) | a;
    }
    let (mut allow, mut deny) = (0, 0);
    for r in member_roles {
        if let Some((a, d)) = find(*r) {
            allow |= a;
            deny |= d;
        }
    }
    p = (p & !deny) | allow;
    if let Some((a, d)) = overwrites.iter().find(|o| o["type"] == 1 && num(&o["id"]) == member).map(|o| (num(&o["allow"]), num(&o["deny"])))
    {
        p = (p & !d) | a;
    }
    p
}

fn missing(have: u64, need: u64) -> Vec<&'static str> {
    bits::names(need & !have)
}

async fn get(rest: &Rest, route: Route<'_>) -> Result<Value, RestError> {
    rest.json(Request::new(route, LightMethod::Get)).await
}

/// Every check against Discord, in order; later checks are skipped (and
/// said so) when an earlier one makes them meaningless.
pub async fn checks(token: &Secret, api_base: &str, s: &Settings, lang: Lang) -> Vec<Check> {
    let rest = super::Discord::rest_only(token, api_base);
    let mut out = vec![];
    let Some(me) = token_accepted(&rest, lang, &mut out).await else {
        return out;
    };
    out.extend(intents::intents(&rest, lang).await);
    let Some(server) = server(&rest, s.discord.guild, me, lang, &mut out).await else {
        return out;
    };
    let role = s.discord.committee_role.0;
    out.push(mentionable(&server, role, Whose::Committee, lang));
    if let Some(it) = s.discord.it_department_role {
        out.push(mentionable(&server, it.0, Whose::ItDepartment, lang));
    }
    out.push(every_channel(&server, lang));
    out.extend(role_order(&server, role, lang));
    for place in places(&s.discord) {
        out.extend(place_checks(&server, &place, lang));
    }
    out.push(room(&server, lang));
    out
}

/// The token: the bot's own id when Discord accepts it.
async fn token_accepted(rest: &Rest, lang: Lang, out: &mut Vec<Check>) -> Option<u64> {
    match get(rest, Route::UserMe).await {
        Ok(me) => {
            let name = me["username"].as_str().unwrap_or("?").to_string();
            out.push(Check::pass(tr!(lang, "トークンが有効です（{name}）", "the token is valid ({name})")));
            Some(num(&me["id"]))
        }
        Err(e) => {
            out.push(Check::fail(
                tr!(lang, "Discord がトークンを受け付けません（{e}）", "Discord refuses the token ({e})"),
                tr!(
                    lang,
                    "Developer Portal の Bot → Reset Token で取り直し、DISCORD_TOKEN に設定してください",
                    "copy it again from the Developer Portal (Bot → Reset Token) into DISCORD_TOKEN"
                ),
            ));
            None
        }
    }
}

/// The server as the bot sees it.
struct Server {
    guild: u64,
    /// The server's owner: reads every channel.
    owner: u64,
    me: u64,
    roles: Vec<Value>,
    channels: Vec<Value>,
    my_roles: Vec<u64>,
}

impl Server {
    /// What `member` (with `member_roles`) may do under `overwrites`.
    fn permissions(&self, member_roles: &[u64], member: u64, overwrites: &[Value]) -> u64 {
        permissions(self.guild, &self.roles, member_roles, member, overwrites)
    }

    fn role(&self, id: u64) -> Option<&Value> {
        self.roles.iter().find(|r| num(&r["id"]) == id)
    }
}

/// The bot in the server, and the server's roles, channels and the bot's
/// own roles.
async fn server(rest: &Rest, gid: u64, me: u64, lang: Lang, out: &mut Vec<Check>) -> Option<Server> {
    let guild = GuildId::new(gid.max(1));
    let found = get(rest, Route::Guild { guild_id: guild }).await;
    if let Err(e) = &found {
        out.push(Check::fail(
            tr!(lang, "ボットがサーバー {gid} に参加していません（{e}）", "the bot is not in server {gid} ({e})"),
            tr!(
                lang,
                "README の招待URLでボットを招待し、[discord] guild_id を確認してください",
                "invite it with the URL in the README and check [discord] guild_id"
            ),
        ));
        return None;
    }
    out.push(Check::pass(tr!(lang, "ボットはサーバー {gid} に参加しています", "the bot is in server {gid}")));
    match (
        get(rest, Route::GuildRoles { guild_id: guild }).await,
        get(rest, Route::GuildChannels { guild_id: guild }).await,
        get(rest, Route::GuildMember { guild_id: guild, user_id: UserId::new(me.max(1)) }).await,
    ) {
        (Ok(r), Ok(c), Ok(m)) => Some(Server {
            guild: gid,
            owner: found.as_ref().map(|g| num(&g["owner_id"])).unwrap_or(0),
            me,
            roles: r.as_array().cloned().unwrap_or_default(),
            channels: c.as_array().cloned().unwrap_or_default(),
            my_roles: m["roles"].as_array().map(|r| r.iter().map(num).collect()).unwrap_or_default(),
        }),
        (r, c, m) => {
            let e = [r.err(), c.err(), m.err()].into_iter().flatten().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            out.push(Check::fail(
                tr!(lang, "サーバーのロールとチャンネルを読めません（{e}）", "cannot read the server's roles and channels ({e})"),
                "—",
            ));
            None
        }
    }
}

/// Issue 25: who reads every channel whatever hikeshi's overwrites say —
/// the owner and every role with Administrator — named, so that the
/// committee knows who they are (not a fault: Discord's rule).
fn every_channel(server: &Server, lang: Lang) -> Check {
    let owner = server.owner;
    let admins: Vec<String> = server
        .roles
        .iter()
        .filter(|r| num(&r["permissions"]) & bits::ADMINISTRATOR != 0 && num(&r["id"]) != server.guild)
        .map(|r| format!("「{}」", r["name"].as_str().unwrap_or("?")))
        .collect();
    let everyone = server.role(server.guild).is_some_and(|r| num(&r["permissions"]) & bits::ADMINISTRATOR != 0);
    if everyone {
        return Check::fail(
            tr!(
                lang,
                "@everyone に管理者権限があり、全員がすべてのインシデントを閲覧できます",
                "@everyone holds Administrator: every member reads every incident"
            ),
            tr!(
                lang,
                "サーバー設定 → ロール → @everyone で管理者を外してください",
                "remove Administrator from @everyone under Server Settings → Roles"
            ),
        );
    }
    let admins = if admins.is_empty() { tr!(lang, "なし", "none") } else { admins.join(" ") };
    Check::pass(tr!(
        lang,
        "すべてのチャンネルを閲覧できる人（Discord では拒めません）: サーバーの所有者 {owner}、管理者権限のあるロール {admins}",
        "who reads every channel (Discord cannot deny them): the server's owner {owner}, roles with Administrator: {admins}"
    ))
}

/// Which role a check is about: the committee's, or 情報システム部's.
#[derive(Clone, Copy)]
enum Whose {
    Committee,
    ItDepartment,
}

impl Whose {
    fn name(self, lang: Lang) -> String {
        match self {
            Whose::Committee => tr!(lang, "委員会ロール", "the committee role"),
            Whose::ItDepartment => tr!(lang, "情報システム部のロール", "the IT department's role"),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Whose::Committee => "committee_role_id",
            Whose::ItDepartment => "it_department_role_id",
        }
    }
}

/// The role exists and can be mentioned (or the bot may mention anything):
/// the committee hears of reports, 情報システム部 of drafted plans.
fn mentionable(server: &Server, role: u64, whose: Whose, lang: Lang) -> Check {
    let base = server.permissions(&server.my_roles, server.me, &[]);
    let (name, key) = (whose.name(lang), whose.key());
    match server.role(role) {
        None => Check::fail(
            tr!(lang, "{name} {role} がありません", "{name} {role} does not exist"),
            tr!(lang, "[discord] {key} を確認するか hikeshi setup を実行してください", "check [discord] {key}, or run hikeshi setup"),
        ),
        Some(r) if r["mentionable"] == true || base & bits::MENTION_EVERYONE != 0 => {
            Check::pass(tr!(lang, "{name}にメンションできます", "{name} can be mentioned"))
        }
        Some(_) => Check::fail(
            tr!(lang, "{name}にメンションできません（通知が届きません）", "{name} cannot be mentioned (nobody would be notified)"),
            tr!(
                lang,
                "サーバー設定 → ロール で「このロールに対して@mentionを許可する」をオンにしてください",
                "turn on \"Allow anyone to @mention this role\" under Server Settings → Roles"
            ),
        ),
    }
}

/// The bot's role above the committee's: Discord lets a member manage
/// (and set overwrites for) only roles below their highest one.
fn role_order(server: &Server, role: u64, lang: Lang) -> Option<Check> {
    let committee = server.role(role)?;
    let position = |r: &Value| r["position"].as_i64().unwrap_or(0);
    let top = server.roles.iter().filter(|r| server.my_roles.contains(&num(&r["id"]))).map(position).max().unwrap_or(0);
    Some(if top > position(committee) {
        Check::pass(tr!(lang, "ボットのロールは委員会ロールより上です", "the bot's role sits above the committee role"))
    } else {
        Check::fail(
            tr!(lang, "ボットのロールが委員会ロールより下にあります", "the bot's role sits below the committee role"),
            tr!(
                lang,
                "サーバー設定 → ロール でボットのロールを委員会ロールより上へドラッグしてください",
                "drag the bot's role above the committee role under Server Settings → Roles"
            ),
        )
    })
}

/// A configured place: its key, id, the kinds of channel it may be,
/// whether it must be hidden from `@everyone`, and what the bot needs there.
struct Place {
    key: &'static str,
    id: u64,
    kinds: &'static [u64],
    private: bool,
    need: u64,
}

fn places(d: &crate::config::DiscordIds) -> [Place; 4] {
    let history = bits::READ_MESSAGE_HISTORY;
    let post = bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::EMBED_LINKS;
    let manage = post | bits::MANAGE_CHANNELS | bits::MANAGE_ROLES | bits::ATTACH_FILES | history | bits::MANAGE_THREADS;
    [
        Place { key: "incident_category_id", id: d.incident_category.0, kinds: &[4], private: true, need: manage },
        Place { key: "archive_category_id", id: d.archive_category.0, kinds: &[4], private: true, need: manage },
        Place {
            key: "committee_channel_id",
            id: d.committee_channel.0,
            kinds: &[0],
            private: true,
            need: post | bits::ATTACH_FILES | history,
        },
        Place { key: "announcement_channel_id", id: d.announcement_channel.0, kinds: &[0, 5], private: false, need: post },
    ]
}

/// One place: it exists and is of its kind, it is private where it must
/// be, and the bot may do there what it needs.
fn place_checks(server: &Server, p: &Place, lang: Lang) -> Vec<Check> {
    let (key, id) = (p.key, p.id);
    let Some(c) = server.channels.iter().find(|c| num(&c["id"]) == id) else {
        return vec![Check::fail(
            tr!(lang, "[discord] {key} = {id} のチャンネルがありません", "[discord] {key} = {id}: no such channel"),
            tr!(
                lang,
                "開発者モードで ID をコピーし直すか hikeshi setup を実行してください",
                "copy the id again (Developer Mode → Copy ID), or run hikeshi setup"
            ),
        )];
    };
    let name = c["name"].as_str().unwrap_or("?").to_string();
    if !p.kinds.contains(&c["type"].as_u64().unwrap_or(99)) {
        let want = if p.kinds == [4] {
            tr!(lang, "カテゴリ", "a category")
        } else {
            tr!(lang, "テキストチャンネル", "a text channel")
        };
        return vec![Check::fail(
            tr!(lang, "[discord] {key} の #{name} は{want}ではありません", "[discord] {key}: #{name} is not {want}"),
            tr!(lang, "{want}の ID を設定してください", "set the id of {want}"),
        )];
    }
    let overwrites = c["permission_overwrites"].as_array().cloned().unwrap_or_default();
    let mut out = vec![];
    if p.private {
        out.push(privacy(server.permissions(&[], 0, &overwrites), &name, lang));
    }
    out.push(bot_may(server.permissions(&server.my_roles, server.me, &overwrites), p.need, &name, lang));
    out
}

/// A private place is hidden from `@everyone` (what `everyone` may do there).
fn privacy(everyone: u64, name: &str, lang: Lang) -> Check {
    if everyone & bits::VIEW_CHANNEL == 0 {
        return Check::pass(tr!(lang, "#{name} は @everyone から隠れています", "#{name} is hidden from @everyone"));
    }
    Check::fail(
        tr!(lang, "#{name} が @everyone に見えています", "#{name} is visible to @everyone"),
        tr!(
            lang,
            "#{name} の権限で @everyone の「チャンネルを見る」を拒否にしてください",
            "deny View Channel to @everyone in #{name}'s permissions"
        ),
    )
}

/// The bot has (`have`) what it needs in a place.
fn bot_may(have: u64, need: u64, name: &str, lang: Lang) -> Check {
    let lack = missing(have, need);
    if lack.is_empty() {
        return Check::pass(tr!(lang, "#{name} でボットに必要な権限があります", "the bot has what it needs in #{name}"));
    }
    let lack = lack.join(", ");
    Check::fail(
        tr!(lang, "#{name} でボットに足りない権限: {lack}", "the bot lacks in #{name}: {lack}"),
        tr!(
            lang,
            "ボットのロール（または #{name} の権限）で許可してください",
            "allow them to the bot's role (or in #{name}'s permissions)"
        ),
    )
}

/// Room for incident channels under Discord's 500 a server (threads apart).
fn room(server: &Server, lang: Lang) -> Check {
    let count = server.channels.iter().filter(|c| !matches!(c["type"].as_u64(), Some(10..=12))).count();
    if count < 480 {
        return Check::pass(tr!(lang, "チャンネル数 {count}/500", "{count} of 500 channels used"));
    }
    Check::fail(
        tr!(lang, "サーバーのチャンネル数が {count}/500 です", "the server has {count} of Discord's 500 channels"),
        tr!(
            lang,
            "書き出し済みのアーカイブなど不要なチャンネルを削除してください",
            "delete channels no longer needed (exported archives, say)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn permissions_follow_roles_then_overwrites_and_administrator_bypasses() {
        let roles = vec![json!({"id": "1", "permissions": "1024"}), json!({"id": "5", "permissions": "2048"})];
        let hide = vec![json!({"id": "1", "type": 0, "allow": "0", "deny": "1024"})];
        assert_eq!(permissions(1, &roles, &[], 9, &[]), 1024);
        assert_eq!(permissions(1, &roles, &[5], 9, &hide), 2048);
        let me = [json!({"id": "9", "type": 1, "allow": "1024", "deny": "0"})];
        assert_eq!(permissions(1, &roles, &[5], 9, &[hide[0].clone(), me[0].clone()]), 1024 | 2048);
        let admin = vec![json!({"id": "1", "permissions": "8"})];
        assert_eq!(permissions(1, &admin, &[], 9, &hide), u64::MAX);
        assert_eq!(missing(1024, bits::VIEW_CHANNEL | bits::SEND_MESSAGES), vec!["Send Messages"]);
    }
}
