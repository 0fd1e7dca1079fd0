//! The status line: load progress while loading (files, events, MB, rate, time left),
//! otherwise the last message or the most useful keys.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::text::group;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::theme::Theme;

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `▕████░░░░▏ 1,234/21,321 files · 123,456 events · 150.2/200.0 MB · 45.0 MB/s · 12 s left`
pub fn progress_text(app: &App) -> (f64, String) {
    let p = &app.load;
    let secs = p.started.elapsed().as_secs_f64().max(0.001);
    let rate = p.bytes_read as f64 / secs;
    let fraction =
        if p.walk_done && p.bytes_found > 0 { (p.bytes_read as f64 / p.bytes_found as f64).min(1.0) } else { 0.0 };
    // Stdin is read without being found.
    let files = if p.files_read > p.files_found {
        format!("{} files", group(p.files_read))
    } else if p.walk_done {
        format!("{}/{} files", group(p.files_read), group(p.files_found))
    } else {
        format!("{}/{}+ files", group(p.files_read), group(p.files_found))
    };
    let left = if p.walk_done && rate > 0.0 && fraction > 0.0 {
        format!(" · {:.0} s left", (p.bytes_found.saturating_sub(p.bytes_read)) as f64 / rate)
    } else {
        String::new()
    };
    let failed = if p.failed > 0 { format!(" · {} failed", group(p.failed)) } else { String::new() };
    (
        fraction,
        format!("{files} · {} events · {} · {}/s{left}{failed}", group(p.events), mb(p.bytes_read), mb(rate as u64)),
    )
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    if app.loading() {
        let (fraction, text) = progress_text(app);
        const BAR: usize = 20;
        let filled = (fraction * BAR as f64).round() as usize;
        let bar = format!("Loading ▕{}{}▏ ", "█".repeat(filled), "░".repeat(BAR - filled));
        frame.render_widget(Line::from(vec![Span::styled(bar, theme.bar), Span::raw(text)]), area);
        return;
    }
    if let Some(s) = &app.status {
        // Messages quote filters, keys, paths and config lines: neutralised here, where
        // every one of them reaches the screen.
        let text = crate::sanitize::sanitize(&s.text).into_owned();
        frame.render_widget(Span::styled(text, if s.error { theme.status_error } else { theme.status }), area);
        return;
    }
    let k = |a: Action| app.keymap.label_for(a).split(", ").next().unwrap_or("").to_string();
    let hints = [
        (Action::Help, "help"),
        (Action::EditFilter, "filter"),
        (Action::Search, "search"),
        (Action::ErrorsOnly, "errors"),
        (Action::HideReadOnly, "writes"),
        (Action::Export, "export"),
        (Action::Report, "report"),
        (Action::Quit, "quit"),
    ];
    let mut spans = Vec::new();
    for (a, label) in hints {
        spans.push(Span::styled(format!(" {} ", k(a)), theme.chip));
        spans.push(Span::styled(format!(" {label}  "), theme.dim));
    }
    frame.render_widget(Line::from(spans), area);
}
