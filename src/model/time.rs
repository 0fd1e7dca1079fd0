//! Event time: parsing the many shapes CloudTrail times take in the wild into `i64`
//! milliseconds since the Unix epoch (UTC), and formatting them back.
//!
//! Parsing is hand-written rather than chrono's `parse_from_rfc3339` because it runs once
//! per event on the load hot path and must accept the non-RFC variants real data carries
//! (a space instead of `T`, no zone, nanosecond fractions, `+hhmm` offsets).

use chrono::{DateTime, Utc};

/// Sort key of an event without a usable time: after every real time.
pub const UNTIMED: i64 = i64::MAX;

/// Parses `YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]][Z|z|±HH[:]MM]`, or a bare `YYYY-MM-DD`.
/// A missing zone means UTC (CloudTrail always writes UTC). Returns `None` for anything
/// else, including out-of-range fields, so placeholders such as `"eventTime"` are caught.
pub fn parse_event_time(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date_ms = days_from_civil(year, month, day) * 86_400_000;
    if b.len() == 10 {
        return Some(date_ms);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = digits(b, 14, 2)?;
    let mut pos = 16;
    let mut second = 0;
    if b.get(pos) == Some(&b':') {
        second = digits(b, pos + 1, 2)?;
        pos += 3;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut millis = 0i64;
    if matches!(b.get(pos), Some(b'.' | b',')) {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(b[pos] - b'0');
            }
            pos += 1;
        }
        if pos == start {
            return None;
        }
        for _ in (pos - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match b.get(pos) {
        None => 0,
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, pos + 1, 2)?;
            let om = match b.len() - (pos + 3) {
                0 => 0,
                2 => digits(b, pos + 3, 2)?,
                3 if b[pos + 3] == b':' => digits(b, pos + 4, 2)?,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    let second = second.min(59); // a leap second is folded into :59
    Some(date_ms + (hour * 3_600 + minute * 60 + second) * 1_000 + millis - offset_minutes * 60_000)
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `30m`, `2h`, `7d`, `1w`, `45s`: `Some(Some(ms))`; `Some(None)` when it has the shape of a
/// duration but overflows; `None` when it is not a duration.
pub fn duration_ms(text: &str) -> Option<Option<i64>> {
    let unit = text.chars().last()?;
    let number = &text[..text.len() - unit.len_utf8()];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unit_ms: i64 = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    Some(number.parse::<i64>().ok().and_then(|n| n.checked_mul(unit_ms)))
}

/// A time the user typed: a duration back from `now_ms`, or an ISO time (see
/// [`parse_event_time`]). `None` when it is neither, or out of range.
pub fn resolve_time(text: &str, now_ms: i64) -> Option<i64> {
    let t = text.trim();
    match duration_ms(t) {
        Some(ago) => ago.and_then(|ago| now_ms.checked_sub(ago)),
        None => parse_event_time(t),
    }
}

/// RFC 3339 UTC with second precision (milliseconds when present), or `None` for untimed.
pub fn format_utc(ms: i64) -> Option<String> {
    if ms == UNTIMED {
        return None;
    }
    let dt = DateTime::<Utc>::from_timestamp_millis(ms)?;
    Some(if ms % 1000 == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    })
}

/// The key timestamp of a CloudTrail log file, from its S3 object name
/// `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`: the delivery time.
pub fn trail_file_key_time(file_name: &str) -> Option<i64> {
    let idx = file_name.find("_CloudTrail_")?;
    let rest = &file_name[idx + "_CloudTrail_".len()..];
    let stamp = rest.split('_').nth(1)?;
    let b = stamp.as_bytes();
    if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    let (y, mo, d) = (digits(b, 0, 4)?, digits(b, 4, 2)?, digits(b, 6, 2)?);
    let (h, mi) = (digits(b, 9, 2)?, digits(b, 11, 2)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3_600 + mi * 60) * 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn accepts_cloudtrail_and_messy_variants() {
        let base = chrono_ms("2024-03-01T10:00:00Z");
        assert_eq!(parse_event_time("2024-03-01T10:00:00Z"), Some(base));
        assert_eq!(parse_event_time("2024-03-01 10:00:00"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T10:00:00.123456789Z"), Some(base + 123));
        assert_eq!(parse_event_time("2024-03-01T10:00:00.5Z"), Some(base + 500));
        assert_eq!(parse_event_time("2024-03-01T21:00:00+11:00"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T05:00:00-0500"), Some(base));
        assert_eq!(parse_event_time("2024-03-01T10:00Z"), Some(base));
        assert_eq!(parse_event_time("2024-03-01"), Some(chrono_ms("2024-03-01T00:00:00Z")));
        assert_eq!(parse_event_time("1969-12-31T23:59:59Z"), Some(-1000));
        assert_eq!(parse_event_time("2024-02-29T00:00:00Z"), Some(chrono_ms("2024-02-29T00:00:00Z")));
    }

    #[test]
    fn rejects_placeholders_and_out_of_range() {
        for bad in [
            "eventTime",
            "timestamp",
            "",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-03-01T25:00:00Z",
            "2024-03-01T10:00:00ZZ",
            "2024-03-01X10:00:00Z",
            "ThisIsAWrongEventTime",
            "2024-03-01T10:00:00.Z",
            "2024-03-01T10:00:00+1",
        ] {
            assert_eq!(parse_event_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn key_time_from_trail_file_names() {
        let t = trail_file_key_time("111122223333_CloudTrail_us-east-1_20240301T1005Z_AbCdEfGhIjKlMnOp.json.gz");
        assert_eq!(t, Some(chrono_ms("2024-03-01T10:05:00Z")));
        assert_eq!(trail_file_key_time("notes.json"), None);
        assert_eq!(trail_file_key_time("1_CloudTrail_x_20241301T1005Z_a.json.gz"), None);
    }

    #[test]
    fn formats_utc() {
        assert_eq!(format_utc(chrono_ms("2024-03-01T10:00:00Z")).unwrap(), "2024-03-01T10:00:00Z");
        assert_eq!(format_utc(UNTIMED), None);
    }
}
