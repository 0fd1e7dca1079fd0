//! The one-line summary of an event that fuzzy search matches against and the timeline
//! can show: what, where, who, from where, with what, how it ended, on what.

use crate::model::identity::short_label;
use crate::store::{Facet, Store};

/// `eventName eventSource identity sourceIP userAgent errorCode resources…`, space
/// separated, absent fields left out. Not sanitised: callers that display it must.
pub fn summary_line(store: &Store, event: u32) -> String {
    let mut line = String::with_capacity(160);
    let mut push = |s: &str| {
        if !s.is_empty() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(s);
        }
    };
    for facet in [Facet::EventName, Facet::EventSource] {
        push(store.value(event, facet).unwrap_or(""));
    }
    if let Some(p) = store.value(event, Facet::Principal) {
        push(short_label(p));
        if short_label(p) != p {
            push(p);
        }
    }
    for facet in [Facet::SourceIp, Facet::UserAgent, Facet::ErrorCode] {
        push(store.value(event, facet).unwrap_or(""));
    }
    for r in store.resources(event) {
        push(r);
    }
    line
}

/// Summary lines of `events`, in order (for handing a selection to the search worker).
pub fn summary_lines(store: &Store, events: &[u32]) -> Vec<String> {
    events.iter().map(|&e| summary_line(store, e)).collect()
}
