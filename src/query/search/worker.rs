//! The background search: one coordinator thread takes the newest request, builds (or
//! reuses) the selection's summary lines, and scans them in chunks with every core, each
//! thread with its own matcher; updates go out over a channel.
//!
//! Cancellation: every `submit` (and `cancel`) takes a new ticket. Threads compare the
//! ticket between chunks of [`CHUNK`] lines and give up when it moved on; an update is
//! sent only under the lock that `submit` takes, after checking the ticket, so **once
//! `submit` has returned, no update of an older request is sent**. Updates sent before
//! may still be waiting in the channel: the receiver drops those whose `generation` is not
//! the one it submitted last.

use crate::hash_keys::XXH3_SEED;
use crate::store::read_store;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_128_with_seed;

use super::matcher::{LineMatcher, MatcherKind};
use crate::query::summary::summary_line;
use crate::store::Store;

/// Lines per unit of work: the granularity of cancellation, progress and line building.
/// Small, so that the first partial update comes soon even on long lines that mostly
/// match (scoring one of the standard corpus's 320-byte lines takes several µs).
pub const CHUNK: usize = 2_048;
/// Hits carried by a partial update (the best, or the earliest, found so far): a few
/// screens; their positions are computed while the other thread keeps scanning.
pub const PARTIAL_HITS: usize = 200;
/// Hits of a complete update that carry their positions (the first ones in the chosen
/// order); later hits have empty `positions`: compute them with [`super::highlight`] when
/// they scroll into view. Positions cost about as much as scoring a line, so computing
/// them for every hit would double the search.
pub const POSITIONS_LIMIT: usize = 1_000;
/// After the first partial update, further ones at most this often.
pub const PARTIAL_INTERVAL: Duration = Duration::from_millis(100);

/// How the hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Score descending, ties in selection (time) order.
    #[default]
    BestMatch,
    /// Selection (time) order.
    Time,
}

/// What to search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Echoed in every update of this request; the receiver uses it to drop stale ones.
    pub generation: u64,
    /// Whitespace-separated words, all of which must match (see [`super::matcher`]).
    pub query: String,
    /// Event ids in time order. Summary lines are cached for the last selection searched,
    /// keyed by this `Arc`'s pointer: pass the same `Arc` while the selection is unchanged.
    pub selection: Arc<Vec<u32>>,
    pub order: SearchOrder,
}

/// One matching event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub event: u32,
    /// Index of the event in the request's selection (its row in the timeline).
    pub row: u32,
    /// Higher is better; comparable only within one query. 0 in `Time` order, where lines
    /// are only tested, not scored (several times faster).
    pub score: i64,
    /// Matched char indices of the summary line, ascending; empty beyond [`POSITIONS_LIMIT`].
    pub positions: Vec<u32>,
}

/// Results of a request, so far or complete.
#[derive(Debug, Clone)]
pub struct SearchUpdate {
    pub generation: u64,
    /// Partial: at most [`PARTIAL_HITS`] — the best so far (`BestMatch`) or the first ones of
    /// the selection's scanned prefix (`Time`). Complete: every matching event, in order.
    pub hits: Vec<Hit>,
    /// Rows of the selection decided so far (when a query refines the previous one, the
    /// rows that one ruled out count as decided from the start); `total` when complete.
    pub scanned: usize,
    /// Lines in the selection.
    pub total: usize,
    pub complete: bool,
}

/// Tuning of a worker (the defaults are what the explorer uses).
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    pub matcher: MatcherKind,
    /// Matcher threads per request (the coordinator is one of them).
    pub threads: usize,
    /// When a query extends the last completed one on the same selection (typing on), scan
    /// only that one's matches: they are a superset. The benchmark turns it off to measure
    /// every query from scratch.
    pub incremental: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            matcher: MatcherKind::default(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            incremental: true,
        }
    }
}

