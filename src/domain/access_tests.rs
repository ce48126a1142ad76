//! Readers as Discord computes them, layer by layer, and what the
//! incident's state gives each.

use super::*;
use crate::domain::incident::tests::{incident, CHAIR, OUTSIDER, REPORTER};

const GUILD: RoleId = RoleId(1);
const COMMITTEE: RoleId = RoleId(2);
const STAFF: RoleId = RoleId(3);
const ADMINS: RoleId = RoleId(4);
const BOT: UserId = UserId(9);
const OWNER: UserId = UserId(8);
const EVE: UserId = UserId(7);

fn server() -> Server {
    let role = |id, name: &str, permissions| ServerRole { id, name: name.into(), permissions };
    let members = [(REPORTER, vec![]), (CHAIR, vec![COMMITTEE]), (OUTSIDER, vec![STAFF]), (BOT, vec![]), (OWNER, vec![]), (EVE, vec![])];
    Server {
        everyone: GUILD,
        owner: OWNER,
        roles: vec![
            role(GUILD, "@everyone", VIEW_CHANNEL),
            role(COMMITTEE, "committee", 0),
            role(STAFF, "staff", VIEW_CHANNEL),
            role(ADMINS, "admins", ADMINISTRATOR),
        ],
        members: Some(members.into_iter().collect()),
    }
}

fn hidden() -> Vec<Overwrite> {
    vec![
        Overwrite { target: Target::Role(GUILD), allow: 0, deny: VIEW_CHANNEL },
        Overwrite { target: Target::Role(COMMITTEE), allow: VIEW_CHANNEL, deny: 0 },
        Overwrite { target: Target::Member(BOT), allow: VIEW_CHANNEL, deny: 0 },
        Overwrite { target: Target::Member(REPORTER), allow: VIEW_CHANNEL, deny: 0 },
    ]
}

fn readers(s: &Server, overwrites: &[Overwrite]) -> Vec<(Who, Through, Option<Standing>)> {
    let i = incident(true);
    let allowed = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    s.readers(overwrites, &allowed).into_iter().map(|r| (r.who, r.through, r.standing)).collect()
}

/// hikeshi's own overwrites: the committee, the bot, the reporter and the
/// owner, each with what the state gives them; nobody drifts.
#[test]
fn a_private_channel_is_read_by_whom_the_state_allows_and_the_owner() {
    let got = readers(&server(), &hidden());
    assert_eq!(
        got,
        vec![
            (Who::Member(OWNER), Through::Owner, None),
            (Who::Member(BOT), Through::Own, Some(Standing::Bot)),
            (Who::Member(REPORTER), Through::Own, Some(Standing::Reporter)),
            (Who::Member(CHAIR), Through::Role(COMMITTEE), Some(Standing::Committee)),
        ]
    );
    let s = server();
    let i = incident(true);
    let allowed = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    assert!(s.readers(&hidden(), &allowed).iter().all(|r| !r.is_drift()));
}

/// Each layer in Discord's order: @everyone's overwrite, the roles'
/// (deny before allow), the member's own (last word).
#[test]
fn overwrites_apply_everyone_then_roles_then_the_member() {
    let s = server();
    let with = |extra: Overwrite| {
        let mut o = hidden();
        o.push(extra);
        o
    };
    // @everyone allowed: every member reads, through @everyone.
    let mut open = hidden();
    open[0] = Overwrite { target: Target::Role(GUILD), allow: VIEW_CHANNEL, deny: 0 };
    assert_eq!(s.reads(Some(EVE), &[], &open), Some(Through::Everyone));
    // No @everyone overwrite: the role's base permission shows through.
    assert_eq!(s.reads(Some(OUTSIDER), &[STAFF], &hidden()[1..]), Some(Through::Everyone));
    let no_everyone = Server { roles: s.roles.iter().skip(1).cloned().collect(), ..s.clone() };
    assert_eq!(no_everyone.reads(Some(OUTSIDER), &[STAFF], &hidden()[1..]), Some(Through::Role(STAFF)));
    assert_eq!(no_everyone.reads(Some(EVE), &[], &hidden()[1..]), None);
    // A role's allow lifts @everyone's deny, for its holders only.
    let staff_in = with(Overwrite { target: Target::Role(STAFF), allow: VIEW_CHANNEL, deny: 0 });
    assert_eq!(s.reads(Some(OUTSIDER), &[STAFF], &staff_in), Some(Through::Role(STAFF)));
    assert_eq!(s.reads(Some(EVE), &[], &staff_in), None);
    // A role's deny alone hides the committee from a member holding both.
    let staff_out = with(Overwrite { target: Target::Role(STAFF), allow: 0, deny: VIEW_CHANNEL });
    assert_eq!(s.reads(Some(CHAIR), &[COMMITTEE, STAFF], &staff_out), Some(Through::Role(COMMITTEE)));
    let staff_denied = vec![
        Overwrite { target: Target::Role(GUILD), allow: VIEW_CHANNEL, deny: 0 },
        Overwrite { target: Target::Role(STAFF), allow: 0, deny: VIEW_CHANNEL },
    ];
    assert_eq!(s.reads(Some(OUTSIDER), &[STAFF], &staff_denied), None);
    // The member's own overwrite is the last word, both ways.
    let eve_in = with(Overwrite { target: Target::Member(EVE), allow: VIEW_CHANNEL, deny: 0 });
    assert_eq!(s.reads(Some(EVE), &[], &eve_in), Some(Through::Own));
    let chair_out = with(Overwrite { target: Target::Member(CHAIR), allow: 0, deny: VIEW_CHANNEL });
    assert_eq!(s.reads(Some(CHAIR), &[COMMITTEE], &chair_out), None);
}

