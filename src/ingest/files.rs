//! Every file of the inputs, containers opened, handed to a [`Visitor`] on worker threads:
//! the one enumerator behind both the load (which decodes records) and `verify` (which
//! hashes files).
//!
//! Directories are walked recursively (symlinks followed, loops reported, hidden names
//! passed over: tool metadata, `.DS_Store`), `-` is stdin, and containers are recognised by
//! their magic bytes, never by name: zip, tar, and tar inside gzip, nested up to
//! `max_nesting`. Any other gzip is decompressed into a buffer each worker keeps, and the
//! visitor sees both the stored (compressed) bytes and the content. The walk runs ahead of
//! the workers (its queue of paths is unbounded), so progress totals are known early.
//! Archive members go on a short queue of their own when it has room, so one big archive
//! still uses every core, and a worker that reads an archive never waits on a full queue.

use std::cell::RefCell;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender, TrySendError};
use flate2::read::MultiGzDecoder;
use walkdir::WalkDir;

use super::libdeflate::GzipInflater;
use super::limits::Limits;
use super::report::{DecodeProblem, Problem, ProblemKind};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";

/// A worker keeps its decompression buffer between files only up to this capacity.
const MAX_KEPT_BUFFER: usize = 64 << 20;

thread_local! {
    /// Each worker's decompression buffer (for the general path): a fresh one per file
    /// cost page faults.
    static INFLATE_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Each worker's state for the clean-gzip fast path ([`gunzip_clean`]).
    static INFLATER: RefCell<Option<Inflater>> = const { RefCell::new(None) };
}

/// One file of the inputs that is not a container: a file on disk, an archive member
/// (`archive!member`) or stdin.
pub struct Leaf<'a> {
    /// Display name: the path as given, `archive!member` for members, `<stdin>`.
    pub name: &'a str,
    /// The bytes as stored (compressed, for a gzip file).
    pub stored: Vec<u8>,
    /// The decompressed content of a gzip file (up to the damage or the size limit).
    pub inflated: Option<&'a [u8]>,
    /// Why a gzip file could not be decompressed whole (truncated, corrupt, too large).
    pub damage: Option<DecodeProblem>,
}

impl Leaf<'_> {
    /// The file's content: decompressed if it was gzip.
    pub fn content(&self) -> &[u8] {
        self.inflated.unwrap_or(&self.stored)
    }
}

