//! Resource limits against hostile inputs (issue 7; README "Resource limits",
//! src/ingest/limits.rs): bombs are cut at the decompressed-size limit and reported as
//! `limit`, oversized records are skipped and reported, absurd nesting does not overflow
//! the stack, and very wide archives and directories load.
//!
//! The CLI exposes no way to lower the limits (the default decompressed-size limit is
//! 4 GiB, too big for a test), so the bombs are loaded through the library with small
//! `Limits`; one test checks the CLI option `--max-file-size` too.

mod common;
mod hostile;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use hostile::*;
use serde_json::Value;
use trailscope::ingest::{Limits, ProblemKind};
use trailscope::store::Store;

const MIB: usize = 1 << 20;

fn small_limits() -> Limits {
    Limits { max_file_bytes: 8 * MIB as u64, max_record_bytes: 64 << 10, ..Limits::default() }
}

fn problems_for<'a>(store: &'a Store, suffix: &str) -> Vec<&'a trailscope::ingest::Problem> {
    store.report.problems.iter().filter(|p| p.path.ends_with(suffix)).collect()
}

fn write_good(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("good.json");
    std::fs::write(&p, records_file(&[record("good-1"), record("good-2")])).unwrap();
    p
}

#[test]
fn gzip_bomb_of_zeros_is_cut_at_the_limit_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    // 200 MiB of zeros in a few hundred KB.
    let bomb = gzip_bomb(b"", &vec![0u8; MIB], 200, b"");
    assert!(bomb.len() < 1 << 20, "bomb is {} bytes", bomb.len());
    let path = dir.path().join("bomb.json.gz");
    std::fs::write(&path, &bomb).unwrap();
    let good = write_good(dir.path());

    let start = Instant::now();
    let store = load_with(&[&path, &good], small_limits());
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let entries = problems_for(&store, "bomb.json.gz");
    assert!(entries.iter().any(|p| p.kind == ProblemKind::Limit), "no limit entry: {:?}", store.report.problems);
    assert_eq!(store.len(), 2, "the good file still loads: {:?}", store.report.problems);
}

#[test]
fn gzip_bomb_of_repeated_records_is_cut_and_its_prefix_kept() {
    let dir = tempfile::tempdir().unwrap();
    let one = serde_json::to_vec(&record("same-id")).unwrap();
    let mut chunk = Vec::with_capacity(MIB + one.len() + 1);
    while chunk.len() < MIB {
        chunk.extend_from_slice(&one);
        chunk.push(b',');
    }
    // {"Records":[ rec,rec,… × 200 MiB … ]}: the end is never reached under the limit.
    let bomb = gzip_bomb(b"{\"Records\":[", &chunk, 200, b"{}]}");
    let path = dir.path().join("records-bomb.json.gz");
    std::fs::write(&path, &bomb).unwrap();

    let limits = Limits { max_file_bytes: 4 * MIB as u64, ..Limits::default() };
    let store = load_with(&[&path], limits);
    let entries = problems_for(&store, "records-bomb.json.gz");
    assert!(entries.iter().any(|p| p.kind == ProblemKind::Limit), "no limit entry: {:?}", store.report.problems);
    // Records past the cut cannot have been read.
    let max_records = (4 * MIB / (one.len() + 1)) as u64;
    assert!(store.report.records <= max_records, "{} records read past a 4 MiB cut", store.report.records);
    // The same record over and over is one event (the rest are duplicates).
    assert_eq!(store.len(), 1, "the records before the cut are kept: {:?}", store.report.problems);
}

#[test]
fn zip_bomb_is_cut_at_the_limit_and_the_other_members_load() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; MIB];
    let data = deflate_bomb(&zeros, 200);
    assert!(data.len() < 1 << 20);
    let bomb = ZipMember { name: b"bomb.json".to_vec(), method: 8, data, size: 200 * MIB as u32, crc: 0x1234_5678 };
    let good = ZipMember::stored("good.json", &records_file(&[record("z-1")]));
    let path = dir.path().join("bomb.zip");
    std::fs::write(&path, zip(&[bomb, good])).unwrap();

    let start = Instant::now();
    let store = load_with(&[&path], small_limits());
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let entries = problems_for(&store, "bomb.zip!bomb.json");
    assert!(entries.iter().any(|p| p.kind == ProblemKind::Limit), "no limit entry: {:?}", store.report.problems);
    assert_eq!(store.len(), 1, "the good member still loads: {:?}", store.report.problems);
}

