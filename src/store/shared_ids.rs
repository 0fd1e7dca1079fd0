//! Events that share an eventID: which of them are copies of one another (whitespace and
//! key order aside) and which are different events that carry the same ID.
//!
//! Nearly every eventID is unique, and the store's eventID index answers for it with one
//! probe; a re-delivered copy has the same bytes, so the raw content hash settles it, and
//! a copy laid out otherwise (a pretty `.json` beside its compact `.json.gz`) costs a scan
//! of both texts (a parse of both if its keys are in another order). Only an ID carried by
//! two different events gets a group here: the raw and canonical content hashes of its
//! events, against which each later event with that ID is judged by two set lookups and at
//! most one parse of its own bytes. Comparing it with each earlier event in turn
//! (decompress, parse both) made a file of n events sharing a placeholder ID (`"eventID":
//! "event ID"` in docs and test data, or a hostile file) cost n²/2 parses under the store
//! lock: 8,000 such events took 237 s to load.

use std::collections::HashSet;

use foldhash::fast::SeedableRandomState;
use rustc_hash::FxHashMap;
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::hash_keys::{FOLDHASH, XXH3_SEED};

/// What an event with an ID that is already in the store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A copy of an event already kept: dropped as a duplicate.
    Copy,
    /// A different event with the same ID: kept, and it and `first` (the first event with
    /// the ID) are flagged.
    Different,
}

/// The groups of events that share an ID, by the first event with the ID.
#[derive(Debug, Default)]
pub struct SharedIds {
    groups: FxHashMap<u32, Group>,
    /// For a first event still alone with its ID, once a copy in another layout came: its
    /// hashes, so further copies need not read it again (each read inflates its blob under
    /// the store lock, and a file can hold any number of copies).
    lone: FxHashMap<u32, Lone>,
}

/// The contents seen under one ID. The sets are keyed ([`FOLDHASH`]): the hashes in them
/// are of bytes a hostile file picks.
#[derive(Debug)]
struct Group {
    /// Raw content hashes of the events judged so far (kept and copies): a copy with the
    /// same bytes needs no parse.
    raw: HashSet<u64, SeedableRandomState>,
    /// Canonical content hashes ([`canonical_hash`]) of the events kept.
    canonical: HashSet<u64, SeedableRandomState>,
}

/// A lone first event's [`layout_hash`] and [`canonical_hash`], each worked out on first
/// need (0: not yet, or its bytes could not be read).
#[derive(Debug, Default, Clone, Copy)]
struct Lone {
    layout: u64,
    canonical: u64,
}

impl SharedIds {
    /// Judges an event with raw content hash `raw` and bytes `bytes` whose ID is already
    /// carried by `first` (raw content hash `first_raw`). `json` says that both are records
    /// read as JSON (not CSV rows or text lines), whose layout may be set aside.
    /// `first_bytes` fetches the first event's bytes (a decompression): it is called only
    /// while `first` is the one event kept with the ID, at most twice for an ID.
    ///
    /// The raw content hash is public (it also orders events), and a copy is dropped on it
    /// alone, as ever: an eventID is AWS's, so two records with one eventID whose bytes
    /// collide can only come from a forged file, which could as well leave an event out.
    pub fn judge<F: FnOnce() -> Option<Vec<u8>>>(
        &mut self,
        first: u32,
        first_raw: u64,
        raw: u64,
        bytes: &[u8],
        json: bool,
        first_bytes: F,
    ) -> Verdict {
        if let Some(group) = self.groups.get_mut(&first) {
            if !group.raw.insert(raw) {
                return Verdict::Copy;
            }
            return if group.canonical.insert(canonical_hash(bytes)) { Verdict::Different } else { Verdict::Copy };
        }
        // The one event kept with this ID so far: a copy with its bytes leaves nothing behind.
        if raw == first_raw {
            return Verdict::Copy;
        }
        let lone = self.lone.entry(first).or_default();
        // The first event's bytes, fetched once if at all.
        let (mut fetch, mut text) = (Some(first_bytes), None);
        // The usual copy in another layout (a pretty `.json` beside its compact `.json.gz`)
        // has the same tokens in the same order: a scan, half the cost of parsing both.
        if json {
            if lone.layout == 0 {
                lone.layout = fetched(&mut fetch, &mut text).and_then(layout_hash).unwrap_or(0);
            }
            if lone.layout != 0 && layout_hash(bytes) == Some(lone.layout) {
                return Verdict::Copy;
            }
        }
        let canonical = canonical_hash(bytes);
        if lone.canonical == 0 {
            lone.canonical = fetched(&mut fetch, &mut text).map(canonical_hash).unwrap_or(0);
        }
        if lone.canonical == canonical {
            return Verdict::Copy;
        }
        let first_canonical = lone.canonical;
        self.lone.remove(&first);
        let mut group =
            Group { raw: HashSet::with_hasher(FOLDHASH.clone()), canonical: HashSet::with_hasher(FOLDHASH.clone()) };
        group.raw.extend([first_raw, raw]);
        // A first event whose bytes cannot be read again matches only by raw hash.
        group.canonical.extend([first_canonical, canonical].into_iter().filter(|&h| h != 0));
        self.groups.insert(first, group);
        Verdict::Different
    }
}

