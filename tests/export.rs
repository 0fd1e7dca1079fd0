//! `trailscope export`: records / ndjson / csv output, gzip, stdout and closed pipes,
//! atomic writes that never replace a file without --force, the manifest, and round
//! trips (an export loads back as exactly the events that were exported).
//!
//! Oracles are python (stdlib only): python decompresses the inputs, slices every
//! record's original text out of the source files (no re-serialisation: the text
//! between the brackets, found with `json.JSONDecoder.raw_decode` offsets), removes
//! whitespace outside strings for the expected ndjson lines, reads CSV, hashes files
//! (hashlib) and evaluates the selection predicates (tests/oracle/filter.py). Nothing
//! expected is derived from trailscope's own output, except in the round trips, where
//! the second generation must equal the first.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const RECORDS_COMPACT: &str = "shapes/records_compact.json";
const RECORDS_PRETTY: &str = "shapes/records_pretty.json";
const RECORDS_GZ: &str = "shapes/111122223333_CloudTrail_us-west-2_20240301T1215Z_Gz7hQ2mN4pL9sR1t.json.gz";
const LOOKUP_EVENTS: &str = "shapes/lookup_events_items.jsonl";

/// The mix of source shapes the round trips start from: compact and pretty Records
/// files, a gzip trail file, lookup-events items (records inside a JSON string).
fn shape_mix() -> Vec<PathBuf> {
    [RECORDS_COMPACT, RECORDS_PRETTY, RECORDS_GZ, LOOKUP_EVENTS].iter().map(|r| fixture(r)).collect()
}

/// A selection with events from each of the four shapes (4 of the 12 left out).
const MIX_FILTER: &str = "-(name:AssumeRole OR name:CreateAccessKey OR name:CreateLogStream OR name:CreateBucket)";
const MIX_PRED: &str =
    "lambda e: low(g(e, 'eventName')) not in ('assumerole', 'createaccesskey', 'createlogstream', 'createbucket')";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 paths")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// File names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn export(args: &[&str]) -> Run {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    trailscope(all)
}

// ---- python oracles --------------------------------------------------------------

/// Shared python: decompression, record slicing, minification, time parsing.
const PY_LIB: &str = r#"
import gzip, json, os, sys
sys.path.insert(0, __ORACLE_DIR__)
from filter import parse_time_ms

WS = ' \t\r\n'
dec = json.JSONDecoder()

def text_of(p):
    b = open(p, 'rb').read()
    if b[:2] == b'\x1f\x8b':
        b = gzip.decompress(b)
    return b.decode('utf-8')

def minify(s):
    """Removes whitespace outside JSON strings; nothing else changes."""
    out, ins, esc = [], False, False
    for ch in s:
        if ins:
            out.append(ch)
            if esc:
                esc = False
            elif ch == '\\':
                esc = True
            elif ch == '"':
                ins = False
        elif ch in WS:
            continue
        else:
            out.append(ch)
            if ch == '"':
                ins = True
    return ''.join(out)

def array_elements(text, i):
    """(value, exact source text) of each element of the JSON array opening at text[i]."""
    assert text[i] == '['
    i += 1
    out = []
    while True:
        while text[i] in WS:
            i += 1
        if text[i] == ']':
            return out
        v, end = dec.raw_decode(text, i)
        out.append((v, text[i:end]))
        i = end
        while text[i] in WS:
            i += 1
        if text[i] == ',':
            i += 1

def source_records(text):
    """Records files: the elements of the "Records" array; lookup-events items (JSON
    lines): the CloudTrailEvent string, which is the record's original text."""
    k = text.find('"Records"')
    if k >= 0:
        return array_elements(text, text.index('[', k))
    out = []
    for line in text.splitlines():
        if line.strip():
            s = json.loads(line)['CloudTrailEvent']
            out.append((json.loads(s), s))
    return out

def rec(v, raw, **kw):
    d = {'id': v.get('eventID'), 'time_ms': parse_time_ms(v.get('eventTime')), 'raw': raw}
    d.update(kw)
    return d
"#;

/// argv: source files → [{id, time_ms, raw, min, file}] for every record.
const PY_SOURCES: &str = r#"
out = []
for p in sys.argv[1:]:
    for v, raw in source_records(text_of(p)):
        out.append(rec(v, raw, min=minify(raw), file=p))
print(json.dumps(out))
"#;

/// argv: FORMAT FILE (records or ndjson export, maybe gzip) → [{id, time_ms, raw}].
const PY_EXPORT: &str = r#"
fmt, path = sys.argv[1], sys.argv[2]
text = text_of(path)
out = []
if fmt == 'records':
    doc = json.loads(text)
    assert isinstance(doc, dict) and list(doc) == ['Records'], 'not {"Records":[...]}: keys %r' % list(doc)
    for v, raw in source_records(text):
        out.append(rec(v, raw))
