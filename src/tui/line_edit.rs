//! A one-line text editor for the filter bar, the search prompt and the export path:
//! insert, delete, move by char or word, and the readline keys people type without
//! thinking (ctrl-a/e/u/k/w).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Text and a cursor (a char index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    cursor: usize,
}

impl LineEdit {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_string(), cursor: text.chars().count() }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Cursor position in chars.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, text: &str) {
        *self = Self::new(text);
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text.char_indices().nth(char_index).map_or(self.text.len(), |(b, _)| b)
    }

    pub fn insert_str(&mut self, s: &str) {
        // Pasted text may hold line breaks: a filter or path is one line.
        let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Applies an editing key; false when the key is not an editing key.
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = len,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.truncate(at);
            }
            KeyCode::Char('w') if ctrl => self.delete_word_back(),
            KeyCode::Backspace if ctrl || alt => self.delete_word_back(),
            KeyCode::Char(c) if !ctrl && !alt => self.insert_str(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.text.remove(at);
                self.cursor -= 1;
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left if ctrl || alt => self.cursor = self.word_start_before(),
            KeyCode::Right if ctrl || alt => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut i = self.cursor;
                while i < len && chars[i] == ' ' {
                    i += 1;
                }
                while i < len && chars[i] != ' ' {
                    i += 1;
                }
                self.cursor = i;
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    fn word_start_before(&self) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && chars[i - 1] == ' ' {
            i -= 1;
        }
        while i > 0 && chars[i - 1] != ' ' {
            i -= 1;
        }
        i
    }

    fn delete_word_back(&mut self) {
        let start = self.word_start_before();
        let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn edits_like_readline() {
        let mut e = LineEdit::new("name:Get");
        for c in "Object".chars() {
            e.handle(key(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(e.text(), "name:GetObject");
        e.handle(key(KeyCode::Home, KeyModifiers::NONE));
        e.insert_str("é ");
        assert_eq!((e.text(), e.cursor()), ("é name:GetObject", 2));
        e.handle(key(KeyCode::End, KeyModifiers::NONE));
        e.handle(key(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "é ");
        e.handle(key(KeyCode::Backspace, KeyModifiers::NONE));
        e.handle(key(KeyCode::Left, KeyModifiers::NONE));
        e.handle(key(KeyCode::Delete, KeyModifiers::NONE));
        assert_eq!((e.text(), e.cursor()), ("", 0));
        e.insert_str("a\u{1b}b\nc");
        assert_eq!(e.text(), "a b c");
        assert!(!e.handle(key(KeyCode::Enter, KeyModifiers::NONE)));
    }
}
