//! One input's bytes → records in the store: sniff the container by magic bytes (gzip,
//! zip, tar, tar inside gzip), decompress within the limits, decode, build the compressed
//! raw blobs, append, and report what went wrong.

use std::io::{Cursor, Read};
use std::sync::RwLock;

use flate2::read::MultiGzDecoder;

use super::discover::Discovery;
use super::limits::Limits;
use super::pipeline::{Job, LoadEvent, Shared};
use super::report::{DecodeProblem, Problem, ProblemKind};
use super::text::decode_text;
use crate::model::time::trail_file_key_time;
use crate::store::{PreparedBatch, PreparedRaw, Store};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY_MAGIC: &[u8] = b"PK\x05\x06";

fn is_tar(header: &[u8]) -> bool {
    header.len() >= 262 && &header[257..262] == b"ustar"
}

/// Processes one input (a file, stdin, or an archive member) named `name`.
pub fn process_input(shared: &Shared<'_>, name: &str, bytes: Vec<u8>, depth: usize) {
    if bytes.starts_with(GZIP_MAGIC) {
        // Each worker keeps one decompression buffer: a fresh one per file cost page faults.
        let mut data = INFLATE_BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
        match gunzip(&bytes, &shared.limits, &mut data) {
            Gunzipped::Tar(decoder) => {
                let prefix = std::io::Cursor::new(std::mem::take(&mut data));
                read_tar(shared, name, prefix.chain(decoder), depth);
            }
            Gunzipped::Data(problem) => {
                let gzip = problem.is_none().then(|| bytes.into_boxed_slice());
                decode_and_append(shared, name, &data, gzip, problem);
            }
        }
        data.clear();
        if data.capacity() <= MAX_KEPT_BUFFER {
            INFLATE_BUFFER.with(|b| *b.borrow_mut() = data);
        }
    } else if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY_MAGIC) {
        read_zip(shared, name, bytes, depth);
    } else if is_tar(&bytes) {
        read_tar(shared, name, &bytes[..], depth);
    } else {
        decode_and_append(shared, name, &bytes, None, None);
    }
}

thread_local! {
    static INFLATE_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A worker keeps its decompression buffer between files only up to this capacity.
const MAX_KEPT_BUFFER: usize = 64 << 20;

/// Decodes a decompressed buffer and appends what it holds.
fn decode_and_append(
    shared: &Shared<'_>,
    name: &str,
    data: &[u8],
    gzip: Option<Box<[u8]>>,
    container_problem: Option<DecodeProblem>,
) {
    let mut d = Discovery::new(data, &shared.limits);
    let first = data.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let mut problems: Vec<DecodeProblem> = container_problem.into_iter().collect();
    match first.map(|i| data[i]) {
        None if problems.is_empty() => problems.push(DecodeProblem::new(ProblemKind::Empty, "the file is empty", None)),
        None => {}
        Some(b'{' | b'[' | b'"') => d.document(0),
        Some(_) if !decode_text(&mut d) => problems.push(DecodeProblem::new(
            ProblemKind::NotCloudtrail,
            "not CloudTrail: neither JSON nor a known CloudTrail text format (Event-history CSV, CloudWatch export lines, space-delimited lines)",
            None,
        )),
        Some(_) => {}
    }
    let decoded = d.out;
    // A truncated gzip also makes the JSON end early: one entry says it all.
    let gzip_damaged = problems.iter().any(|p| p.kind == ProblemKind::TruncatedGzip);
    problems.extend(decoded.problems.into_iter().filter(|p| !(gzip_damaged && p.kind == ProblemKind::InvalidJson)));
    if decoded.records.is_empty() && decoded.digests == 0 && problems.is_empty() {
        let message = match decoded.lookalike {
            Some(why) => format!("not CloudTrail: {why}"),
            None => "not CloudTrail: valid JSON, but no CloudTrail records in it".to_owned(),
        };
        problems.push(DecodeProblem::new(ProblemKind::NotCloudtrail, message, None));
    }
    let raw = PreparedRaw::build(&decoded.records, data, gzip);
    // Every record kept from a damaged input counts as salvaged, wherever the damage was.
    let damaged = problems.iter().any(|p| p.kind.is_damage());
    let salvaged = if damaged { decoded.records.len() as u64 } else { 0 };
    let failed = !problems.is_empty();
    let batch = PreparedBatch::new(name, data, decoded.records, raw);
    let outcome = {
        let mut store = write(shared.store);
        let outcome = store.append(batch);
        let report = &mut store.report;
        report.files += 1;
        report.digests += decoded.digests;
        report.salvaged += salvaged;
        if failed {
            report.files_failed += 1;
        }
        for (i, p) in problems.into_iter().enumerate() {
            report.problems.push(p.at(name, if i == 0 { salvaged } else { 0 }));
        }
        outcome
    };
    shared.emit(LoadEvent::FileDone { events: outcome.added, duplicates: outcome.duplicates, failed });
}

/// Records a problem with an input that yielded nothing (unreadable, broken archive).
pub fn report_failure(shared: &Shared<'_>, problem: Problem) {
    {
        let mut store = write(shared.store);
        store.report.files += 1;
        store.report.files_failed += 1;
        store.report.problems.push(problem);
    }
    shared.emit(LoadEvent::FileDone { events: 0, duplicates: 0, failed: true });
}

fn write(store: &RwLock<Store>) -> std::sync::RwLockWriteGuard<'_, Store> {
    store.write().unwrap_or_else(|p| p.into_inner())
}

