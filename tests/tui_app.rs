//! The explorer's state driven by keys and actions, without a terminal: filters, toggles,
//! undo/redo, detail → filter, zoom, search, raw JSON folding, copy, export, live load.
//! Expected selections come from the independent python oracle (tests/oracle/filter.py)
//! over the same files, never from the code under test.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use trailscope::config::{self, Config};
use trailscope::ingest::{load_into, spawn_load, LoadOptions};
use trailscope::store::Store;
use trailscope::tui::action::Action;
use trailscope::tui::app::{Overlay, Pane};
use trailscope::tui::export_job::ExportStage;
use trailscope::tui::App;

fn demo() -> PathBuf {
    // The AWSLogs tree only: the generator's metadata file beside it is not for the oracle.
    common::manifest_dir().join("assets/demo/AWSLogs")
}

fn fixture() -> PathBuf {
    common::fixture("filter")
}

fn app_over(path: &Path) -> App {
    let store = Arc::new(RwLock::new(Store::new()));
    load_into(&store, &LoadOptions::new(vec![path.to_path_buf()]), None);
    App::new(store, None, &Config::default(), Vec::new())
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The eventIDs of the current selection, sorted (a multiset: IDs may repeat).
fn selected_ids(app: &App) -> Vec<String> {
    let store = app.store.read().unwrap();
    let mut ids: Vec<String> = app.selection.iter().map(|&e| store.event_id(e).unwrap_or("").to_string()).collect();
    ids.sort();
    ids
}

fn oracle(path: &Path, preds: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    common::filter_oracle(&[path], preds)
}

fn wait_until(app: &mut App, what: &str, mut done: impl FnMut(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn typed_filter_selects_what_the_oracle_selects_and_errors_show_a_caret() {
    let dir = fixture();
    let want =
        oracle(&dir, &[("q", "lambda e: eq(e, 'errorCode', 'AccessDenied') or eq(e, 'eventName', 'ConsoleLogin')")]);
    let mut app = app_over(&dir);
    assert_eq!(selected_ids(&app), want["__all__"]);
    assert_eq!(app.total, 40);

    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "error:AccessDenied OR name:(");
    let err = app.filter_error.clone().expect("live validation flags the unfinished term");
    assert_eq!(err.position, "error:AccessDenied OR name:".len());
    key(&mut app, KeyCode::Enter); // refused while invalid
    assert!(app.filter_edit.is_some());
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "ConsoleLogin");
    assert!(app.filter_error.is_none());
    key(&mut app, KeyCode::Enter);
    assert!(app.filter_edit.is_none());
    assert_eq!(selected_ids(&app), want["q"]);

    // Esc abandons an edit without touching the applied filter.
    key(&mut app, KeyCode::Char('f'));
    ctrl(&mut app, 'u');
    typed(&mut app, "name:Nothing");
    key(&mut app, KeyCode::Esc);
    assert_eq!(selected_ids(&app), want["q"]);
}

#[test]
fn toggles_undo_and_redo() {
    let dir = fixture();
    let want = oracle(
        &dir,
        &[
            ("errors", "lambda e: has(e, 'errorCode')"),
            ("errors_writes", "lambda e: has(e, 'errorCode') and not (g(e, 'readOnly') in (True, 'true'))"),
        ],
    );
    let mut app = app_over(&dir);
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(selected_ids(&app), want["errors"]);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(selected_ids(&app), want["errors_writes"]);
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(selected_ids(&app), want["errors"]);
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(selected_ids(&app), want["__all__"]);
    ctrl(&mut app, 'r');
    ctrl(&mut app, 'r');
    assert_eq!(selected_ids(&app), want["errors_writes"]);
    key(&mut app, KeyCode::Char('c'));
    assert_eq!(selected_ids(&app), want["__all__"]);
    assert!(app.filter.applied.is_everything());
}

#[test]
fn detail_fields_add_and_exclude_filter_terms() {
    let dir = fixture();
    let mut app = app_over(&dir);
    // Put the cursor on the first ConsoleLogin (a name the oracle can check).
    let row = {
        let store = app.store.read().unwrap();
        app.selection
            .iter()
            .position(|&e| store.value(e, trailscope::store::Facet::EventName) == Some("ConsoleLogin"))
            .expect("the fixture has a console login")
    };
    for _ in 0..row {
        app.update(Action::Down);
    }
    key(&mut app, KeyCode::Char('2'));
    assert_eq!(app.focus, Pane::Detail);
    let name_row = app.detail.fields.iter().position(|f| f.label == "Event").unwrap();
    for _ in 0..name_row {
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Enter);
    let want = oracle(
        &dir,
        &[
            ("login", "lambda e: eq(e, 'eventName', 'ConsoleLogin')"),
            (
                "login_not_src",
                "lambda e: eq(e, 'eventName', 'ConsoleLogin') and not eq(e, 'eventSource', 'signin.amazonaws.com')",
            ),
        ],
    );
    assert_eq!(app.filter.applied.text, "name:ConsoleLogin");
    assert_eq!(selected_ids(&app), want["login"]);
    // `-` on the Source field excludes it.
    let src_row = app.detail.fields.iter().position(|f| f.label == "Source").unwrap();
    app.detail.cursor = src_row;
    key(&mut app, KeyCode::Char('-'));
    assert_eq!(app.filter.applied.text, "name:ConsoleLogin -source:signin.amazonaws.com");
    assert_eq!(selected_ids(&app), want["login_not_src"]);
}

#[test]
fn every_detail_filter_term_selects_its_own_event() {
    // Round trip for every filterable field of every event: the term the pane adds must
    // parse and select the event it was taken from (quoting, escaping, case).
    let mut app = app_over(&fixture());
    let events = app.selection.clone();
    let store = app.store.clone();
    let store = store.read().unwrap();
    for &e in events.iter() {
        for f in trailscope::view::detail::detail_fields(&store, e, app.zone) {
            let Some(term) = f.filter else { continue };
            let expr = trailscope::query::parse(&term, 0).unwrap_or_else(|err| panic!("{term}: {err}"));
            let sel = trailscope::query::select(&store, &expr).unwrap();
            assert!(sel.contains(&e), "{term} does not select the event it came from");
        }
    }
    drop(store);
    app.update(Action::Quit);
    assert!(app.quit);
}

#[test]
fn zoom_narrows_to_the_cursor_bucket_and_unzooms() {
    let dir = demo();
    let mut app = app_over(&dir);
    app.ensure_histogram(100);
    let (from, to) = {
        let t = app.store.read().unwrap().time(app.selection[0]).unwrap();
        app.histogram.bounds(app.histogram.bucket_of(t).unwrap())
    };
    key(&mut app, KeyCode::Char('>'));
    let pred = format!("lambda e: t(e) is not None and {from} <= t(e) < {to}");
    let want = oracle(&dir, &[("zoom", &pred)]);
    assert!(!want["zoom"].is_empty() && want["zoom"].len() < want["__all__"].len());
    assert_eq!(selected_ids(&app), want["zoom"]);
    key(&mut app, KeyCode::Char('<'));
    assert_eq!(app.selection.len(), want["__all__"].len());
}

#[test]
fn histogram_steps_move_the_cursor_between_buckets() {
    let mut app = app_over(&demo());
    app.ensure_histogram(50);
    let bucket_of_cursor = |app: &App| {
        let t = app.store.read().unwrap().time(app.selection[app.cursor]).unwrap();
        app.histogram.bucket_of(t).unwrap()
    };
    let b0 = bucket_of_cursor(&app);
    key(&mut app, KeyCode::Char(']'));
    let b1 = bucket_of_cursor(&app);
    assert!(b1 > b0);
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('['));
    assert_eq!(bucket_of_cursor(&app), b1);
}

