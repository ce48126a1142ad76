//! Any bytes as a component's custom id: parsing never panics, refuses
//! what is longer than Discord allows, and whatever it accepts encodes back
//! to an id that parses to the same thing and fits Discord's limit.
#![no_main]

use hikeshi::discord::custom_id::{CustomId, MAX_LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Discord sends JSON strings: invalid UTF-8 cannot reach the parser, but
    // its lossy decoding (U+FFFD) can.
    let text = String::from_utf8_lossy(data);
    let Some(id) = CustomId::parse(&text) else {
        return;
    };
    assert!(text.len() <= MAX_LEN, "accepted an over-long id: {text:?}");
    let encoded = id.encode();
    assert!(encoded.len() <= MAX_LEN, "{id:?} encodes to {} bytes", encoded.len());
    assert_eq!(CustomId::parse(&encoded), Some(id), "{text:?} → {encoded:?}");
});
