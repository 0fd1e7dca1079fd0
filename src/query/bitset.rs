//! A fixed-size set of event ids, one bit each: filters combine as word-wise AND/OR/NOT,
//! so a boolean expression over 1M events costs a few thousand word operations.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub fn empty(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)], len }
    }

    pub fn full(len: usize) -> Self {
        let mut b = Self { words: vec![u64::MAX; len.div_ceil(64)], len };
        b.clear_tail();
        b
    }

    /// The set of `ids` (each `< len`).
    pub fn from_ids(len: usize, ids: &[u32]) -> Self {
        let mut b = Self::empty(len);
        b.insert_all(ids.iter().copied());
        b
    }

    pub fn insert(&mut self, id: u32) {
        let i = id as usize;
        if i < self.len {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    pub fn insert_all(&mut self, ids: impl IntoIterator<Item = u32>) {
        for id in ids {
            self.insert(id);
        }
    }

    pub fn contains(&self, id: u32) -> bool {
        let i = id as usize;
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn and_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn or_with(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn negate(&mut self) {
        for w in &mut self.words {
            *w = !*w;
        }
        self.clear_tail();
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn clear_tail(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= u64::MAX >> extra;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_algebra_respects_the_length() {
        let mut a = Bitset::from_ids(70, &[1, 3, 69]);
        let b = Bitset::from_ids(70, &[3, 4]);
        let mut not_a = a.clone();
        not_a.negate();
        assert_eq!(not_a.count(), 67);
        assert!(!not_a.contains(69) && not_a.contains(68));
        let mut or = a.clone();
        or.or_with(&b);
        assert_eq!(or.count(), 4);
        a.and_with(&b);
        assert_eq!(a, Bitset::from_ids(70, &[3]));
        assert_eq!(Bitset::full(70).count(), 70);
    }
}