else:
    lines = text.split('\n')
    assert lines[-1] == '', 'the last line must end with a newline'
    for n, line in enumerate(lines[:-1], 1):
        v = json.loads(line)
        assert isinstance(v, dict), 'line %d is not an object' % n
        out.append(rec(v, line))
print(json.dumps(out))
"#;

fn py(script: &str, args: &[&str]) -> Value {
    let oracle_dir = manifest_dir().join("tests/oracle");
    let lib = PY_LIB.replace("__ORACLE_DIR__", &Value::String(s(&oracle_dir).to_string()).to_string());
    let full = format!("{lib}\n{script}");
    serde_json::from_slice(&python(&full, args)).expect("python prints JSON")
}

#[derive(Debug, Clone)]
struct Rec {
    id: String,
    time_ms: Option<i64>,
    raw: String,
    min: String,
}

fn recs(v: &Value) -> Vec<Rec> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|r| Rec {
            id: r["id"].as_str().unwrap_or("").to_string(),
            time_ms: r["time_ms"].as_i64(),
            raw: r["raw"].as_str().unwrap().to_string(),
            min: r["min"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

fn source_records(paths: &[PathBuf]) -> Vec<Rec> {
    let args: Vec<&str> = paths.iter().map(|p| s(p)).collect();
    recs(&py(PY_SOURCES, &args))
}

fn export_records(format: &str, file: &Path) -> Vec<Rec> {
    recs(&py(PY_EXPORT, &[format, s(file)]))
}

/// The exported events must be in time order (untimed last).
fn assert_time_order(recs: &[Rec], what: &str) {
    let key = |r: &Rec| r.time_ms.unwrap_or(i64::MAX);
    if let Some(w) = recs.windows(2).find(|w| key(&w[0]) > key(&w[1])) {
        panic!("{what}: not in time order: {} ({:?}) before {} ({:?})", w[0].id, w[0].time_ms, w[1].id, w[1].time_ms);
    }
}

fn sorted_ids(recs: &[Rec]) -> Vec<String> {
    let mut v: Vec<String> = recs.iter().map(|r| r.id.clone()).collect();
    v.sort();
    v
}

/// Every exported record must be the original text of a source record with its ID
/// (`min`: compared with the source text minified).
fn assert_original_text(exported: &[Rec], sources: &[Rec], minified: bool, what: &str) {
    let mut by_id: BTreeMap<&str, Vec<&Rec>> = BTreeMap::new();
    for r in sources {
        by_id.entry(&r.id).or_default().push(r);
    }
    for r in exported {
        let candidates = by_id.get(r.id.as_str()).unwrap_or_else(|| panic!("{what}: {} is not a source event", r.id));
        let ok = candidates.iter().any(|c| if minified { c.min == r.raw } else { c.raw == r.raw });
        assert!(
            ok,
            "{what}: event {} is not the original text{}.\nexported: {}\nsource:   {}",
            r.id,
            if minified { " with whitespace outside strings removed" } else { "" },
            r.raw,
            if minified { &candidates[0].min } else { &candidates[0].raw }
        );
    }
}

fn selection(paths: &[PathBuf], pred: &str) -> Vec<String> {
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    filter_oracle(&refs, &[("sel", pred)])["sel"].clone()
}

// ---- records ---------------------------------------------------------------------

#[test]
fn records_hold_each_events_original_bytes_in_time_order() {
    let mut inputs = shape_mix();
    inputs.push(fixture("filter"));
    let dir = tmp();
    let out = dir.path().join("all.json");
    let mut args = vec!["-o", s(&out)];
    args.extend(inputs.iter().map(|p| s(p)));
    export(&args).assert_code(0);

    let sources = source_records(&files_under(&inputs));
    let got = export_records("records", &out);
    assert_eq!(sorted_ids(&got), selection(&inputs, "lambda e: True"), "every event once");
    // Records keep their bytes exactly, pretty-printed ones included.
    assert_original_text(&got, &sources, false, "records export");
    assert_time_order(&got, "records export");
}

/// Every file below the given paths (python walks directories the same way).
fn files_under(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                for e in fs::read_dir(&d).unwrap() {
                    let path = e.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        out.push(path);
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out
}

#[test]
fn records_to_stdout_and_to_dash_are_the_same() {
    let dir = tmp();
    let input = fixture(RECORDS_PRETTY);
    let a = trailscope_in(dir.path(), ["export", s(&input)]);
    a.assert_code(0);
    let b = trailscope_in(dir.path(), ["export", "-o", "-", s(&input)]);
    b.assert_code(0);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.starts_with("{\"Records\":["), "records output: {}", &a.stdout[..a.stdout.len().min(80)]);
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "`-o -` must not create a file named '-'");
    let v: Value = serde_json::from_str(&a.stdout).expect("stdout is one JSON document");
    assert_eq!(v["Records"].as_array().map(Vec::len), Some(3));
}

#[test]
fn gz_output_is_gzip_of_the_same_bytes() {
    let dir = tmp();
    let inputs = shape_mix();
    for (plain, gz, fmt) in [("a.json", "a.json.gz", "records"), ("a.jsonl", "a.jsonl.gz", "ndjson")] {
        for name in [plain, gz] {
            let out = dir.path().join(name);
            let mut args = vec!["--format", fmt, "-o", s(&out)];
            args.extend(inputs.iter().map(|p| s(p)));
            export(&args).assert_code(0);
        }
        let raw = fs::read(dir.path().join(gz)).unwrap();
        assert_eq!(&raw[..2], &[0x1f, 0x8b], "{gz} is not gzip");
        let unzipped = python(
            "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1], 'rb').read()))",
            [dir.path().join(gz)],
        );
        assert!(
            unzipped == fs::read(dir.path().join(plain)).unwrap(),
            "{gz} does not decompress to the bytes of {plain}"
        );
    }
}

// ---- ndjson ----------------------------------------------------------------------

#[test]
fn ndjson_lines_are_original_events_on_one_line() {
    let inputs = shape_mix();
    let dir = tmp();
    let out = dir.path().join("all.jsonl");
    let mut args = vec!["--format", "ndjson", "-o", s(&out)];
    args.extend(inputs.iter().map(|p| s(p)));
    export(&args).assert_code(0);

    let sources = source_records(&inputs);
    let got = export_records("ndjson", &out);
    assert_eq!(got.len(), 12);
    assert_eq!(sorted_ids(&got), selection(&inputs, "lambda e: True"));
    assert_original_text(&got, &sources, true, "ndjson export");
    assert_time_order(&got, "ndjson export");
    // Compact sources: the line is the source text verbatim.
    let compact_ids: Vec<String> =
        source_records(&[fixture(RECORDS_COMPACT), fixture(RECORDS_GZ)]).into_iter().map(|r| r.id).collect();
    let text = python(
        "import gzip, sys\nfor p in sys.argv[1:]:\n b = open(p, 'rb').read()\n sys.stdout.buffer.write(gzip.decompress(b) if b[:2] == b'\\x1f\\x8b' else b)",
        [fixture(RECORDS_COMPACT), fixture(RECORDS_GZ)],
    );
    let text = String::from_utf8(text).unwrap();
    for r in got.iter().filter(|r| compact_ids.contains(&r.id)) {
        assert!(text.contains(&r.raw), "ndjson line of {} is not verbatim from its compact source: {}", r.id, r.raw);
    }
}

// ---- csv -------------------------------------------------------------------------

const CSV_HEADER: [&str; 18] = [
    "User name",
    "AWS access key",
    "Event time",
    "Event source",
    "Event name",
    "AWS region",
    "Source IP address",
    "User agent",
    "Error code",
    "Resources",
    "Request ID",
    "Event ID",
    "Read-only",
    "Event type",
    "Recipient Account Id",
    "Event category",
    "Identity ARN",
    "Error message",
];

/// argv: CSV export, then the source files. Compares each row with the source event
/// (every row must equal one source event with its ID in all checked columns) and
/// prints {"header", "rows", "ids", "mismatches", "cells"}.
const PY_CSV: &str = r#"
import csv, io
rows = list(csv.reader(io.StringIO(open(sys.argv[1], encoding='utf-8', newline='').read())))
header, body = rows[0], rows[1:]
events = {}
for p in sys.argv[2:]:
    for v, raw in source_records(text_of(p)):
        events.setdefault(v['eventID'], []).append(v)

def g(v, path):
    for k in path.split('.'):
        if not isinstance(v, dict) or k not in v:
            return None
        v = v[k]
    return v

def cell(x):
    if x is None:
        x = ''
    elif isinstance(x, bool):
        x = 'true' if x else 'false'
    else:
        x = str(x)
    return "'" + x if x[:1] in ('=', '+', '-', '@') else x

COLS = {
    'AWS access key': 'userIdentity.accessKeyId', 'Event source': 'eventSource', 'Event name': 'eventName',
    'AWS region': 'awsRegion', 'Source IP address': 'sourceIPAddress', 'User agent': 'userAgent',
    'Error code': 'errorCode', 'Request ID': 'requestID', 'Event ID': 'eventID', 'Read-only': 'readOnly',
    'Event type': 'eventType', 'Recipient Account Id': 'recipientAccountId', 'Event category': 'eventCategory',
    'Identity ARN': 'userIdentity.arn', 'Error message': 'errorMessage',
}

def diffs(row, v):
    d = []
    r = dict(zip(header, row))
    for col, path in COLS.items():
        if col == 'Identity ARN' and g(v, path) is None:
            continue  # checked on its own: csv_identity_arn_is_empty_without_an_arn
        if r.get(col) != cell(g(v, path)):
            d.append('%s: %r, expected %r' % (col, r.get(col), cell(g(v, path))))
    if g(v, 'userIdentity.type') == 'IAMUser' and r.get('User name') != cell(g(v, 'userIdentity.userName')):
        d.append('User name: %r, expected %r' % (r.get('User name'), cell(g(v, 'userIdentity.userName'))))
    t = parse_time_ms(v.get('eventTime'))
    if t is not None and parse_time_ms(r.get('Event time')) != t:
        d.append('Event time: %r, expected %r' % (r.get('Event time'), v.get('eventTime')))
    return d

mismatches = []
for row in body:
    if len(row) != len(header):
        mismatches.append('row with %d cells: %r' % (len(row), row))
        continue
    eid = dict(zip(header, row))['Event ID']
    cands = events.get(eid.lstrip("'"), [])
    if not cands:
        mismatches.append('row for unknown event %r' % eid)
        continue
    ds = [diffs(row, v) for v in cands]
    if all(ds):
        mismatches.append('%s: %s' % (eid, '; '.join(min(ds, key=len))))
no_arn = {}
for row in body:
    r = dict(zip(header, row))
    if any(g(v, 'userIdentity.arn') is None for v in events.get(r.get('Event ID'), [])):
        no_arn[r['Event ID']] = r.get('Identity ARN')
print(json.dumps({'header': header, 'rows': len(body), 'no_arn': no_arn, 'ids': sorted(dict(zip(header, r))['Event ID'] for r in body),
                  'mismatches': mismatches, 'cells': [c for r in body for c in r]}))
"#;

fn csv_check(file: &Path, sources: &[PathBuf]) -> Value {
    let mut args = vec![s(file)];
    args.extend(sources.iter().map(|p| s(p)));
    py(PY_CSV, &args)
}

#[test]
fn csv_has_the_console_columns_plus_identity_arn_and_error_message() {
    let dir = tmp();
    let out = dir.path().join("events.csv");
    let input = fixture("filter");
    export(&["--format", "csv", "-o", s(&out), s(&input)]).assert_code(0);
    let files = files_under(std::slice::from_ref(&input));
    let v = csv_check(&out, &files);
    let header: Vec<&str> = v["header"].as_array().unwrap().iter().map(|h| h.as_str().unwrap()).collect();
    assert_eq!(header, CSV_HEADER);
    assert_eq!(int(&v, "rows"), 40, "one row per event");
    let ids: Vec<String> = v["ids"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect();
    assert_eq!(ids, selection(&[input], "lambda e: True"));
    let mismatches = v["mismatches"].as_array().unwrap();
    assert!(mismatches.is_empty(), "CSV cells differ from the source events:\n{}", join(mismatches));
}

/// Events without `userIdentity.arn` (AWS services, a KMS service event) have no
/// identity ARN: the column stays empty rather than holding something that is not an ARN.
#[test]
fn csv_identity_arn_is_empty_without_an_arn() {
    let dir = tmp();
    let out = dir.path().join("events.csv");
    let input = fixture("filter");
    export(&["--format", "csv", "-o", s(&out), s(&input)]).assert_code(0);
    let v = csv_check(&out, &files_under(std::slice::from_ref(&input)));
    let no_arn = v["no_arn"].as_object().unwrap();
    assert_eq!(no_arn.len(), 3, "events 10, 12 and 26 have no userIdentity.arn: {no_arn:?}");
    for (id, cell) in no_arn {
        assert_eq!(cell.as_str(), Some(""), "Identity ARN of {id}");
    }
}

fn join(v: &[Value]) -> String {
    v.iter().map(|m| m.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>().join("\n")
}

/// Cells that a spreadsheet would run as a formula get a leading `'`: event 22 has a
/// user agent starting with `=`, an error message starting with `@` and a user name
/// starting with `+`; event 39 a user agent starting with `-`.
#[test]
fn csv_neutralises_formula_cells() {
    let dir = tmp();
    let out = dir.path().join("x.csv");
    let input = fixture("filter");
    export(&["--format", "csv", "--filter=id:*5022 OR id:*5039", "-o", s(&out), s(&input)]).assert_code(0);
    let rows = python(
        "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], encoding='utf-8', newline='')))))",
        [&out],
    );
    let rows: Vec<BTreeMap<String, String>> = serde_json::from_slice(&rows).unwrap();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let by_id =
        |n: &str| rows.iter().find(|r| r["Event ID"].ends_with(n)).unwrap_or_else(|| panic!("no row {n}: {rows:#?}"));
    let r22 = by_id("5022");
    assert_eq!(r22["User agent"], r#"'=HYPERLINK("http://evil.example/x","open report")"#);
    assert_eq!(r22["Error message"], "'@SUM(1+1)*cmd|' /C calc'!A0");
    assert_eq!(r22["User name"], "'+svc-report");
    assert_eq!(r22["Identity ARN"], "arn:aws:iam::111122223333:user/+svc-report");
    let r39 = by_id("5039");
    assert_eq!(r39["User agent"], "'-aws-cli/1.32.0 Python/3.11.6 Linux/6.5.0");
    // And nowhere else does a cell start with a formula character.
    let v = csv_check(&out, &files_under(&[input]));
    for c in v["cells"].as_array().unwrap() {
        let c = c.as_str().unwrap();
        assert!(!c.starts_with(['=', '+', '-', '@']), "formula cell {c:?}");
    }
    assert!(v["mismatches"].as_array().unwrap().is_empty(), "{}", join(v["mismatches"].as_array().unwrap()));
}

#[test]
fn csv_export_loads_back_as_partial_events_with_the_same_ids() {
    let dir = tmp();
    let first = dir.path().join("first.csv");
    let second = dir.path().join("second.csv");
    let input = fixture("filter");
    export(&["--format", "csv", "-o", s(&first), s(&input)]).assert_code(0);
    let stats_run = stats([s(&first)]);
    stats_run.assert_code(0);
    let st = stats_run.json();
    assert_eq!(int(&st, "events"), 40, "{st:#}");
    assert_eq!(int(&st, "partial"), 40, "CSV rows are partial events: {st:#}");
    assert!(report(&st).is_empty(), "loading our own CSV reports problems: {:#}", st["report"]);
    export(&["--format", "csv", "-o", s(&second), s(&first)]).assert_code(0);
    let ids = |f: &Path| csv_check(f, &[])["ids"].clone();
    assert_eq!(ids(&second), ids(&first));
    assert_eq!(ids(&first).as_array().unwrap().len(), 40);
}

// ---- stdout and closed pipes ----------------------------------------------------

/// A Records file with `n` synthetic events (large enough to fill a pipe).
fn big_input(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("big.json");
    python(
        r#"
import json, sys
n = int(sys.argv[2])
recs = [{"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/load", "accountId": "111122223333", "userName": "load"},
         "eventTime": "2024-03-01T%02d:%02d:%02dZ" % (i // 3600 % 24, i // 60 % 60, i % 60), "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
         "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.%d" % (i % 256), "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0",
         "requestParameters": {"bucketName": "bulk", "key": "obj/%08d" % i}, "responseElements": None, "requestID": "REQ%013d" % i,
         "eventID": "00000000-0000-4000-8000-%012d" % i, "readOnly": True, "eventType": "AwsApiCall", "managementEvent": False,
         "recipientAccountId": "111122223333", "eventCategory": "Data"} for i in range(n)]
open(sys.argv[1], "w").write(json.dumps({"Records": recs}, separators=(",", ":")))
"#,
        [s(&path), &n.to_string()],
    );
    path
}

#[test]
fn closed_stdout_pipe_ends_quietly() {
    let dir = tmp();
    let big = big_input(dir.path(), 20_000);
    for format in ["ndjson", "records", "csv"] {
        let mut child = std::process::Command::new(trailscope_bin())
            .args(["export", "--format", format, s(&big)])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err_pipe = child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err_pipe.read_to_string(&mut s);
            s
        });
        let mut out = child.stdout.take().unwrap();
        let mut buf = [0u8; 4096];
        out.read_exact(&mut buf).expect("some output");
        drop(out);
        let start = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if start.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("{format}: trailscope kept running after its stdout was closed");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = err.join().unwrap();
        assert!(!stderr.contains("panicked"), "{format}: panic on a closed pipe:\n{stderr}");
        assert!(
            !stderr.to_lowercase().contains("broken pipe") && !stderr.contains("os error 32"),
            "{format}: a closed pipe is not an error to report:\n{stderr}"
        );
        assert_eq!(status.code(), Some(0), "{format}: exit status after a closed pipe: {status:?}\n{stderr}");
    }
}

// ---- atomic writes, --force, temp files ----------------------------------------

#[test]
fn existing_file_is_never_replaced_without_force() {
    let dir = tmp();
    let out = dir.path().join("out.json");
    fs::write(&out, b"precious\n").unwrap();
    let input = fixture(RECORDS_COMPACT);
    let run = export(&["-o", s(&out), s(&input)]);
    assert!(run.code.is_some_and(|c| c != 0), "export over an existing file must fail:\n{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    assert!(run.stderr.contains("--force"), "the message should say how to replace it:\n{run}");
    assert_eq!(fs::read(&out).unwrap(), b"precious\n", "the existing file was changed");
    assert_eq!(listing(dir.path()), ["out.json"], "temp files left behind after a refused write");

    // Also for every format and for a .gz name.
    for (name, fmt) in [("out.json.gz", "records"), ("out.jsonl", "ndjson"), ("out.csv", "csv")] {
        let p = dir.path().join(name);
        fs::write(&p, b"keep me").unwrap();
        let run = export(&["--format", fmt, "-o", s(&p), s(&input)]);
        assert!(run.code.is_some_and(|c| c != 0), "{name}:\n{run}");
        assert_eq!(fs::read(&p).unwrap(), b"keep me", "{name} was changed");
    }
    assert_eq!(listing(dir.path()), ["out.csv", "out.json", "out.json.gz", "out.jsonl"]);

    // With --force it is replaced by the export, and nothing else is left.
    let run = export(&["--force", "-o", s(&out), s(&input)]);
    run.assert_code(0);
    let got = export_records("records", &out);
    assert_eq!(sorted_ids(&got), selection(&[input], "lambda e: True"));
    assert_eq!(listing(dir.path()), ["out.csv", "out.json", "out.json.gz", "out.jsonl"]);
}

/// A manifest that already exists is a file too: no --force, no write (and no half
/// export next to it).
#[test]
fn existing_manifest_is_never_replaced_without_force() {
    let dir = tmp();
    let out = dir.path().join("out.json");
    let manifest = dir.path().join("out.json.manifest.json");
    fs::write(&manifest, b"{\"mine\": true}").unwrap();
    let run = export(&["--manifest", "-o", s(&out), s(&fixture(RECORDS_COMPACT))]);
    assert!(run.code.is_some_and(|c| c != 0), "must refuse:\n{run}");
    assert_eq!(fs::read(&manifest).unwrap(), b"{\"mine\": true}");
    assert_eq!(listing(dir.path()), ["out.json.manifest.json"], "refused export left files behind");
    let run = export(&["--manifest", "--force", "-o", s(&out), s(&fixture(RECORDS_COMPACT))]);
    run.assert_code(0);
    assert_eq!(listing(dir.path()), ["out.json", "out.json.manifest.json"]);
}

#[test]
fn successful_and_failed_exports_leave_no_temp_files() {
    let dir = tmp();
    let input = fixture("filter");
    for (name, fmt) in [("a.json", "records"), ("a.json.gz", "records"), ("a.jsonl", "ndjson"), ("a.csv", "csv")] {
        let out = dir.path().join(name);
        export(&["--format", fmt, "--manifest", "-o", s(&out), s(&input)]).assert_code(0);
    }
    let mut want = vec![];
    for n in ["a.csv", "a.json", "a.json.gz", "a.jsonl"] {
        want.push(n.to_string());
        want.push(format!("{n}.manifest.json"));
    }
    want.sort();
    assert_eq!(listing(dir.path()), want);

    // A bad filter: exit 2, nothing written.
    let other = tmp();
    let out = other.path().join("b.json");
    let run = export(&["-f", "nmae:x", "--manifest", "-o", s(&out), s(&input)]);
    run.assert_code(2);
    assert_eq!(listing(other.path()), Vec::<String>::new());
    // An output folder that does not exist: an error, not a panic.
    let run = export(&["-o", s(&other.path().join("no/such/dir/b.json")), s(&input)]);
    assert!(run.code.is_some_and(|c| c != 0) && !run.stderr.contains("panicked"), "{run}");
    assert_eq!(listing(other.path()), Vec::<String>::new());
}

/// The export (created through a temp file) gets the permissions any new file in
/// the folder gets, and --force keeps them: an atomic rename must not leave the
/// file owner-only (tempfile creates 0600).
#[cfg(unix)]
#[test]
fn exported_files_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    let probe = dir.path().join("probe");
    fs::write(&probe, b"").unwrap();
    let ordinary = fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    let out = dir.path().join("out.json");
    export(&["-o", s(&out), s(&fixture(RECORDS_COMPACT))]).assert_code(0);
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, ordinary, "new export has mode {mode:o}, a new file here gets {ordinary:o}");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o640)).unwrap();
    export(&["--force", "-o", s(&out), s(&fixture(RECORDS_COMPACT))]).assert_code(0);
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "--force changed the replaced file's mode from 640 to {mode:o}");
}

