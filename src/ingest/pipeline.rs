//! The load: a walker thread enumerates inputs into a bounded queue, one worker per core
//! reads, decodes and appends them, and progress goes out over a channel so that a
//! progress bar or the TUI can follow (and browse what is already loaded).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::RwLock;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, TrySendError};

use super::input::{process_input, report_failure};
use super::limits::Limits;
use super::report::{Problem, ProblemKind};
use super::source;
use crate::store::{InputFile, Store};

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

/// A unit of work for a worker.
pub enum Job {
    Path { path: PathBuf, display: String },
    Stdin,
    Member { name: String, bytes: Vec<u8>, depth: usize },
}

/// State shared by the walker and the workers of one load.
pub struct Shared<'a> {
    pub store: &'a RwLock<Store>,
    pub limits: Limits,
    pub window: TimeWindow,
    hash_inputs: bool,
    events: Option<Sender<LoadEvent>>,
    jobs: crossbeam_channel::Sender<Job>,
    pending: AtomicUsize,
    walk_done: AtomicBool,
}

impl Shared<'_> {
    pub fn emit(&self, event: LoadEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(event);
        }
    }

    /// Queues a job for any worker; blocks while the queue is full (walker only).
    pub fn submit(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.jobs.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Queues a job if there is room; gives it back otherwise (workers never block).
    pub fn offload(&self, job: Job) -> Option<Job> {
        self.pending.fetch_add(1, Ordering::SeqCst);
        match self.jobs.try_send(job) {
            Ok(()) => None,
            Err(TrySendError::Full(j) | TrySendError::Disconnected(j)) => {
                self.pending.fetch_sub(1, Ordering::SeqCst);
                Some(j)
            }
        }
    }

    fn finished(&self) -> bool {
        self.walk_done.load(Ordering::SeqCst) && self.pending.load(Ordering::SeqCst) == 0
    }
}

/// Loads `options.paths` into `store`, blocking until done. Progress goes to `events`.
pub fn load_into(store: &RwLock<Store>, options: &LoadOptions, events: Option<Sender<LoadEvent>>) {
    let (jobs_tx, jobs_rx) = bounded::<Job>(256);
    let shared = Shared {
        store,
        limits: options.limits.clone(),
        window: options.window,
        hash_inputs: options.hash_inputs,
        events,
        jobs: jobs_tx,
        pending: AtomicUsize::new(0),
        walk_done: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let shared = &shared;
        for _ in 0..options.workers.max(1) {
            let rx = jobs_rx.clone();
            scope.spawn(move || worker(shared, rx));
        }
        source::walk(shared, &options.paths);
        shared.walk_done.store(true, Ordering::SeqCst);
        shared.emit(LoadEvent::WalkDone);
    });
    store.write().unwrap_or_else(|p| p.into_inner()).finish();
    shared.emit(LoadEvent::Finished);
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

fn worker(shared: &Shared<'_>, jobs: Receiver<Job>) {
    loop {
        match jobs.recv_timeout(Duration::from_millis(20)) {
            Ok(job) => {
                run_job(shared, job);
                shared.pending.fetch_sub(1, Ordering::SeqCst);
            }
            Err(_) if shared.finished() => return,
            Err(_) => {}
        }
    }
}

fn run_job(shared: &Shared<'_>, job: Job) {
    match job {
        Job::Path { path, display } => match std::fs::read(&path) {
            Ok(bytes) => read_done(shared, &display, bytes),
            Err(e) => report_failure(shared, io_problem(&display, &e)),
        },
        Job::Stdin => {
            let mut bytes = Vec::new();
            match std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes) {
                Ok(_) => read_done(shared, "<stdin>", bytes),
                Err(e) => report_failure(shared, io_problem("<stdin>", &e)),
            }
        }
        Job::Member { name, bytes, depth } => process_input(shared, &name, bytes, depth),
    }
}

/// Accounts for a file read from disk, then processes it.
fn read_done(shared: &Shared<'_>, display: &str, bytes: Vec<u8>) {
    shared.emit(LoadEvent::Read { bytes: bytes.len() as u64 });
    let sha256 = shared.hash_inputs.then(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
    });
    {
        let mut store = shared.store.write().unwrap_or_else(|p| p.into_inner());
        store.report.bytes_read += bytes.len() as u64;
        store.report.inputs.push(InputFile { path: display.to_owned(), bytes: bytes.len() as u64, sha256 });
    }
    process_input(shared, display, bytes, 0);
}

pub fn io_problem(path: &str, e: &std::io::Error) -> Problem {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    Problem {
        path: path.to_owned(),
        kind: ProblemKind::Io,
        message: format!("cannot read: {what}"),
        location: None,
        salvaged: 0,
    }
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