#[test]
fn search_ranks_jumps_cycles_and_orders_by_time() {
    let dir = demo();
    let want = oracle(&dir, &[("stop", "lambda e: eq(e, 'eventName', 'StopLogging')")]);
    assert!(!want["stop"].is_empty());
    let mut app = app_over(&dir);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "StopLogging");
    wait_until(&mut app, "the search", |a| !a.search.running());
    let hits = app.search.hits().to_vec();
    let store = app.store.clone();
    let name = |e: u32| store.read().unwrap().value(e, trailscope::store::Facet::EventName).map(str::to_string);
    // Every StopLogging event matches, and the best hits are StopLogging events.
    let stop_hits = hits.iter().filter(|h| name(h.event).as_deref() == Some("StopLogging")).count();
    assert_eq!(stop_hits, want["stop"].len());
    assert_eq!(name(hits[0].event).as_deref(), Some("StopLogging"));
    // While typing, the detail pane follows the highlighted hit.
    key(&mut app, KeyCode::Down);
    assert_eq!(app.detail.event, Some(hits[1].event));
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.selected_event(), Some(hits[0].event));
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.selected_event(), Some(hits[1].event));
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(app.selected_event(), Some(hits[hits.len() - 1].event));
    assert!(app.hit_events.binary_search(&hits[0].event).is_ok());

    // Time order: the same hits, in selection order.
    key(&mut app, KeyCode::Char('o'));
    wait_until(&mut app, "the time-ordered search", |a| !a.search.running());
    let rows: Vec<u32> = app.search.hits().iter().map(|h| h.row).collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(rows.len(), hits.len());
    key(&mut app, KeyCode::Esc);
    assert!(!app.search.is_active());
    assert!(app.hit_events.is_empty());
}

