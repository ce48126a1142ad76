//! Issue 28: sign-ins to the web console. The web adapter talks to
//! Discord's OAuth2 endpoints; this service keeps what a sign-in begun and
//! a sign-in made are, and decides — from the roles the member holds in
//! the configured server — who is signed in as what. The roles are asked
//! of Discord again (through [`Members`], the bot's own view) at most every
//! five minutes; a member who left the server or lost the committee's role
//! is signed out everywhere.

use super::{core::Core, Caller, ServiceError};
use crate::domain::console::{self, Ended, Membership, Recheck, Session};
use crate::domain::{Lang, RoleId, UserId};
use crate::tr;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The server's roles of a member as Discord says them now: `None` when
/// they are not a member. Implemented by the Discord adapter (the bot's
/// REST client, on the one road to Discord).
#[async_trait::async_trait]
pub trait Members: Send + Sync {
    async fn roles_of(&self, user: UserId) -> Result<Option<Vec<RoleId>>, String>;
}

/// Why a sign-in, or a page, could not be given, in the member's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsoleError {
    /// Discord's answer names a sign-in this site did not begin, or one
    /// already finished (a replayed or forged answer).
    #[error("unknown sign-in")]
    UnknownAttempt,
    #[error("sign-in took too long")]
    AttemptExpired,
    #[error("not a member of the server")]
    NotMember,
    /// Discord refused or did not answer during the sign-in.
    #[error("Discord: {0}")]
    Discord(String),
    /// The member's roles are due to be asked again and Discord did not
    /// answer: nothing is shown on roles that may be gone.
    #[error("roles unconfirmed: {0}")]
    RolesUnconfirmed(String),
}

impl ConsoleError {
    pub fn says(&self, lang: Lang) -> String {
        match self {
            ConsoleError::UnknownAttempt => tr!(
                lang,
                "このサインインは完了済みか、このサイトで始めたものではありません。もう一度サインインしてください。",
                "This sign-in was already finished, or was not begun on this site. Please sign in again."
            ),
            ConsoleError::AttemptExpired => {
                tr!(
                    lang,
                    "サインインに時間がかかりすぎました。もう一度サインインしてください。",
                    "The sign-in took too long. Please sign in again."
                )
            }
            ConsoleError::NotMember => tr!(
                lang,
                "このDiscordアカウントは組織のサーバーに参加していません。",
                "This Discord account is not a member of the organisation's server."
            ),
            ConsoleError::Discord(_) => tr!(
                lang,
                "Discordからの応答がありませんでした。しばらくしてからもう一度サインインしてください。",
                "Discord did not answer. Please try signing in again in a moment."
            ),
            ConsoleError::RolesUnconfirmed(_) => tr!(
                lang,
                "Discordでロールを確認できませんでした。しばらくしてから再読み込みしてください。",
                "Your roles could not be confirmed with Discord. Please reload in a moment."
            ),
        }
    }
}

/// A sign-in begun: what goes to Discord's authorisation page.
pub struct Begun {
    pub state: String,
    pub challenge: String,
}

/// A sign-in made: the cookie's value (given once, stored only as a
/// digest) and the sign-in.
pub struct Opened {
    pub cookie: String,
    pub session: Session,
}

#[derive(Clone)]
pub struct Console {
    core: Core,
    members: Option<Arc<dyn Members>>,
}

/// A random token of 32 bytes, base64url (43 characters).
fn token() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|_| ServiceError::Internal("no system randomness"))?;
    Ok(crate::domain::base64::url(&bytes))
}

/// What a sign-in is stored under: the cookie's digest, so that the
/// database alone signs nobody in.
fn key(cookie: &str) -> String {
    hex::encode(Sha256::digest(cookie.as_bytes()))
}

impl Console {
    pub(super) fn new(core: Core) -> Self {
        Console { core, members: None }
    }

    pub(super) fn with_members(mut self, members: Arc<dyn Members>) -> Self {
        self.members = Some(members);
        self
    }

    /// The roles that matter, from the roles a member holds.
    fn membership(&self, roles: Option<&[RoleId]>) -> Membership {
        let d = &self.core.settings.discord;
        match roles {
            None => Membership::NotMember,
            Some(roles) => Membership::Member {
                committee: roles.contains(&d.committee_role),
                it_department: d.it_department_role.is_some_and(|r| r.0 != 0 && roles.contains(&r)),
            },
        }
    }

    /// Begins a sign-in that will go to `next` (a path of this site only).
    pub async fn begin(&self, next: &str) -> Result<Begun, ServiceError> {
        let (state, verifier) = (token()?, token()?);
        let next = console::local_path(next);
        self.core.store.begin_console_attempt(&state, &verifier, next, self.core.clock.now()).await?;
        Ok(Begun { challenge: console::pkce_challenge(&verifier), state })
    }