#[test]
fn record_larger_than_the_record_limit_is_reported_and_the_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = record("big");
    big["userAgent"] = Value::String("x".repeat(200 << 10));
    let records = [record("small-1"), big.clone(), record("small-2")];
    let trail = dir.path().join("big-record.json");
    std::fs::write(&trail, records_file(&records)).unwrap();
    let lines = dir.path().join("big-record.jsonl");
    let ndjson: Vec<String> = records.iter().map(Value::to_string).collect();
    std::fs::write(&lines, ndjson.join("\n")).unwrap();

    for path in [&trail, &lines] {
        let store = load_with(&[path], small_limits());
        let name = path.file_name().unwrap().to_str().unwrap();
        let entries = problems_for(&store, name);
        assert!(
            entries.iter().any(|p| p.kind == ProblemKind::Limit),
            "{name}: no limit entry: {:?}",
            store.report.problems
        );
        let mut ids: Vec<&str> = store.time_order().iter().filter_map(|&e| store.event_id(e)).collect();
        ids.sort();
        assert_eq!(ids, ["small-1", "small-2"], "{name}: {:?}", store.report.problems);
    }
}

#[test]
fn archive_member_limit_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<ZipMember> = (0..300)
        .map(|i| ZipMember::stored(format!("m{i}.json"), &records_file(&[record(&format!("m-{i}"))])))
        .collect();
    let path = dir.path().join("wide.zip");
    std::fs::write(&path, zip(&members)).unwrap();
    let store = load_with(&[&path], Limits { max_archive_members: 100, ..Limits::default() });
    assert!(
        store.report.problems.iter().any(|p| p.kind == ProblemKind::Limit && p.path.contains("wide.zip")),
        "no limit entry: {:?}",
        store.report.problems
    );
    assert!(store.len() <= 100, "{} events from an archive limited to 100 members", store.len());
}

/// `n` levels of `open`, then `inner`, then `n` levels of `close`.
fn nested(n: usize, open: &str, inner: &str, close: &str) -> Vec<u8> {
    let mut s = String::with_capacity(n * (open.len() + close.len()) + inner.len());
    for _ in 0..n {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..n {
        s.push_str(close);
    }
    s.into_bytes()
}

#[test]
fn json_nested_ten_thousand_levels_deep_does_not_overflow_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_good(dir.path());
    let rec = record("deep-1").to_string();
    // A record whose requestParameters nest 10,000 objects deep.
    let deep_params = nested(10_000, "{\"a\":", "1", "}");
    let mut with_deep = rec.strip_suffix('}').unwrap().to_string();
    with_deep.push_str(",\"requestParameters\":");
    with_deep.push_str(std::str::from_utf8(&deep_params).unwrap());
    with_deep.push('}');
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("deep-params.json", format!("{{\"Records\":[{with_deep}]}}").into_bytes()),
        ("deep-array.json", nested(10_000, "[", &rec, "]")),
        ("deep-wrapper.json", nested(10_000, "{\"detail\":", &format!("{{\"Records\":[{rec}]}}"), "}")),
        ("deep-unclosed.json", nested(10_000, "{\"Records\":[", "", "")),
    ];
    for (name, content) in cases {
        // The record itself is valid JSON however deep its parameters nest: it loads.
        let must_load = name == "deep-params.json";
        let path = dir.path().join(name);
        std::fs::write(&path, &content).unwrap();
        let run = stats([path.as_path(), good.as_path()]);
        assert!(!run.timed_out && run.code.is_some(), "{name}: crashed or hung (stack overflow?):\n{run}");
        run.assert_code(0);
        let got = run.json();
        assert!(int(&got, "events") >= 2, "{name}: the good file still loads: {got:#}");
        let loaded_something = int(&got, "events") > 2;
        assert!(loaded_something || !must_load, "{name}: the record was not loaded: {got:#}");
        assert!(loaded_something || !report_for(&got, name).is_empty(), "{name}: neither loaded nor reported: {got:#}");
    }
}

