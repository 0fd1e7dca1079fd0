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

/// Address ranges of reserved, not yet written memory, to be mapped by [`Prefault::run`].
/// Nothing here reads or writes them: mapping a page keeps whatever it holds, so a worker
/// writing there meanwhile, or the memory having been freed and reused since, is harmless
/// (and a range no longer mapped is an error the kernel reports and this ignores).
#[derive(Debug, Default)]
pub struct Prefault {
    ranges: Vec<(usize, usize)>,
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
        let len = capacity.saturating_sub(used).min(wanted);
        if len > 0 {
            self.ranges.push((start + used, len));
        }
    }

    /// Total bytes noted (for tests).
    pub fn bytes(&self) -> usize {
        self.ranges.iter().map(|&(_, len)| len).sum()
    }

    /// Maps the whole pages of every range noted (call it without the store's lock).
    pub fn run(self) {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: `sysconf` has no memory arguments.
            let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
                p if p > 0 => p as usize,
                _ => return,
            };
            for (start, len) in self.ranges {
                // Whole pages only: the partial first one is likely in use already.
                let (from, to) = (start.next_multiple_of(page), (start + len) / page * page);
                if to > from {
                    // SAFETY: MADV_POPULATE_WRITE maps pages without changing what they
                    // hold, and fails (ignored: this is only a head start) on addresses that
                    // are not mapped or not writable; no reference to the memory is made.
                    unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_POPULATE_WRITE) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Prefault;

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
        p.run();
        v.extend(0..1000);
        s.push_str("def");
        assert_eq!((&v[..4], v.len(), s.as_str()), (&[7, 8, 9, 0][..], 1003, "abcdef"));
    }

    /// How many of the whole pages within `v`'s capacity are resident, and how many
    /// there are.
    #[cfg(target_os = "linux")]
    fn resident(v: &Vec<u8>) -> (usize, usize) {
        let page = 4096;
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
        // Larger than malloc's largest mmap threshold: a fresh mapping, nothing resident.
        let v: Vec<u8> = Vec::with_capacity(64 << 20);
        let (before, pages) = resident(&v);
        assert!(before < pages / 100, "{before} of {pages} pages resident before");
        let mut p = Prefault::default();
        p.spare(&v, usize::MAX);
        p.run();
        assert_eq!(resident(&v), (pages, pages));
    }
}