// ---- manifest ----------------------------------------------------------------------

const PY_SHA256: &str = r#"
import hashlib
print(json.dumps({p: [hashlib.sha256(open(p, 'rb').read()).hexdigest(), os.path.getsize(p)] for p in sys.argv[1:]}))
"#;

fn manifest_of(out: &Path) -> Value {
    let p = PathBuf::from(format!("{}.manifest.json", out.display()));
    serde_json::from_slice(&fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).expect("manifest is JSON")
}

#[test]
fn manifest_lists_inputs_with_sha256_counts_version_and_time() {
    let dir = tmp();
    let out = dir.path().join("sel.json.gz");
    let mut inputs = shape_mix();
    inputs.push(fixture("filter"));
    let before = now_ms() / 1000;
    let filter_arg = format!("--filter={MIX_FILTER}");
    let mut args = vec![filter_arg.as_str(), "--manifest", "-o", s(&out)];
    args.extend(inputs.iter().map(|p| s(p)));
    export(&args).assert_code(0);
    let after = now_ms() / 1000 + 1;
    let m = manifest_of(&out);

    assert_eq!(m["version"].as_str(), Some(env!("CARGO_PKG_VERSION")), "{m:#}");
    let at = m["exported_at"].as_str().unwrap_or_else(|| panic!("no exported_at: {m:#}"));
    let at_s = rfc3339_ms(at).unwrap_or_else(|| panic!("exported_at {at:?} is not RFC 3339")) / 1000;
    assert!((before..=after).contains(&at_s), "exported_at {at} is not the time of the export");
    assert!(m["filter"].as_str().is_some_and(|f| !f.is_empty()), "no filter: {m:#}");

    // Counts: the exported events, as python counts them in the export.
    let exported = export_records("records", &out);
    let want = selection(&inputs, MIX_PRED);
    assert_eq!(sorted_ids(&exported), want);
    assert_eq!(m["events"].as_u64(), Some(want.len() as u64), "{m:#}");
    let oracle_counts = oracle(inputs.iter().map(|p| p.as_os_str()));
    assert_eq!(m["load"]["records"].as_u64(), Some(int(&oracle_counts, "records")), "{m:#}");
    assert_eq!(m["load"]["duplicates"].as_u64(), Some(int(&oracle_counts, "duplicates")), "{m:#}");

    // Inputs: every file read, with its SHA-256 (python hashlib).
    let files = files_under(&inputs);
    let file_args: Vec<&str> = files.iter().map(|p| s(p)).collect();
    let sums = py(PY_SHA256, &file_args);
    let listed = m["inputs"].as_array().unwrap_or_else(|| panic!("no inputs array: {m:#}"));
    let mut seen = Vec::new();
    for entry in listed {
        let path = entry["path"].as_str().unwrap_or_else(|| panic!("input without path: {entry}"));
        let canonical = fs::canonicalize(path).unwrap_or_else(|e| panic!("listed input {path}: {e}"));
        let key = files.iter().find(|f| fs::canonicalize(f).unwrap() == canonical).unwrap_or_else(|| {
            panic!("listed input {path} is not a file that was read (directories are not inputs with a hash)")
        });
        let want = &sums[s(key)];
        assert_eq!(entry["sha256"].as_str(), want[0].as_str(), "SHA-256 of {path}");
        if let Some(b) = entry.get("bytes") {
            assert_eq!(b.as_u64(), want[1].as_u64(), "size of {path}");
        }
        seen.push(key.clone());
    }
    seen.sort();
    assert_eq!(seen, files, "the manifest must list every input file once");
}

