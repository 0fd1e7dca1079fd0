//! The interactive explorer (`trailscope [PATH…]`): a thin consumer of the core. `app`
//! holds the state and applies actions (no terminal I/O, tested directly); `ui` draws it;
//! `event_loop` feeds it keys, mouse, signals and background progress; `terminal` owns the
//! terminal's modes and puts them back on every exit path.

pub mod action;
pub mod app;
pub mod event_loop;
pub mod export_job;
pub mod filter;
pub mod identities;
pub mod integrity;
pub mod keymap;
pub mod line_edit;
pub mod raw_view;
pub mod search;
pub mod terminal;
pub mod theme;
pub mod ui;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::config;
use crate::ingest::{spawn_load, LoadOptions};
use crate::store::Store;

pub use app::App;

/// Opens the explorer on `options.paths`, loading in the background.
/// `filter` (from `--filter`) replaces the config's default filter.
pub fn run(options: LoadOptions, config_path: Option<&Path>, filter: Option<&str>, started: Instant) -> ExitCode {
    if !std::io::stdout().is_terminal() {
        eprintln!(
            "trailscope: the explorer needs a terminal on stdout; for scripts use `trailscope stats` or `trailscope export`"
        );
        return ExitCode::from(2);
    }
    let (mut config, notices) = config::load(config_path);
    if let Some(f) = filter {
        config.default_filter = Some(f.to_string());
    }
    let store = Arc::new(RwLock::new(Store::new()));
    let paths = options.paths.clone();
    let handle = spawn_load(store.clone(), options);
    let mut app = App::new(store, Some(handle), &config, notices.clone());
    app.input_paths = paths;

    terminal::install_panic_hook();
    let mut guard = match terminal::TerminalGuard::enter() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("trailscope: cannot set up the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = event_loop::run(&mut app, &mut guard.terminal, started);
    let shutdown_note = app.shutdown();
    drop(guard);
    for n in notices.iter().chain(&shutdown_note) {
        eprintln!("trailscope: {}", crate::sanitize::sanitize(n));
    }
    // The store may be large: let the OS reclaim it instead of freeing it piece by piece.
    std::mem::forget(app);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trailscope: terminal error: {e}");
            ExitCode::FAILURE
        }
    }
}
