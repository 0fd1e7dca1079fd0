//! Each load worker's memory of the global ids it has already seen values get, so that a
//! file's values the worker met in earlier files skip the global interners.
//!
//! Mapping a file's distinct values to global ids happens under the store's write lock, and
//! on the standard 1M-event corpus it was half of the time the lock was held: ~3.7 million
//! probes of interners far larger than the caches, each confirmed by comparing strings.
//! Most of those values (accounts, regions, event names, callers, ARNs) recur from file to
//! file, so each worker keeps a direct-mapped table — 32,768 slots of one cache line, short
//! texts inline and longer ones in an arena — that it reads before taking the lock. A hit
//! is exact (column, hash and text compared); a miss costs one slot read and goes to the
//! interner as before.
//!
//! Sizing, measured on that corpus with two workers: 4,096 slots holding texts of up to
//! 106 bytes left 1.15 million values to look up under the lock, 681,000 of them user
//! agents (too long to keep); 32,768 slots with every length kept leave ~420,000, of which
//! 251,000 are values no worker has seen (they must be interned anyway).
//!
//! The worker also remembers, by block number, the twelve identity columns of each
//! `userIdentity` block it appended: a block recognised by its bytes in a later file then
//! needs neither reading nor interning (see `ingest::seen`).
//!
//! Global ids never change once given, but only within one store: every slot records the
//! store's [`Generation`], and a slot of another store is a miss.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::batch::{keyed, IdentityIds, LocalValue};
use super::interner::{same_bytes, NONE};

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

const SLOTS: usize = 1 << 15;
/// Values up to this long are kept inside their slot (one cache line in all); longer ones
/// (user agents, many ARNs) in the worker's text arena.
const INLINE: usize = 36;
/// Bytes of arena text per worker before the memory starts afresh (slots that were
/// overwritten leave their text behind, so the arena only grows).
const ARENA_LIMIT: usize = 16 << 20;

#[derive(Clone, Copy)]
#[repr(align(64))]
struct Slot {
    hash: u64,
    generation: u64,
    id: u32,
    /// Where a long value's text starts in the arena.
    start: u32,
    len: u16,
    column: u8,
    inline: [u8; INLINE],
}

const _: () = assert!(std::mem::size_of::<Slot>() == 64, "a slot is one cache line");

const EMPTY: Slot = Slot { hash: 0, generation: 0, id: NONE, start: 0, len: 0, column: 0, inline: [0; INLINE] };

impl Slot {
    /// Whether the slot holds a value of `v`'s store, column and hash (the text still to be
    /// compared).
    fn keys(&self, generation: Generation, v: &LocalValue<'_>) -> bool {
        self.generation == generation.0 && self.hash == v.hash && self.column == v.column
    }
}

/// One worker's remembered values.
#[derive(Default)]
struct Memory {
    slots: Vec<Slot>,
    arena: Vec<u8>,
}

impl Memory {
    fn text<'s>(&'s self, s: &'s Slot) -> &'s [u8] {
        let len = usize::from(s.len);
        if len <= INLINE {
            &s.inline[..len]
        } else {
            &self.arena[s.start as usize..s.start as usize + len]
        }
    }

    fn recall(&self, generation: Generation, v: &LocalValue<'_>) -> u32 {
        let s = &self.slots[slot_of(v)];
        let text = v.text.as_bytes();
        let hit = s.keys(generation, v) && same_bytes(self.text(s), text);
        if hit {
            s.id
        } else {
            NONE
        }
    }

    fn remember(&mut self, generation: Generation, v: &LocalValue<'_>, id: u32) {
        let text = v.text.as_bytes();
        let Ok(len) = u16::try_from(text.len()) else { return };
        let i = slot_of(v);
        let s = &self.slots[i];
        if s.keys(generation, v) && s.id == id {
            return; // already remembered (an id names one value of its column)
        }
        let mut slot = Slot { hash: v.hash, generation: generation.0, id, start: 0, len, column: v.column, ..EMPTY };
        if text.len() <= INLINE {
            slot.inline[..text.len()].copy_from_slice(text);
        } else {
            if self.arena.len() + text.len() > ARENA_LIMIT {
                self.arena.clear();
                self.slots.fill(EMPTY);
            }
            slot.start = self.arena.len() as u32;
            self.arena.extend_from_slice(text);
        }
        self.slots[i] = slot;
    }
}

thread_local! {
    static KNOWN: RefCell<Memory> = RefCell::new(Memory::default());
}

fn slot_of(value: &LocalValue<'_>) -> usize {
    (keyed(value.hash, value.column) >> 40) as usize % SLOTS
}

/// Blocks remembered per worker before the memory starts afresh.
const IDENTITY_LIMIT: usize = 1 << 16;

