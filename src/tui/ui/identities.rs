//! The Identities pane: principals by account and type (roles with their sessions under
//! them), with events, errors, AccessDenied and first/last seen; sortable, filterable by
//! name.

use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::text::group;
use super::{pane_block, scroll_into_view};
use crate::sanitize::sanitize;
use crate::tui::app::{App, Pane};
use crate::tui::identities::RowTarget;
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    app.identities.ensure(&app.store, &app.selection);
    let v = &app.identities;
    let filter = match (&v.filter_edit, v.filter.is_empty()) {
        (Some(e), _) => format!(" · name: {}▏", sanitize(e.text())),
        (None, false) => format!(" · name: {}", sanitize(&v.filter)),
        (None, true) => String::new(),
    };
    let title = format!(
        " Identities · {} principals · sorted by {} (s){filter} · enter: narrow · /: filter · i: back ",
        group(v.summaries.len() as u64),
        v.sort.name()
    );
    let block = pane_block(app, theme, Pane::Identities, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    app.areas.timeline = area;
    let body = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    app.areas.timeline_rows = body;
    let height = body.height as usize;
    let v = &mut app.identities;
    scroll_into_view(&mut v.offset, v.cursor, height);
    let when = |t: Option<i64>| app.zone.format(t);
    let rows: Vec<Row> = v
        .rows
        .iter()
        .enumerate()
        .skip(v.offset)
        .take(height)
        .map(|(i, r)| {
            let style = match r.target {
                RowTarget::Account(_) => theme.header,
                RowTarget::Kind => theme.label,
                _ if r.totals.errors > 0 && r.totals.access_denied * 2 >= r.totals.events => theme.error_row,
                _ => theme.text,
            };
            let style = if i == v.cursor { style.patch(theme.selected) } else { style };
            Row::new(vec![
                Cell::from(format!("{}{}", "  ".repeat(r.depth), sanitize(&r.label))),
                Cell::from(r.kind.clone()),
                Cell::from(group(r.totals.events)),
                Cell::from(group(r.totals.errors)),
                Cell::from(group(r.totals.access_denied)),
                Cell::from(when(r.totals.first_seen)),
                Cell::from(when(r.totals.last_seen)),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(15),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(19),
        Constraint::Length(19),
    ];
    let header =
        Row::new(["Principal", "Type", "Events", "Errors", "Denied", "First seen", "Last seen"]).style(theme.header);
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
    if v.rows.is_empty() {
        let msg = if v.is_pending() {
            "summarising the principals of the selection…"
        } else if v.filter.is_empty() {
            "no events in the selection"
        } else {
            "no principal matches the name filter"
        };
        frame.render_widget(Line::from(Span::styled(msg, theme.dim)), Rect { height: 1, ..body });
    }
    if let Some(e) = &v.filter_edit {
        // The caret sits in the title, after the filter text.
        let col = area.x + 1 + frame_title_prefix(v, e.text()) as u16;
        if col < area.x + area.width {
            frame.set_cursor_position(Position::new(col, area.y));
        }
    }
}

/// Width of the title up to the end of the name filter text.
fn frame_title_prefix(v: &crate::tui::identities::IdentitiesView, text: &str) -> usize {
    format!(
        " Identities · {} principals · sorted by {} (s) · name: {}",
        group(v.summaries.len() as u64),
        v.sort.name(),
        sanitize(text)
    )
    .chars()
    .count()
}
