//! The Identities pane's state: the principals of the current selection grouped by
//! account and type (roles with their sessions under them) as a flat list of rows, the
//! sort order, the name filter and the cursor. Built from `analysis::identities` when the
//! pane opens and whenever the selection changed since.

use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, RwLock};

use super::line_edit::LineEdit;
use crate::analysis::identities::{fill_details, group, summarize, Entry, PrincipalSummary, SortKey, Totals};
use crate::query::fields::Field;
use crate::store::{read_store, Store};
use crate::view::detail::filter_term;

/// What a row stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowTarget {
    Account(Option<String>),
    Kind,
    /// Index into `summaries`.
    Principal(usize),
    Role(String),
}

/// One line of the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub depth: usize,
    pub label: String,
    /// The principal kind's name (principal and session rows) or heading (kind rows).
    pub kind: String,
    pub totals: Totals,
    pub target: RowTarget,
}

pub struct IdentitiesView {
    pub summaries: Vec<PrincipalSummary>,
    pub rows: Vec<IdentityRow>,
    pub sort: SortKey,
    /// Substring filter on names (`/` in the pane), while typing and after.
    pub filter: String,
    pub filter_edit: Option<LineEdit>,
    pub cursor: usize,
    pub offset: usize,
    /// The selection the rows were built for (pointer identity).
    built_for: Option<Arc<Vec<u32>>>,
    /// Summary whose JSON-only details (console logins, sessions) are filled.
    detailed: Option<usize>,
    /// Summaries being computed on another thread, for this selection.
    pending: Option<Pending>,
    /// Selections of at least this many events are summarised in the background.
    pub background_from: usize,
}

impl Default for IdentitiesView {
    fn default() -> Self {
        Self {
            summaries: Vec::new(),
            rows: Vec::new(),
            sort: SortKey::default(),
            filter: String::new(),
            filter_edit: None,
            cursor: 0,
            offset: 0,
            built_for: None,
            detailed: None,
            pending: None,
            background_from: BACKGROUND_FROM,
        }
    }
}

/// Summaries on their way from another thread, and the selection they are for.
type Pending = (Arc<Vec<u32>>, Receiver<Vec<PrincipalSummary>>);

/// Selections larger than this are summarised on another thread (about a second per
/// million events), so the pane opens at once and fills in.
const BACKGROUND_FROM: usize = 200_000;

impl IdentitiesView {
    /// Rebuilds when `selection` is not the one the rows were built for: at once for
    /// small selections, on another thread for large ones (see [`Self::poll`]).
    pub fn ensure(&mut self, store: &Arc<RwLock<Store>>, selection: &Arc<Vec<u32>>) {
        if self.built_for.as_ref().is_some_and(|b| Arc::ptr_eq(b, selection))
            || self.pending.as_ref().is_some_and(|(s, _)| Arc::ptr_eq(s, selection))
        {
            return;
        }
        if selection.len() < self.background_from {
            let summaries = summarize(&read_store(store), selection);
            self.install(selection.clone(), summaries);
            return;
        }
        let (tx, rx) = channel();
        let (store, sel) = (store.clone(), selection.clone());
        std::thread::spawn(move || {
            let _ = tx.send(summarize(&read_store(&store), &sel));
        });
        self.pending = Some((selection.clone(), rx));
    }

    /// Takes a background result; true when the rows changed.
    pub fn poll(&mut self) -> bool {
        let Some((sel, rx)) = &self.pending else { return false };
        match rx.try_recv() {
            Ok(summaries) => {
                let sel = sel.clone();
                self.pending = None;
                self.install(sel, summaries);
                true
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.pending = None;
                true
            }
        }
    }