/// The bytes `fetch` gives, fetched on the first call.
fn fetched<'t, F: FnOnce() -> Option<Vec<u8>>>(
    fetch: &mut Option<F>,
    text: &'t mut Option<Vec<u8>>,
) -> Option<&'t [u8]> {
    if let Some(fetch) = fetch.take() {
        *text = fetch();
    }
    text.as_deref()
}

/// A hash of an event's content with whitespace and object key order left out: equal for
/// two JSON texts exactly when their `serde_json::Value`s are equal (`-0.0` and `0.0`
/// included), and for text that is not JSON (CSV rows, space-delimited lines), a hash of
/// its bytes. Either way ASCII whitespace around the text is trimmed first. Seeded per
/// process ([`XXH3_SEED`]): a copy is dropped on this hash alone, so no file may be able
/// to aim at another event's. Never 0.
pub fn canonical_hash(bytes: &[u8]) -> u64 {
    let bytes = bytes.trim_ascii();
    let mut out = Vec::with_capacity(bytes.len());
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => {
            out.push(b'J');
            write_canonical(&value, &mut out);
        }
        Err(_) => {
            out.push(b'T');
            out.extend_from_slice(bytes);
        }
    }
    xxh3_64_with_seed(&out, *XXH3_SEED) | 1
}

/// A hash of a JSON record's text without its layout ([`without_layout`]), seeded as
/// [`canonical_hash`] is; never 0.
fn layout_hash(bytes: &[u8]) -> Option<u64> {
    without_layout(bytes).map(|text| xxh3_64_with_seed(&text, *XXH3_SEED) | 1)
}

