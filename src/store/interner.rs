//! String interning with postings: every distinct value of a facet gets a `u32` id, and
//! each id keeps the sorted list of events that carry it, so a facet filter is a lookup
//! and a set operation, never a scan of the events.

use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;

/// Marks "no value" in a facet column.
pub const NONE: u32 = u32::MAX;

/// The distinct values of one facet and, for each, the events that have it.
#[derive(Debug, Default)]
pub struct FacetIndex {
    values: IndexSet<Box<str>, FxBuildHasher>,
    postings: Vec<Vec<u32>>,
}

impl FacetIndex {
    /// The id of `value`, adding it when new.
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(id) = self.values.get_index_of(value) {
            return id as u32;
        }
        let (id, _) = self.values.insert_full(value.into());
        self.postings.push(Vec::new());
        id as u32
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
        self.values.get_index(id as usize).map(|b| &**b)
    }

    pub fn id_of(&self, value: &str) -> Option<u32> {
        self.values.get_index_of(value).map(|i| i as u32)
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
