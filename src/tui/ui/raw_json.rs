//! The raw JSON pane: the selected event's original JSON, pretty-printed with colours,
//! folding, and a cursor for copying a value. Built from `view::json_rows`, so folding and
//! scrolling never re-parse.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{pane_block, scroll_into_view};
use crate::sanitize::sanitize;
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::view::json_rows::{RowKind, ScalarKind};

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let block = pane_block(app, theme, Pane::Raw, " Raw JSON · enter: fold · y/Y: copy ".to_string());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let raw = &mut app.raw;
    if raw.event.is_none() {
        return;
    }
    if raw.rows.is_empty() {
        let mut lines = vec![Line::from(Span::styled(raw.error.clone().unwrap_or_default(), theme.dim))];
        lines.extend(raw.text.lines().map(|l| Line::from(sanitize(l).into_owned())));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let height = inner.height as usize;
    scroll_into_view(&mut raw.offset, raw.cursor, height);
    let focused = app.focus == Pane::Raw;
    let lines: Vec<Line> = raw
        .visible
        .iter()
        .enumerate()
        .skip(raw.offset)
        .take(height)
        .map(|(vi, &ri)| {
            let row = &raw.rows[ri];
            let mut spans = vec![Span::raw("  ".repeat(row.depth))];
            if let Some(k) = &row.key {
                if !matches!(row.kind, RowKind::Close { .. }) {
                    spans.push(Span::styled(format!("\"{}\"", sanitize(k)), theme.json_key));
                    spans.push(Span::raw(": "));
                }
            }
            match &row.kind {
                RowKind::Open { array, len, .. } => {
                    if raw.folded.contains(&ri) {
                        let (o, c, what) = if *array { ('[', ']', "items") } else { ('{', '}', "keys") };
                        spans.push(Span::raw(format!("{o}…{c}")));
                        spans.push(Span::styled(format!(" {len} {what}"), theme.dim));
                    } else {
                        spans.push(Span::raw(if *array { "[" } else { "{" }));
                    }
                }
                RowKind::Close { array } => spans.push(Span::raw(if *array { "]" } else { "}" })),
                RowKind::Scalar { text, kind } => {
                    let (shown, style) = match kind {
                        ScalarKind::String => (format!("\"{}\"", sanitize(text)), theme.json_string),
                        ScalarKind::Number => (text.clone(), theme.json_number),
                        ScalarKind::Bool | ScalarKind::Null => (text.clone(), theme.json_literal),
                    };
                    spans.push(Span::styled(shown, style));
                }
            }
            // A member is followed by a comma when a sibling follows it.
            let next = match row.kind {
                RowKind::Open { close, .. } if raw.folded.contains(&ri) => close + 1,
                RowKind::Open { .. } => usize::MAX,
                _ => ri + 1,
            };
            if raw.rows.get(next).is_some_and(|r| !matches!(r.kind, RowKind::Close { .. })) {
                spans.push(Span::raw(","));
            }
            let line = Line::from(spans);
            if focused && vi == raw.cursor {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
