//! Issue 28: the web console's sign-ins, as rules. A member signs in with
//! Discord; what they may read is decided by the same permission rules as
//! in Discord, from the roles they hold in the server, and those roles are
//! looked at again at most every [`RECHECK_EVERY`]: a member who left the
//! server or lost the committee's role is signed out everywhere.

use super::UserId;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// A sign-in lasts a working day; then the member signs in again.
pub const SIGN_IN_LASTS: Duration = Duration::hours(8);
/// The member's roles are asked of Discord again after this long.
pub const RECHECK_EVERY: Duration = Duration::minutes(5);
/// A sign-in begun and not finished within this long is refused.
pub const ATTEMPT_LASTS: Duration = Duration::minutes(10);

/// What the server says of a member: which of the roles that matter to
/// hikeshi they hold, or that they are not a member at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Member { committee: bool, it_department: bool },
    NotMember,
}

/// One sign-in of one member, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: UserId,
    pub committee: bool,
    pub it_department: bool,
    /// The token every form of this sign-in carries (CSRF).
    pub csrf: String,
    pub expires: DateTime<Utc>,
    /// When the member's roles were last asked of Discord.
    pub checked: DateTime<Utc>,
}

/// Why a sign-in ended before it expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Ended {
    SignedOut,
    LeftServer,
    LostCommittee,
}

/// What to do with a sign-in after its member's roles were looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// Still holds what it held (the time of the check is kept).
    Keep,
    /// Holds other roles that end nothing (the IT department's, or the
    /// committee's newly given): the sign-in carries them from now on.
    Update { committee: bool, it_department: bool },
    /// Every sign-in of this member ends.
    End(Ended),
}

impl Session {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires
    }

    /// Whether the roles must be asked of Discord before this request.
    pub fn due_check(&self, now: DateTime<Utc>) -> bool {
        now - self.checked >= RECHECK_EVERY
    }

    /// The rule: leaving the server or losing the committee's role ends
    /// the sign-in (what it showed was shown to the committee).
    pub fn recheck(&self, found: Membership) -> Recheck {
        match found {
            Membership::NotMember => Recheck::End(Ended::LeftServer),
            Membership::Member { committee: false, .. } if self.committee => Recheck::End(Ended::LostCommittee),
            Membership::Member { committee, it_department } if (committee, it_department) == (self.committee, self.it_department) => {
                Recheck::Keep
            }
            Membership::Member { committee, it_department } => Recheck::Update { committee, it_department },
        }
    }
}

/// Where to go after signing in: only ever a path of this site. Anything
/// else (another host, `//host`, a backslash browsers read as a slash, a
/// scheme, control characters) goes to the start page instead.
pub fn local_path(next: &str) -> &str {
    let bytes = next.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local {
        next
    } else {
        "/"
    }
}

/// RFC 7636 S256: the challenge sent with the sign-in for `verifier`.
pub fn pkce_challenge(verifier: &str) -> String {
    super::base64::url(&Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session(committee: bool, it_department: bool) -> Session {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        Session { user: UserId(1), committee, it_department, csrf: "c".into(), expires: at + SIGN_IN_LASTS, checked: at }
    }

    #[test]
    fn pkce_is_the_base64url_of_the_verifiers_sha256() {
        // Computed with Python's hashlib and base64.urlsafe_b64encode.
        assert_eq!(
            pkce_challenge("M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"),
            "qjrzSW9gMiUgpUvqgEPE4_-8swvyCtfOVvg55o5S_es"
        );
    }

    #[test]
    fn next_is_only_a_path_of_this_site() {
        assert_eq!(local_path("/incidents/INC-2026-0001/"), "/incidents/INC-2026-0001/");
        assert_eq!(local_path("/incidents?year=2026&phase=open"), "/incidents?year=2026&phase=open");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "/a\\b",
            "evil",
            "",
            "javascript:alert(1)",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn a_sign_in_expires_and_is_checked_again_on_time() {
        let s = session(true, false);
        assert!(!s.expired(s.expires - Duration::seconds(1)));
        assert!(s.expired(s.expires));
        assert!(!s.due_check(s.checked + RECHECK_EVERY - Duration::seconds(1)));
        assert!(s.due_check(s.checked + RECHECK_EVERY));
    }

    #[test]
    fn leaving_or_losing_the_committee_ends_it_and_other_changes_carry_over() {
        let committee = session(true, false);
        let member = |committee, it_department| Membership::Member { committee, it_department };
        assert_eq!(committee.recheck(Membership::NotMember), Recheck::End(Ended::LeftServer));
        assert_eq!(committee.recheck(member(false, false)), Recheck::End(Ended::LostCommittee));
        assert_eq!(committee.recheck(member(true, false)), Recheck::Keep);
        assert_eq!(committee.recheck(member(true, true)), Recheck::Update { committee: true, it_department: true });
        let plain = session(false, true);
        assert_eq!(plain.recheck(Membership::NotMember), Recheck::End(Ended::LeftServer));
        assert_eq!(plain.recheck(member(false, true)), Recheck::Keep);
        assert_eq!(plain.recheck(member(false, false)), Recheck::Update { committee: false, it_department: false });
        assert_eq!(plain.recheck(member(true, true)), Recheck::Update { committee: true, it_department: true });
        let ended: &str = Ended::LostCommittee.into();
        assert_eq!(ended, "lost_committee");
    }
}
