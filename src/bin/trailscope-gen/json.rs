//! A tiny ordered JSON writer.
//!
//! CloudTrail records have a conventional key order (eventVersion, userIdentity,
//! eventTime, …) and `serde_json::Value` (without `preserve_order`) would sort keys
//! alphabetically, so records are written straight into a `String` in the order AWS
//! uses. Keys are trusted literals from this crate; every *value* string goes through
//! [`write_str`], which escapes quotes, backslashes and control characters, so the output
//! is always valid JSON whatever a user agent or error message contains.

use std::fmt::Write as _;

/// Appends `s` as a JSON string literal (with quotes).
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x00..=0x1F | 0x7F => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes the members of one JSON object; created by [`object`], [`Obj::obj`] or [`Arr::obj`].
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k);
        write_str(self.out, v);
        self
    }

    /// A string member, or nothing when `v` is `None`.
    pub fn opt_str(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.str(k, v);
        }
        self
    }

    pub fn num(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k);
        let _ = write!(self.out, "{v}");
        self
    }

    pub fn bool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
        self
    }

    /// A member whose value is already-serialised JSON (`None` writes `null`).
    pub fn raw(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        self.key(k);
        self.out.push_str(v.unwrap_or("null"));
        self
    }

    pub fn obj(&mut self, k: &str, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.key(k);
        let mut o = Obj::open(self.out);
        f(&mut o);
        o.out.push('}');
        self
    }

    pub fn arr(&mut self, k: &str, f: impl FnOnce(&mut Arr<'_>)) -> &mut Self {
        self.key(k);
        let mut a = Arr::open(self.out);
        f(&mut a);
        a.out.push(']');
        self
    }
}

/// Writes the elements of one JSON array.
pub struct Arr<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Arr<'a> {
    fn open(out: &'a mut String) -> Self {
        out.push('[');
        Arr { out, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    pub fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        write_str(self.out, v);
        self
    }

    pub fn obj(&mut self, f: impl FnOnce(&mut Obj<'_>)) -> &mut Self {
        self.sep();
        let mut o = Obj::open(self.out);
        f(&mut o);
        o.out.push('}');
        self
    }
}

/// Appends one object to `out`.
pub fn object_into(out: &mut String, f: impl FnOnce(&mut Obj<'_>)) {
    let mut o = Obj::open(out);
    f(&mut o);
    o.out.push('}');
}

/// Renders one object to a new `String`.
pub fn object(f: impl FnOnce(&mut Obj<'_>)) -> String {
    let mut s = String::with_capacity(128);
    object_into(&mut s, f);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_parses() {
        let s = object(|o| {
            o.str("a", "q\"b\\c\u{1b}[2J\n\u{7f}é")
                .num("n", -3)
                .bool("t", true)
                .raw("z", None)
                .raw("r", Some("{\"x\":1}"))
                .obj("o", |o| {
                    o.str("k", "v");
                })
                .arr("l", |a| {
                    a.str("x").obj(|o| {
                        o.num("y", 2);
                    });
                });
        });
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "q\"b\\c\u{1b}[2J\n\u{7f}é");
        assert_eq!(v["l"][1]["y"], 2);
        assert!(s.starts_with("{\"a\":"));
    }
}
