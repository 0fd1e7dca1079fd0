//! Reading the original bytes of many events at once. Time order interleaves events from
//! thousands of input files, so fetching one by one would inflate the same blob again and
//! again. Instead each chunk of the selection is grouped by blob, every blob needed is
//! inflated once (on all cores), and the events are handed out in selection order.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use crate::store::Store;

/// Events per chunk: bounds memory to about a chunk of decompressed blobs.
const CHUNK: usize = 16_384;

/// Calls `f(event, bytes)` for every event of `selection`, in order.
pub fn for_each_raw(
    store: &Store,
    selection: &[u32],
    mut f: impl FnMut(u32, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    for chunk in selection.chunks(CHUNK) {
        let mut blob_ids: Vec<u32> = chunk.iter().map(|&e| store.locator(e).blob).collect();
        blob_ids.sort_unstable();
        blob_ids.dedup();
        let inflated = inflate_all(store, &blob_ids, workers)?;
        for &e in chunk {
            let loc = store.locator(e);
            let blob = &inflated[&loc.blob];
            let (start, end) = (loc.offset as usize, loc.offset as usize + loc.len as usize);
            let bytes = blob
                .get(start..end)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "locator outside its blob"))?;
            f(e, bytes)?;
        }
    }
    Ok(())
}

/// Decompressed blobs by id.
type Inflated = BTreeMap<u32, Arc<Vec<u8>>>;

fn inflate_all(store: &Store, ids: &[u32], workers: usize) -> io::Result<Inflated> {
    let raw = store.raw_store();
    let per = ids.len().div_ceil(workers.max(1)).max(1);
    let parts: Vec<io::Result<Inflated>> = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .chunks(per)
            .map(|part| s.spawn(move || part.iter().map(|&id| Ok((id, raw.inflate(id)?))).collect()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("inflate worker panicked"))))
            .collect()
    });
    let mut out = BTreeMap::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}
