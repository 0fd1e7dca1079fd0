//! Keys for hashing text from logs: random per process, so nobody can compute in advance
//! which values collide (see `store::interner::hash_str` for what a public hash cost).

use std::hash::{BuildHasher, RandomState};

/// A random `u64` from the OS's randomness (std's `RandomState` keys are drawn from it once
/// per thread); `salt` tells apart the keys one caller needs.
pub fn random_key(salt: u64) -> u64 {
    RandomState::new().hash_one(salt)
}
