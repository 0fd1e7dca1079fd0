//! Displayed times: UTC or the local zone (the explorer's `z` toggle and the config's
//! default). Stored times are always UTC milliseconds; only display changes.

use chrono::{DateTime, Local, Utc};

use crate::model::time::UNTIMED;

/// The zone times are displayed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisplayZone {
    #[default]
    Utc,
    Local,
}

impl DisplayZone {
    pub fn toggled(self) -> Self {
        match self {
            DisplayZone::Utc => DisplayZone::Local,
            DisplayZone::Local => DisplayZone::Utc,
        }
    }

    /// `utc` / `local` (the config file's spelling).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "utc" | "z" => Some(DisplayZone::Utc),
            "local" => Some(DisplayZone::Local),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DisplayZone::Utc => "UTC",
            DisplayZone::Local => "local",
        }
    }

    /// `YYYY-MM-DD HH:MM:SS`, or `(no time)` for untimed events.
    pub fn format(self, ms: Option<i64>) -> String {
        self.format_with(ms, "%Y-%m-%d %H:%M:%S")
    }

    /// `YYYY-MM-DD HH:MM:SS.mmm ±zone` for the detail pane.
    pub fn format_precise(self, ms: Option<i64>) -> String {
        self.format_with(ms, "%Y-%m-%d %H:%M:%S%.3f %:z")
    }

    fn format_with(self, ms: Option<i64>, pattern: &str) -> String {
        let Some(dt) = ms.filter(|&m| m != UNTIMED).and_then(DateTime::<Utc>::from_timestamp_millis) else {
            return "(no time)".to_string();
        };
        match self {
            DisplayZone::Utc => dt.format(pattern).to_string(),
            DisplayZone::Local => dt.with_timezone(&Local).format(pattern).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_and_untimed_says_so() {
        // 2024-03-01T10:00:00.250Z
        let ms = 1_709_287_200_250;
        assert_eq!(DisplayZone::Utc.format(Some(ms)), "2024-03-01 10:00:00");
        assert_eq!(DisplayZone::Utc.format_precise(Some(ms)), "2024-03-01 10:00:00.250 +00:00");
        assert_eq!(DisplayZone::Utc.format(None), "(no time)");
        assert_eq!(DisplayZone::Utc.format(Some(UNTIMED)), "(no time)");
        assert_eq!(DisplayZone::from_name(" Local "), Some(DisplayZone::Local));
        assert_eq!(DisplayZone::from_name("mars"), None);
        assert_eq!(DisplayZone::Utc.toggled(), DisplayZone::Local);
    }
}
