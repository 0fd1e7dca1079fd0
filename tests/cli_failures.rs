//! Bad input is reported, never fatal, never silent (docs/stats-json.md `report`).
//!
//! Damaged and look-alike fixtures, with HAND-COUNTED expectations (salvage is the
//! code's job, so the oracle is not used for these files):
//!
//! | fixture                     | damage                                                  | kind            | salvaged | location |
//! |-----------------------------|---------------------------------------------------------|-----------------|----------|----------|
//! | bad/missing_comma.json      | 4 records; no comma between record 2 (ends line 54) and record 3 (`{` on line 55) | invalid_json | 4 | line 54–55 |
//! | bad/missing_brace.json      | 3 records; record 2 lost its closing brace (line 56 is a bare `,`, record 3 opens on line 57) | invalid_json | 2 (records 1 and 3) | line 56–57 |
//! | bad/truncated.json.gz       | 4 records; cut inside the deflate data of record 4 (records 1–3 flushed before) | truncated_gzip | 3 | any |
//! | bad/bad_line.jsonl          | 4 JSON lines; line 3 cut in half                        | bad_line or invalid_json | 3 | line 3–4 |
//! | bad/corrupt.json.gz         | gzip header, then a deflate block of reserved type 3    | bad_gzip        | 0 | any |
//! | bad/empty.json              | 0 bytes                                                 | empty           | 0 | – |
//! | bad/s3_notification.json    | S3 event notification (`aws:s3`, ObjectCreated:Put, eventVersion 2.1) | not_cloudtrail | 0 | – |
//! | bad/sns_notification.json   | SNS notification pointing at a trail object             | not_cloudtrail  | 0 | – |
//! | bad/eventbridge_ec2_state.json | EventBridge envelope that is not an API call         | not_cloudtrail  | 0 | – |
//! | bad/notes.txt               | README-like prose                                       | not_cloudtrail  | 0 | – |
//! | bad/mixed.zip               | `good/…json` (1 record) + `docs/README.txt` (prose)     | not_cloudtrail at `mixed.zip!docs/README.txt` | 0 | – |
//!
//! Each test loads a good file too (shapes/records_pretty.json, 3 events) to check
//! that the rest of the load goes on.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const GOOD: &str = "shapes/records_pretty.json";
const GOOD_EVENTS: u64 = 3;

