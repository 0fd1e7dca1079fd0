//! The timeline pane: a table of the selection's visible rows only (so 1M rows scroll as
//! fast as 100), styled by what each event is: failed calls, writes, console logins.

use crate::store::read_store;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use super::text::{fit, group};
use super::{pane_block, scroll_into_view};
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::view::timeline::{timeline_row, TimelineRow};

/// Short names of `userIdentity.type`.
pub fn type_abbrev(t: &str) -> &str {
    match t {
        "IAMUser" => "user",
        "AssumedRole" => "role",
        "Root" => "ROOT",
        "AWSService" => "service",
        "FederatedUser" => "federated",
        "SAMLUser" => "saml",
        "WebIdentityUser" => "web-id",
        "IdentityCenterUser" => "sso",
        "AWSAccount" => "account",
        "" => "",
        other => other,
    }
}

pub fn row_style(theme: &Theme, row: &TimelineRow) -> Style {
    let m = row.marks;
    if m.error {
        theme.error_row
    } else if m.console_login {
        theme.login_row
    } else if m.write {
        theme.write_row
    } else if m.partial || m.untimed {
        theme.dim
    } else {
        theme.text
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let n = app.selection.len();
    let title = if app.eval_error.is_some() {
        " Timeline — filter error ".to_string()
    } else {
        format!(" Timeline {} ", app.zone.label())
    };
    let block = pane_block(app, theme, Pane::Timeline, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    app.areas.timeline = area;
    let body = Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner };
    app.areas.timeline_rows = body;
    let height = body.height as usize;
    scroll_into_view(&mut app.offset, app.cursor, height);
    if app.offset + height > n {
        app.offset = n.saturating_sub(height);
    }

    let store = app.store.clone();
    let store = read_store(&store);
    let end = (app.offset + height).min(n);
    let rows: Vec<Row> = app.selection[app.offset..end]
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let r = timeline_row(&store, e, app.zone);
            let mut style = row_style(theme, &r);
            if app.offset + i == app.cursor {
                style = style.patch(theme.selected);
            }
            // Two marks: the event's standing (✗ its file failed integrity, ! notable),
            // then whether it is a search hit (•).
            let standing = if app.integrity.view().is_some_and(|v| v.failure_of(&store, e).is_some()) {
                "✗"
            } else if app.notable.as_ref().is_some_and(|n| !n.categories(e).is_empty()) {
                "!"
            } else {
                " "
            };
            let hit = app.hit_events.binary_search(&e).is_ok();
            // Blanks stay unstyled: an underlined blank draws a stray underscore.
            let mark =
                |on: bool, text: &'static str, style| if on { Span::styled(text, style) } else { Span::raw(" ") };
            let who = if r.identity_type.is_empty() {
                r.identity.clone()
            } else {
                format!("{} ({})", r.identity, type_abbrev(&r.identity_type))
            };
            Row::new(vec![
                Cell::from(Line::from(vec![
                    mark(standing != " ", standing, theme.status_error),
                    mark(hit, "•", theme.highlight),
                ])),
                Cell::from(r.time),
                Cell::from(r.name),
                Cell::from(r.source),
                Cell::from(fit(&who, 40)),
                Cell::from(r.ip),
                Cell::from(r.region),
                Cell::from(r.error),
            ])
            .style(style)
        })
        .collect();
    drop(store);
    // Fixed columns for fixed-size values; the rest share the width, identity most.
    let widths = [
        Constraint::Length(2),
        Constraint::Length(19),
        Constraint::Fill(3),
        Constraint::Length(14),
        Constraint::Fill(4),
        Constraint::Length(15),
        Constraint::Length(14),
        Constraint::Fill(2),
    ];
    let header =
        Row::new(["", "Time", "Event", "Source", "Identity", "Source IP", "Region", "Error"]).style(theme.header);
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, inner);
    if n == 0 {
        let msg = if app.loading() {
            "loading…"
        } else if app.total == 0 {
            "no events loaded (r: load report)"
        } else {
            "no events match the filter (u: undo, c: clear)"
        };
        let y = inner.y + 1;
        if y < inner.y + inner.height {
            frame.render_widget(Line::from(Span::styled(msg, theme.dim)), Rect { y, height: 1, ..inner });
        }
    } else if height > 0 {
        // Position indicator in the bottom border.
        let label = format!(" {}/{} ", group(app.cursor as u64 + 1), group(n as u64));
        let w = label.chars().count() as u16;
        if area.width > w + 2 {
            let r = Rect::new(area.x + area.width - w - 1, area.y + area.height - 1, w, 1);
            frame.render_widget(Span::styled(label, theme.dim), r);
        }
    }
}