/// The text of a JSON object (it starts with `{`) without the whitespace between its
/// tokens. Only for records read as JSON, which are valid JSON: two that are equal this
/// way have the same tokens in the same order, the same value. (A CSV row may start with
/// `{` too, and its spaces are content.)
fn without_layout(bytes: &[u8]) -> Option<Vec<u8>> {
    let bytes = bytes.trim_ascii();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                // A string, copied whole through its closing quote, escapes and all (an
                // unterminated one to the end).
                let start = i;
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[i.min(bytes.len())..]) {
                        Some(k) if bytes[i + k] == b'\\' => i += k + 2,
                        Some(k) => {
                            i += k + 1;
                            break;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    }
                }
                out.extend_from_slice(&bytes[start..i]);
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Writes `value` unambiguously: a tag byte per value, lengths before strings and
/// containers, object members sorted by key (whatever map type serde_json was built with).
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    let text = |s: &str, out: &mut Vec<u8>| {
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    match value {
        Value::Null => out.push(b'z'),
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(b'u');
                out.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                out.push(b'i');
                out.extend_from_slice(&i.to_le_bytes());
            } else {
                // Equal floats, -0.0 and 0.0 among them, get the same bytes.
                let f = n.as_f64().unwrap_or(f64::NAN);
                out.push(b'd');
                out.extend_from_slice(&(if f == 0.0 { 0.0f64 } else { f }).to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(b's');
            text(s, out);
        }
        Value::Array(items) => {
            out.push(b'a');
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                write_canonical(item, out);
            }
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'o');
            out.extend_from_slice(&(members.len() as u64).to_le_bytes());
            for (key, value) in members {
                text(key, out);
                write_canonical(value, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use xxhash_rust::xxh3::xxh3_64;

    use super::*;

    fn hash(text: &str) -> u64 {
        canonical_hash(text.as_bytes())
    }

    /// The canonical hash is equal exactly when serde_json's values are (or, for text that
    /// is not JSON, the trimmed bytes).
    #[test]
    fn canonical_hash_ignores_layout_and_key_order_only() {
        let value = |t: &str| serde_json::from_str::<Value>(t.trim_ascii()).ok();
        let same = [
            (r#"{"a":1,"b":[true,null,"x"]}"#, "{ \"b\" : [ true , null , \"x\" ] ,\n \"a\" : 1 }"),
            (r#"{"n":{"y":2,"x":1}}"#, r#"{"n":{"x":1,"y":2}}"#),
            (r#"{"f":-0.0}"#, r#"{"f":0.0}"#),
            (r#"{"s":"\u0041"}"#, r#"{"s":"A"}"#),
            (r#"{"a":1,"a":2}"#, r#"{"a":2}"#),
            (r#"{"big":18446744073709551616}"#, r#"{"big":1.8446744073709552e19}"#),
            ("{\"a\":1}\x0c", r#"{"a":1}"#),
            ("a,b,c\n", "  a,b,c"),
        ];
        for (a, b) in same {
            assert_eq!(hash(a), hash(b), "{a:?} vs {b:?}");
            assert_eq!(value(a), value(b), "the oracle calls {a:?} and {b:?} different");
        }
        let different = [
            (r#"{"a":1}"#, r#"{"a":1.0}"#),
            (r#"{"a":-0}"#, r#"{"a":0}"#),
            (r#"{"a":[1,2]}"#, r#"{"a":[2,1]}"#),
            (r#"{"a":"1"}"#, r#"{"a":1}"#),
            (r#"{"ab":"c"}"#, r#"{"a":"bc"}"#),
            (r#"{"a":{}}"#, r#"{"a":[]}"#),
            (r#"{"a":null}"#, r#"{}"#),
            ("\"x\"", "x"),
            ("a,b", "a, b"),
        ];
        for (a, b) in different {
            assert_ne!(hash(a), hash(b), "{a:?} vs {b:?}");
            let (va, vb) = (value(a), value(b));
            assert!(
                va != vb || (va.is_none() && a.trim_ascii() != b.trim_ascii()),
                "the oracle calls {a:?} and {b:?} equal"
            );
        }
    }

    #[test]
    fn an_id_gets_a_group_only_when_two_different_events_carry_it() {
        let texts = [r#"{"eventID":"x","v":1}"#, r#"{"eventID":"x","v":2}"#, r#"{ "v":1, "eventID":"x" }"#];
        let raw = |t: &str| xxh3_64(t.as_bytes());
        let mut shared = SharedIds::default();
        let fetched = std::cell::Cell::new(0);
        let fetch = || {
            fetched.set(fetched.get() + 1);
            Some(texts[0].as_bytes().to_vec())
        };
        let mut judge = |text: &str| shared.judge(0, raw(texts[0]), raw(text), text.as_bytes(), true, fetch);
        // Copies of the lone first event: the same bytes (no fetch), its keys in another
        // order, and another layout.
        assert_eq!(judge(texts[0]), Verdict::Copy);
        assert_eq!(fetched.get(), 0);
        assert_eq!(judge(texts[2]), Verdict::Copy);
        assert_eq!(judge("{ \"eventID\" : \"x\",\n \"v\" : 1 }"), Verdict::Copy);
        assert!(shared.groups.is_empty(), "copies of a lone event make no group");
        let mut judge = |text: &str| shared.judge(0, raw(texts[0]), raw(text), text.as_bytes(), true, fetch);
        assert_eq!(judge(texts[1]), Verdict::Different);
        // With a group, copies of either event are known without fetching.
        assert_eq!(judge(texts[2]), Verdict::Copy);
        assert_eq!(judge(texts[1]), Verdict::Copy);
        assert_eq!(judge(r#"{"eventID":"x","v":3}"#), Verdict::Different);
        assert_eq!(fetched.get(), 1, "the first event is read once, its hashes kept");
        assert_eq!(shared.groups.len(), 1);
        assert!(shared.lone.is_empty(), "a group replaces the lone event's hashes");
    }

    /// However many copies of a lone event come, in whatever layouts, it is read at most
    /// twice (once for each hash it may need).
    #[test]
    fn copies_of_a_lone_event_read_it_at_most_twice() {
        let first = r#"{"eventID":"x","a":1,"b":2}"#;
        let copies = [r#"{ "eventID":"x", "a":1, "b":2 }"#, r#"{"b":2,"a":1,"eventID":"x"}"#];
        let mut shared = SharedIds::default();
        let fetched = std::cell::Cell::new(0);
        for i in 0..100 {
            let copy = copies[i % 2];
            let fetch = || {
                fetched.set(fetched.get() + 1);
                Some(first.as_bytes().to_vec())
            };
            let verdict =
                shared.judge(0, xxh3_64(first.as_bytes()), xxh3_64(copy.as_bytes()), copy.as_bytes(), true, fetch);
            assert_eq!(verdict, Verdict::Copy);
        }
        assert!(fetched.get() <= 2, "read {} times", fetched.get());
    }

    /// A CSV row may start with `{`, and its spaces are content: rows that differ only in
    /// spaces are different events.
    #[test]
    fn text_rows_are_never_judged_without_their_layout() {
        let a = "{alice,Console Login,2024-03-01T10:00:00Z,signin.amazonaws.com,e1,us-east-1";
        let b = "{alice,ConsoleLogin,2024-03-01T10:00:00Z,signin.amazonaws.com,e1,us-east-1";
        let mut shared = SharedIds::default();
        let verdict = shared.judge(0, xxh3_64(a.as_bytes()), xxh3_64(b.as_bytes()), b.as_bytes(), false, || {
            Some(a.as_bytes().to_vec())
        });
        assert_eq!(verdict, Verdict::Different);
    }

    #[test]
    fn layout_is_whitespace_between_tokens_only() {
        let compact = r#"{"a":"x y","b":[1,{"c":"q\"  \\"}],"d":true}"#;
        let pretty =
            "{\n  \"a\": \"x y\",\n  \"b\": [\n    1,\n    {\"c\": \"q\\\"  \\\\\"}\n  ],\n  \"d\" : true\n}\n";
        assert_eq!(without_layout(compact.as_bytes()).as_deref(), Some(compact.as_bytes()));
        assert_eq!(without_layout(pretty.as_bytes()), without_layout(compact.as_bytes()));
        // Space inside a string is content, and so is key order; text that is not an
        // object is not judged this way.
        assert_ne!(without_layout(br#"{"a":"x y"}"#), without_layout(br#"{"a":"xy"}"#));
        assert_ne!(without_layout(br#"{"a":1,"b":2}"#), without_layout(br#"{"b":2,"a":1}"#));
        assert_eq!(without_layout(b"a, b,c"), None);
        // An unterminated string or a trailing backslash ends the text without a panic.
        assert_eq!(without_layout(br#"{"a":"x y"#).as_deref(), Some(&br#"{"a":"x y"#[..]));
        assert_eq!(without_layout(b"{\"a\\").as_deref(), Some(&b"{\"a\\"[..]));
    }

    /// When the first event's bytes cannot be read again, only its exact copies match it.
    #[test]
    fn an_unreadable_first_event_matches_by_raw_hash_only() {
        let (a, b) = (r#"{"v":1}"#, r#"{ "v":1 }"#);
        let mut shared = SharedIds::default();
        let (ra, rb) = (xxh3_64(a.as_bytes()), xxh3_64(b.as_bytes()));
        assert_eq!(shared.judge(7, ra, rb, b.as_bytes(), true, || None), Verdict::Different);
        assert_eq!(shared.judge(7, ra, ra, a.as_bytes(), true, || None), Verdict::Copy);
    }
}
