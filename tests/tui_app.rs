//! The explorer's state driven by keys and actions, without a terminal: filters, toggles,
//! undo/redo, search, detail → filter, raw JSON folding, export. Expected counts come from
//! the independent python oracle (tests/oracle/filter.py) over the same demo data.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trailscope::config::Config;
use trailscope::ingest::{load_into, spawn_load, LoadOptions};
use trailscope::store::Store;
use trailscope::tui::App;

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/AWSLogs")
}

fn app_over(path: PathBuf) -> App {
    let store = Arc::new(RwLock::new(Store::new()));
    load_into(&store, &LoadOptions::new(vec![path]), None);
    App::new(store, None, &Config::default(), Vec::new())
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Ticks until the search result is complete.
fn settle_search(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.search.running() {
        assert!(Instant::now() < deadline, "search did not complete");
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_running_load_is_followed_to_its_end() {
    let store = Arc::new(RwLock::new(Store::new()));
    let handle = spawn_load(store.clone(), LoadOptions::new(vec![demo()]));
    let mut app = App::new(store.clone(), Some(handle), &Config::default(), Vec::new());
    key(&mut app, KeyCode::Char('G'));
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.loading() {
        assert!(Instant::now() < deadline, "the load was not followed to its end");
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
    let store = store.read().unwrap();
    assert!(!store.is_empty());
    assert_eq!(app.total, store.len());
    assert_eq!(app.selection.as_slice(), store.time_order());
    // The filter still applies to the complete store.
    drop(store);
    key(&mut app, KeyCode::Char('e'));
    let errors = app.selection.len();
    assert!(errors > 0 && errors < app.total);
}

#[test]
fn search_finds_hits_and_enter_jumps_to_the_best() {
    let mut app = app_over(demo());
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "StopLogging");
    settle_search(&mut app);
    let hits = app.search.hits().to_vec();
    let d = demo();
    let want = common::filter_oracle(&[d.as_path()], &[("stop", "lambda e: eq(e, 'eventName', 'StopLogging')")]);
    assert!(!want["stop"].is_empty());
    assert!(hits.len() >= want["stop"].len(), "{} hits, oracle {}", hits.len(), want["stop"].len());
    key(&mut app, KeyCode::Enter);
    assert!(app.search.edit.is_none());
    assert_eq!(app.selected_event(), Some(hits[0].event));
}
