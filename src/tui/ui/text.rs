//! Text helpers for the panes: number grouping, truncation by display width, and
//! highlighted spans of a line that may hold unsafe characters.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

use crate::sanitize::{is_unsafe_char, sanitize};

pub use crate::ingest::report::group;

/// Cuts `s` to at most `width` columns, with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Spans of an unsanitised `line` with the chars at `positions` (ascending char indices)
/// in `hit`; unsafe characters become their visible escapes (in `escape` style), so the
/// positions, which count the original chars, stay right.
pub fn highlighted<'a>(line: &str, positions: &[u32], base: Style, hit: Style, escape: Style) -> Vec<Span<'a>> {
    let mut spans: Vec<Span<'a>> = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    let mut p = positions.iter().peekable();
    for (i, c) in line.chars().enumerate() {
        let is_hit = p.peek().is_some_and(|&&x| x as usize == i);
        if is_hit {
            p.next();
        }
        if is_unsafe_char(c) {
            if !run.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run), if run_hit { hit } else { base }));
            }
            let mut buf = [0u8; 4];
            spans.push(Span::styled(sanitize(c.encode_utf8(&mut buf)).into_owned(), escape));
            continue;
        }
        if is_hit != run_hit && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), if run_hit { hit } else { base }));
        }
        run_hit = is_hit;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hit { hit } else { base }));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    #[test]
    fn highlights_survive_escapes() {
        let hit = Style::default().add_modifier(Modifier::BOLD);
        // Positions count the original chars: a=0, ESC=1, [=2, 3=3, 1=4, m=5, b=6.
        let spans = highlighted("a\u{1b}[31mb", &[0, 6], Style::default(), hit, Style::default());
        let text: Vec<(&str, bool)> = spans.iter().map(|s| (s.content.as_ref(), s.style == hit)).collect();
        assert_eq!(text, [("a", true), ("\\u{1b}", false), ("[31m", false), ("b", true)]);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
