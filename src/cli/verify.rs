//! `trailscope verify`: offline log file integrity validation, printed as text or JSON.
//!
//! Exit status: 0 when everything checked is intact; 3 when anything is modified, missing,
//! broken or added; 1 when nothing could be verified (no digest files); 2 for usage errors
//! (including key and signature files that cannot be read).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::ingest::report::group;
use crate::integrity::keys::{load_public_keys, load_signatures};
use crate::integrity::{verify, Finding, Report, Severity, Verdict, VerifyOptions};
use crate::sanitize::sanitize;

/// Exit status when something is modified, missing or broken.
pub const EXIT_PROBLEMS: u8 = 3;
/// Findings printed per severity in text output; `--json` lists all.
const TEXT_LIMIT: usize = 200;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Directories (AWSLogs/… trees), archives (.zip, .tar, .tar.gz) or files; `-` for stdin.
    #[arg(value_name = "PATH", default_value = "-")]
    pub paths: Vec<PathBuf>,
    /// Public key(s) to check digest signatures with: PEM, DER, or the JSON of
    /// `aws cloudtrail list-public-keys`. May be given several times.
    #[arg(long = "public-key", value_name = "FILE")]
    pub public_keys: Vec<PathBuf>,
    /// Digest signatures (S3 object metadata `signature`), one per line:
    /// `<digest S3 key or file name> <hex signature> [algorithm]`. `<digest>.sig` files
    /// beside the digests are read too.
    #[arg(long, value_name = "FILE")]
    pub signatures: Vec<PathBuf>,
    /// Print one JSON object (fields documented in docs/verify-json.md).
    #[arg(long)]
    pub json: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub limits: super::LimitArgs,
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    let mut options = VerifyOptions::new(args.paths.clone());
    options.limits = args.limits.limits();
    if let Some(w) = args.workers {
        options.workers = w.max(1);
    }
    for path in &args.public_keys {
        match load_public_keys(path) {
            Ok(keys) => options.keys.extend(keys),
            Err(e) => return usage(&e),
        }
    }
    for path in &args.signatures {
        match load_signatures(path) {
            Ok(s) => options.signatures.extend(s),
            Err(e) => return usage(&e),
        }
    }
    let report = if std::io::stderr().is_terminal() {
        let files = Arc::new(AtomicU64::new(0));
        options.progress = Some(files.clone());
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| spinner(&files, &done));
            let report = verify(&options);
            done.store(true, Ordering::Relaxed);
            report
        })
    } else {
        verify(&options)
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    let written = if args.json {
        crate::sanitize::terminal_safe_json(&report).map_err(std::io::Error::other).and_then(|s| writeln!(out, "{s}"))
    } else {
        write_text(&mut out, &report)
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("trailscope: cannot write output: {e}");
            return ExitCode::FAILURE;
        }
    }
    exit_status(&report)
}

/// A spinner on stderr with the number of files read, until `done`.
fn spinner(files: &AtomicU64, done: &AtomicBool) {
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} verifying: {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    while !done.load(Ordering::Relaxed) {
        bar.set_message(format!("{} files read", group(files.load(Ordering::Relaxed))));
        bar.tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn usage(message: &str) -> ExitCode {
    eprintln!("trailscope: {}", sanitize(message));
    ExitCode::from(2)
}

/// 0 intact, 3 problems, 1 nothing verified.
pub fn exit_status(report: &Report) -> ExitCode {
    match report.verdict {
        Verdict::Intact => ExitCode::SUCCESS,
        Verdict::Problems => ExitCode::from(EXIT_PROBLEMS),
        Verdict::NothingVerified => ExitCode::FAILURE,
    }
}

fn kind_name(f: &Finding) -> String {
    serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(|s| s.replace('_', " "))).unwrap_or_default()
}

fn write_findings(out: &mut impl Write, heading: &str, findings: &[&Finding]) -> std::io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{heading} ({}):", group(findings.len() as u64))?;
    for f in findings.iter().take(TEXT_LIMIT) {
        writeln!(out, "  {:<18} {}", kind_name(f), sanitize(&f.message))?;
        if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
            writeln!(out, "  {:<18} SHA-256 expected {}, found {}", "", sanitize(e), sanitize(a))?;
        }
    }
    if findings.len() > TEXT_LIMIT {
        writeln!(out, "  … and {} more (--json lists them all)", group((findings.len() - TEXT_LIMIT) as u64))?;
    }
    Ok(())
}

fn write_text(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let c = &r.counts;
    writeln!(
        out,
        "{} digest files in {} chains, {} log files listed, {} files read",
        group(c.digests),
        group(c.chains),
        group(c.log_files_listed),
        group(c.files)
    )?;
    for chain in r.chains.iter().take(20) {
        writeln!(
            out,
            "  account {} {} trail {}: {} digests{}, {} to {}",
            sanitize(&chain.account),
            sanitize(&chain.region),
            sanitize(&chain.trail),
            group(chain.digests as u64),
            if chain.backfill_digests > 0 { format!(" (+{} backfill)", chain.backfill_digests) } else { String::new() },
            sanitize(chain.from.as_deref().unwrap_or("?")),
            sanitize(chain.to.as_deref().unwrap_or("?"))
        )?;
    }
    if r.chains.len() > 20 {
        writeln!(out, "  … and {} more chains", r.chains.len() - 20)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "log files     {} intact, {} modified, {} missing, {} unreadable, {} not checked",
        group(c.log_files_intact),
        group(c.log_files_modified),
        group(c.log_files_missing),
        group(c.log_files_unreadable),
        group(c.log_files_not_checked)
    )?;
    writeln!(
        out,
        "              {} present log files listed in no digest ({} inside the digests' period); {} other files",
        group(c.log_files_unlisted),
        group(c.log_files_unlisted_inside_period),
        group(c.other_files)
    )?;
    writeln!(
        out,
        "digest chain  {} links intact, {} broken, {} digests missing, {} gaps, {} unreadable digests",
        group(c.links_intact),
        group(c.links_broken),
        group(c.digests_missing),
        group(c.gaps),
        group(c.digests_unreadable)
    )?;
    writeln!(out, "signatures    {}", sanitize(&r.checked.signatures_note))?;
    let failures: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == Severity::Failure).collect();
    let notices: Vec<&Finding> = r.findings.iter().filter(|f| f.severity == Severity::Notice).collect();
    write_findings(out, "Failures", &failures)?;
    write_findings(out, "Notices", &notices)?;
    if !r.checked.not_checked.is_empty() {
        writeln!(out, "\nNot checked:")?;
        for line in &r.checked.not_checked {
            writeln!(out, "  - {}", sanitize(line))?;
        }
    }
    let verdict = match r.verdict {
        Verdict::Intact => "INTACT: everything that was checked is intact".to_owned(),
        Verdict::Problems => format!(
            "PROBLEMS: {} failures (modified {}, missing {}, broken links {}, missing digests {}, gaps {}, invalid signatures {})",
            group(failures.len() as u64),
            group(c.log_files_modified),
            group(c.log_files_missing),
            group(c.links_broken),
            group(c.digests_missing),
            group(c.gaps),
            group(c.signatures_invalid)
        ),
        Verdict::NothingVerified => "NOTHING VERIFIED: no digest files were found among the inputs".to_owned(),
    };
    writeln!(out, "\nVerdict: {verdict}")
}
