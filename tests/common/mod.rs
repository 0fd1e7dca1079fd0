//! Helpers shared by the integration tests: run the real `trailscope` binary with
//! `stats --json`, run the independent Python oracle (`tests/oracle/count.py`), and
//! read the contract's fields (docs/stats-json.md) out of the JSON.
//!
//! Expected values never come from running trailscope: they come from the oracle
//! (valid fixtures) or from hand counts written next to the damaged fixtures.
#![allow(dead_code)] // each test crate uses a different subset of these helpers

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous: a debug build loading the largest corpus folder takes a few seconds.
const TIMEOUT: Duration = Duration::from_secs(180);

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(rel)
}

/// The outcome of one `trailscope` run.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when killed by a signal (a crash) or by our timeout.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Run {
    /// The `stats --json` object on stdout; panics with the whole run when absent.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!("stdout is not one JSON object ({e}):\n{self}");
        })
    }

    pub fn assert_code(&self, want: i32) {
        assert!(!self.timed_out, "trailscope did not finish in {TIMEOUT:?}:\n{self}");
        assert_eq!(self.code, Some(want), "unexpected exit status:\n{self}");
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit: {:?} (timed out: {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.timed_out, self.stdout, self.stderr
        )
    }
}

fn run_with_timeout(mut cmd: Command, stdin: Option<Vec<u8>>) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawn trailscope");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        thread::spawn(move || {
            // The binary may stop reading early on bad input; a broken pipe is fine.
            let _ = pipe.write_all(&bytes);
        })
    });
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err = thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for trailscope") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill(); // only the child we spawned
            break child.wait().expect("reap trailscope");
        }
        thread::sleep(Duration::from_millis(10));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        timed_out,
    }
}

fn trailscope_cmd<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailscope"));
    cmd.args(args.into_iter().map(Into::into));
    // Keep the output independent of the developer's environment.
    cmd.env("NO_COLOR", "1").env_remove("RUST_LOG");
    cmd
}

/// `trailscope <args…>` (no implicit `stats --json`).
pub fn trailscope<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    run_with_timeout(trailscope_cmd(args), None)
}

/// `trailscope stats --json <args…>`.
pub fn stats<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut all: Vec<OsString> = vec!["stats".into(), "--json".into()];
    all.extend(args.into_iter().map(Into::into));
    run_with_timeout(trailscope_cmd(all), None)
}

/// `trailscope stats --json <args…>` with `input` on stdin.
pub fn stats_stdin<I, S>(args: I, input: Vec<u8>) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut all: Vec<OsString> = vec!["stats".into(), "--json".into()];
    all.extend(args.into_iter().map(Into::into));
    run_with_timeout(trailscope_cmd(all), Some(input))
}

/// Runs the independent Python oracle on the same arguments.
pub fn oracle<I, S>(args: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let script = manifest_dir().join("tests/oracle/count.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(args.into_iter().map(Into::into))
        .output()
        .expect("python3 is needed to run the oracle (tests/oracle/count.py)");
    assert!(out.status.success(), "oracle failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("oracle prints JSON")
}

/// An integer field of a `stats --json` object (or of the oracle's output).
pub fn int(v: &Value, field: &str) -> u64 {
    v.get(field).and_then(Value::as_u64).unwrap_or_else(|| panic!("no integer field `{field}` in {v:#}"))
}

/// The counts the oracle can compute. `id_collisions` is left out on purpose: the
/// contract allows two readings of it (see cli_dedup.rs).
pub const ORACLE_FIELDS: [&str; 6] = ["records", "events", "duplicates", "digests", "untimed", "partial"];

pub fn assert_fields_match(stats: &Value, expected: &Value, fields: &[&str], what: &str) {
    let mut diffs = Vec::new();
    for f in fields {
        let (got, want) = (int(stats, f), int(expected, f));
        if got != want {
            diffs.push(format!("{f}: trailscope {got}, expected {want}"));
        }
    }
    assert!(diffs.is_empty(), "{what}: {}\ntrailscope: {stats:#}", diffs.join("; "));
}

/// `report` entries whose `path` ends with `suffix` (paths may be absolute or relative).
pub fn report_for<'a>(stats: &'a Value, suffix: &str) -> Vec<&'a Value> {
    report(stats)
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.replace('\\', "/").ends_with(suffix)))
        .collect()
}

pub fn report(stats: &Value) -> &Vec<Value> {
    stats["report"].as_array().unwrap_or_else(|| panic!("`report` is not an array in {stats:#}"))
}

/// The `kind` of each entry.
pub fn kinds(entries: &[&Value]) -> Vec<String> {
    entries.iter().map(|e| e["kind"].as_str().unwrap_or("<no kind>").to_string()).collect()
}

/// Sum of `salvaged` over report entries.
pub fn salvaged(entries: &[&Value]) -> u64 {
    entries
        .iter()
        .map(|e| e["salvaged"].as_u64().unwrap_or_else(|| panic!("report entry without integer `salvaged`: {e}")))
        .sum()
}

/// A `location` of the contract: `line L, column C` or `byte N`.
#[derive(Debug, PartialEq, Eq)]
pub enum Location {
    LineCol(u64, u64),
    Byte(u64),
}

pub fn parse_location(s: &str) -> Option<Location> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("byte ") {
        return rest.trim().parse().ok().map(Location::Byte);
    }
    let rest = s.strip_prefix("line ")?;
    match rest.split_once(", column ") {
        Some((line, col)) => Some(Location::LineCol(line.trim().parse().ok()?, col.trim().parse().ok()?)),
        None => Some(Location::LineCol(rest.trim().parse().ok()?, 1)),
    }
}