/// What the enumerator reports to. Called from several threads at once.
pub trait Visitor: Sync {
    /// A file that is not a container.
    fn leaf(&self, leaf: Leaf<'_>);
    /// An input that could not be read or opened (nothing else is reported for it).
    fn failed(&self, problem: Problem);
    /// Whether a file may be passed over unread, by its name (a path or `archive!member`).
    fn skip(&self, _name: &str) -> bool {
        false
    }
    /// The walk found a file of `bytes` bytes.
    fn discovered(&self, _bytes: u64) {}
    /// The walk is over: every file has been discovered (most are not read yet).
    fn walked(&self) {}
    /// A file (or stdin) was read, before any container in it is opened.
    fn read(&self, _name: &str, _bytes: &[u8]) {}
}

/// Calls `visitor` for every file of `paths` from `workers` threads, in no particular
/// order; returns when every file has been visited.
pub fn for_each_file(paths: &[PathBuf], limits: &Limits, workers: usize, visitor: &dyn Visitor) {
    // The walk queues every file it finds without waiting (a path is ~200 bytes, against
    // the kilobytes of events a trail file holds), so the progress totals are known early
    // and a long load shows a true estimate of the time left. Members carry their bytes,
    // so their queue is short.
    let (files_tx, files_rx) = unbounded::<Job>();
    let (members_tx, members_rx) = bounded::<Job>(256);
    let (stop_tx, stop_rx) = bounded::<()>(0);
    let shared = Shared {
        limits,
        visitor,
        files: files_tx,
        members: members_tx,
        pending: AtomicUsize::new(0),
        walk_done: AtomicBool::new(false),
        stop: Mutex::new(Some(stop_tx)),
        total: AtomicU64::new(0),
    };
    std::thread::scope(|scope| {
        let shared = &shared;
        for _ in 0..workers.max(1) {
            let queues = Queues { files: files_rx.clone(), members: members_rx.clone(), stop: stop_rx.clone() };
            scope.spawn(move || worker(shared, &queues));
        }
        shared.walk(paths);
        visitor.walked();
        shared.walk_done.store(true, Ordering::SeqCst);
        shared.stop_if_done();
    });
}

/// Calls `visitor` for every file inside one in-memory input named `name`, containers
/// opened exactly as [`for_each_file`] opens them, but on the calling thread: no walk, no
/// workers, no disk. For tests and the fuzz targets.
pub fn for_each_in_bytes(name: &str, bytes: Vec<u8>, limits: &Limits, visitor: &dyn Visitor) {
    // Queues nobody receives from: `dispatch_member` finds its queue disconnected and
    // opens every member inline, which is its fallback for a full queue anyway.
    let (files, _) = bounded::<Job>(0);
    let (members, _) = bounded::<Job>(0);
    let shared = Shared {
        limits,
        visitor,
        files,
        members,
        pending: AtomicUsize::new(0),
        walk_done: AtomicBool::new(true),
        stop: Mutex::new(None),
        total: AtomicU64::new(0),
    };
    visitor.read(name, &bytes);
    shared.input(name, bytes, 0);
}

/// `cannot read: …` for an I/O error on `path`.
pub fn io_problem(path: &str, e: &std::io::Error) -> Problem {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    problem(path, ProblemKind::Io, format!("cannot read: {what}"))
}

fn problem(path: &str, kind: ProblemKind, message: String) -> Problem {
    Problem { path: path.to_owned(), kind, message, location: None, salvaged: 0 }
}

/// Whether `header` starts a tar archive. POSIX and GNU headers say `ustar` at byte 257;
/// old (v7) headers carry no magic at all, so for them the header checksum decides: it
/// must parse as octal and equal the sum of the header's bytes (the checksum field counted
/// as spaces), which text, JSON and other formats essentially never satisfy by chance.
fn is_tar(header: &[u8]) -> bool {
    if header.get(257..262) == Some(b"ustar") {
        return true;
    }
    let Some(h) = header.get(..512) else { return false };
    // A v7 member has a name and a type flag of NUL or `0`..`7`.
    if h[0] == 0 || !matches!(h[156], 0 | b'0'..=b'7') {
        return false;
    }
    let Some(stored) = parse_octal(&h[148..156]) else { return false };
    let field = 148..156;
    let unsigned: u64 = h.iter().enumerate().map(|(i, &b)| if field.contains(&i) { 32 } else { u64::from(b) }).sum();
    // Some historic tars summed signed bytes; accept either, as GNU tar does.
    let signed: i64 =
        h.iter().enumerate().map(|(i, &b)| if field.contains(&i) { 32 } else { i64::from(b as i8) }).sum();
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A tar numeric field: octal digits, optionally padded with leading spaces and ended by
/// NUL or space. `None` for anything else (including an empty field).
fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = field.iter().position(|&b| b != b' ').map_or(&field[..0], |start| &field[start..]);
    let end = text.iter().position(|&b| b == 0 || b == b' ').unwrap_or(text.len());
    let (digits, rest) = text.split_at(end);
    if digits.is_empty() || !rest.iter().all(|&b| b == 0 || b == b' ') {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| (b'0'..=b'7').contains(&d).then(|| n * 8 + u64::from(d - b'0')))
}

/// A unit of work for a worker.
enum Job {
    Path { path: PathBuf, display: String },
    Stdin,
    Member { name: String, bytes: Vec<u8>, depth: usize },
}

struct Shared<'a> {
    limits: &'a Limits,
    visitor: &'a dyn Visitor,
    /// The files and stdin the walk found (unbounded).
    files: Sender<Job>,
    /// Archive members handed to other workers (bounded).
    members: Sender<Job>,
    pending: AtomicUsize,
    walk_done: AtomicBool,
    /// Dropped once the walk is done and no job is pending, which wakes every idle worker
    /// to exit (they used to poll, and the load ended up to one poll interval late).
    stop: Mutex<Option<Sender<()>>>,
    /// Decompressed bytes handed to the visitor so far (for `max_total_bytes`).
    total: AtomicU64,
}

/// A worker's ends of the queues of [`Shared`].
struct Queues {
    files: Receiver<Job>,
    members: Receiver<Job>,
    /// Only ever disconnected, never sent to (see [`Shared::stop_if_done`]).
    stop: Receiver<()>,
}

