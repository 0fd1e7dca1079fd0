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
    match at(v, pointer)? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(Cow::Borrowed),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// A flag at `pointer`: `true`/`"true"`/`"yes"` and their opposites, any case.
pub fn flag(v: &Value, pointer: &str) -> Option<bool> {
    let t = text(v, pointer)?;
    let is = |word: &str| t.eq_ignore_ascii_case(word);
    if is("true") || is("yes") {
        Some(true)
    } else if is("false") || is("no") {
        Some(false)
    } else {
        None
    }
}

/// `v.pointer(pointer)` without the copy of every token it makes to undo `~` escapes
/// (which no pointer here has): the load reads a pointer or two of every event with an
/// ingest-time plan, and those copies were most of the reading.
fn at<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() || pointer.contains('~') {
        return v.pointer(pointer);
    }
    pointer.strip_prefix('/')?.split('/').try_fold(v, |target, token| match target {
        Value::Object(map) => map.get(token),
        // Array indices as RFC 6901 (and serde_json) read them: no sign, no leading zero.
        Value::Array(list) if !token.starts_with('+') && (token == "0" || !token.starts_with('0')) => {
            list.get(token.parse::<usize>().ok()?)
        }
        _ => None,
    })
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

    #[test]
    fn pointers_are_read_as_serde_json_reads_them() {
        let v: Value = serde_json::json!({"a": {"b": [10, {"c": 1}], "": {"": 2}, "x/y": 3, "m~n": 4}, "": 5});
        let pointers = [
            "",
            "/",
            "//",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/-1",
            "/a/b/2",
            "/a/b/x",
            "/a/",
            "/a//",
            "/a/x~1y",
            "/a/m~0n",
            "/a/x/y",
            "a",
            "/zz",
            "/a/b/1/c/d",
            "/a/b/18446744073709551616",
        ];
        for p in pointers {
            assert_eq!(at(&v, p), v.pointer(p), "{p:?}");
        }
    }
}
