//! Recovery of complete records from damaged JSON (a missing comma or brace, a truncated
//! download): after the first syntax error, every `{` is tried as the start of a complete
//! value, and the values that parse are searched for events like any other document.
//!
//! Objects that enclose the damage fail only when the parser reaches it, so each of them
//! costs one scan to the damage; a budget on the bytes scanned by failed attempts keeps
//! adversarial input (many nested openings before a far-away error) from going quadratic.

use memchr::memchr;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::discover::Discovery;
use super::report::{DecodeProblem, ProblemKind};

/// Failed attempts may scan at most this many times the input (plus a constant).
const BUDGET_FACTOR: usize = 32;

pub fn salvage_from(d: &mut Discovery<'_, '_>, from: usize) {
    let buf = d.buf;
    let mut budget = buf.len().saturating_mul(BUDGET_FACTOR).saturating_add(1 << 20);
    let mut i = from;
    while i < buf.len() {
        let Some(p) = memchr(b'{', &buf[i..]) else { break };
        let at = i + p;
        let mut de = serde_json::Deserializer::from_slice(&buf[at..]);
        match <&RawValue>::deserialize(&mut de) {
            Ok(raw) => {
                d.value(raw, 0);
                i = at + raw.get().len();
            }
            Err(e) => {
                let scanned = offset_of(&buf[at..], e.line(), e.column());
                budget = budget.saturating_sub(scanned);
                if budget == 0 {
                    d.out.problems.push(DecodeProblem::new(
                        ProblemKind::InvalidJson,
                        "salvage stopped early: the input is too damaged to search further",
                        Some(format!("byte {at}")),
                    ));
                    break;
                }
                i = at + 1;
            }
        }
    }
}

/// Byte offset in `buf` of a 1-based line/column reported by serde_json.
fn offset_of(buf: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match memchr(b'\n', &buf[offset..]) {
            Some(p) => offset += p + 1,
            None => return buf.len(),
        }
    }
    (offset + column).min(buf.len())
}
