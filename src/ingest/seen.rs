//! What the fast record reader recognises by its bytes instead of reading it again:
//! `userIdentity` objects, remembered by each worker thread across its inputs, and skipped
//! record members (such as `tlsDetails`), remembered per input.
//!
//! Text that starts with the exact bytes of an object that was read and found valid *is*
//! that object — an object ends at its own closing brace, so nothing after the copy can
//! change it — and it sits at the same depth (a record's member). It needs neither
//! validating nor reading again.
//!
//! `userIdentity` is a third of a record's bytes, and a session's block recurs byte for
//! byte in every event it makes, across many files: on the generated 100k-event corpus
//! 69% of the blocks repeat one of their own file and 90% of the rest one that the same
//! worker read in an earlier file (1,609 distinct blocks in all). Each distinct block gets a
//! number, unique within its thread, which the record carries: the store works out a
//! block's identity columns once and remembers them by number (`store::known`).
//!
//! The memory belongs to whichever thread reads (load workers, but also `load_bytes`, tests
//! and the fuzz targets): its contents change how a record is read, never what is read —
//! a recognised block comes without fields, and [`super::fastscan::read_identity`] reads
//! them from its span when needed.

use std::cell::RefCell;
use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

/// A `userIdentity` object of a record: its number (see the module) and where it is in
/// the text, so its fields can be read again when the store does not remember them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityBlock {
    pub number: u64,
    pub start: usize,
    pub end: usize,
}

/// What the fast reader remembers of one input: for each skipped record member, the last
/// object or array it held.
#[derive(Default)]
pub struct Seen<'a> {
    skipped: Vec<(&'a str, &'a str)>,
}

/// Skipped record members remembered per input.
const SEEN_SKIPPED: usize = 16;

impl<'a> Seen<'a> {
    /// The length of the last value of member `key`, if `rest` starts with it.
    pub(super) fn skipped(&self, key: &str, rest: &str) -> Option<usize> {
        let (_, text) = self.skipped.iter().find(|(k, _)| *k == key)?;
        rest.starts_with(text).then_some(text.len())
    }

    pub(super) fn remember_skipped(&mut self, key: &'a str, text: &'a str) {
        if let Some(entry) = self.skipped.iter_mut().find(|(k, _)| *k == key) {
            entry.1 = text;
        } else if self.skipped.len() < SEEN_SKIPPED {
            self.skipped.push((key, text));
        }
    }
}

/// Sets of the block memory (each of [`WAYS`] blocks).
const SETS: usize = 1 << 12;
/// Blocks per set: the sessions of one role share their first bytes up to the session
/// name, so a set must hold a few.
const WAYS: usize = 4;
/// Bytes of a block's start that choose its set (see [`set_key`]).
const KEY_BYTES: usize = 512;
/// Blocks longer than this are not remembered (real ones are under 2 KB).
const MAX_BLOCK: usize = 8 << 10;
/// Bytes of block text per worker before the memory starts afresh.
const ARENA_LIMIT: usize = 8 << 20;

#[derive(Clone, Copy, Default)]
struct Entry {
    key: u64,
    start: u32,
    len: u32,
    number: u64,
}

/// One worker's remembered `userIdentity` blocks: sets chosen by a block's first bytes,
/// the texts in an arena.
struct BlockMemory {
    sets: Vec<[Entry; WAYS]>,
    arena: Vec<u8>,
    /// The next block number of this thread (numbers are never reused, even after a reset,
    /// so a number names one block text for the thread's lifetime).
    next: u64,
}

thread_local! {
    static BLOCKS: RefCell<BlockMemory> = const { RefCell::new(BlockMemory { sets: Vec::new(), arena: Vec::new(), next: 0 }) };
}

/// The key of the block that `rest` may start with: a hash of its first [`KEY_BYTES`]
/// bytes, or of its bytes up to the first `}` when that comes sooner. Either way the key
/// depends only on the block's own bytes — a block shorter than [`KEY_BYTES`] has a `}`
/// (its last byte at the latest) before the bytes that follow it — so every copy of a block
/// gets the same key, whatever follows it.
fn set_key(rest: &[u8]) -> u64 {
    let head = &rest[..rest.len().min(KEY_BYTES)];
    let head = match memchr::memchr(b'}', head) {
        Some(close) => &head[..=close],
        None => head,
    };
    FxBuildHasher.hash_one(head) | 1 // never 0, which marks an empty entry
}

/// The set of a key: its high bits, the best mixed of an Fx hash.
fn set_of(key: u64) -> usize {
    (key >> 40) as usize % SETS
}

impl BlockMemory {
    fn text(&self, e: &Entry) -> &[u8] {
        &self.arena[e.start as usize..e.start as usize + e.len as usize]
    }