fn worker(shared: &Shared<'_>, queues: &Queues) {
    loop {
        // Members first: they hold their bytes in memory.
        let job = match queues.members.try_recv() {
            Ok(job) => job,
            Err(_) => {
                let received = crossbeam_channel::select! {
                    recv(queues.members) -> job => job,
                    recv(queues.files) -> job => job,
                    recv(queues.stop) -> _ => return,
                };
                // The job senders live in `shared`, as long as the workers.
                let Ok(job) = received else { return };
                job
            }
        };
        let _done = JobDone(shared);
        shared.run(job);
    }
}

/// Counts a job done when dropped: also when the job panicked, so that the other workers
/// still see the end of the load and stop (the scope then passes the panic on) rather
/// than wait for a job that will never finish.
struct JobDone<'s, 'a>(&'s Shared<'a>);

impl Drop for JobDone<'_, '_> {
    fn drop(&mut self) {
        if self.0.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.stop_if_done();
        }
    }
}

impl Shared<'_> {
    /// Stops the workers when nothing is left to do. Called by the walker once it is done
    /// and by whichever worker finishes the last pending job: with both flags sequentially
    /// consistent, at least one of them sees the walk done and nothing pending. Nothing can
    /// be queued after that, since only the walker and running jobs queue jobs.
    fn stop_if_done(&self) {
        if self.walk_done.load(Ordering::SeqCst) && self.pending.load(Ordering::SeqCst) == 0 {
            drop(self.stop.lock().unwrap_or_else(|p| p.into_inner()).take());
        }
    }

    /// Queues a file for any worker (walker only).
    fn submit(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.files.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Hands an archive member to another worker when the queue has room, else opens it
    /// here (so a worker reading an archive can never deadlock on a full queue).
    fn dispatch_member(&self, name: String, bytes: Vec<u8>, depth: usize) {
        if depth >= self.limits.max_nesting {
            let message = format!("archives nested more than {} deep; not opened", self.limits.max_nesting);
            return self.visitor.failed(problem(&name, ProblemKind::Limit, message));
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        match self.members.try_send(Job::Member { name, bytes, depth }) {
            Ok(()) => {}
            Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) => {
                self.pending.fetch_sub(1, Ordering::SeqCst);
                if let Job::Member { name, bytes, depth } = job {
                    self.input(&name, bytes, depth);
                }
            }
        }
    }

    fn run(&self, job: Job) {
        match job {
            Job::Path { path, display } => match std::fs::read(&path) {
                Ok(bytes) => {
                    self.visitor.read(&display, &bytes);
                    self.input(&display, bytes, 0);
                }
                Err(e) => self.visitor.failed(io_problem(&display, &e)),
            },
            Job::Stdin => {
                let mut bytes = Vec::new();
                match std::io::stdin().lock().read_to_end(&mut bytes) {
                    Ok(_) => {
                        self.visitor.read("<stdin>", &bytes);
                        self.input("<stdin>", bytes, 0);
                    }
                    Err(e) => self.visitor.failed(io_problem("<stdin>", &e)),
                }
            }
            Job::Member { name, bytes, depth } => self.input(&name, bytes, depth),
        }
    }

    /// Hands a leaf to the visitor within the load's decompressed budget.
    fn leaf(&self, leaf: Leaf<'_>) {
        let size = leaf.content().len() as u64;
        let before = self.total.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > self.limits.max_total_bytes {
            let message = format!(
                "the load's decompressed total passed the limit of {} bytes; not read (raise --max-total-size)",
                self.limits.max_total_bytes
            );
            return self.visitor.failed(problem(leaf.name, ProblemKind::Limit, message));
        }
        self.visitor.leaf(leaf);
    }

    /// Opens containers; hands everything else to the visitor.
    fn input(&self, name: &str, bytes: Vec<u8>, depth: usize) {
        if bytes.starts_with(GZIP_MAGIC) {
            let mut inflater = INFLATER.with(|i| i.borrow_mut().take()).unwrap_or_else(Inflater::new);
            let clean = gunzip_clean(&bytes, self.limits, &mut inflater);
            let bytes = match clean {
                Some(len) => {
                    self.leaf(Leaf { name, stored: bytes, inflated: Some(&inflater.out[..len]), damage: None });
                    None
                }
                None => Some(bytes),
            };
            if inflater.out.len() <= MAX_KEPT_BUFFER {
                INFLATER.with(|i| *i.borrow_mut() = Some(inflater));
            }
            let Some(bytes) = bytes else { return };
            let mut data = INFLATE_BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
            match gunzip(&bytes, self.limits, &mut data) {
                Gunzipped::Tar(decoder) => {
                    let prefix = Cursor::new(std::mem::take(&mut data));
                    self.tar(name, prefix.chain(decoder), depth);
                }
                Gunzipped::Data(damage) => {
                    self.leaf(Leaf { name, stored: bytes, inflated: Some(&data), damage });
                }
            }
            data.clear();
            if data.capacity() <= MAX_KEPT_BUFFER {
                INFLATE_BUFFER.with(|b| *b.borrow_mut() = data);
            }
        } else if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
            self.zip(name, bytes, depth);
        } else if is_tar(&bytes) {
            self.tar(name, &bytes[..], depth);
        } else {
            self.leaf(Leaf { name, stored: bytes, inflated: None, damage: None });
        }
    }

    fn tar<R: Read>(&self, name: &str, reader: R, depth: usize) {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(e) => e,
            Err(e) => return self.visitor.failed(archive_problem(name, &e.to_string())),
        };
        let mut count = 0usize;
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => return self.visitor.failed(archive_problem(name, &e.to_string())),
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            count += 1;
            if count > self.limits.max_archive_members {
                return self.visitor.failed(member_limit(name, self.limits.max_archive_members));
            }
            let member = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            self.member(name, &member, &mut entry, depth);
        }
        if count == 0 {
            self.visitor.failed(no_files(name, "tar"));
        }
    }

    fn zip(&self, name: &str, bytes: Vec<u8>, depth: usize) {
        let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => return self.visitor.failed(archive_problem(name, &e.to_string())),
        };
        if archive.len() > self.limits.max_archive_members {
            return self.visitor.failed(member_limit(name, self.limits.max_archive_members));
        }
        let mut files = 0usize;
        for i in 0..archive.len() {
            let mut file = match archive.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.visitor.failed(archive_problem(&format!("{name}!#{i}"), &e.to_string()));
                    continue;
                }
            };
            if file.is_dir() {
                continue;
            }
            files += 1;
            let member = String::from_utf8_lossy(file.name_raw()).into_owned();
            self.member(name, &member, &mut file, depth);
        }
        if files == 0 {
            self.visitor.failed(no_files(name, "zip"));
        }
    }

    /// Reads one archive member (unless the visitor passes over its name) and hands it on.
    fn member(&self, archive: &str, member: &str, reader: &mut impl Read, depth: usize) {
        if member.len() > self.limits.max_path_bytes {
            let shown: String = member.chars().take(120).collect();
            let message = format!(
                "member name of {} bytes is longer than the limit of {}; not read",
                member.len(),
                self.limits.max_path_bytes
            );
            return self.visitor.failed(problem(&format!("{archive}!{shown}…"), ProblemKind::Limit, message));
        }
        let full = format!("{archive}!{member}");
        if self.visitor.skip(&full) {
            return;
        }
        match read_limited(reader, self.limits.max_file_bytes) {
            Ok(bytes) => self.dispatch_member(full, bytes, depth + 1),
            Err(p) => self.visitor.failed(p.at(&full, 0)),
        }
    }

    fn walk(&self, paths: &[PathBuf]) {
        for path in paths {
            if path.as_os_str() == "-" {
                self.submit(Job::Stdin);
                continue;
            }
            let display = path.to_string_lossy().into_owned();
            match std::fs::metadata(path) {
                Err(e) => self.visitor.failed(io_problem(&display, &e)),
                Ok(m) if m.is_dir() => self.walk_dir(path),
                Ok(m) => self.submit_file(path.clone(), display, m.len()),
            }
        }
    }

    fn walk_dir(&self, root: &Path) {
        // Unsorted: the workers finish files in any order anyway, and sorting every
        // directory's long, common-prefixed trail file names cost more than walking them.
        let walker = WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let size = e.metadata().map_or(0, |m| m.len());
                    let display = e.path().to_string_lossy().into_owned();
                    self.submit_file(e.into_path(), display, size);
                }
                Ok(_) => {}
                Err(e) => {
                    let path = e.path().map_or_else(|| root.to_string_lossy(), |p| p.to_string_lossy()).into_owned();
                    let p = if e.loop_ancestor().is_some() {
                        problem(&path, ProblemKind::Io, "symbolic link loop; not followed".to_owned())
                    } else if let Some(io) = e.io_error() {
                        io_problem(&path, io)
                    } else {
                        problem(&path, ProblemKind::Io, e.to_string())
                    };
                    self.visitor.failed(p);
                }
            }
        }
    }

    fn submit_file(&self, path: PathBuf, display: String, size: u64) {
        if self.visitor.skip(&display) {
            return;
        }
        self.visitor.discovered(size);
        self.submit(Job::Path { path, display });
    }
}

