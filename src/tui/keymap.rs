//! Keys → actions: the defaults from [`ACTIONS`] with the config's `[keys]` overrides
//! applied. The help overlay is generated from the same table, so it cannot drift from the
//! keys that really work.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Context, ACTIONS};
use crate::config::KeyOverride;

/// A key with its modifiers, normalised so that `G` and `shift-g` are the same binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: KeyEvent) -> Key {
        let mut mods = e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match e.code {
            // The character already carries the case; terminals differ on reporting SHIFT.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses `q`, `G`, `ctrl-c`, `alt-x`, `enter`, `pagedown`, `f1`, `space`, …
    pub fn parse(text: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && (lower.starts_with("ctrl-") || lower.starts_with("ctrl+")) {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && (lower.starts_with("alt-") || lower.starts_with("alt+")) {
                mods |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && (lower.starts_with("shift-") || lower.starts_with("shift+")) {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "insert" => KeyCode::Insert,
                f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok().filter(|n| (1..=24).contains(n))?),
                _ => return None,
            },
        };
        // `shift-g` means `G`.
        let code = match code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) && !mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_uppercase())
            }
            other => other,
        };
        Some(Key::from_event(KeyEvent::new(code, mods)))
    }

    /// The key as the help screen writes it (and as the config accepts it).
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            s.push_str("shift-");
        }
        match self.code {
            KeyCode::Char(' ') => s.push_str("space"),
            KeyCode::Char(c) => s.push(c),
            KeyCode::F(n) => s.push_str(&format!("f{n}")),
            KeyCode::Enter => s.push_str("enter"),
            KeyCode::Esc => s.push_str("esc"),
            KeyCode::Tab => s.push_str("tab"),
            KeyCode::BackTab => s.push_str("shift-tab"),
            KeyCode::Backspace => s.push_str("backspace"),
            KeyCode::Delete => s.push_str("delete"),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::PageUp => s.push_str("pageup"),
            KeyCode::PageDown => s.push_str("pagedown"),
            KeyCode::Home => s.push_str("home"),
            KeyCode::End => s.push_str("end"),
            KeyCode::Insert => s.push_str("insert"),
            other => s.push_str(&format!("{other:?}").to_lowercase()),
        }
        s
    }
}

/// The bindings in effect.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// (context, key, action), defaults first replaced by overrides.
    bindings: Vec<(Context, Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&[]).0
    }
}

impl Keymap {
    /// The defaults with `overrides` applied; unknown action or key names become problems
    /// (with the config location) and are skipped.
    pub fn new(overrides: &[KeyOverride]) -> (Keymap, Vec<String>) {
        let mut problems = Vec::new();
        let mut keys_of: Vec<(Action, Context, Vec<Key>)> = ACTIONS
            .iter()
            .map(|i| (i.action, i.context, i.keys.iter().map(|k| Key::parse(k).expect("default keys parse")).collect()))
            .collect();
        for o in overrides {
            let Some(action) = Action::by_name(&o.action) else {
                problems.push(format!("{}: unknown action {:?} in [keys]; ignored", o.location, o.action));
                continue;
            };
            let mut keys = Vec::new();
            for k in &o.keys {
                match Key::parse(k) {
                    Some(key) => keys.push(key),
                    None => problems.push(format!("{}: unknown key {k:?} for {}; ignored", o.location, o.action)),
                }
            }
            if let Some(entry) = keys_of.iter_mut().find(|(a, _, _)| *a == action) {
                entry.2 = keys;
            }
        }
        let bindings = keys_of.into_iter().flat_map(|(a, c, keys)| keys.into_iter().map(move |k| (c, k, a))).collect();
        (Keymap { bindings }, problems)
    }

    /// The action for `key` when `focus` has the focus: a binding of that pane wins over a
    /// global one.
    pub fn lookup(&self, focus: Context, key: Key) -> Option<Action> {
        let find = |ctx: Context| self.bindings.iter().find(|(c, k, _)| *c == ctx && *k == key).map(|(_, _, a)| *a);
        find(focus).or_else(|| find(Context::Global))
    }

    /// The keys bound to `action`, as the help shows them.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.bindings.iter().filter(|(_, _, a)| *a == action).map(|(_, k, _)| *k).collect()
    }

    /// `k, ↑`: the labels of `action`'s keys, or `(unbound)`.
    pub fn label_for(&self, action: Action) -> String {
        let keys = self.keys_for(action);
        if keys.is_empty() {
            return "(unbound)".to_string();
        }
        keys.iter().map(Key::label).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_keys() {
        assert_eq!(Key::parse("G"), Key::parse("shift-g"));
        assert_eq!(Key::parse("ctrl-C"), Key::parse("ctrl-c"));
        let shifted = Key::from_event(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(Some(shifted), Key::parse("G"));
        assert_eq!(Key::parse("pagedown").unwrap().code, KeyCode::PageDown);
        assert_eq!(Key::parse("f12").unwrap().code, KeyCode::F(12));
        assert_eq!(Key::parse("f99"), None);
        assert_eq!(Key::parse("hyper-x"), None);
        assert_eq!(Key::parse("ctrl-r").unwrap().label(), "ctrl-r");
    }

    #[test]
    fn every_default_key_parses_and_no_key_is_bound_twice_in_one_context() {
        let map = Keymap::default();
        for (i, (c, k, a)) in map.bindings.iter().enumerate() {
            for (c2, k2, a2) in &map.bindings[i + 1..] {
                assert!(!(c == c2 && k == k2), "{} bound to {a:?} and {a2:?} in {c:?}", k.label());
            }
        }
    }

    #[test]
    fn pane_binding_wins_and_overrides_replace_defaults() {
        let map = Keymap::default();
        let enter = Key::parse("enter").unwrap();
        assert_eq!(map.lookup(Context::Detail, enter), Some(Action::AddFilter));
        assert_eq!(map.lookup(Context::Timeline, enter), Some(Action::Open));
        let o = |a: &str, k: &[&str]| KeyOverride {
            action: a.into(),
            keys: k.iter().map(|s| s.to_string()).collect(),
            location: "c.toml line 1, column 1".into(),
        };
        let (map, problems) = Keymap::new(&[o("quit", &["x"]), o("fly", &["v"]), o("search", &["s", "meta-q"])]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unknown action \"fly\""));
        assert_eq!(map.lookup(Context::Timeline, Key::parse("x").unwrap()), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Timeline, Key::parse("q").unwrap()), None);
        assert_eq!(map.lookup(Context::Timeline, Key::parse("s").unwrap()), Some(Action::Search));
        assert_eq!(map.label_for(Action::Quit), "x");
    }
}
