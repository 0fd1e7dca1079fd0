//! The verification itself: read and classify every file (`verify` → `classify`: digests
//! parsed, sidecars read, everything else hashed), then pair, link and judge (`Analysis`).
//! Reading is parallel and order-free; the analysis sorts first, so the report is the same
//! however the threads ran.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};

use super::digest::{
    digest_key_parts, file_name, from_hex, hex, local_key, log_file_identity, looks_like_digest, parse_digest,
    toggled_gz, ChainId, Digest,
};
use super::keys::{candidate_keys, parse_sidecar, PublicKey, SuppliedSignature, SHA256_WITH_RSA};
use super::{
    ChainSummary, Checked, Counts, DigestSummary, Finding, FindingKind, LinkStatus, Report, Severity, SignatureStatus,
    Verdict,
};
use crate::ingest::files::{for_each_file, Leaf, Visitor};
use crate::ingest::{Limits, Problem};
use crate::model::time::format_utc;

/// Linked digests whose times differ by more than this are reported; a file named this
/// long before a chain's end may still be delivered into the next (absent) digest.
const TOLERANCE_MS: i64 = 15 * 60_000;
const HOUR_MS: i64 = 3_600_000;

/// What to verify and with what.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub paths: Vec<PathBuf>,
    pub workers: usize,
    pub limits: Limits,
    /// Public keys for signature checks; empty: signatures are not checked.
    pub keys: Vec<PublicKey>,
    /// Signatures from `--signatures` files (sidecars are found among the inputs).
    pub signatures: Vec<SuppliedSignature>,
    /// Counts the files read so far (for a progress display).
    pub progress: Option<Arc<AtomicU64>>,
}

impl VerifyOptions {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self { paths, workers, limits: Limits::default(), keys: Vec::new(), signatures: Vec::new(), progress: None }
    }
}

/// A file that is not a digest: its key and the SHA-256 of its uncompressed content.
struct Present {
    name: String,
    key: Option<String>,
    sha256: Result<[u8; 32], String>,
}

enum Item {
    Digest(Box<Digest>),
    DigestUnreadable { name: String, message: String },
    Sidecar { name: String, parsed: Result<SuppliedSignature, String> },
    File(Present),
    Problem(Problem),
}

impl Item {
    fn name(&self) -> &str {
        match self {
            Item::Digest(d) => &d.name,
            Item::DigestUnreadable { name, .. } | Item::Sidecar { name, .. } => name,
            Item::File(p) => &p.name,
            Item::Problem(p) => &p.path,
        }
    }
}

/// Verifies the inputs: see the module docs of `integrity`.
pub fn verify(options: &VerifyOptions) -> Report {
    let reader = Reader { items: Mutex::new(Vec::new()), progress: options.progress.clone() };
    for_each_file(&options.paths, &options.limits, options.workers, &reader);
    let mut items = reader.items.into_inner().unwrap_or_else(|p| p.into_inner());
    items.sort_by(|a, b| a.name().cmp(b.name()));
    Analysis::new(options).run(items)
}

/// Collects what every input file is, as the enumerator hands them over.
struct Reader {
    items: Mutex<Vec<Item>>,
    progress: Option<Arc<AtomicU64>>,
}

impl Reader {
    fn push(&self, item: Item) {
        self.items.lock().unwrap_or_else(|p| p.into_inner()).push(item);
        if let Some(p) = &self.progress {
            p.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Visitor for Reader {
    fn leaf(&self, leaf: Leaf<'_>) {
        self.push(classify(&leaf));
    }

    fn failed(&self, problem: Problem) {
        self.push(Item::Problem(problem));
    }
}

fn says_digest(name: &str) -> bool {
    name.contains("/CloudTrail-Digest/") || name.contains("_CloudTrail-Digest_")
}

/// Reads one leaf: a sidecar, a digest (by its path or its content), or a file to hash.
fn classify(leaf: &Leaf<'_>) -> Item {
    let name = leaf.name.to_owned();
    let content = leaf.content();
    if name.ends_with(".sig") {
        let parsed = parse_sidecar(&name, content);
        return Item::Sidecar { name, parsed };
    }
    if let Some(damage) = &leaf.damage {
        let message = damage.message.clone();
        return if says_digest(&name) {
            Item::DigestUnreadable { name, message }
        } else {
            Item::File(Present { key: local_key(&name), name, sha256: Err(message) })
        };
    }
    let sha: [u8; 32] = Sha256::digest(content).into();
    if !says_digest(&name) && !looks_like_digest(content) {
        return Item::File(Present { key: local_key(&name), name, sha256: Ok(sha) });
    }
    match parse_digest(&name, content, sha) {
        Ok(d) => Item::Digest(Box::new(d)),
        Err(message) if says_digest(&name) => Item::DigestUnreadable { name, message },
        // Digest-like content that is not a digest: an ordinary file after all.
        Err(_) => Item::File(Present { key: local_key(&name), name, sha256: Ok(sha) }),
    }
}

fn time(ms: Option<i64>) -> Option<String> {
    ms.and_then(format_utc)
}

fn time_or(ms: Option<i64>, fallback: &str) -> String {
    time(ms).unwrap_or_else(|| fallback.to_owned())
}

/// The state of one listed log file, worst of all its listings and copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FileState {
    Intact,
    NotChecked,
    Unreadable,
    Missing,
    Modified,
}

/// A digest's signature sources: (hex, algorithm, where it came from, from the chain).
type Sources = Vec<(String, Option<String>, String, bool)>;

struct Analysis<'o> {
    options: &'o VerifyOptions,
    counts: Counts,
    findings: Vec<Finding>,
    digests: Vec<Digest>,
    present: Vec<Present>,
    supplied: Vec<SuppliedSignature>,
    links: Vec<LinkStatus>,
    /// Uncovered periods per (account, region), for judging unlisted files.
    gaps: HashMap<(String, String), Vec<(i64, i64)>>,
}

impl<'o> Analysis<'o> {
    fn new(options: &'o VerifyOptions) -> Self {
        Analysis {
            options,
            counts: Counts::default(),
            findings: Vec::new(),
            digests: Vec::new(),
            present: Vec::new(),
            supplied: options.signatures.clone(),
            links: Vec::new(),
            gaps: HashMap::new(),
        }
    }

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn run(mut self, items: Vec<Item>) -> Report {
        self.sort_items(items);
        self.dedupe_digests();
        let chains = self.link_chains();
        let signatures = self.check_signatures();
        self.check_log_files(&chains);
        self.finish(chains, signatures)
    }