/// Each worker's memory of the identity columns of the `userIdentity` blocks it appended,
/// by block number (see `ingest::seen`: a number names one block text for the thread's
/// lifetime), for one store at a time.
#[derive(Default)]
struct IdentityMemory {
    generation: u64,
    /// Global ids of each block's identity columns.
    by_number: FxHashMap<u64, IdentityIds>,
}

thread_local! {
    static IDENTITIES: RefCell<IdentityMemory> = RefCell::new(IdentityMemory::default());
}

/// The identity columns this thread remembers for block `number` in store `generation`.
pub fn recall_identity(generation: Generation, number: u64) -> Option<IdentityIds> {
    IDENTITIES.with(|m| {
        let m = m.borrow();
        (m.generation == generation.0).then(|| m.by_number.get(&number).copied()).flatten()
    })
}

/// Remembers the identity columns of blocks appended to store `generation`.
pub fn remember_identities(generation: Generation, blocks: impl Iterator<Item = (u64, IdentityIds)>) {
    IDENTITIES.with(|m| {
        let mut m = m.borrow_mut();
        if m.generation != generation.0 || m.by_number.len() >= IDENTITY_LIMIT {
            m.by_number.clear();
            m.generation = generation.0;
        }
        let room = IDENTITY_LIMIT - m.by_number.len();
        m.by_number.extend(blocks.take(room));
    });
}

/// The global id this thread remembers for each value (`NONE` where it does not).
pub fn recall(generation: Generation, values: &[LocalValue<'_>]) -> Vec<u32> {
    KNOWN.with(|known| {
        let known = known.borrow();
        if known.slots.is_empty() {
            return vec![NONE; values.len()];
        }
        values.iter().map(|v| known.recall(generation, v)).collect()
    })
}

/// Remembers the global id `global[i]` of each `values[i]` on this thread.
pub fn remember(generation: Generation, values: &[LocalValue<'_>], global: &[u32]) {
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.slots.is_empty() {
            known.slots = vec![EMPTY; SLOTS];
        }
        for (v, &id) in values.iter().zip(global) {
            if id != NONE {
                known.remember(generation, v, id);
            }
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
        // Inline and arena texts alike; a value too long for a slot's length is not kept.
        let long = "x".repeat(INLINE + 1);
        let huge = "y".repeat(usize::from(u16::MAX) + 1);
        let values = [value(0, "us-east-1"), value(1, "us-east-1"), value(0, &long), value(0, &huge)];
        assert_eq!(recall(a, &values), [NONE; 4]);
        remember(a, &values, &[7, 8, 9, 10]);
        // Same column and text: remembered; another store: not.
        assert_eq!(recall(a, &values), [7, 8, 9, NONE]);
        assert_eq!(recall(b, &values), [NONE; 4]);
        // A different text with the same slot, hash and length is not a hit, inline or not.
        let mut forged = value(0, "us-east-2");
        forged.hash = values[0].hash;
        let other_long = "z".repeat(INLINE + 1);
        let mut forged_long = value(0, &other_long);
        forged_long.hash = values[2].hash;
        assert_eq!(recall(a, &[forged, forged_long]), [NONE, NONE]);
    }

    #[test]
    fn identity_blocks_are_recalled_for_their_store_only() {
        let (a, b) = (Generation::default(), Generation::default());
        let ids: IdentityIds = [1, 2, 3, NONE, 5, 6, 7, 8, 9, 10, 11, 12];
        assert_eq!(recall_identity(a, 4), None);
        remember_identities(a, [(4, ids)].into_iter());
        assert_eq!(recall_identity(a, 4), Some(ids));
        assert_eq!(recall_identity(a, 5), None);
        assert_eq!(recall_identity(b, 4), None, "another store");
        remember_identities(b, [(5, ids)].into_iter());
        assert_eq!(recall_identity(a, 4), None, "one store at a time");
        assert_eq!(recall_identity(b, 5), Some(ids));
    }

    #[test]
    fn a_full_arena_starts_afresh_without_losing_exactness() {
        let g = Generation::default();
        let texts: Vec<String> = (0..(ARENA_LIMIT / 1000) + 10).map(|i| format!("{i:01000}")).collect();
        let values: Vec<LocalValue<'_>> = texts.iter().map(|t| value(3, t)).collect();
        let ids: Vec<u32> = (0..values.len() as u32).collect();
        remember(g, &values, &ids);
        // Only the values remembered after the reset are recalled, each with its own id.
        let recalled = recall(g, &values);
        assert_eq!(recalled.last(), ids.last());
        for (got, want) in recalled.iter().zip(&ids) {
            assert!(*got == NONE || got == want);
        }
        assert!(recalled.iter().filter(|&&r| r != NONE).count() <= 11, "the memory was reset");
    }
}
