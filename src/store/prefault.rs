//! Mapping the memory a load is about to fill before the load gets there, away from the
//! store's lock.
//!
//! The first write to each page of a process costs a page fault, and on these virtual
//! machines a dear one (2–7 µs a page, depending on the host's load). A load of the 1M
//! corpus wrote ~200 MB of the store's arrays page by page while holding the store lock:
//! ~20% of the time the lock was held went to faults, and the other worker waited. Once
//! the walk has estimated the load's size and the store has reserved room, the walker
//! thread — idle from then on — maps those pages ahead of the workers, one `madvise`
//! (`MADV_POPULATE_WRITE`) per array, which also costs less per page than faulting.

/// Most bytes one load maps ahead. The estimate behind the room can be far off (dense
/// gzip first, large plain JSON later), and mapped memory is real memory: beyond this, the
/// load's own writes map the pages as they come. The 1M corpus needs ~230 MB.
pub const BUDGET_BYTES: usize = 256 << 20;

/// Pages are mapped this many bytes at a time, so that other threads' memory calls
/// (which wait for the process's memory map while a `madvise` holds it) are not held up
/// for long, and so that the mapping can stop when the load no longer needs it.
const CHUNK_BYTES: usize = 2 << 20;

/// Address ranges of reserved, not yet written memory, to be mapped by [`Prefault::run`].
/// Nothing here reads or writes them: mapping a page keeps whatever it holds, so a worker
/// writing there meanwhile, or the memory having been freed and reused since, is harmless
/// (and a range no longer mapped is an error the kernel reports and this ignores).
#[derive(Debug)]
pub struct Prefault {
    ranges: Vec<(usize, usize)>,
    /// Bytes that may still be noted.
    budget: usize,
}

impl Default for Prefault {
    fn default() -> Self {
        Self { ranges: Vec::new(), budget: BUDGET_BYTES }
    }
}

impl Prefault {
    /// Notes the spare capacity of `v`, up to `elements` more elements.
    pub fn spare<T>(&mut self, v: &Vec<T>, elements: usize) {
        let size = std::mem::size_of::<T>();
        self.note(v.as_ptr() as usize, v.len() * size, v.capacity() * size, elements.saturating_mul(size));
    }

    /// Notes the spare capacity of `s`, up to `bytes` more bytes.
    pub fn spare_text(&mut self, s: &String, bytes: usize) {
        self.note(s.as_ptr() as usize, s.len(), s.capacity(), bytes);
    }

    fn note(&mut self, start: usize, used: usize, capacity: usize, wanted: usize) {
        let len = capacity.saturating_sub(used).min(wanted).min(self.budget);
        if len > 0 {
            self.ranges.push((start + used, len));
            self.budget -= len;
        }
    }

    /// Total bytes noted.
    pub fn bytes(&self) -> usize {
        self.ranges.iter().map(|&(_, len)| len).sum()
    }

    /// Maps the whole pages of every range noted, a chunk at a time while `wanted()` says
    /// so (call it without the store's lock).
    pub fn run_while(self, wanted: impl Fn() -> bool) {
        #[cfg(target_os = "linux")]
        {
            let Some(page) = page_size() else { return };
            for (start, len) in self.ranges {
                // Whole pages only: the partial first one is likely in use already.
                let (mut from, to) = (start.next_multiple_of(page), (start + len) / page * page);
                while from < to && wanted() {
                    let end = (from + CHUNK_BYTES).min(to);
                    // SAFETY: MADV_POPULATE_WRITE maps pages without changing what they
                    // hold, and fails (ignored: this is only a head start) on addresses
                    // that are not mapped or not writable, or before Linux 5.14; no
                    // reference to the memory is made.
                    unsafe { libc::madvise(from as *mut libc::c_void, end - from, libc::MADV_POPULATE_WRITE) };
                    from = end;
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (self, wanted);
    }
}

#[cfg(target_os = "linux")]
fn page_size() -> Option<usize> {
    // SAFETY: `sysconf` has no memory arguments.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).ok().filter(|&p| p > 0)
}

#[cfg(test)]
mod tests {
    use super::{page_size, Prefault, BUDGET_BYTES};

    #[test]
    fn notes_only_reserved_room_up_to_what_is_wanted() {
        let mut v: Vec<u32> = Vec::with_capacity(1 << 20);
        v.extend([7, 8, 9]);
        let mut s = String::with_capacity(100_000);
        s.push_str("abc");
        let mut p = Prefault::default();
        p.spare(&v, 1000);
        p.spare(&v, usize::MAX);
        p.spare_text(&s, 10);
        p.spare(&Vec::<u64>::new(), 50); // no room: nothing noted
        assert_eq!(p.bytes(), 1000 * 4 + ((1 << 20) - 3) * 4 + 10);
        // Never more than the budget in all.
        let big: Vec<u8> = Vec::with_capacity(BUDGET_BYTES);
        p.spare(&big, usize::MAX);
        p.spare(&big, usize::MAX);
        assert_eq!(p.bytes(), BUDGET_BYTES);
    }

    /// How many of the whole pages within `v`'s capacity are resident, and how many
    /// there are.
    #[cfg(target_os = "linux")]
    fn resident(v: &Vec<u8>) -> (usize, usize) {
        let page = page_size().unwrap();
        let start = (v.as_ptr() as usize).next_multiple_of(page);
        let end = (v.as_ptr() as usize + v.capacity()) / page * page;
        let mut map = vec![0u8; (end - start) / page];
        // SAFETY: `map` has a byte per page of the page-aligned range, which is mapped.
        assert_eq!(unsafe { libc::mincore(start as *mut libc::c_void, end - start, map.as_mut_ptr()) }, 0);
        (map.iter().filter(|&&b| b & 1 == 1).count(), map.len())
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn maps_the_pages_ahead() {
        // Larger than malloc's largest mmap threshold: a fresh mapping, nothing resident
        // (huge pages turned off for it, or one write of malloc's would map 2 MB).
        let v: Vec<u8> = Vec::with_capacity(64 << 20);
        let page = page_size().unwrap();
        let start = (v.as_ptr() as usize).next_multiple_of(page);
        // SAFETY: advice on a whole-page range of the vector's own mapping.
        unsafe { libc::madvise(start as *mut libc::c_void, (64 << 20) - page, libc::MADV_NOHUGEPAGE) };
        let (before, pages) = resident(&v);
        assert!(before < pages / 100, "{before} of {pages} pages resident before");
        let mut p = Prefault::default();
        p.spare(&v, usize::MAX);
        // Stopped at once: nothing is mapped.
        let mut stopped = Prefault::default();
        stopped.spare(&v, usize::MAX);
        stopped.run_while(|| false);
        assert!(resident(&v).0 < pages / 100);
        p.run_while(|| true);
        assert_eq!(resident(&v), (pages, pages));
    }
}
