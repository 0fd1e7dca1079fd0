//! String interning with postings: every distinct value of a facet gets a `u32` id, and
//! each id keeps the sorted list of events that carry it, so a facet filter is a lookup
//! and a set operation, never a scan of the events.
//!
//! Values are found by a hash the caller may have computed already ([`hash_str`]): the
//! load workers hash each value while preparing a file outside the store lock, so the
//! locked phase only probes and compares.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Marks "no value" in a facet column.
pub const NONE: u32 = u32::MAX;

/// The hash every interner uses for a value (workers compute it ahead of the lock).
pub fn hash_str(value: &str) -> u64 {
    FxBuildHasher.hash_one(value)
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
    postings: Vec<Vec<u32>>,
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
        if let Some(&id) = self.table.find(hash, |&id| &*values[id as usize] == value) {
            return id;
        }
        let id = self.values.len() as u32;
        let hashes = &self.hashes;
        self.table.insert_unique(hash, id, |&id| hashes[id as usize]);
        self.values.push(value.into());
        self.hashes.push(hash);
        self.postings.push(Vec::new());
        id
    }

    /// Interns `value` and records that `event` carries it.
    pub fn add(&mut self, value: &str, event: u32) -> u32 {
        let id = self.intern(value);
        self.add_id(id, event)
    }

    /// Records that `event` carries the already interned value `id`.
    pub fn add_id(&mut self, id: u32, event: u32) -> u32 {
        let list = &mut self.postings[id as usize];
        if list.last() != Some(&event) {
            list.push(event);
        }
        id
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
        self.table.find(hash_str(value), |&id| &*self.values[id as usize] == value).copied()
    }

    /// Events carrying value `id`, in ascending event order.
    pub fn postings(&self, id: u32) -> &[u32] {
        self.postings.get(id as usize).map_or(&[], Vec::as_slice)
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
    fn interns_once_and_keeps_sorted_postings() {
        let mut f = FacetIndex::default();
        assert_eq!(f.add("GetObject", 0), 0);
        assert_eq!(f.add("PutObject", 1), 1);
        assert_eq!(f.add("GetObject", 2), 0);
        assert_eq!(f.add("GetObject", 2), 0);
        assert_eq!(f.postings(0), &[0, 2]);
        assert_eq!(f.value(1), Some("PutObject"));
        assert_eq!(f.id_of("nope"), None);
        assert_eq!(f.len(), 2);
    }
}
