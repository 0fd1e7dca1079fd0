//! String interning with postings: every distinct value of a facet gets a `u32` id, and
//! each id keeps the sorted list of events that carry it, so a facet filter is a lookup
//! and a set operation, never a scan of the events.
//!
//! Postings are built in bulk ([`FacetIndex::index_column`], [`FacetIndex::index_lists`])
//! as compressed-row segments: one array of event ids grouped by value, and each value's
//! offset into it. A list per value (`Vec<Vec<u32>>`) cost an allocation for each of the
//! ~134,000 distinct session creation dates of the standard 1M-event corpus, and regrowth
//! for the long lists; counting first and then placing each event once took the end of a
//! load of that corpus (postings and time order, all workers done) from ~240 ms to
//! ~160 ms. A load indexed in several steps (the explorer indexes what has arrived every
//! few hundred milliseconds) gets a segment per step, merged while the newest is at least
//! half the size of the one before, so a value's events are in at most ~log2(events)
//! slices.
//!
//! Values are found by a hash the caller may have computed already ([`hash_str`]): the
//! load workers hash each value while preparing a file outside the store lock, so the
//! locked phase only probes and compares.

use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::HashTable;

use crate::hash_keys::FOLDHASH;

/// Marks "no value" in a facet column.
pub const NONE: u32 = u32::MAX;

/// The hash every interner uses for a value (workers compute it ahead of the lock).
///
/// Values are hostile: an attacker picks user agents, role session names and request
/// parameters simply by making API calls. Under a fixed, public hash (FxHash, which this
/// was) strings that collide can be computed in seconds: 65,536 printable 305-byte user
/// agents with one FxHash (`tests/hostile_hash_flood.rs`'s construction, two chunks
/// longer) took 123 s to load, every value probing past all the others, and the time grows
/// with the square of their number; keyed, they load in 0.4 s. Foldhash keyed once per
/// process ([`FOLDHASH`]) is as fast as FxHash. It is not a cryptographic hash, but
/// finding its collisions needs the key, which an input file cannot see.
pub fn hash_str(value: &str) -> u64 {
    FOLDHASH.hash_one(value)
}

/// Whether two values have the same bytes. Most values are short (regions, accounts, event
/// names and sources, addresses), and comparing those of 4 to 32 bytes as a few
/// overlapping words in place beats the call to `memcmp` that `==` makes (the load compares
/// ~25 values per event, most of them equal); longer ones (user agents, ARNs) still go to
/// `memcmp`.
#[inline(always)]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or_default());
    match n {
        0..=3 => a == b,
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=32 => {
            word(a, 0) == word(b, 0)
                && word(a, 8) == word(b, 8)
                && word(a, n - 16) == word(b, n - 16)
                && word(a, n - 8) == word(b, n - 8)
        }
        _ => a == b,
    }
}

/// The distinct values of one facet and, for each, the events that have it.
#[derive(Debug, Default)]
pub struct FacetIndex {
    values: Vec<Box<str>>,
    /// [`hash_str`] of each value: growing the table rehashes every id, and reading a
    /// number beats hashing the value's text again (a cache miss or two per value).
    hashes: Vec<u64>,
    /// Ids into `values`, by [`hash_str`] of the value.
    table: HashTable<u32>,
    /// Postings of ever later events, oldest first (see the module documentation). Unset
    /// while never built: a facet the load does not index (see `Facet::indexed_on_load`)
    /// gets its postings whole from its column when they are first asked for.
    segments: OnceLock<Vec<Segment>>,
}

/// The postings of a run of events: `events[offsets[id]..offsets[id + 1]]` are the events
/// of value `id` (values interned after the segment was built have none in it).
#[derive(Debug, Default)]
struct Segment {
    offsets: Vec<u32>,
    events: Vec<u32>,
}

