//! End to end (issue 4): the real binary in tmux on the demo archive. Keys go in through
//! the terminal, the checks read the captured screen and the exported file, and the
//! expected counts and events come from the independent python oracle
//! (tests/oracle/filter.py), never from trailscope.
//!
//! Also the ways out (issue 7): `q`, SIGTERM and SIGINT during a load, SIGTERM during an
//! export — the terminal must come back as it was, and an interrupted export must leave
//! neither a file under the target name nor its temporary file.
//!
//! Requires tmux (the tests fail, with a message saying so, when it is missing).

mod common;
mod tmux;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use tmux::{grouped, Session};

fn demo() -> PathBuf {
    common::manifest_dir().join("assets/demo")
}

/// The event IDs of an NDJSON file (one JSON object per line), sorted.
fn ndjson_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut ids: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {} of {} is not one JSON object: {e}", i + 1, path.display()));
            v["eventID"].as_str().unwrap_or_else(|| panic!("line {} has no eventID: {line}", i + 1)).to_string()
        })
        .collect();
    ids.sort();
    ids
}

/// The line of the timeline's count: `N of M events`.
fn counts(screen: &str) -> Option<(String, String)> {
    let first = screen.lines().next()?;
    let at = first.rfind(" events")?;
    let mut words = first[..at].split_whitespace().rev();
    let total = words.next()?.to_string();
    (words.next()? == "of").then_some(())?;
    let selected = words.next()?.to_string();
    Some((selected, total))
}

fn loading(screen: &str) -> bool {
    screen.lines().last().is_some_and(|l| l.starts_with("Loading "))
}

#[test]
fn filter_search_raw_json_export_and_quit() {
    let demo = demo();
    // The oracle reads the trail files; the explorer opens the folder as a user would
    // (the generator's notes file beside them is not CloudTrail and is reported).
    let logs = demo.join("AWSLogs");
    const FILTER: &str = "eventName:StopLogging OR error:AccessDenied";
    let want = common::filter_oracle(
        &[logs.as_path()],
        &[
            ("filter", "lambda e: eq(e, 'eventName', 'StopLogging') or eq(e, 'errorCode', 'AccessDenied')"),
            ("stop", "lambda e: eq(e, 'eventName', 'StopLogging')"),
        ],
    );
    let all = grouped(want["__all__"].len());
    let selected = grouped(want["filter"].len());
    assert_eq!(want["stop"].len(), 1, "the demo has one StopLogging call: {:?}", want["stop"]);
    let stop_id = &want["stop"][0];
    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("selection.jsonl");

    let s = Session::start([&demo], out.path());
    s.wait_for(&format!("all {all} events loaded"), |sc| {
        !loading(sc) && counts(sc) == Some((all.clone(), all.clone()))
    });

    // Filter: the count line shows the oracle's count.
    s.keys(&["f"]);
    s.wait_for_text("Filter> ");
    s.type_text(FILTER);
    s.wait_for_text(&format!("Filter> {FILTER}"));
    s.keys(&["Enter"]);
    let screen =
        s.wait_for(&format!("{selected} of {all} events"), |sc| counts(sc).is_some_and(|(n, _)| n == selected));
    assert!(screen.contains("StopLogging"), "the filter chip should show the filter:\n{screen}");

    // Search: the hit list shows the StopLogging call; Enter selects it.
    s.keys(&["/"]);
    s.type_text("StopLogging");
    s.wait_for("the search hit", |sc| {
        sc.starts_with("Search> StopLogging ")
            && sc.lines().any(|l| l.contains("StopLogging cloudtrail.amazonaws.com"))
            && sc.contains(" hits ")
    });
    s.keys(&["Enter"]);
    // The timeline is back, its StopLogging row marked as a hit, and that event selected.
    s.wait_for("the timeline with the hit marked and selected", |sc| {
        sc.contains(" Timeline ")
            // The mark column: the event's standing (`!` notable, `✗` integrity), then `•`.
            && sc.lines().any(|l| l.chars().nth(2) == Some('•') && l.contains("StopLogging"))
            && sc.lines().any(|l| l.contains("│Event           StopLogging"))
    });

    // Raw JSON pane: focus it, fold every container, go to the end: the eventID is there.
    s.keys(&["3", "F", "G"]);
    s.wait_for_text(&format!("\"eventID\": \"{stop_id}\""));

    // Export the selection as NDJSON to a path of ours.
    s.keys(&["x"]);
    s.wait_for_text(&format!("Export {selected} events"));
    s.keys(&["C-u"]);
    let export_text = export.to_str().unwrap();
    s.type_text(export_text);
    s.wait_for_text(&format!("Path    {export_text} "));
    s.keys(&["Tab"]);
    // The chosen format is drawn as a chip: check the escapes around its name.
    let mut tries = 0;
    loop {
        let raw = s.screen_with_escapes();
        let line = raw.lines().find(|l| l.contains("Format")).expect("format line");
        let (before, _) = line.split_once(" ndjson ").expect("ndjson in the format line");
        let (rec_before, _) = line.split_once(" records ").expect("records in the format line");
        // The selected chip's style differs from the other formats' style.
        let style_of = |prefix: &str| prefix.rfind("\u{1b}[").map(|i| prefix[i..].to_string());
        if style_of(before) != style_of(rec_before) {
            break;
        }
        tries += 1;
        assert!(tries < 400, "Tab did not select ndjson:\n{raw}");
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    s.keys(&["Enter"]);
    s.wait_for_text(&format!("wrote {selected} events to {export_text}"));
    assert_eq!(ndjson_ids(&export), want["filter"], "the exported events differ from the oracle's");

    // Close the result, quit, and the terminal is back.
    s.keys(&["Escape"]);
    s.wait_for("the export dialog to close", |sc| !sc.contains("Export ") && !sc.contains("any key: close"));
    s.keys(&["q"]);
    let exit = s.wait_exit();
    assert_eq!(exit.code, 0, "exit status after q");
    s.assert_restored(&exit);
    eprintln!("e2e session took {:.1} s", s.elapsed().as_secs_f64());
}

/// The checks above can fail: a trailscope killed with SIGKILL (no chance to clean up)
/// leaves raw mode, the alternate screen, the hidden cursor and mouse reporting on.
#[test]
fn the_restore_check_catches_a_terminal_left_in_explorer_mode() {
    let cwd = tempfile::tempdir().unwrap();
    let s = Session::start([demo()], cwd.path());
    s.wait_for("the first screen", |sc| counts(sc).is_some());
    s.signal("KILL");
    let exit = s.wait_exit();
    assert_eq!(exit.code, 128 + 9, "the shell reports death by SIGKILL");
    let problems = s.restore_problems(&exit);
    for want in ["terminal modes differ", "alternate screen", "cursor", "mouse reporting"] {
        assert!(problems.iter().any(|p| p.contains(want)), "{want:?} not detected; found: {problems:#?}");
    }
}

const BIG_EVENTS: usize = 30_000;

/// A generated archive big enough that loading and exporting it take a while; made once
/// (deterministic generator) and kept in cargo's temp dir for later runs.
fn big_input() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let dir = base.join(format!("e2e-generated-{BIG_EVENTS}"));
        if dir.join(".trailscope-gen.json").exists() {
            return dir;
        }
        let building = tempfile::tempdir_in(&base).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_trailscope-gen"))
            .args(["--events", &BIG_EVENTS.to_string(), "--days", "1", "--accounts", "2", "--seed", "11", "--out"])
            .arg(building.path())
            .output()
            .expect("run trailscope-gen");
        assert!(out.status.success(), "trailscope-gen failed: {}", String::from_utf8_lossy(&out.stderr));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(building.keep(), &dir).unwrap();
        dir
    })
}