/// Like [`parse_location`], but tolerant of decorations around the contract forms
/// (`line 55, column 9 (byte 2147)`, `decompressed byte 2537`): used where a test
/// checks WHERE the location points; the exact form has its own test.
pub fn parse_location_lenient(s: &str) -> Option<Location> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("line ") {
        let (line, rest) = rest.split_once(", column ")?;
        let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
        return Some(Location::LineCol(line.trim().parse().ok()?, col.parse().ok()?));
    }
    let at = s.find("byte ")?;
    let digits: String = s[at + 5..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().map(Location::Byte)
}

/// The 1-based line of `content` that holds byte offset `n` (0-based).
pub fn line_of_byte(content: &[u8], n: u64) -> u64 {
    let n = (n as usize).min(content.len());
    content[..n].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Asserts the entry's location points at a line in `lines` of the (uncompressed)
/// file `content`, whichever of the two contract forms it uses.
pub fn assert_location_in_lines(entry: &Value, content: &[u8], lines: std::ops::RangeInclusive<u64>) {
    let loc = entry["location"].as_str().unwrap_or_else(|| panic!("report entry has no location: {entry}"));
    let line = match parse_location_lenient(loc) {
        Some(Location::LineCol(l, _)) => l,
        Some(Location::Byte(n)) => line_of_byte(content, n),
        None => panic!("location {loc:?} is neither `line L, column C` nor `byte N`"),
    };
    assert!(lines.contains(&line), "location {loc:?} is on line {line}, expected within {lines:?}: {entry}");
}

// ---- time helpers (no chrono: keep the checks independent of the code under test)

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T` or space) to Unix ms.
pub fn rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        ms = format!("{digits:0<3}")[..3].parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hh * 60 + mm)
        }
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(((days * 24 + h) * 60 + mi) * 60_000 + se * 1000 + ms - offset_min * 60_000)
}

/// Unix ms to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_seconds(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_millis() as i64
}

/// `time_range.first`/`last` as Unix ms floored to the second (the display may
/// drop fractions), or `None` for a JSON null.
pub fn time_range_s(stats: &Value, which: &str) -> Option<i64> {
    let tr = stats.get("time_range").unwrap_or_else(|| panic!("no `time_range` in {stats:#}"));
    match &tr[which] {
        Value::Null => None,
        Value::String(s) => {
            Some(rfc3339_ms(s).unwrap_or_else(|| panic!("time_range.{which} {s:?} is not RFC 3339")).div_euclid(1000))
        }
        other => panic!("time_range.{which} is neither a string nor null: {other}"),
    }
}

/// The oracle's `time_first_ms`/`time_last_ms` floored to the second.
pub fn oracle_time_s(oracle: &Value, field: &str) -> Option<i64> {
    oracle[field].as_i64().map(|ms| ms.div_euclid(1000))
}

pub fn assert_time_range_matches(stats: &Value, oracle: &Value, what: &str) {
    assert_eq!(
        time_range_s(stats, "first"),
        oracle_time_s(oracle, "time_first_ms"),
        "{what}: time_range.first (seconds) differs: {}",
        stats["time_range"]
    );
    assert_eq!(
        time_range_s(stats, "last"),
        oracle_time_s(oracle, "time_last_ms"),
        "{what}: time_range.last (seconds) differs: {}",
        stats["time_range"]
    );
}

/// Runs trailscope and the oracle on the same valid inputs and compares everything
/// the oracle knows; also requires a clean report and exit status 0.
pub fn check_against_oracle(paths: &[&Path], what: &str) -> Value {
    let run = stats(paths.iter().copied());
    run.assert_code(0);
    let got = run.json();
    let want = oracle(paths.iter().copied());
    assert_fields_match(&got, &want, &ORACLE_FIELDS, what);
    assert_time_range_matches(&got, &want, what);
    assert!(report(&got).is_empty(), "{what}: valid input produced report entries: {:#}", got["report"]);
    assert_eq!(int(&got, "files_failed"), 0, "{what}: files_failed");
    got
}

// ---- filter oracle (tests/oracle/filter.py) and inline python helpers

/// Runs `tests/oracle/filter.py` over `paths` with hand-written python predicates
/// (`(name, "lambda e: …")`) and returns, per name, the sorted eventIDs of the
/// matching events (an ID appears once per event). The key `__all__` lists every event.
pub fn filter_oracle(paths: &[&Path], preds: &[(&str, &str)]) -> std::collections::BTreeMap<String, Vec<String>> {
    let script = manifest_dir().join("tests/oracle/filter.py");
    let mut map = serde_json::Map::new();
    for (name, src) in preds {
        assert!(map.insert(name.to_string(), Value::String(src.to_string())).is_none(), "duplicate case {name:?}");
    }
    let input = serde_json::to_vec(&Value::Object(map)).unwrap();
    let out = python_cmd(Command::new("python3").arg(&script).args(paths), &input);
    serde_json::from_slice(&out).expect("filter oracle prints a JSON object of string arrays")
}

/// Runs an inline python3 script with arguments and returns its stdout; panics
/// with its stderr when it fails.
pub fn python<I, S>(script: &str, args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).args(args.into_iter().map(Into::into));
    python_cmd(&mut cmd, &[])
}

fn python_cmd(cmd: &mut Command, input: &[u8]) -> Vec<u8> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run the oracles");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for python3");
    let _ = feeder.join();
    assert!(out.status.success(), "python oracle failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// `trailscope <args…>` run with `dir` as its working directory.
pub fn trailscope_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut cmd = trailscope_cmd(args);
    cmd.current_dir(dir);
    run_with_timeout(cmd, None)
}

/// The binary under test, for tests that drive the process themselves.
pub fn trailscope_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trailscope"))
}
