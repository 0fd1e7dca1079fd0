//! The in-memory event store: append-only columns, one interner with postings per facet,
//! the compressed original bytes, deduplication and time order.
//!
//! Events get ids in arrival order (`u32`); `time_order()` is the permutation that sorts
//! them by time (untimed last). Workers append whole files under the store's write lock,
//! which is held for the interning only — parsing and compression happen before.

pub mod batch;
mod dedup;
pub mod facet;
pub mod interner;
pub mod known;
pub mod prefault;
pub mod raw;
mod shared_ids;

pub use batch::PreparedBatch;
pub use dedup::EmptyIdTable;
pub use facet::Facet;
pub use interner::{FacetIndex, Postings, NONE};
pub use prefault::Prefault;
pub use raw::{Locator, PreparedRaw, RawStore};

use crate::ingest::report::Problem;
use crate::model::time::UNTIMED;

/// Read access to a store shared behind a lock. Poisoning is ignored: a worker appends
/// whole files under the lock, so a panic elsewhere never leaves a half-appended file.
pub fn read_store(lock: &std::sync::RwLock<Store>) -> std::sync::RwLockReadGuard<'_, Store> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

/// Write access to a store shared behind a lock (see [`read_store`]).
pub fn write_store(lock: &std::sync::RwLock<Store>) -> std::sync::RwLockWriteGuard<'_, Store> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

/// Per-event flags.
pub mod flags {
    /// Only part of a CloudTrail record is known (CSV row, space-delimited line).
    pub const PARTIAL: u8 = 1;
    /// The event time could not be parsed; the event sorts last.
    pub const UNTIMED: u8 = 2;
    /// Another, different event has the same eventID.
    pub const ID_COLLISION: u8 = 4;
    /// A CloudTrail Insights record.
    pub const INSIGHT: u8 = 8;
    /// The request-dependent notable rule for this event's call holds (decided at ingest
    /// by `analysis::at_ingest`, which has the bytes in hand).
    pub const NOTABLE_CONDITION: u8 = 16;
}

/// Counters and problems of everything loaded into the store.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub records: u64,
    pub duplicates: u64,
    pub id_collisions: u64,
    pub files: u64,
    pub files_failed: u64,
    pub files_skipped: u64,
    pub digests: u64,
    pub untimed: u64,
    pub partial: u64,
    pub salvaged: u64,
    pub bytes_read: u64,
    pub problems: Vec<Problem>,
    /// Files (and stdin) read from disk, with their SHA-256 when the load was asked to hash.
    pub inputs: Vec<InputFile>,
}

/// One file read from disk (archive members are inside it).
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: Option<String>,
}

/// The most events [`Store::make_room`] makes room for at once (an estimate made from a
/// few files can be far off; ~4 GB of columns).
const MAX_EXPECTED: usize = 1 << 24;

/// Strings that are unique per event, kept in one arena.
#[derive(Debug, Default)]
struct StrColumn {
    text: String,
    ends: Vec<u32>,
}

impl StrColumn {
    fn push(&mut self, s: Option<&str>) {
        self.text.push_str(s.unwrap_or(""));
        self.ends.push(self.text.len() as u32);
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let s = &self.text[start..end];
        (!s.is_empty()).then_some(s)
    }
}

/// What an append did.
#[derive(Debug, Default, Clone, Copy)]
pub struct AppendOutcome {
    pub added: u64,
    pub duplicates: u64,
}

/// The store.
#[derive(Debug, Default)]
pub struct Store {
    time: Vec<i64>,
    flags: Vec<u8>,
    locators: Vec<Locator>,
    content_hash: Vec<u64>,
    event_ids: StrColumn,
    request_ids: StrColumn,
    columns: Vec<Vec<u32>>,
    facets: Vec<FacetIndex>,
    resource_ends: Vec<u32>,
    resource_values: Vec<u32>,
    resources: FacetIndex,
    raw: RawStore,
    /// eventID hash → the first event with each eventID that hashes so.
    dedup: dedup::IdIndex,
    /// The contents seen under each eventID that different events share (see
    /// [`shared_ids`]).
    shared_ids: shared_ids::SharedIds,
    /// Which store this is, for the workers' memory of global ids (see `known`).
    generation: known::Generation,
    time_order: Vec<u32>,
    /// Events indexed: postings are built in bulk by `finish` (those of facets the load
    /// does not index, on first use) up to here.
    indexed: usize,
    pub report: LoadReport,
}

