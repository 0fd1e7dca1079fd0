//! JSON for scripts from the analysis structs: internal event ids become `eventID`s and
//! millisecond times become ISO 8601 UTC strings, so `identities --json` and `trace --json`
//! mean something outside this process (shapes in docs/identities-json.md and
//! docs/trace-json.md).

use serde::Serialize;
use serde_json::Value;

use crate::model::time::format_utc;
use crate::store::Store;

/// Keys whose number is a time in milliseconds.
const TIME_KEYS: [&str; 3] = ["first_seen", "last_seen", "time"];
/// Keys whose number (or array of numbers) is an internal event id.
const EVENT_KEYS: [&str; 6] = ["event", "first_event", "caller_event", "minted_by", "copies", "events"];

/// Serialises `value` and rewrites times and event ids (see the module docs). A number
/// under `events` is a count and stays; an array under it is a list of events.
pub fn to_json<T: Serialize>(store: &Store, value: &T) -> Value {
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    rewrite(store, &mut v);
    v
}

fn rewrite(store: &Store, v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if TIME_KEYS.contains(&k.as_str()) {
                    if let Some(ms) = x.as_i64() {
                        *x = format_utc(ms).map_or(Value::Null, Value::String);
                        continue;
                    }
                }
                if EVENT_KEYS.contains(&k.as_str()) {
                    match x {
                        Value::Number(n) if k != "events" => {
                            *x = event_id(store, n.as_u64());
                            continue;
                        }
                        Value::Array(items) if items.iter().all(Value::is_number) => {
                            for item in items.iter_mut() {
                                *item = event_id(store, item.as_u64());
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
                rewrite(store, x);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| rewrite(store, x)),
        _ => {}
    }
}

fn event_id(store: &Store, id: Option<u64>) -> Value {
    id.and_then(|i| u32::try_from(i).ok())
        .filter(|&i| (i as usize) < store.len())
        .and_then(|i| store.event_id(i))
        .map_or(Value::Null, |s| Value::String(s.to_owned()))
}

/// A time for text output (`-` when unknown).
pub fn when(ms: Option<i64>) -> String {
    ms.and_then(format_utc).unwrap_or_else(|| "-".into())
}