/// Decompresses a whole gzip (all members) up to the size limit. On damage, returns
/// what was decompressed before it, with the problem.
/// What a gzip input turned out to hold.
enum Gunzipped<'b> {
    /// A tar stream: `out` holds its first bytes, the decoder the rest.
    Tar(Box<std::io::Take<MultiGzDecoder<&'b [u8]>>>),
    /// Anything else, decompressed whole into `out` (up to the size limit), with the
    /// damage that stopped it, if any.
    Data(Option<DecodeProblem>),
}

/// Decompresses a gzip input (all members) into `out`, which must be empty. One decoder
/// reads the first 512 bytes, enough to recognise a tar header; a tar is then streamed
/// rather than held in memory, anything else is read to the end.
fn gunzip<'b>(bytes: &'b [u8], limits: &Limits, out: &mut Vec<u8>) -> Gunzipped<'b> {
    // The gzip trailer holds the (last member's) size mod 2^32: exact for the usual
    // single-member file, so the buffer is sized once instead of regrown.
    let trailer = bytes
        .len()
        .checked_sub(4)
        .map_or(0, |at| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize);
    let guess = trailer.max(bytes.len().saturating_mul(4)).saturating_add(64);
    out.reserve(guess.min(limits.max_file_bytes as usize).min(1 << 30));
    let mut reader = MultiGzDecoder::new(bytes).take(limits.max_file_bytes + 1);
    let mut result = (&mut reader).take(512).read_to_end(out);
    if result.is_ok() {
        if is_tar(out) {
            return Gunzipped::Tar(Box::new(reader));
        }
        result = reader.read_to_end(out);
    }
    let problem = match result {
        Ok(_) if out.len() as u64 > limits.max_file_bytes => {
            out.truncate(limits.max_file_bytes as usize);
            Some(DecodeProblem::new(
                ProblemKind::Limit,
                format!(
                    "decompresses to more than the {} byte limit (gzip bomb?); only the first part was read",
                    limits.max_file_bytes
                ),
                None,
            ))
        }
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Some(DecodeProblem::new(
            ProblemKind::TruncatedGzip,
            format!(
                "the gzip stream ends early (truncated download?); {} bytes decompressed before the end",
                out.len()
            ),
            Some(format!("byte {}", out.len())),
        )),
        Err(e) => Some(DecodeProblem::new(
            ProblemKind::BadGzip,
            format!("corrupt gzip data: {e}; {} bytes decompressed before the damage", out.len()),
            Some(format!("byte {}", out.len())),
        )),
    };
    Gunzipped::Data(problem)
}