    /// Discord answered with `state`: the PKCE verifier to redeem the code
    /// with, and where to go after. Once only.
    pub async fn answered(&self, state: &str) -> Result<Result<(String, String), ConsoleError>, ServiceError> {
        let Some((verifier, next, at)) = self.core.store.take_console_attempt(state).await? else {
            return Ok(Err(ConsoleError::UnknownAttempt));
        };
        if self.core.clock.now() - at > console::ATTEMPT_LASTS {
            return Ok(Err(ConsoleError::AttemptExpired));
        }
        Ok(Ok((verifier, next)))
    }

    /// Signs `user` in, holding `roles` in the server (`None`: not a member).
    pub async fn open(&self, user: UserId, roles: Option<&[RoleId]>) -> Result<Result<Opened, ConsoleError>, ServiceError> {
        let Membership::Member { committee, it_department } = self.membership(roles) else {
            return Ok(Err(ConsoleError::NotMember));
        };
        let now = self.core.clock.now();
        let cookie = token()?;
        let session = Session { user, committee, it_department, csrf: token()?, expires: now + console::SIGN_IN_LASTS, checked: now };
        self.core.store.open_console_session(&key(&cookie), &session, now).await?;
        tracing::info!(user = user.0, committee, "signed in to the console");
        Ok(Ok(Opened { cookie, session }))
    }

    /// The sign-in behind `cookie`, its roles asked again when due; `None`
    /// when there is none, it expired or it has just ended.
    pub async fn session(&self, cookie: &str) -> Result<Result<Option<Session>, ConsoleError>, ServiceError> {
        let now = self.core.clock.now();
        let Some(mut s) = self.core.store.console_session(&key(cookie)).await? else { return Ok(Ok(None)) };
        if s.expired(now) {
            return Ok(Ok(None));
        }
        if s.due_check(now) {
            let Some(members) = &self.members else { return Ok(Err(ConsoleError::RolesUnconfirmed("no Discord".into()))) };
            let roles = match members.roles_of(s.user).await {
                Ok(roles) => roles,
                Err(e) => return Ok(Err(ConsoleError::RolesUnconfirmed(e))),
            };
            let verdict = s.recheck(self.membership(roles.as_deref()));
            self.apply(s.user, roles.as_deref()).await?;
            match verdict {
                Recheck::End(_) => return Ok(Ok(None)),
                Recheck::Update { committee, it_department } => (s.committee, s.it_department) = (committee, it_department),
                Recheck::Keep => {}
            }
            s.checked = now;
        }
        Ok(Ok(Some(s)))
    }

    /// The gateway saw `user`'s roles change, or them leave (`None`): their
    /// sign-ins follow at once, not at the next check.
    pub async fn member_changed(&self, user: UserId, roles: Option<&[RoleId]>) -> Result<(), ServiceError> {
        self.apply(user, roles).await
    }

    /// Applies what Discord says of `user` now to each of their open
    /// sign-ins, by the one rule ([`Session::recheck`]).
    async fn apply(&self, user: UserId, roles: Option<&[RoleId]>) -> Result<(), ServiceError> {
        let (now, found) = (self.core.clock.now(), self.membership(roles));
        for (id, s) in self.core.store.console_sessions_of(user).await? {
            match s.recheck(found) {
                Recheck::End(why) => {
                    self.core.store.end_console_sessions(user, Some(&id), why, now).await?;
                    tracing::info!(user = user.0, why = <&str>::from(why), "a console sign-in ended");
                }
                Recheck::Keep => self.core.store.console_checked(&id, s.committee, s.it_department, now).await?,
                Recheck::Update { committee, it_department } => self.core.store.console_checked(&id, committee, it_department, now).await?,
            }
        }
        Ok(())
    }

    /// Signs out the sign-in behind `cookie`.
    pub async fn sign_out(&self, cookie: &str, user: UserId) -> Result<(), ServiceError> {
        self.core.store.end_console_sessions(user, Some(&key(cookie)), Ended::SignedOut, self.core.clock.now()).await?;
        Ok(())
    }

    /// §8: the regulation's text in `lang` (else the other language), for
    /// members — everyone signed in is one.
    pub fn regulation(&self, lang: Lang) -> Option<String> {
        let o = &self.core.settings.organisation;
        let (first, second) = match lang {
            Lang::Ja => (&o.regulation_ja, &o.regulation_en),
            Lang::En => (&o.regulation_en, &o.regulation_ja),
        };
        [first, second].into_iter().flatten().find_map(|p| std::fs::read_to_string(p).ok())
    }

    /// Who the sign-in stands for, to every other service.
    pub fn caller(s: &Session) -> Caller {
        Caller { user: s.user, committee: s.committee, it_department: s.it_department }
    }
}
