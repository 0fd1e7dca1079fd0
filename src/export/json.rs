//! The JSON exports: `{"Records":[…]}` and JSON Lines, carrying each event's original
//! bytes. Two cases cannot be byte-for-byte: a pretty-printed event must lose its line
//! breaks to fit on one JSON Lines line (whitespace outside strings is removed, nothing
//! else changes), and a partial event read from CSV or space-delimited text becomes a JSON
//! object of exactly the fields its source had, marked `"trailscopePartial": true`.

use std::io::{self, Write};

use serde_json::{Map, Value};

use super::fetch::for_each_raw;
use crate::model::time::format_utc;
use crate::store::{flags, Facet, Store};

/// Writes `chunk` (in order) as Records members; `written` counts events across chunks
/// and decides the separator.
pub fn write_records_chunk(store: &Store, chunk: &[u32], written: &mut u64, out: &mut dyn Write) -> io::Result<()> {
    for_each_raw(store, chunk, |e, raw| {
        out.write_all(if *written > 0 { b",\n" } else { b"\n" })?;
        write_event(store, e, raw, out, false)?;
        *written += 1;
        Ok(())
    })
}

/// Writes `chunk` (in order) as JSON Lines.
pub fn write_ndjson_chunk(store: &Store, chunk: &[u32], written: &mut u64, out: &mut dyn Write) -> io::Result<()> {
    for_each_raw(store, chunk, |e, raw| {
        write_event(store, e, raw, out, true)?;
        out.write_all(b"\n")?;
        *written += 1;
        Ok(())
    })
}

fn write_event(store: &Store, e: u32, raw: &[u8], out: &mut dyn Write, one_line: bool) -> io::Result<()> {
    if store.flags(e) & flags::PARTIAL != 0 {
        return serde_json::to_writer(&mut *out, &partial_event_json(store, e)).map_err(io::Error::other);
    }
    let raw = raw.trim_ascii();
    if one_line && raw.iter().any(|&b| b == b'\n' || b == b'\r') {
        out.write_all(&minify(raw))
    } else {
        out.write_all(raw)
    }
}

/// Removes whitespace outside JSON strings; every other byte is kept as it was.
pub fn minify(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    out
}

/// A partial event as JSON: the CloudTrail fields its source had, and no others.
pub fn partial_event_json(store: &Store, e: u32) -> Value {
    let mut m = Map::new();
    let mut put = |key: &str, facet: Facet| {
        if let Some(v) = store.value(e, facet) {
            m.insert(key.to_owned(), Value::String(v.to_owned()));
        }
    };
    put("eventName", Facet::EventName);
    put("eventSource", Facet::EventSource);
    put("awsRegion", Facet::Region);
    put("sourceIPAddress", Facet::SourceIp);
    put("userAgent", Facet::UserAgent);
    put("errorCode", Facet::ErrorCode);
    put("eventType", Facet::EventType);
    put("eventCategory", Facet::EventCategory);
    put("recipientAccountId", Facet::RecipientAccount);
    if let Some(t) = store.time(e).and_then(format_utc) {
        m.insert("eventTime".into(), Value::String(t));
    }
    if let Some(id) = store.event_id(e) {
        m.insert("eventID".into(), Value::String(id.to_owned()));
    }
    if let Some(id) = store.request_id(e) {
        m.insert("requestID".into(), Value::String(id.to_owned()));
    }
    if let Some(ro) = store.value(e, Facet::ReadOnly) {
        m.insert("readOnly".into(), Value::Bool(ro == "true"));
    }
    let mut identity = Map::new();
    for (key, facet) in [("userName", Facet::UserName), ("accessKeyId", Facet::AccessKey)] {
        if let Some(v) = store.value(e, facet) {
            identity.insert(key.into(), Value::String(v.to_owned()));
        }
    }
    if !identity.is_empty() {
        m.insert("userIdentity".into(), Value::Object(identity));
    }
    m.insert("trailscopePartial".into(), Value::Bool(true));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::minify;

    #[test]
    fn minify_keeps_strings_intact() {
        let pretty = b"{\n  \"a\": \"x y\\\" \\n z\",\n  \"b\": [1, 2.50]\n}";
        assert_eq!(minify(pretty), b"{\"a\":\"x y\\\" \\n z\",\"b\":[1,2.50]}".to_vec());
    }
}
