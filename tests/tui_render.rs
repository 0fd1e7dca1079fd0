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
