//! Inputs at the edges of detection, each a gap found by hand (issue 7): empty trail files
//! and header-only Event-history CSVs, events wrapped deeper than the nesting limit,
//! old-style (v7) tar archives, JSON deeper than the parser's limit, and archives that hold
//! no file (found by the `archive` fuzz target).
//!
//! Expected values come from how the inputs are built here (the number of wrappers, the
//! records written), from the README's stated limits, and for the v7 archives from GNU tar,
//! which wrote them (tests/fixtures/make_fixtures.py); never from running trailscope.

mod common;
mod hostile;

use std::path::Path;

use common::*;
use hostile::*;
use serde_json::Value;
use trailscope::ingest::input::decode_input;
use trailscope::ingest::{Limits, ProblemKind};

fn write(dir: &Path, name: &str, content: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

// ---- empty trail files ----

/// CloudTrail writes `{"Records":[]}` for a delivery period without events: a valid
/// CloudTrail file with no events, not a failure, in every spelling it can take.
#[test]
fn empty_trail_files_are_read_without_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &records_file(&[record("edge-1"), record("edge-2")]));
    let empties = [
        write(dir.path(), "compact.json", b"{\"Records\":[]}"),
        write(dir.path(), "pretty.json", b"{\n    \"Records\": [\n    ]\n}\n"),
        write(dir.path(), "gzipped.json.gz", &gzip(b"{\"Records\":[]}")),
        // One Records object per line, the middle one empty.
        write(dir.path(), "per-line.jsonl", {
            let mut lines = records_file(&[record("edge-3")]);
            lines.extend_from_slice(b"\n{\"Records\":[]}\n");
            lines.extend_from_slice(&records_file(&[record("edge-4")]));
            &lines.clone()
        }),
    ];
    let mut args = vec![good.clone()];
    args.extend(empties.iter().cloned());
    let run = stats(&args);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "files"), 5, "{got:#}");
    assert_eq!(int(&got, "files_failed"), 0, "{got:#}");
    assert_eq!(int(&got, "events"), 4, "edge-1..4: {got:#}");
    assert!(report(&got).is_empty(), "no report entries expected: {got:#}");
}

/// The console's Event-history CSV of an empty search result is its header line alone:
/// a valid file with no events, like an empty trail file.
#[test]
fn header_only_event_history_csv_is_a_valid_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Event ID,Event time,User name,Event name,Resource type,Resource name,AWS access key,Event source,AWS region,Error code,Source IP address,Read-only\r\n";
    let csv = write(dir.path(), "empty-history.csv", header.as_bytes());
    let good = write(dir.path(), "good.json", &records_file(&[record("edge-csv")]));
    let run = stats([&csv, &good]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "files_failed"), 0, "{got:#}");
    assert!(report(&got).is_empty(), "{got:#}");
    assert_eq!(int(&got, "events"), 1, "{got:#}");
}

/// Only empty trail files: nothing failed, but there are no events; the message says so
/// instead of listing problems.
#[test]
fn only_empty_trail_files_say_there_are_no_events_and_no_failures() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", b"{\"Records\":[]}");
    let b = write(dir.path(), "b.json.gz", &gzip(b"{\"Records\": [ ]}"));
    let run = stats([&a, &b]);
    assert_ne!(run.code, Some(0), "no events is still a non-zero exit:\n{run}");
    let got = run.json();
    assert_eq!(int(&got, "files"), 2, "{got:#}");
    assert_eq!(int(&got, "files_failed"), 0, "{got:#}");
    assert_eq!(int(&got, "events"), 0, "{got:#}");
    assert!(report(&got).is_empty(), "{got:#}");
    assert!(run.stderr.contains("hold no events"), "stderr should say why:\n{run}");
}

