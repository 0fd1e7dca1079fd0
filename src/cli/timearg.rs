//! `--since` / `--until` values: ISO 8601 times, or durations back from now.

use crate::model::time::resolve_time;

/// Parses `2h`, `30m`, `7d`, `1w`, `45s` (ago) or an ISO 8601 time into epoch milliseconds.
pub fn parse_time_arg(text: &str) -> Result<i64, String> {
    parse_time_arg_at(text, chrono::Utc::now().timestamp_millis())
}

pub fn parse_time_arg_at(text: &str, now_ms: i64) -> Result<i64, String> {
    resolve_time(text, now_ms).ok_or_else(|| {
        format!(
            "{:?} is not a time: use ISO 8601 (2024-03-01T10:00:00Z, 2024-03-01) or a duration ago (30m, 2h, 7d)",
            text.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute() {
        let now = 1_000_000_000_000;
        assert_eq!(parse_time_arg_at("2h", now), Ok(now - 7_200_000));
        assert_eq!(parse_time_arg_at("7d", now), Ok(now - 7 * 86_400_000));
        assert_eq!(parse_time_arg_at("1970-01-01T00:00:01Z", now), Ok(1000));
        assert!(parse_time_arg_at("yesterday", now).is_err());
        assert!(parse_time_arg_at("3y", now).is_err());
        assert!(parse_time_arg_at("99999999999999999w", now).is_err(), "overflow is an error, not a panic");
    }
}