    fn sort_items(&mut self, items: Vec<Item>) {
        for item in items {
            self.counts.files += 1;
            match item {
                Item::Digest(d) => self.digests.push(*d),
                Item::DigestUnreadable { name, message } => self.digest_unreadable(name, message),
                Item::Sidecar { parsed: Ok(s), .. } => self.supplied.push(s),
                Item::Sidecar { name, parsed: Err(message) } => {
                    let mut f = Finding::new(
                        Severity::Notice,
                        FindingKind::SignatureUnused,
                        format!("{name}: not used as a signature: {message}"),
                    );
                    f.path = Some(name);
                    self.push(f);
                }
                Item::File(p) => self.present.push(p),
                Item::Problem(p) => {
                    if says_digest(&p.path) {
                        self.digest_unreadable(p.path, p.message);
                    } else if local_key(&p.path).is_some() || log_file_identity(&p.path).is_some() {
                        // Unreadable, but maybe a listed log file: a listing will report it.
                        self.present.push(Present { key: local_key(&p.path), name: p.path, sha256: Err(p.message) });
                    } else {
                        self.counts.read_problems += 1;
                        let mut f = Finding::new(
                            Severity::Notice,
                            FindingKind::ReadProblem,
                            format!("{}: {}", p.path, p.message),
                        );
                        f.path = Some(p.path);
                        self.push(f);
                    }
                }
            }
        }
    }

    fn digest_unreadable(&mut self, name: String, message: String) {
        self.counts.digests_unreadable += 1;
        let mut f = Finding::new(
            Severity::Failure,
            FindingKind::DigestUnreadable,
            format!("digest file {name} cannot be verified: {message}"),
        );
        f.key = local_key(&name);
        f.path = Some(name);
        self.push(f);
    }