/// The background fuzzy search. Dropping it stops the work and joins its thread.
pub struct SearchWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Control {
    /// Ticket of the newest submit/cancel; work of an older ticket is stale.
    ticket: u64,
    pending: Option<(u64, SearchRequest)>,
    /// Free the cached summary lines (set by `release`).
    release: bool,
    shutdown: bool,
    updates: Sender<SearchUpdate>,
}

struct Shared {
    store: Arc<RwLock<Store>>,
    options: SearchOptions,
    control: Mutex<Control>,
    wake: Condvar,
    /// Mirror of `control.ticket` for the cheap checks between chunks.
    ticket: AtomicU64,
}

impl SearchWorker {
    pub fn new(store: Arc<RwLock<Store>>) -> (Self, Receiver<SearchUpdate>) {
        Self::with_options(store, SearchOptions::default())
    }

    pub fn with_options(store: Arc<RwLock<Store>>, options: SearchOptions) -> (Self, Receiver<SearchUpdate>) {
        let (tx, rx) = channel();
        let shared = Arc::new(Shared {
            store,
            options: SearchOptions { threads: options.threads.max(1), ..options },
            control: Mutex::new(Control { ticket: 0, pending: None, release: false, shutdown: false, updates: tx }),
            wake: Condvar::new(),
            ticket: AtomicU64::new(0),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("trailscope-search".into())
                .spawn(move || coordinator(&shared))
                .expect("spawn the search thread")
        };
        (Self { shared, thread: Some(thread) }, rx)
    }

    /// Starts `request`, cancelling any older one. Never blocks on the search itself.
    pub fn submit(&self, request: SearchRequest) {
        let mut control = self.shared.lock();
        let ticket = self.shared.advance(&mut control);
        control.pending = Some((ticket, request));
        drop(control);
        self.shared.wake.notify_one();
    }

    /// Stops the current request; nothing more is sent for it. The cached summary lines
    /// are kept (reopening the search on the same selection reuses them).
    pub fn cancel(&self) {
        let mut control = self.shared.lock();
        self.shared.advance(&mut control);
        control.pending = None;
    }

    /// Like [`SearchWorker::cancel`], and frees the cached summary lines (about 240 MB for
    /// the standard 1M-event corpus).
    pub fn release(&self) {
        let mut control = self.shared.lock();
        self.shared.advance(&mut control);
        control.pending = None;
        control.release = true;
        drop(control);
        self.shared.wake.notify_one();
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        {
            let mut control = self.shared.lock();
            self.shared.advance(&mut control);
            control.pending = None;
            control.shutdown = true;
        }
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn advance(&self, control: &mut Control) -> u64 {
        control.ticket += 1;
        self.ticket.store(control.ticket, Ordering::SeqCst);
        control.ticket
    }

    fn is_current(&self, ticket: u64) -> bool {
        self.ticket.load(Ordering::Relaxed) == ticket
    }

    /// Sends `update` if `ticket` is still the newest; false when it is stale.
    fn send(&self, ticket: u64, update: SearchUpdate) -> bool {
        let control = self.lock();
        if control.ticket != ticket {
            return false;
        }
        let _ = control.updates.send(update);
        true
    }
}

/// The hash that identifies a summary line. Lines carry text an attacker picks (user
/// agents, session names), and with xxh3's public default secret two lines could be made
/// to collide, so that one is searched as the other's text; a seed random per process
/// makes that guesswork.
fn line_hash(text: &str) -> u128 {
    xxh3_128_with_seed(text.as_bytes(), *XXH3_SEED)
}

/// Summary lines of one selection, built chunk by chunk on first use and kept while the
/// same selection is searched again. Identical lines are stored once: a third of the
/// standard corpus's lines repeat one seen before (the same call by the same caller from
/// the same address), and a line is scored once per query however often it repeats.
/// Lines are identified by their 128-bit xxh3 hash (no collision is expected among fewer
/// than 2^50 distinct lines), seeded per process ([`line_hash`]).
struct LineCache {
    selection: Arc<Vec<u32>>,
    chunks: Vec<OnceLock<Lines>>,
    /// Line hash → its canonical row (the row whose chunk stores the text). Dropped once
    /// every chunk is built.
    seen: Mutex<Option<FxHashMap<u128, u32>>>,
    built: AtomicUsize,
}

/// The rows of one chunk: the canonical row of each, and the text of the canonical rows it
/// holds, in one string (one allocation per chunk, not per line).
struct Lines {
    /// Per row of the chunk: the canonical row of its line (itself when stored here).
    canonical: Box<[u32]>,
    /// Per row: the index of its text among the texts stored here (canonical rows only).
    slot: Box<[u32]>,
    /// Where each stored text ends in `text`.
    ends: Box<[u32]>,
    text: String,
}

impl Lines {
    /// The text of row `i` of the chunk, which must be canonical.
    fn stored(&self, i: usize) -> &str {
        let k = self.slot[i] as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.text[start..self.ends[k] as usize]
    }
}

impl LineCache {
    fn new(selection: Arc<Vec<u32>>) -> Self {
        let chunks = (0..selection.len().div_ceil(CHUNK)).map(|_| OnceLock::new()).collect();
        Self { selection, chunks, seen: Mutex::new(Some(FxHashMap::default())), built: AtomicUsize::new(0) }
    }

    /// The lines of chunk `c`, built on first use: the summary lines under a read lock of
    /// the store held for this chunk only, then the new ones registered.
    fn chunk(&self, c: usize, store: &RwLock<Store>) -> &Lines {
        self.chunks[c].get_or_init(|| {
            let base = c * CHUNK;
            let events = &self.selection[base..(base + CHUNK).min(self.selection.len())];
            let texts: Vec<String> = {
                let store = read_store(store);
                events
                    .iter()
                    .map(|&e| if (e as usize) < store.len() { summary_line(&store, e) } else { String::new() })
                    .collect()
            };
            let hashes: Vec<u128> = texts.iter().map(|t| line_hash(t)).collect();
            let canonical: Box<[u32]> = {
                let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
                let seen = seen.get_or_insert_with(FxHashMap::default);
                hashes.iter().enumerate().map(|(i, &h)| *seen.entry(h).or_insert((base + i) as u32)).collect()
            };
            let mut text = String::new();
            let mut ends = Vec::new();
            let slot = (0..texts.len())
                .map(|i| {
                    if canonical[i] as usize == base + i {
                        text.push_str(&texts[i]);
                        ends.push(text.len() as u32);
                    }
                    // Duplicates never read their slot.
                    ends.len().saturating_sub(1) as u32
                })
                .collect();
            text.shrink_to_fit();
            if self.built.fetch_add(1, Ordering::AcqRel) + 1 == self.chunks.len() {
                *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            Lines { canonical, slot, ends: ends.into_boxed_slice(), text }
        })
    }

    /// The canonical row of `row`'s line: rows with equal lines have the same one.
    fn canonical(&self, row: u32, store: &RwLock<Store>) -> u32 {
        let row = row as usize;
        self.chunk(row / CHUNK, store).canonical[row % CHUNK]
    }

    /// The text of a canonical row.
    fn stored(&self, canonical: u32, store: &RwLock<Store>) -> &str {
        let row = canonical as usize;
        self.chunk(row / CHUNK, store).stored(row % CHUNK)
    }

    fn line(&self, row: u32, store: &RwLock<Store>) -> &str {
        self.stored(self.canonical(row, store), store)
    }
}

/// The last completed search: its matching rows, ascending.
struct Previous {
    selection: Arc<Vec<u32>>,
    query: String,
    rows: Vec<u32>,
}

impl Previous {
    /// Whether every match of `request` is among these rows: same selection, and the query
    /// extends this one (each word is then the same, or longer, so it matches fewer lines;
    /// an added upper-case letter only makes a word stricter).
    fn covers(&self, request: &SearchRequest) -> bool {
        Arc::ptr_eq(&self.selection, &request.selection)
            && request.query.starts_with(&self.query)
            && !super::matcher::query_words(&self.query).is_empty()
    }
}

fn coordinator(shared: &Shared) {
    let mut cache: Option<Arc<LineCache>> = None;
    let mut previous: Option<Previous> = None;
    loop {
        let (ticket, request) = {
            let mut control = shared.lock();
            loop {
                if control.shutdown {
                    return;
                }
                if std::mem::take(&mut control.release) {
                    cache = None;
                    previous = None;
                }
                if let Some(p) = control.pending.take() {
                    break p;
                }
                control = shared.wake.wait(control).unwrap_or_else(|p| p.into_inner());
            }
        };
        let lines = match &cache {
            Some(c) if Arc::ptr_eq(&c.selection, &request.selection) => Arc::clone(c),
            _ => {
                // Replacing the cache frees the old lines before any new one is built (lazily).
                previous = None;
                let c = Arc::new(LineCache::new(Arc::clone(&request.selection)));
                cache = Some(Arc::clone(&c));
                c
            }
        };
        let candidates = previous.as_ref().filter(|p| shared.options.incremental && p.covers(&request));
        let rows = match candidates {
            Some(p) => Rows::Some(&p.rows),
            None => Rows::All(request.selection.len()),
        };
        if let Some(rows) = run(shared, ticket, &request, &lines, rows) {
            previous = Some(Previous { selection: Arc::clone(&request.selection), query: request.query.clone(), rows });
        }
    }
}

/// The rows of the selection a search scans.
#[derive(Clone, Copy)]
enum Rows<'a> {
    /// All of them (`0..n`).
    All(usize),
    /// Only these (ascending): the matches of the query this one refines.
    Some(&'a [u32]),
}

impl<'a> Rows<'a> {
    fn len(self) -> usize {
        match self {
            Rows::All(n) => n,
            Rows::Some(rows) => rows.len(),
        }
    }

    /// Rows of work unit `u`.
    fn unit(self, u: usize) -> impl Iterator<Item = u32> + 'a {
        let range = u * CHUNK..((u + 1) * CHUNK).min(self.len());
        let (all, some) = match self {
            Rows::All(_) => (Some(range.start as u32..range.end as u32), None),
            Rows::Some(rows) => (None, Some(rows[range].iter().copied())),
        };
        all.into_iter().flatten().chain(some.into_iter().flatten())
    }
}

/// Hit key: `(i32::MAX - score) << 32 | row`, so that ascending keys are score descending,
/// then selection order.
fn key(score: i32, row: u32) -> u64 {
    (((i64::from(i32::MAX) - i64::from(score)) as u64) << 32) | u64::from(row)
}

fn key_row(key: u64) -> u32 {
    key as u32
}

fn key_score(key: u64) -> i64 {
    i64::from(i32::MAX) - (key >> 32) as i64
}

/// What one work unit found.
#[derive(Default)]
struct UnitResult {
    /// Hit keys, by key (`BestMatch`) or by row (`Time`).
    keys: Vec<u64>,
    /// `BestMatch` only: the matching rows, ascending (for the next, refining query).
    rows: Vec<u32>,
}

/// What the units have produced so far.
struct Progress {
    results: Vec<Option<UnitResult>>,
    done: usize,
    /// Rows of the selection decided so far (rows the refined query ruled out count as done).
    scanned: usize,
    /// `BestMatch`: the best [`PARTIAL_HITS`] keys so far.
    best: Vec<u64>,
    last_partial: Option<Instant>,
}

/// Per canonical row, its score for the current query: [`UNSCORED`], [`NO_MATCH`], or
/// `score << 32 | SCORED`.
const UNSCORED: u64 = 0;
const NO_MATCH: u64 = 1;
const SCORED: u64 = 2;

struct Job<'a> {
    shared: &'a Shared,
    /// `BestMatch`: scores of distinct lines, by canonical row (empty for `Time`).
    memo: Vec<AtomicU64>,
    ticket: u64,
    request: &'a SearchRequest,
    lines: &'a LineCache,
    rows: Rows<'a>,
    units: usize,
    next: AtomicUsize,
    progress: Mutex<Progress>,
}

/// Runs one request to its complete update; returns the matching rows (ascending) when
/// it completed, `None` when it went stale.
fn run(shared: &Shared, ticket: u64, request: &SearchRequest, lines: &LineCache, rows: Rows<'_>) -> Option<Vec<u32>> {
    let total = request.selection.len();
    let kind = shared.options.matcher;
    let mut probe = kind.build(&request.query);
    if probe.is_empty() || rows.len() == 0 {
        let update =
            SearchUpdate { generation: request.generation, hits: Vec::new(), scanned: total, total, complete: true };
        shared.send(ticket, update);
        return None;
    }
    let units = rows.len().div_ceil(CHUNK);
    let memo_len = if request.order == SearchOrder::BestMatch { total } else { 0 };
    let job = Job {
        shared,
        memo: (0..memo_len).map(|_| AtomicU64::new(UNSCORED)).collect(),
        ticket,
        request,
        lines,
        rows,
        units,
        next: AtomicUsize::new(0),
        progress: Mutex::new(Progress {
            results: (0..units).map(|_| None).collect(),
            done: 0,
            scanned: total - rows.len(),
            best: Vec::new(),
            last_partial: None,
        }),
    };
    let threads = shared.options.threads.min(units).max(1);
    let finished = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(|| job.scan(kind.build(&request.query)))).collect();
        let mut finished = job.scan(kind.build(&request.query));
        for h in helpers {
            finished &= h.join().unwrap_or(false);
        }
        finished
    });
    if !finished || !shared.is_current(ticket) {
        return None;
    }
    let progress = job.progress.into_inner().unwrap_or_else(|p| p.into_inner());
    let results: Vec<UnitResult> = progress.results.into_iter().map(Option::unwrap_or_default).collect();
    let (keys, matching) = match request.order {
        SearchOrder::Time => {
            let keys: Vec<u64> = results.into_iter().flat_map(|r| r.keys).collect();
            let rows = keys.iter().map(|&k| key_row(k)).collect();
            (keys, rows)
        }
        SearchOrder::BestMatch => {
            let mut keys = Vec::with_capacity(results.iter().map(|r| r.keys.len()).sum());
            let mut rows = Vec::with_capacity(keys.capacity());
            for r in results {
                keys.extend(r.keys);
                rows.extend(r.rows);
            }
            // A stable sort finds the sorted runs the units left and merges them.
            keys.sort();
            (keys, rows)
        }
    };
    if !shared.is_current(ticket) {
        return None;
    }
    let hits = to_hits(&keys, request, lines, &shared.store, kind, threads, &mut *probe);
    let update = SearchUpdate { generation: request.generation, hits, scanned: total, total, complete: true };
    shared.send(ticket, update).then_some(matching)
}