/// Look-alikes keep being refused: an empty `Records` makes a file a trail file, a
/// `Records` array of things that are not CloudTrail events does not.
#[test]
fn records_arrays_of_non_events_are_still_not_cloudtrail() {
    for content in [&b"{\"Records\":[{}]}"[..], b"{\"Records\":[1,2]}", b"{\"Records\":{}}", b"{\"Records\":null}"] {
        let d = decode_input(content, &Limits::default(), None);
        let kinds: Vec<ProblemKind> = d.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::NotCloudtrail], "{}", String::from_utf8_lossy(content));
    }
    let run = stats([fixture("bad/s3_notification.json")]);
    let got = run.json();
    assert_eq!(kinds(&report_for(&got, "s3_notification.json")), ["not_cloudtrail"], "{got:#}");
}

// ---- nesting ----

/// An event under `n` wrapper objects: `{"w":{"w":…event…}}`.
fn wrapped(n: usize, event: &str) -> String {
    format!("{}{event}{}", "{\"w\":".repeat(n), "}".repeat(n))
}

/// The README: "Events are looked for at most 16 wrappers deep". At 16 the event loads;
/// at 17 the load report says a limit cut the search (it used to say "not CloudTrail").
#[test]
fn events_past_the_wrapper_limit_are_a_limit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let event = record("deep-ok").to_string();
    let at_limit = write(dir.path(), "sixteen.json", wrapped(16, &event).as_bytes());
    let past = write(dir.path(), "seventeen.json", wrapped(17, &record("deep-cut").to_string()).as_bytes());
    let run = stats([&at_limit, &past]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 1, "only the event at 16 wrappers loads: {got:#}");
    assert!(report_for(&got, "sixteen.json").is_empty(), "{got:#}");
    let entries = report_for(&got, "seventeen.json");
    assert_eq!(kinds(&entries), ["limit"], "{got:#}");
    let message = entries[0]["message"].as_str().unwrap();
    assert!(message.contains("16"), "the message names the limit: {message}");
}

/// The same cut inside a JSON string (a CloudWatch `message` holding a wrapped event) is
/// reported too, and arrays count as wrappers like objects do.
#[test]
fn the_wrapper_limit_is_reported_inside_strings_and_arrays() {
    let deep = wrapped(20, &record("in-string").to_string());
    let in_string = serde_json::json!({ "logEvents": [{ "id": "1", "message": deep }] }).to_string();
    let arrays = format!("{}{}{}", "[".repeat(17), record("in-array"), "]".repeat(17));
    for content in [in_string, arrays] {
        let d = decode_input(content.as_bytes(), &Limits::default(), None);
        let kinds: Vec<ProblemKind> = d.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::Limit], "{content}");
        assert!(d.records.is_empty());
    }
    // With the limit raised, the same inputs load their event.
    let deep = wrapped(20, &record("raised").to_string());
    let d = decode_input(deep.as_bytes(), &Limits { max_nesting: 32, ..Limits::default() }, None);
    assert_eq!(d.records.len(), 1, "{:?}", d.problems.iter().map(|p| &p.message).collect::<Vec<_>>());
    assert!(d.problems.is_empty());
}

/// Where nothing is left to search at the cut (a scalar, an empty array, prose), the
/// limit cut nothing off: the file is simply not CloudTrail.
#[test]
fn deep_structures_with_nothing_past_the_limit_are_not_a_limit() {
    for leaf in ["1", "[]", "\"just text\"", "{}"] {
        // The object at depth 16 is `{"w":<leaf>}`, except for `{}`, which is itself at 17.
        let n = if leaf == "{}" { 16 } else { 17 };
        let content = wrapped(n, leaf);
        let d = decode_input(content.as_bytes(), &Limits::default(), None);
        let kinds: Vec<ProblemKind> = d.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::NotCloudtrail], "{content}");
    }
}

/// JSON far deeper than serde_json's recursion limit (128) is read without error (the
/// walk over it is iterative) and, holding nothing at 16 levels, is a single limit entry.
#[test]
fn json_deeper_than_the_parser_limit_is_one_limit_entry() {
    let arrays = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let objects = wrapped(200, "1");
    for deep in [arrays, objects] {
        let content = format!("{}\n{}\n", record("before-deep"), deep);
        let d = decode_input(content.as_bytes(), &Limits::default(), None);
        let kinds: Vec<ProblemKind> = d.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::Limit], "{:?}", d.problems.iter().map(|p| &p.message).collect::<Vec<_>>());
        assert_eq!(d.records.len(), 1, "the record on line 1 loads");
    }
}

