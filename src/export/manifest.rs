//! The chain-of-custody manifest written beside an export (`FILE.manifest.json`): what
//! was exported, with which filter, when, by which trailscope, from which input files
//! (with the SHA-256 of the bytes that were read).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::ExportFormat;
use crate::store::Store;

/// `FILE.manifest.json` beside `output`.
pub fn manifest_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// `filter` is the canonical form of the filter (reproducible), `typed` what the user typed.
pub fn manifest_json(
    store: &Store,
    filter: &str,
    typed: &str,
    format: ExportFormat,
    output: &Path,
    events: u64,
) -> Value {
    let r = &store.report;
    let inputs: Vec<Value> =
        r.inputs.iter().map(|i| json!({"path": i.path, "bytes": i.bytes, "sha256": i.sha256})).collect();
    json!({
        "tool": "trailscope",
        "version": env!("CARGO_PKG_VERSION"),
        "exported_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "filter": filter,
        "filter_as_typed": typed,
        "format": format.name(),
        "output": output.to_string_lossy(),
        "events": events,
        "load": {
            "events_loaded": store.len(),
            "records": r.records,
            "duplicates": r.duplicates,
            "files": r.files,
            "files_failed": r.files_failed,
            "files_skipped": r.files_skipped,
            "digests": r.digests,
        },
        "inputs": inputs,
    })
}
