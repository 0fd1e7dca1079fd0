//! Drawing: the layout of the explorer's screen and the too-small message. Each pane draws
//! itself from `App` in its own module; only visible rows are ever built.

mod chain;
mod detail;
mod export;
mod filter_bar;
mod help;
mod histogram;
mod identities;
mod principal;
mod raw_json;
mod report;
mod search_list;
mod status;
mod text;
mod timeline;

use ratatui::layout::{Alignment, Constraint, Direction, Layout, Rect};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Overlay, Pane};
use super::theme::Theme;

/// Smallest terminal the layout can draw.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let theme = Theme::of(app.theme);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "Terminal too small: trailscope needs at least {MIN_WIDTH}×{MIN_HEIGHT} (this one is {}×{}).\nEnlarge the window or press q to quit.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }).alignment(Alignment::Center), area);
        app.areas = Default::default();
        return;
    }
    let filter_height = filter_bar::height(app);
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(filter_height),
            Constraint::Length(3),
            Constraint::Percentage(55),
            Constraint::Min(6),
            Constraint::Length(1),
        ])
        .split(area);
    filter_bar::draw(frame, app, &theme, rows[0]);
    histogram::draw(frame, app, &theme, rows[1]);
    if app.search.edit.is_some() {
        search_list::draw(frame, app, &theme, rows[2]);
    } else if app.show_identities {
        identities::draw(frame, app, &theme, rows[2]);
    } else {
        timeline::draw(frame, app, &theme, rows[2]);
    }
    let bottom = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(42), Constraint::Percentage(58)])
        .split(rows[3]);
    if app.show_identities && app.search.edit.is_none() {
        principal::draw(frame, app, &theme, rows[3]);
    } else {
        detail::draw(frame, app, &theme, bottom[0]);
        raw_json::draw(frame, app, &theme, bottom[1]);
    }
    status::draw(frame, app, &theme, rows[4]);
    app.areas.histogram = rows[1];
    app.areas.detail = bottom[0];
    app.areas.raw = bottom[1];

    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { .. } => help::draw(frame, app, &theme, area),
        Overlay::Report { .. } => report::draw(frame, app, &theme, area),
        Overlay::Export(_) => export::draw(frame, app, &theme, area),
        Overlay::Chain(_) => chain::draw(frame, app, &theme, area),
    }
}

/// A pane's frame: its title, highlighted when it has the focus.
fn pane_block<'a>(app: &App, theme: &Theme, pane: Pane, title: String) -> Block<'a> {
    let focused = app.focus == pane && app.search.edit.is_none();
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.border_focused } else { theme.border })
        .title(title)
}

/// A centred box over the panes, cleared first.
fn overlay_area(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(10);
    let h = height.min(area.height.saturating_sub(2)).max(5);
    let r = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    frame.render_widget(Clear, r);
    r
}

/// Keeps `cursor` within `[offset, offset + height)` by moving `offset`.
fn scroll_into_view(offset: &mut usize, cursor: usize, height: usize) {
    if height == 0 {
        return;
    }
    if cursor < *offset {
        *offset = cursor;
    } else if cursor >= *offset + height {
        *offset = cursor + 1 - height;
    }
}
