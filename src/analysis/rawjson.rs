//! Reading a few fields out of the original JSON of chosen events. The store indexes what
//! filters need; the analysis needs a handful of deeper fields (`responseElements`,
//! `additionalEventData`, `sessionContext.attributes`, `requestParameters`) for a small
//! subset of events, so it parses just those, inflating each blob once.

use std::borrow::Cow;

use serde_json::Value;

use crate::export::fetch::for_each_raw;
use crate::store::Store;

/// Calls `f(event, json)` for every event of `events` whose bytes parse as a JSON object.
/// Events that are not JSON (CSV rows, space-delimited lines) or cannot be read are
/// skipped: the analysis then reports the fact as unknown, it never guesses.
pub fn parse_each(store: &Store, events: &[u32], mut f: impl FnMut(u32, &Value)) {
    let mut done = 0usize;
    let bulk = for_each_raw(store, events, |e, bytes| {
        if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
            if v.is_object() {
                f(e, &v);
            }
        }
        done += 1;
        Ok(())
    });
    if bulk.is_err() {
        // A blob failed to inflate (it was verified at load, so this means memory trouble
        // or a bug): go on one event at a time from where the bulk read stopped.
        for &e in &events[done.min(events.len())..] {
            if let Ok(bytes) = store.raw_bytes(e) {
                if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                    if v.is_object() {
                        f(e, &v);
                    }
                }
            }
        }
    }
}

/// The JSON of one event, when it is a JSON object.
pub fn parse_one(store: &Store, event: u32) -> Option<Value> {
    let bytes = store.raw_bytes(event).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok().filter(Value::is_object)
}

/// A scalar at `pointer` as text: strings as they are, booleans and numbers written out
/// (exporters disagree on `"true"` versus `true`); absent, null, empty or structured
/// values are `None`.
pub fn text<'v>(v: &'v Value, pointer: &str) -> Option<Cow<'v, str>> {
    match v.pointer(pointer)? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// A flag at `pointer`: `true`/`"true"`/`"yes"` and their opposites, any case.
pub fn flag(v: &Value, pointer: &str) -> Option<bool> {
    let t = text(v, pointer)?;
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_flags_accept_the_spellings_exporters_use() {
        let v: Value = serde_json::json!({"a": {"s": " x ", "b": true, "n": 3, "e": "", "o": {}},
            "m": "No", "t": "TRUE"});
        assert_eq!(text(&v, "/a/s").as_deref(), Some("x"));
        assert_eq!(text(&v, "/a/b").as_deref(), Some("true"));
        assert_eq!(text(&v, "/a/n").as_deref(), Some("3"));
        assert_eq!(text(&v, "/a/e"), None);
        assert_eq!(text(&v, "/a/o"), None);
        assert_eq!(text(&v, "/nope"), None);
        assert_eq!(flag(&v, "/m"), Some(false));
        assert_eq!(flag(&v, "/t"), Some(true));
        assert_eq!(flag(&v, "/a/s"), None);
    }
}
