//! Finding where a JSON string's plain run ends — the first `"`, `\` or raw control
//! character — which is most of the fast reader's work: a CloudTrail record is ~120
//! strings (keys included) in ~1.5 KB.
//!
//! On x86_64 (where SSE2 is always there) sixteen bytes are compared at once; elsewhere
//! eight at a time with word arithmetic. The vector is built from a 16-byte array with
//! `bytemuck` (no pointer loads); the SSE2 intrinsics need an `unsafe` block only because
//! Rust asks for one around any `target_feature` function.

/// The index of the first `"`, `\` or byte below 0x20 in `bytes`.
#[inline(always)]
pub fn find_special(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut i = 0;
        while let Some(chunk) = bytes.get(i..i + 16) {
            let mask = sse2::special_mask(chunk.try_into().unwrap_or([0; 16]));
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
        swar::find_special(&bytes[i..]).map(|p| i + p)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::find_special(bytes)
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use core::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};

    /// Bit `k` set when byte `k` of `chunk` is `"`, `\` or below 0x20.
    #[inline(always)]
    pub fn special_mask(chunk: [u8; 16]) -> u32 {
        let v: __m128i = bytemuck::cast(chunk);
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has these
        // instructions; they only compute on values (no memory is touched).
        unsafe {
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Unsigned `v <= 0x1f` as `min(v, 0x1f) == v`.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
        }
    }
}

mod swar {
    /// [`super::find_special`] eight bytes at a time.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    pub fn find_special(bytes: &[u8]) -> Option<usize> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let mut i = 0;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let quote = x ^ (ONES * u64::from(b'"'));
            let backslash = x ^ (ONES * u64::from(b'\\'));
            // High bit set in each byte that is zero (a match) or below 0x20; borrows only
            // run upwards from a true hit, so the lowest flagged byte is exact.
            let hits = (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (x.wrapping_sub(ONES * 0x20) & !x);
            let hits = hits & HIGH;
            if hits != 0 {
                return Some(i + (hits.trailing_zeros() / 8) as usize);
            }
            i += 8;
        }
        bytes[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position and kind of special byte, after multi-byte UTF-8, across the 16- and
    /// 8-byte boundaries and in the tails, for both implementations.
    #[test]
    fn special_bytes_are_found_exactly() {
        let base = "aé😀bcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ".as_bytes().to_vec();
        for pos in 0..base.len() {
            for special in [b'"', b'\\', 0x00, 0x01, 0x1f] {
                let mut b = base.clone();
                if b[pos] >= 0x80 {
                    continue; // keep the UTF-8 intact; only replace ASCII bytes
                }
                b[pos] = special;
                for len in pos + 1..=b.len() {
                    assert_eq!(find_special(&b[..len]), Some(pos), "{special:#x} at {pos}, len {len}");
                    assert_eq!(swar::find_special(&b[..len]), Some(pos), "{special:#x} at {pos}, len {len}");
                }
            }
        }
        for len in 0..=base.len() {
            assert_eq!(find_special(&base[..len]), None);
            assert_eq!(swar::find_special(&base[..len]), None);
        }
        // Bytes just above the control range and high bytes are plain.
        let plain = [b' ', b'~', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']', b'{', b'}', 0x20, 0x21, 0x5b, 0x5d, 0xc3];
        assert_eq!(find_special(&plain), None);
    }
}