/// A worker's inflate state for [`gunzip_clean`]: a raw-deflate decompressor that is
/// reset between files rather than rebuilt (rebuilding allocated and zeroed its state,
/// and `MultiGzDecoder` added a zeroed 32 KiB read buffer per file), and an output buffer
/// that stays initialised, so files after the first are inflated into it without the
/// zeroing `read_to_end` does for every file.
struct Inflater {
    /// Tried first: the single-member file with a right trailer, about twice as fast.
    whole: Option<GzipInflater>,
    raw: flate2::Decompress,
    /// Fully initialised (`len` is the usable size); a file's output is a prefix of it.
    out: Vec<u8>,
}

impl Inflater {
    fn new() -> Self {
        Self { whole: GzipInflater::new(), raw: flate2::Decompress::new(false), out: Vec::new() }
    }
}

/// The first output buffer is sized from the gzip trailer, but never above this: a big
/// gzip may be a tar, which is streamed instead (see [`gunzip_clean`]).
const CLEAN_FIRST_OUTPUT: usize = 64 << 20;

/// The fast path for the common case, a gzip file (one or several members) that decodes
/// cleanly, into the worker's kept buffer: a single member whose trailer states its size
/// is inflated by libdeflate; otherwise (several members, or libdeflate declined) flate2
/// inflates with one `decompress` call per member when the trailer's size is right.
/// Returns the output length, or `None` for anything else — damage, a header flag this
/// does not handle, trailing bytes, the size limit, a tar stream — and the caller then
/// starts over on the general path ([`gunzip`]), which reports exactly as before. One call
/// per member with `FlushDecompress::Finish` also spares zlib-rs copying the output into
/// its window.
fn gunzip_clean(bytes: &[u8], limits: &Limits, inf: &mut Inflater) -> Option<usize> {
    let trailer_size = bytes
        .len()
        .checked_sub(4)
        .map_or(0, |at| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize);
    let max = usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX);
    // Room for the whole output plus slack, so the member usually ends within one call.
    let first = trailer_size.saturating_add(4096).clamp(64 << 10, CLEAN_FIRST_OUTPUT).min(max.saturating_add(1));
    if inf.out.len() < first {
        inf.out.resize(first, 0);
    }
    // The header check keeps the flags libdeflate would accept unchecked (FHCRC) on the
    // general path, as for flate2 below.
    gzip_header_len(bytes)?;
    if trailer_size <= max && trailer_size < inf.out.len() {
        if let Some(len) = inf.whole.as_mut().and_then(|w| w.single_member(bytes, &mut inf.out[..trailer_size])) {
            return (!is_tar(&inf.out[..len.min(512)])).then_some(len);
        }
    }
    let (mut pos, mut len) = (0usize, 0usize);
    loop {
        pos += gzip_header_len(bytes.get(pos..)?)?;
        inf.raw.reset(false);
        let member_start = len;
        loop {
            let (in_before, out_before) = (inf.raw.total_in(), inf.raw.total_out());
            let status =
                inf.raw.decompress(&bytes[pos..], &mut inf.out[len..], flate2::FlushDecompress::Finish).ok()?;
            let (read, written) =
                ((inf.raw.total_in() - in_before) as usize, (inf.raw.total_out() - out_before) as usize);
            pos += read;
            len += written;
            if len > max || is_tar(&inf.out[..len.min(512)]) {
                return None;
            }
            match status {
                flate2::Status::StreamEnd => break,
                _ if len == inf.out.len() => {
                    // Output full: grow (the trailer's size was wrong or capped).
                    let grown = inf.out.len().saturating_mul(2).min(max.saturating_add(1));
                    if grown <= inf.out.len() {
                        return None;
                    }
                    inf.out.resize(grown, 0);
                }
                _ if pos == bytes.len() || (read == 0 && written == 0) => return None, // truncated or stuck
                _ => {}
            }
        }
        let trailer = bytes.get(pos..pos + 8)?;
        let mut crc = flate2::Crc::new();
        crc.update(&inf.out[member_start..len]);
        let size = (len - member_start) as u32;
        if trailer[..4] != crc.sum().to_le_bytes() || trailer[4..] != size.to_le_bytes() {
            return None;
        }
        pos += 8;
        if pos == bytes.len() {
            return Some(len);
        }
        if !bytes[pos..].starts_with(GZIP_MAGIC) {
            return None;
        }
    }
}

