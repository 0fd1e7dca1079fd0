//! The load report overlay: totals, every file that failed (path, reason, position,
//! salvaged records) and configuration notices.

use crate::store::read_store;
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
    let store = read_store(&app.store);
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
    integrity_lines(app, theme, &mut lines);
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

/// Findings shown in the report; `trailscope verify` lists them all.
const FINDINGS_SHOWN: usize = 50;

fn integrity_lines(app: &App, theme: &Theme, lines: &mut Vec<Line<'static>>) {
    use crate::integrity::{Severity, Verdict};
    use crate::tui::integrity::IntegrityState;
    lines.push(Line::from(Span::styled("Integrity (log files against digest files)", theme.header)));
    let v = match &app.integrity {
        IntegrityState::NotApplicable if app.loading() => {
            lines.push(Line::from(Span::styled(
                "  checked after the load, when digest files are among the inputs",
                theme.dim,
            )));
            return;
        }
        IntegrityState::NotApplicable => {
            lines.push(Line::from(Span::styled(
                "  not checked: no digest files among the inputs (CloudTrail-Digest/…)",
                theme.dim,
            )));
            return;
        }
        IntegrityState::Running(_) => {
            lines.push(Line::from("  checking…"));
            return;
        }
        IntegrityState::Done(v) => v,
    };
    let r = &v.report;
    let c = &r.counts;
    let verdict = match r.verdict {
        Verdict::Intact => "INTACT: everything checked matches its digest",
        Verdict::Problems => "PROBLEMS: modified, missing, broken or unaccounted-for files",
        Verdict::NothingVerified => "NOTHING VERIFIED: no usable digest",
    };
    let style = if r.verdict == Verdict::Intact { theme.text } else { theme.status_error };
    lines.push(Line::from(Span::styled(format!("  {verdict}"), style)));
    let row = |label: &str, n: u64| Line::from(format!("  {label:<28}{:>12}", group(n)));
    lines.push(row("digest files", c.digests));
    lines.push(row("log files listed", c.log_files_listed));
    lines.push(row("  intact", c.log_files_intact));
    lines.push(row("  modified", c.log_files_modified));
    lines.push(row("  missing", c.log_files_missing));
    lines.push(row("  unreadable", c.log_files_unreadable));
    lines.push(row("log files in no digest", c.log_files_unlisted));
    lines.push(row("digest links intact", c.links_intact));
    lines.push(row("digest links broken", c.links_broken));
    lines.push(row("digests missing", c.digests_missing));
    lines.push(Line::from(format!("  signatures: {}", sanitize(&r.checked.signatures_note))));
    if v.failed_file_count() > 0 {
        lines.push(Line::from(Span::styled(
            format!("  events from {} failed files are marked ✗ in the timeline", v.failed_file_count()),
            theme.status_error,
        )));
    }
    for f in r.findings.iter().take(FINDINGS_SHOWN) {
        let style = if f.severity == Severity::Failure { theme.error_row } else { theme.dim };
        lines.push(Line::from(Span::styled(format!("  {}", sanitize(&f.message)), style)));
    }
    if r.findings.len() > FINDINGS_SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … {} more: trailscope verify lists them all", r.findings.len() - FINDINGS_SHOWN),
            theme.dim,
        )));
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let lines = report_lines(app, theme);
    // Lines wrap, so the box takes the whole height; j/k scroll.
    let r = overlay_area(frame, area, 110, area.height);
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