impl Job<'_> {
    /// Scans units until none is left (true) or the request is stale (false).
    fn scan(&self, mut matcher: Box<dyn LineMatcher>) -> bool {
        let store = &*self.shared.store;
        let best = self.request.order == SearchOrder::BestMatch;
        loop {
            if !self.shared.is_current(self.ticket) {
                return false;
            }
            let u = self.next.fetch_add(1, Ordering::Relaxed);
            if u >= self.units {
                return true;
            }
            let mut result = UnitResult::default();
            let mut scanned = 0;
            for row in self.rows.unit(u) {
                let canonical = self.lines.canonical(row, store);
                scanned += 1;
                if best {
                    // Each distinct line is scored once; its repeats read the memo.
                    let memo = &self.memo[canonical as usize];
                    let score = match memo.load(Ordering::Relaxed) {
                        UNSCORED => {
                            let score = matcher.score(self.lines.stored(canonical, store));
                            memo.store(
                                score.map_or(NO_MATCH, |s| u64::from(s as u32) << 32 | SCORED),
                                Ordering::Relaxed,
                            );
                            score
                        }
                        NO_MATCH => None,
                        m => Some((m >> 32) as u32 as i32),
                    };
                    if let Some(score) = score {
                        result.keys.push(key(score, row));
                    }
                } else if matcher.is_match(self.lines.stored(canonical, store)) {
                    // Time order needs no score: the cheap test decides.
                    result.keys.push(key(0, row));
                }
            }
            if best {
                if self.shared.options.incremental {
                    result.rows = result.keys.iter().map(|&k| key_row(k)).collect();
                }
                result.keys.sort_unstable();
            }
            self.unit_done(u, result, scanned, &mut *matcher);
        }
    }

    /// Records a unit's hits and, when one is due, sends a partial update.
    fn unit_done(&self, u: usize, result: UnitResult, scanned: usize, matcher: &mut dyn LineMatcher) {
        let mut progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
        let progress = &mut *progress;
        if self.request.order == SearchOrder::BestMatch {
            let mut best: Vec<u64> =
                progress.best.iter().chain(result.keys.iter().take(PARTIAL_HITS)).copied().collect();
            best.sort_unstable();
            best.truncate(PARTIAL_HITS);
            progress.best = best;
        }
        progress.results[u] = Some(result);
        progress.done += 1;
        progress.scanned += scanned;
        if progress.done == self.units {
            return; // the complete update follows
        }
        if progress.last_partial.is_some_and(|t| t.elapsed() < PARTIAL_INTERVAL) {
            return;
        }
        let keys: Vec<u64> = match self.request.order {
            // Only the prefix of the selection scanned without gaps: these hits are final.
            SearchOrder::Time => {
                if progress.results[0].is_none() {
                    return;
                }
                progress
                    .results
                    .iter()
                    .map_while(Option::as_ref)
                    .flat_map(|r| &r.keys)
                    .take(PARTIAL_HITS)
                    .copied()
                    .collect()
            }
            SearchOrder::BestMatch => progress.best.clone(),
        };
        progress.last_partial = Some(Instant::now());
        let store = &*self.shared.store;
        let hits = keys
            .iter()
            .map(|&k| {
                let row = key_row(k);
                let mut positions = Vec::new();
                matcher.positions(self.lines.line(row, store), &mut positions);
                Hit { event: self.request.selection[row as usize], row, score: key_score(k), positions }
            })
            .collect();
        let update = SearchUpdate {
            generation: self.request.generation,
            hits,
            scanned: progress.scanned,
            total: self.request.selection.len(),
            complete: false,
        };
        // Sent while `progress` is held, so partial updates go out in order.
        self.shared.send(self.ticket, update);
    }
}

