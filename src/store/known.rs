//! Each load worker's memory of the global ids it has already seen values get, so that a
//! file's values the worker met in earlier files skip the global interners.
//!
//! Mapping a file's distinct values to global ids happens under the store's write lock, and
//! on the standard 1M-event corpus it was half of the time the lock was held: ~3.7 million
//! probes of interners far larger than the caches, each confirmed by comparing strings.
//! Most of those values (accounts, regions, event names, callers, ARNs) recur from file to
//! file, so each worker keeps a small direct-mapped table — 4,096 slots of 128 bytes, the
//! value's text inline — that it reads before taking the lock. A hit is exact (column,
//! hash and text compared); a miss costs one slot read and goes to the interner as before.
//!
//! Global ids never change once given, but only within one store: every slot records the
//! store's [`Generation`], and a slot of another store is a miss.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::batch::{keyed, LocalValue};
use super::interner::NONE;

/// A process-unique number for each store (every `Store::new()` or `default()` gets the
/// next), so remembered ids are never used with another store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

impl Default for Generation {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Generation(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

const SLOTS: usize = 4096;
/// Longest value remembered (longer ones, mostly user agents, are rarely repeated anyway).
const TEXT: usize = 106;

#[derive(Clone, Copy)]
struct Slot {
    generation: u64,
    hash: u64,
    id: u32,
    column: u8,
    len: u8,
    text: [u8; TEXT],
}

const EMPTY: Slot = Slot { generation: 0, hash: 0, id: NONE, column: 0, len: 0, text: [0; TEXT] };

thread_local! {
    static KNOWN: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

fn slot_of(value: &LocalValue<'_>) -> usize {
    (keyed(value.hash, value.column) >> 40) as usize % SLOTS
}

/// The global id this thread remembers for each value (`NONE` where it does not).
pub fn recall(generation: Generation, values: &[LocalValue<'_>]) -> Vec<u32> {
    KNOWN.with(|known| {
        let known = known.borrow();
        if known.is_empty() {
            return vec![NONE; values.len()];
        }
        values
            .iter()
            .map(|v| {
                let s = &known[slot_of(v)];
                let text = v.text.as_bytes();
                let hit = s.generation == generation.0
                    && s.hash == v.hash
                    && s.column == v.column
                    && usize::from(s.len) == text.len()
                    && &s.text[..text.len()] == text;
                if hit {
                    s.id
                } else {
                    NONE
                }
            })
            .collect()
    })
}

/// Remembers the global id `global[i]` of each `values[i]` on this thread.
pub fn remember(generation: Generation, values: &[LocalValue<'_>], global: &[u32]) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.is_empty() {
            *known = vec![EMPTY; SLOTS];
        }
        for (v, &id) in values.iter().zip(global) {
            let text = v.text.as_bytes();
            if text.len() > TEXT || id == NONE {
                continue;
            }
            let s = &mut known[slot_of(v)];
            if s.generation == generation.0 && s.hash == v.hash && s.column == v.column && s.id == id {
                continue; // already remembered (an id names one value of its column)
            }
            s.generation = generation.0;
            s.hash = v.hash;
            s.id = id;
            s.column = v.column;
            s.len = text.len() as u8;
            s.text[..text.len()].copy_from_slice(text);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::interner::hash_str;
    use std::borrow::Cow;

    fn value(column: u8, text: &str) -> LocalValue<'_> {
        LocalValue { column, text: Cow::Borrowed(text), hash: hash_str(text) }
    }

    #[test]
    fn recalls_exactly_what_was_remembered_for_the_same_store() {
        let (a, b) = (Generation::default(), Generation::default());
        assert_ne!(a, b);
        let long = "x".repeat(TEXT + 1);
        let values = [value(0, "us-east-1"), value(1, "us-east-1"), value(0, &long)];
        assert_eq!(recall(a, &values), [NONE, NONE, NONE]);
        remember(a, &values, &[7, 8, 9]);
        // Same column and text: remembered; too long: not; another store: not.
        assert_eq!(recall(a, &values), [7, 8, NONE]);
        assert_eq!(recall(b, &values), [NONE, NONE, NONE]);
        // A different text with the same slot, hash and length is not a hit.
        let mut forged = value(0, "us-east-2");
        forged.hash = values[0].hash;
        assert_eq!(recall(a, &[forged]), [NONE]);
    }
}