/// Length of a gzip member header at the start of `b`, for the plain forms only: deflate,
/// and no flags but FTEXT, FEXTRA, FNAME and FCOMMENT (FHCRC and reserved bits go to the
/// general path, which checks them).
fn gzip_header_len(b: &[u8]) -> Option<usize> {
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if b.len() < 10 || !b.starts_with(GZIP_MAGIC) || b[2] != 8 || b[3] & !(1 | FEXTRA | FNAME | FCOMMENT) != 0 {
        return None;
    }
    let flags = b[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let xlen = u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize;
        at += 2 + xlen;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            at += b.get(at..)?.iter().position(|&c| c == 0)? + 1;
        }
    }
    (at <= b.len()).then_some(at)
}

/// What a gzip input turned out to hold.
enum Gunzipped<'b> {
    /// A tar stream: `out` holds its first bytes, the decoder the rest.
    Tar(Box<std::io::Take<MultiGzDecoder<&'b [u8]>>>),
    /// Anything else, decompressed whole into `out` (up to the size limit), with the
    /// damage that stopped it, if any.
    Data(Option<DecodeProblem>),
}

/// Decompresses a gzip input (all members) into `out`, which must be empty. One decoder
/// reads the first 512 bytes, enough to recognise a tar header; a tar is then streamed
/// rather than held in memory, anything else is read to the end.
fn gunzip<'b>(bytes: &'b [u8], limits: &Limits, out: &mut Vec<u8>) -> Gunzipped<'b> {
    // The gzip trailer holds the (last member's) size mod 2^32: exact for the usual
    // single-member file, so the buffer is sized once instead of regrown.
    let trailer = bytes
        .len()
        .checked_sub(4)
        .map_or(0, |at| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize);
    let guess = trailer.max(bytes.len().saturating_mul(4)).saturating_add(64);
    out.reserve(guess.min(limits.max_file_bytes as usize).min(1 << 30));
    let mut reader = MultiGzDecoder::new(bytes).take(limits.max_file_bytes + 1);
    let mut result = (&mut reader).take(512).read_to_end(out);
    if result.is_ok() {
        if is_tar(out) {
            return Gunzipped::Tar(Box::new(reader));
        }
        result = reader.read_to_end(out);
    }
    let damage = match result {
        Ok(_) if out.len() as u64 > limits.max_file_bytes => {
            out.truncate(limits.max_file_bytes as usize);
            Some(DecodeProblem::new(
                ProblemKind::Limit,
                format!(
                    "decompresses to more than the {} byte limit (gzip bomb?); only the first part was read",
                    limits.max_file_bytes
                ),
                None,
            ))
        }
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Some(DecodeProblem::new(
            ProblemKind::TruncatedGzip,
            format!(
                "the gzip stream ends early (truncated download?); {} bytes decompressed before the end",
                out.len()
            ),
            Some(format!("byte {}", out.len())),
        )),
        Err(e) => Some(DecodeProblem::new(
            ProblemKind::BadGzip,
            format!("corrupt gzip data: {e}; {} bytes decompressed before the damage", out.len()),
            Some(format!("byte {}", out.len())),
        )),
    };
    Gunzipped::Data(damage)
}

