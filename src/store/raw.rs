//! Every event's original bytes, kept compressed, behind one call: [`RawStore::get`].
//!
//! A gzip input that decoded cleanly and is small keeps its own gzip bytes as the blob —
//! no recompression at load time, and the gzip we read is 4–5× smaller than its JSON.
//! Everything else (plain JSON, CSV, records unescaped from strings, damaged or very large
//! gzip) is cut into ~1 MiB blocks of record bytes compressed with LZ4, so any event is at
//! most one small block away. A one-entry cache makes reading neighbours cheap.

use std::io::Read;
use std::sync::{Arc, Mutex};

use flate2::read::MultiGzDecoder;

use crate::ingest::discover::{FoundRecord, RawBytes};
use crate::ingest::libdeflate::GzipInflater;

/// Target size of an LZ4 block of record bytes.
pub const BLOCK_BYTES: usize = 1 << 20;
/// Largest decompressed gzip input kept as its own blob (larger ones are re-blocked so a
/// single event never costs inflating a huge member).
pub const MAX_GZIP_BLOB_INFLATED: usize = 16 << 20;

/// Where an event's bytes are: `len` bytes at `offset` of blob `blob`'s decompressed form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locator {
    pub blob: u32,
    pub offset: u32,
    pub len: u32,
}

/// One compressed blob.
#[derive(Debug)]
pub enum Blob {
    /// An input's own gzip bytes, which decoded cleanly to `raw_len` bytes.
    Gzip {
        data: Box<[u8]>,
        raw_len: u32,
    },
    Lz4 {
        data: Box<[u8]>,
        raw_len: u32,
    },
}

impl Blob {
    pub fn compressed_len(&self) -> usize {
        match self {
            Blob::Gzip { data, .. } => data.len(),
            Blob::Lz4 { data, .. } => data.len(),
        }
    }

    fn inflate(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Blob::Gzip { data, raw_len } => {
                // libdeflate, as at load time (twice as fast as flate2: an export inflates
                // every blob it needs); flate2 for what it declines (several members).
                let mut out = vec![0; *raw_len as usize];
                if GzipInflater::new().and_then(|mut inflater| inflater.single_member(data, &mut out))
                    == Some(out.len())
                {
                    return Ok(out);
                }
                out.clear();
                MultiGzDecoder::new(&data[..]).read_to_end(&mut out)?;
                Ok(out)
            }
            Blob::Lz4 { data, raw_len } => lz4_flex::block::decompress(data, *raw_len as usize)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        }
    }
}

/// The blobs of one input plus, for each of its records, a locator whose `blob` is an
/// index into `blobs` (rebased when the store adopts them).
#[derive(Debug, Default)]
pub struct PreparedRaw {
    pub blobs: Vec<Blob>,
    pub locators: Vec<Locator>,
}

impl PreparedRaw {
    /// Builds the blobs for `records` found in `data`. `gzip` is the input's original
    /// compressed bytes when `data` is exactly their clean decompression.
    pub fn build(records: &[FoundRecord<'_>], data: &[u8], gzip: Option<Box<[u8]>>) -> Self {
        let all_spans = records.iter().all(|r| matches!(r.raw, RawBytes::Span { .. }));
        if let Some(gz) = gzip.filter(|_| all_spans && data.len() <= MAX_GZIP_BLOB_INFLATED) {
            let locators = records
                .iter()
                .map(|r| match r.raw {
                    RawBytes::Span { start, len } => Locator { blob: 0, offset: start as u32, len: len as u32 },
                    RawBytes::Owned(_) => unreachable!("checked above"),
                })
                .collect();
            return Self { blobs: vec![Blob::Gzip { data: gz, raw_len: data.len() as u32 }], locators };
        }
        let mut out = Self::default();
        let mut block: Vec<u8> = Vec::new();
        for r in records {
            let bytes = record_bytes(r, data);
            if !block.is_empty() && block.len() + bytes.len() > BLOCK_BYTES {
                out.flush(&mut block);
            }
            out.locators.push(Locator {
                blob: out.blobs.len() as u32,
                offset: block.len() as u32,
                len: bytes.len() as u32,
            });
            block.extend_from_slice(bytes);
        }
        if !block.is_empty() {
            out.flush(&mut block);
        }
        out
    }

    fn flush(&mut self, block: &mut Vec<u8>) {
        let data = lz4_flex::block::compress(block).into_boxed_slice();
        self.blobs.push(Blob::Lz4 { data, raw_len: block.len() as u32 });
        block.clear();
    }
}

/// The bytes of a found record.
pub fn record_bytes<'d>(r: &'d FoundRecord<'_>, data: &'d [u8]) -> &'d [u8] {
    match &r.raw {
        RawBytes::Span { start, len } => &data[*start..*start + *len],
        RawBytes::Owned(b) => b,
    }
}

/// All blobs of the store.
#[derive(Debug, Default)]
pub struct RawStore {
    blobs: Vec<Blob>,
    compressed_bytes: u64,
    last: Mutex<Option<(u32, Arc<Vec<u8>>)>>,
}

impl RawStore {
    /// Adopts prepared blobs; returns the id the first one gets.
    pub fn adopt(&mut self, blobs: Vec<Blob>) -> u32 {
        let base = self.blobs.len() as u32;
        for b in blobs {
            self.compressed_bytes += b.compressed_len() as u64;
            self.blobs.push(b);
        }
        base
    }

    /// The original bytes of the event at `loc`.
    pub fn get(&self, loc: Locator) -> std::io::Result<Vec<u8>> {
        let blob = self.inflated(loc.blob)?;
        let (start, end) = (loc.offset as usize, loc.offset as usize + loc.len as usize);
        blob.get(start..end)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "locator outside its blob"))
    }

    /// The whole decompressed blob `id`, cached for the next call.
    pub fn inflated(&self, id: u32) -> std::io::Result<Arc<Vec<u8>>> {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cached, bytes)) = &*last {
            if *cached == id {
                return Ok(Arc::clone(bytes));
            }
        }
        let bytes = self.inflate(id)?;
        *last = Some((id, Arc::clone(&bytes)));
        Ok(bytes)
    }

    /// The whole decompressed blob `id`, bypassing the cache (for parallel bulk reads).
    pub fn inflate(&self, id: u32) -> std::io::Result<Arc<Vec<u8>>> {
        let blob = self
            .blobs
            .get(id as usize)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such blob"))?;
        Ok(Arc::new(blob.inflate()?))
    }

    pub fn compressed_bytes(&self) -> u64 {
        self.compressed_bytes
    }
}
