//! Line-oriented inputs that are not one JSON document: the console Event-history CSV,
//! CloudWatch Logs export lines (`<timestamp> <json>`), and the space-delimited lines of
//! seed 004 (`<eventID> <eventName> <eventSource> <region> <ip> User-Agent=…`).
//!
//! Detection is strict (the first non-empty line must match the format exactly) so that
//! README files, notes and other text are reported as not CloudTrail instead of being
//! read as events.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::value::RawValue;

use super::discover::{Discovery, RawBytes};
use super::report::{DecodeProblem, ProblemKind};
use crate::model::event::{EventFields, IdentityFields};
use crate::model::time::parse_event_time;

/// Lines listed individually in the report before the rest are summarised.
const MAX_LISTED_BAD_LINES: usize = 20;

/// Decodes `buf` as one of the text formats. Returns false when it is none of them.
pub fn decode_text(d: &mut Discovery<'_, '_>) -> bool {
    let buf = d.buf;
    let Some(first) = lines(buf).find(|(_, l)| !l.trim_ascii().is_empty()) else { return false };
    let first_line = String::from_utf8_lossy(first.1);
    if is_csv_header(&first_line) {
        decode_csv(d);
        true
    } else if parse_space_line(first.1).is_some() {
        decode_lines(d, "a space-delimited CloudTrail line", |d, start, line| {
            let f = parse_space_line(line)?;
            d.push_event(RawBytes::Span { start, len: line.len() }, f, true);
            Some(())
        });
        true
    } else if cloudwatch_json_part(first.1).is_some() {
        decode_lines(d, "a `<timestamp> <json>` CloudWatch Logs export line", |d, start, line| {
            let json = cloudwatch_json_part(line)?;
            let offset = start + (json.as_ptr() as usize - line.as_ptr() as usize);
            let raw: &RawValue = serde_json::from_slice(&d.buf[offset..offset + json.len()]).ok()?;
            d.value(raw, 0);
            Some(())
        });
        true
    } else {
        false
    }
}

/// `(byte offset, line without its line ending)` for each line of `buf`.
fn lines(buf: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= buf.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |p| pos + p);
        pos = end + 1;
        let mut line = &buf[start..end];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        Some((start, line))
    })
}

/// Runs `parse` on every non-empty line; lines it rejects are reported by number.
fn decode_lines<'a>(
    d: &mut Discovery<'a, '_>,
    what: &str,
    mut parse: impl FnMut(&mut Discovery<'a, '_>, usize, &'a [u8]) -> Option<()>,
) {
    let buf: &'a [u8] = d.buf;
    let mut bad = Vec::new();
    for (n, (start, line)) in lines(buf).enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        if parse(d, start, line).is_none() {
            bad.push(n + 1);
        }
    }
    report_bad_lines(d, &bad, what);
}

fn report_bad_lines(d: &mut Discovery<'_, '_>, bad: &[usize], what: &str) {
    for &n in bad.iter().take(MAX_LISTED_BAD_LINES) {
        d.out.problems.push(DecodeProblem::new(
            ProblemKind::BadLine,
            format!("line is not {what}; skipped"),
            Some(format!("line {n}")),
        ));
    }
    if bad.len() > MAX_LISTED_BAD_LINES {
        d.out.problems.push(DecodeProblem::new(
            ProblemKind::BadLine,
            format!("{} more lines are not {what}; skipped", bad.len() - MAX_LISTED_BAD_LINES),
            None,
        ));
    }
}

// ---- CloudWatch Logs export: `<timestamp> <json>` ----

/// The JSON part of `2024-03-01T10:00:00.000Z {…}` (or an epoch-milliseconds prefix).
fn cloudwatch_json_part(line: &[u8]) -> Option<&[u8]> {
    let space = memchr::memchr(b' ', line)?;
    let stamp = std::str::from_utf8(&line[..space]).ok()?;
    let is_epoch = stamp.len() >= 10 && stamp.bytes().all(|b| b.is_ascii_digit());
    if !is_epoch && parse_event_time(stamp).is_none() {
        return None;
    }
    let json = line[space + 1..].trim_ascii();
    json.starts_with(b"{").then_some(json)
}

// ---- seed 004: space-delimited lines ----

fn parse_space_line(line: &[u8]) -> Option<EventFields<'_>> {
    let text = std::str::from_utf8(line).ok()?.trim();
    let (head, agent) = text.split_once(" User-Agent=")?;
    let tokens: Vec<&str> = head.split(' ').collect();
    let [id, name, source, region, ip] = tokens[..] else { return None };
    let id_ok =
        id.len() == 36
            && id.bytes().enumerate().all(|(i, b)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            });
    let name_ok =
        !name.is_empty() && name.as_bytes()[0].is_ascii_uppercase() && name.bytes().all(|b| b.is_ascii_alphanumeric());
    let source_ok = source.ends_with(".amazonaws.com")
        && source.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let region_ok = is_region(region);
    let ip_ok = ip.parse::<IpAddr>().is_ok() || source_ok && ip.ends_with(".amazonaws.com");
    if !(id_ok && name_ok && source_ok && region_ok && ip_ok) {
        return None;
    }
    Some(EventFields {
        event_id: Some(id.into()),
        event_name: Some(name.into()),
        event_source: Some(source.into()),
        aws_region: Some(region.into()),
        source_ip: Some(ip.into()),
        user_agent: Some(agent.trim().into()),
        ..Default::default()
    })
}

