//! The help overlay, generated from the keymap in effect (defaults plus the user's
//! overrides), so it always shows the keys that really work.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::overlay_area;
use crate::tui::action::{Context, ACTIONS};
use crate::tui::app::{App, Overlay};
use crate::tui::theme::Theme;

/// Keys of the prompts (filter, search, export path), which are not remappable.
const PROMPT_KEYS: &[(&str, &str)] = &[
    ("enter", "filter: apply · search: jump to the hit · export: write"),
    ("esc", "cancel (search: clear)"),
    ("↑ ↓ ctrl-p ctrl-n", "search: move through the hits"),
    ("ctrl-t", "search: best match / time order"),
    ("tab", "export: next format (records, ndjson, csv)"),
    ("ctrl-a ctrl-e", "start / end of the line"),
    ("ctrl-u ctrl-k ctrl-w", "delete to start / to end / the word before"),
];

/// The help text as lines (also used by tests).
pub fn help_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for ctx in [Context::Global, Context::Timeline, Context::Detail, Context::Raw] {
        lines.push(Line::from(Span::styled(ctx.title(), theme.header)));
        for info in ACTIONS.iter().filter(|i| i.context == ctx) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22} ", app.keymap.label_for(info.action)), theme.json_key),
                Span::raw(info.help),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled("In prompts", theme.header)));
    for (k, h) in PROMPT_KEYS {
        lines.push(Line::from(vec![Span::styled(format!("  {k:<22} "), theme.json_key), Span::raw(*h)]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Mouse: wheel scrolls the pane under the pointer, click selects. Filter language: docs/filter-language.md",
        theme.dim,
    )));
    let config = match crate::config::default_path() {
        Some(p) => format!("Keys, theme, time zone, default filter: {} (or --config FILE)", p.display()),
        None => "Keys, theme, time zone, default filter: --config FILE".to_string(),
    };
    lines.push(Line::from(Span::styled(crate::sanitize::sanitize(&config).into_owned(), theme.dim)));
    lines
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    let lines = help_lines(app, theme);
    let r = overlay_area(frame, area, 100, lines.len() as u16 + 2);
    let max_scroll = (lines.len() + 2).saturating_sub(r.height as usize);
    if let Overlay::Help { scroll } = &mut app.overlay {
        *scroll = (*scroll).min(max_scroll);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused)
            .title(" Help · j/k scroll · any other key closes ");
        frame.render_widget(Paragraph::new(lines).block(block).scroll((*scroll as u16, 0)), r);
    }
}
