//! Render checks on ratatui's TestBackend for what the end-to-end tests found: the search
//! prompt shows the query being typed, the status line neutralises what it quotes, and the
//! help keeps a key list apart from its description.

use std::sync::{Arc, RwLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use trailscope::config::Config;
use trailscope::store::Store;
use trailscope::tui::App;

fn render(app: &mut App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| trailscope::tui::ui::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>())
        .collect()
}

fn empty_app(notices: Vec<String>) -> App {
    App::new(Arc::new(RwLock::new(Store::new())), None, &Config::default(), notices)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn the_search_prompt_shows_the_query() {
    let mut app = empty_app(Vec::new());
    key(&mut app, KeyCode::Char('/'));
    for c in "StopLogging".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let screen = render(&mut app);
    assert!(screen[0].starts_with("Search> StopLogging "), "{}", screen.join("\n"));
    // A pasted query with a bidi override is drawn with the override as a visible escape.
    app.handle_paste("x\u{202e}y");
    let screen = render(&mut app);
    assert!(screen[0].starts_with("Search> StopLoggingx\\u{202e}y "), "{}", screen.join("\n"));
}

#[test]
fn the_status_line_neutralises_what_it_quotes() {
    // A config problem is shown on the status line at start; its text quotes the file.
    let notice = "config.toml line 1: bad value \"a\u{202e}b\u{1b}]0;title\u{7}c\u{9b}2Jd\"".to_string();
    let mut app = empty_app(vec![notice]);
    let screen = render(&mut app);
    let status = &screen[44];
    assert!(status.contains("a\\u{202e}b\\u{1b}]0;title\\u{7}c\\u{9b}2Jd"), "status line: {status:?}");
    for line in &screen {
        assert!(
            !line.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw control or bidi character drawn: {line:?}"
        );
    }
}

#[test]
fn help_keeps_keys_and_descriptions_apart() {
    let mut app = empty_app(Vec::new());
    key(&mut app, KeyCode::Char('?'));
    let screen = render(&mut app).join("\n");
    let line = screen.lines().find(|l| l.contains("pagedown, ctrl-f, space")).expect("page down keys listed");
    let after = line.split("pagedown, ctrl-f, space").nth(1).unwrap();
    assert!(after.starts_with(' ') && after.trim_start().starts_with("page down"), "{line}");
}

#[test]
fn timeline_rows_without_a_search_hit_have_no_underlined_mark() {
    let store = Arc::new(RwLock::new(Store::new()));
    let demo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/AWSLogs");
    trailscope::ingest::load_into(&store, &trailscope::ingest::LoadOptions::new(vec![demo]), None);
    let mut app = App::new(store, None, &Config::default(), Vec::new());
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| trailscope::tui::ui::draw(f, &mut app)).unwrap();
    let buf = terminal.backend().buffer();
    let row_text = |y: u16| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>();
    // The second event row (the first carries the cursor); its first cell is the mark column.
    let first = (0..buf.area.height).find(|&y| row_text(y).contains("2026-11-02 00:00:13")).expect("first row");
    let y = first + 1;
    assert_eq!(buf[(1, y)].symbol(), " ", "{}", row_text(y));
    assert!(
        !buf[(1, y)].modifier.contains(ratatui::style::Modifier::UNDERLINED),
        "the empty search-hit mark is underlined: {}",
        row_text(y)
    );
}
