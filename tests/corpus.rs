//! Third-party CloudTrail material (../shared/corpora, see its MANIFEST.md) loaded
//! with `trailscope stats --json`, checked against MANIFEST's event counts.
//!
//! When the folder is absent (a plain checkout) each test says it was skipped and
//! passes; CI has the folder, so there they run. Nothing from it is copied here.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpora() -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared/corpora");
    if dir.join("MANIFEST.md").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found (corpus tests run where it exists)", dir.display());
        None
    }
}

/// Loads one corpus folder; requires a clean finish (exit 0) and returns the stats.
fn load(dir: &Path) -> Value {
    let run = stats([dir]);
    assert!(!run.timed_out, "timed out on {}:\n{run}", dir.display());
    run.assert_code(0);
    run.json()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A corpus folder whose files are all valid: MANIFEST's count, a clean report.
fn check_folder(name: &str, manifest_events: u64) -> Option<Value> {
    let dir = corpora()?.join(name);
    let got = load(&dir);
    assert_eq!(int(&got, "records"), manifest_events, "{name}: records vs MANIFEST.md");
    assert!(report(&got).is_empty(), "{name}: valid files produced report entries: {:#}", got["report"]);
    Some(got)
}

#[test]
fn grycap_cloudtrail_tracker() {
    let Some(root) = corpora() else { return };
    let dir = root.join("grycap-cloudtrail-tracker");
    let got = load(&dir);
    assert_eq!(int(&got, "records"), 11_576, "records vs MANIFEST.md");
    // The unique count is python's count of distinct (eventID, canonical content)
    // pairs: trail files committed twice (.json and .json.gz) and the overlapping
    // lambda sample are duplicates; the hand-edited prueba file adds a collision.
    let want = oracle([dir.as_path()]);
    assert_eq!(int(&want, "records"), 11_576, "the oracle agrees with MANIFEST");
    assert_eq!(int(&got, "events"), int(&want, "events"));
    assert_eq!(int(&got, "duplicates"), int(&want, "duplicates"));
    let coll = int(&got, "id_collisions");
    assert!(
        coll == int(&want, "id_collisions") || coll == int(&want, "id_collisions_all"),
        "id_collisions = {coll}, oracle {want:#}"
    );
    assert!(report(&got).is_empty(), "{:#}", got["report"]);
}

#[test]
fn trailscraper() {
    if let Some(got) = check_folder("trailscraper", 7) {
        // The plain file and its .json.gz twin hold the same records.
        assert_eq!(int(&got, "events"), 3);
    }
}

#[test]
fn plaso_lookup_events_items() {
    check_folder("plaso", 6);
}

#[test]
fn otrf_logstash_ndjson() {
    if let Some(got) = check_folder("otrf-security-datasets", 103) {
        assert_eq!(int(&got, "untimed"), 0, "@timestamp is the event time");
    }
}

#[test]
fn cloud_custodian_single_events_and_eventbridge() {
    check_folder("cloud-custodian", 24);
}

#[test]
fn streamalert_harness_arrays() {
    check_folder("streamalert", 57);
}

#[test]
fn cribl_capture_arrays() {
    check_folder("cribl-aws-cloudtrail-logs", 249);
}

#[test]
fn elastic_transcribed_events_and_digest() {
    if let Some(got) = check_folder("elastic-transcribed", 3) {
        assert_eq!(int(&got, "digests"), 1);
    }
}

#[test]
fn aws_cloudtrail_processing_library_with_invalid_file() {
    let Some(root) = corpora() else { return };
    let got = load(&root.join("aws-cloudtrail-processing-library"));
    // 39 records from the 12 valid files. SerializerTestFileBadJsonFormat.json has 2
    // records; record 1's userIdentity lost its closing brace, so record 2 is the
    // complete record after the damage (salvage 1). A salvager that also repairs
    // record 1 would find 2; both are accepted.
    let records = int(&got, "records");
    assert!(records == 40 || records == 41, "records = {records}, expected 39 + 1 or 2 salvaged");
    assert_eq!(int(&got, "salvaged"), records - 39);
    let entries = report_for(&got, "SerializerTestFileBadJsonFormat.json");
    assert!(!entries.is_empty(), "{:#}", got["report"]);
    assert_eq!(kinds(&entries), vec!["invalid_json"; entries.len()]);
    assert_eq!(int(&got, "files_failed"), 1, "{:#}", got["report"]);
    assert_eq!(report(&got).len(), entries.len(), "only the invalid file");
}

#[test]
fn negative_controls_load_nothing_and_report_each_file() {
    let Some(root) = corpora() else { return };
    let dir = root.join("negative-controls");
    let run = stats([dir.as_path()]);
    run.assert_code(1);
    assert!(!run.stderr.trim().is_empty(), "{run}");
    let got = run.json();
    assert_eq!(int(&got, "events"), 0);
    assert_eq!(int(&got, "records"), 0);
    for file in files_under(&dir) {
        let name = file.file_name().unwrap().to_str().unwrap();
        let entries = report_for(&got, name);
        assert!(!entries.is_empty(), "no report entry for {name}");
        assert_eq!(kinds(&entries), vec!["not_cloudtrail"; entries.len()]);
    }
}

#[test]
fn panther_yaml_does_not_crash_and_is_accounted_for() {
    // panther-analysis holds YAML rule tests (events under `Tests[].Log`, often in
    // flow style with trailing commas), not a CloudTrail export format. Loading it
    // is not required; what is required is no crash and no silence: either all 497
    // MANIFEST records are found, or every file that yielded nothing is named in
    // the report. Both outcomes pass; a crash, a hang or an unexplained file fails.
    let Some(root) = corpora() else { return };
    let dir = root.join("panther-analysis");
    let run = stats([dir.as_path()]);
    assert!(!run.timed_out, "{run}");
    assert!(matches!(run.code, Some(0) | Some(1)), "crash or usage error on panther-analysis:\n{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    let got = run.json();
    let records = int(&got, "records");
    if records == 497 {
        return;
    }
    assert!(records < 497, "more records than MANIFEST lists: {records}");
    let files = files_under(&dir);
    assert_eq!(int(&got, "files"), files.len() as u64);
    if records == 0 {
        run.assert_code(1);
        assert!(!run.stderr.trim().is_empty(), "{run}");
    }
    // Without per-file record counts in the JSON, require that the report names
    // at least every file a loader could not have taken records from: when only
    // part of the records were found, at least one file must be reported, and
    // when none were, all of them.
    let unreported: Vec<_> = files
        .iter()
        .filter(|f| {
            let rel = f.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            report_for(&got, &rel).is_empty()
        })
        .collect();
    if records == 0 {
        assert!(unreported.is_empty(), "files neither loaded nor reported: {unreported:?}");
    } else {
        assert!(unreported.len() < files.len(), "{records} of 497 records found, but no file is reported");
    }
}
