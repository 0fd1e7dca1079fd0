//! `--since` / `--until` values: ISO 8601 times, or durations back from now.

use crate::model::time::parse_event_time;

/// Parses `2h`, `30m`, `7d`, `1w`, `45s` (ago) or an ISO 8601 time into epoch milliseconds.
pub fn parse_time_arg(text: &str) -> Result<i64, String> {
    parse_time_arg_at(text, chrono::Utc::now().timestamp_millis())
}

pub fn parse_time_arg_at(text: &str, now_ms: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Some(unit) = t.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        let number = &t[..t.len() - 1];
        if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = number.parse().map_err(|_| format!("{t:?}: number too large"))?;
            let unit_ms = match unit {
                's' => 1_000,
                'm' => 60_000,
                'h' => 3_600_000,
                'd' => 86_400_000,
                'w' => 7 * 86_400_000,
                _ => return Err(format!("{t:?}: unknown unit {unit:?} (use s, m, h, d or w)")),
            };
            return n.checked_mul(unit_ms).map(|ago| now_ms - ago).ok_or_else(|| format!("{t:?}: duration too large"));
        }
    }
    parse_event_time(t).ok_or_else(|| {
        format!("{t:?} is not a time: use ISO 8601 (2024-03-01T10:00:00Z, 2024-03-01) or a duration ago (30m, 2h, 7d)")
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
    }
}
