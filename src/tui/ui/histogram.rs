//! The histogram strip: event counts over time for the selection, two rows of eighth-block
//! bars, the cursor's bucket marked, and the time axis below.

use crate::store::read_store;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::Theme;

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

fn span_label(ms: i64) -> String {
    match ms {
        m if m % 86_400_000 == 0 => format!("{}d", m / 86_400_000),
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 => format!("{}m", m / 60_000),
        m => format!("{}s", m / 1000),
    }
}

pub fn draw(frame: &mut Frame, app: &mut App, theme: &Theme, area: Rect) {
    if area.height < 3 || area.width < 10 {
        return;
    }
    let width = area.width as usize;
    app.ensure_histogram(width);
    let h = &app.histogram;
    if h.counts.is_empty() {
        let msg = if app.selection.is_empty() { "" } else { "no timed events in the selection" };
        frame.render_widget(Line::from(Span::styled(msg, theme.dim)), Rect { height: 1, ..area });
        return;
    }
    let cursor_bucket = {
        let store = read_store(&app.store);
        app.selection.get(app.cursor).and_then(|&e| store.time(e)).and_then(|t| h.bucket_of(t))
    };
    let max = h.counts.iter().copied().max().unwrap_or(1).max(1) as u64;
    let n = h.counts.len();
    let cols_per = (width / n).max(1);
    let buf: &mut Buffer = frame.buffer_mut();
    for (b, &count) in h.counts.iter().enumerate() {
        // 16 levels over two rows; any non-zero bucket shows at least one eighth.
        let level = if count == 0 { 0 } else { ((count as u64 * 16).div_ceil(max)).max(1) as usize };
        let (top, bottom) = (level.saturating_sub(8), level.min(8));
        let style = if Some(b) == cursor_bucket { theme.bar_cursor } else { theme.bar };
        for c in 0..cols_per {
            let x = area.x + (b * cols_per + c) as u16;
            if x >= area.x + area.width {
                break;
            }
            buf[(x, area.y)].set_char(LEVELS[top]).set_style(style);
            buf[(x, area.y + 1)].set_char(LEVELS[bottom]).set_style(style);
        }
    }
    let (from, _) = h.bounds(0);
    let (_, to) = h.bounds(n - 1);
    let left = app.zone.format(Some(from));
    let right = app.zone.format(Some(to));
    let mid = match cursor_bucket {
        Some(b) => {
            let (a, _) = h.bounds(b);
            {
                let n = h.counts[b];
                format!(
                    "▲ {} · {n} event{} · bar = {}",
                    app.zone.format(Some(a)),
                    if n == 1 { "" } else { "s" },
                    span_label(h.span)
                )
            }
        }
        None => format!("bar = {}", span_label(h.span)),
    };
    let pad = width.saturating_sub(left.chars().count() + right.chars().count() + mid.chars().count());
    let axis = Line::from(vec![
        Span::styled(left, theme.dim),
        Span::raw(" ".repeat(pad / 2)),
        Span::styled(mid, theme.bar_cursor),
        Span::raw(" ".repeat(pad - pad / 2)),
        Span::styled(right, theme.dim),
    ]);
    frame.render_widget(axis, Rect { y: area.y + 2, height: 1, ..area });
}
