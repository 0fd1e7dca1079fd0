//! Resource limits that keep a hostile or broken input from taking the machine down.
//! Hitting one is a `limit` entry in the load report; the rest of the load goes on.

/// Limits applied while reading inputs.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest decompressed size of one file or archive member.
    pub max_file_bytes: u64,
    /// Largest single record; bigger ones are reported and skipped.
    pub max_record_bytes: usize,
    /// Most members read from one archive.
    pub max_archive_members: usize,
    /// How deep events may hide inside wrappers and JSON-in-string fields.
    pub max_nesting: usize,
    /// Largest decompressed total of one load: past it, further inputs are reported and
    /// not read (a pile of bombs each under the per-file limit stops here).
    pub max_total_bytes: u64,
    /// Longest path or archive member name accepted (bytes); longer ones are reported.
    pub max_path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 4 << 30,
            max_record_bytes: 64 << 20,
            max_archive_members: 1_000_000,
            max_nesting: 16,
            max_total_bytes: 256 << 30,
            max_path_bytes: 4096,
        }
    }
}