    /// One digest per key: identical copies are dropped, different ones are a conflict.
    fn dedupe_digests(&mut self) {
        let mut all = std::mem::take(&mut self.digests);
        all.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.name.cmp(&b.name)));
        let mut kept: Vec<Digest> = Vec::with_capacity(all.len());
        for d in all {
            match kept.last() {
                Some(k) if k.key == d.key && k.sha256 == d.sha256 => self.counts.digest_duplicates += 1,
                Some(k) if k.key == d.key => {
                    let mut f = Finding::new(
                        Severity::Failure,
                        FindingKind::DigestConflict,
                        format!(
                            "two different digest files claim the key {}: {} and {} (only the first was used)",
                            d.key, k.name, d.name
                        ),
                    );
                    f.key = Some(d.key.clone());
                    f.path = Some(d.name.clone());
                    f.expected = Some(hex(&k.sha256));
                    f.actual = Some(hex(&d.sha256));
                    self.push(f);
                }
                _ => kept.push(d),
            }
        }
        for d in &kept {
            if let Some(local) = &d.local_key {
                if *local != d.key {
                    let mut f = Finding::new(
                        Severity::Failure,
                        FindingKind::DigestMoved,
                        format!("digest {} was read from {}, not from the key it names ({})", d.name, local, d.key),
                    );
                    f.key = Some(d.key.clone());
                    f.path = Some(d.name.clone());
                    self.push(f);
                }
            }
        }
        self.counts.digests = kept.len() as u64;
        self.links = kept.iter().map(|d| if d.backfill() { LinkStatus::Backfill } else { LinkStatus::First }).collect();
        self.digests = kept;
    }

    /// Groups digests into chains and follows each chain's links; returns the chains with
    /// their members (non-backfill, oldest first).
    fn link_chains(&mut self) -> BTreeMap<ChainId, Vec<usize>> {
        let mut chains: BTreeMap<ChainId, Vec<usize>> = BTreeMap::new();
        for (i, d) in self.digests.iter().enumerate() {
            let members = chains.entry(d.chain()).or_default();
            if !d.backfill() {
                members.push(i);
            }
        }
        let by_key: HashMap<String, usize> = self.digests.iter().enumerate().map(|(i, d)| (d.key.clone(), i)).collect();
        let mut referenced = vec![false; self.digests.len()];
        for (chain, members) in &mut chains {
            let digests = &self.digests;
            members.sort_by(|&a, &b| {
                let (a, b) = (&digests[a], &digests[b]);
                a.end.cmp(&b.end).then_with(|| a.key.cmp(&b.key))
            });
            for (pos, &d) in members.iter().enumerate() {
                let before = pos.checked_sub(1).map(|p| members[p]);
                self.link_one(chain, d, before, &by_key, &mut referenced);
            }
            // A digest the next one does not link to has been skipped by the chain.
            for pair in members.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if !referenced[a] && matches!(self.links[b], LinkStatus::Intact | LinkStatus::Broken) {
                    let (ad, bd) = (&self.digests[a], &self.digests[b]);
                    let mut f = Finding::new(
                        Severity::Failure,
                        FindingKind::DigestUnlinked,
                        format!(
                            "digest {} ({}–{}) is not part of the chain: the next digest, {}, links to {} instead (inserted or replayed digest?)",
                            ad.key,
                            time_or(ad.start, &ad.start_text),
                            time_or(ad.end, &ad.end_text),
                            bd.key,
                            bd.previous_key.as_deref().unwrap_or("?")
                        ),
                    );
                    f.key = Some(ad.key.clone());
                    f.path = Some(ad.name.clone());
                    f.digest = Some(bd.key.clone());
                    f.from = time(ad.start);
                    f.to = time(ad.end);
                    self.push(f);
                }
            }
        }
        chains
    }

    fn add_gap(&mut self, chain: &ChainId, from: Option<i64>, to: Option<i64>) {
        if let (Some(from), Some(to)) = (from, to) {
            self.gaps.entry((chain.account.clone(), chain.region.clone())).or_default().push((from, to));
        }
    }

    fn link_one(
        &mut self,
        chain: &ChainId,
        di: usize,
        before: Option<usize>,
        by_key: &HashMap<String, usize>,
        referenced: &mut [bool],
    ) {
        let d = &self.digests[di];
        let Some(prev_key) = d.previous_key.clone() else {
            // First digest of a chain, or a restart after logging/validation was off.
            self.links[di] = LinkStatus::First;
            if let Some(a) = before {
                let a = &self.digests[a];
                let uncovered = match (a.end, d.start) {
                    (Some(e), Some(s)) => s - e > TOLERANCE_MS,
                    _ => true,
                };
                let (from, to) = (a.end, d.start);
                let (severity, kind, message) = if uncovered {
                    self.counts.gaps += 1;
                    (
                        Severity::Failure,
                        FindingKind::Gap,
                        format!(
                            "no digest covers {} to {}: the chain restarts at {} (its previous-digest fields are null) after {}; logging or log file validation was off, or digests were removed",
                            time_or(from, &a.end_text),
                            time_or(to, &d.start_text),
                            d.key,
                            a.key
                        ),
                    )
                } else {
                    (
                        Severity::Notice,
                        FindingKind::ChainRestart,
                        format!(
                            "the chain restarts at {} (its previous-digest fields are null) right after {}",
                            d.key, a.key
                        ),
                    )
                };
                let mut f = Finding::new(severity, kind, message);
                f.key = Some(d.key.clone());
                f.path = Some(d.name.clone());
                f.from = time(from);
                f.to = time(to);
                self.findings.push(f);
                if uncovered {
                    self.add_gap(chain, from, to);
                }
            }
            return;
        };
        match by_key.get(&prev_key) {
            Some(&p) => {
                referenced[p] = true;
                let prev = &self.digests[p];
                let algorithm = d.previous_hash_algorithm.as_deref().unwrap_or("SHA-256");
                let actual = hex(&prev.sha256);
                let expected = d.previous_hash.clone().unwrap_or_default();
                if !algorithm.eq_ignore_ascii_case("SHA-256") {
                    self.links[di] = LinkStatus::Intact;
                    let f = Finding::new(
                        Severity::Notice,
                        FindingKind::HashUnsupported,
                        format!(
                            "{} links to {} with hash algorithm {algorithm}, which is not checked",
                            d.key, prev.key
                        ),
                    );
                    self.findings.push(f);
                    return;
                }
                if expected.trim().eq_ignore_ascii_case(&actual) {
                    self.links[di] = LinkStatus::Intact;
                    self.counts.links_intact += 1;
                } else {
                    self.links[di] = LinkStatus::Broken;
                    self.counts.links_broken += 1;
                    let mut f = Finding::new(
                        Severity::Failure,
                        FindingKind::LinkBroken,
                        format!(
                            "digest {} ({}–{}) was modified: its SHA-256 is not the previousDigestHashValue recorded in the next digest, {}",
                            prev.key,
                            time_or(prev.start, &prev.start_text),
                            time_or(prev.end, &prev.end_text),
                            d.key
                        ),
                    );
                    f.key = Some(prev.key.clone());
                    f.path = Some(prev.name.clone());
                    f.digest = Some(d.key.clone());
                    f.from = time(prev.start);
                    f.to = time(prev.end);
                    f.expected = Some(expected.trim().to_ascii_lowercase());
                    f.actual = Some(actual);
                    self.findings.push(f);
                }
                if let (Some(e), Some(s)) = (prev.end, d.start) {
                    if (s - e).abs() > TOLERANCE_MS {
                        let mut f = Finding::new(
                            Severity::Notice,
                            FindingKind::TimeGap,
                            format!(
                                "digests {} and {} are linked, but their times do not meet ({} to {})",
                                prev.key,
                                d.key,
                                time_or(Some(e), ""),
                                time_or(Some(s), "")
                            ),
                        );
                        f.key = Some(d.key.clone());
                        f.from = time(Some(e.min(s)));
                        f.to = time(Some(e.max(s)));
                        self.findings.push(f);
                    }
                }
            }
            None => {
                let stamp = digest_key_parts(&prev_key).and_then(|p| p.stamp);
                match before {
                    None => {
                        self.links[di] = LinkStatus::Edge;
                        let mut f = Finding::new(
                            Severity::Notice,
                            FindingKind::ChainEdge,
                            format!(
                                "{} is the oldest digest of its chain present; the digest before it ({}{}) is not among the inputs, so nothing before {} was verified",
                                d.key,
                                prev_key,
                                time(stamp).map(|t| format!(", ending {t}")).unwrap_or_default(),
                                time_or(d.start, &d.start_text)
                            ),
                        );
                        f.key = Some(prev_key);
                        f.digest = Some(d.key.clone());
                        f.to = time(d.start);
                        self.findings.push(f);
                    }
                    Some(a) => {
                        self.links[di] = LinkStatus::Missing;
                        self.counts.digests_missing += 1;
                        let a = &self.digests[a];
                        let (from, to) = (a.end, d.start);
                        let hours = match (from, to) {
                            (Some(f), Some(t)) if t > f => ((t - f) as f64 / HOUR_MS as f64).round().max(1.0) as i64,
                            _ => 1,
                        };
                        let mut f = Finding::new(
                            Severity::Failure,
                            FindingKind::DigestMissing,
                            format!(
                                "digest {}{} is missing ({} links to it): log files delivered from {} to {} (about {hours} hour{}) are not covered by any digest present",
                                prev_key,
                                time(stamp).map(|t| format!(" (ending {t})")).unwrap_or_default(),
                                d.key,
                                time_or(from, &a.end_text),
                                time_or(to, &d.start_text),
                                if hours == 1 { "" } else { "s" }
                            ),
                        );
                        f.key = Some(prev_key);
                        f.digest = Some(d.key.clone());
                        f.from = time(from);
                        f.to = time(to);
                        self.findings.push(f);
                        self.add_gap(chain, from, to);
                    }
                }
            }
        }
    }

    /// Checks every digest's signature from the supplied signatures and, for digests that
    /// have a successor, the successor's `previousDigestSignature`.
    fn check_signatures(&mut self) -> Vec<(SignatureStatus, String)> {
        let n = self.digests.len();
        let mut sources: Vec<Sources> = vec![Vec::new(); n];
        for s in std::mem::take(&mut self.supplied) {
            let targets: Vec<usize> = (0..n).filter(|&i| s.target.matches(&self.digests[i])).collect();
            if targets.is_empty() {
                let f = Finding::new(
                    Severity::Notice,
                    FindingKind::SignatureUnused,
                    format!("the signature from {} is for no digest among the inputs", s.source),
                );
                self.push(f);
            }
            for t in targets {
                sources[t].push((s.hex.clone(), s.algorithm.clone(), s.source.clone(), false));
            }
        }
        let by_key: HashMap<&str, usize> = self.digests.iter().enumerate().map(|(i, d)| (d.key.as_str(), i)).collect();
        for d in &self.digests {
            if let (Some(prev), Some(sig)) = (&d.previous_key, &d.previous_signature) {
                if let Some(&p) = by_key.get(prev.as_str()) {
                    sources[p].push((sig.clone(), None, format!("the previousDigestSignature of {}", d.key), true));
                }
            }
        }
        let keys = &self.options.keys;
        let mut out = Vec::with_capacity(n);
        let mut new_findings = Vec::new();
        for (i, d) in self.digests.iter().enumerate() {
            let status = if keys.is_empty() {
                (SignatureStatus::NotChecked, "no --public-key given".to_owned())
            } else {
                signature_status(d, &sources[i], keys, &mut new_findings)
            };
            match status.0 {
                SignatureStatus::Valid => self.counts.signatures_valid += 1,
                SignatureStatus::Invalid => self.counts.signatures_invalid += 1,
                SignatureStatus::NotChecked => self.counts.signatures_not_checked += 1,
            }
            out.push(status);
        }
        self.findings.extend(new_findings);
        out
    }

    fn check_log_files(&mut self, chains: &BTreeMap<ChainId, Vec<usize>>) {
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in self.present.iter().enumerate() {
            match &p.key {
                Some(k) => by_key.entry(k.as_str()).or_default().push(i),
                None => by_name.entry(file_name(&p.name)).or_default().push(i),
            }
        }
        let find = |key: &str| -> Vec<usize> {
            let alt = toggled_gz(key);
            for candidate in [key, alt.as_str()] {
                if let Some(v) = by_key.get(candidate) {
                    return v.clone();
                }
            }
            for candidate in [file_name(key), file_name(&alt)] {
                if let Some(v) = by_name.get(candidate) {
                    return v.clone();
                }
            }
            Vec::new()
        };
        let mut listed = vec![false; self.present.len()];
        let mut states: HashMap<String, FileState> = HashMap::new();
        let mut seen: HashSet<(FindingKind, String, Option<String>)> = HashSet::new();
        let mut new_findings = Vec::new();
        for d in &self.digests {
            for l in &d.log_files {
                let copies = find(&l.key);
                let mut state = FileState::Intact;
                let mut emit = |f: Finding| {
                    if seen.insert((f.kind, f.key.clone().unwrap_or_default(), f.path.clone())) {
                        new_findings.push(f);
                    }
                };
                if copies.is_empty() {
                    state = FileState::Missing;
                    let when = match (&l.oldest, &l.newest) {
                        (Some(o), Some(n)) => format!("; its events are from {o} to {n}"),
                        _ => String::new(),
                    };
                    let mut f = Finding::new(
                        Severity::Failure,
                        FindingKind::LogMissing,
                        format!("{} is missing (listed in {}{when})", l.key, d.key),
                    );
                    f.key = Some(l.key.clone());
                    f.digest = Some(d.key.clone());
                    f.from = l.oldest.clone();
                    f.to = l.newest.clone();
                    emit(f);
                }
                for &c in &copies {
                    listed[c] = true;
                    let p = &self.present[c];
                    let algorithm = l.algorithm.as_deref().unwrap_or("SHA-256");
                    match &p.sha256 {
                        Err(message) => {
                            state = state.max(FileState::Unreadable);
                            let mut f = Finding::new(
                                Severity::Failure,
                                FindingKind::LogUnreadable,
                                format!("{} cannot be read ({message}); it is listed in {}", p.name, d.key),
                            );
                            f.key = Some(l.key.clone());
                            f.path = Some(p.name.clone());
                            f.digest = Some(d.key.clone());
                            emit(f);
                        }
                        Ok(_) if !algorithm.eq_ignore_ascii_case("SHA-256") => {
                            state = state.max(FileState::NotChecked);
                            let f = Finding::new(
                                Severity::Notice,
                                FindingKind::HashUnsupported,
                                format!(
                                    "{} is listed in {} with hash algorithm {algorithm}, which is not checked",
                                    l.key, d.key
                                ),
                            );
                            emit(f);
                        }
                        Ok(sha) => {
                            let actual = hex(sha);
                            let expected = l.hash.as_deref().unwrap_or("").trim().to_ascii_lowercase();
                            if actual != expected {
                                state = state.max(FileState::Modified);
                                let mut f = Finding::new(
                                    Severity::Failure,
                                    FindingKind::LogModified,
                                    format!(
                                        "{} was modified: the SHA-256 of its content is not the one listed in {}",
                                        p.name, d.key
                                    ),
                                );
                                f.key = Some(l.key.clone());
                                f.path = Some(p.name.clone());
                                f.digest = Some(d.key.clone());
                                f.from = l.oldest.clone();
                                f.to = l.newest.clone();
                                f.expected = Some(expected);
                                f.actual = Some(actual);
                                emit(f);
                            }
                        }
                    }
                }
                let entry = states.entry(l.key.clone()).or_insert(state);
                *entry = (*entry).max(state);
            }
        }
        self.findings.extend(new_findings);
        for state in states.values() {
            self.counts.log_files_listed += 1;
            match state {
                FileState::Intact => self.counts.log_files_intact += 1,
                FileState::NotChecked => self.counts.log_files_not_checked += 1,
                FileState::Unreadable => self.counts.log_files_unreadable += 1,
                FileState::Missing => self.counts.log_files_missing += 1,
                FileState::Modified => self.counts.log_files_modified += 1,
            }
        }
        self.unlisted(chains, &listed);
    }

    /// Present log files that no digest lists: a failure when the digests cover their time.
    fn unlisted(&mut self, chains: &BTreeMap<ChainId, Vec<usize>>, listed: &[bool]) {
        let mut spans: HashMap<(&str, &str), Vec<(i64, i64)>> = HashMap::new();
        for (chain, members) in chains {
            let starts = members.iter().filter_map(|&i| self.digests[i].start);
            let ends = members.iter().filter_map(|&i| self.digests[i].end);
            if let (Some(s), Some(e)) = (starts.min(), ends.max()) {
                spans.entry((chain.account.as_str(), chain.region.as_str())).or_default().push((s, e));
            }
        }
        let mut new_findings = Vec::new();
        for (i, p) in self.present.iter().enumerate() {
            if listed[i] {
                continue;
            }
            let Some(id) = log_file_identity(p.key.as_deref().unwrap_or(&p.name)) else {
                self.counts.other_files += 1;
                continue;
            };
            self.counts.log_files_unlisted += 1;
            let (account, region, at) = (&id.account, &id.region, id.time);
            let covered = at.is_some_and(|t| {
                spans
                    .get(&(account.as_str(), region.as_str()))
                    .is_some_and(|v| v.iter().any(|&(s, e)| t >= s && t + TOLERANCE_MS <= e))
            });
            let in_gap = at.is_some_and(|t| {
                self.gaps
                    .get(&(account.clone(), region.clone()))
                    .is_some_and(|v| v.iter().any(|&(s, e)| t + TOLERANCE_MS >= s && t <= e + TOLERANCE_MS))
            });
            let when = time(at).map(|t| format!(" (named for {t})")).unwrap_or_default();
            let (severity, message) = if id.insight {
                // Whether digests list Insights files is not something we rely on.
                (
                    Severity::Notice,
                    format!("{}{when} is an Insights log file that no digest lists; it was not verified", p.name),
                )
            } else if covered && !in_gap {
                self.counts.log_files_unlisted_inside_period += 1;
                (
                    Severity::Failure,
                    format!(
                        "{}{when} is listed in no digest although the digests of account {account} in {region} cover that time: added after delivery, or listed in a digest that is not among the inputs",
                        p.name
                    ),
                )
            } else if in_gap {
                (Severity::Notice, format!("{}{when} is listed in no digest: its time falls in a gap of the digest chain, so it cannot be verified", p.name))
            } else {
                (Severity::Notice, format!("{}{when} is listed in no digest: it is outside the period the digests cover, so it was not verified", p.name))
            };
            let mut f = Finding::new(severity, FindingKind::LogUnlisted, message);
            f.key = p.key.clone();
            f.path = Some(p.name.clone());
            f.from = time(at);
            new_findings.push(f);
        }
        self.findings.extend(new_findings);
    }

    fn finish(mut self, chains: BTreeMap<ChainId, Vec<usize>>, signatures: Vec<(SignatureStatus, String)>) -> Report {
        let mut chain_of: Vec<String> = vec![String::new(); self.digests.len()];
        let mut chain_summaries = Vec::new();
        for (chain, members) in &chains {
            let all: Vec<usize> = (0..self.digests.len()).filter(|&i| self.digests[i].chain() == *chain).collect();
            for &i in &all {
                chain_of[i] = chain.id.clone();
            }
            let first = members.first().map(|&i| &self.digests[i]);
            let last = members.last().map(|&i| &self.digests[i]);
            chain_summaries.push(ChainSummary {
                id: chain.id.clone(),
                account: chain.account.clone(),
                region: chain.region.clone(),
                trail: chain.trail.clone(),
                digests: members.len(),
                backfill_digests: all.len() - members.len(),
                from: first.map(|d| time_or(d.start, &d.start_text)),
                to: last.map(|d| time_or(d.end, &d.end_text)),
            });
        }
        self.counts.chains = chains.len() as u64;
        let mut order: Vec<usize> = (0..self.digests.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.digests[a], &self.digests[b]);
            chain_of[a].cmp(&chain_of[b]).then(x.end.cmp(&y.end)).then_with(|| x.key.cmp(&y.key))
        });
        let digests = order
            .iter()
            .map(|&i| {
                let d = &self.digests[i];
                DigestSummary {
                    key: d.key.clone(),
                    path: d.name.clone(),
                    chain: chain_of[i].clone(),
                    start: time_or(d.start, &d.start_text),
                    end: time_or(d.end, &d.end_text),
                    log_files: d.log_files.len(),
                    sha256: hex(&d.sha256),
                    link: self.links[i],
                    signature: signatures[i].0,
                    signature_detail: signatures[i].1.clone(),
                }
            })
            .collect();
        let checked = self.checked(&chains, &signatures);
        self.findings.sort_by(|a, b| {
            (a.severity, a.kind, &a.key, &a.path, &a.from).cmp(&(b.severity, b.kind, &b.key, &b.path, &b.from))
        });
        let failures = self.findings.iter().any(|f| f.severity == Severity::Failure);
        let verdict = if self.digests.is_empty() && self.counts.digests_unreadable == 0 {
            Verdict::NothingVerified
        } else if failures {
            Verdict::Problems
        } else {
            Verdict::Intact
        };
        Report { verdict, checked, counts: self.counts, chains: chain_summaries, digests, findings: self.findings }
    }

    fn checked(&self, chains: &BTreeMap<ChainId, Vec<usize>>, signatures: &[(SignatureStatus, String)]) -> Checked {
        let c = &self.counts;
        let n = self.digests.len() as u64;
        let any_digest = n > 0;
        let signatures_word = if n > 0 && c.signatures_valid == n {
            "all"
        } else if c.signatures_valid + c.signatures_invalid == 0 {
            "none"
        } else {
            "some"
        };
        let signatures_note = if !any_digest {
            "not checked: no digest files".to_owned()
        } else if self.options.keys.is_empty() {
            "not checked (no --public-key given): the digests were checked against each other and against the log files, which shows they are consistent, not that CloudTrail wrote them".to_owned()
        } else {
            let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
            for (status, why) in signatures {
                if *status == SignatureStatus::NotChecked {
                    *reasons.entry(why.as_str()).or_default() += 1;
                }
            }
            let mut note = format!(
                "{} of {n} digests have a valid signature, {} an invalid one, {} were not checked",
                c.signatures_valid, c.signatures_invalid, c.signatures_not_checked
            );
            for (why, count) in reasons {
                note.push_str(&format!("; {count}: {why}"));
            }
            note
        };
        let mut not_checked = Vec::new();
        if !any_digest {
            not_checked.push("everything: no digest file was found among the inputs".to_owned());
        }
        if c.signatures_valid < n {
            not_checked.push(if self.options.keys.is_empty() {
                "digest signatures (give --public-key and the signatures with --signatures or .sig sidecars)".to_owned()
            } else {
                format!("the signatures of {} digests", n - c.signatures_valid)
            });
        }
        for (chain, members) in chains {
            if let Some(&first) = members.first() {
                let d = &self.digests[first];
                if self.links[first] == LinkStatus::Edge {
                    not_checked.push(format!(
                        "anything delivered before {} for {} {} (the oldest digest present)",
                        time_or(d.start, &d.start_text),
                        chain.account,
                        chain.region
                    ));
                }
            }
        }
        let outside = c.log_files_unlisted - c.log_files_unlisted_inside_period;
        if outside > 0 {
            not_checked.push(format!("{outside} log files that no digest lists"));
        }
        if c.log_files_not_checked > 0 {
            not_checked
                .push(format!("{} log files listed with a hash algorithm other than SHA-256", c.log_files_not_checked));
        }
        Checked {
            log_file_hashes: any_digest,
            digest_chain: any_digest,
            signatures: signatures_word,
            signatures_note,
            not_checked,
        }
    }
}