impl Store {
    pub fn new() -> Self {
        Self {
            columns: vec![Vec::new(); Facet::SINGLE.len()],
            facets: (0..Facet::SINGLE.len()).map(|_| FacetIndex::default()).collect(),
            ..Default::default()
        }
    }

    /// Which store this is (see [`known`]).
    pub fn generation(&self) -> known::Generation {
        self.generation
    }

    /// The size of the eventID table [`Store::make_room`] wants for `expected` more
    /// events, if it is larger than the present one: the caller makes it (with
    /// [`EmptyIdTable::new`]) before taking the store's lock.
    pub fn wanted_id_table(&self, expected: usize) -> Option<usize> {
        self.dedup.wanted_capacity(self.len() + expected.min(MAX_EXPECTED))
    }

    /// Makes room for an estimated `expected` more events (at most [`MAX_EXPECTED`]), and
    /// returns the memory those events will fill (up to [`prefault::BUDGET_BYTES`]), for
    /// [`Prefault::run_while`] once the lock is released. Otherwise every per-event column
    /// doubles as it fills, and each doubling copies it under the store lock (1.5% of a
    /// 1M-event load's CPU). The columns get a quarter more than the estimate, and the
    /// arenas as much by their bytes per event so far: an estimate short of the mark would
    /// leave the costliest doubling, that of the full columns, still to happen, and where
    /// memory is overcommitted (Linux by default) the margin costs address space, not
    /// memory, since its pages are mapped only when written; room that cannot be had is
    /// simply not made. Only the estimate itself is mapped ahead, within the budget, since
    /// an estimate can be far too high. The eventID table, whose slots are all written,
    /// comes sized for the estimate itself, up to a cap (see [`Store::wanted_id_table`]).
    pub fn make_room(&mut self, expected: usize, id_table: Option<EmptyIdTable>) -> Prefault {
        const MARGIN: f64 = 1.25;
        if let Some(table) = id_table {
            self.dedup.adopt(table);
        }
        let expected = expected.min(MAX_EXPECTED);
        let additional = ((MARGIN * expected as f64) as usize).min(MAX_EXPECTED);
        let len = self.len().max(1);
        // Room for `events` events in something that holds `now` for `len` events.
        let room = |now: usize, events: usize| (now as f64 / len as f64 * events as f64) as usize;
        let mut prefault = Prefault::default();
        // Room for `more` elements, of which the first `ahead` are to be mapped ahead.
        fn make<T>(v: &mut Vec<T>, more: usize, ahead: usize, prefault: &mut Prefault) {
            let _ = v.try_reserve_exact(more);
            prefault.spare(v, ahead);
        }
        make(&mut self.time, additional, expected, &mut prefault);
        make(&mut self.flags, additional, expected, &mut prefault);
        make(&mut self.locators, additional, expected, &mut prefault);
        make(&mut self.content_hash, additional, expected, &mut prefault);
        for ids in [&mut self.event_ids, &mut self.request_ids] {
            make(&mut ids.ends, additional, expected, &mut prefault);
            let now = ids.text.len();
            let _ = ids.text.try_reserve_exact(room(now, additional));
            prefault.spare_text(&ids.text, room(now, expected));
        }
        for column in &mut self.columns {
            make(column, additional, expected, &mut prefault);
        }
        make(&mut self.resource_ends, additional, expected, &mut prefault);
        let now = self.resource_values.len();
        make(&mut self.resource_values, room(now, additional), room(now, expected), &mut prefault);
        prefault
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Appends one prepared input; duplicates are counted, not stored. Only the mapping
    /// of the input's distinct values to global ids and the dedup lookups happen here,
    /// under the caller's write lock. The batch keeps the global ids it learned, for
    /// [`PreparedBatch::remember_known`] once the lock is released.
    pub fn append(&mut self, batch: &mut PreparedBatch<'_>) -> AppendOutcome {
        let base_blob = self.raw.adopt(std::mem::take(&mut batch.blobs));
        let PreparedBatch { path, events, values, resources, known: global, learned, .. } = batch;
        global.resize(values.list.len(), NONE);
        for (v, id) in values.list.iter().zip(global.iter_mut()) {
            if *id == NONE {
                *learned = true;
                *id = match v.column {
                    batch::RESOURCE_COLUMN => self.resources.intern_hashed(&v.text, v.hash),
                    c => self.facets[c as usize].intern_hashed(&v.text, v.hash),
                };
            }
        }
        let file_id = self.facets[batch::col(Facet::File)].intern(path);
        let mut outcome = AppendOutcome::default();
        self.dedup.touch(events.iter().filter(|e| e.event_id.is_some()).map(|e| e.id_hash));
        // The events kept (not duplicates), by index in `events`; their value columns are
        // filled after the loop, a column at a time (one pass of writes per column instead
        // of a write to each of ~26 columns per event).
        let mut kept = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            self.report.records += 1;
            let ev = self.time.len() as u32;
            let mut shares_id_with = None;
            if let Some(id) = event.event_id.as_deref() {
                match self.claim_id(id, event, ev) {
                    Lookup::Duplicate => {
                        self.report.duplicates += 1;
                        outcome.duplicates += 1;
                        continue;
                    }
                    Lookup::SharesIdWith(first) => shares_id_with = Some(first),
                    Lookup::New => {}
                }
            }
            if event.flags & flags::UNTIMED != 0 {
                self.report.untimed += 1;
            }
            if event.flags & flags::PARTIAL != 0 {
                self.report.partial += 1;
            }
            kept.push(i);
            self.time.push(event.time);
            self.flags.push(event.flags);
            self.locators.push(Locator { blob: event.locator.blob + base_blob, ..event.locator });
            self.content_hash.push(event.content_hash);
            self.event_ids.push(event.event_id.as_deref());
            self.request_ids.push(event.request_id.as_deref());
            for &local in &resources[event.resources.0 as usize..event.resources.1 as usize] {
                self.resource_values.push(global[local as usize]);
            }
            self.resource_ends.push(self.resource_values.len() as u32);
            if let Some(first) = shares_id_with {
                for other in [first, ev] {
                    let f = &mut self.flags[other as usize];
                    if *f & flags::ID_COLLISION == 0 {
                        *f |= flags::ID_COLLISION;
                        self.report.id_collisions += 1;
                    }
                }
            }
            outcome.added += 1;
        }
        let file_column = batch::col(Facet::File);
        for (c, column) in self.columns.iter_mut().enumerate() {
            if c == file_column {
                column.extend(std::iter::repeat_n(file_id, kept.len()));
            } else {
                column.extend(kept.iter().map(|&i| match events[i].values[c] {
                    NONE => NONE,
                    remembered if remembered & batch::GLOBAL != 0 => remembered & !batch::GLOBAL,
                    local => global[local as usize],
                }));
            }
        }
        outcome
    }

