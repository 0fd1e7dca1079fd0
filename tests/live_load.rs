//! Loading in the background while the store is read: refreshing part-way (incremental
//! postings and a merged time order) must end in exactly the state of a one-shot load.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use trailscope::ingest::{load_into, spawn_load, LoadEvent, LoadOptions};
use trailscope::query::{parse, select};
use trailscope::store::{Facet, Store};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

fn inputs() -> Vec<PathBuf> {
    ["shapes", "tree", "archives", "filter", "dedup"].iter().map(|d| fixture(d)).collect()
}

/// What must not depend on how the load was split: events in time order, by eventID and
/// time, and the answers of a few filters.
type Fingerprint = (Vec<(Option<String>, Option<i64>)>, Vec<usize>);

fn fingerprint(store: &Store) -> Fingerprint {
    let order = store.time_order().iter().map(|&e| (store.event_id(e).map(str::to_owned), store.time(e))).collect();
    let filters = ["name:Get*", "error:*", "NOT readOnly:true", "region:us-east-1 OR region:eu-west-1"];
    let counts = filters.iter().map(|f| select(store, &parse(f, 0).unwrap()).unwrap().len()).collect();
    (order, counts)
}

#[test]
fn loading_in_parts_with_refreshes_equals_one_load() {
    let whole = RwLock::new(Store::new());
    load_into(&whole, &LoadOptions::new(inputs()), None);
    let whole = whole.into_inner().unwrap();

    // The same inputs one folder at a time into one store; `load_into` refreshes after
    // each, so every later part goes through the incremental merge.
    let parts = RwLock::new(Store::new());
    for (i, path) in inputs().into_iter().enumerate() {
        load_into(&parts, &LoadOptions::new(vec![path]), None);
        let s = parts.read().unwrap();
        if i == 1 {
            // Postings of the facets built on first use are asked for part-way: the later
            // parts must add to them.
            for f in Facet::SINGLE.into_iter().filter(|f| !f.indexed_on_load()) {
                let _ = s.facet(f).postings(0).len();
            }
        }
        let times: Vec<i64> = s.time_order().iter().map(|&e| s.time(e).unwrap_or(i64::MAX)).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "time order after a part");
    }
    let parts = parts.into_inner().unwrap();
    assert!(whole.len() > 100);
    assert_eq!(parts.len(), whole.len());
    let (a, b) = (fingerprint(&whole), fingerprint(&parts));
    assert_eq!(a.1, b.1, "filter answers");
    // Events with equal time may sit in another order only if they are identical in
    // content; compare as multisets per timestamp and exactly by time sequence.
    let times = |f: &Fingerprint| f.0.iter().map(|x| x.1).collect::<Vec<_>>();
    assert_eq!(times(&a), times(&b));
    let mut ids_a = a.0.clone();
    let mut ids_b = b.0.clone();
    ids_a.sort();
    ids_b.sort();
    assert_eq!(ids_a, ids_b);
    for f in [Facet::EventName, Facet::Principal] {
        assert_eq!(whole.facet(f).len(), parts.facet(f).len(), "{f:?} values");
    }
    for store in [&whole, &parts] {
        assert_postings_match_columns(store);
    }
}

/// Every facet's postings (built by the load, part-way, or on first use right now) list
/// exactly the events whose value it is, found by reading each event's value.
fn assert_postings_match_columns(store: &Store) {
    for f in Facet::SINGLE {
        let facet = store.facet(f);
        let mut expected: Vec<Vec<u32>> = vec![Vec::new(); facet.len()];
        for e in 0..store.len() as u32 {
            if let Some(v) = store.value(e, f) {
                expected[facet.id_of(v).expect("a stored value is interned") as usize].push(e);
            }
        }
        for (id, events) in expected.iter().enumerate() {
            assert_eq!(&facet.postings(id as u32).to_vec(), events, "{f:?} value {:?}", facet.value(id as u32));
        }
    }
}

#[test]
fn background_load_can_be_read_and_refreshed_while_running() {
    let store = Arc::new(RwLock::new(Store::new()));
    let handle = spawn_load(Arc::clone(&store), LoadOptions::new(inputs()));
    let mut progress = Vec::new();
    while !handle.is_finished() {
        progress.extend(handle.events.try_iter());
        let mut s = store.write().unwrap();
        s.finish();
        let order = s.time_order();
        assert_eq!(order.len(), s.len(), "a refresh covers every appended event");
        drop(s);
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    progress.extend(handle.events.try_iter());
    handle.join();
    let s = store.read().unwrap();
    assert_eq!(s.time_order().len(), s.len());
    assert!(s.len() > 100);
    let files_done = progress.iter().filter(|e| matches!(e, LoadEvent::FileDone { .. })).count() as u64;
    assert_eq!(files_done, s.report.files, "one FileDone per input read");
    assert!(matches!(progress.last(), Some(LoadEvent::Finished)), "the progress stream ends with Finished");
    // The walk reports its end once, after every file it found and before the end of the load.
    let walk_done: Vec<usize> =
        progress.iter().enumerate().filter(|(_, e)| matches!(e, LoadEvent::WalkDone)).map(|(i, _)| i).collect();
    assert_eq!(walk_done.len(), 1, "one WalkDone");
    let found_after_walk =
        progress[walk_done[0]..].iter().filter(|e| matches!(e, LoadEvent::Discovered { .. })).count();
    assert_eq!(found_after_walk, 0, "no file is discovered after WalkDone");
    let found = progress.iter().filter(|e| matches!(e, LoadEvent::Discovered { .. })).count();
    assert_eq!(found, inputs_on_disk(), "one Discovered per file on disk");
    // Files read are entered in the report outside the reading itself; none is lost.
    let read: Vec<u64> =
        progress.iter().filter_map(|e| if let LoadEvent::Read { bytes } = e { Some(*bytes) } else { None }).collect();
    assert_eq!(s.report.inputs.len(), read.len(), "one report entry per file read");
    assert_eq!(s.report.bytes_read, read.iter().sum::<u64>(), "bytes read as reported while loading");
    assert_eq!(s.report.bytes_read, s.report.inputs.iter().map(|i| i.bytes).sum::<u64>());
}

/// The files under [`inputs`], counted with `std::fs` alone (the walk's oracle).
fn inputs_on_disk() -> usize {
    fn count(path: &std::path::Path) -> usize {
        match std::fs::read_dir(path) {
            Ok(dir) => dir
                .flatten()
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| count(&e.path()))
                .sum(),
            Err(_) => 1,
        }
    }
    inputs().iter().map(|p| count(p)).sum()
}
