//! Shape detection, record splitting and salvage on arbitrary bytes: the content of one
//! decompressed input, as `decode_input` sees it. Beyond "no panic, no hang", checks what
//! every caller relies on: record spans lie inside the input, no record exceeds the record
//! limit, an input with neither records nor problems is impossible, and the fast record
//! reader agrees with the general serde path whenever it accepts a record (including
//! records that repeat an earlier record's values, which it recognises by their bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::ingest::discover::RawBytes;
use trailscope::ingest::fastscan::{forget_identities, scan_record_with, with_identity, Seen};
use trailscope::ingest::input::decode_input;
use trailscope::ingest::scan::ObjectScan;
use trailscope::ingest::Limits;

fuzz_target!(|data: &[u8]| {
    // The fast reader remembers userIdentity blocks across inputs on a thread: start each
    // run from nothing, so that a failing input fails alone.
    forget_identities();
    // Small limits, so short inputs reach the limit paths too.
    let limits = Limits { max_record_bytes: 2048, max_nesting: 6, ..Limits::default() };
    let decoded = decode_input(data, &limits, None);
    for r in &decoded.records {
        let len = match &r.raw {
            RawBytes::Span { start, len } => {
                assert!(start.checked_add(*len).is_some_and(|end| end <= data.len()), "span outside the input");
                *len
            }
            RawBytes::Owned(b) => b.len(),
        };
        assert!(len <= limits.max_record_bytes, "record of {len} bytes passed the record limit");
    }
    assert!(
        !decoded.records.is_empty()
            || decoded.digests > 0
            || decoded.empty_documents > 0
            || !decoded.problems.is_empty(),
        "nothing found and nothing reported"
    );

    // The fast path must read a record exactly as serde does, or decline it: here the
    // records of a comma-separated run starting at 0, read as the loader reads them, with
    // one memory of repeated values — twice, the second time as the next input of the same
    // worker would be read, with every block the first pass accepted remembered.
    if let Ok(text) = std::str::from_utf8(data) {
        for _pass in 0..2 {
            let mut seen = Seen::default();
            let mut at = 0;
            while text[at..].starts_with('{') {
                let Some(fast) = scan_record_with(text, at, &mut seen) else { break };
                let general: ObjectScan<'_> =
                    serde_json::from_str(&text[at..fast.end]).expect("the fast path accepted invalid JSON");
                assert!(general.is_event(), "the fast path accepted a non-event");
                // A block recognised by its bytes comes without fields: read it as the store does.
                let fields = with_identity(fast.fields, fast.identity_block.as_ref(), data);
                assert_eq!(fields, general.fields, "the fast path read different fields");
                match text[fast.end..].strip_prefix(',') {
                    Some(rest) => at = text.len() - rest.len(),
                    None => break,
                }
            }
        }
    }
});
