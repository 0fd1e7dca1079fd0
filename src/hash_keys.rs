//! Keyed hashes for text from logs: keys drawn from the OS's randomness once per process,
//! so nobody can compute in advance which values collide (see `store::interner::hash_str`
//! for what a public hash cost). Nothing hashed with them may be stored or ordered by:
//! they change from run to run.

use std::hash::{BuildHasher, RandomState};
use std::sync::LazyLock;

use foldhash::fast::SeedableRandomState;
use foldhash::SharedSeed;

/// A foldhash builder for hash tables and sets of values from logs, keyed from the OS
/// rather than by foldhash's own seed, which mixes only addresses and the clock.
pub static FOLDHASH: LazyLock<SeedableRandomState> = LazyLock::new(|| {
    static SHARED: LazyLock<SharedSeed> = LazyLock::new(|| SharedSeed::from_u64(random_key()));
    SeedableRandomState::with_seed(random_key(), &SHARED)
});

/// The seed of the xxh3 hashes of values from logs (eventIDs, search lines, canonical
/// event contents).
pub static XXH3_SEED: LazyLock<u64> = LazyLock::new(random_key);

/// A random `u64`: std's `RandomState` draws its keys from the OS once per thread and
/// makes each new state differ, so every call gives another key.
fn random_key() -> u64 {
    RandomState::new().hash_one(0u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_is_drawn_anew() {
        assert_ne!(random_key(), random_key());
    }
}
