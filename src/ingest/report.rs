//! The load report: what went wrong with which input, where, and what was kept anyway.

use crate::sanitize::sanitize;
use serde::Serialize;

/// The class of a problem, as shown in the report and in `stats --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Readable, but holds no CloudTrail records (look-alikes, prose, other JSON).
    NotCloudtrail,
    /// JSON that does not parse; complete records around the damage are salvaged.
    InvalidJson,
    /// A gzip stream that ends early; the decompressed prefix is salvaged.
    TruncatedGzip,
    /// A gzip (or zip/tar) stream that is corrupt.
    BadGzip,
    /// The path could not be read (missing, permission denied, symlink loop).
    Io,
    /// A line or CSV row that does not fit the file's format.
    BadLine,
    /// A resource limit was hit (decompressed size, record size, member count).
    Limit,
    /// A zero-length (or whitespace-only) file.
    Empty,
    /// trailscope itself failed on this input (a bug, caught: see `ingest::isolate`).
    Internal,
}

impl ProblemKind {
    /// Damage inside an input whose complete records are still kept (salvaged).
    pub fn is_damage(self) -> bool {
        matches!(self, ProblemKind::InvalidJson | ProblemKind::TruncatedGzip | ProblemKind::BadGzip)
    }
}

/// One entry of the load report.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The input's display path; archive members are `archive!member`.
    pub path: String,
    pub kind: ProblemKind,
    pub message: String,
    /// `line L, column C` or `byte N`, when the damage has a position.
    pub location: Option<String>,
    /// Complete records recovered from this input despite the problem.
    pub salvaged: u64,
}

/// A problem found while decoding a buffer, before it is tied to a path.
#[derive(Debug, Clone)]
pub struct DecodeProblem {
    pub kind: ProblemKind,
    pub message: String,
    pub location: Option<String>,
}

impl DecodeProblem {
    pub fn new(kind: ProblemKind, message: impl Into<String>, location: Option<String>) -> Self {
        Self { kind, message: message.into(), location }
    }

    pub fn at(self, path: &str, salvaged: u64) -> Problem {
        Problem { path: path.to_owned(), kind: self.kind, message: self.message, location: self.location, salvaged }
    }
}

/// `line L, column C` for a 1-based line/column of a JSON error.
pub fn describe_position(line: usize, column: usize) -> String {
    format!("line {line}, column {column}")
}

/// One report entry as a terminal-safe line.
pub fn problem_line(p: &Problem) -> String {
    let kind = serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let mut line = format!("{}: {kind}: {}", sanitize(&p.path), sanitize(&p.message));
    if let Some(l) = &p.location {
        line.push_str(&format!(" (at {})", sanitize(l)));
    }
    if p.salvaged > 0 {
        line.push_str(&format!(" [{} records salvaged]", p.salvaged));
    }
    line
}

/// `1234567` → `1,234,567`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