#[test]
fn raw_pane_folds_and_copies_values() {
    let mut app = app_over(&fixture());
    key(&mut app, KeyCode::Char('3'));
    assert_eq!(app.focus, Pane::Raw);
    let all = app.raw.visible.len();
    let ui = app.raw.rows.iter().position(|r| r.key.as_deref() == Some("userIdentity")).unwrap();
    app.raw.cursor = app.raw.visible.iter().position(|&v| v == ui).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(app.raw.folded.contains(&ui));
    assert!(app.raw.visible.len() < all);
    key(&mut app, KeyCode::Char('Y'));
    let copied: serde_json::Value = serde_json::from_str(app.clipboard.as_deref().unwrap()).unwrap();
    let original: serde_json::Value = serde_json::from_str(&app.raw.text).unwrap();
    assert_eq!(copied, original["userIdentity"]);
    key(&mut app, KeyCode::Char('E'));
    assert_eq!(app.raw.visible.len(), all);
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.clipboard.as_deref(), Some(app.raw.text.trim()));
}

#[test]
fn export_dialog_writes_the_selection_and_confirms_before_overwriting() {
    let dir = fixture();
    let want = oracle(&dir, &[("errors", "lambda e: has(e, 'errorCode')")]);
    let mut app = app_over(&dir);
    key(&mut app, KeyCode::Char('e'));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("errors.jsonl");
    key(&mut app, KeyCode::Char('x'));
    ctrl(&mut app, 'u');
    typed(&mut app, target.to_str().unwrap());
    key(&mut app, KeyCode::Tab); // records → ndjson
    key(&mut app, KeyCode::Enter);
    wait_until(
        &mut app,
        "the export",
        |a| matches!(&a.overlay, Overlay::Export(d) if matches!(d.stage, ExportStage::Done(_))),
    );
    let text = std::fs::read_to_string(&target).unwrap();
    let mut ids: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["eventID"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, want["errors"]);
    assert!(app.status.as_ref().unwrap().text.starts_with(&format!("wrote {} events to ", ids.len())));
    key(&mut app, KeyCode::Char(' ')); // closes the result
    assert!(matches!(app.overlay, Overlay::None));

    // Again to the same path: asks first; anything but y goes back, and the file is kept.
    std::fs::write(&target, "keep me").unwrap();
    key(&mut app, KeyCode::Char('x'));
    ctrl(&mut app, 'u');
    typed(&mut app, target.to_str().unwrap());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(&app.overlay, Overlay::Export(d) if matches!(d.stage, ExportStage::ConfirmOverwrite)));
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(&app.overlay, Overlay::Export(d) if matches!(d.stage, ExportStage::Editing)));
    key(&mut app, KeyCode::Esc);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    // ... and y replaces it.
    key(&mut app, KeyCode::Char('x'));
    ctrl(&mut app, 'u');
    typed(&mut app, target.to_str().unwrap());
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('y'));
    wait_until(
        &mut app,
        "the second export",
        |a| matches!(&a.overlay, Overlay::Export(d) if matches!(d.stage, ExportStage::Done(_))),
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), want["errors"].len());
    let leftovers: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[test]
fn live_load_grows_the_selection_until_it_matches_the_oracle() {
    let dir = demo();
    let want = oracle(&dir, &[]);
    let store = Arc::new(RwLock::new(Store::new()));
    let mut options = LoadOptions::new(vec![dir.clone()]);
    options.workers = 1;
    let handle = spawn_load(store.clone(), options);
    let mut app = App::new(store, Some(handle), &Config::default(), Vec::new());
    let mut sizes = Vec::new();
    wait_until(&mut app, "the load", |a| {
        sizes.push(a.selection.len());
        !a.loading()
    });
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "the selection only grows while loading");
    assert_eq!(selected_ids(&app), want["__all__"]);
    assert_eq!(app.load.events as usize, want["__all__"].len());
}

#[test]
fn config_overrides_change_keys_and_help_and_broken_config_is_reported() {
    let (cfg, problems) = config::parse("[keys]\nquit = \"Q\"\nsearch = [\"s\", \"/\"]\nwarp = \"v\"\n", "cfg.toml");
    assert!(problems.is_empty());
    let mut app = App::new(Arc::new(RwLock::new(Store::new())), None, &cfg, problems);
    assert!(app.notices.iter().any(|n| n.contains("unknown action \"warp\"") && n.contains("cfg.toml line 4")));
    assert!(app.status.as_ref().is_some_and(|s| s.error));
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit, "q was remapped");
    key(&mut app, KeyCode::Char('s'));
    assert!(app.search.edit.is_some());
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Overlay::Help { .. }));
    assert_eq!(app.keymap.label_for(Action::Quit), "Q");
    key(&mut app, KeyCode::Char('Q'));
    assert!(app.quit);
}

#[test]
fn time_zone_toggle_and_ctrl_c_always_quits() {
    let mut app = app_over(&fixture());
    let utc = app.detail.fields[0].value.clone();
    assert!(utc.ends_with("+00:00"), "{utc}");
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(app.zone, trailscope::view::clock::DisplayZone::Local);
    key(&mut app, KeyCode::Char('f'));
    ctrl(&mut app, 'c');
    assert!(app.quit);
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
