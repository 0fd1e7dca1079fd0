//! Whole-buffer gzip decompression with libdeflate, for the load's hot path (a clean
//! single-member trail file whose size the gzip trailer states) and for reading such a
//! file's events again from the store (`store::raw`).
//!
//! Measured on the standard 1M-event corpus (21,321 files, one thread, same run):
//! libdeflate inflated it in 1.03 s, flate2's zlib-rs backend in 2.10 s, zune-inflate in
//! 2.37 s. Decompression is most of the load's floor, so this is the one place the crate
//! calls C. Everything libdeflate declines — several members, a wrong trailer size,
//! damage — goes on to the flate2 paths, which also produce every report entry.
//!
//! The three FFI calls below are `unsafe`; the only other `unsafe` block of the crate is
//! the SSE2 byte comparison in `special`.

use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// A libdeflate decompressor (about 10 KB of tables), reused from file to file.
pub struct GzipInflater(NonNull<libdeflate_decompressor>);

impl GzipInflater {
    /// `None` only if libdeflate cannot allocate its state.
    pub fn new() -> Option<Self> {
        // SAFETY: no arguments; the result is null or a decompressor we now own.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(Self)
    }

    /// Decompresses `gzip`, which must be exactly one gzip member (header, deflate data,
    /// and a trailer whose CRC-32 and size libdeflate checks), into `out`. Returns the
    /// decompressed length; `None` when the data is damaged, does not fit in `out`, or
    /// bytes follow the first member (another member, or trailing garbage).
    pub fn single_member(&mut self, gzip: &[u8], out: &mut [u8]) -> Option<usize> {
        let (mut read, mut written) = (0usize, 0usize);
        // SAFETY: both pointers come from live slices with their exact lengths; libdeflate
        // reads at most `gzip.len()` bytes, writes at most `out.len()` bytes and then
        // stores two `usize`s through the references. `&mut self` makes the decompressor
        // exclusively ours for the call.
        let result = unsafe {
            libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                gzip.as_ptr().cast(),
                gzip.len(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut read,
                &mut written,
            )
        };
        (result == libdeflate_result_LIBDEFLATE_SUCCESS && read == gzip.len() && written <= out.len())
            .then_some(written)
    }
}

impl Drop for GzipInflater {
    fn drop(&mut self) {
        // SAFETY: allocated by `libdeflate_alloc_decompressor` and freed only here.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_one_member_exactly() {
        let data = b"{\"Records\":[]}\n".repeat(1000);
        let mut out = vec![0; data.len()];
        let mut inf = GzipInflater::new().unwrap();
        assert_eq!(inf.single_member(&gz(&data), &mut out), Some(data.len()));
        assert_eq!(out, data);
    }

    #[test]
    fn declines_everything_but_one_clean_member() {
        let data = b"hello, trail".repeat(100);
        let one = gz(&data);
        let mut inf = GzipInflater::new().unwrap();
        let mut out = vec![0; data.len() * 2];
        // Two members, trailing garbage, a flipped byte, a cut trailer, too small an output.
        let two = [one.clone(), one.clone()].concat();
        let garbage = [one.clone(), b"x".to_vec()].concat();
        let mut flipped = one.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x55;
        let cut = &one[..one.len() - 3];
        for bad in [&two[..], &garbage, &flipped, cut] {
            assert_eq!(inf.single_member(bad, &mut out), None);
        }
        assert_eq!(inf.single_member(&one, &mut out[..data.len() - 1]), None);
        // Still usable after failures.
        assert_eq!(inf.single_member(&one, &mut out), Some(data.len()));
    }
}
