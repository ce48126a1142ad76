//! The shipped configuration loads; each kind of broken configuration is
//! refused with a problem that names the file, the key and a fix.

use super::*;
use std::fs;
use tempfile::TempDir;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/hikeshi.toml");

/// A copy of the shipped configuration in a temporary folder, so a test can
/// break one thing.
struct Scratch {
    dir: TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::copy(SHIPPED, dir.path().join("hikeshi.toml")).unwrap();
        // Everything the configuration names, so only what a test breaks is wrong.
        for folder in ["playbooks", "regulation"] {
            fs::create_dir(dir.path().join(folder)).unwrap();
            for e in fs::read_dir(std::path::Path::new(SHIPPED).parent().unwrap().join(folder)).unwrap() {
                let p = e.unwrap().path();
                fs::copy(&p, dir.path().join(folder).join(p.file_name().unwrap())).unwrap();
            }
        }
        Scratch { dir }
    }

    fn edit(&self, file: &str, from: &str, to: &str) -> &Self {
        let path = self.dir.path().join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} does not contain {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    fn write(&self, file: &str, text: &str) -> &Self {
        fs::write(self.dir.path().join(file), text).unwrap();
        self
    }

    fn problems(&self) -> Vec<Problem> {
        match Settings::load(&self.dir.path().join("hikeshi.toml")) {
            Ok(_) => panic!("the broken configuration was accepted"),
            Err(ConfigError(p)) => p,
        }
    }

    /// Asserts one problem concerns `file` and `key` and mentions `words`.
    fn refuses(&self, file: &str, key: &str, words: &str) {
        let problems = self.problems();
        assert!(
            problems.iter().any(|p| p.file.ends_with(file) && p.key == key && p.to_string().contains(words) && !p.fix.is_empty()),
            "no problem for {file} `{key}` mentioning {words:?}; got:\n{}",
            ConfigError(problems.clone())
        );
    }
}

#[test]
fn the_shipped_configuration_is_valid_and_complete() {
    let s = Settings::load(std::path::Path::new(SHIPPED)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.organisation.tz, chrono_tz::Asia::Tokyo);
    assert_eq!(s.playbooks.all().len(), 9);
    // Every example the regulation names (§1) has a playbook.
    for kind in crate::domain::SubKind::ALL {
        let p = s.playbooks.matching(kind.category(), Some(kind));
        assert!(p.is_some(), "no playbook for {kind:?}");
    }
    assert!(s.systems.all().iter().any(|x| x.priority == crate::domain::RecoveryPriority::NoDowntime));
}

#[test]
fn unknown_keys_are_refused() {
    Scratch::new().edit("hikeshi.toml", "name = \"一般社団法人", "nmae = \"x\"\nname = \"一般社団法人").refuses(
        "hikeshi.toml",
        "nmae",
        "unknown field",
    );
}

#[test]
fn unknown_keys_in_a_playbook_are_refused() {
    Scratch::new().edit("playbooks/dos.toml", "covers =", "cover_all = true\ncovers =").refuses("dos.toml", "cover_all", "unknown field");
}

#[test]
fn a_missing_playbook_id_is_refused() {
    Scratch::new().edit("playbooks/dos.toml", "id = \"dos\"", "").refuses("dos.toml", "id", "missing field");
}

#[test]
fn an_empty_system_id_is_refused() {
    Scratch::new().edit("hikeshi.toml", "id = \"vpn\"", "id = \"\"").refuses("hikeshi.toml", "systems[2].id", "is empty");
}

#[test]
fn duplicate_system_ids_are_refused() {
    Scratch::new().edit("hikeshi.toml", "id = \"vpn\"", "id = \"mail\"").refuses("hikeshi.toml", "systems[2].id", "more than one");
}

#[test]
fn duplicate_playbook_ids_are_refused() {
    Scratch::new().edit("playbooks/malware.toml", "id = \"malware\"", "id = \"dos\"").refuses("malware.toml", "id", "also the id of");
}

#[test]
fn priorities_outside_table_1_are_refused() {
    let s = Scratch::new();
    s.edit("hikeshi.toml", "recovery_priority = 0", "recovery_priority = 4");
    s.refuses("hikeshi.toml", "systems[6].recovery_priority", "outside Table 1");
    let s = Scratch::new();
    s.edit("hikeshi.toml", "recovery_priority = 0", "recovery_priority = -1");
    s.refuses("hikeshi.toml", "systems[6].recovery_priority", "outside Table 1");
}