/// Hits for `keys`, with positions for the first [`POSITIONS_LIMIT`] (computed on all
/// threads; `matcher` is the calling thread's).
fn to_hits(
    keys: &[u64],
    request: &SearchRequest,
    lines: &LineCache,
    store: &RwLock<Store>,
    kind: MatcherKind,
    threads: usize,
    matcher: &mut dyn LineMatcher,
) -> Vec<Hit> {
    let selection = &request.selection;
    let mut hits: Vec<Hit> = keys
        .iter()
        .map(|&k| {
            let row = key_row(k);
            Hit { event: selection[row as usize], row, score: key_score(k), positions: Vec::new() }
        })
        .collect();
    let with_positions = hits.len().min(POSITIONS_LIMIT);
    let per_thread = with_positions.div_ceil(threads).max(1);
    let fill = |hits: &mut [Hit], matcher: &mut dyn LineMatcher| {
        for hit in hits {
            matcher.positions(lines.line(hit.row, store), &mut hit.positions);
        }
    };
    std::thread::scope(|s| {
        let mut parts = hits[..with_positions].chunks_mut(per_thread);
        let first = parts.next();
        for part in parts {
            s.spawn(move || fill(part, &mut *kind.build(&request.query)));
        }
        if let Some(part) = first {
            fill(part, matcher);
        }
    });
    hits
}