/// `us-east-1`, `us-gov-west-1`, `ap-southeast-2`, `eu-central-1`, `cn-north-1`, …
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

// ---- console Event-history CSV ----

const CSV_COLUMNS: [&str; 16] = [
    "user name",
    "aws access key",
    "event time",
    "event source",
    "event name",
    "aws region",
    "source ip address",
    "user agent",
    "error code",
    "resources",
    "request id",
    "event id",
    "read-only",
    "event type",
    "recipient account id",
    "event category",
];

fn is_csv_header(line: &str) -> bool {
    let lower = line.trim_start_matches('\u{feff}').to_ascii_lowercase();
    let cells: Vec<&str> = lower.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let known = cells.iter().filter(|c| CSV_COLUMNS.contains(c)).count();
    known >= 4 && cells.contains(&"event name") && (cells.contains(&"event time") || cells.contains(&"event id"))
}

fn decode_csv(d: &mut Discovery<'_, '_>) {
    let buf = d.buf;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(buf);
    let columns: Vec<Option<usize>> = match rdr.headers() {
        Ok(h) => {
            let names: Vec<String> =
                h.iter().map(|c| c.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
            CSV_COLUMNS.iter().map(|want| names.iter().position(|n| n == want)).collect()
        }
        Err(e) => {
            d.out.problems.push(DecodeProblem::new(
                ProblemKind::BadLine,
                format!("unreadable CSV header: {e}"),
                Some("line 1".into()),
            ));
            return;
        }
    };
    let mut bad = Vec::new();
    // Rows kept; with no bad rows either, the file is an empty (header-only) download.
    let mut rows = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        let start = rdr.position().byte() as usize;
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let end = (rdr.position().byte() as usize).min(buf.len());
                let mut raw = &buf[start..end];
                while let Some((&last, rest)) = raw.split_last() {
                    if last == b'\n' || last == b'\r' {
                        raw = rest;
                    } else {
                        break;
                    }
                }
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let cell = |i: usize| -> Option<Cow<'static, str>> {
                    let v = record.get(columns[i]?)?.trim();
                    (!v.is_empty()).then(|| Cow::Owned(v.to_owned()))
                };
                let fields = EventFields {
                    identity: Some(Box::new(IdentityFields {
                        user_name: cell(0),
                        access_key_id: cell(1),
                        ..Default::default()
                    })),
                    event_time: cell(2),
                    event_source: cell(3),
                    event_name: cell(4),
                    aws_region: cell(5),
                    source_ip: cell(6),
                    user_agent: cell(7),
                    error_code: cell(8),
                    resources: cell(9).map(|r| csv_resources(&r)).unwrap_or_default(),
                    request_id: cell(10),
                    event_id: cell(11),
                    read_only: cell(12),
                    event_type: cell(13),
                    recipient_account: cell(14),
                    event_category: cell(15),
                    ..Default::default()
                };
                if fields.event_name.is_none() && fields.event_id.is_none() {
                    bad.push(line as usize);
                    continue;
                }
                d.push_event(RawBytes::Span { start, len: raw.len() }, fields, true);
                rows += 1;
            }
            Err(_) => bad.push(line as usize),
        }
    }
    if rows == 0 && bad.is_empty() {
        d.out.empty_documents += 1;
    }
    report_bad_lines(d, &bad, "a readable Event-history CSV row");
}

/// The console writes `Resources` as a JSON list of `{resourceType, resourceName}`.
fn csv_resources(cell: &str) -> Vec<Cow<'static, str>> {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(cell) else {
        return vec![Cow::Owned(cell.to_owned())];
    };
    let mut out: Vec<Cow<'static, str>> = Vec::new();
    for item in items {
        for key in ["resourceName", "resourceType"] {
            if let Some(v) = item.get(key).and_then(|v| v.as_str()) {
                if !out.iter().any(|o| o == v) {
                    out.push(Cow::Owned(v.to_owned()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_lines_are_detected_strictly() {
        let ok = b"55746930-A87B-4E50-95A7-12B80B6E8700 RunInstances ec2.amazonaws.com us-east-1 1.2.3.4 User-Agent=aws-cli/1.7.28 Python/2.7.9";
        let f = parse_space_line(ok).unwrap();
        assert_eq!(f.event_name.as_deref(), Some("RunInstances"));
        assert_eq!(f.user_agent.as_deref(), Some("aws-cli/1.7.28 Python/2.7.9"));
        for bad in [
            &b"This is a README with some words in it and User-Agent=foo"[..],
            b"55746930-A87B-4E50-95A7-12B80B6E8700 RunInstances ec2.amazonaws.com us-east-1 1.2.3.4",
            b"55746930-A87B-4E50-95A7-12B80B6E870 RunInstances ec2.amazonaws.com us-east-1 1.2.3.4 User-Agent=x",
            b"55746930-A87B-4E50-95A7-12B80B6E8700 RunInstances ec2.amazonaws.com useast1 1.2.3.4 User-Agent=x",
        ] {
            assert!(parse_space_line(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn regions() {
        for r in ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-northwest-1"] {
            assert!(is_region(r), "{r}");
        }
        for r in ["us-east", "useast-1", "US-EAST-1", "a-b-1"] {
            assert!(!is_region(r), "{r}");
        }
    }

    #[test]
    fn csv_header_needs_event_columns() {
        assert!(is_csv_header("Event ID,Event name,Event time,Event source,User name"));
        assert!(!is_csv_header("name,time,value"));
    }
}
