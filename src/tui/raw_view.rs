//! The raw JSON pane's state: the selected event's rows (see `view::json_rows`), which
//! containers are folded, and the cursor. Rebuilt only when the selected event changes.

use std::collections::BTreeSet;

use crate::store::Store;
use crate::view::json_rows::{json_rows, subtree_json, visible_rows, JsonRow, RowKind};

#[derive(Debug, Default)]
pub struct RawView {
    pub event: Option<u32>,
    pub rows: Vec<JsonRow>,
    pub folded: BTreeSet<usize>,
    /// Indices into `rows` currently shown.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub cursor: usize,
    pub offset: usize,
    /// The event's bytes as text (for "copy event"), or why they could not be shown.
    pub text: String,
    pub error: Option<String>,
}

impl RawView {
    /// Shows `event` (no-op when it is already shown).
    pub fn show(&mut self, store: &Store, event: Option<u32>) {
        if event == self.event {
            return;
        }
        *self = RawView { event, ..RawView::default() };
        let Some(e) = event else { return };
        match store.raw_bytes(e) {
            Ok(bytes) => {
                self.text = String::from_utf8_lossy(&bytes).into_owned();
                match json_rows(&self.text) {
                    Ok(rows) => self.rows = rows,
                    // Partial events (CSV rows, text lines) are not JSON: shown as text.
                    Err(_) => self.error = Some("not JSON: the original line is shown as text".into()),
                }
            }
            Err(err) => self.error = Some(format!("cannot read the original bytes: {err}")),
        }
        self.refresh_visible();
    }

    fn refresh_visible(&mut self) {
        self.visible = visible_rows(&self.rows, &self.folded);
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    /// The row under the cursor (an index into `rows`).
    pub fn current_row(&self) -> Option<usize> {
        self.visible.get(self.cursor).copied()
    }

    /// Folds or unfolds the container under the cursor; on a scalar or closing row, folds
    /// the container it belongs to.
    pub fn toggle_fold(&mut self) {
        let Some(i) = self.current_row() else { return };
        let target = match self.rows[i].kind {
            RowKind::Open { .. } => Some(i),
            _ => self.enclosing_open(i),
        };
        let Some(t) = target.filter(|&t| t > 0 || !self.folded.contains(&t)) else { return };
        if !self.folded.remove(&t) {
            self.folded.insert(t);
        }
        self.refresh_visible();
        if let Some(pos) = self.visible.iter().position(|&v| v == t) {
            self.cursor = pos;
        }
    }

    fn enclosing_open(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| matches!(self.rows[j].kind, RowKind::Open { close, .. } if close >= i))
    }

    /// Folds every container below the top level.
    pub fn fold_all(&mut self) {
        self.folded = self
            .rows
            .iter()
            .enumerate()
            .filter(|(i, r)| *i > 0 && r.depth == 1 && matches!(r.kind, RowKind::Open { .. }))
            .map(|(i, _)| i)
            .collect();
        self.cursor = 0;
        self.refresh_visible();
    }

    pub fn unfold_all(&mut self) {
        self.folded.clear();
        self.refresh_visible();
    }

    /// The selected value as JSON (a scalar's text for strings, unquoted).
    pub fn selected_value(&self) -> Option<String> {
        let i = self.current_row()?;
        match &self.rows[i].kind {
            RowKind::Scalar { text, kind: crate::view::json_rows::ScalarKind::String } => Some(text.clone()),
            RowKind::Close { .. } => self.enclosing_open(i).map(|o| subtree_json(&self.rows, o)),
            _ => Some(subtree_json(&self.rows, i)),
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        let max = self.visible.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, max) as usize;
    }
}
