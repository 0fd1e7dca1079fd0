//! Fuzzy search over the summary lines of a selection (the explorer's `/`), in the
//! background and cancellable: [`SearchWorker`] takes [`SearchRequest`]s and answers with
//! [`SearchUpdate`]s on a channel — partial ones soon after the first chunk, then the
//! complete ranking. No terminal here: the TUI is one consumer, the benchmark another.
//!
//! - **Matching** ([`matcher`]): every whitespace-separated word must match (AND, like
//!   fzf's extended mode without its operators); a word matches when its characters appear
//!   in order; smart case per word. Two engines behind [`LineMatcher`]: nucleo-matcher, the
//!   default, and fuzzy-matcher's `SkimMatcherV2`, kept selectable for the benchmark only
//!   (`bench/search.sh`: nucleo was 2–2.3× faster on the standard queries, with the same
//!   matches as `fzf --filter`).
//! - **Threads**: one coordinator thread per worker; each request is scanned by
//!   [`SearchOptions::threads`] threads (all cores; the coordinator is one), each with its
//!   own matcher, taking chunks of [`CHUNK`] lines in turn. Std threads, no async runtime.
//! - **Channel**: a `std::sync::mpsc::Receiver` the TUI polls (`try_recv` on its tick).
//!   Every update carries its request's generation. Once `submit` has returned, no update of
//!   an older request is *sent*; ones sent earlier may still be queued, so the receiver drops
//!   updates whose generation is not the last it submitted. Per request: zero or more
//!   partial updates (`complete: false`, at most [`PARTIAL_HITS`] hits, at most every
//!   [`PARTIAL_INTERVAL`] after the first), then exactly one complete update — unless a newer
//!   request or `cancel` overtakes it.
//! - **Orders**: [`SearchOrder::BestMatch`] — score descending, ties in selection order;
//!   [`SearchOrder::Time`] — selection order, lines only tested, not scored (score 0), which
//!   is an order of magnitude faster. Toggling the order resubmits the same query.
//! - **Memory**: the summary lines of the last selection searched are cached (keyed by the
//!   selection `Arc`'s pointer), identical lines once — about 240 MB for the standard
//!   1M-event corpus (320-byte lines, a third of them repeats) — until a search on another
//!   selection, [`SearchWorker::release`] or drop. A complete update holds every hit
//!   (40 bytes each plus positions); positions are filled for the first
//!   [`POSITIONS_LIMIT`] hits only, later ones are empty: compute them with [`highlight`]
//!   when they are drawn.
//! - **Typing**: a query that extends the last completed one on the same selection only
//!   rescans that one's matches ([`SearchOptions::incremental`]).
//!
//! Positions are char indices into [`summary_line`](crate::query::summary::summary_line)'s
//! output, which is not sanitised: map them through the sanitiser when drawing.

pub mod matcher;
pub mod worker;

pub use matcher::{highlight, query_words, LineMatcher, MatcherKind};
pub use worker::{
    Hit, SearchOptions, SearchOrder, SearchRequest, SearchUpdate, SearchWorker, CHUNK, PARTIAL_HITS, PARTIAL_INTERVAL,
    POSITIONS_LIMIT,
};
