//! The export dialog: format, path, overwrite confirmation, progress and the result.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::overlay_area;
use super::text::group;
use crate::sanitize::sanitize;
use crate::tui::app::{App, Overlay};
use crate::tui::export_job::{ExportStage, FORMATS};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let Overlay::Export(d) = &app.overlay else { return };
    let r = overlay_area(frame, area, 80, 9);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(format!(" Export {} events ", group(d.total)));
    let inner = block.inner(r);
    let mut formats = vec![Span::styled("Format  ", theme.label)];
    for f in FORMATS {
        let style = if f == d.format { theme.chip } else { theme.dim };
        formats.push(Span::styled(format!(" {} ", f.name()), style));
        formats.push(Span::raw(" "));
    }
    formats.push(Span::styled(" (tab)", theme.dim));
    let path = sanitize(d.path.text()).into_owned();
    let mut lines = vec![
        Line::from(formats),
        Line::from(vec![Span::styled("Path    ", theme.label), Span::raw(path.clone())]),
        Line::default(),
    ];
    let mut cursor = None;
    match &d.stage {
        ExportStage::Editing => {
            lines.push(Line::from(Span::styled(
                "enter: export · esc: cancel · a name ending in .gz is compressed",
                theme.dim,
            )));
            let before: String = d.path.text().chars().take(d.path.cursor()).collect();
            let col = 8 + sanitize(&before).chars().count() as u16;
            cursor = Some(Position::new(inner.x + col.min(inner.width.saturating_sub(1)), inner.y + 1));
        }
        ExportStage::ConfirmOverwrite => lines.push(Line::from(Span::styled(
            format!("{path} exists. Replace it? y: replace · any other key: back"),
            theme.status_error,
        ))),
        ExportStage::Running(job) => {
            let total = d.total.max(1);
            let filled = ((job.written * 30) / total).min(30) as usize;
            lines.push(Line::from(vec![
                Span::styled(format!("▕{}{}▏ ", "█".repeat(filled), "░".repeat(30 - filled)), theme.bar),
                Span::raw(format!("{} / {} events · esc: cancel", group(job.written), group(d.total))),
            ]));
        }
        ExportStage::Done(Ok(msg)) => {
            lines.push(Line::from(Span::styled(msg.clone(), theme.text)));
            lines.push(Line::from(Span::styled("any key: close", theme.dim)));
        }
        ExportStage::Done(Err(msg)) => {
            lines.push(Line::from(Span::styled(msg.clone(), theme.status_error)));
            lines.push(Line::from(Span::styled(
                "nothing was written under the target name · any key: close",
                theme.dim,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    if let Some(c) = cursor {
        frame.set_cursor_position(c);
    }
}
