//! The load: the enumerator in `files` hands every input file to a [`Loader`] on one worker
//! per core, which decodes and appends it; progress goes out over a channel so that a
//! progress bar or the TUI can follow (and browse what is already loaded).

use crate::store::known::Generation;
use crate::store::{read_store, write_store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock, RwLockWriteGuard, TryLockError};
use std::time::{Duration, Instant};

use super::files::{for_each_file, for_each_in_bytes, Leaf, Visitor};
use super::input::{decode_and_append, report_failure};
use super::limits::Limits;
use super::report::Problem;
use crate::model::time::trail_file_key_time;
use crate::store::{EmptyIdTable, InputFile, Store};

/// Progress of a load, as it happens.
#[derive(Debug, Clone)]
pub enum LoadEvent {
    /// The walker found an input of `bytes` bytes (compressed size on disk).
    Discovered { bytes: u64 },
    /// An input (file or archive member) was read.
    Read { bytes: u64 },
    /// An input was decoded and appended.
    FileDone { events: u64, duplicates: u64, failed: bool },
    /// The walker has enumerated everything.
    WalkDone,
    /// Every input has been processed and the time order is built.
    Finished,
}

/// A time window; trail files whose delivery time puts all of their events outside it are
/// skipped unopened.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeWindow {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// CloudTrail writes a file after its events; the name's minute is truncated.
const KEY_TIME_SLACK_MS: i64 = 5 * 60_000;
/// Delivery is usually within minutes of the event but is not guaranteed: only files
/// delivered more than a day after `until` are assumed to hold nothing before it.
const LATE_DELIVERY_MARGIN_MS: i64 = 24 * 3_600_000;

impl TimeWindow {
    pub fn skips_file(&self, key_time: i64) -> bool {
        self.since.is_some_and(|s| key_time + KEY_TIME_SLACK_MS < s)
            || self.until.is_some_and(|u| key_time - LATE_DELIVERY_MARGIN_MS > u)
    }
}

/// What to load and how.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Files, directories, or `-` for stdin.
    pub paths: Vec<PathBuf>,
    pub workers: usize,
    pub limits: Limits,
    pub window: TimeWindow,
    /// Compute the SHA-256 of every file read (for export manifests).
    pub hash_inputs: bool,
}

impl LoadOptions {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self { paths, workers, limits: Limits::default(), window: TimeWindow::default(), hash_inputs: false }
    }
}

/// The load as a visitor of the input files.
pub struct Loader<'a> {
    pub store: &'a RwLock<Store>,
    /// The store's generation, read once (see `store::known`).
    pub generation: Generation,
    pub limits: Limits,
    window: TimeWindow,
    hash_inputs: bool,
    events: Option<Sender<LoadEvent>>,
    /// Set when `TRAILSCOPE_LOAD_TIMINGS` is in the environment.
    pub timings: Option<LoadTimings>,
    /// Files read or skipped since the store lock was last taken (see [`Loader::store`]).
    read_so_far: Mutex<ReadSoFar>,
    /// Bytes of the files the walk found.
    found_bytes: AtomicU64,
    /// Bytes of the files read so far.
    read_bytes: AtomicU64,
    /// The store's events and bytes read when the load began (a store may be loaded into
    /// more than once): this load's rate of events per byte is measured from there.
    at_start: (usize, u64),
}

/// The load report's account of files read or skipped, kept outside the store until the
/// next time the loader holds its lock anyway: reading a file used to take the lock just
/// for this, once per file, and met the workers' appends there.
#[derive(Default)]
struct ReadSoFar {
    bytes: u64,
    inputs: Vec<InputFile>,
    /// Trail files passed over unread for the time window.
    skipped: u64,
}

/// Where a load's time went, printed to stderr at its end when the environment has
/// `TRAILSCOPE_LOAD_TIMINGS` (for benchmarking: how long the files took, the final index
/// build, and how long workers waited for and held the store lock).
#[derive(Default)]
pub struct LoadTimings {
    waited_ns: AtomicU64,
    held_ns: AtomicU64,
}

impl LoadTimings {
    fn from_env() -> Option<Self> {
        std::env::var_os("TRAILSCOPE_LOAD_TIMINGS").map(|_| Self::default())
    }

    /// One append: how long the worker waited for the lock, and held it.
    pub fn locked(&self, waited: Duration, held: Duration) {
        self.waited_ns.fetch_add(waited.as_nanos() as u64, Ordering::Relaxed);
        self.held_ns.fetch_add(held.as_nanos() as u64, Ordering::Relaxed);
    }

