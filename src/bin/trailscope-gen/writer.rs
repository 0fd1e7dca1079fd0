//! Delivery: groups rendered records into trail files the way CloudTrail does — one file
//! per (account, region, 5-minute delivery window), named for its delivery time, laid out
//! in the S3 key structure — and gzips them on worker threads.
//!
//! Realistic untidiness is added here: a few percent of records arrive one window late,
//! about 1% are re-delivered byte-for-byte in a later file, and records inside a file are
//! only roughly in time order. All of it is drawn from the writer's own seeded stream,
//! on the generating thread; the workers only compress and write, so the output is
//! byte-identical for a seed however the threads are scheduled.
//!
//! With `--digests` the writer also remembers every file it wrote (key, delivery time,
//! event times) and the workers hash each file's uncompressed content, for `digests`.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::{anyhow, Context as _, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest as _, Sha256};

use crate::clock::{self, WINDOW_SECS};
use crate::rng::{Rng, ALNUM};

/// Share of records delivered one window late.
const LATE_RATE: f64 = 0.04;
/// Share of records re-delivered (identical bytes) in a later file.
const DUPLICATE_RATE: f64 = 0.01;
/// gzip level; 6 is zlib's default and what CloudTrail's files compress like.
const GZIP_LEVEL: u32 = 6;

struct Record {
    time: i64,
    seq: u64,
    json: String,
}

/// Records waiting for one delivery window, by (account index, region).
type Window = BTreeMap<(usize, &'static str), Vec<Record>>;

#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub files: u64,
    pub records: u64,
    pub duplicate_copies: u64,
    pub json_bytes: u64,
    pub gz_bytes: u64,
}

struct Job {
    path: PathBuf,
    json: Vec<u8>,
    /// Index into the delivered-file list whose hash the worker fills in (`--digests`).
    hash_slot: Option<usize>,
}

/// (index into the delivered-file list, SHA-256) pairs filled in by the workers.
type Hashes = Arc<Mutex<Vec<(usize, [u8; 32])>>>;

/// A trail file as a digest lists it (collected only with `--digests`).
#[derive(Debug, Clone)]
pub struct Delivered {
    pub account: usize,
    pub region: &'static str,
    /// `AWSLogs/…` key, relative to the output folder.
    pub key: String,
    /// Epoch seconds: the time in the file name (end of its delivery window).
    pub named: i64,
    pub oldest_event: i64,
    pub newest_event: i64,
    /// SHA-256 of the uncompressed content.
    pub sha256: [u8; 32],
}

pub struct Writer {
    root: PathBuf,
    accounts: Vec<String>,
    start: i64,
    rng: Rng,
    pending: BTreeMap<i64, Window>,
    seq: u64,
    dirs: HashSet<PathBuf>,
    tx: Option<SyncSender<Job>>,
    workers: Vec<JoinHandle<Result<u64>>>,
    stats: Stats,
    /// `Some` when delivered files are collected for digests.
    delivered: Option<Vec<Delivered>>,
    hashes: Hashes,
}

impl Writer {
    /// `root` is the output folder (`AWSLogs/` is created inside it); `start` is the
    /// start of window 0. `collect` keeps what digests need about every file written.
    pub fn new(
        root: &Path,
        accounts: Vec<String>,
        start: i64,
        rng: Rng,
        threads: usize,
        collect: bool,
    ) -> Result<Self> {
        let (tx, rx) = sync_channel::<Job>(64);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let hashes: Hashes = Arc::default();
        let workers = (0..threads.max(1))
            .map(|_| {
                let rx = rx.clone();
                let hashes = hashes.clone();
                std::thread::spawn(move || -> Result<u64> {
                    let mut total = 0u64;
                    loop {
                        let job = match rx.lock().map_err(|_| anyhow!("writer poisoned"))?.recv() {
                            Ok(job) => job,
                            Err(_) => return Ok(total),
                        };
                        let mut enc =
                            GzEncoder::new(Vec::with_capacity(job.json.len() / 6 + 64), Compression::new(GZIP_LEVEL));
                        enc.write_all(&job.json)?;
                        let gz = enc.finish()?;
                        if let Some(slot) = job.hash_slot {
                            let sha: [u8; 32] = Sha256::digest(&job.json).into();
                            hashes.lock().map_err(|_| anyhow!("writer poisoned"))?.push((slot, sha));
                        }
                        total += gz.len() as u64;
                        fs::write(&job.path, &gz).with_context(|| format!("writing {}", job.path.display()))?;
                    }
                })
            })
            .collect();
        Ok(Writer {
            root: root.to_path_buf(),
            accounts,
            start,
            rng,
            pending: BTreeMap::new(),
            seq: 0,
            dirs: HashSet::new(),
            tx: Some(tx),
            workers,
            stats: Stats::default(),
            delivered: collect.then(Vec::new),
            hashes,
        })
    }