impl Segment {
    fn of(&self, id: u32) -> &[u32] {
        let i = id as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&start), Some(&end)) => &self.events[start as usize..end as usize],
            _ => &[],
        }
    }

    /// The postings of `pairs` — (event, value id) in ascending event order, each pair
    /// once — for ids below `distinct`. `pairs` is called twice: to count, then to place.
    fn build<I: Iterator<Item = (u32, u32)>>(distinct: usize, pairs: impl Fn() -> I) -> Segment {
        let mut offsets = vec![0u32; distinct + 1];
        for (_, id) in pairs() {
            offsets[id as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets[..distinct].to_vec();
        let mut events = vec![0u32; offsets[distinct] as usize];
        for (event, id) in pairs() {
            let at = &mut next[id as usize];
            events[*at as usize] = event;
            *at += 1;
        }
        Segment { offsets, events }
    }

    /// The postings of the events `first..` of a column ([`NONE`] for no value).
    fn of_column(distinct: usize, first: u32, ids: &[u32]) -> Segment {
        Segment::build(distinct, || (first..).zip(ids.iter().copied()).filter(|&(_, id)| id != NONE))
    }

    /// `older` then `newer` (whose events all come later), as one segment.
    fn merge(older: &Segment, newer: &Segment) -> Segment {
        let distinct = older.offsets.len().max(newer.offsets.len()).saturating_sub(1);
        let mut offsets = Vec::with_capacity(distinct + 1);
        let mut events = Vec::with_capacity(older.events.len() + newer.events.len());
        offsets.push(0);
        for id in 0..distinct as u32 {
            events.extend_from_slice(older.of(id));
            events.extend_from_slice(newer.of(id));
            offsets.push(events.len() as u32);
        }
        Segment { offsets, events }
    }
}

/// The events carrying one value, in ascending event order: one slice per segment of
/// postings that has any (a single slice once a load is indexed in one step).
#[derive(Clone, Copy)]
pub struct Postings<'a> {
    segments: &'a [Segment],
    id: u32,
}

impl<'a> Postings<'a> {
    /// The slices, in ascending event order.
    pub fn slices(self) -> impl Iterator<Item = &'a [u32]> {
        self.segments.iter().map(move |s| s.of(self.id)).filter(|s| !s.is_empty())
    }

    pub fn iter(self) -> PostingsIter<'a> {
        PostingsIter { segments: self.segments.iter(), id: self.id, current: [].iter() }
    }

    pub fn len(self) -> usize {
        self.slices().map(<[u32]>::len).sum()
    }

    pub fn is_empty(self) -> bool {
        self.slices().next().is_none()
    }

    pub fn to_vec(self) -> Vec<u32> {
        self.iter().collect()
    }
}

impl<'a> IntoIterator for Postings<'a> {
    type Item = u32;
    type IntoIter = PostingsIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The events of [`Postings`], one at a time.
pub struct PostingsIter<'a> {
    segments: std::slice::Iter<'a, Segment>,
    id: u32,
    current: std::slice::Iter<'a, u32>,
}

impl Iterator for PostingsIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        loop {
            if let Some(&event) = self.current.next() {
                return Some(event);
            }
            self.current = self.segments.next()?.of(self.id).iter();
        }
    }
}

