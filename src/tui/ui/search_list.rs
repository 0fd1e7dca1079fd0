//! The search results while the prompt is open: each hit's time and summary line, with
//! the matched characters highlighted, in best-match or time order.

use crate::store::read_store;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::text::{group, highlighted};
use super::{pane_block, scroll_into_view};
use crate::query::search::{highlight, SearchOrder};
use crate::query::summary::summary_line;
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let s = &app.search;
    let order = match s.order {
        SearchOrder::BestMatch => "best match",
        SearchOrder::Time => "time order",
    };
    let state = match &s.result {
        _ if s.query.is_empty() => "type to search".to_string(),
        None => "searching…".to_string(),
        Some(r) if r.complete => format!("{} hits", group(r.hits.len() as u64)),
        Some(r) => format!(
            "{}+ hits, {}% scanned",
            group(r.hits.len() as u64),
            (r.scanned * 100).checked_div(r.total.max(1)).unwrap_or(0)
        ),
    };
    let title = format!(" Search · {state} · {order} (ctrl-t) · enter: jump · esc: clear ");
    let block = pane_block(app, theme, Pane::Timeline, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    app.areas.timeline = area;
    app.areas.timeline_rows = inner;
    let height = inner.height as usize;
    let (cursor, hits_len) = (app.search.cursor, app.search.hits().len());
    scroll_into_view(&mut app.search.offset, cursor, height);
    let offset = app.search.offset.min(hits_len);
    let store = app.store.clone();
    let store = read_store(&store);
    let query = app.search.query.clone();
    let lines: Vec<Line> = app.search.hits()[offset..(offset + height).min(hits_len)]
        .iter()
        .enumerate()
        .map(|(i, hit)| {
            let summary = summary_line(&store, hit.event);
            let positions = if hit.positions.is_empty() {
                highlight(&query, &summary).unwrap_or_default()
            } else {
                hit.positions.clone()
            };
            let mut spans = vec![Span::styled(format!("{} ", app.zone.format(store.time(hit.event))), theme.dim)];
            spans.extend(highlighted(&summary, &positions, theme.text, theme.highlight, theme.dim));
            let line = Line::from(spans);
            if offset + i == cursor {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
