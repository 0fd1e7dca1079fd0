//! Deterministic randomness: a SplitMix64 stream plus the few sampling helpers the
//! generator needs (uniform ranges, weighted choice, AWS-style identifiers, UUID v4).
//!
//! Everything the generator emits is a pure function of the seed, so no `rand`, no
//! thread-local state and no hashing of pointers: one [`Rng`] is threaded through the
//! sequential generation loop, and values that must be *recomputable* from a name (an
//! assumed-role session's access key for a given hour, say) come from [`Rng::keyed`],
//! which seeds a fresh stream from a hash of the parts.

/// Characters AWS uses in access key ids and unique ids (upper case and digits 2-7,
/// like base32).
pub const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Upper case letters and all digits, as in S3 request ids.
pub const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Mixed-case alphanumerics, as in the random suffix of trail file names.
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Lower-case hexadecimal digits.
pub const HEX: &[u8] = b"0123456789abcdef";

/// The SplitMix64 output function: a strong 64-bit mixer.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over bytes, finished with [`mix64`]; used to derive stable sub-seeds from names.
pub fn hash_bytes(h: u64, bytes: &[u8]) -> u64 {
    let mut h = h ^ 0xCBF2_9CE4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    mix64(h)
}

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    #[cfg(test)]
    pub fn new(seed: u64) -> Self {
        Rng(mix64(seed ^ 0x005E_ED0F_7A11_5C0E))
    }

    /// A generator seeded from `seed` and a list of names: the same inputs always give
    /// the same stream, independently of how much of the main stream has been used.
    pub fn keyed(seed: u64, parts: &[&str]) -> Self {
        let mut h = mix64(seed);
        for p in parts {
            h = hash_bytes(h, p.as_bytes());
        }
        Rng(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (bias is negligible at our sizes).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// `n` characters drawn from `charset`.
    pub fn chars(&mut self, n: usize, charset: &[u8]) -> String {
        (0..n).map(|_| charset[self.below(charset.len() as u64) as usize] as char).collect()
    }

    /// An AWS-style id: a fixed prefix (`AKIA`, `ASIA`, `AIDA`, `AROA`) then `n` key characters.
    pub fn aws_id(&mut self, prefix: &str, n: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + n);
        s.push_str(prefix);
        s.push_str(&self.chars(n, KEY_CHARS));
        s
    }

    /// A random (version 4, variant 1) UUID in the canonical lower-case form.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }

    /// A child stream for a sub-task, so the parent's later draws do not depend on how
    /// many numbers the child consumed.
    pub fn fork(&mut self) -> Rng {
        Rng(mix64(self.next_u64() ^ 0xF0F0_0F0F_A5A5_5A5A))
    }
}

/// Weighted choice over indices by binary search on cumulative weights.
#[derive(Clone, Debug, Default)]
pub struct Weighted {
    cum: Vec<u64>,
}

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = u64>) -> Self {
        let mut total = 0u64;
        let cum = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cum }
    }

    pub fn is_empty(&self) -> bool {
        self.cum.last().copied().unwrap_or(0) == 0
    }

    /// An index `i` with probability `weight[i] / total`. Panics if all weights are zero.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().expect("weighted choice over nothing");
        let x = rng.below(total);
        self.cum.partition_point(|&c| c <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn uuid_is_v4() {
        let mut r = Rng::new(1);
        for _ in 0..100 {
            let u = r.uuid();
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        }
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let w = Weighted::new([0, 5, 0, 1]);
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let i = w.sample(&mut r);
            assert!(i == 1 || i == 3);
        }
    }
}