    fn report(&self, files: Duration, finish: Duration) {
        let ms = |ns: &AtomicU64| ns.load(Ordering::Relaxed) / 1_000_000;
        eprintln!(
            "trailscope: load timings: files {} ms, finish {} ms; store lock waited {} ms, held {} ms (all workers)",
            files.as_millis(),
            finish.as_millis(),
            ms(&self.waited_ns),
            ms(&self.held_ns)
        );
    }
}

impl<'a> Loader<'a> {
    /// A loader into `store` (no time window, no input hashes, no timings).
    fn new(store: &'a RwLock<Store>, limits: Limits, events: Option<Sender<LoadEvent>>) -> Self {
        let (generation, at_start) = {
            let s = read_store(store);
            (s.generation(), (s.len(), s.report.bytes_read))
        };
        Loader {
            store,
            generation,
            limits,
            window: TimeWindow::default(),
            hash_inputs: false,
            events,
            timings: None,
            read_so_far: Mutex::default(),
            found_bytes: AtomicU64::new(0),
            read_bytes: AtomicU64::new(0),
            at_start,
        }
    }

    fn read_so_far(&self) -> MutexGuard<'_, ReadSoFar> {
        self.read_so_far.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn emit(&self, event: LoadEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    /// The store's write lock, with the files read since it was last taken entered in its
    /// report.
    pub(super) fn store(&self) -> RwLockWriteGuard<'_, Store> {
        let mut store = lock_spinning(self.store);
        let mut read = self.read_so_far();
        store.report.bytes_read += std::mem::take(&mut read.bytes);
        store.report.inputs.append(&mut read.inputs);
        store.report.files_skipped += std::mem::take(&mut read.skipped);
        drop(read);
        store
    }
}

/// The store's write lock for the loader's threads. A thread that finds it held spins for
/// a while before it sleeps: an append holds it ~30 µs, and being put to sleep and woken
/// again took longer than that on these virtual machines (on the 1M corpus the workers' waits
/// fell from ~180 ms to ~110 ms, the load's wall time by ~4% in 9 alternating rounds).
/// With a single CPU the holder cannot run while we spin, so we sleep at once.
fn lock_spinning(store: &RwLock<Store>) -> RwLockWriteGuard<'_, Store> {
    /// How long to spin before sleeping: a few appends' worth.
    const SPIN: Duration = Duration::from_micros(200);
    static SEVERAL_CPUS: OnceLock<bool> = OnceLock::new();
    if *SEVERAL_CPUS.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)) {
        let start = Instant::now();
        loop {
            match store.try_write() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) if start.elapsed() < SPIN => {
                    for _ in 0..64 {
                        std::hint::spin_loop();
                    }
                }
                Err(TryLockError::WouldBlock) => break,
            }
        }
    }
    write_store(store)
}