#[test]
fn invalid_cron_expressions_are_refused() {
    let s = Scratch::new();
    s.edit("hikeshi.toml", "drill = \"0 10 1 */3 *\"", "drill = \"every quarter\"");
    s.refuses("hikeshi.toml", "schedules.drill", "not a valid cron");
    let s = Scratch::new();
    s.edit("hikeshi.toml", "annual_review = \"0 10 1 4 *\"", "annual_review = \"0 10 32 4 *\"");
    s.refuses("hikeshi.toml", "schedules.annual_review", "not a valid cron");
}

#[test]
fn invalid_time_zones_are_refused() {
    Scratch::new().edit("hikeshi.toml", "\"Asia/Tokyo\"", "\"Tokyo\"").refuses("hikeshi.toml", "organisation.time_zone", "not a time zone");
}

#[test]
fn playbooks_covering_unknown_categories_are_refused() {
    let s = Scratch::new();
    s.edit("playbooks/dos.toml", "covers = [\"breach/dos\"]", "covers = [\"breach/ddos\"]");
    s.refuses("dos.toml", "covers[0]", "unknown sub-kind");
    let s = Scratch::new();
    s.edit("playbooks/dos.toml", "covers = [\"breach/dos\"]", "covers = [\"cyber\"]");
    s.refuses("dos.toml", "covers[0]", "unknown category");
}

#[test]
fn systems_referenced_but_not_defined_are_refused() {
    Scratch::new().edit("playbooks/dos.toml", "systems = [\"website\"", "systems = [\"webshop\"").refuses(
        "dos.toml",
        "systems[0]",
        "not defined in [[systems]]",
    );
}

#[test]
fn an_empty_checklist_for_a_required_phase_is_refused() {
    let s = Scratch::new();
    let text = "id = \"x\"\ntitle = { ja = \"x\", en = \"x\" }\ncovers = [\"unsure\"]\n[triggers]\nactivation = { ja = \"a\", en = \"a\" }\ntermination = { ja = \"b\", en = \"b\" }\n[checklist]\nanalysis = [{ ja = \"a\", en = \"a\" }]\ncontainment = []\neradication = [{ ja = \"a\", en = \"a\" }]\nrecovery = [{ ja = \"a\", en = \"a\" }]\n";
    s.write("playbooks/x.toml", text);
    s.refuses("x.toml", "checklist.containment", "is empty");
}

#[test]
fn a_wrong_type_and_a_bad_language_are_refused() {
    Scratch::new().edit("hikeshi.toml", "guild_id = 1100000000000000001", "guild_id = \"my server\"").refuses(
        "hikeshi.toml",
        "(file)",
        "invalid type",
    );
    Scratch::new().edit("hikeshi.toml", "language = \"ja\"", "language = \"jp\"").refuses(
        "hikeshi.toml",
        "organisation.language",
        "unknown language",
    );
}

#[test]
fn several_problems_are_reported_together() {
    let s = Scratch::new();
    s.edit("hikeshi.toml", "\"Asia/Tokyo\"", "\"Mars/Olympus\"").edit("hikeshi.toml", "language = \"ja\"", "language = \"fr\"");
    s.edit("playbooks/dos.toml", "covers = [\"breach/dos\"]", "covers = [\"nope\"]");
    let problems = s.problems();
    let keys: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), 3, "{keys:?}");
    for (file, words) in [("hikeshi.toml", "Mars/Olympus"), ("hikeshi.toml", "fr"), ("dos.toml", "nope")] {
        assert!(keys.iter().any(|k| k.contains(file) && k.contains(words)), "no problem about {words} in {file}: {keys:?}");
    }
}

#[test]
fn a_missing_file_says_how_to_fix_it() {
    let e = Settings::load(std::path::Path::new("/nonexistent/hikeshi.toml")).unwrap_err();
    assert!(e.to_string().contains("HIKESHI_CONFIG"), "{e}");
}

