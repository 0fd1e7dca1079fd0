//! The console Event-history CSV reader: arbitrary bytes after a header line that passes
//! detection (the first input byte picks the full 16-column header or a reordered subset),
//! so every input reaches the CSV parser. Checks that rows become partial events whose
//! spans lie inside the input and after the header, within the record limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::ingest::discover::RawBytes;
use trailscope::ingest::input::decode_input;
use trailscope::ingest::Limits;

const FULL: &str = "User name,AWS access key,Event time,Event source,Event name,AWS region,Source IP address,User agent,Error code,Resources,Request ID,Event ID,Read-only,Event type,Recipient Account Id,Event category\n";
const SUBSET: &str = "\u{feff}\"Event ID\",\"Event name\",\"Event time\",\"Event source\",\"Resources\"\r\n";

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rows)) = data.split_first() else { return };
    let header = if pick & 1 == 0 { FULL } else { SUBSET };
    let mut input = header.as_bytes().to_vec();
    input.extend_from_slice(rows);
    let limits = Limits { max_record_bytes: 1024, ..Limits::default() };
    let decoded = decode_input(&input, &limits, None);
    for r in &decoded.records {
        assert!(r.partial, "a CSV row is a partial event");
        let RawBytes::Span { start, len } = r.raw else { panic!("a CSV row is a span of the input") };
        assert!(start >= header.len(), "row span starts inside the header");
        assert!(start + len <= input.len(), "row span past the end");
        assert!(len <= limits.max_record_bytes);
    }
});
