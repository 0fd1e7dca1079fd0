//! Time formatting for the shapes CloudTrail uses, from UTC epoch seconds.
//!
//! The generator formats a timestamp for every record (and several per record for
//! session attributes), so this is a small hand-written civil-date conversion rather
//! than a trip through chrono's formatter; chrono only parses `--start`.

/// Length of one CloudTrail delivery window (and of one output file's span).
pub const WINDOW_SECS: i64 = 300;

/// Broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u32,
}

/// Howard Hinnant's days-from-civil inverse: days since 1970-01-01 to (y, m, d).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub fn split(secs: i64) -> Tm {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Tm {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        min: ((rem / 60) % 60) as u32,
        sec: (rem % 60) as u32,
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        weekday: ((days + 3).rem_euclid(7)) as u32,
    }
}

/// `2026-11-02T08:14:03Z`, the eventTime format.
pub fn iso(secs: i64) -> String {
    let t = split(secs);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.min, t.sec)
}

/// `20261102T0805Z`, the timestamp in a trail file name.
pub fn file_stamp(secs: i64) -> String {
    let t = split(secs);
    format!("{:04}{:02}{:02}T{:02}{:02}Z", t.year, t.month, t.day, t.hour, t.min)
}

/// `20261102T003649Z`, the end-time stamp in a digest file name.
pub fn digest_stamp(secs: i64) -> String {
    let t = split(secs);
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year, t.month, t.day, t.hour, t.min, t.sec)
}

/// `2026/11/02`, the date folders of the S3 layout.
pub fn date_path(secs: i64) -> String {
    let t = split(secs);
    format!("{:04}/{:02}/{:02}", t.year, t.month, t.day)
}

/// `Nov 3, 2026, 1:56:12 AM`: how IAM and STS responses render dates in CloudTrail.
pub fn human(secs: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let t = split(secs);
    let (h12, ampm) = match t.hour {
        0 => (12, "AM"),
        1..=11 => (t.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!("{} {}, {}, {}:{:02}:{:02} {}", MONTHS[t.month as usize - 1], t.day, t.year, h12, t.min, t.sec, ampm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2026-11-02T00:00:00Z
        let s = 1_793_577_600;
        assert_eq!(iso(s), "2026-11-02T00:00:00Z");
        assert_eq!(split(s).weekday, 0, "2026-11-02 is a Monday");
        assert_eq!(file_stamp(s + 3600 + 5 * 60), "20261102T0105Z");
        assert_eq!(date_path(s), "2026/11/02");
        assert_eq!(digest_stamp(s + 2209), "20261102T003649Z");
        assert_eq!(human(s + 86_400 + 3600 + 56 * 60 + 12), "Nov 3, 2026, 1:56:12 AM");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00Z");
    }
}