/// Hands an archive member to another worker when the queue has room, else processes it
/// here (so a worker reading an archive can never deadlock on a full queue).
fn dispatch_member(shared: &Shared<'_>, name: String, bytes: Vec<u8>, depth: usize) {
    if depth >= shared.limits.max_nesting {
        report_failure(
            shared,
            Problem {
                path: name,
                kind: ProblemKind::Limit,
                message: format!("archives nested more than {} deep; not opened", shared.limits.max_nesting),
                location: None,
                salvaged: 0,
            },
        );
        return;
    }
    if let Some(Job::Member { name, bytes, depth }) = shared.offload(Job::Member { name, bytes, depth }) {
        process_input(shared, &name, bytes, depth);
    }
}

fn member_name(archive: &str, member: &str) -> String {
    format!("{archive}!{member}")
}

/// Whether a member should be skipped without reading, by the key time in its name.
fn skip_member(shared: &Shared<'_>, member: &str) -> bool {
    let file = member.rsplit('/').next().unwrap_or(member);
    if trail_file_key_time(file).is_some_and(|t| shared.window.skips_file(t)) {
        write(shared.store).report.files_skipped += 1;
        return true;
    }
    false
}

fn read_tar<R: Read>(shared: &Shared<'_>, name: &str, reader: R, depth: usize) {
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => return report_failure(shared, archive_problem(name, &e.to_string())),
    };
    let mut count = 0usize;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => return report_failure(shared, archive_problem(name, &e.to_string())),
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        count += 1;
        if count > shared.limits.max_archive_members {
            return report_failure(shared, member_limit(name, shared.limits.max_archive_members));
        }
        let member = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        read_member(shared, name, &member, &mut entry, depth);
    }
}

fn read_zip(shared: &Shared<'_>, name: &str, bytes: Vec<u8>, depth: usize) {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return report_failure(shared, archive_problem(name, &e.to_string())),
    };
    if archive.len() > shared.limits.max_archive_members {
        return report_failure(shared, member_limit(name, shared.limits.max_archive_members));
    }
    for i in 0..archive.len() {
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                report_failure(shared, archive_problem(&member_name(name, &format!("#{i}")), &e.to_string()));
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        let member = String::from_utf8_lossy(file.name_raw()).into_owned();
        read_member(shared, name, &member, &mut file, depth);
    }
}

/// Reads one archive member (unless its name puts it outside the time window) and hands
/// it on for processing.
fn read_member(shared: &Shared<'_>, archive: &str, member: &str, reader: &mut impl Read, depth: usize) {
    if skip_member(shared, member) {
        return;
    }
    let full = member_name(archive, member);
    match read_limited(reader, shared.limits.max_file_bytes) {
        Ok(bytes) => dispatch_member(shared, full, bytes, depth + 1),
        Err(p) => report_failure(shared, p.at(&full, 0)),
    }
}

fn read_limited(reader: &mut impl Read, limit: u64) -> Result<Vec<u8>, DecodeProblem> {
    let mut out = Vec::new();
    match reader.take(limit + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > limit => Err(DecodeProblem::new(
            ProblemKind::Limit,
            format!("archive member is larger than the {limit} byte limit; skipped"),
            None,
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(DecodeProblem::new(
            ProblemKind::BadGzip,
            format!("archive member could not be read: {e}"),
            Some(format!("byte {}", out.len())),
        )),
    }
}

fn archive_problem(name: &str, error: &str) -> Problem {
    Problem {
        path: name.to_owned(),
        kind: ProblemKind::BadGzip,
        message: format!("corrupt archive: {error}"),
        location: None,
        salvaged: 0,
    }
}

fn member_limit(name: &str, limit: usize) -> Problem {
    Problem {
        path: name.to_owned(),
        kind: ProblemKind::Limit,
        message: format!("archive has more than {limit} members; the rest were not read"),
        location: None,
        salvaged: 0,
    }
}
