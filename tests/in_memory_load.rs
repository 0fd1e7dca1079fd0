//! `ingest::load_bytes` (one in-memory input, no threads: what the fuzz targets drive) must
//! load exactly what a real load of the same file does, or fuzzing it would prove nothing
//! about the real path. Compared on every fixture file: events, records, report entries.

mod common;

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use common::fixture;
use trailscope::ingest::{load_bytes, load_into, Limits, LoadOptions};
use trailscope::store::Store;

fn files_under(root: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(root).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// What a load produced, with the input's own path replaced by `<input>`.
fn outcome(store: &Store, name: &str) -> (usize, u64, u64, Vec<String>) {
    let mut problems: Vec<String> = store
        .report
        .problems
        .iter()
        .map(|p| format!("{} {:?} {} {:?}", p.path.replacen(name, "<input>", 1), p.kind, p.message, p.location))
        .collect();
    problems.sort();
    (store.len(), store.report.records, store.report.files, problems)
}

#[test]
fn load_bytes_matches_a_real_load_on_every_fixture() {
    let mut files = Vec::new();
    files_under(&fixture(""), &mut files);
    files.retain(|p| p.extension().is_none_or(|e| e != "py"));
    assert!(files.len() > 40, "fixtures found: {}", files.len());
    for path in files {
        let name = path.to_string_lossy().into_owned();
        let mut options = LoadOptions::new(vec![path.clone()]);
        options.workers = 2;
        let real = RwLock::new(Store::new());
        load_into(&real, &options, None);
        let memory = RwLock::new(Store::new());
        load_bytes(&memory, &name, std::fs::read(&path).unwrap(), &Limits::default());
        let (real, memory) = (real.into_inner().unwrap(), memory.into_inner().unwrap());
        assert_eq!(outcome(&memory, &name), outcome(&real, &name), "{name}");
        // Archive members may be appended in another order: compare the events as a set.
        let raw = |s: &Store| {
            let mut all: Vec<Vec<u8>> = (0..s.len() as u32).map(|e| s.raw_bytes(e).unwrap()).collect();
            all.sort();
            all
        };
        assert_eq!(raw(&memory), raw(&real), "{name}: the events' raw bytes");
    }
}
