//! The export dialog (`x`): a path and a format, a confirmation before replacing a file,
//! then the export on its own thread with progress. The selection is written chunk by
//! chunk, taking the store's read lock per chunk, so a load running meanwhile (which needs
//! the write lock) and the screen (which reads) are never held up for the whole export.

use crate::store::read_store;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::line_edit::LineEdit;
use crate::export::atomic::write_file;
use crate::export::{ExportFormat, ExportWriter, EXPORT_CHUNK};
use crate::store::Store;

pub const FORMATS: [ExportFormat; 3] = [ExportFormat::Records, ExportFormat::Ndjson, ExportFormat::Csv];

/// Where the dialog is.
pub enum ExportStage {
    Editing,
    /// The file exists: `y` replaces it.
    ConfirmOverwrite,
    Running(ExportJob),
    Done(Result<String, String>),
}

pub struct ExportDialog {
    pub path: LineEdit,
    pub format: ExportFormat,
    pub stage: ExportStage,
    /// Events in the selection being exported.
    pub total: u64,
}

/// The default file name for a format: in the current directory, stamped with the time.
pub fn default_path(format: ExportFormat, now: chrono::DateTime<chrono::Utc>) -> String {
    format!("trailscope-export-{}.{}", now.format("%Y%m%dT%H%M%SZ"), extension(format))
}

fn extension(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Records => "json",
        ExportFormat::Ndjson => "jsonl",
        ExportFormat::Csv => "csv",
    }
}

impl ExportDialog {
    pub fn new(total: u64) -> Self {
        let format = ExportFormat::Records;
        Self {
            path: LineEdit::new(&default_path(format, chrono::Utc::now())),
            format,
            stage: ExportStage::Editing,
            total,
        }
    }

    /// Next format; a default-looking path follows the format's extension.
    pub fn cycle_format(&mut self) {
        let i = FORMATS.iter().position(|f| *f == self.format).unwrap_or(0);
        let old = self.format;
        self.format = FORMATS[(i + 1) % FORMATS.len()];
        let text = self.path.text().to_string();
        if let Some(stem) = text.strip_suffix(&format!(".{}", extension(old))) {
            self.path.set(&format!("{stem}.{}", extension(self.format)));
        }
    }
}

/// Progress messages from the export thread.
enum JobMessage {
    Written(u64),
    Done(io::Result<PathBuf>),
}

/// An export running on its own thread.
pub struct ExportJob {
    rx: Receiver<JobMessage>,
    cancel: Arc<AtomicBool>,
    pub written: u64,
    pub started: Instant,
}

impl ExportJob {
    /// Starts writing `selection` to `path` (atomically; gzip when it ends in `.gz`).
    pub fn start(
        store: Arc<RwLock<Store>>,
        selection: Arc<Vec<u32>>,
        format: ExportFormat,
        path: PathBuf,
        force: bool,
    ) -> ExportJob {
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = cancel.clone();
        std::thread::spawn(move || {
            let result = write_file(&path, force, |out| {
                let mut writer = ExportWriter::begin(format, out)?;
                for chunk in selection.chunks(EXPORT_CHUNK) {
                    if stop.load(Ordering::Relaxed) {
                        return Err(io::Error::new(io::ErrorKind::Interrupted, "export cancelled"));
                    }
                    let guard = read_store(&store);
                    writer.write(&guard, chunk)?;
                    drop(guard);
                    let _ = tx.send(JobMessage::Written(writer.written()));
                }
                writer.finish()
            });
            let absolute = std::path::absolute(&path).unwrap_or(path);
            let _ = tx.send(JobMessage::Done(result.map(|()| absolute)));
        });
        ExportJob { rx, cancel, written: 0, started: Instant::now() }
    }

    /// Takes the progress that arrived; `Some` with the outcome when the job ended.
    pub fn poll(&mut self) -> Option<io::Result<PathBuf>> {
        while let Ok(m) = self.rx.try_recv() {
            match m {
                JobMessage::Written(n) => self.written = n,
                JobMessage::Done(r) => return Some(r),
            }
        }
        None
    }

    /// Asks the thread to stop; the temporary file is removed and the target untouched.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Waits for the job to end (used on quit, so no temp file is left behind).
    pub fn wait(mut self) -> Option<io::Result<PathBuf>> {
        loop {
            match self.rx.recv() {
                Ok(JobMessage::Done(r)) => return Some(r),
                Ok(JobMessage::Written(n)) => self.written = n,
                Err(_) => return None,
            }
        }
    }
}
