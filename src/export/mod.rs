//! Writing a selection of events out: as a CloudTrail `{"Records":[…]}` file or JSON
//! Lines with every event's original bytes, or as the console Event-history CSV.
//! Files are written atomically and never replace an existing file unless asked.

pub mod atomic;
pub mod csv;
pub mod fetch;
pub mod json;
pub mod manifest;

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Events per chunk of an export: progress is reported, and a caller holding the store
/// behind a lock may release it, between chunks.
pub const EXPORT_CHUNK: usize = 16_384;

/// An export written chunk by chunk: [`ExportWriter::begin`] writes the header,
/// [`ExportWriter::write`] each chunk of events (each call may use a different borrow of
/// the store, so the explorer can release its read lock between chunks while a load
/// runs), [`ExportWriter::finish`] the footer.
pub struct ExportWriter<'w> {
    format: ExportFormat,
    out: &'w mut dyn Write,
    written: u64,
}

impl<'w> ExportWriter<'w> {
    pub fn begin(format: ExportFormat, out: &'w mut dyn Write) -> io::Result<Self> {
        match format {
            ExportFormat::Records => out.write_all(b"{\"Records\":[")?,
            ExportFormat::Ndjson => {}
            ExportFormat::Csv => csv::write_csv_header(out)?,
        }
        Ok(Self { format, out, written: 0 })
    }

    /// Writes `events` (in order).
    pub fn write(&mut self, store: &Store, events: &[u32]) -> io::Result<()> {
        let out = &mut *self.out;
        match self.format {
            ExportFormat::Records => json::write_records_chunk(store, events, &mut self.written, out),
            ExportFormat::Ndjson => json::write_ndjson_chunk(store, events, &mut self.written, out),
            ExportFormat::Csv => csv::write_csv_chunk(store, events, &mut self.written, out),
        }
    }

    /// Events written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn finish(self) -> io::Result<()> {
        if self.format == ExportFormat::Records {
            self.out.write_all(b"\n]}\n")?;
        }
        Ok(())
    }
}

/// Writes `selection` (event ids, in the order to write) to `out`. `progress` is called
/// with the number of events written so far after every chunk of [`EXPORT_CHUNK`].
pub fn write_selection(
    store: &Store,
    selection: &[u32],
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    write_selection_until(store, selection, format, out, progress, &AtomicBool::new(false))
}

/// [`write_selection`] that gives up between chunks once `stop` is set (a signal handler
/// sets it), with an `Interrupted` error, so an atomic file is dropped, not committed.
pub fn write_selection_until(
    store: &Store,
    selection: &[u32],
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut writer = ExportWriter::begin(format, out)?;
    for chunk in selection.chunks(EXPORT_CHUNK) {
        if stop.load(Ordering::Relaxed) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted by a signal"));
        }
        writer.write(store, chunk)?;
        progress(writer.written());
    }
    progress(writer.written());
    writer.finish()
}
