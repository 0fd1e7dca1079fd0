//! gzip, zip and tar handling: arbitrary bytes loaded as one input file, through the same
//! enumerator and store as a real load (`ingest::load_bytes`, single-threaded). Checks that
//! the limits hold (members, decompressed size) and that every stored event's raw bytes can
//! be read back, and are a complete JSON value unless the event is a partial text row.
#![no_main]

use std::sync::RwLock;

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use trailscope::ingest::{load_bytes, Limits, ProblemKind};
use trailscope::store::{flags, Store};

fuzz_target!(|data: &[u8]| {
    // Small limits: a bomb is cut at 1 MiB, an archive at 64 members, nesting at 3.
    let limits = Limits { max_file_bytes: 1 << 20, max_archive_members: 64, max_nesting: 3, ..Limits::default() };
    let store = RwLock::new(Store::new());
    load_bytes(&store, "fuzz.bin", data.to_vec(), &limits);
    let store = store.into_inner().expect("no poisoned lock");
    let r = &store.report;
    // A panic while reading is caught and reported as an internal problem: still a bug.
    assert!(r.problems.iter().all(|p| p.kind != ProblemKind::Internal), "{:?}", r.problems);
    assert!(r.files >= 1, "the input itself was not counted");
    assert!(r.files_failed <= r.files);
    assert_eq!(store.time_order().len(), store.len());
    assert!(store.len() as u64 <= r.records);
    for e in 0..store.len() as u32 {
        let raw = store.raw_bytes(e).expect("a stored event's bytes are readable");
        if store.flags(e) & flags::PARTIAL == 0 {
            serde_json::from_slice::<IgnoredAny>(&raw).expect("a JSON event's raw bytes are one JSON value");
        }
    }
});