#[test]
fn archives_with_ten_thousand_tiny_members_load() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    let member = |i: usize| records_file(&[record(&format!("t-{i}"))]);
    // tar
    let mut builder = tar::Builder::new(Vec::new());
    for i in 0..n {
        let data = member(i);
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, format!("AWSLogs/m{i}.json"), &data[..]).unwrap();
    }
    let tar_path = dir.path().join("wide.tar");
    std::fs::write(&tar_path, builder.into_inner().unwrap()).unwrap();
    // zip
    let members: Vec<ZipMember> = (0..n).map(|i| ZipMember::stored(format!("m{i}.json"), &member(i))).collect();
    let zip_path = dir.path().join("wide.zip");
    std::fs::write(&zip_path, zip(&members)).unwrap();

    for path in [&tar_path, &zip_path] {
        let start = Instant::now();
        let run = stats([path.as_path()]);
        run.assert_code(0);
        let got = run.json();
        assert_eq!(int(&got, "events"), n as u64, "{}: {:#}", path.display(), got["report"]);
        assert!(report(&got).is_empty(), "{:#}", got["report"]);
        eprintln!("{}: {:?}", path.display(), start.elapsed());
    }
}

#[test]
fn directory_with_twenty_thousand_small_files_loads() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    for i in 0..n {
        let sub = dir.path().join(format!("d{}", i % 100));
        if i < 100 {
            std::fs::create_dir(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("f{i}.json")), records_file(&[record(&format!("d-{i}"))])).unwrap();
    }
    let start = Instant::now();
    let run = stats([dir.path()]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), n as u64);
    assert_eq!(int(&got, "files"), n as u64);
    assert!(report(&got).is_empty(), "{:#}", got["report"]);
    eprintln!("20,000 files: {:?}", start.elapsed());
}

/// `--max-file-size` lowers the decompressed-size limit from the command line (a small
/// machine can protect itself). The prefix read before the cut is zeros, so a second entry
/// saying it is not CloudTrail is also true; the limit must come first.
#[test]
fn cli_can_lower_the_decompressed_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json.gz");
    std::fs::write(&path, gzip_bomb(b"", &vec![0u8; MIB], 64, b"")).unwrap();
    let run = stats(["--max-file-size".as_ref(), "8MiB".as_ref(), path.as_os_str()]);
    let got = run.json();
    let kinds = kinds(&report_for(&got, "bomb.json.gz"));
    assert_eq!(kinds.first().map(|k| k.as_str()), Some("limit"), "{kinds:?}");
    let message = report_for(&got, "bomb.json.gz")[0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains(&(8u64 << 20).to_string()), "the limit is the one given: {message}");
}

#[test]
fn the_load_total_limit_stops_further_inputs_and_reports_them() {
    // Three files of one record each; the budget holds two of them, whichever come first.
    let tmp = tempfile::tempdir().unwrap();
    let sizes: Vec<u64> = (0..3)
        .map(|i| {
            let data = records_file(&[record(&format!("total-{i}"))]);
            std::fs::write(tmp.path().join(format!("t{i}.json")), &data).unwrap();
            data.len() as u64
        })
        .collect();
    assert!(sizes.iter().all(|&s| s == sizes[0]), "equal sizes keep the arithmetic simple");
    let limits = Limits { max_total_bytes: sizes[0] * 2 + sizes[0] / 2, ..Limits::default() };
    let store = load_with(&[tmp.path()], limits);
    assert_eq!(store.len(), 2, "two files fit the budget");
    let limited: Vec<_> = store.report.problems.iter().filter(|p| p.kind == ProblemKind::Limit).collect();
    assert_eq!(limited.len(), 1, "{:?}", store.report.problems);
    assert!(limited[0].message.contains("decompressed total"), "{}", limited[0].message);
}

#[test]
fn an_overlong_member_name_is_reported_and_the_rest_of_the_archive_read() {
    let long = format!("{}.json", "a".repeat(300));
    let members = [
        ZipMember::stored(long.clone(), &records_file(&[record("long-name")])),
        ZipMember::stored("short.json", &records_file(&[record("short-name")])),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("names.zip");
    std::fs::write(&path, zip(&members)).unwrap();
    let store = load_with(&[path.as_path()], Limits { max_path_bytes: 200, ..Limits::default() });
    assert_eq!(store.len(), 1);
    assert_eq!(store.event_id(0), Some("short-name"));
    let limited: Vec<_> = store.report.problems.iter().filter(|p| p.kind == ProblemKind::Limit).collect();
    assert_eq!(limited.len(), 1, "{:?}", store.report.problems);
    assert!(limited[0].message.contains("member name of 305 bytes"), "{}", limited[0].message);
    assert!(limited[0].path.len() < 300, "the reported name is shortened");
}