// ---- v7 tar ----

/// GNU tar's `--format=v7` archives (no `ustar` magic): two members, one a gzipped trail
/// file with events 761 and 762, one a single event 763 (see make_fixtures.py).
#[test]
fn old_style_v7_tar_archives_load() {
    for name in ["archives/v7.tar", "archives/v7.tar.gz"] {
        let path = fixture(name);
        let bytes = std::fs::read(&path).unwrap();
        let plain = if name.ends_with(".gz") { gunzip(&bytes) } else { bytes };
        assert_ne!(&plain[257..262], b"ustar", "{name} must be a v7 archive");
        let run = stats([&path]);
        run.assert_code(0);
        let got = run.json();
        assert_eq!(int(&got, "events"), 3, "{name}: {got:#}");
        assert_eq!(int(&got, "files"), 2, "{name}: the two members: {got:#}");
        assert!(report(&got).is_empty(), "{name}: {got:#}");
    }
}

/// A v7 header written here from the format's definition (name, mode, uid, gid, size,
/// mtime, checksum, type flag), independent of both GNU tar and the tar crate.
fn v7_member(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"14577305400\0");
    h[156] = b'0';
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

#[test]
fn hand_built_v7_tar_loads_and_a_bad_checksum_is_not_a_tar() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = v7_member("a.json", &records_file(&[record("v7-a")]));
    archive.extend(v7_member("b.json", &records_file(&[record("v7-b"), record("v7-c")])));
    archive.extend([0u8; 1024]);
    let good = write(dir.path(), "hand.tar", &archive);
    // The same bytes with one header byte changed: the checksum no longer matches, so the
    // file is not recognised as a tar (and its binary content is not CloudTrail).
    let mut broken = archive.clone();
    broken[1] = b'X';
    let bad = write(dir.path(), "broken.tar", &broken);
    let run = stats([&good, &bad]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 3, "{got:#}");
    assert!(report_for(&got, "hand.tar!a.json").is_empty() && report_for(&got, "hand.tar!b.json").is_empty());
    let entries = report_for(&got, "broken.tar");
    assert_eq!(entries.len(), 1, "{got:#}");
    assert_ne!(entries[0]["kind"], Value::from("limit"), "{got:#}");
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

// ---- archives without files ----

/// A zip or tar that opens but holds no file — empty, or folders only, or a zip whose
/// central directory lists nothing (the fuzz target's find) — is reported as `empty`
/// with its path, beside a good file that still loads.
#[test]
fn archives_that_hold_no_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", &records_file(&[record("edge-a1")]));
    let empty_zip = write(dir.path(), "empty.zip", &zip(&[]));
    let folders_zip = write(dir.path(), "folders.zip", &zip(&[ZipMember::stored("notes/", b"")]));
    // A local file header with no central directory entry for it.
    let mut orphan = zip(&[ZipMember::stored("a.json", &records_file(&[record("edge-a2")]))]);
    let cd = orphan.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    orphan.truncate(cd);
    orphan.extend_from_slice(&zip(&[]));
    let orphan_zip = write(dir.path(), "orphan.zip", &orphan);
    let mut tar = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_size(0);
    header.set_cksum();
    tar.append_data(&mut header, "logs/", &[][..]).unwrap();
    let folders_tar = write(dir.path(), "folders.tar", &tar.into_inner().unwrap());

    let run = stats([&good, &empty_zip, &folders_zip, &orphan_zip, &folders_tar]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 1, "{got:#}");
    for archive in ["empty.zip", "folders.zip", "orphan.zip", "folders.tar"] {
        let entries = report_for(&got, archive);
        assert_eq!(kinds(&entries), ["empty"], "{archive}: {got:#}");
        let message = entries[0]["message"].as_str().unwrap();
        assert!(message.contains("holds no files"), "{archive}: {message}");
    }
    assert_eq!(int(&got, "files_failed"), 4, "{got:#}");
}
