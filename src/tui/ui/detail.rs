//! The detail pane: the selected event's key fields; the highlighted one can be added to
//! the filter (Enter) or excluded (`-`).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{pane_block, scroll_into_view};
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;

const LABEL_WIDTH: usize = 16;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let block = pane_block(app, theme, Pane::Detail, " Detail · enter: filter · -: exclude ".to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    let d = &mut app.detail;
    scroll_into_view(&mut d.offset, d.cursor, height);
    let focused = app.focus == Pane::Detail;
    let lines: Vec<Line> = d
        .fields
        .iter()
        .enumerate()
        .skip(d.offset)
        .take(height)
        .map(|(i, f)| {
            let line = Line::from(vec![
                Span::styled(format!("{:<LABEL_WIDTH$}", f.label), theme.label),
                Span::styled(f.value.clone(), theme.text),
            ]);
            if focused && i == d.cursor {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    let lines = if lines.is_empty() { vec![Line::from(Span::styled("no event selected", theme.dim))] } else { lines };
    frame.render_widget(Paragraph::new(lines), inner);
}
