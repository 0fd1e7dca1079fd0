//! The load report overlay: totals, every file that failed (path, reason, position,
//! salvaged records) and configuration notices.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::overlay_area;
use super::text::group;
use crate::ingest::report::problem_line;
use crate::sanitize::sanitize;
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

pub fn report_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let store = app.store.read().unwrap_or_else(|p| p.into_inner());
    let r = &store.report;
    let mut lines = Vec::new();
    let state = if app.loading() {
        "loading…".to_string()
    } else {
        format!("loaded in {:.1} s", app.load.elapsed.unwrap_or_default().as_secs_f64())
    };
    lines.push(Line::from(Span::styled(format!("Load ({state})"), theme.header)));
    let row = |label: &str, n: u64| Line::from(format!("  {label:<28}{:>12}", group(n)));
    lines.push(row("events (unique)", store.len() as u64));
    lines.push(row("duplicates dropped", r.duplicates));
    lines.push(row("eventID collisions (kept)", r.id_collisions));
    lines.push(row("files read", r.files));
    lines.push(row("files failed", r.files_failed));
    lines.push(row("files skipped (time window)", r.files_skipped));
    lines.push(row("digest files", r.digests));
    lines.push(row("events without a valid time", r.untimed));
    lines.push(row("partial events (CSV, text)", r.partial));
    lines.push(row("records salvaged", r.salvaged));
    lines.push(Line::default());
    if r.problems.is_empty() {
        lines.push(Line::from(Span::styled("No problems.", theme.dim)));
    } else {
        lines.push(Line::from(Span::styled(format!("Problems ({})", r.problems.len()), theme.header)));
        for p in &r.problems {
            lines.push(Line::from(Span::styled(format!("  {}", problem_line(p)), theme.error_row)));
        }
    }
    if !app.notices.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("Notices", theme.header)));
        for n in &app.notices {
            lines.push(Line::from(format!("  {}", sanitize(n))));
        }
    }
    lines
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let lines = report_lines(app, theme);
    let r = overlay_area(frame, area, 110, lines.len() as u16 + 2);
    if let Overlay::Report { scroll } = &mut app.overlay {
        *scroll = (*scroll).min(lines.len().saturating_sub(1));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused)
            .title(" Load report · j/k scroll · any other key closes ");
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((*scroll as u16, 0)),
            r,
        );
    }
}
