//! Property tests over the library API (issue 7): export → load is lossless, the filter
//! algebra holds on a loaded store, and deduplication never merges different events.
//!
//! Records are generated as serde_json values (so every string, however hostile, is
//! written as valid JSON), written as trail files to a temp dir, and loaded with the real
//! pipeline (`load_into`). Expected values are computed here from the generated values,
//! never by trailscope.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use proptest::prelude::*;
use serde_json::{json, Value};
use trailscope::export::{write_selection, ExportFormat};
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::query::{parse, select, Expr};
use trailscope::store::Store;

const NOW_MS: i64 = 1_750_000_000_000;

fn load(paths: &[&Path]) -> Store {
    let mut options = LoadOptions::new(paths.iter().map(|p| p.to_path_buf()).collect());
    options.workers = 1;
    let store = RwLock::new(Store::new());
    load_into(&store, &options, None);
    store.into_inner().unwrap()
}

fn export(store: &Store, format: ExportFormat) -> Vec<u8> {
    let all = store.time_order().to_vec();
    let mut out = Vec::new();
    write_selection(store, &all, format, &mut out, &mut |_| {}).unwrap();
    out
}

/// Every event of the store, as parsed JSON of its original bytes, sorted by its text.
fn events_as_values(store: &Store) -> Vec<String> {
    let mut v: Vec<String> = store
        .time_order()
        .iter()
        .map(|&e| {
            let raw = store.raw_bytes(e).unwrap();
            let value: Value = serde_json::from_slice(&raw)
                .unwrap_or_else(|err| panic!("stored bytes of event {e} are not JSON ({err}): {raw:?}"));
            canon(&value)
        })
        .collect();
    v.sort();
    v
}

/// Characters that make strings hard: controls, quotes, backslashes, escapes, bidi,
/// C1, astral planes, plus ordinary letters.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => Just('"'),
        1 => Just('\\'),
        1 => Just('\u{1b}'),
        1 => Just('\u{0}'),
        1 => Just('\n'),
        1 => Just('\u{9b}'),
        1 => Just('\u{202e}'),
        1 => Just('*'),
        1 => Just(' '),
        1 => Just('/'),
        2 => any::<char>(),
    ]
}

fn hostile_string(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(hostile_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// A CloudTrail-like record; `id` is its eventID (none when `None`).
fn record(id: Option<String>, name: &str, ua: &str, msg: &str, second: u32, key: &str) -> Value {
    let mut r = json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": format!("arn:aws:iam::111122223333:user/{name}"),
            "accountId": "111122223333",
            "userName": name,
        },
        "eventTime": format!("2024-03-01T10:{:02}:{:02}Z", second / 60 % 60, second % 60),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": ua,
        "errorMessage": msg,
        "requestParameters": { key: msg },
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
    });
    if let Some(id) = id {
        r["eventID"] = Value::String(id);
    }
    r
}

fn write_records(path: &Path, records: &[Value]) {
    std::fs::write(path, serde_json::to_vec(&json!({ "Records": records })).unwrap()).unwrap();
}

fn arb_records() -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(
        (hostile_string(12), hostile_string(16), hostile_string(16), 0u32..3600, hostile_string(6)),
        0..16,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (name, ua, msg, sec, key))| record(Some(format!("id-{i}")), &name, &ua, &msg, sec, &key))
            .collect()
    })
}

/// A key-order-independent text of a JSON value (keys sorted at every level).
fn canon(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut items: Vec<(&String, &Value)> = m.iter().collect();
            items.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> =
                items.into_iter().map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canon(v))).collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canon).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

fn sorted_strings(records: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = records.iter().map(canon).collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Loading a trail file, exporting everything as records and as ndjson, and loading
    /// each export again gives back exactly the generated events.
    #[test]
    fn export_then_load_returns_the_same_events(records in arb_records()) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input.json");
        write_records(&input, &records);
        let want = sorted_strings(&records);

        let store = load(&[&input]);
        prop_assert_eq!(store.len(), records.len(), "report: {:?}", store.report.problems);
        prop_assert_eq!(&events_as_values(&store), &want);

        for (format, file) in [(ExportFormat::Records, "out.json"), (ExportFormat::Ndjson, "out.jsonl")] {
            let path: PathBuf = dir.path().join(file);
            std::fs::write(&path, export(&store, format)).unwrap();
            let again = load(&[&path]);
            prop_assert_eq!(again.len(), records.len(), "{:?}: report {:?}", format, again.report.problems);
            prop_assert_eq!(&events_as_values(&again), &want, "{:?}", format);
            let mut ids: Vec<&str> = again.time_order().iter().filter_map(|&e| again.event_id(e)).collect();
            ids.sort();
            let mut want_ids: Vec<&str> = records.iter().map(|r| r["eventID"].as_str().unwrap()).collect();
            want_ids.sort();
            prop_assert_eq!(ids, want_ids);
            // A second round trip is byte-identical to the first.
            prop_assert_eq!(export(&again, format), export(&store, format), "{:?}", format);
        }
    }
}