    /// Whether summaries are being computed.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    fn install(&mut self, selection: Arc<Vec<u32>>, summaries: Vec<PrincipalSummary>) {
        self.summaries = summaries;
        self.built_for = Some(selection);
        self.detailed = None;
        self.rebuild_rows();
    }

    /// Forgets the rows (the next `ensure` rebuilds them).
    pub fn invalidate(&mut self) {
        self.built_for = None;
        self.pending = None;
    }

    pub fn cycle_sort(&mut self) {
        let i = SortKey::ALL.iter().position(|k| *k == self.sort).unwrap_or(0);
        self.sort = SortKey::ALL[(i + 1) % SortKey::ALL.len()];
        self.rebuild_rows();
    }

    pub fn set_filter(&mut self, text: &str) {
        self.filter = text.trim().to_string();
        self.rebuild_rows();
    }

    fn matches(&self, s: &PrincipalSummary) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let f = self.filter.to_lowercase();
        s.label.to_lowercase().contains(&f)
            || s.principal.as_deref().is_some_and(|p| p.to_lowercase().contains(&f))
            || s.issuer.as_deref().is_some_and(|p| p.to_lowercase().contains(&f))
    }

    fn rebuild_rows(&mut self) {
        let mut rows = Vec::new();
        for account in group(&self.summaries, self.sort) {
            let mut account_rows = Vec::new();
            for kind in &account.kinds {
                let mut kind_rows = Vec::new();
                for entry in &kind.entries {
                    match entry {
                        Entry::Principal { index } => {
                            let s = &self.summaries[*index];
                            if self.matches(s) {
                                kind_rows.push(self.principal_row(*index, 2));
                            }
                        }
                        Entry::Role { role, label, totals, sessions } => {
                            let shown: Vec<usize> =
                                sessions.iter().copied().filter(|&i| self.matches(&self.summaries[i])).collect();
                            if shown.is_empty() {
                                continue;
                            }
                            kind_rows.push(IdentityRow {
                                depth: 2,
                                label: label.clone(),
                                kind: "role".into(),
                                totals: *totals,
                                target: RowTarget::Role(role.clone()),
                            });
                            kind_rows.extend(shown.into_iter().map(|i| self.principal_row(i, 3)));
                        }
                    }
                }
                if !kind_rows.is_empty() {
                    account_rows.push(IdentityRow {
                        depth: 1,
                        label: kind.kind.heading().to_string(),
                        kind: String::new(),
                        totals: kind.totals,
                        target: RowTarget::Kind,
                    });
                    account_rows.extend(kind_rows);
                }
            }
            if !account_rows.is_empty() {
                let label = match &account.account {
                    Some(a) => format!("account {a}"),
                    None => "no account".to_string(),
                };
                rows.push(IdentityRow {
                    depth: 0,
                    label,
                    kind: String::new(),
                    totals: account.totals,
                    target: RowTarget::Account(account.account.clone()),
                });
                rows.extend(account_rows);
            }
        }
        self.rows = rows;
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    fn principal_row(&self, index: usize, depth: usize) -> IdentityRow {
        let s = &self.summaries[index];
        IdentityRow {
            depth,
            label: s.label.clone(),
            kind: s.kind.name().to_string(),
            totals: Totals {
                events: s.events,
                errors: s.errors,
                access_denied: s.access_denied,
                first_seen: s.first_seen,
                last_seen: s.last_seen,
            },
            target: RowTarget::Principal(index),
        }
    }

    /// The summary under the cursor, with its JSON-only details filled in (once).
    pub fn current_summary(&mut self, store: &Store) -> Option<&PrincipalSummary> {
        let RowTarget::Principal(i) = self.rows.get(self.cursor)?.target else { return None };
        if self.detailed != Some(i) {
            fill_details(store, std::slice::from_mut(&mut self.summaries[i]));
            self.detailed = Some(i);
        }
        self.summaries.get(i)
    }

    /// The filter term that narrows the timeline to the row under the cursor.
    pub fn filter_term(&self) -> Option<String> {
        match &self.rows.get(self.cursor)?.target {
            RowTarget::Account(Some(a)) => Some(filter_term(Field::Account, a)),
            RowTarget::Account(None) | RowTarget::Kind => None,
            RowTarget::Role(role) => Some(filter_term(Field::SessionIssuer, role)),
            RowTarget::Principal(i) => match &self.summaries[*i].principal {
                Some(p) => Some(filter_term(Field::Identity, p)),
                None => Some("-identity:*".to_string()),
            },
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        let max = self.rows.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, max.max(0)) as usize;
    }
}