    /// Looks `id` (the eventID of `event`) up for the event about to become `ev`: a new
    /// eventID is recorded with `ev` as its first event; otherwise the event is judged
    /// against those with the eventID ([`shared_ids`]). One probe of the index in the
    /// common case, a new id.
    fn claim_id(&mut self, id: &str, event: &batch::PreparedEvent, ev: u32) -> Lookup {
        let Some(first) = self.dedup.first_or_insert(event.id_hash, ev) else { return Lookup::New };
        // Different eventIDs with the same hash are chained, one event for each.
        let same_id = std::iter::once(first)
            .chain(self.dedup.more(event.id_hash).iter().copied())
            .find(|&c| self.event_ids.get(c as usize) == Some(id));
        let Some(first) = same_id else {
            self.dedup.push_more(event.id_hash, ev);
            return Lookup::New;
        };
        // Text formats (CSV rows, space-delimited lines), and only they, make partial events.
        let json = (self.flags[first as usize] | event.flags) & flags::PARTIAL == 0;
        let Store { shared_ids, content_hash, raw, locators, .. } = self;
        let first_bytes = || raw.get(locators[first as usize]).ok();
        match shared_ids.judge(first, content_hash[first as usize], event.content_hash, &event.bytes, json, first_bytes)
        {
            shared_ids::Verdict::Copy => Lookup::Duplicate,
            shared_ids::Verdict::Different => Lookup::SharesIdWith(first),
        }
    }