/// The manifest's filter selects the same events when fed back to trailscope.
#[test]
fn manifest_filter_reproduces_the_selection() {
    let dir = tmp();
    let input = fixture("filter");
    for (i, expr) in ["ro:yes name:Get* OR -ip:203.0.113.0/24 errmsg:*", "since:100000d NOT type:Root", MIX_FILTER]
        .iter()
        .enumerate()
    {
        let out = dir.path().join(format!("{i}.jsonl"));
        export(&["--format", "ndjson", &format!("--filter={expr}"), "--manifest", "-o", s(&out), s(&input)])
            .assert_code(0);
        let saved = manifest_of(&out)["filter"].as_str().expect("filter string").to_string();
        let again = dir.path().join(format!("{i}b.jsonl"));
        let run = export(&["--format", "ndjson", &format!("--filter={saved}"), "-o", s(&again), s(&input)]);
        run.assert_code(0);
        assert_eq!(
            sorted_ids(&export_records("ndjson", &again)),
            sorted_ids(&export_records("ndjson", &out)),
            "{expr:?} saved as {saved:?}"
        );
    }
}

/// docs/filter-language.md: in manifests, relative times are resolved to absolute UTC,
/// so a saved filter means the same thing tomorrow.
#[test]
fn manifest_filter_has_relative_times_resolved() {
    let dir = tmp();
    let input = fixture("filter");
    let out = dir.path().join("a.jsonl");
    export(&["--format", "ndjson", "-f", "since:100000d name:Get*", "--manifest", "-o", s(&out), s(&input)])
        .assert_code(0);
    let f = manifest_of(&out)["filter"].as_str().unwrap().to_string();
    assert!(!f.contains("100000d"), "relative time kept in the manifest: {f:?}");
    let t = f.split_whitespace().find_map(|w| w.strip_prefix("since:")).unwrap_or_else(|| panic!("no since: in {f:?}"));
    let t_ms = rfc3339_ms(t.trim_matches('"')).unwrap_or_else(|| panic!("since:{t} is not an absolute UTC time"));
    let want = now_ms() - 100_000 * 86_400_000;
    assert!((t_ms - want).abs() < 600_000, "since:{t} is not now - 100000d");
}