    /// Queues a record that happened in window `window` (maybe late, maybe twice).
    pub fn add(&mut self, window: i64, account: usize, region: &'static str, time: i64, json: String) {
        let deliver = if self.rng.chance(LATE_RATE) { window + 1 } else { window };
        if self.rng.chance(DUPLICATE_RATE) {
            let again = deliver + self.rng.range(1, 3) as i64;
            self.push(again, account, region, time, json.clone());
            self.stats.duplicate_copies += 1;
        }
        self.push(deliver, account, region, time, json);
    }

    fn push(&mut self, window: i64, account: usize, region: &'static str, time: i64, json: String) {
        self.seq += 1;
        self.pending.entry(window).or_default().entry((account, region)).or_default().push(Record {
            time,
            seq: self.seq,
            json,
        });
    }

    /// Writes every file whose delivery window is `<= window`.
    pub fn flush_through(&mut self, window: i64) -> Result<()> {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > window {
                break;
            }
            let (w, files) = entry.remove_entry();
            for ((account, region), records) in files {
                self.emit(w, account, region, records)?;
            }
        }
        Ok(())
    }

    fn emit(&mut self, window: i64, account: usize, region: &'static str, mut records: Vec<Record>) -> Result<()> {
        // Roughly, not strictly, in time order: sort, then swap some near neighbours.
        records.sort_by_key(|r| (r.time, r.seq));
        let n = records.len();
        for i in 0..n {
            if self.rng.chance(0.3) {
                let j = (i + 1 + self.rng.below(3) as usize).min(n - 1);
                records.swap(i, j);
            }
        }
        let delivered = self.start + (window + 1) * WINDOW_SECS;
        let acct = &self.accounts[account];
        let dir =
            self.root.join("AWSLogs").join(acct).join("CloudTrail").join(region).join(clock::date_path(delivered));
        if !self.dirs.contains(&dir) {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            self.dirs.insert(dir.clone());
        }
        let name = format!(
            "{acct}_CloudTrail_{region}_{}_{}.json.gz",
            clock::file_stamp(delivered),
            self.rng.chars(16, ALNUM)
        );
        let size: usize = records.iter().map(|r| r.json.len() + 1).sum::<usize>() + 16;
        let mut json = Vec::with_capacity(size);
        json.extend_from_slice(b"{\"Records\":[");
        for (i, r) in records.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            json.extend_from_slice(r.json.as_bytes());
        }
        json.extend_from_slice(b"]}");
        self.stats.files += 1;
        self.stats.records += n as u64;
        self.stats.json_bytes += json.len() as u64;
        let hash_slot = self.delivered.as_mut().map(|list| {
            let key = format!("AWSLogs/{acct}/CloudTrail/{region}/{}/{name}", clock::date_path(delivered));
            list.push(Delivered {
                account,
                region,
                key,
                named: delivered,
                oldest_event: records.iter().map(|r| r.time).min().unwrap_or(delivered),
                newest_event: records.iter().map(|r| r.time).max().unwrap_or(delivered),
                sha256: [0; 32],
            });
            list.len() - 1
        });
        let job = Job { path: dir.join(name), json, hash_slot };
        if self.tx.as_ref().expect("writer open").send(job).is_err() {
            // A worker failed; its error is reported by finish().
            return self.join().map(|_| ());
        }
        Ok(())
    }

    fn join(&mut self) -> Result<u64> {
        self.tx = None;
        let mut total = 0;
        let mut first_err = None;
        for w in self.workers.drain(..) {
            match w.join() {
                Ok(Ok(n)) => total += n,
                Ok(Err(e)) => {
                    first_err.get_or_insert(e);
                }
                Err(_) => {
                    first_err.get_or_insert(anyhow!("a compression thread panicked"));
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }

    /// Writes everything still pending and waits for the workers; returns the files
    /// written when they were collected.
    pub fn finish(mut self) -> Result<(Stats, Option<Vec<Delivered>>)> {
        self.flush_through(i64::MAX)?;
        self.stats.gz_bytes = self.join()?;
        let mut delivered = self.delivered.take();
        if let Some(list) = delivered.as_mut() {
            let hashes = std::mem::take(&mut *self.hashes.lock().map_err(|_| anyhow!("writer poisoned"))?);
            if hashes.len() != list.len() {
                return Err(anyhow!("{} files written but {} hashed", list.len(), hashes.len()));
            }
            for (slot, sha) in hashes {
                list[slot].sha256 = sha;
            }
        }
        Ok((self.stats, delivered))
    }
}
