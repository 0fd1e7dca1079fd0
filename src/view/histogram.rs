//! Event counts over time for a selection, in a fixed number of buckets: the strip above
//! the timeline. Buckets are whole "nice" spans (1 s … 1 day multiples) so their bounds
//! read well and zooming into one gives a clean time range.

use crate::store::Store;

/// Counts per bucket; bucket `i` covers `[start + i·span, start + (i+1)·span)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Histogram {
    pub start: i64,
    pub span: i64,
    pub counts: Vec<u32>,
}

const NICE_SPANS_MS: [i64; 21] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
    2_592_000_000,
];

impl Histogram {
    /// Buckets the timed events of `selection` (time-ordered event ids) into at most
    /// `buckets` buckets. Empty when the selection has no timed event.
    pub fn build(store: &Store, selection: &[u32], buckets: usize) -> Histogram {
        Self::build_with(selection, |e| store.time(e), buckets)
    }

    /// [`Histogram::build`] with the events' times from `time` (untimed events last).
    /// The selection is in time order, so each bucket's count is the distance between two
    /// binary searches: O(buckets · log n) time lookups instead of one per event — it is
    /// rebuilt on every change of the selection, which follows a running load.
    fn build_with(selection: &[u32], time: impl Fn(u32) -> Option<i64>, buckets: usize) -> Histogram {
        let timed_end = selection.partition_point(|&e| time(e).is_some());
        let timed = &selection[..timed_end];
        let (Some(first), Some(last)) = (timed.first().and_then(|&e| time(e)), timed.last().and_then(|&e| time(e)))
        else {
            return Histogram::default();
        };
        let buckets = buckets.max(1) as i64;
        let needed = (last - first) / buckets + 1;
        let span = NICE_SPANS_MS
            .iter()
            .copied()
            .find(|&s| s >= needed)
            .unwrap_or_else(|| (needed + 86_399_999) / 86_400_000 * 86_400_000);
        let start = first.div_euclid(span) * span;
        let n = ((last - start) / span + 1) as usize;
        let mut counts = Vec::with_capacity(n);
        let mut from = 0;
        for i in 1..=n as i64 {
            let end = start + i * span;
            let to = from + timed[from..].partition_point(|&e| time(e).is_some_and(|t| t < end));
            counts.push((to - from) as u32);
            from = to;
        }
        Histogram { start, span, counts }
    }

    /// The bucket holding time `t`, if any.
    pub fn bucket_of(&self, t: i64) -> Option<usize> {
        if self.counts.is_empty() || t < self.start {
            return None;
        }
        let i = ((t - self.start) / self.span) as usize;
        (i < self.counts.len()).then_some(i)
    }

    /// `[from, to)` (milliseconds) of bucket `i`.
    pub fn bounds(&self, i: usize) -> (i64, i64) {
        let from = self.start + i as i64 * self.span;
        (from, from + self.span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The histogram of the sorted `times` (then `untimed` untimed events), and the same
    /// counts made one event at a time.
    fn both(times: &[i64], untimed: usize, buckets: usize) -> (Histogram, Vec<u32>) {
        let all: Vec<Option<i64>> = times.iter().map(|&t| Some(t)).chain((0..untimed).map(|_| None)).collect();
        let selection: Vec<u32> = (0..all.len() as u32).collect();
        let h = Histogram::build_with(&selection, |e| all[e as usize], buckets);
        let mut naive = vec![0u32; h.counts.len()];
        for &t in times {
            naive[h.bucket_of(t).expect("every timed event has a bucket")] += 1;
        }
        (h, naive)
    }

    #[test]
    fn counts_match_one_event_at_a_time() {
        // Deterministic pseudo-random times with ties, bucket-edge values and negatives.
        let mut x: u64 = 42;
        let mut times: Vec<i64> = (0..5_000)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (x >> 33) as i64 % 7_200_000 - 1_000_000
            })
            .collect();
        times.extend([0, 60_000, 60_000, 3_600_000, -1_000_000]);
        times.sort_unstable();
        for buckets in [1, 7, 60, 200, 1_000] {
            for untimed in [0, 3] {
                let (h, naive) = both(&times, untimed, buckets);
                assert_eq!(h.counts, naive, "{buckets} buckets, {untimed} untimed");
                assert_eq!(h.counts.iter().map(|&c| c as usize).sum::<usize>(), times.len());
                assert!(h.counts.len() <= buckets + 1);
            }
        }
    }

    #[test]
    fn no_timed_event_no_histogram() {
        assert_eq!(both(&[], 4, 10).0, Histogram::default());
        assert_eq!(both(&[], 0, 10).0, Histogram::default());
        let (h, _) = both(&[5_000], 0, 10);
        assert_eq!(h.counts, vec![1]);
    }
}
