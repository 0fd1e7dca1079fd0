//! The explorer's view definition: the typed filter, the one-key toggles and the zoom
//! stack, with undo/redo over all of them, and the selection they produce.
//!
//! The whole view is expressible in the filter language ([`ViewSpec::expression`]), so what
//! is on screen can be pasted into `trailscope export --filter` and selects the same events.

use crate::model::time::format_utc;
use crate::query::{parse, select, ParseError};
use crate::store::Store;

/// Everything that decides the selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewSpec {
    /// The filter as typed.
    pub text: String,
    pub errors_only: bool,
    pub writes_only: bool,
    /// Nested time ranges `[from, to)` in ms, innermost last.
    pub zoom: Vec<(i64, i64)>,
}

impl ViewSpec {
    pub fn with_text(text: &str) -> Self {
        Self { text: text.trim().to_string(), ..Self::default() }
    }

    /// The view as one filter-language expression.
    pub fn expression(&self) -> String {
        let mut parts = Vec::new();
        if !self.text.trim().is_empty() {
            parts.push(format!("({})", self.text.trim()));
        }
        if self.errors_only {
            parts.push("error:*".to_string());
        }
        if self.writes_only {
            parts.push("-readOnly:true".to_string());
        }
        if let Some((from, to)) = self.zoom.last() {
            if let (Some(a), Some(b)) = (format_utc(*from), format_utc(*to)) {
                parts.push(format!("after:{a} before:{b}"));
            }
        }
        parts.join(" ")
    }

    pub fn is_everything(&self) -> bool {
        self.expression().is_empty()
    }
}

/// The applied view and its history.
#[derive(Debug, Default)]
pub struct FilterState {
    pub applied: ViewSpec,
    undo: Vec<ViewSpec>,
    redo: Vec<ViewSpec>,
}

impl FilterState {
    pub fn new(initial: ViewSpec) -> Self {
        Self { applied: initial, ..Self::default() }
    }

    /// Makes `next` the applied view (recording the old one for undo). False when nothing
    /// changed.
    pub fn change(&mut self, next: ViewSpec) -> bool {
        if next == self.applied {
            return false;
        }
        self.undo.push(std::mem::replace(&mut self.applied, next));
        self.redo.clear();
        true
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(prev) => {
                self.redo.push(std::mem::replace(&mut self.applied, prev));
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(next) => {
                self.undo.push(std::mem::replace(&mut self.applied, next));
                true
            }
            None => false,
        }
    }
}

/// Checks the typed text (for the live caret while typing).
pub fn validate(text: &str, now_ms: i64) -> Result<(), ParseError> {
    parse(text, now_ms).map(|_| ())
}

/// The events of `spec`, in time order; an evaluation error as a message.
pub fn selection_of(store: &Store, spec: &ViewSpec, now_ms: i64) -> Result<Vec<u32>, String> {
    let text = spec.expression();
    if text.is_empty() {
        return Ok(store.time_order().to_vec());
    }
    let expr = parse(&text, now_ms).map_err(|e| e.to_string())?;
    select(store, &expr).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_walk_the_history() {
        let mut f = FilterState::new(ViewSpec::default());
        assert!(f.change(ViewSpec::with_text("name:A")));
        assert!(!f.change(ViewSpec::with_text("name:A")));
        let mut errors = f.applied.clone();
        errors.errors_only = true;
        assert!(f.change(errors.clone()));
        assert!(f.undo());
        assert_eq!(f.applied, ViewSpec::with_text("name:A"));
        assert!(f.undo());
        assert_eq!(f.applied, ViewSpec::default());
        assert!(!f.undo());
        assert!(f.redo() && f.redo());
        assert_eq!(f.applied, errors);
        assert!(!f.redo());
    }

    #[test]
    fn the_view_is_one_filter_expression() {
        let spec = ViewSpec {
            text: "name:Get* OR error:*".into(),
            errors_only: true,
            writes_only: true,
            zoom: vec![(0, 10), (1_709_287_200_000, 1_709_290_800_000)],
        };
        assert_eq!(
            spec.expression(),
            "(name:Get* OR error:*) error:* -readOnly:true after:2024-03-01T10:00:00Z before:2024-03-01T11:00:00Z"
        );
        assert!(parse(&spec.expression(), 0).is_ok());
        assert!(ViewSpec::default().is_everything());
    }
}
