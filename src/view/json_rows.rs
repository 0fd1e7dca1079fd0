//! An event's JSON flattened into display rows, as jless does: one row per scalar member,
//! one per container opening and one per closing, each knowing its depth and (for an
//! opening) where its closing row is. Folding is then index arithmetic — a folded container
//! shows its opening row with a summary and skips to the row after its closing — and
//! scrolling never re-parses. Key order, number text and string content are kept exactly as
//! in the original bytes (no re-serialisation); strings are unescaped for display.

use serde_json::Value;

/// What a row shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// `{` or `[`; `close` is the index of the matching closing row, `len` its member count.
    Open { array: bool, close: usize, len: usize },
    /// `}` or `]`.
    Close { array: bool },
    /// A scalar: `text` is its JSON text (strings unescaped, without quotes).
    Scalar { text: String, kind: ScalarKind },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    String,
    Number,
    Bool,
    Null,
}

/// One display row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonRow {
    pub depth: usize,
    /// The member's key in its object (`None` in arrays and at the top).
    pub key: Option<String>,
    /// Position in its parent array (`None` in objects and at the top).
    pub index: Option<usize>,
    pub kind: RowKind,
}

/// Flattens a JSON document. Key order is preserved (serde_json's `preserve_order` is not
/// enabled crate-wide, so objects are walked from the raw text, member by member).
pub fn json_rows(json: &str) -> Result<Vec<JsonRow>, serde_json::Error> {
    let raw: &serde_json::value::RawValue = serde_json::from_str(json)?;
    let mut rows = Vec::new();
    push_value(raw, 0, None, None, &mut rows)?;
    Ok(rows)
}

fn push_value(
    raw: &serde_json::value::RawValue,
    depth: usize,
    key: Option<String>,
    index: Option<usize>,
    rows: &mut Vec<JsonRow>,
) -> Result<(), serde_json::Error> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'{') => {
            let members: Vec<(String, &serde_json::value::RawValue)> = ordered_members(text)?;
            let open = rows.len();
            rows.push(JsonRow {
                depth,
                key,
                index,
                kind: RowKind::Open { array: false, close: 0, len: members.len() },
            });
            for (k, v) in members {
                push_value(v, depth + 1, Some(k), None, rows)?;
            }
            close(rows, open, depth, false);
        }
        Some(b'[') => {
            let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text)?;
            let open = rows.len();
            rows.push(JsonRow { depth, key, index, kind: RowKind::Open { array: true, close: 0, len: items.len() } });
            for (i, v) in items.into_iter().enumerate() {
                push_value(v, depth + 1, None, Some(i), rows)?;
            }
            close(rows, open, depth, true);
        }
        _ => {
            let (text, kind) = match serde_json::from_str::<Value>(text)? {
                Value::String(s) => (s, ScalarKind::String),
                Value::Bool(b) => (b.to_string(), ScalarKind::Bool),
                Value::Null => ("null".to_owned(), ScalarKind::Null),
                // The number exactly as written (no float round trip).
                _ => (text.to_owned(), ScalarKind::Number),
            };
            rows.push(JsonRow { depth, key, index, kind: RowKind::Scalar { text, kind } });
        }
    }
    Ok(())
}

fn close(rows: &mut Vec<JsonRow>, open: usize, depth: usize, array: bool) {
    let close_at = rows.len();
    rows.push(JsonRow { depth, key: None, index: None, kind: RowKind::Close { array } });
    if let RowKind::Open { close, .. } = &mut rows[open].kind {
        *close = close_at;
    }
}

/// An object's members in document order (a map type would sort or dedupe them).
fn ordered_members(text: &str) -> Result<Vec<(String, &serde_json::value::RawValue)>, serde_json::Error> {
    struct Members<'a>(Vec<(String, &'a serde_json::value::RawValue)>);
    impl<'de> serde::Deserialize<'de> for Members<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Members<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = m.next_entry::<String, &'de serde_json::value::RawValue>()? {
                        out.push((k, v));
                    }
                    Ok(Members(out))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Members<'_>>(text).map(|m| m.0)
}

/// The rows visible when the containers whose opening rows are in `folded` are folded:
/// indices into `rows`, in order. A folded container shows only its opening row.
pub fn visible_rows(rows: &[JsonRow], folded: &std::collections::BTreeSet<usize>) -> Vec<usize> {
    let mut out = Vec::with_capacity(rows.len());
    let mut i = 0;
    while i < rows.len() {
        out.push(i);
        i = match rows[i].kind {
            RowKind::Open { close, .. } if folded.contains(&i) => close + 1,
            _ => i + 1,
        };
    }
    out
}