fn read_limited(reader: &mut impl Read, limit: u64) -> Result<Vec<u8>, DecodeProblem> {
    let mut out = Vec::new();
    match reader.take(limit + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > limit => Err(DecodeProblem::new(
            ProblemKind::Limit,
            format!("archive member is larger than the {limit} byte limit; skipped"),
            None,
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(DecodeProblem::new(
            ProblemKind::BadGzip,
            format!("archive member could not be read: {e}"),
            Some(format!("byte {}", out.len())),
        )),
    }
}

/// An archive that opened but holds no file (nothing, or only folders): without this
/// entry it would leave no trace in the report at all.
fn no_files(name: &str, kind: &str) -> Problem {
    problem(name, ProblemKind::Empty, format!("the {kind} archive holds no files (nothing, or only folders)"))
}

fn archive_problem(name: &str, error: &str) -> Problem {
    problem(name, ProblemKind::BadGzip, format!("corrupt archive: {error}"))
}

fn member_limit(name: &str, limit: usize) -> Problem {
    problem(name, ProblemKind::Limit, format!("archive has more than {limit} members; the rest were not read"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::{Compression, GzBuilder};

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// The general path's reading of `bytes`, for comparison.
    fn general(bytes: &[u8], limits: &Limits) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        match gunzip(bytes, limits, &mut out) {
            Gunzipped::Data(damage) => (out, damage.is_none()),
            Gunzipped::Tar(_) => panic!("not a tar"),
        }
    }

    /// The fast path either declines or agrees byte for byte with the general path on a
    /// clean input; it never accepts a damaged one.
    fn check(bytes: &[u8], limits: &Limits, expect_fast: bool) {
        let mut inf = Inflater::new();
        let fast = gunzip_clean(bytes, limits, &mut inf).map(|len| inf.out[..len].to_vec());
        let (out, clean) = general(bytes, limits);
        match fast {
            Some(f) => {
                assert!(clean, "fast path accepted an input the general path finds damaged");
                assert_eq!(f, out);
            }
            None => assert!(!expect_fast, "fast path declined a clean input"),
        }
        assert_eq!(fast_declines(bytes, limits), !expect_fast);
    }

    fn fast_declines(bytes: &[u8], limits: &Limits) -> bool {
        gunzip_clean(bytes, limits, &mut Inflater::new()).is_none()
    }

    #[test]
    fn clean_gzip_fast_path_matches_the_general_path() {
        let limits = Limits::default();
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{{\"n\":{i}}},").into_bytes()).collect();
        check(&gz(&text), &limits, true);
        check(&gz(b""), &limits, true);
        // Several members, including an empty one.
        let multi = [gz(&text[..1000]), gz(b""), gz(&text[1000..])].concat();
        check(&multi, &limits, true);
        // Header with a name, a comment and an extra field.
        let mut e = GzBuilder::new()
            .filename("a.json")
            .comment("c")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), Compression::fast());
        e.write_all(&text).unwrap();
        check(&e.finish().unwrap(), &limits, true);
        // The same buffer reused for a smaller file after a larger one.
        let mut inf = Inflater::new();
        assert!(gunzip_clean(&gz(&text), &limits, &mut inf).is_some());
        let len = gunzip_clean(&gz(b"small"), &limits, &mut inf).unwrap();
        assert_eq!(&inf.out[..len], b"small");
    }

    #[test]
    fn anything_unusual_goes_to_the_general_path() {
        let limits = Limits::default();
        let text = b"{\"Records\":[]}".repeat(1000);
        let good = gz(&text);
        // Truncated, corrupt body, bad CRC, bad size, trailing garbage.
        check(&good[..good.len() - 3], &limits, false);
        check(&good[..good.len() / 2], &limits, false);
        let mut corrupt = good.clone();
        corrupt[20] ^= 0x55;
        check(&corrupt, &limits, false);
        for at in [good.len() - 8, good.len() - 2] {
            let mut b = good.clone();
            b[at] ^= 1;
            check(&b, &limits, false);
        }
        check(&[good.clone(), b"junk".to_vec()].concat(), &limits, false);
        // A header CRC (FHCRC) is left to the general path.
        let mut hcrc = good.clone();
        hcrc[3] |= 2;
        assert!(fast_declines(&hcrc, &limits));
        // Over the size limit.
        let small = Limits { max_file_bytes: 100, ..Limits::default() };
        assert!(fast_declines(&good, &small));
        // A trailer size smaller than the content (more than 4 GiB, or lying) still works.
        let mut lying = good.clone();
        let n = lying.len();
        lying[n - 4..].copy_from_slice(&16u32.to_le_bytes());
        assert!(fast_declines(&lying, &limits)); // the size check fails: damaged
    }

    #[test]
    fn a_gzipped_tar_is_left_to_the_streaming_path() {
        let mut tar = vec![0u8; 1024];
        tar[257..262].copy_from_slice(b"ustar");
        assert!(fast_declines(&gz(&tar), &Limits::default()));
    }
}
