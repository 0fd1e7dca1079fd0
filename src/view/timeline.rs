//! One timeline row per event: the columns the explorer's timeline shows, already
//! neutralised for the terminal, and the marks that style the row.

use crate::model::identity::short_label;
use crate::sanitize::sanitize;
use crate::store::{flags, Facet, Store};

use super::clock::DisplayZone;

/// What makes a row stand out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowMarks {
    /// The call failed (`errorCode` present).
    pub error: bool,
    /// `readOnly` is false: the call changed something.
    pub write: bool,
    pub console_login: bool,
    /// Only part of the record is known (CSV, space-delimited).
    pub partial: bool,
    pub untimed: bool,
    /// Another, different event shares its eventID.
    pub collision: bool,
}

/// The columns of one row (every string sanitised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineRow {
    pub event: u32,
    pub time: String,
    pub name: String,
    /// The service without `.amazonaws.com`.
    pub source: String,
    /// The caller, short (`alice`, `Admin/session`, `root`, a service).
    pub identity: String,
    /// `userIdentity.type`.
    pub identity_type: String,
    pub ip: String,
    pub region: String,
    pub error: String,
    pub marks: RowMarks,
}

/// Builds the row of `event`. Cheap: only interned lookups, so only visible rows are built.
pub fn timeline_row(store: &Store, event: u32, zone: DisplayZone) -> TimelineRow {
    let text = |facet: Facet| sanitize(store.value(event, facet).unwrap_or("")).into_owned();
    let source = store.value(event, Facet::EventSource).unwrap_or("");
    let source = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    let identity = match store.value(event, Facet::Principal) {
        Some(p) => sanitize(short_label(p)).into_owned(),
        None => String::from("-"),
    };
    let f = store.flags(event);
    let error = text(Facet::ErrorCode);
    let name = text(Facet::EventName);
    let marks = RowMarks {
        error: !error.is_empty(),
        write: store.value(event, Facet::ReadOnly).is_some_and(|v| v.eq_ignore_ascii_case("false")),
        console_login: name == "ConsoleLogin",
        partial: f & flags::PARTIAL != 0,
        untimed: f & flags::UNTIMED != 0,
        collision: f & flags::ID_COLLISION != 0,
    };
    TimelineRow {
        event,
        time: zone.format(store.time(event)),
        name,
        source: sanitize(source).into_owned(),
        identity,
        identity_type: text(Facet::IdentityType),
        ip: text(Facet::SourceIp),
        region: text(Facet::Region),
        error,
        marks,
    }
}
