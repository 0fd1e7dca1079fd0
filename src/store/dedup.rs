//! The eventID index behind deduplication: the hash of an eventID → the first event that
//! has it, plus, for the rare other eventIDs that hash the same, the first event of each.
//! (Later events with an eventID already here are judged in `shared_ids`.)
//!
//! An open-addressing table of 16-byte slots (hash and event side by side, so a probe is
//! one cache line) rather than a `HashMap`, whose control bytes and entries are two: with a
//! million events the table is far larger than the caches, and the misses of that probe
//! were most of the time the store lock was held. [`IdIndex::touch`] reads the slots of a
//! whole file's events before they are appended, so their misses overlap instead of
//! coming one event at a time.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::hash_keys::XXH3_SEED;

/// The hash of an eventID that the index files it under: xxh3, seeded per process. A file
/// from an untrusted source could otherwise carry many different eventIDs with one public
/// hash, each of which would be compared with all the others.
pub fn id_hash(id: &str) -> u64 {
    xxh3_64_with_seed(id.as_bytes(), *XXH3_SEED)
}

#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    /// [`EMPTY`] for a free slot.
    event: u32,
}

const EMPTY: u32 = u32::MAX;
const FIRST_CAPACITY: usize = 1 << 12;
/// The most hashes [`IdIndex::wanted_capacity`] makes room for (a table of 32 MB); larger
/// loads go on doubling from there.
const MAX_PRESIZED_IDS: usize = 1 << 20;

#[derive(Debug, Default)]
pub struct IdIndex {
    slots: Vec<Slot>,
    used: usize,
    more: FxHashMap<u64, Vec<u32>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}→{}", self.hash, self.event)
    }
}

impl IdIndex {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Where the probe for `hash` starts (the hash is xxh3: its low bits are uniform).
    fn home(&self, hash: u64) -> usize {
        hash as usize & self.mask()
    }

    /// Reads the home slot of every hash, so that the cache misses of a batch overlap.
    pub fn touch(&self, hashes: impl Iterator<Item = u64>) {
        if self.slots.is_empty() {
            return;
        }
        let mut sink = 0u64;
        for h in hashes {
            sink ^= self.slots[self.home(h)].hash;
        }
        std::hint::black_box(sink);
    }

