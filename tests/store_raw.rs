//! The store gives back every event's original bytes exactly, through the library API.
//! Oracle: python's json/gzip modules extract the same records independently; spans of
//! plain and gzip inputs must appear verbatim in the decompressed input, and records that
//! lived in a JSON string (lookup-events `CloudTrailEvent`) must equal that string.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::RwLock;

use trailscope::ingest::{load_into, LoadOptions};
use trailscope::store::Store;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

fn load(path: &Path) -> Store {
    let store = RwLock::new(Store::new());
    load_into(&store, &LoadOptions::new(vec![path.to_path_buf()]), None);
    store.into_inner().unwrap()
}

/// Runs python on `path` and returns one line of output per record.
fn python_lines(script: &str, path: &Path) -> Vec<String> {
    let out = Command::new("python3").arg("-c").arg(script).arg(path).output().expect("python3 runs");
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// Canonical form (sorted keys, no whitespace) of each record of a Records file.
const CANONICAL_RECORDS: &str = r#"
import gzip, json, sys
raw = open(sys.argv[1], 'rb').read()
if raw[:2] == b'\x1f\x8b':
    raw = gzip.decompress(raw)
for r in json.loads(raw)['Records']:
    print(json.dumps(r, sort_keys=True, separators=(',', ':')))
"#;

fn canonical(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("raw bytes are JSON");
    // serde_json's Map is a BTreeMap (sorted keys) without the preserve_order feature.
    serde_json::to_string(&v).unwrap()
}

fn decompressed(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out).unwrap();
        out
    } else {
        bytes
    }
}

fn check_records_file(rel: &str) {
    let path = fixture(rel);
    let store = load(&path);
    let input = decompressed(&path);
    let expected: BTreeSet<String> = python_lines(CANONICAL_RECORDS, &path).into_iter().collect();
    let mut got = BTreeSet::new();
    for &e in store.time_order() {
        let raw = store.raw_bytes(e).unwrap();
        assert!(
            input.windows(raw.len()).any(|w| w == raw.as_slice()),
            "{rel}: event {e}'s bytes are not a verbatim span of the input"
        );
        got.insert(canonical(&raw));
    }
    assert_eq!(got, expected, "{rel}: records differ from python's");
}

#[test]
fn plain_pretty_records_are_verbatim_spans() {
    check_records_file("shapes/records_pretty.json");
}

#[test]
fn gzip_records_are_verbatim_spans_of_the_decompressed_input() {
    check_records_file("shapes/111122223333_CloudTrail_us-west-2_20240301T1215Z_Gz7hQ2mN4pL9sR1t.json.gz");
    check_records_file("shapes/multi_member.json.gz");
}

#[test]
fn lookup_events_records_are_the_cloudtrail_event_strings() {
    let path = fixture("shapes/lookup_events_paginated.json");
    let store = load(&path);
    let script = r#"
import json, sys
dec = json.JSONDecoder()
text = open(sys.argv[1]).read()
i = 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    doc, i = dec.raw_decode(text, i)
    for item in doc['Events']:
        print(json.dumps(item['CloudTrailEvent']))
"#;
    let expected: BTreeSet<String> =
        python_lines(script, &path).iter().map(|l| serde_json::from_str::<String>(l).unwrap()).collect();
    let got: BTreeSet<String> =
        store.time_order().iter().map(|&e| String::from_utf8(store.raw_bytes(e).unwrap()).unwrap()).collect();
    assert_eq!(got, expected);
}

#[test]
fn time_order_is_sorted_and_untimed_last() {
    let store = load(&fixture("shapes/messy.json"));
    let times: Vec<Option<i64>> = store.time_order().iter().map(|&e| store.time(e)).collect();
    let timed: Vec<i64> = times.iter().flatten().copied().collect();
    assert!(timed.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let first_untimed = times.iter().position(Option::is_none).expect("messy.json has an untimed event");
    assert!(times[first_untimed..].iter().all(Option::is_none), "untimed events sort last: {times:?}");
}