    fn recognise(&mut self, rest: &[u8]) -> Option<(u64, usize)> {
        if self.sets.is_empty() {
            return None;
        }
        let key = set_key(rest);
        let set = set_of(key);
        let way = (0..WAYS).find(|&w| {
            let e = &self.sets[set][w];
            e.key == key && rest.starts_with(self.text(e))
        })?;
        let e = self.sets[set][way];
        // Most recently used first, so the least recently used is the one replaced.
        self.sets[set].copy_within(0..way, 1);
        self.sets[set][0] = e;
        Some((e.number, e.len as usize))
    }

    fn remember(&mut self, block: &[u8]) -> Option<u64> {
        if block.len() > MAX_BLOCK {
            return None;
        }
        let number = self.next;
        self.next += 1;
        if self.sets.is_empty() {
            self.sets = vec![[Entry::default(); WAYS]; SETS];
            self.arena.reserve_exact(ARENA_LIMIT);
        }
        if self.arena.len() + block.len() > ARENA_LIMIT {
            self.arena.clear();
            self.sets.fill([Entry::default(); WAYS]);
        }
        let key = set_key(block);
        let entry = Entry { key, start: self.arena.len() as u32, len: block.len() as u32, number };
        self.arena.extend_from_slice(block);
        let set = &mut self.sets[set_of(key)];
        set.copy_within(0..WAYS - 1, 1);
        set[0] = entry;
        Some(number)
    }
}

/// The number and length of the remembered block that `rest` starts with.
pub(super) fn recognise_identity(rest: &str) -> Option<(u64, usize)> {
    BLOCKS.with(|m| m.borrow_mut().recognise(rest.as_bytes()))
}

/// Remembers `block`, a `userIdentity` object just read and accepted; returns its number,
/// or `None` for a block too long to keep.
pub(super) fn remember_identity(block: &str) -> Option<u64> {
    BLOCKS.with(|m| m.borrow_mut().remember(block.as_bytes()))
}

/// Forgets this thread's blocks (numbers still go on): for the fuzz targets, so that how an
/// input is read does not depend on the inputs before it.
#[doc(hidden)]
pub fn forget_identities() {
    BLOCKS.with(|m| {
        let mut m = m.borrow_mut();
        m.sets.clear();
        m.arena.clear();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_recognised_whatever_follows_it() {
        let short = r#"{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#;
        let long = format!(r#"{{"type":"AssumedRole","arn":"{}","sessionContext":{{}}}}"#, "a".repeat(200));
        let (n_short, n_long) = (remember_identity(short).unwrap(), remember_identity(&long).unwrap());
        assert_ne!(n_short, n_long);
        for tail in ["", r#","eventTime":"x"}"#, "}}]}"] {
            assert_eq!(recognise_identity(&format!("{short}{tail}")), Some((n_short, short.len())));
            assert_eq!(recognise_identity(&format!("{long}{tail}")), Some((n_long, long.len())));
        }
        // One byte off, or cut short: not recognised.
        assert_eq!(recognise_identity(&short.replace("ec2", "ec3")), None);
        assert_eq!(recognise_identity(&long[..long.len() - 1]), None);
        assert_eq!(recognise_identity(&long.replacen('a', "b", 150)), None);
    }

    #[test]
    fn blocks_sharing_their_first_bytes_are_told_apart() {
        // Blocks that differ only after their first KEY_BYTES bytes share one set.
        let block = |s: usize| format!(r#"{{"principalId":"{}","accessKeyId":"ASIA{s:04}"}}"#, "P".repeat(KEY_BYTES));
        let blocks: Vec<String> = (0..WAYS * 3).map(block).collect();
        let numbers: Vec<u64> = blocks.iter().map(|b| remember_identity(b).unwrap()).collect();
        // The last WAYS are recognised, each as itself.
        for (b, n) in blocks.iter().zip(&numbers).rev().take(WAYS) {
            assert_eq!(recognise_identity(b), Some((*n, b.len())));
        }
        assert_eq!(recognise_identity(&blocks[0]), None, "evicted");
    }

    #[test]
    fn numbers_are_never_reused_after_the_arena_starts_afresh() {
        let big = format!(r#"{{"arn":"{}"}}"#, "z".repeat(MAX_BLOCK - 20));
        let first = remember_identity(&big).unwrap();
        let mut last = first;
        for i in 0..(ARENA_LIMIT / big.len()) + 2 {
            let n = remember_identity(&big.replacen('z', &format!("{i:06}"), 1)).unwrap();
            assert!(n > last);
            last = n;
        }
        assert_eq!(recognise_identity(&big), None, "the memory was reset");
        let again = remember_identity(&big).unwrap();
        assert!(again > last);
        assert_eq!(recognise_identity(&big), Some((again, big.len())));
        let huge = format!(r#"{{"arn":"{}"}}"#, "h".repeat(MAX_BLOCK));
        assert_eq!(remember_identity(&huge), None, "too long to keep");
        assert_eq!(recognise_identity(&huge), None);
        forget_identities();
        assert_eq!(recognise_identity(&big), None, "forgotten");
        assert!(remember_identity(&big).unwrap() > again, "numbers go on");
    }
}