    /// Builds the postings and the time order for events appended since the last call.
    /// The two touch disjoint parts of the store and run side by side: the postings in
    /// bulk, one column at a time, the columns in turns on two threads (appending
    /// postings event by event, 21 scattered writes each, under the store lock kept the
    /// load workers waiting on each other), the time order on a third. At the end of a
    /// load the workers are done, so this is the only work left. Facets the load does not
    /// index ([`Facet::indexed_on_load`]) are passed over until their postings are first
    /// asked for (see [`FacetView::postings`]).
    pub fn finish(&mut self) {
        let (from, to) = (self.indexed, self.time.len());
        let Store {
            columns, facets, resources, resource_ends, resource_values, time, content_hash, time_order, ..
        } = self;
        // Columns in turns to the two threads: most of those the load indexes come first in
        // column order, so halves would not be even.
        let (mut work_a, mut work_b) = (Vec::new(), Vec::new());
        for (i, ((facet, column), index)) in
            Facet::SINGLE.into_iter().zip(columns.iter()).zip(facets.iter_mut()).enumerate()
        {
            if i % 2 == 0 {
                work_a.push((facet, column, index))
            } else {
                work_b.push((facet, column, index))
            }
        }
        std::thread::scope(|s| {
            if from < to {
                s.spawn(move || {
                    index_columns(work_a, from, to);
                    index_resources(resource_ends, resource_values, resources, from, to);
                });
                s.spawn(move || index_columns(work_b, from, to));
            }
            sort_time_order(time, content_hash, time_order);
        });
        self.indexed = to;
        // Workers finish files in any order: the report lists problems by path, so that
        // it reads the same on every run.
        self.report.problems.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Event ids in time order (call [`Store::finish`] after appending).
    pub fn time_order(&self) -> &[u32] {
        &self.time_order
    }

    /// Events of the time order whose time is within `[since, until]` (inclusive bounds;
    /// untimed events are outside every bounded range).
    pub fn time_range(&self, since: Option<i64>, until: Option<i64>) -> &[u32] {
        let order = &self.time_order;
        let lo = since.map_or(0, |s| order.partition_point(|&e| self.time[e as usize] < s));
        let hi = match until {
            Some(u) => order.partition_point(|&e| self.time[e as usize] <= u),
            None if since.is_some() => order.partition_point(|&e| self.time[e as usize] != UNTIMED),
            None => order.len(),
        };
        &order[lo..hi.max(lo)]
    }

    pub fn time(&self, event: u32) -> Option<i64> {
        let t = self.time[event as usize];
        (t != UNTIMED).then_some(t)
    }

    /// The key of the time order: time (untimed last), then content hash, so events of
    /// the same second sort the same way whatever order the workers appended them in.
    pub fn order_key(&self, event: u32) -> (i64, u64) {
        (self.time[event as usize], self.content_hash[event as usize])
    }

    pub fn flags(&self, event: u32) -> u8 {
        self.flags[event as usize]
    }

    pub fn event_id(&self, event: u32) -> Option<&str> {
        self.event_ids.get(event as usize)
    }

    pub fn request_id(&self, event: u32) -> Option<&str> {
        self.request_ids.get(event as usize)
    }

    pub fn locator(&self, event: u32) -> Locator {
        self.locators[event as usize]
    }

    /// The event's original bytes, exactly as read.
    pub fn raw_bytes(&self, event: u32) -> std::io::Result<Vec<u8>> {
        self.raw.get(self.locators[event as usize])
    }

    pub fn raw_store(&self) -> &RawStore {
        &self.raw
    }

    /// A facet: its values and their events.
    pub fn facet(&self, facet: Facet) -> FacetView<'_> {
        match facet.column() {
            Some(c) => FacetView { index: &self.facets[c], column: &self.columns[c][..self.indexed] },
            None => FacetView { index: &self.resources, column: &[] },
        }
    }