/// docs/filter-language.md: manifests hold the canonical form with CloudTrail field
/// names (`a b OR c` → `(a b) OR c`, `ro:yes` → `readOnly:true`).
#[test]
fn manifest_filter_is_canonical_with_cloudtrail_names() {
    let dir = tmp();
    let input = fixture("filter");
    for (i, (expr, canonical)) in [
        ("key:AKIA* name:x OR ip:10.*", "(userIdentity.accessKeyId:AKIA* eventName:x) OR sourceIPAddress:10.*"),
        ("NOT ro:yes", "-readOnly:true"),
    ]
    .iter()
    .enumerate()
    {
        let out = dir.path().join(format!("{i}.jsonl"));
        export(&["--format", "ndjson", "-f", expr, "--manifest", "-o", s(&out), s(&input)]).assert_code(0);
        assert_eq!(manifest_of(&out)["filter"].as_str(), Some(*canonical), "manifest filter for {expr:?}");
    }
}

// ---- round trips ---------------------------------------------------------------

fn round_trip(format: &str, first_name: &str, second_name: &str) {
    let dir = tmp();
    let inputs = shape_mix();
    let first = dir.path().join(first_name);
    let second = dir.path().join(second_name);
    let filter_arg = format!("--filter={MIX_FILTER}");
    let mut args = vec!["--format", format, &filter_arg, "-o", s(&first)];
    args.extend(inputs.iter().map(|p| s(p)));
    export(&args).assert_code(0);

    let want = selection(&inputs, MIX_PRED);
    assert_eq!(want.len(), 8, "test setup: the selection has 8 events");
    let gen1 = export_records(format, &first);
    assert_eq!(sorted_ids(&gen1), want, "{first_name}: the exported events are the selection");
    let sources = source_records(&inputs);
    assert_original_text(&gen1, &sources, format == "ndjson", first_name);
    assert_time_order(&gen1, first_name);

    // Loading the export yields exactly those events…
    let st = stats([s(&first)]);
    st.assert_code(0);
    let st = st.json();
    assert_eq!(int(&st, "events"), 8, "{st:#}");
    assert_eq!(int(&st, "duplicates"), 0, "{st:#}");
    assert_eq!(int(&st, "partial"), 0, "{st:#}");
    // …and exporting it again, unfiltered and in the same format, changes nothing.
    export(&["--format", format, "-o", s(&second), s(&first)]).assert_code(0);
    let gen2 = export_records(format, &second);
    assert_eq!(sorted_ids(&gen2), want);
    for (a, b) in gen1.iter().zip(&gen2) {
        assert_eq!(a.raw, b.raw, "{second_name}: event {} changed between generations", a.id);
    }
    let unzip = |p: &Path| {
        python("import gzip, sys; b = open(sys.argv[1], 'rb').read(); sys.stdout.buffer.write(gzip.decompress(b) if b[:2] == b'\\x1f\\x8b' else b)", [p])
    };
    assert!(unzip(&first) == unzip(&second), "{second_name} differs from {first_name}");
}