fn signal_during_load(signal: &str) {
    let input = big_input();
    let cwd = tempfile::tempdir().unwrap();
    let s = Session::start([input], cwd.path());
    let screen = s.wait_for("the load progress", loading);
    s.signal(signal);
    let exit = s.wait_exit();
    assert!(loading(&screen), "the signal was meant to arrive during the load:\n{screen}");
    // 0: the signal was handled (a quit); 128+n would mean the signal killed the process.
    assert_eq!(exit.code, 0, "SIG{signal} during the load should quit cleanly");
    s.assert_restored(&exit);
}

#[test]
fn sigterm_during_a_load_restores_the_terminal() {
    signal_during_load("TERM");
}

#[test]
fn sigint_during_a_load_restores_the_terminal() {
    signal_during_load("INT");
}

#[test]
fn sigterm_during_an_export_leaves_no_file() {
    let input = big_input();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("all.json.gz");
    let s = Session::start([input], out.path());
    let all = grouped(BIG_EVENTS);
    s.wait_for(&format!("all {all} events loaded"), |sc| {
        !loading(sc) && counts(sc) == Some((all.clone(), all.clone()))
    });
    s.keys(&["x"]);
    s.wait_for_text(&format!("Export {all} events"));
    s.keys(&["C-u"]);
    let target_text = target.to_str().unwrap();
    s.type_text(target_text);
    s.wait_for_text(&format!("Path    {target_text} "));
    s.keys(&["Enter"]);
    let screen = s.wait_for("the export progress", |sc| sc.contains("events · esc: cancel") || sc.contains("wrote "));
    assert!(
        screen.contains("events · esc: cancel"),
        "the export finished before the signal could interrupt it (input too small for this machine?):\n{screen}"
    );
    s.signal("TERM");
    let exit = s.wait_exit();
    assert_eq!(exit.code, 0, "SIGTERM during the export should quit cleanly");
    s.assert_restored(&exit);
    let left: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.is_empty(), "an interrupted export left files behind: {left:?}");
    let screen = s.screen();
    assert!(screen.contains("export cancelled"), "trailscope should say the export was cancelled:\n{screen}");
}
