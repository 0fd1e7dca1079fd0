//! The filter language: arbitrary text through the parser and, when it parses, through the
//! evaluator against a small store (the four trail files of tests/fixtures/filter, loaded
//! once). Checks the parser's documented round trip (`parse(expr.to_string()) == expr`,
//! short and long field names), that an error position is a character boundary of the input, and that a
//! filter and its negation split the store exactly.
#![no_main]

use std::sync::{OnceLock, RwLock};

use libfuzzer_sys::fuzz_target;
use trailscope::ingest::{load_bytes, Limits};
use trailscope::query::{matching, parse, Expr};
use trailscope::store::Store;

/// 2024-03-01T12:00:00Z: relative times resolve against a fixed moment, so a crash
/// reproduces whenever it is replayed.
const NOW_MS: i64 = 1_709_294_400_000;

const TRAILS: [&[u8]; 4] = [
    include_bytes!("../../tests/fixtures/filter/111122223333_CloudTrail_us-east-1_20240301T0905Z_k2Lm9PqR4sT7vW1x.json"),
    include_bytes!("../../tests/fixtures/filter/111122223333_CloudTrail_us-east-1_20240301T1010Z_N4bV8cX2zQ6wE3rT.json"),
    include_bytes!("../../tests/fixtures/filter/111122223333_CloudTrail_us-west-2_20240301T1210Z_Z8yX6wV4uT2sR0qP.json"),
    include_bytes!("../../tests/fixtures/filter/AWSLogs/444455556666/CloudTrail/eu-west-1/2024/03/01/444455556666_CloudTrail_eu-west-1_20240301T1110Z_Qm3xT9aB7dF1gH5j.json"),
];

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = RwLock::new(Store::new());
        for (i, trail) in TRAILS.iter().enumerate() {
            load_bytes(&store, &format!("trail-{i}.json"), trail.to_vec(), &Limits::default());
        }
        let store = store.into_inner().expect("no poisoned lock");
        assert!(store.len() > 10, "the fixtures loaded");
        store
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let expr = match parse(text, NOW_MS) {
        Ok(expr) => expr,
        Err(e) => {
            // Documented: on a character boundary, possibly at the end; the caret renders.
            assert!(text.is_char_boundary(e.position), "error position {} is not a boundary", e.position);
            let _ = e.render(text);
            return;
        }
    };
    for canonical in [expr.to_string(), format!("{expr:#}")] {
        let again = parse(&canonical, NOW_MS)
            .unwrap_or_else(|e| panic!("the canonical form {canonical:?} of {text:?} does not parse: {e}"));
        assert_eq!(again, expr, "round trip through {canonical:?} changed the filter {text:?}");
    }
    let store = store();
    let Ok(yes) = matching(store, &expr) else { return };
    let mut no = matching(store, &Expr::Not(Box::new(expr))).expect("NOT of an evaluable filter evaluates");
    assert_eq!(yes.count() + no.count(), store.len(), "A and NOT A do not cover the store");
    no.and_with(&yes);
    assert_eq!(no.count(), 0, "A and NOT A overlap");
});
