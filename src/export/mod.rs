//! Writing a selection of events out: as a CloudTrail `{"Records":[…]}` file or JSON
//! Lines with every event's original bytes, or as the console Event-history CSV.
//! Files are written atomically and never replace an existing file unless asked.

pub mod atomic;
pub mod csv;
pub mod fetch;
pub mod json;
pub mod manifest;

use std::io::{self, Write};

use crate::store::Store;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `{"Records":[…]}` with each event's original bytes, in time order.
    Records,
    /// One original event per line.
    Ndjson,
    /// The console Event-history columns plus identity ARN and error message.
    Csv,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Records => "records",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
        }
    }
}

/// Writes `selection` (event ids, in the order to write) to `out`. `progress` is called
/// with the number of events written so far, every few thousand events.
pub fn write_selection(
    store: &Store,
    selection: &[u32],
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    match format {
        ExportFormat::Records => json::write_records(store, selection, out, progress),
        ExportFormat::Ndjson => json::write_ndjson(store, selection, out, progress),
        ExportFormat::Csv => csv::write_csv(store, selection, out, progress),
    }
}
