//! The credential chain overlay (`C`): the trace of the selected event — where its key
//! came from, up the chain, and what the keys it minted did — with the lines that name an
//! event selectable (Enter jumps the timeline there).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::{overlay_area, scroll_into_view};
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let Overlay::Chain(view) = &mut app.overlay else { return };
    let r = overlay_area(frame, area, 150, view.lines.len() as u16 + 2);
    let height = r.height.saturating_sub(2) as usize;
    scroll_into_view(&mut view.offset, view.cursor, height);
    let lines: Vec<Line> = view
        .lines
        .iter()
        .enumerate()
        .skip(view.offset)
        .take(height)
        .map(|(i, l)| {
            let style = if l.event.is_some() { theme.text } else { theme.dim };
            let style = if i == view.cursor { style.patch(theme.selected) } else { style };
            let marker = if l.event.is_some() { "→ " } else { "  " };
            Line::from(vec![Span::styled(marker, theme.label), Span::styled(l.text.clone(), style)])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(" Credential chain · j/k move · enter: jump to the event (→) · any other key closes ");
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
