//! `--since` / `--until`: ISO times, dates and relative durations; filtering by each
//! event's own time; trail files far outside the window skipped unopened.
//!
//! tests/fixtures/timefilter/AWSLogs/111122223333/CloudTrail/… (made by
//! make_fixtures.py; the file-name key time is the delivery time, after the events):
//!
//! | key time        | events (eventTime)                          |
//! |-----------------|---------------------------------------------|
//! | 20240301T1005Z  | 09:58:10, 10:01:00, 10:03:30                |
//! | 20240301T1130Z  | 11:22:00, 11:26:45                          |
//! | 20240301T1210Z  | 11:55:00, 12:04:00   (delivered after --until, holds an in-window event) |
//! | 20240301T1045Z  | 10:40:00, 10:42:10   (us-west-2, plain .json) |
//! | 20231115T0800Z  | 2023-11-15 07:51, 07:55, 07:58  (far before) |
//! | 20240620T1500Z  | 2024-06-20 14:52, 14:57  (far after)        |
//!
//! Hand counts (the oracle recomputes events):
//! * 2024-03-01T10:00:00Z..12:00:00Z → 7 events, the 2 far files skipped, 9 records
//!   read from the 4 opened files.
//! * --since 2024-03-01 → 11 events, the 2023 file skipped, 11 records.
//! * --until 2024-01-01 → 3 events, the 5 files of 2024 skipped, 3 records.
//!
//! No fixture event sits exactly on a bound (inclusive or exclusive is not pinned
//! down by the contract), and no untimed event is in a filtered set (whether an
//! untimed event passes a time filter is not pinned down either).

mod common;

use common::*;
use std::ffi::OsString;
use std::path::Path;

fn filtered(args: &[&str], path: &Path) -> (serde_json::Value, serde_json::Value) {
    let mut a: Vec<OsString> = args.iter().map(OsString::from).collect();
    a.push(path.into());
    let run = stats(&a);
    run.assert_code(0);
    let got = run.json();
    let want = oracle(&a);
    assert_eq!(int(&got, "events"), int(&want, "events"), "{args:?}: events after the filter must be exact: {got:#}");
    (got, want)
}

#[test]
fn window_filters_events_and_skips_far_files() {
    let tree = fixture("timefilter");
    let (got, want) = filtered(&["--since", "2024-03-01T10:00:00Z", "--until", "2024-03-01T12:00:00Z"], &tree);
    assert_eq!(int(&got, "events"), 7);
    assert_eq!(int(&got, "files_skipped"), 2, "{got:#}");
    assert_eq!(int(&got, "records"), 9, "records are counted in the files that were opened");
    assert_time_range_matches(&got, &want, "window");
    assert_eq!(
        time_range_s(&got, "last"),
        Some(rfc3339_ms("2024-03-01T11:55:00Z").unwrap() / 1000),
        "the 11:55 event of the file delivered at 12:10 must be in"
    );
}

#[test]
fn since_a_date() {
    let tree = fixture("timefilter");
    let (got, _) = filtered(&["--since", "2024-03-01"], &tree);
    assert_eq!(int(&got, "events"), 11);
    assert_eq!(int(&got, "files_skipped"), 1, "{got:#}");
    assert_eq!(int(&got, "records"), 11);
}

#[test]
fn until_alone() {
    let tree = fixture("timefilter");
    let (got, _) = filtered(&["--until", "2024-01-01"], &tree);
    assert_eq!(int(&got, "events"), 3);
    assert_eq!(int(&got, "files_skipped"), 5, "{got:#}");
    assert_eq!(int(&got, "records"), 3);
}

#[test]
fn no_filter_opens_every_file() {
    let tree = fixture("timefilter");
    let run = stats([tree.as_path()]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "files_skipped"), 0);
    assert_eq!(int(&got, "events"), 14);
    assert_eq!(int(&got, "records"), 14);
}

#[test]
fn filter_applies_inside_non_trail_files() {
    // These names carry no key time: every file is opened and each event is
    // judged by its own eventTime (lookup-events, CloudWatch, EventBridge, JSONL).
    let names = [
        "shapes/lookup_events_paginated.json",
        "shapes/lookup_events_items.jsonl",
        "shapes/cwl_filter_log_events.json",
        "shapes/cwl_subscription.json",
        "shapes/cwl_export.txt",
        "shapes/eventbridge.json",
        "shapes/eventbridge.jsonl",
        "shapes/events.jsonl",
        "shapes/records_pretty.json",
    ];
    let mut a: Vec<OsString> =
        ["--since", "2024-03-01T11:05:00Z", "--until", "2024-03-01T11:35:00Z"].iter().map(OsString::from).collect();
    a.extend(names.iter().map(|n| OsString::from(fixture(n))));
    let run = stats(&a);
    run.assert_code(0);
    let got = run.json();
    let want = oracle(&a);
    assert_eq!(int(&got, "events"), int(&want, "events"));
    assert_eq!(int(&got, "files_skipped"), 0);
    let unfiltered = oracle(names.iter().map(|n| fixture(n)));
    assert_eq!(int(&got, "records"), int(&unfiltered, "records"), "records are counted before time filtering");
    assert_time_range_matches(&got, &want, "in-file filter");
}

/// A JSONL file with one event at each of the given ages (milliseconds before now).
fn events_aged(dir: &Path, ages_ms: &[i64]) -> std::path::PathBuf {
    let now = now_ms();
    let mut body = String::new();
    for (i, age) in ages_ms.iter().enumerate() {
        body.push_str(&format!(
            concat!(
                r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","userName":"alice","#,
                r#""arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}},"#,
                r#""eventTime":"{}","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","#,
                r#""awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.10","#,
                r#""requestParameters":null,"responseElements":null,"#,
                r#""eventID":"0d1e2f3a-4b5c-4d6e-8f70-00000000{:04}","readOnly":true,"#,
                r#""eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#,
                "\n"
            ),
            iso_seconds(now - age),
            i
        ));
    }
    let path = dir.join("recent.jsonl");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn relative_durations() {
    const H: i64 = 3_600_000;
    let dir = tempfile::tempdir().unwrap();
    // 1 hour, 30 hours and 10 days ago: far from every bound used below.
    let file = events_aged(dir.path(), &[H, 30 * H, 240 * H]);
    for (args, want) in [
        (vec!["--since", "2h"], 1),
        (vec!["--since", "2d"], 2),
        (vec!["--since", "7d"], 2),
        (vec!["--until", "7d"], 1),
        (vec!["--since", "7d", "--until", "2h"], 1),
    ] {
        let mut a: Vec<OsString> = args.iter().map(OsString::from).collect();
        a.push(file.clone().into());
        let run = stats(&a);
        run.assert_code(0);
        let got = run.json();
        assert_eq!(int(&got, "events"), want, "{args:?}: {got:#}");
        assert_eq!(int(&got, "records"), 3, "{args:?}");
    }
}
