//! The explorer's integrity view: when the loaded inputs include CloudTrail digest files,
//! `integrity::verify` runs over the same paths in the background once the load is done;
//! its verdict and findings go into the load report, and events read from log files that
//! failed (modified, unreadable, or unlisted while the digests cover their time) are
//! marked in the timeline and the detail pane.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::integrity::{verify, FindingKind, Report, Severity, VerifyOptions};
use crate::store::{Facet, Store, NONE};

/// Where the check is.
#[derive(Default)]
pub enum IntegrityState {
    /// No digests among the inputs (or the load is still running).
    #[default]
    NotApplicable,
    Running(Receiver<Report>),
    Done(Box<IntegrityView>),
}

/// A finished check, with the failed files resolved to the store's file ids.
pub struct IntegrityView {
    pub report: Report,
    /// File facet value id → why it failed.
    failed_files: FxHashMap<u32, String>,
}

impl IntegrityView {
    /// Why `event`'s source file failed verification, if it did.
    pub fn failure_of(&self, store: &Store, event: u32) -> Option<&str> {
        let id = store.value_id(event, Facet::File);
        if id == NONE {
            return None;
        }
        self.failed_files.get(&id).map(String::as_str)
    }

    /// Number of distinct loaded files that failed.
    pub fn failed_file_count(&self) -> usize {
        self.failed_files.len()
    }
}

/// Findings that discredit the events read from a log file.
fn discredits(kind: FindingKind, severity: Severity) -> Option<&'static str> {
    match kind {
        FindingKind::LogModified => Some("modified: its hash differs from the digest's"),
        FindingKind::LogUnreadable => Some("listed in a digest but unreadable"),
        FindingKind::LogUnlisted if severity == Severity::Failure => {
            Some("listed in no digest although the digests cover its time")
        }
        _ => None,
    }
}

impl IntegrityState {
    /// Starts the check over `paths` when the store saw digest files.
    pub fn start_if_digests(store: &Store, paths: Vec<PathBuf>) -> IntegrityState {
        if store.report.digests == 0 {
            return IntegrityState::NotApplicable;
        }
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let _ = tx.send(verify(&VerifyOptions::new(paths)));
        });
        IntegrityState::Running(rx)
    }

    /// Takes the result when it arrived; true when the state changed.
    pub fn poll(&mut self, store: &Store) -> bool {
        let IntegrityState::Running(rx) = self else { return false };
        match rx.try_recv() {
            Ok(report) => {
                *self = IntegrityState::Done(Box::new(resolve(store, report)));
                true
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => false,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                *self = IntegrityState::NotApplicable;
                true
            }
        }
    }

    pub fn view(&self) -> Option<&IntegrityView> {
        match self {
            IntegrityState::Done(v) => Some(v),
            _ => None,
        }
    }
}

/// Maps the failed files of `report` to file ids of the store (both name files the way
/// the enumerator does: the path, `archive!member` inside archives).
pub fn resolve(store: &Store, report: Report) -> IntegrityView {
    let files = store.facet(Facet::File);
    let mut failed_files = FxHashMap::default();
    let mut seen = FxHashSet::default();
    for f in &report.findings {
        let (Some(why), Some(path)) = (discredits(f.kind, f.severity), f.path.as_deref()) else { continue };
        if !seen.insert(path.to_string()) {
            continue;
        }
        if let Some(id) = files.id_of(path) {
            failed_files.insert(id, why.to_string());
        }
    }
    IntegrityView { report, failed_files }
}