    /// The first event recorded under `hash`; when there is none, records `event` as it.
    pub fn first_or_insert(&mut self, hash: u64, event: u32) -> Option<u32> {
        if (self.used + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mut i = self.home(hash);
        loop {
            let slot = self.slots[i];
            if slot.event == EMPTY {
                self.slots[i] = Slot { hash, event };
                self.used += 1;
                return None;
            }
            if slot.hash == hash {
                return Some(slot.event);
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Events after the first recorded under `hash` (each with an eventID of its own).
    pub fn more(&self, hash: u64) -> &[u32] {
        self.more.get(&hash).map_or(&[], Vec::as_slice)
    }

    /// Records a further event under `hash` (whose first is already recorded), one whose
    /// eventID differs from those of the events already recorded under it.
    pub fn push_more(&mut self, hash: u64, event: u32) {
        self.more.entry(hash).or_default().push(event);
    }

    /// The table size to make room for `events` hashes in all at once, when it is
    /// larger than the present one. Each doubling on the way there moves every entry into
    /// a new table (on the 1M corpus ~1M cache-missing moves under the store lock, and
    /// 32 MB of tables written and let go). The size is the one `events` hashes would end
    /// with, with no margin: as every slot is written, room an estimate got wrong costs
    /// memory here (hence also the cap at [`MAX_PRESIZED_IDS`]), and an estimate a little
    /// short of a load just past a power of two leaves the last doubling to happen as before.
    /// Made ahead with [`EmptyIdTable::new`], the table is taken by [`IdIndex::adopt`].
    pub fn wanted_capacity(&self, events: usize) -> Option<usize> {
        let capacity = (events.min(MAX_PRESIZED_IDS) * 2).next_power_of_two().max(FIRST_CAPACITY);
        (capacity > self.slots.len()).then_some(capacity)
    }

    /// Moves every entry into `table`, if it is larger than the present one.
    pub fn adopt(&mut self, table: EmptyIdTable) {
        if table.0.len() > self.slots.len() {
            self.refill(table.0);
        }
    }

    fn grow(&mut self) {
        self.refill(EmptyIdTable::new((self.slots.len() * 2).max(FIRST_CAPACITY)).0);
    }

    /// Moves every entry into `slots`, an empty table of a power-of-two size.
    fn refill(&mut self, slots: Vec<Slot>) {
        let old = std::mem::replace(&mut self.slots, slots);
        for slot in old.into_iter().filter(|s| s.event != EMPTY) {
            let mut i = self.home(slot.hash);
            while self.slots[i].event != EMPTY {
                i = (i + 1) & self.mask();
            }
            self.slots[i] = slot;
        }
    }
}

/// An empty eventID table, which can be made before it is needed and away from the
/// store's lock: writing every slot of the 32 MB table for the 1M corpus took ~25 ms, and
/// held both load workers up while it was done under the lock.
pub struct EmptyIdTable(Vec<Slot>);

impl EmptyIdTable {
    /// A table of `capacity` slots (rounded up to a power of two).
    pub fn new(capacity: usize) -> Self {
        EmptyIdTable(vec![Slot { hash: 0, event: EMPTY }; capacity.next_power_of_two()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Room for `events` hashes, as the load makes it.
    fn expect(index: &mut IdIndex, events: usize) {
        if let Some(capacity) = index.wanted_capacity(events) {
            index.adopt(EmptyIdTable::new(capacity));
        }
    }

    #[test]
    fn first_event_per_hash_through_growth_and_clustering() {
        let mut index = IdIndex::default();
        // Hashes that share their low bits probe into one cluster.
        let hashes: Vec<u64> =
            (0..20_000u64).map(|i| if i % 3 == 0 { i << 40 } else { i.wrapping_mul(0x9E37_79B9_7F4A_7C15) }).collect();
        for (ev, &h) in hashes.iter().enumerate() {
            assert_eq!(index.first_or_insert(h, ev as u32), None);
        }
        for (ev, &h) in hashes.iter().enumerate() {
            assert_eq!(index.first_or_insert(h, 999_999), Some(ev as u32));
        }
        index.touch(hashes.iter().copied());
        assert!(index.more(hashes[0]).is_empty());
        index.push_more(hashes[0], 7);
        index.push_more(hashes[0], 9);
        assert_eq!(index.more(hashes[0]), [7, 9]);
        expect(&mut index, 100); // smaller than the table: nothing to do
        index.adopt(EmptyIdTable::new(1 << 10)); // nor a smaller table
        assert_eq!(index.slots.len(), 1 << 16);
        // The hash 0 and u64::MAX are ordinary keys.
        assert_eq!(index.first_or_insert(0, 1), Some(0));
        assert_eq!(index.first_or_insert(u64::MAX, 5), None);
        assert_eq!(index.first_or_insert(u64::MAX, 6), Some(5));
    }

    #[test]
    fn expected_hashes_fit_without_growing_and_keep_what_was_there() {
        let mut index = IdIndex::default();
        let hash = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for i in 0..1000 {
            index.first_or_insert(hash(i), i as u32);
        }
        expect(&mut index, 50_000);
        assert_eq!(index.slots.len(), 1 << 17, "room for 50,000 at most half full");
        for i in 0..50_000 {
            let expected = (i < 1000).then_some(i as u32);
            assert_eq!(index.first_or_insert(hash(i), i as u32), expected, "hash {i}");
        }
        assert_eq!(index.slots.len(), 1 << 17, "no doubling on the way");
        expect(&mut index, usize::MAX);
        assert_eq!(index.slots.len(), MAX_PRESIZED_IDS * 2, "capped");
        assert_eq!(index.first_or_insert(hash(7), 1), Some(7));
    }
}