/// The JSON text of row `i` and, for an opening row, everything up to its closing row:
/// compact, keys and strings re-escaped, numbers as written (for "copy this value").
pub fn subtree_json(rows: &[JsonRow], i: usize) -> String {
    let mut out = String::new();
    let end = match rows.get(i).map(|r| &r.kind) {
        Some(RowKind::Open { close, .. }) => *close,
        Some(_) => i,
        None => return out,
    };
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut need_comma = false;
    for (n, row) in rows[i..=end].iter().enumerate() {
        let closing = matches!(row.kind, RowKind::Close { .. });
        if need_comma && !closing {
            out.push(',');
        }
        if n > 0 {
            if let Some(k) = &row.key {
                if !closing {
                    out.push_str(&quote(k));
                    out.push(':');
                }
            }
        }
        match &row.kind {
            RowKind::Open { array, .. } => {
                out.push(if *array { '[' } else { '{' });
                need_comma = false;
            }
            RowKind::Close { array } => {
                out.push(if *array { ']' } else { '}' });
                need_comma = true;
            }
            RowKind::Scalar { text, kind } => {
                match kind {
                    ScalarKind::String => out.push_str(&quote(text)),
                    _ => out.push_str(text),
                }
                need_comma = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const EVENT: &str = r#"{"eventName":"GetObject","zeta":1.50,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\u001b"},"resources":[{"ARN":"x"},null,true],"empty":{}}"#;

    #[test]
    fn keeps_key_order_number_text_and_structure() {
        let rows = json_rows(EVENT).unwrap();
        let keys: Vec<Option<&str>> = rows.iter().filter(|r| r.depth == 1).map(|r| r.key.as_deref()).collect();
        assert_eq!(
            keys,
            [Some("eventName"), Some("zeta"), Some("userIdentity"), None, Some("resources"), None, Some("empty"), None]
        );
        assert!(rows.iter().any(|r| r.kind == RowKind::Scalar { text: "1.50".into(), kind: ScalarKind::Number }));
        // Strings are unescaped for display (the UI sanitises control characters).
        assert!(rows.iter().any(|r| matches!(&r.kind, RowKind::Scalar { text, .. } if text.ends_with("user/a\u{1b}"))));
        // Every opening row points at its closing row at the same depth.
        for (i, r) in rows.iter().enumerate() {
            if let RowKind::Open { close, array, .. } = r.kind {
                assert_eq!(rows[close].kind, RowKind::Close { array });
                assert_eq!(rows[close].depth, r.depth, "row {i}");
            }
        }
        let array = rows.iter().find(|r| r.key.as_deref() == Some("resources")).unwrap();
        assert!(matches!(array.kind, RowKind::Open { array: true, len: 3, .. }));
    }

    #[test]
    fn folding_skips_to_after_the_closing_row() {
        let rows = json_rows(EVENT).unwrap();
        let identity = rows.iter().position(|r| r.key.as_deref() == Some("userIdentity")).unwrap();
        let all = visible_rows(&rows, &BTreeSet::new());
        assert_eq!(all.len(), rows.len());
        let folded = visible_rows(&rows, &BTreeSet::from([identity]));
        assert_eq!(folded.len(), rows.len() - 3, "its two members and its closing row are hidden");
        assert!(folded.contains(&identity));
        assert_eq!(visible_rows(&rows, &BTreeSet::from([0])), vec![0], "folding the root shows one row");
    }

    #[test]
    fn invalid_json_is_an_error() {
        assert!(json_rows("{\"a\":").is_err());
        assert!(json_rows("eventName,GetObject").is_err());
    }

    #[test]
    fn subtree_json_round_trips_values() {
        let rows = json_rows(EVENT).unwrap();
        let whole: serde_json::Value = serde_json::from_str(&subtree_json(&rows, 0)).unwrap();
        assert_eq!(whole, serde_json::from_str::<serde_json::Value>(EVENT).unwrap());
        let ui = rows.iter().position(|r| r.key.as_deref() == Some("userIdentity")).unwrap();
        assert_eq!(subtree_json(&rows, ui), r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\u001b"}"#);
        let zeta = rows.iter().position(|r| r.key.as_deref() == Some("zeta")).unwrap();
        assert_eq!(subtree_json(&rows, zeta), "1.50");
    }
}
