//! Any modal submission, as Discord's JSON: serenity's parsing, then
//! hikeshi's own (the custom id, the fields, the limits, the report draft,
//! "when noticed") never panic, and their answers keep their promises.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{TimeZone, Utc};
use hikeshi::discord::custom_id::CustomId;
use hikeshi::discord::forms;
use hikeshi::discord::text::inert;
use hikeshi::domain::report::parse_noticed;
use libfuzzer_sys::fuzz_target;
use serenity::all::ModalInteractionData;

/// Real forms (so the fuzzer spends its time past the custom id), or any
/// text as the custom id.
const FORMS: &[&str] = &[
    "hk1:report:breach:malware:0",
    "hk1:report:unsure:-:1",
    "hk1:logm:1:status",
    "hk1:dismissm:1",
    "hk1:dupm:1",
    "hk1:planm:1",
    "hk1:notem:1",
    "hk1:waivem:1:plan",
    "hk1:decidem:1:y",
    "hk1:reviewm:1",
    "hk1:exceptionm",
    "hk1:amendm",
    "hk1:addinfom:1",
];
const FIELDS: &[&str] = &[
    forms::F_TITLE,
    forms::F_WHAT,
    forms::F_NOTICED,
    forms::F_SYSTEMS,
    forms::F_IMPACT,
    forms::F_BODY,
    forms::F_SUBJECT,
    forms::F_TEXT,
    forms::F_REASON,
    forms::F_UNTIL,
    forms::F_TECHNICAL,
    forms::F_ORGANISATIONAL,
    forms::F_CAUSE,
    forms::F_DAMAGE,
    forms::F_WELL,
    forms::F_MISSING,
];

#[derive(Arbitrary, Debug)]
struct Submission<'a> {
    form: u8,
    custom_id: &'a str,
    /// A field id by index into FIELDS (any other index: `field`), and its value.
    fields: Vec<(u8, &'a str, &'a str)>,
    /// Seconds after 2000-01-01 for "now".
    now: u32,
}

fuzz_target!(|s: Submission| {
    let custom_id = FORMS.get(usize::from(s.form)).copied().unwrap_or(s.custom_id);
    let rows: Vec<serde_json::Value> = s
        .fields
        .iter()
        .map(|(pick, other, value)| {
            let id = FIELDS.get(usize::from(*pick)).copied().unwrap_or(other);
            serde_json::json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
        })
        .collect();
    let json = serde_json::json!({"custom_id": custom_id, "components": rows});
    let Ok(data) = serde_json::from_value::<ModalInteractionData>(json) else {
        return;
    };
    let fields = forms::submitted(&data);
    assert_eq!(fields.len(), s.fields.len());
    for (_, value) in &fields {
        let shown = inert(value);
        assert!(!shown.contains("@everyone") && !shown.contains("@here"), "{shown:?} could ping");
    }
    let Some(id) = CustomId::parse(&data.custom_id) else {
        return;
    };
    match forms::check(&id, &fields) {
        Ok(()) => {
            for (name, value) in &fields {
                let max = forms::fields(&id).iter().find(|f| f.id == name).map_or(forms::DISCORD_MAX, |f| f.max);
                assert!(value.chars().count() <= max, "{name} passed over its limit {max}");
            }
        }
        Err(e) => assert!(e.len > e.field.max),
    }
    if let CustomId::ReportModal(category, kind, confidential) = id {
        let draft = forms::report_draft(category, kind, confidential, &fields);
        if let Ok(report) = draft.validate() {
            assert!(!report.title.is_empty() && report.title.chars().count() <= 100);
            assert!(report.systems.iter().all(|n| !n.is_empty() && n.trim() == n));
        }
        let now = Utc.timestamp_opt(946_684_800 + i64::from(s.now), 0).single().expect("in range");
        let noticed = parse_noticed(&draft.noticed, now, chrono_tz::Asia::Tokyo);
        assert!(noticed.at <= now + chrono::Duration::minutes(5), "{:?} noticed in the future", draft.noticed);
        assert!(noticed.understood || noticed.at == now);
        assert_eq!(noticed.text, draft.noticed.trim());
    }
});