impl Visitor for Loader<'_> {
    fn leaf(&self, leaf: Leaf<'_>) {
        let Leaf { name, stored, inflated, damage } = leaf;
        if is_signature_sidecar(name) {
            // A digest's signature saved beside it (see `verify`): read, not a problem.
            self.store().report.files += 1;
            self.emit(LoadEvent::FileDone { events: 0, duplicates: 0, failed: false });
            return;
        }
        match inflated {
            // A clean gzip input keeps its own compressed bytes as the raw blob.
            Some(data) => {
                let gzip = damage.is_none().then(|| stored.into_boxed_slice());
                decode_and_append(self, name, data, gzip, damage);
            }
            None => decode_and_append(self, name, &stored, None, damage),
        }
    }

    fn failed(&self, problem: Problem) {
        report_failure(self, problem);
    }

    /// Trail files whose delivery time puts every event outside the window.
    fn skip(&self, name: &str) -> bool {
        let file = name.rsplit(['/', '\\', '!']).next().unwrap_or(name);
        if trail_file_key_time(file).is_some_and(|t| self.window.skips_file(t)) {
            self.read_so_far().skipped += 1;
            return true;
        }
        false
    }

    fn discovered(&self, bytes: u64) {
        self.found_bytes.fetch_add(bytes, Ordering::Relaxed);
        self.emit(LoadEvent::Discovered { bytes });
    }

    /// The size of every input is now known (the walk runs ahead of the workers): the
    /// store makes room once for the events the load will likely add, judged by this
    /// load's events per byte so far (see [`Store::make_room`]; on the 1M corpus the
    /// walk ends with 1.5% of the events loaded, and the estimate came to 92%).
    fn walked(&self) {
        self.emit(LoadEvent::WalkDone);
        let found = self.found_bytes.load(Ordering::Relaxed);
        let (expected, id_table) = {
            let store = self.store();
            let (events_before, read_before) = self.at_start;
            let events = store.len().saturating_sub(events_before);
            let read = store.report.bytes_read.saturating_sub(read_before);
            // `read > 0` whenever events came from files, but the estimate divides by it.
            if events == 0 || read == 0 || found <= read {
                return;
            }
            let expected = (events as f64 * (found - read) as f64 / read as f64) as usize;
            (expected, store.wanted_id_table(expected))
        };
        // The workers go on while the eventID table is written (~25 ms on the 1M corpus),
        // and while the walker, idle from now on, maps the memory they will fill.
        let id_table = id_table.map(EmptyIdTable::new);
        let prefault = self.store().make_room(expected, id_table);
        // Mapping ahead is pointless once every file found has been read.
        prefault.run_while(|| self.read_bytes.load(Ordering::Relaxed) < found);
    }

    fn read(&self, name: &str, bytes: &[u8]) {
        self.emit(LoadEvent::Read { bytes: bytes.len() as u64 });
        self.read_bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let sha256 = self.hash_inputs.then(|| {
            use sha2::Digest;
            sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
        });
        let mut read = self.read_so_far();
        read.bytes += bytes.len() as u64;
        read.inputs.push(InputFile { path: name.to_owned(), bytes: bytes.len() as u64, sha256 });
    }
}

/// `<digest>.json.gz.sig` / `<digest>.json.sig`: a digest signature sidecar.
fn is_signature_sidecar(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json.gz.sig") || lower.ends_with(".json.sig")
}

/// Loads `options.paths` into `store`, blocking until done. Progress goes to `events`.
pub fn load_into(store: &RwLock<Store>, options: &LoadOptions, events: Option<Sender<LoadEvent>>) {
    let mut loader = Loader::new(store, options.limits.clone(), events);
    loader.window = options.window;
    loader.hash_inputs = options.hash_inputs;
    loader.timings = LoadTimings::from_env();
    let started = Instant::now();
    for_each_file(&options.paths, &options.limits, options.workers, &loader);
    let files = started.elapsed();
    loader.store().finish();
    if let Some(t) = &loader.timings {
        t.report(files, started.elapsed() - files);
    }
    loader.emit(LoadEvent::Finished);
}

/// Loads one in-memory input (a file's bytes, possibly an archive or gzip) into `store`
/// on the calling thread, as [`load_into`] would load a file of that content named
/// `name`. For tests and the fuzz targets.
pub fn load_bytes(store: &RwLock<Store>, name: &str, bytes: Vec<u8>, limits: &Limits) {
    let loader = Loader::new(store, limits.clone(), None);
    for_each_in_bytes(name, bytes, limits, &loader);
    loader.store().finish();
}

/// A load running on its own threads; the store can be read (and refreshed with
/// [`Store::finish`]) while it runs.
pub struct LoadHandle {
    /// Progress, as [`load_into`] reports it; drain it with `try_recv` on a timer.
    pub events: std::sync::mpsc::Receiver<LoadEvent>,
    thread: std::thread::JoinHandle<()>,
}

impl LoadHandle {
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the load to end (the store is then finished).
    pub fn join(self) {
        let _ = self.thread.join();
    }
}

/// Starts loading `options.paths` into `store` in the background.
pub fn spawn_load(store: std::sync::Arc<RwLock<Store>>, options: LoadOptions) -> LoadHandle {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || load_into(&store, &options, Some(tx)));
    LoadHandle { events: rx, thread }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_skips_only_files_that_cannot_hold_events_in_range() {
        let hour = 3_600_000;
        let w = TimeWindow { since: Some(100 * hour), until: Some(200 * hour) };
        assert!(w.skips_file(99 * hour)); // delivered an hour before `since`
        assert!(!w.skips_file(100 * hour)); // may hold events up to its delivery
        assert!(!w.skips_file(210 * hour)); // may be a late delivery of earlier events
        assert!(w.skips_file(225 * hour));
        assert!(!TimeWindow::default().skips_file(0));
    }
}