#[test]
fn cron_accepts_five_six_and_seven_fields() {
    assert!(validate::parse_cron("0 10 1 */3 *").is_ok());
    assert!(validate::parse_cron("0 0 10 1 */3 *").is_ok());
    assert!(validate::parse_cron("0 0 10 1 */3 * 2027").is_ok());
    assert!(validate::parse_cron("0 10 *").unwrap_err().contains("5 fields"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any text as a configuration file is refused or accepted, with
        /// problems that name the file — never a panic.
        #[test]
        fn any_text_is_validated_without_a_panic(text in "\\PC{0,400}") {
            if let Err(ConfigError(problems)) = Settings::parse(std::path::Path::new("/tmp/x/hikeshi.toml"), &text) {
                prop_assert!(!problems.is_empty());
                prop_assert!(problems.iter().all(|p| !p.fix.is_empty()));
            }
        }

        /// The shipped file with one value replaced by noise.
        #[test]
        fn noisy_values_are_refused_with_a_fix(noise in "[a-z0-9 */,-]{0,12}") {
            let shipped = std::fs::read_to_string(SHIPPED).unwrap().replace("drill = \"0 10 1 */3 *\"", &format!("drill = {noise:?}"));
            let dir = std::path::Path::new(SHIPPED).parent().unwrap().join("hikeshi.toml");
            match Settings::parse(&dir, &shipped) {
                Ok(s) => prop_assert!(!s.schedules.drill.text.is_empty()),
                Err(ConfigError(p)) => prop_assert!(p.iter().all(|p| p.key == "schedules.drill" && p.fix.contains("minute"))),
            }
        }
    }
}

/// The flood guard's numbers: out of range is refused with the key named.
#[test]
fn the_flood_guard_needs_usable_numbers() {
    Scratch::new().edit("hikeshi.toml", "channels_per_member_per_hour = 3", "channels_per_member_per_hour = 0").refuses(
        "hikeshi.toml",
        "reports.channels_per_member_per_hour",
        "not a usable limit",
    );
    Scratch::new().edit("hikeshi.toml", "triage_ping_minutes = 5", "triage_ping_minutes = -1").refuses(
        "hikeshi.toml",
        "reports.triage_ping_minutes",
        "not usable",
    );
    let shipped = Settings::load(std::path::Path::new(SHIPPED)).unwrap();
    assert_eq!(shipped.reports.channels_per_member_per_hour, 3);
    assert_eq!(shipped.reports.triage_ping_every, chrono::Duration::minutes(5));
}

/// The drill comment in `hikeshi.toml` offers "the first Monday" as
/// `0 10 1-7 */3 Mon`: true only if the cron library needs both the day of
/// the month and the day of the week to match.
#[test]
fn the_first_monday_example_in_the_shipped_comment_means_the_first_monday() {
    use chrono::TimeZone;
    let s = super::validate::parse_cron("0 10 1-7 */3 Mon").unwrap();
    let tz: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
    let after = tz.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
    let next = s.after(&after).next().unwrap();
    assert_eq!(next, tz.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap(), "1 January 2027 is a Friday");
}

const ONCALL: &str = "\n[oncall]\nrotation = [11, 12]\nstart = \"2026-06-01 09:00\"\n\
                      quiet_hours = [{ member = 12, from = \"22:00\", to = \"07:00\" }]\n";

impl Scratch {
    fn append(&self, text: &str) -> &Self {
        let path = self.dir.path().join("hikeshi.toml");
        let old = fs::read_to_string(&path).unwrap();
        fs::write(&path, old + text).unwrap();
        self
    }

    fn settings(&self) -> Settings {
        Settings::load(&self.dir.path().join("hikeshi.toml")).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Issue 26: the rotation, quiet hours and the chain's numbers load, and
/// each mistake names its key.
#[test]
fn the_rotation_and_the_escalation_load_and_each_mistake_names_its_key() {
    let s = Scratch::new();
    s.append(ONCALL).edit("hikeshi.toml", "priority_3_minutes = 15", "priority_3_minutes = 10");
    let settings = s.settings();
    let rotation = settings.oncall.expect("a rotation");
    assert_eq!(rotation.members, vec![crate::domain::UserId(11), crate::domain::UserId(12)]);
    assert_eq!(rotation.quiet.len(), 1);
    assert_eq!(settings.escalation.within[3], crate::domain::escalation::AckWithin::After(chrono::Duration::minutes(10)));
    assert_eq!(settings.escalation.within[0], crate::domain::escalation::AckWithin::NextBusinessMorning);
    assert_eq!(settings.outside, escalation::Outside::default(), "nothing outside Discord unless configured");
    let shipped = Settings::load(std::path::Path::new(SHIPPED)).unwrap();
    assert!(shipped.oncall.is_none(), "the shipped rotation is an example, commented out");

    Scratch::new().append(&ONCALL.replace("[11, 12]", "[11, 11]")).refuses("hikeshi.toml", "oncall.rotation", "listed twice");
    Scratch::new().append(&ONCALL.replace("2026-06-01 09:00", "Monday")).refuses("hikeshi.toml", "oncall.start", "not a date");
    Scratch::new().append(&ONCALL.replace("member = 12", "member = 13")).refuses(
        "hikeshi.toml",
        "oncall.quiet_hours[0].member",
        "not in oncall.rotation",
    );
    Scratch::new().append(&ONCALL.replace("\"07:00\"", "\"7am\"")).refuses("hikeshi.toml", "oncall.quiet_hours[0].to", "not a time");
    let both_asleep = ONCALL.replace("}]", "}, { member = 11, from = \"23:00\", to = \"06:00\" }]");
    Scratch::new().append(&both_asleep).refuses("hikeshi.toml", "oncall.quiet_hours", "from 23:00 to 06:00 every member");
    let twice = ONCALL.replace("}]", "}, { member = 12, from = \"06:00\", to = \"08:00\" }]");
    Scratch::new().append(&twice).refuses("hikeshi.toml", "oncall.quiet_hours[1]", "overlaps");
    Scratch::new().edit("hikeshi.toml", "step_every_minutes = 5", "step_every_minutes = 0").refuses(
        "hikeshi.toml",
        "escalation.step_every_minutes",
        "not usable",
    );
    Scratch::new()
        .edit(
            "hikeshi.toml",
            "# webhook_url = \"https://ntfy.example.org/hikeshi-committee\"\n# webhook_format = \"ntfy\"",
            "webhook_url = \"ntfy.example.org\"\nwebhook_format = \"pager\"",
        )
        .refuses("hikeshi.toml", "escalation.webhook_format", "not a format");
    Scratch::new()
        .edit("hikeshi.toml", "# webhook_url = \"https://ntfy.example.org/hikeshi-committee\"", "webhook_url = \"ntfy.example.org\"")
        .refuses("hikeshi.toml", "escalation.webhook_url", "not an http(s) URL");
    Scratch::new().edit("hikeshi.toml", "# smtp_host = \"mail.example.org\"", "smtp_host = \"mail.example.org\"").refuses(
        "hikeshi.toml",
        "escalation.mail_to",
        "at least one mail_to",
    );
}

#[test]
fn the_regulations_dates_are_days_and_it_takes_effect_after_its_approval() {
    let dated = |approved: &str, effective: &str| {
        format!("[organisation]\nregulation_approved = \"{approved}\"\nregulation_effective = \"{effective}\"\n")
    };
    let bad = dated("2026/12/01", "2027-01-01");
    Scratch::new().edit("hikeshi.toml", "[organisation]\n", &bad).refuses("hikeshi.toml", "organisation.regulation_approved", "not a date");
    let backwards = dated("2027-02-01", "2027-01-01");
    Scratch::new().edit("hikeshi.toml", "[organisation]\n", &backwards).refuses(
        "hikeshi.toml",
        "organisation.regulation_effective",
        "before the approval",
    );
}

/// §4.4(1): 情報システム部's role, when given, is a role of its own.
#[test]
fn the_it_department_role_is_a_role_of_its_own() {
    let line = "# it_department_role_id = 1100000000000000007";
    Scratch::new().edit("hikeshi.toml", line, "it_department_role_id = 0").refuses("hikeshi.toml", "discord.it_department_role_id", "is 0");
    Scratch::new().edit("hikeshi.toml", line, "it_department_role_id = 1100000000000000002").refuses(
        "hikeshi.toml",
        "discord.it_department_role_id",
        "committee",
    );
    let s = Scratch::new();
    s.edit("hikeshi.toml", line, "it_department_role_id = 1100000000000000007");
    let loaded = Settings::load(&s.dir.path().join("hikeshi.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.discord.it_department_role, Some(crate::domain::RoleId(1100000000000000007)));
}

/// Issue 28: the console's address is https, or http on this machine
/// only; its cookies are `Secure` wherever they can be.
#[test]
fn the_consoles_address_is_https_or_local() {
    let on = |url: &str| {
        let s = Scratch::new();
        s.edit("hikeshi.toml", "# [web]\n# public_url = \"https://hikeshi.example.org\"", &format!("[web]\npublic_url = \"{url}\""));
        s
    };
    let web = on("https://hikeshi.example.org/").settings().web.expect("configured");
    assert_eq!((web.public_url.as_str(), web.secure), ("https://hikeshi.example.org", true));
    assert_eq!(web.redirect_uri(), "https://hikeshi.example.org/signin/callback");
    let local = on("http://127.0.0.1:8080").settings().web.unwrap();
    assert!(!local.secure);
    assert!(!on("http://localhost").settings().web.unwrap().secure);
    for bad in ["http://hikeshi.example.org", "http://localhost.evil.example", "https://", "hikeshi.example.org"] {
        on(bad).refuses("hikeshi.toml", "web.public_url", "neither an https:// address");
    }
    assert!(Scratch::new().settings().web.is_none(), "off unless configured");
}