/// The owner and Administrators read whatever the overwrites say.
#[test]
fn the_owner_and_administrators_read_every_channel() {
    let s = server();
    let mut deny_all = hidden();
    deny_all.push(Overwrite { target: Target::Member(EVE), allow: 0, deny: VIEW_CHANNEL });
    deny_all.push(Overwrite { target: Target::Member(OWNER), allow: 0, deny: VIEW_CHANNEL });
    assert_eq!(s.reads(Some(EVE), &[ADMINS], &deny_all), Some(Through::Administrator(ADMINS)));
    assert_eq!(s.reads(Some(OWNER), &[], &deny_all), Some(Through::Owner));
    assert!(Through::Owner.reads_every_channel() && Through::Administrator(ADMINS).reads_every_channel());
    assert!(!Through::Role(STAFF).reads_every_channel() && !Through::Own.reads_every_channel());
    let mut everyone_admin = s.clone();
    everyone_admin.roles[0].permissions |= ADMINISTRATOR;
    assert_eq!(everyone_admin.reads(Some(EVE), &[], &deny_all), Some(Through::Administrator(GUILD)));
}

/// Drift is a reader the state does not allow, through a way overwrites
/// can close; an Administrator the state does not allow is listed, not
/// drift.
#[test]
fn drift_is_an_outsider_hikeshi_can_shut_out() {
    let mut s = server();
    s.members.as_mut().unwrap().insert(EVE, vec![ADMINS]);
    let mut o = hidden();
    o.push(Overwrite { target: Target::Role(STAFF), allow: VIEW_CHANNEL, deny: 0 });
    let i = incident(true);
    let allowed = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    let drift: Vec<Who> = s.readers(&o, &allowed).into_iter().filter(Reader::is_drift).map(|r| r.who).collect();
    assert_eq!(drift, vec![Who::Member(OUTSIDER)]);
    let eve = s.readers(&o, &allowed).into_iter().find(|r| r.who == Who::Member(EVE)).unwrap();
    assert_eq!((eve.through, eve.standing, eve.is_drift()), (Through::Administrator(ADMINS), None, false));
}

/// The state's standing: commander, responder, reporter (not when
/// confidential), committee by role, the bot.
#[test]
fn the_state_gives_each_reader_a_standing() {
    let mut i = incident(true);
    i.commander = Some(CHAIR);
    i.responders = vec![OUTSIDER];
    let allowed = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    assert_eq!(allowed.member(CHAIR, &[COMMITTEE]), Some(Standing::Commander));
    assert_eq!(allowed.member(OUTSIDER, &[]), Some(Standing::Responder));
    assert_eq!(allowed.member(REPORTER, &[]), Some(Standing::Reporter));
    assert_eq!(allowed.member(EVE, &[COMMITTEE]), Some(Standing::Committee));
    assert_eq!(allowed.member(BOT, &[]), Some(Standing::Bot));
    assert_eq!(allowed.member(EVE, &[STAFF]), None);
    i.confidential = true;
    let allowed = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    assert_eq!(allowed.member(REPORTER, &[]), None);
    assert_eq!(allowed.role(COMMITTEE), Some(Standing::Committee));
    assert_eq!(allowed.role(STAFF), None);
}