/// The signature status of one digest, with findings for signatures that fail.
fn signature_status(
    d: &Digest,
    sources: &Sources,
    keys: &[PublicKey],
    findings: &mut Vec<Finding>,
) -> (SignatureStatus, String) {
    if let Some(a) = d.algorithm.as_deref().filter(|a| !a.eq_ignore_ascii_case(SHA256_WITH_RSA)) {
        return (SignatureStatus::NotChecked, format!("unsupported signature algorithm {a}"));
    }
    if sources.is_empty() {
        return (
            SignatureStatus::NotChecked,
            "no signature available (it is in the digest's S3 object metadata: pass it with --signatures or a .sig sidecar)"
                .to_owned(),
        );
    }
    let candidates = candidate_keys(keys, d.fingerprint.as_deref());
    if candidates.is_empty() {
        return (
            SignatureStatus::NotChecked,
            format!("no public key given for fingerprint {}", d.fingerprint.as_deref().unwrap_or("(none)")),
        );
    }
    let message = d.signing_string();
    let mut valid = Vec::new();
    let mut invalid = false;
    for (hex_sig, algorithm, source, from_chain) in sources {
        if let Some(a) = algorithm.as_deref().filter(|a| !a.eq_ignore_ascii_case(SHA256_WITH_RSA)) {
            return (SignatureStatus::NotChecked, format!("unsupported signature algorithm {a} ({source})"));
        }
        let verified =
            from_hex(hex_sig).and_then(|sig| candidates.iter().find(|k| k.verifies(message.as_bytes(), &sig)));
        match verified {
            Some(k) => valid.push(format!("signature from {source} verified with {}", k.source)),
            None => {
                invalid = true;
                let blame = if *from_chain {
                    format!("{} or the digest that records this signature was altered", d.key)
                } else {
                    format!("{} was altered, or the signature or key is not the right one", d.key)
                };
                let mut f = Finding::new(
                    Severity::Failure,
                    FindingKind::SignatureInvalid,
                    format!("the signature of digest {} from {source} does not verify: {blame}", d.key),
                );
                f.key = Some(d.key.clone());
                f.path = Some(d.name.clone());
                f.from = time(d.start);
                f.to = time(d.end);
                findings.push(f);
            }
        }
    }
    if invalid {
        (SignatureStatus::Invalid, "a signature does not verify".to_owned())
    } else {
        (SignatureStatus::Valid, valid.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::digest::parse_digest;

    const DIR: &str = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/01";

    fn key(hour: u32) -> String {
        format!("{DIR}/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240301T{hour:02}0000Z.json.gz")
    }

    /// A digest for `hour-1 .. hour`, linked to `previous` (its key and bytes) or first.
    fn digest(hour: u32, previous: Option<&Digest>, files: &[(&str, &str)]) -> Digest {
        let prev = match previous {
            Some(p) => format!(
                r#""previousDigestS3Object":"{}","previousDigestHashValue":"{}","previousDigestSignature":"00""#,
                p.s3_object,
                hex(&p.sha256)
            ),
            None => r#""previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestSignature":null"#
                .to_owned(),
        };
        let listed: Vec<String> = files
            .iter()
            .map(|(k, h)| format!(r#"{{"s3Object":"{k}","hashValue":"{h}","hashAlgorithm":"SHA-256"}}"#))
            .collect();
        let text = format!(
            r#"{{"digestStartTime":"2024-03-01T{:02}:00:00Z","digestEndTime":"2024-03-01T{hour:02}:00:00Z","digestS3Bucket":"b","digestS3Object":"{}",{prev},"logFiles":[{}]}}"#,
            hour - 1,
            key(hour),
            listed.join(",")
        );
        parse_digest(&format!("/dl/{}", key(hour)), text.as_bytes(), Sha256::digest(text.as_bytes()).into()).unwrap()
    }

    fn run(digests: Vec<Digest>, files: Vec<Present>) -> Report {
        let options = VerifyOptions::new(Vec::new());
        let mut items: Vec<Item> = digests.into_iter().map(|d| Item::Digest(Box::new(d))).collect();
        items.extend(files.into_iter().map(Item::File));
        Analysis::new(&options).run(items)
    }

    fn kinds(r: &Report) -> Vec<(Severity, FindingKind)> {
        r.findings.iter().map(|f| (f.severity, f.kind)).collect()
    }

    #[test]
    fn an_intact_chain_of_empty_hours_is_intact() {
        let d1 = digest(1, None, &[]);
        let d2 = digest(2, Some(&d1), &[]);
        let d3 = digest(3, Some(&d2), &[]);
        let r = run(vec![d3, d1, d2], Vec::new());
        assert_eq!(r.verdict, Verdict::Intact, "{:?}", r.findings);
        assert_eq!(r.counts.links_intact, 2);
        assert_eq!(
            r.digests.iter().map(|d| d.link).collect::<Vec<_>>(),
            [LinkStatus::First, LinkStatus::Intact, LinkStatus::Intact]
        );
        assert_eq!(r.chains[0].from.as_deref(), Some("2024-03-01T00:00:00Z"));
    }

    #[test]
    fn a_restart_after_uncovered_hours_is_a_gap_and_right_after_is_a_notice() {
        let d1 = digest(1, None, &[]);
        let d4 = digest(4, None, &[]);
        let r = run(vec![d1.clone(), d4], Vec::new());
        assert_eq!(kinds(&r), [(Severity::Failure, FindingKind::Gap)]);
        assert_eq!(r.findings[0].from.as_deref(), Some("2024-03-01T01:00:00Z"));
        assert_eq!(r.findings[0].to.as_deref(), Some("2024-03-01T03:00:00Z"));
        let d2 = digest(2, None, &[]);
        let r = run(vec![d1, d2], Vec::new());
        assert_eq!(kinds(&r), [(Severity::Notice, FindingKind::ChainRestart)]);
        assert_eq!(r.verdict, Verdict::Intact);
    }

    #[test]
    fn a_digest_the_chain_skips_is_unlinked() {
        let d1 = digest(1, None, &[]);
        let d2 = digest(2, Some(&d1), &[]);
        let d3 = digest(3, Some(&d1), &[]); // links past d2
        let r = run(vec![d1, d2, d3], Vec::new());
        // …and the linked pair's times do not meet.
        assert_eq!(
            kinds(&r),
            [(Severity::Failure, FindingKind::DigestUnlinked), (Severity::Notice, FindingKind::TimeGap)]
        );
        assert_eq!(r.findings[0].key.as_deref(), Some(key(2).as_str()));
    }

    #[test]
    fn conflicting_copies_and_moved_digests_are_failures() {
        let d1 = digest(1, None, &[]);
        let mut other = digest(1, None, &[("AWSLogs/x/CloudTrail/us-east-1/a.json.gz", "00")]);
        other.name = "/elsewhere/copy.json.gz".into();
        other.local_key = None;
        let r = run(vec![d1.clone(), other], Vec::new());
        assert_eq!(kinds(&r), [(Severity::Failure, FindingKind::DigestConflict)]);
        let mut moved = d1;
        moved.local_key = Some(key(5));
        let r = run(vec![moved], Vec::new());
        assert_eq!(kinds(&r), [(Severity::Failure, FindingKind::DigestMoved)]);
    }

    #[test]
    fn listed_files_are_matched_by_key_and_judged_by_content_hash() {
        let content = b"{\"Records\":[]}";
        let sha: [u8; 32] = Sha256::digest(content).into();
        let k = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0005Z_a.json.gz";
        let d1 = digest(1, None, &[(k, &hex(&sha)), (&k.replace("_a.", "_b."), "ab")]);
        let present = vec![
            Present { name: format!("/dl/{k}"), key: Some(k.to_owned()), sha256: Ok(sha) },
            Present { name: "/dl/readme.txt".into(), key: None, sha256: Ok([0; 32]) },
        ];
        let r = run(vec![d1], present);
        assert_eq!((r.counts.log_files_intact, r.counts.log_files_missing, r.counts.other_files), (1, 1, 1));
        assert_eq!(kinds(&r), [(Severity::Failure, FindingKind::LogMissing)]);
    }
}