    /// The value id of a single-valued facet for `event` ([`NONE`] when absent).
    pub fn value_id(&self, event: u32, facet: Facet) -> u32 {
        match facet.column() {
            Some(c) => self.columns[c][event as usize],
            None => NONE,
        }
    }

    /// The whole column of a single-valued facet (value ids by event, [`NONE`] when
    /// absent; empty for `Resource`), for bulk passes over many events.
    pub fn column(&self, facet: Facet) -> &[u32] {
        facet.column().map_or(&[], |c| &self.columns[c])
    }

    /// The value of a single-valued facet for `event`.
    pub fn value(&self, event: u32, facet: Facet) -> Option<&str> {
        let c = facet.column()?;
        self.facets[c].value(self.columns[c][event as usize])
    }

    /// Resource ARNs and types of `event`.
    pub fn resources(&self, event: u32) -> impl Iterator<Item = &str> {
        let e = event as usize;
        let start = if e == 0 { 0 } else { self.resource_ends[e - 1] as usize };
        let end = self.resource_ends[e] as usize;
        self.resource_values[start..end].iter().filter_map(|&id| self.resources.value(id))
    }
}

/// One facet of the store: its distinct values, and the events of each.
#[derive(Clone, Copy)]
pub struct FacetView<'s> {
    index: &'s FacetIndex,
    /// The facet's column over the indexed events (empty for resources), from which
    /// postings not built by the load are built on first use.
    column: &'s [u32],
}

impl<'s> FacetView<'s> {
    /// Events carrying value `id`, in ascending event order.
    pub fn postings(&self, id: u32) -> Postings<'s> {
        self.index.postings_from(id, self.column)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn value(&self, id: u32) -> Option<&'s str> {
        self.index.value(id)
    }

    pub fn id_of(&self, value: &str) -> Option<u32> {
        self.index.id_of(value)
    }

    /// `(id, value)` for every distinct value.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &'s str)> + 's {
        self.index.iter()
    }
}

/// Adds events `from..to` to the resource postings.
fn index_resources(ends: &[u32], values: &[u32], resources: &mut FacetIndex, from: usize, to: usize) {
    let start = if from == 0 { 0 } else { ends[from - 1] };
    resources.index_lists(from as u32, start, &ends[from..to], values);
}

/// Extends `order` (the time order of the events before `order.len()`) to every event of
/// `time`. Ties are broken by content hash (then arrival, for identical content), so the
/// order does not depend on which worker appended first. Only the new events are sorted,
/// then merged into the existing order: the explorer calls this every few hundred
/// milliseconds while a load runs. A flat key sorts several times faster than comparing
/// eventID strings on ties (times have 1 s precision).
fn sort_time_order(time: &[i64], content_hash: &[u64], order: &mut Vec<u32>) {
    let (from, to) = (order.len(), time.len());
    if from == to {
        return;
    }
    let key = |e: u32| (time[e as usize], content_hash[e as usize], e);
    let mut fresh: Vec<(i64, u64, u32)> = (from as u32..to as u32).map(key).collect();
    sort_order_keys(&mut fresh);
    if from == 0 {
        *order = fresh.into_iter().map(|(_, _, e)| e).collect();
        return;
    }
    let mut merged = Vec::with_capacity(to);
    let mut old = order.iter().copied().peekable();
    for (t, h, e) in fresh {
        while let Some(&o) = old.peek() {
            if key(o) < (t, h, e) {
                merged.push(o);
                old.next();
            } else {
                break;
            }
        }
        merged.push(e);
    }
    merged.extend(old);
    *order = merged;
}