/// Loads `bad` with the good file; returns the stats and the entries for `bad`.
fn load_with_good(bad: &Path) -> (Value, Vec<Value>) {
    let good = fixture(GOOD);
    let run = stats([bad, good.as_path()]);
    run.assert_code(0);
    let got = run.json();
    let name = bad.file_name().unwrap().to_str().unwrap();
    let entries: Vec<Value> = report_for(&got, name).into_iter().cloned().collect();
    assert!(!entries.is_empty(), "no report entry for {name}: {:#}", got["report"]);
    assert!(report_for(&got, "records_pretty.json").is_empty(), "the good file got a report entry");
    for e in &entries {
        assert!(e["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "report entry without a message: {e}");
    }
    (got, entries)
}

fn refs(entries: &[Value]) -> Vec<&Value> {
    entries.iter().collect()
}

fn assert_kind(entries: &[Value], allowed: &[&str]) {
    for k in kinds(&refs(entries)) {
        assert!(allowed.contains(&k.as_str()), "kind {k:?}, expected one of {allowed:?}: {entries:?}");
    }
}

fn check_salvage(rel: &str, kinds_allowed: &[&str], want_salvaged: u64) -> (Value, Vec<Value>) {
    let bad = fixture(rel);
    let (got, entries) = load_with_good(&bad);
    assert_kind(&entries, kinds_allowed);
    assert_eq!(salvaged(&refs(&entries)), want_salvaged, "{rel}: salvaged in report entries");
    assert_eq!(int(&got, "salvaged"), want_salvaged, "{rel}: salvaged");
    assert_eq!(int(&got, "records"), want_salvaged + GOOD_EVENTS, "{rel}: records");
    assert_eq!(int(&got, "events"), want_salvaged + GOOD_EVENTS, "{rel}: events");
    assert_eq!(int(&got, "files"), 2, "{rel}: files");
    assert_eq!(int(&got, "files_failed"), 1, "{rel}: files_failed");
    (got, entries)
}

#[test]
fn missing_comma_between_records_salvages_all_four() {
    let (_, entries) = check_salvage("bad/missing_comma.json", &["invalid_json"], 4);
    let content = std::fs::read(fixture("bad/missing_comma.json")).unwrap();
    assert_location_in_lines(&entries[0], &content, 54..=55);
}

#[test]
fn missing_brace_salvages_the_complete_records_around_it() {
    let (_, entries) = check_salvage("bad/missing_brace.json", &["invalid_json"], 2);
    let content = std::fs::read(fixture("bad/missing_brace.json")).unwrap();
    assert_location_in_lines(&entries[0], &content, 56..=57);
}

#[test]
fn truncated_gzip_salvages_the_records_before_the_cut() {
    let (_, entries) = check_salvage("bad/truncated.json.gz", &["truncated_gzip"], 3);
    let loc = entries[0]["location"].as_str();
    assert!(
        loc.is_some_and(|l| parse_location_lenient(l).is_some()),
        "truncated gzip entry should say where the data ends: {:?}",
        entries[0]
    );
}

#[test]
fn broken_json_line_is_reported_and_the_others_loaded() {
    let (_, entries) = check_salvage("bad/bad_line.jsonl", &["bad_line", "invalid_json"], 3);
    let content = std::fs::read(fixture("bad/bad_line.jsonl")).unwrap();
    assert_location_in_lines(&entries[0], &content, 3..=4);
}

#[test]
fn corrupt_gzip_is_reported() {
    check_salvage("bad/corrupt.json.gz", &["bad_gzip"], 0);
}

#[test]
fn empty_file_is_reported() {
    let (got, entries) = load_with_good(&fixture("bad/empty.json"));
    assert_kind(&entries, &["empty"]);
    assert_eq!(int(&got, "events"), GOOD_EVENTS);
}

#[test]
fn look_alikes_are_not_cloudtrail() {
    for rel in
        ["bad/s3_notification.json", "bad/sns_notification.json", "bad/eventbridge_ec2_state.json", "bad/notes.txt"]
    {
        let (got, entries) = load_with_good(&fixture(rel));
        assert_kind(&entries, &["not_cloudtrail"]);
        assert_eq!(salvaged(&refs(&entries)), 0, "{rel}");
        assert_eq!(int(&got, "records"), GOOD_EVENTS, "{rel}: records");
        assert_eq!(int(&got, "events"), GOOD_EVENTS, "{rel}: events");
        assert_eq!(int(&got, "partial"), 0, "{rel}: partial");
    }
}

#[test]
fn archive_member_is_named_archive_bang_member() {
    let zip = fixture("bad/mixed.zip");
    let run = stats([zip.as_path()]);
    run.assert_code(0);
    let got = run.json();
    let entries = report_for(&got, "mixed.zip!docs/README.txt");
    assert!(!entries.is_empty(), "expected an entry for mixed.zip!docs/README.txt: {:#}", got["report"]);
    assert_eq!(kinds(&entries), vec!["not_cloudtrail"; entries.len()]);
    assert_eq!(int(&got, "events"), 1, "the good member still loads");
    // Only the prose member is reported, not the good one.
    assert!(report_for(&got, ".json").is_empty());
}

#[test]
fn all_damaged_files_at_once() {
    let rels = [
        "bad/missing_comma.json",
        "bad/missing_brace.json",
        "bad/truncated.json.gz",
        "bad/bad_line.jsonl",
        "bad/corrupt.json.gz",
    ];
    let mut paths: Vec<PathBuf> = rels.iter().map(|r| fixture(r)).collect();
    paths.push(fixture(GOOD));
    let run = stats(&paths);
    run.assert_code(0);
    let got = run.json();
    let salvaged_total = 4 + 2 + 3 + 3;
    assert_eq!(int(&got, "files"), 6);
    assert_eq!(int(&got, "files_failed"), 5);
    assert_eq!(int(&got, "salvaged"), salvaged_total, "{:#}", got["report"]);
    assert_eq!(int(&got, "records"), salvaged_total + GOOD_EVENTS);
    assert_eq!(int(&got, "events"), salvaged_total + GOOD_EVENTS);
    for rel in rels {
        let name = Path::new(rel).file_name().unwrap().to_str().unwrap();
        assert!(!report_for(&got, name).is_empty(), "no entry for {name}");
    }
}

#[test]
fn nothing_loadable_exits_1_with_a_message() {
    let paths: Vec<PathBuf> = ["bad/s3_notification.json", "bad/notes.txt", "bad/corrupt.json.gz", "bad/empty.json"]
        .iter()
        .map(|r| fixture(r))
        .collect();
    let run = stats(&paths);
    run.assert_code(1);
    assert!(!run.stderr.trim().is_empty(), "exit 1 must come with a message on stderr:\n{run}");
}

#[test]
fn missing_path_is_an_io_entry() {
    let missing = fixture("bad/does-not-exist.json.gz");
    let (got, entries) = load_with_good(&missing);
    assert_kind(&entries, &["io"]);
    assert_eq!(int(&got, "events"), GOOD_EVENTS);

    let alone = stats([missing.as_path()]);
    alone.assert_code(1);
    assert!(!alone.stderr.trim().is_empty(), "{alone}");
}

/// Ignored by default: CI runs as root, where mode 000 does not deny reading
/// (CAP_DAC_OVERRIDE), so the case cannot be produced there. Run it as a normal user with
/// `cargo test -- --ignored unreadable`; it fails (rather than passing silently) if the
/// file turns out to be readable.
#[test]
#[ignore = "needs a non-root user: root reads files of any mode"]
fn unreadable_file_is_an_io_entry() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked.json");
    std::fs::copy(fixture(GOOD), &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    assert!(std::fs::read(&locked).is_err(), "mode 000 did not deny reading: running as root?");
    let other = dir.path().join("ok.json");
    std::fs::copy(fixture("shapes/records_compact.json"), &other).unwrap();
    let run = stats([dir.path()]);
    run.assert_code(0);
    let got = run.json();
    let entries = report_for(&got, "locked.json");
    assert_eq!(kinds(&entries), vec!["io"; entries.len()]);
    assert!(!entries.is_empty(), "no entry for locked.json: {got:#}");
    assert_eq!(int(&got, "events"), 3);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn symlink_loops_are_reported_and_do_not_hang() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::copy(fixture(GOOD), root.join("good.json")).unwrap();
    // Two links pointing at each other (ELOOP when opened) …
    symlink("self_b", root.join("self_a")).unwrap();
    symlink("self_a", root.join("self_b")).unwrap();
    // … and a directory link back to its parent (a cycle for a following walker).
    std::fs::create_dir(root.join("sub")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();

    let run = stats([root]);
    run.assert_code(0);
    let got = run.json();
    // The good file is read once, not once per trip around the cycle.
    assert_eq!(int(&got, "records"), GOOD_EVENTS, "{got:#}");
    assert_eq!(int(&got, "events"), GOOD_EVENTS);
    let loop_entries: Vec<&Value> = report(&got)
        .iter()
        .filter(|e| {
            let p = e["path"].as_str().unwrap_or("");
            p.contains("self_a") || p.contains("self_b") || p.contains("sub/up")
        })
        .collect();
    assert!(!loop_entries.is_empty(), "the symlink loop should be in the report: {:#}", got["report"]);
    assert_kind(&loop_entries.into_iter().cloned().collect::<Vec<_>>(), &["io"]);

    // Named directly on the command line.
    let run = stats([root.join("self_a"), root.join("good.json")]);
    run.assert_code(0);
    let got = run.json();
    let entries: Vec<Value> = report_for(&got, "self_a").into_iter().cloned().collect();
    assert!(!entries.is_empty(), "{:#}", got["report"]);
    assert_kind(&entries, &["io"]);
}

#[test]
fn usage_errors_exit_2() {
    let good = fixture(GOOD);
    let bad_time = stats([Path::new("--since").as_os_str(), "not-a-time".as_ref(), good.as_os_str()]);
    bad_time.assert_code(2);
    assert!(!bad_time.stderr.trim().is_empty());

    let bad_flag = stats(["--no-such-flag".as_ref(), good.as_os_str()]);
    bad_flag.assert_code(2);
}

#[test]
fn report_locations_use_the_contract_forms() {
    // docs/stats-json.md: `location` is `line L, column C` or `byte N` when known,
    // so that scripts can parse it. Decorated forms are a contract change.
    let mut paths: Vec<PathBuf> =
        ["bad/missing_comma.json", "bad/missing_brace.json", "bad/truncated.json.gz", "bad/bad_line.jsonl"]
            .iter()
            .map(|r| fixture(r))
            .collect();
    paths.push(fixture(GOOD));
    let run = stats(&paths);
    run.assert_code(0);
    let got = run.json();
    let mut odd = Vec::new();
    for e in report(&got) {
        match &e["location"] {
            Value::Null => odd.push(format!("{}: no location", e["path"])),
            Value::String(s) if parse_location(s).is_some() => {}
            other => odd.push(format!("{}: {other}", e["path"])),
        }
    }
    assert!(odd.is_empty(), "locations outside the contract: {odd:#?}");
}
