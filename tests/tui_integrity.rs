//! The explorer's integrity view (issue 6): with digest files among the inputs, the check
//! runs after the load; events from a log file edited after delivery are marked and the
//! load report says what failed. The archive comes from the generator (real SHA-256 of
//! the generated files); which file was edited and which events it holds is read here
//! with serde_json, not through trailscope.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use trailscope::config::Config;
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::store::Store;
use trailscope::tui::integrity::IntegrityState;
use trailscope::tui::App;

fn generate(dir: &Path) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope-gen"))
        .args(["--events", "300", "--seed", "5", "--days", "1", "--accounts", "1", "--digests", "--force"])
        .arg("--out")
        .arg(dir)
        .output()
        .expect("run trailscope-gen");
    assert!(out.status.success(), "trailscope-gen failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn walk(root: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut out).unwrap();
    out
}

/// The first log file some digest lists, as a path under `root`.
fn a_listed_log_file(root: &Path) -> PathBuf {
    let mut files = Vec::new();
    walk(root, &mut files);
    files.sort();
    for f in files.iter().filter(|p| p.to_string_lossy().contains("CloudTrail-Digest")) {
        let digest: Value = serde_json::from_slice(&gunzip(f)).unwrap();
        if let Some(key) = digest["logFiles"].as_array().and_then(|l| l.first()).and_then(|l| l["s3Object"].as_str()) {
            let tail = &key[key.find("AWSLogs/").unwrap()..];
            return root.join(tail);
        }
    }
    panic!("no digest lists a log file");
}

fn open(root: &Path) -> App {
    let store = Arc::new(RwLock::new(Store::new()));
    load_into(&store, &LoadOptions::new(vec![root.to_path_buf()]), None);
    let mut app = App::new(store, None, &Config::default(), Vec::new());
    app.input_paths = vec![root.to_path_buf()];
    app.start_integrity();
    assert!(matches!(app.integrity, IntegrityState::Running(_)), "digests were loaded, so the check starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while matches!(app.integrity, IntegrityState::Running(_)) {
        assert!(Instant::now() < deadline, "integrity check did not finish");
        app.tick();
        std::thread::sleep(Duration::from_millis(10));
    }
    app
}

fn marked_ids(app: &App) -> Vec<String> {
    let store = app.store.read().unwrap();
    let view = app.integrity.view().expect("check finished");
    let mut ids: Vec<String> = (0..store.len() as u32)
        .filter(|&e| view.failure_of(&store, e).is_some())
        .map(|e| store.event_id(e).unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn events_from_an_edited_log_file_are_marked_and_the_report_says_why() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());

    let intact = open(tmp.path());
    assert_eq!(intact.integrity.view().unwrap().report.verdict, trailscope::integrity::Verdict::Intact);
    assert!(marked_ids(&intact).is_empty());

    let victim = a_listed_log_file(tmp.path());
    let mut json: Value = serde_json::from_slice(&gunzip(&victim)).unwrap();
    json["Records"][0]["sourceIPAddress"] = "203.0.113.66".into();
    let mut expected: Vec<String> =
        json["Records"].as_array().unwrap().iter().map(|r| r["eventID"].as_str().unwrap().to_string()).collect();
    expected.sort();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&serde_json::to_vec(&json).unwrap()).unwrap();
    std::fs::write(&victim, enc.finish().unwrap()).unwrap();

    let mut app = open(tmp.path());
    let view = app.integrity.view().unwrap();
    assert_eq!(view.report.verdict, trailscope::integrity::Verdict::Problems);
    assert_eq!(view.report.counts.log_files_modified, 1);
    // Re-deliveries in the generated archive may repeat an event of the edited file in
    // another file; those copies were deduplicated into one event, read from either file.
    let marked = marked_ids(&app);
    assert!(!marked.is_empty());
    assert!(marked.iter().all(|id| expected.contains(id)), "only events of the edited file are marked");
    assert!(expected.len() - marked.len() <= 1, "{} of {} events marked", marked.len(), expected.len());
    assert!(app.status.as_ref().unwrap().error);

    // The detail pane of a marked event says so first.
    let event = {
        let store = app.store.read().unwrap();
        (0..store.len() as u32).find(|&e| store.event_id(e) == Some(marked[0].as_str())).unwrap()
    };
    let row = app.selection.iter().position(|&e| e == event).unwrap();
    app.cursor = row;
    app.sync_panes();
    assert_eq!(app.detail.fields[0].label, "INTEGRITY");
    assert!(app.detail.fields[0].value.contains("modified"));
}