/// Sorts time-order keys: bucketed by time first (a counting sort over at most one bucket
/// per key, each bucket as many seconds wide as that needs), then each bucket sorted in
/// place. A load's times cluster in a span of seconds comparable to its event count, so
/// the buckets hold a few keys each: on the 100k-event corpus this took the sort from 42M
/// to 12M instructions (it runs at the end of a load, while nothing else is left to do).
/// Untimed keys come last.
fn sort_order_keys(keys: &mut Vec<(i64, u64, u32)>) {
    let timed = keys.iter().map(|k| k.0).filter(|&t| t != UNTIMED);
    let (Some(min), Some(max)) = (timed.clone().min(), timed.max()) else {
        keys.sort_unstable();
        return;
    };
    if keys.len() < 1024 {
        keys.sort_unstable();
        return;
    }
    let span = max.abs_diff(min) + 1;
    let mut shift = 0;
    while span >> shift > keys.len() as u64 {
        shift += 1;
    }
    let untimed_bucket = (span >> shift) as usize + 1;
    let bucket = |t: i64| if t == UNTIMED { untimed_bucket } else { (t.abs_diff(min) >> shift) as usize };
    let mut starts = vec![0u32; untimed_bucket + 2];
    for k in keys.iter() {
        starts[bucket(k.0) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut sorted = vec![(0i64, 0u64, 0u32); keys.len()];
    let mut next = starts.clone();
    for &k in keys.iter() {
        let slot = &mut next[bucket(k.0)];
        sorted[*slot as usize] = k;
        *slot += 1;
    }
    for w in starts.windows(2) {
        let (a, b) = (w[0] as usize, w[1] as usize);
        if b - a > 1 {
            sorted[a..b].sort_unstable();
        }
    }
    *keys = sorted;
}

/// Adds the postings of events `from..to` to each facet of `work`, if the load indexes it
/// or it was built on an earlier use (see [`Facet::indexed_on_load`]).
fn index_columns(work: Vec<(Facet, &Vec<u32>, &mut FacetIndex)>, from: usize, to: usize) {
    for (facet, column, index) in work {
        if facet.indexed_on_load() {
            index.index_column(from as u32, &column[from..to]);
        } else {
            index.index_column_if_built(from as u32, &column[from..to]);
        }
    }
}

enum Lookup {
    New,
    Duplicate,
    /// A different event with the eventID of `first`.
    SharesIdWith(u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A load builds the postings of the facets it must index and leaves the others to
    /// their first use.
    #[test]
    fn a_load_leaves_seldom_filtered_facets_to_their_first_use() {
        let trail = br#"{"Records":[{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","errorMessage":"no","userIdentity":{"type":"IAMUser","userName":"bob","arn":"arn:aws:iam::1:user/bob"}}]}"#;
        let store = std::sync::RwLock::new(Store::new());
        crate::ingest::load_bytes(&store, "t.json", trail.to_vec(), &crate::ingest::Limits::default());
        let store = store.into_inner().unwrap();
        for (f, index) in Facet::SINGLE.into_iter().zip(&store.facets) {
            assert_eq!(index.is_built(), f.indexed_on_load(), "{f:?}");
        }
        let messages = store.facet(Facet::ErrorMessage);
        assert_eq!(messages.postings(messages.id_of("no").unwrap()).to_vec(), [0]);
        assert!(store.facets[Facet::ErrorMessage.column().unwrap()].is_built());
    }

    /// The bucketed sort orders keys exactly as a plain sort does, whatever the spread of
    /// the times: one second, a week, centuries, negative times, untimed keys, ties.
    #[test]
    fn bucketed_time_sort_equals_a_plain_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let spreads: [(i64, u64); 5] = [
            (1_700_000_000, 1),
            (1_700_000_000, 604_800),
            (-5_000_000_000, 1 << 40),
            (0, 3),
            (i64::MIN / 2, u64::MAX / 4),
        ];
        for (base, spread) in spreads {
            for n in [0, 1, 1000, 5000] {
                let mut keys: Vec<(i64, u64, u32)> = (0..n)
                    .map(|e| {
                        let r = next();
                        let t = if r % 17 == 0 { UNTIMED } else { base.wrapping_add((next() % spread) as i64) };
                        (t, next() % 50, e as u32)
                    })
                    .collect();
                let mut expected = keys.clone();
                expected.sort_unstable();
                sort_order_keys(&mut keys);
                assert_eq!(keys, expected, "base {base}, spread {spread}, {n} keys");
            }
        }
    }
}
