//! The user's settings: `config.toml` in the platform config directory (via `directories`,
//! e.g. `~/.config/trailscope/config.toml` on Linux) or the file given with `--config`.
//! Key names stay strings here — the TUI's keymap resolves them — so this module has no
//! terminal dependency. A broken file never stops the program: every problem becomes a
//! message with the file, line and column, and the defaults are used for what was wrong.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::view::clock::DisplayZone;

/// Colour themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    /// No colours, only bold/reverse/underline (for monochrome terminals and screenshots
    /// that must survive printing).
    Mono,
}

/// The settings in effect.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub time_zone: DisplayZone,
    pub theme: ThemeName,
    /// Filter applied when the explorer opens (still editable, undoable).
    pub default_filter: Option<String>,
    /// Key overrides: action name → key names (`"q"`, `"ctrl-c"`, `"pagedown"`, …), in the
    /// file's order. Each entry replaces the action's default keys.
    pub keys: Vec<KeyOverride>,
    /// Where the settings came from, for the help screen.
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    pub action: String,
    pub keys: Vec<String>,
    /// `file line L, column C` of the entry, for messages about unknown names.
    pub location: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    time_zone: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    default_filter: Option<String>,
    #[serde(default)]
    keys: std::collections::BTreeMap<String, Spanned<toml::Value>>,
}

/// The default config file location (which need not exist).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trailscope").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the settings: from `explicit` when given (a missing file is then a problem), else
/// from [`default_path`] when it exists. Returns the settings and the problems found.
pub fn load(explicit: Option<&Path>) -> (Config, Vec<String>) {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.exists() => p,
            _ => return (Config::default(), Vec::new()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let (mut config, problems) = parse(&text, &path.display().to_string());
            config.source = Some(path);
            (config, problems)
        }
        Err(e) => (Config::default(), vec![format!("cannot read config {}: {e}; using the defaults", path.display())]),
    }
}

/// Parses a config file's text; `name` is used in messages.
pub fn parse(text: &str, name: &str) -> (Config, Vec<String>) {
    let mut problems = Vec::new();
    let mut config = Config::default();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let at = e.span().map(|s| location(text, name, s)).unwrap_or_else(|| name.to_string());
            problems.push(format!("{at}: {}; using the defaults", e.message().trim()));
            return (config, problems);
        }
    };
    if let Some(tz) = raw.time_zone {
        match DisplayZone::from_name(tz.get_ref()) {
            Some(z) => config.time_zone = z,
            None => problems.push(format!(
                "{}: time_zone must be \"utc\" or \"local\", not {:?}; using UTC",
                location(text, name, tz.span()),
                tz.get_ref()
            )),
        }
    }
    if let Some(theme) = raw.theme {
        match theme.get_ref().to_ascii_lowercase().as_str() {
            "dark" => config.theme = ThemeName::Dark,
            "light" => config.theme = ThemeName::Light,
            "mono" => config.theme = ThemeName::Mono,
            other => problems.push(format!(
                "{}: theme must be \"dark\", \"light\" or \"mono\", not {other:?}; using dark",
                location(text, name, theme.span())
            )),
        }
    }
    config.default_filter = raw.default_filter.filter(|f| !f.trim().is_empty());
    for (action, value) in raw.keys {
        let here = location(text, name, value.span());
        let keys = match value.into_inner() {
            toml::Value::String(s) => vec![s],
            toml::Value::Array(items) => {
                let strings: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
                if strings.len() != items.len() {
                    problems.push(format!("{here}: keys.{action} must list key names as strings; ignored"));
                    continue;
                }
                strings
            }
            _ => {
                problems.push(format!("{here}: keys.{action} must be a key name or a list of them; ignored"));
                continue;
            }
        };
        config.keys.push(KeyOverride { action, keys, location: here });
    }
    (config, problems)
}

/// `name line L, column C` of a byte span's start (1-based, columns in characters).
fn location(text: &str, name: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{name} line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting() {
        let text = "time_zone = \"local\"\ntheme = \"mono\"\ndefault_filter = \"-readOnly:true\"\n[keys]\nquit = [\"x\", \"ctrl-q\"]\nsearch = \"s\"\n";
        let (c, problems) = parse(text, "c.toml");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.time_zone, DisplayZone::Local);
        assert_eq!(c.theme, ThemeName::Mono);
        assert_eq!(c.default_filter.as_deref(), Some("-readOnly:true"));
        let keys: Vec<(&str, Vec<&str>)> =
            c.keys.iter().map(|k| (k.action.as_str(), k.keys.iter().map(String::as_str).collect())).collect();
        assert!(keys.contains(&("quit", vec!["x", "ctrl-q"])));
        assert!(keys.contains(&("search", vec!["s"])));
    }

    #[test]
    fn syntax_error_names_the_line_and_keeps_defaults() {
        let (c, problems) = parse("theme = \"dark\"\ntime_zone = = 3\n", "c.toml");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("c.toml line 2, column"), "{}", problems[0]);
        assert_eq!(c.time_zone, DisplayZone::Utc);
    }

    #[test]
    fn bad_values_are_reported_where_they_are_and_the_rest_applies() {
        let (c, problems) = parse("theme = \"plaid\"\ntime_zone = \"local\"\n[keys]\nquit = 3\n", "c.toml");
        assert_eq!(c.time_zone, DisplayZone::Local);
        assert_eq!(c.theme, ThemeName::Dark);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("c.toml line 1, column 9:"), "{}", problems[0]);
        assert!(problems[1].contains("line 4") && problems[1].contains("keys.quit"), "{}", problems[1]);
    }

    #[test]
    fn unknown_setting_is_an_error_with_its_line() {
        let (_, problems) = parse("\n\ncolour = 1\n", "c.toml");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("c.toml line 3, column 1:"), "{}", problems[0]);
        assert!(problems[0].contains("colour"), "{}", problems[0]);
    }
}
