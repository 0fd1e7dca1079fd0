//! Render tests: each pane, the overlays and the too-small message drawn on ratatui's
//! TestBackend and compared with reviewed snapshots (tests/snapshots/, insta). Snapshots
//! pin the layout; the assertions next to them state what must be on screen regardless.

use std::path::Path;
use std::sync::{Arc, RwLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use trailscope::config::Config;
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::store::Store;
use trailscope::tui::action::ACTIONS;
use trailscope::tui::{ui, App};

fn app_over(path: &Path) -> App {
    let store = Arc::new(RwLock::new(Store::new()));
    // Relative paths (tests run in the package root) keep file names in snapshots portable.
    load_into(&store, &LoadOptions::new(vec![path.to_path_buf()]), None);
    let mut app = App::new(store, None, &Config::default(), Vec::new());
    app.config_hint = "CONFIG".to_string();
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    text.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

/// The screen as text, one line per row, trailing spaces removed.
fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn main_screen_shows_counts_histogram_timeline_detail_and_raw() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    let screen = render(&mut app, 140, 40);
    assert!(screen.lines().next().unwrap().ends_with("40 of 40 events"));
    assert!(screen.contains("Time") && screen.contains("Identity") && screen.contains("Source IP"));
    assert!(screen.contains("\"eventVersion\""), "raw JSON of the selected event");
    insta::assert_snapshot!("main_screen", screen);
}

#[test]
fn filter_bar_shows_chips_and_the_error_caret() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('f'));
    typed(&mut app, "name:Get* region:");
    let screen = render(&mut app, 120, 30);
    let lines: Vec<&str> = screen.lines().collect();
    assert!(lines[0].starts_with("Filter> name:Get* region:"));
    let caret = lines[1].find('^').expect("caret line");
    assert_eq!(caret, "Filter> name:Get* region:".len());
    insta::assert_snapshot!("filter_editing", screen);
    key(&mut app, KeyCode::Esc);
    let screen = render(&mut app, 120, 30);
    assert!(screen.lines().next().unwrap().contains(" errors only "));
}

#[test]
fn raw_pane_folded_and_focused() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    key(&mut app, KeyCode::Char('3'));
    let ui_row = app.raw.rows.iter().position(|r| r.key.as_deref() == Some("userIdentity")).unwrap();
    app.raw.cursor = app.raw.visible.iter().position(|&v| v == ui_row).unwrap();
    key(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 140, 40);
    assert!(screen.contains("\"userIdentity\": {…}"), "folded object with its summary");
    insta::assert_snapshot!("raw_folded", screen);
}

#[test]
fn help_overlay_lists_every_action_with_its_keys() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    key(&mut app, KeyCode::Char('?'));
    let screen = render(&mut app, 130, 90);
    for info in ACTIONS {
        assert!(screen.contains(info.help), "help lacks {:?}", info.name);
        assert!(screen.contains(&app.keymap.label_for(info.action)), "help lacks the keys of {:?}", info.name);
    }
    insta::assert_snapshot!("help", screen);
}

#[test]
fn load_report_lists_failures_with_positions() {
    let mut app = app_over(Path::new("tests/fixtures/bad"));
    key(&mut app, KeyCode::Char('r'));
    let screen = render(&mut app, 140, 50);
    assert!(screen.contains("Problems ("));
    insta::assert_snapshot!("load_report", screen);
}

#[test]
fn export_dialog_and_search_list() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    key(&mut app, KeyCode::Char('x'));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut app, "out/selection.json.gz");
    let screen = render(&mut app, 120, 30);
    assert!(screen.contains("Export 40 events"));
    insta::assert_snapshot!("export_dialog", screen);
    key(&mut app, KeyCode::Esc);

    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "alice");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.search.running() {
        assert!(std::time::Instant::now() < deadline);
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let screen = render(&mut app, 140, 40);
    assert!(screen.contains("Search ·") && screen.contains(" hits ·"));
    insta::assert_snapshot!("search_list", screen);
}

#[test]
fn too_small_terminal_gets_a_message() {
    let mut app = app_over(Path::new("tests/fixtures/filter"));
    let screen = render(&mut app, 50, 10);
    assert!(screen.contains("Terminal too small"));
    insta::assert_snapshot!("too_small", screen);
}
