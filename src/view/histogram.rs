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
        let timed_end = selection.partition_point(|&e| store.time(e).is_some());
        let timed = &selection[..timed_end];
        let (Some(first), Some(last)) =
            (timed.first().and_then(|&e| store.time(e)), timed.last().and_then(|&e| store.time(e)))
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
        let mut counts = vec![0u32; n];
        for &e in timed {
            if let Some(t) = store.time(e) {
                counts[((t - start) / span) as usize] += 1;
            }
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