impl FacetIndex {
    /// The id of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        self.intern_hashed(value, hash_str(value))
    }

    /// [`FacetIndex::intern`] with `hash == hash_str(value)` already computed.
    pub fn intern_hashed(&mut self, value: &str, hash: u64) -> u32 {
        debug_assert_eq!(hash, hash_str(value));
        let values = &self.values;
        if let Some(&id) = self.table.find(hash, |&id| same_bytes(values[id as usize].as_bytes(), value.as_bytes())) {
            return id;
        }
        let id = self.values.len() as u32;
        let hashes = &self.hashes;
        self.table.insert_unique(hash, id, |&id| hashes[id as usize]);
        self.values.push(value.into());
        self.hashes.push(hash);
        id
    }

    /// Adds the postings of events `first..` whose value ids are `ids` ([`NONE`] for none).
    pub fn index_column(&mut self, first: u32, ids: &[u32]) {
        self.add_segment(Segment::of_column(self.len(), first, ids));
    }

    /// Whether the postings were built (by a load, or on first use).
    pub(super) fn is_built(&self) -> bool {
        self.segments.get().is_some()
    }

    /// [`FacetIndex::index_column`] for a facet indexed on first use: adds to its postings
    /// only if they were built already (else they are built whole when first asked for).
    pub fn index_column_if_built(&mut self, first: u32, ids: &[u32]) {
        if self.is_built() {
            self.index_column(first, ids);
        }
    }

    /// Adds the postings of events `first..` whose value ids are the lists `ids[ends[k - 1]..
    /// ends[k]]` (from `start` for the first event); an id repeated within one list counts
    /// once.
    pub fn index_lists(&mut self, first: u32, start: u32, ends: &[u32], ids: &[u32]) {
        // Resources are few per event: gather the pairs once rather than walk the lists twice.
        let mut pairs = Vec::with_capacity(ids.len().saturating_sub(start as usize));
        let mut from = start as usize;
        for (event, &to) in (first..).zip(ends) {
            let list = &ids[from..to as usize];
            for (k, &id) in list.iter().enumerate() {
                if !list[..k].contains(&id) {
                    pairs.push((event, id));
                }
            }
            from = to as usize;
        }
        self.add_segment(Segment::build(self.len(), || pairs.iter().copied()));
    }

    fn add_segment(&mut self, segment: Segment) {
        if self.segments.get().is_none() {
            self.segments = OnceLock::from(Vec::new());
        }
        let segments = self.segments.get_mut().expect("set just above");
        if segment.events.is_empty() {
            return;
        }
        segments.push(segment);
        while let [.., older, newer] = &segments[..] {
            if newer.events.len() * 2 < older.events.len() {
                break;
            }
            let merged = Segment::merge(older, newer);
            segments.truncate(segments.len() - 2);
            segments.push(merged);
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn value(&self, id: u32) -> Option<&str> {
        self.values.get(id as usize).map(|b| &**b)
    }

    pub fn id_of(&self, value: &str) -> Option<u32> {
        self.table
            .find(hash_str(value), |&id| same_bytes(self.values[id as usize].as_bytes(), value.as_bytes()))
            .copied()
    }

    /// Events carrying value `id`, in ascending event order. `column` is the facet's
    /// column over the events indexed so far, read only to build postings never built (the
    /// store passes it: see `Store::facet`).
    pub(super) fn postings_from(&self, id: u32, column: &[u32]) -> Postings<'_> {
        let segments = self.segments.get_or_init(|| {
            let whole = Segment::of_column(self.len(), 0, column);
            if whole.events.is_empty() {
                Vec::new()
            } else {
                vec![whole]
            }
        });
        Postings { segments, id }
    }

    /// `(id, value)` for every distinct value.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.values.iter().enumerate().map(|(i, v)| (i as u32, &**v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_agrees_with_equality_at_every_length() {
        // Every length up to past the word-compared ones, equal and differing at each byte.
        for n in 0..40 {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            assert!(same_bytes(a.as_bytes(), a.clone().as_bytes()), "{n}");
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'_';
                assert!(!same_bytes(a.as_bytes(), &b), "{n} bytes, differing at {at}");
            }
            assert!(!same_bytes(a.as_bytes(), format!("{a}x").as_bytes()), "{n} vs {}", n + 1);
        }
    }

    fn ids(f: &mut FacetIndex, values: &[&str]) -> Vec<u32> {
        values.iter().map(|v| if v.is_empty() { NONE } else { f.intern(v) }).collect()
    }

    #[test]
    fn interns_once_and_keeps_sorted_postings() {
        let mut f = FacetIndex::default();
        let column = ids(&mut f, &["GetObject", "PutObject", "", "GetObject"]);
        assert_eq!(column, [0, 1, NONE, 0]);
        f.index_column(0, &column);
        assert_eq!(f.postings_from(0, &[]).to_vec(), [0, 3]);
        assert_eq!(f.postings_from(1, &[]).to_vec(), [1]);
        assert_eq!(f.postings_from(7, &[]).to_vec(), Vec::<u32>::new(), "an unknown id has no events");
        assert_eq!((f.postings_from(0, &[]).len(), f.postings_from(5, &[]).is_empty()), (2, true));
        assert_eq!(f.value(1), Some("PutObject"));
        assert_eq!(f.id_of("nope"), None);
        assert_eq!(f.len(), 2);
    }

    /// Indexing in steps of any size (with values first met in later steps) gives the same
    /// postings as indexing at once, checked against a list per value, and keeps few
    /// segments.
    #[test]
    fn postings_indexed_in_steps_equal_those_indexed_at_once() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let events = 5000u32;
        let column: Vec<u32> =
            (0..events).map(|e| if next(7) == 0 { NONE } else { next(u64::from(e) / 10 + 1) as u32 }).collect();
        let mut expected: Vec<Vec<u32>> = vec![Vec::new(); events as usize];
        for (e, &id) in column.iter().enumerate() {
            if id != NONE {
                expected[id as usize].push(e as u32);
            }
        }
        let mut whole = FacetIndex::default();
        let mut stepped = FacetIndex::default();
        let intern_up_to = |f: &mut FacetIndex, ids: &[u32]| {
            let max = ids.iter().filter(|&&id| id != NONE).max().map_or(0, |&m| m as usize + 1);
            while f.len() < max {
                f.intern(&f.len().to_string());
            }
        };
        intern_up_to(&mut whole, &column);
        whole.index_column(0, &column);
        let mut at = 0usize;
        while at < column.len() {
            let step = (1 + next(400) as usize).min(column.len() - at);
            intern_up_to(&mut stepped, &column[at..at + step]);
            stepped.index_column(at as u32, &column[at..at + step]);
            at += step;
        }
        let segments = |f: &FacetIndex| f.segments.get().map_or(0, Vec::len);
        assert!(segments(&stepped) <= 14, "{} segments", segments(&stepped));
        assert_eq!(segments(&whole), 1);
        for (id, list) in expected.iter().enumerate() {
            assert_eq!(&whole.postings_from(id as u32, &[]).to_vec(), list, "value {id}");
            assert_eq!(&stepped.postings_from(id as u32, &[]).to_vec(), list, "value {id}");
            assert_eq!(whole.postings_from(id as u32, &[]).slices().count(), usize::from(!list.is_empty()));
        }
    }

    /// A facet indexed on first use: nothing is built until postings are asked for, then
    /// they come whole from the column given, and later steps add to them.
    #[test]
    fn postings_built_on_first_use_then_kept_up() {
        let mut f = FacetIndex::default();
        let column = ids(&mut f, &["a", "b", "", "a", "b", "a"]);
        f.index_column_if_built(0, &column[..4]);
        assert!(!f.is_built(), "not built by the load");
        assert_eq!(f.postings_from(0, &column[..4]).to_vec(), [0, 3]);
        assert_eq!(f.postings_from(1, &[]).to_vec(), [1], "built once: the column is not read again");
        f.index_column_if_built(4, &column[4..]);
        assert_eq!(f.postings_from(0, &[]).to_vec(), [0, 3, 5]);
        assert_eq!(f.postings_from(1, &[]).to_vec(), [1, 4]);
        // Asked for before anything was indexed: built empty, then kept up as usual.
        let mut g = FacetIndex::default();
        let column = ids(&mut g, &["x", "y"]);
        assert!(g.postings_from(0, &[]).is_empty());
        g.index_column_if_built(0, &column);
        assert_eq!(g.postings_from(1, &[]).to_vec(), [1]);
    }

    #[test]
    fn lists_count_a_value_once_per_event() {
        let mut f = FacetIndex::default();
        let (a, b) = (f.intern("a"), f.intern("b"));
        // Events 10, 11, 12 with the lists [a, b, a], [], [b].
        f.index_lists(10, 0, &[3, 3, 4], &[a, b, a, b]);
        assert_eq!(f.postings_from(a, &[]).to_vec(), [10]);
        assert_eq!(f.postings_from(b, &[]).to_vec(), [10, 12]);
        // A later step starts where the last list ended.
        f.index_lists(13, 4, &[5], &[a, b, a, b, a]);
        assert_eq!(f.postings_from(a, &[]).to_vec(), [10, 13]);
    }
}
