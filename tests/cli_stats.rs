//! `trailscope stats --json` on every valid input shape of the loading issue, compared
//! with the independent oracle `tests/oracle/count.py` (python3, stdlib only).
//!
//! Valid fixtures (tests/fixtures/, binaries made by make_fixtures.py). The oracle
//! recomputes every count; the figures here are for the reader:
//!
//! | fixture                                         | shape                                   | records | notes |
//! |-------------------------------------------------|-----------------------------------------|---------|-------|
//! | shapes/records_pretty.json                      | trail file, pretty-printed              | 3 | 1 error |
//! | shapes/records_compact.json                     | trail file, one line                    | 3 | |
//! | shapes/111122223333_CloudTrail_us-west-2_…json.gz | gzip trail file, S3 key name          | 3 | |
//! | shapes/gzipped_but_named.json                   | gzip content behind a `.json` name      | 1 | |
//! | shapes/multi_member.json.gz                     | one Records doc split over 2 gzip members | 4 | |
//! | shapes/lookup_events_paginated.json             | 2 concatenated `lookup-events` pages    | 3 | CloudTrailEvent strings |
//! | shapes/lookup_events_items.jsonl                | `Events[]` items one per line           | 3 | |
//! | shapes/eventbridge.json                         | one EventBridge envelope                | 1 | |
//! | shapes/eventbridge.jsonl                        | envelopes one per line                  | 2 | |
//! | shapes/cwl_filter_log_events.json               | `filter-log-events` output              | 3 | event in `message` |
//! | shapes/cwl_subscription.json                    | subscription `logEvents[]` payload      | 2 | |
//! | shapes/firehose-cwl-1-2024-03-01-10-20-11-5b6c7d8e | Firehose: 2 gzip members, no extension | 3 | |
//! | shapes/cwl_export.txt                           | `<timestamp> <json>` export lines       | 3 | |
//! | shapes/events.jsonl                             | JSON Lines, one event per line          | 3 | |
//! | shapes/records_per_line.jsonl                   | one Records object per line             | 3 | |
//! | shapes/array.json                               | top-level array                         | 3 | |
//! | shapes/single_event.json                        | single event object                     | 1 | |
//! | shapes/insights.json                            | Insights Start/End pair                 | 2 | |
//! | shapes/digest.json                              | digest file                             | 0 | 1 digest |
//! | shapes/console_history.csv                      | console CSV, 16 columns                 | 4 | 4 partial |
//! | shapes/console_history.json                     | console JSON download                   | 2 | |
//! | shapes/space_delimited.txt                      | seed-004 lines                          | 4 | 4 partial, 4 untimed |
//! | shapes/messy.json                               | readOnly string, v1.01 without eventType, space+fraction time, "timestamp" placeholder, no userIdentity | 5 | 1 untimed |
//! | shapes/logstash.jsonl                           | `@timestamp` instead of eventTime       | 3 | |
//! | shapes/time_offset.json                         | eventTime with a +11:00 offset          | 1 | |
//! | tree/AWSLogs/…                                  | S3 layout, org folder, digest, insight  | 9 | 1 digest, 5 files |
//! | archives/bundle.zip                             | zip: .json.gz member + lookup JSONL     | 4 | |
//! | archives/bundle.tar                             | tar: array + console CSV                | 4 | 2 partial |
//! | archives/bundle.tar.gz                          | tar.gz with .json.gz members + digest   | 3 | 1 digest |
//! | archives/export.tgz                             | .tgz with a JSONL member                | 2 | |
//!
//! Damaged and non-CloudTrail fixtures are in cli_failures.rs, dedup in cli_dedup.rs,
//! --since/--until in cli_time.rs.

mod common;

use common::*;
use std::path::Path;

fn shape(rel: &str) -> serde_json::Value {
    let path = fixture(rel);
    let got = check_against_oracle(&[path.as_path()], rel);
    assert_eq!(int(&got, "files"), 1, "{rel}: files");
    got
}

