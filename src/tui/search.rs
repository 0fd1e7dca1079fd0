//! The explorer's side of fuzzy search: the prompt, the request sent to the core's
//! [`SearchWorker`] and the newest results of the newest request (stale generations are
//! dropped here, as the worker's contract asks).

use std::sync::mpsc::Receiver;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::line_edit::LineEdit;
use crate::query::search::{Hit, SearchOrder, SearchRequest, SearchUpdate, SearchWorker};
use crate::store::Store;

/// Search prompt, results and the worker (started on first use).
#[derive(Default)]
pub struct SearchState {
    worker: Option<(SearchWorker, Receiver<SearchUpdate>)>,
    /// The prompt, while the user is typing (`/`).
    pub edit: Option<LineEdit>,
    /// The query of the current results ("" = no search).
    pub query: String,
    pub order: SearchOrder,
    generation: u64,
    /// The newest update of the current generation.
    pub result: Option<SearchUpdate>,
    /// Highlighted hit in the results list.
    pub cursor: usize,
    pub offset: usize,
    /// The hit `n`/`N` last jumped to.
    pub current: Option<usize>,
    /// Whether to time requests for the benchmark trace (`TRAILSCOPE_TRACE`).
    pub timed: bool,
    timing: Timing,
}

/// When the current request was submitted and which of its results were drawn since.
#[derive(Default)]
struct Timing {
    submitted: Option<Instant>,
    first_drawn: bool,
    complete_drawn: bool,
}

impl SearchState {
    pub fn is_active(&self) -> bool {
        !self.query.is_empty()
    }

    pub fn hits(&self) -> &[Hit] {
        self.result.as_ref().map_or(&[], |r| &r.hits)
    }

    /// Sends `query` over `selection` (replacing any running search). An empty query clears.
    pub fn submit(&mut self, store: &Arc<RwLock<Store>>, query: &str, selection: &Arc<Vec<u32>>) {
        self.generation += 1;
        self.query = query.trim().to_string();
        self.result = None;
        self.cursor = 0;
        self.offset = 0;
        self.current = None;
        self.timing =
            Timing { submitted: (self.timed && !self.query.is_empty()).then(Instant::now), ..Timing::default() };
        if self.query.is_empty() {
            if let Some((w, _)) = &self.worker {
                w.cancel();
            }
            return;
        }
        let (worker, _) = self.worker.get_or_insert_with(|| SearchWorker::new(store.clone()));
        worker.submit(SearchRequest {
            generation: self.generation,
            query: self.query.clone(),
            selection: selection.clone(),
            order: self.order,
        });
    }

    /// Clears the search and frees the worker's cached lines.
    pub fn clear(&mut self) {
        self.generation += 1;
        self.query.clear();
        self.result = None;
        self.edit = None;
        self.current = None;
        self.timing = Timing::default();
        if let Some((w, _)) = &self.worker {
            w.cancel();
            w.release();
        }
    }

    /// Takes the updates that arrived; true when the results changed.
    pub fn poll(&mut self) -> bool {
        let Some((_, rx)) = &self.worker else { return false };
        let mut changed = false;
        while let Ok(update) = rx.try_recv() {
            if update.generation == self.generation {
                self.result = Some(update);
                changed = true;
            }
        }
        if changed {
            let n = self.hits().len();
            self.cursor = self.cursor.min(n.saturating_sub(1));
        }
        changed
    }

    /// Called after each draw when timing: trace lines (ms since the submit) for the first
    /// results of the current request on screen (partial or complete) and for its
    /// complete ranking on screen, each once.
    pub fn drawn(&mut self) -> Vec<String> {
        let (Some(at), Some(result)) = (self.timing.submitted, &self.result) else { return Vec::new() };
        let ms = at.elapsed().as_secs_f64() * 1e3;
        let mut lines = Vec::new();
        if !self.timing.first_drawn {
            self.timing.first_drawn = true;
            lines.push(format!(
                "search_first_ms {ms:.3} hits={} complete={} query={}",
                result.hits.len(),
                result.complete,
                self.query
            ));
        }
        if result.complete && !self.timing.complete_drawn {
            self.timing.complete_drawn = true;
            lines.push(format!("search_complete_ms {ms:.3} hits={} query={}", result.hits.len(), self.query));
        }
        lines
    }

    /// Whether the newest request is still running.
    pub fn running(&self) -> bool {
        self.is_active() && !self.result.as_ref().is_some_and(|r| r.complete)
    }
}