// ---- filter algebra

const NAMES: [&str; 4] = ["GetObject", "Put \"Object\"", "del\\ete*", "Ünïcode \u{1b}[31m"];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];
const ERRORS: [&str; 2] = ["AccessDenied", "NoSuchKey"];
const IPS: [&str; 3] = ["203.0.113.7", "10.1.2.3", "2001:db8::1"];

/// A quoted filter value: `\`, `"` and `*` escaped (docs/filter-language.md, Values).
fn quote(v: &str) -> String {
    let mut s = String::from("\"");
    for c in v.chars() {
        if matches!(c, '\\' | '"' | '*') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// The terms A and B are drawn from.
fn terms() -> Vec<String> {
    let mut t: Vec<String> = Vec::new();
    for n in NAMES {
        t.push(format!("name:{}", quote(n)));
    }
    for r in REGIONS {
        t.push(format!("region:{r}"));
    }
    for e in ERRORS {
        t.push(format!("error:{e}"));
    }
    t.extend(
        ["error:*", "ip:10.0.0.0/8", "ip:2001:db8::/32", "readOnly:true", "name:*Object*", "delete", "id:f-3"]
            .map(String::from),
    );
    t
}

#[derive(Debug, Clone)]
struct Ev {
    name: usize,
    region: usize,
    error: Option<usize>,
    ip: usize,
    read_only: Option<bool>,
}

fn arb_ev() -> impl Strategy<Value = Ev> {
    (
        0..NAMES.len(),
        0..REGIONS.len(),
        proptest::option::of(0..ERRORS.len()),
        0..IPS.len(),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(name, region, error, ip, read_only)| Ev { name, region, error, ip, read_only })
}

fn ev_record(i: usize, e: &Ev) -> Value {
    let mut r = json!({
        "eventVersion": "1.08",
        "userIdentity": { "type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333" },
        "eventTime": format!("2024-03-01T10:00:{:02}Z", i % 60),
        "eventSource": "s3.amazonaws.com",
        "eventName": NAMES[e.name],
        "awsRegion": REGIONS[e.region],
        "sourceIPAddress": IPS[e.ip],
        "eventID": format!("f-{i}"),
        "eventType": "AwsApiCall",
    });
    if let Some(err) = e.error {
        r["errorCode"] = Value::String(ERRORS[err].into());
    }
    if let Some(ro) = e.read_only {
        r["readOnly"] = Value::Bool(ro);
    }
    r
}

fn sel(store: &Store, filter: &str) -> Vec<u32> {
    let expr: Expr = parse(filter, NOW_MS).unwrap_or_else(|e| panic!("filter {filter:?} does not parse: {e:?}"));
    let mut v = select(store, &expr).unwrap_or_else(|e| panic!("filter {filter:?}: {e}"));
    v.sort_unstable();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn filter_algebra_holds(evs in proptest::collection::vec(arb_ev(), 0..24), a in 0usize..19, b in 0usize..19) {
        let terms = terms();
        let (a, b) = (&terms[a % terms.len()], &terms[b % terms.len()]);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("f.json");
        let records: Vec<Value> = evs.iter().enumerate().map(|(i, e)| ev_record(i, e)).collect();
        write_records(&input, &records);
        let store = load(&[&input]);
        prop_assert_eq!(store.len(), evs.len());
        let all: Vec<u32> = (0..store.len() as u32).collect();

        prop_assert!(sel(&store, &format!("{a} AND NOT {a}")).is_empty(), "A AND NOT A, A = {}", a);
        prop_assert_eq!(sel(&store, &format!("{a} OR NOT {a}")), all.clone(), "A OR NOT A, A = {}", a);
        prop_assert_eq!(sel(&store, &format!("-({a} OR {b})")), sel(&store, &format!("-{a} -{b}")), "De Morgan 1: {} / {}", a, b);
        prop_assert_eq!(sel(&store, &format!("NOT ({a} {b})")), sel(&store, &format!("(NOT {a}) OR (NOT {b})")), "De Morgan 2: {} / {}", a, b);
        prop_assert_eq!(sel(&store, &format!("{a} {b}")), sel(&store, &format!("{b} AND {a}")), "AND order: {} / {}", a, b);
        prop_assert_eq!(sel(&store, &format!("{a} OR {b}")), sel(&store, &format!("{b} OR {a}")), "OR order: {} / {}", a, b);
        prop_assert_eq!(sel(&store, &format!("NOT NOT {a}")), sel(&store, a), "double negation: {}", a);
        // AND is the intersection and OR the union of the single-term selections.
        let (sa, sb) = (sel(&store, a), sel(&store, b));
        let inter: Vec<u32> = sa.iter().copied().filter(|x| sb.contains(x)).collect();
        let mut union: Vec<u32> = sa.iter().chain(&sb).copied().collect();
        union.sort_unstable();
        union.dedup();
        prop_assert_eq!(sel(&store, &format!("{a} {b}")), inter, "intersection: {} / {}", a, b);
        prop_assert_eq!(sel(&store, &format!("{a} OR {b}")), union, "union: {} / {}", a, b);
    }
}

/// The exact-match terms on names select exactly the generated events with that name
/// (hostile characters in a quoted value are literal).
#[test]
fn quoted_hostile_names_match_exactly() {
    let evs: Vec<Ev> = (0..NAMES.len() * 2)
        .map(|i| Ev { name: i % NAMES.len(), region: 0, error: None, ip: 0, read_only: None })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("f.json");
    write_records(&input, &evs.iter().enumerate().map(|(i, e)| ev_record(i, e)).collect::<Vec<_>>());
    let store = load(&[&input]);
    for (n, name) in NAMES.iter().enumerate() {
        let mut want: Vec<String> =
            evs.iter().enumerate().filter(|(_, e)| e.name == n).map(|(i, _)| format!("f-{i}")).collect();
        let mut got: Vec<String> = sel(&store, &format!("name:{}", quote(name)))
            .into_iter()
            .map(|e| store.event_id(e).unwrap().to_string())
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "name:{}", quote(name));
    }
}

// ---- deduplication

const ID_POOL: [&str; 3] = ["dup-a", "dup-b", "dup-c"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Same eventID and same content (whitespace and key order aside) is one event;
    /// anything else is kept, and events without an eventID are never merged.
    #[test]
    fn dedup_never_merges_different_events(
        items in proptest::collection::vec(
            (proptest::option::of(0..ID_POOL.len()), 0..3usize, 0..2usize, any::<bool>(), any::<bool>(), 0..2usize),
            0..20,
        )
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut expected_unique: BTreeMap<(String, String), ()> = BTreeMap::new();
        let mut without_id = 0usize;
        let mut files: Vec<Vec<String>> = vec![Vec::new(), Vec::new()];
        for (id, name, ua, pretty, reorder, file) in items {
            let id = id.map(|i| ID_POOL[i].to_string());
            let rec = record(id.clone(), ["A", "B", "\u{1b}C"][name], ["ua-1", "ua \"2\""][ua], "m", 7, "k");
            match &id {
                Some(id) => {
                    expected_unique.insert((id.clone(), canon(&rec)), ());
                }
                None => without_id += 1,
            }
            // Whitespace and key order vary between copies of the same record.
            let mut text = if pretty { serde_json::to_string_pretty(&rec).unwrap() } else { rec.to_string() };
            if reorder {
                let obj = rec.as_object().unwrap();
                let parts: Vec<String> =
                    obj.iter().rev().map(|(k, v)| format!("{}: {}", Value::String(k.clone()), v)).collect();
                text = format!("{{ {} }}", parts.join(" ,\n "));
            }
            files[file].push(text);
        }
        let mut paths = Vec::new();
        for (i, recs) in files.iter().enumerate() {
            if recs.is_empty() {
                continue; // `{"Records": []}` is reported as not CloudTrail
            }
            let p = dir.path().join(format!("f{i}.json"));
            std::fs::write(&p, format!("{{\"Records\": [{}]}}", recs.join(",\n"))).unwrap();
            paths.push(p);
        }
        let store = load(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>());
        let total = files[0].len() + files[1].len();
        prop_assert!(store.report.problems.is_empty(), "{:?}", store.report.problems);
        prop_assert_eq!(store.report.records as usize, total);
        prop_assert_eq!(store.len(), expected_unique.len() + without_id);
        prop_assert_eq!(store.report.duplicates as usize, total - store.len());
        let no_id = store.time_order().iter().filter(|&&e| store.event_id(e).is_none()).count();
        prop_assert_eq!(no_id, without_id);
        // The kept events are exactly the distinct (eventID, content) pairs.
        let mut kept: Vec<(String, String)> = store
            .time_order()
            .iter()
            .filter_map(|&e| {
                let id = store.event_id(e)?.to_string();
                let v: Value = serde_json::from_slice(&store.raw_bytes(e).unwrap()).unwrap();
                Some((id, canon(&v)))
            })
            .collect();
        kept.sort();
        prop_assert_eq!(kept, expected_unique.into_keys().collect::<Vec<_>>());
    }
}
