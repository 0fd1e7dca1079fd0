//! Offline CloudTrail log file integrity validation: "were these logs tampered with, or are
//! some missing?" answered from downloaded files, where AWS's `validate-logs` only works
//! online against S3.
//!
//! [`verify`] reads every file of the inputs on worker threads (digests parsed, everything
//! else hashed as uncompressed content), then pairs digests with log files by
//! their `AWSLogs/…` key, follows each trail's hourly digest chain, checks signatures when
//! keys and signatures were supplied, and returns a [`Report`] of what was checked, what
//! was not, and every finding. The report is plain data: `cli::verify` prints it as text
//! or JSON and picks the exit status; a TUI would draw the same report.

mod check;
pub mod digest;
pub mod keys;

use serde::Serialize;

pub use check::{verify, VerifyOptions};

/// The overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Everything that was checked is intact.
    Intact,
    /// Something is modified, missing, broken or unaccounted for.
    Problems,
    /// No digest file was found: nothing could be verified.
    NothingVerified,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Integrity is broken or cannot be established: exit status 3.
    Failure,
    /// Worth knowing, not evidence of tampering.
    Notice,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A listed log file whose content hash differs from the digest's.
    LogModified,
    /// A listed log file that is not among the inputs.
    LogMissing,
    /// A listed log file that is present but cannot be read (corrupt gzip, I/O error).
    LogUnreadable,
    /// A log file listed in no digest (a failure when the digests cover its time).
    LogUnlisted,
    /// A listed log file whose hash algorithm is not SHA-256 (not checked).
    HashUnsupported,
    /// A digest whose SHA-256 is not the `previousDigestHashValue` of the next digest.
    LinkBroken,
    /// A digest named by the next one's `previousDigestS3Object` is not among the inputs.
    DigestMissing,
    /// The chain restarts (`previous…` fields null) after an uncovered period.
    Gap,
    /// The chain restarts right after the previous digest (no time uncovered).
    ChainRestart,
    /// The oldest digest of a chain names a previous digest that is not among the inputs:
    /// the inputs start there.
    ChainEdge,
    /// Linked digests whose times do not meet.
    TimeGap,
    /// A digest the chain skips: the next digest links to an older one.
    DigestUnlinked,
    /// A digest read from a path whose `AWSLogs/…` key differs from its `digestS3Object`.
    DigestMoved,
    /// Two different digest files claim the same key.
    DigestConflict,
    /// A file that should be a digest and cannot be read or parsed.
    DigestUnreadable,
    /// A digest signature that does not verify.
    SignatureInvalid,
    /// A supplied signature (or sidecar) for no digest among the inputs, or unreadable.
    SignatureUnused,
    /// An input that could not be read (not a listed log file or a digest).
    ReadProblem,
}

/// One thing the report has to say.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub kind: FindingKind,
    /// One sentence, with keys and times (raw: sanitise before printing).
    pub message: String,
    /// The log file or digest concerned (`AWSLogs/…` key, or the path when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The digest that lists the file, or that links to the missing or broken digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Start and end of the time the finding concerns (RFC 3339 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Expected and actual hex SHA-256 (modified files, broken links).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

impl Finding {
    fn new(severity: Severity, kind: FindingKind, message: String) -> Self {
        Finding {
            severity,
            kind,
            message,
            key: None,
            path: None,
            digest: None,
            from: None,
            to: None,
            expected: None,
            actual: None,
        }
    }
}

/// A digest's signature status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    Valid,
    Invalid,
    NotChecked,
}

/// How a digest is linked to its predecessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// `previousDigestHashValue` equals the SHA-256 of the previous digest.
    Intact,
    /// It does not.
    Broken,
    /// The previous digest is not among the inputs (inside the chain: a missing digest).
    Missing,
    /// The previous digest is not among the inputs and this is the oldest one present.
    Edge,
    /// The first digest of a chain (`previous…` fields null).
    First,
    /// A backfill digest, outside the hourly chain.
    Backfill,
}

/// One digest file, as checked.
#[derive(Debug, Clone, Serialize)]
pub struct DigestSummary {
    pub key: String,
    pub path: String,
    pub chain: String,
    pub start: String,
    pub end: String,
    pub log_files: usize,
    pub sha256: String,
    pub link: LinkStatus,
    pub signature: SignatureStatus,
    /// Where the verified signature came from, which key verified it, or why it was not checked.
    pub signature_detail: String,
}

/// One trail's digest chain in one region.
#[derive(Debug, Clone, Serialize)]
pub struct ChainSummary {
    pub id: String,
    pub account: String,
    pub region: String,
    pub trail: String,
    pub digests: usize,
    pub backfill_digests: usize,
    /// Start of the oldest and end of the newest digest present.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What was and was not checked, in words and flags.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// Log files listed in digests were hashed and compared.
    pub log_file_hashes: bool,
    /// Digests were linked by `previousDigestHashValue`.
    pub digest_chain: bool,
    /// `all`, `some` or `none` of the digests had their signature verified.
    pub signatures: &'static str,
    /// One sentence about signatures (never "valid" when none were checked).
    pub signatures_note: String,
    /// What the verification could not cover.
    pub not_checked: Vec<String>,
}

/// Counts over the whole verification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Files read (archive members count one each).
    pub files: u64,
    pub digests: u64,
    pub digests_unreadable: u64,
    /// Identical copies of a digest read more than once.
    pub digest_duplicates: u64,
    pub chains: u64,
    /// Distinct log files listed in the digests, and what became of them.
    pub log_files_listed: u64,
    pub log_files_intact: u64,
    pub log_files_modified: u64,
    pub log_files_missing: u64,
    pub log_files_unreadable: u64,
    pub log_files_not_checked: u64,
    /// Log files present but listed in no digest, and how many of them the digests' period covers.
    pub log_files_unlisted: u64,
    pub log_files_unlisted_inside_period: u64,
    /// Files that are neither digests, signatures nor CloudTrail log files.
    pub other_files: u64,
    pub links_intact: u64,
    pub links_broken: u64,
    pub digests_missing: u64,
    pub gaps: u64,
    pub signatures_valid: u64,
    pub signatures_invalid: u64,
    pub signatures_not_checked: u64,
    pub read_problems: u64,
}

/// The result of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    pub checked: Checked,
    pub counts: Counts,
    pub chains: Vec<ChainSummary>,
    pub digests: Vec<DigestSummary>,
    /// Failures first, then notices; each group in key order.
    pub findings: Vec<Finding>,
}