#[test]
fn trail_file_pretty_printed() {
    let got = shape("shapes/records_pretty.json");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn trail_file_compact_one_line() {
    let got = shape("shapes/records_compact.json");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn trail_file_gzip_with_s3_key_name() {
    let got = shape("shapes/111122223333_CloudTrail_us-west-2_20240301T1215Z_Gz7hQ2mN4pL9sR1t.json.gz");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn gzip_is_detected_by_magic_bytes_not_extension() {
    let got = shape("shapes/gzipped_but_named.json");
    assert_eq!(int(&got, "events"), 1);
}

#[test]
fn multi_member_gzip_is_read_to_the_end() {
    // The split falls inside record 2: a reader that stops after the first member
    // sees a broken document.
    let got = shape("shapes/multi_member.json.gz");
    assert_eq!(int(&got, "events"), 4);
}

#[test]
fn lookup_events_paginated_documents() {
    let got = shape("shapes/lookup_events_paginated.json");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn lookup_events_items_one_per_line() {
    let got = shape("shapes/lookup_events_items.jsonl");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn eventbridge_envelope() {
    let got = shape("shapes/eventbridge.json");
    assert_eq!(int(&got, "events"), 1);
}

#[test]
fn eventbridge_envelopes_one_per_line() {
    let got = shape("shapes/eventbridge.jsonl");
    assert_eq!(int(&got, "events"), 2);
}

#[test]
fn cloudwatch_filter_log_events_output() {
    let got = shape("shapes/cwl_filter_log_events.json");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn cloudwatch_subscription_payload() {
    let got = shape("shapes/cwl_subscription.json");
    assert_eq!(int(&got, "events"), 2);
}

#[test]
fn firehose_delivery_multi_member_gzip_without_extension() {
    let got = shape("shapes/firehose-cwl-1-2024-03-01-10-20-11-5b6c7d8e");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn cloudwatch_export_timestamp_prefixed_lines() {
    let got = shape("shapes/cwl_export.txt");
    assert_eq!(int(&got, "events"), 3);
    // The event's own eventTime is used, not the export's ingestion timestamp.
    assert_eq!(time_range_s(&got, "first"), Some(rfc3339_ms("2024-03-01T11:39:55Z").unwrap() / 1000));
}

#[test]
fn json_lines_one_event_per_line() {
    let got = shape("shapes/events.jsonl");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn json_lines_one_records_object_per_line() {
    let got = shape("shapes/records_per_line.jsonl");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn top_level_array_of_events() {
    let got = shape("shapes/array.json");
    assert_eq!(int(&got, "events"), 3);
}

#[test]
fn single_event_object() {
    let got = shape("shapes/single_event.json");
    assert_eq!(int(&got, "events"), 1);
}

#[test]
fn insights_events() {
    let got = shape("shapes/insights.json");
    assert_eq!(int(&got, "events"), 2);
    assert_eq!(int(&got, "untimed"), 0);
}

#[test]
fn digest_is_counted_not_loaded_as_events() {
    // With a trail file beside it, so that the run has events and exits 0.
    let digest = fixture("shapes/digest.json");
    let trail = fixture("shapes/records_pretty.json");
    let got = check_against_oracle(&[digest.as_path(), trail.as_path()], "digest + trail");
    assert_eq!(int(&got, "digests"), 1);
    assert_eq!(int(&got, "events"), 3);
    assert_eq!(int(&got, "files"), 2, "the digest counts as a file read");
}

#[test]
fn console_csv_rows_are_partial_events() {
    let got = shape("shapes/console_history.csv");
    assert_eq!(int(&got, "events"), 4);
    assert_eq!(int(&got, "partial"), 4);
    assert_eq!(int(&got, "untimed"), 0, "CSV rows carry an Event time");
}

#[test]
fn console_json_download() {
    let got = shape("shapes/console_history.json");
    assert_eq!(int(&got, "events"), 2);
    assert_eq!(int(&got, "partial"), 0);
}

#[test]
fn space_delimited_lines_are_partial_and_untimed() {
    let got = shape("shapes/space_delimited.txt");
    assert_eq!(int(&got, "events"), 4);
    assert_eq!(int(&got, "partial"), 4);
    assert_eq!(int(&got, "untimed"), 4);
    assert_eq!(time_range_s(&got, "first"), None);
    assert_eq!(time_range_s(&got, "last"), None);
}

#[test]
fn messy_events_are_kept() {
    let got = shape("shapes/messy.json");
    assert_eq!(int(&got, "events"), 5);
    assert_eq!(int(&got, "untimed"), 1, "only the \"timestamp\" placeholder");
    // The 1.01 record is the oldest; the fractional `…10:20:00.250Z` the newest.
    assert_eq!(time_range_s(&got, "first"), Some(rfc3339_ms("2014-03-06T21:22:54Z").unwrap() / 1000));
    assert_eq!(time_range_s(&got, "last"), Some(rfc3339_ms("2024-03-01T10:20:00Z").unwrap() / 1000));
}

#[test]
fn logstash_at_timestamp_is_the_event_time() {
    let got = shape("shapes/logstash.jsonl");
    assert_eq!(int(&got, "events"), 3);
    assert_eq!(int(&got, "untimed"), 0);
    assert_eq!(time_range_s(&got, "first"), Some(rfc3339_ms("2024-03-01T15:00:01Z").unwrap() / 1000));
}

#[test]
fn event_time_with_utc_offset_is_converted() {
    // Beyond the list of messy times, but offsets occur (plaso's EventTime
    // uses them) and a user expects 21:25+11:00 to be 10:25Z, not "untimed".
    let got = shape("shapes/time_offset.json");
    assert_eq!(int(&got, "untimed"), 0);
    assert_eq!(time_range_s(&got, "first"), Some(rfc3339_ms("2024-03-01T10:25:00Z").unwrap() / 1000));
}

#[test]
fn directory_walk_of_an_awslogs_tree() {
    let tree = fixture("tree");
    let got = check_against_oracle(&[tree.as_path()], "tree/");
    assert_eq!(int(&got, "files"), 5);
    assert_eq!(int(&got, "digests"), 1);
    assert_eq!(int(&got, "events"), 9);
}

#[test]
fn whole_shapes_directory_at_once() {
    let dir = fixture("shapes");
    let got = check_against_oracle(&[dir.as_path()], "shapes/");
    let n_files = std::fs::read_dir(&dir).unwrap().count() as u64;
    assert_eq!(int(&got, "files"), n_files);
}

#[test]
fn top_values_match_the_oracle() {
    let dir = fixture("shapes");
    let run = stats([dir.as_path()]);
    run.assert_code(0);
    let got = run.json();
    let want = oracle([dir.as_path()]);
    let top = &got["top"];
    for facet in ["eventName", "eventSource", "identity", "sourceIPAddress", "awsRegion", "errorCode"] {
        let list = top[facet].as_array().unwrap_or_else(|| panic!("top.{facet} is not an array: {top:#}"));
        assert!(list.len() <= 10, "top.{facet} has more than 10 entries");
        if facet == "identity" {
            // How an identity is named (ARN, user name…) is the code's choice.
            assert!(!list.is_empty(), "top.identity is empty");
            continue;
        }
        let counts = want["top"][facet].as_object().unwrap();
        let mut expected: Vec<u64> = counts.values().map(|c| c.as_u64().unwrap()).collect();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        expected.truncate(10);
        let listed: Vec<u64> = list.iter().map(|e| int(e, "count")).collect();
        assert_eq!(listed, expected, "top.{facet} counts: {list:?}");
        for e in list {
            let value = e["value"].as_str().expect("top value is a string");
            assert_eq!(
                counts.get(value).and_then(|c| c.as_u64()),
                Some(int(e, "count")),
                "top.{facet}: count of {value:?}"
            );
        }
    }
}

#[test]
fn stdin_dash_plain_json() {
    let bytes = std::fs::read(fixture("shapes/records_compact.json")).unwrap();
    let run = stats_stdin(["-"], bytes);
    run.assert_code(0);
    let got = run.json();
    let want = oracle([fixture("shapes/records_compact.json")]);
    assert_fields_match(&got, &want, &ORACLE_FIELDS, "stdin json");
    assert_eq!(int(&got, "files"), 1);
}

#[test]
fn stdin_dash_gzip_and_a_file_together() {
    let gz = fixture("shapes/111122223333_CloudTrail_us-west-2_20240301T1215Z_Gz7hQ2mN4pL9sR1t.json.gz");
    let other = fixture("shapes/console_history.csv");
    let run = stats_stdin([Path::new("-"), other.as_path()], std::fs::read(&gz).unwrap());
    run.assert_code(0);
    let got = run.json();
    let want = oracle([gz.as_path(), other.as_path()]);
    assert_fields_match(&got, &want, &ORACLE_FIELDS, "stdin gzip + csv");
    assert_eq!(int(&got, "files"), 2);
}

#[test]
fn bytes_read_is_the_on_disk_size() {
    let a = fixture("shapes/records_pretty.json");
    let b = fixture("shapes/multi_member.json.gz");
    let run = stats([a.as_path(), b.as_path()]);
    run.assert_code(0);
    let got = run.json();
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert_eq!(int(&got, "bytes_read"), size(&a) + size(&b));
}

fn archive(rel: &str, members: u64) -> serde_json::Value {
    let path = fixture(rel);
    let got = check_against_oracle(&[path.as_path()], rel);
    // Whether the archive itself is counted besides its members is not pinned
    // down by the contract ("archive members … included").
    let files = int(&got, "files");
    assert!(
        files == members || files == members + 1,
        "{rel}: files = {files}, expected {members} members (+1 for the archive)"
    );
    got
}

#[test]
fn zip_archive_read_in_place() {
    let got = archive("archives/bundle.zip", 2);
    assert_eq!(int(&got, "events"), 4);
}

#[test]
fn tar_archive_read_in_place() {
    let got = archive("archives/bundle.tar", 2);
    assert_eq!(int(&got, "events"), 4);
    assert_eq!(int(&got, "partial"), 2);
}

#[test]
fn tar_gz_with_gzip_members_and_digest() {
    let got = archive("archives/bundle.tar.gz", 3);
    assert_eq!(int(&got, "events"), 3);
    assert_eq!(int(&got, "digests"), 1);
}

#[test]
fn tgz_archive_read_in_place() {
    let got = archive("archives/export.tgz", 1);
    assert_eq!(int(&got, "events"), 2);
}

#[test]
fn digest_signature_sidecars_are_read_without_a_problem() {
    // `verify` reads a digest's signature from `<digest>.json.gz.sig` beside it; a load of the
    // same folder must not report those as "not CloudTrail". The events still load.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("shapes/records_compact.json"), dir.path().join("records.json")).unwrap();
    let sig = "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240301T110000Z.json.gz.sig";
    std::fs::write(dir.path().join(sig), "0123456789abcdef\n").unwrap();
    let run = stats(&[dir.path().to_path_buf()]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 3);
    assert_eq!(int(&got, "files"), 2);
    assert_eq!(int(&got, "files_failed"), 0, "{got}");
    assert!(got["report"].as_array().unwrap().is_empty(), "{got}");
}