/// Without the members intent: each role as held alone, the members' own
/// overwrites, and the owner.
#[test]
fn without_members_readers_are_listed_by_role() {
    let s = Server { members: None, ..server() };
    let mut o = hidden();
    o.push(Overwrite { target: Target::Role(STAFF), allow: VIEW_CHANNEL, deny: 0 });
    // A member's own overwrite that denies, or allows something else, lets nobody in.
    o.push(Overwrite { target: Target::Member(EVE), allow: 0, deny: VIEW_CHANNEL });
    o.push(Overwrite { target: Target::Member(OUTSIDER), allow: 1 << 11, deny: 0 });
    let got = readers(&s, &o);
    assert_eq!(
        got,
        vec![
            (Who::Member(OWNER), Through::Owner, None),
            (Who::Member(BOT), Through::Own, Some(Standing::Bot)),
            (Who::Member(REPORTER), Through::Own, Some(Standing::Reporter)),
            (Who::Role(COMMITTEE), Through::Role(COMMITTEE), Some(Standing::Committee)),
            (Who::Role(STAFF), Through::Role(STAFF), None),
            (Who::Role(ADMINS), Through::Administrator(ADMINS), None),
        ]
    );
}

/// Each reader in words, in both languages: who, what the state gives
/// them, through what.
#[test]
fn a_reader_says_who_what_and_through_what() {
    use crate::domain::Lang;
    let name = |u: UserId| format!("<@{u}>");
    let role = |r: RoleId| format!("<@&{r}>");
    let reporter = Reader { who: Who::Member(REPORTER), through: Through::Own, standing: Some(Standing::Reporter) };
    assert_eq!(reporter.says(Lang::Ja, &name, &role), "<@100> — 報告者（このチャンネルでの個別の権限設定）");
    assert_eq!(reporter.says(Lang::En, &name, &role), "<@100> — reporter (their own permission overwrite on the channel)");
    let admins = Reader { who: Who::Role(ADMINS), through: Through::Administrator(ADMINS), standing: None };
    assert_eq!(admins.says(Lang::Ja, &name, &role), "<@&4> の全員 — <@&4> の管理者権限（Discord はどのチャンネルでも拒めません）");
    assert_eq!(
        admins.says(Lang::En, &name, &role),
        "everyone with <@&4> — Administrator through <@&4> (Discord cannot deny it any channel)"
    );
    let texts = |lang| {
        [Through::Owner, Through::Everyone, Through::Role(STAFF)].map(|t| t.says(lang, &role)).to_vec().join("|")
            + "|"
            + &[Standing::Commander, Standing::Responder, Standing::Committee, Standing::Bot].map(|s| s.says(lang)).join("|")
    };
    assert_eq!(
        texts(Lang::Ja),
        "サーバーの所有者（Discord はどのチャンネルでも拒めません）|@everyone の権限|ロール <@&3>|実行責任者|対応者|委員会|hikeshi"
    );
    assert_eq!(
        texts(Lang::En),
        "owns the server (Discord cannot deny it any channel)|what every member may do (@everyone)|the role <@&3>|commander|responder|committee|hikeshi"
    );
}

/// §4.4(1): 情報システム部's role stands in the channel while the plan is
/// written (Lessons, a real incident) and nowhere else: before, after,
/// in a drill, it is drift like any other role let in by hand.
#[test]
fn the_it_department_stands_in_the_channel_in_lessons_only() {
    use crate::domain::Phase;
    let mut i = incident(true);
    let at = |i: &crate::domain::Incident| {
        let allowed = Allowed { incident: i, committee: COMMITTEE, it_department: Some(STAFF), bot: BOT };
        (allowed.member(EVE, &[STAFF]), allowed.role(STAFF))
    };
    for phase in [Phase::Analysis, Phase::Recovery, Phase::Closed] {
        i.phase = phase;
        assert_eq!(at(&i), (None, None), "{phase:?}");
    }
    i.phase = Phase::Lessons;
    assert_eq!(at(&i), (Some(Standing::ItDepartment), Some(Standing::ItDepartment)));
    i.number.drill = true;
    assert_eq!(at(&i), (None, None), "a drill plans nothing");
    let none = Allowed { incident: &i, committee: COMMITTEE, it_department: None, bot: BOT };
    assert_eq!(none.member(EVE, &[STAFF]), None, "no role configured, nobody stands for it");
}