#[test]
fn round_trip_records() {
    round_trip("records", "gen1.json", "gen2.json");
}

#[test]
fn round_trip_records_gz() {
    round_trip("records", "gen1.json.gz", "gen2.json.gz");
}

#[test]
fn round_trip_ndjson() {
    round_trip("ndjson", "gen1.jsonl", "gen2.jsonl");
}

/// The filter fixture set (a duplicate across files, two events sharing an ID, an
/// untimed event, a pretty-printed file) survives records → records.
#[test]
fn round_trip_keeps_duplicates_merged_and_id_collisions_apart() {
    let dir = tmp();
    let input = fixture("filter");
    let first = dir.path().join("g1.json");
    let second = dir.path().join("g2.json");
    export(&["-o", s(&first), s(&input)]).assert_code(0);
    export(&["-o", s(&second), s(&first)]).assert_code(0);
    assert!(fs::read(&first).unwrap() == fs::read(&second).unwrap(), "second generation differs");
    let gen1 = export_records("records", &first);
    assert_eq!(sorted_ids(&gen1), selection(&[input], "lambda e: True"));
    let st = stats([s(&first)]).json();
    assert_eq!(int(&st, "events"), 40, "{st:#}");
    assert_eq!(int(&st, "duplicates"), 0, "{st:#}");
    assert_eq!(int(&st, "untimed"), 1, "{st:#}");
    assert_eq!(gen1.last().map(|r| r.id.as_str()), Some("8c3f2a1e-5d6b-4e7f-9a0b-1c2d3e4f5040"), "untimed last");
}
