//! The filter bar: the applied view as chips (typed terms, toggles, zoom) and the counts;
//! while editing, the text with its cursor and, below, a caret under a syntax error.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::text::group;
use crate::model::time::format_utc;
use crate::query::{parse, Expr};
use crate::sanitize::sanitize;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn height(app: &App) -> u16 {
    if app.filter_edit.is_some() && app.filter_error.is_some() {
        2
    } else {
        1
    }
}

/// The chips of the applied view.
pub fn chips(app: &App) -> Vec<(String, bool)> {
    let spec = &app.filter.applied;
    let mut out = Vec::new();
    if !spec.text.trim().is_empty() {
        match parse(&spec.text, chrono::Utc::now().timestamp_millis()) {
            Ok(Expr::And(items)) => out.extend(items.iter().map(|i| (i.to_string(), false))),
            Ok(e) => out.push((e.to_string(), false)),
            Err(_) => out.push((spec.text.clone(), false)),
        }
    }
    if spec.errors_only {
        out.push(("errors only".into(), true));
    }
    if spec.writes_only {
        out.push(("writes only".into(), true));
    }
    if let Some((from, to)) = spec.zoom.last() {
        let f = format_utc(*from).unwrap_or_default();
        let t = format_utc(*to).unwrap_or_default();
        out.push((format!("zoom {f} – {t}"), true));
    }
    out
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let counts = format!(" {} of {} events ", group(app.selection.len() as u64), group(app.total as u64));
    let counts_w = counts.chars().count() as u16;
    let left = Rect { width: area.width.saturating_sub(counts_w), height: 1, ..area };
    let right = Rect { x: area.x + left.width, width: counts_w.min(area.width), height: 1, ..area };
    frame.render_widget(Span::styled(counts, theme.header), right);

    // The search prompt takes the bar while it is open, so the query being typed is seen.
    if let Some(edit) = &app.search.edit {
        prompt(frame, theme, left, "Search> ", edit.text(), edit.cursor());
        return;
    }
    if let Some(edit) = &app.filter_edit {
        let prefix = "Filter> ";
        prompt(frame, theme, left, prefix, edit.text(), edit.cursor());
        if let Some(err) = &app.filter_error {
            let pos = err.position.min(edit.text().len());
            let col = prefix.len() + edit.text().get(..pos).map_or(0, |t| sanitize(t).chars().count());
            let line = Line::from(vec![
                Span::raw(" ".repeat(col)),
                Span::styled(format!("^ {}", sanitize(&err.message)), theme.status_error),
            ]);
            frame.render_widget(line, Rect { y: area.y + 1, height: 1, ..area });
        }
        return;
    }
    let mut spans = vec![Span::styled("Filter ", theme.label)];
    let chips = chips(app);
    if chips.is_empty() {
        spans.push(Span::styled("(all events — f to filter, e errors, w writes)", theme.dim));
    }
    for (text, toggle) in chips {
        spans.push(Span::styled(format!(" {} ", sanitize(&text)), if toggle { theme.chip_toggle } else { theme.chip }));
        spans.push(Span::raw(" "));
    }
    if app.eval_error.is_some() {
        spans.push(Span::styled("cannot evaluate (see status)", theme.status_error));
    }
    frame.render_widget(Line::from(spans), left);
}

/// `prefix` and the sanitised `text`, with the terminal cursor after the sanitised form of
/// the text before `cursor` (a char index).
fn prompt(frame: &mut Frame, theme: &Theme, area: Rect, prefix: &str, text: &str, cursor: usize) {
    frame.render_widget(
        Line::from(vec![Span::styled(prefix.to_string(), theme.label), Span::raw(sanitize(text).into_owned())]),
        area,
    );
    let before: String = text.chars().take(cursor).collect();
    let col = prefix.len() + sanitize(&before).chars().count();
    frame.set_cursor_position(Position::new(area.x + (col as u16).min(area.width.saturating_sub(1)), area.y));
}
