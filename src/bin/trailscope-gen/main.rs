//! `trailscope-gen`: a deterministic generator of realistic CloudTrail trail archives,
//! for demos, tests and benchmarks (same arguments and seed → byte-identical output).
//!
//! This file owns the command line and the top-level loop: build the organisation
//! (`identities`), split the event budget over 5-minute windows (`traffic`), render
//! routine events window by window, weave in the scripted attack (`incident`), hand
//! every record to the `writer` (S3 layout + gzip), optionally write the hourly digest
//! chain for the files written (`digests`), and report what was written.
//!
//! Randomness is split into independent keyed streams (accounts, traffic, writer, digests,
//! incident) so that, for instance, the first account's users and keys are the same
//! whatever `--accounts` says.

mod catalog;
mod clock;
mod digests;
mod event;
mod identities;
mod incident;
mod json;
mod params;
mod rng;
mod traffic;
mod writer;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::Parser;

use crate::clock::WINDOW_SECS;
use crate::rng::Rng;

/// Generate a realistic, deterministic CloudTrail trail archive (S3 layout, .json.gz).
#[derive(Parser, Debug)]
#[command(name = "trailscope-gen", version)]
struct Args {
    /// Output folder; AWSLogs/… and .trailscope-gen.json are written inside it.
    #[arg(long)]
    out: PathBuf,
    /// Unique events to generate (re-delivered duplicates come on top).
    #[arg(long, default_value_t = 5000)]
    events: u64,
    /// Seed; the same seed and arguments give byte-identical output.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Weave a credential-compromise incident into the first account.
    #[arg(long)]
    incident: bool,
    /// Number of AWS accounts in the organisation.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    accounts: u32,
    /// Start of the covered period (RFC 3339, UTC).
    #[arg(long, default_value = "2026-11-02T00:00:00Z")]
    start: String,
    /// Length of the covered period in days.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=366))]
    days: u32,
    /// Replace an existing OUT/AWSLogs folder instead of refusing.
    #[arg(long)]
    force: bool,
    /// Also write the hourly CloudTrail-Digest files (log file validation) for the files written.
    #[arg(long)]
    digests: bool,
    /// Sign the digests with this RSA private key (PEM) and write the signatures to
    /// OUT/digest-signatures.txt (the format of `trailscope verify --signatures`).
    #[arg(long, value_name = "PEM", requires = "digests")]
    sign_key: Option<PathBuf>,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("trailscope-gen: error: {e:#}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<()> {
    let began = Instant::now();
    let start = chrono::DateTime::parse_from_rfc3339(&args.start)
        .with_context(|| format!("--start {:?} is not an RFC 3339 time", args.start))?
        .timestamp();
    let start = start - start.rem_euclid(WINDOW_SECS);
    let span = i64::from(args.days) * 86_400;
    let windows = (span / WINDOW_SECS) as usize;

    let logs = args.out.join("AWSLogs");
    if logs.exists() {
        if !args.force {
            bail!("{} already exists; remove it or pass --force to replace it", logs.display());
        }
        std::fs::remove_dir_all(&logs).with_context(|| format!("removing {}", logs.display()))?;
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let signer = args.sign_key.as_deref().map(digests::Signer::load).transpose()?;
    let signatures = args.out.join(digests::SIGNATURES_FILE);
    if args.digests && signatures.exists() {
        std::fs::remove_file(&signatures).with_context(|| format!("removing {}", signatures.display()))?;
    }

    let seed = args.seed;
    let accounts: Vec<_> = (0..args.accounts as usize)
        .map(|i| identities::build_account(i, &mut Rng::keyed(seed, &["account", &i.to_string()])))
        .collect();

    let (incident_events, summary) = if args.incident {
        let t0 = incident::start_time(start, span);
        if t0 + incident::DURATION > start + span {
            bail!("the period is too short for --incident");
        }
        let (events, summary) = incident::build(&accounts[0], t0, &mut Rng::keyed(seed, &["incident"]));
        (events, Some(summary))
    } else {
        (Vec::new(), None)
    };
    let routine = args
        .events
        .checked_sub(incident_events.len() as u64)
        .with_context(|| format!("--incident needs at least {} events", incident_events.len()))?;

    let mut traffic_rng = Rng::keyed(seed, &["traffic"]);
    let counts = traffic::window_counts(start, windows, routine, &mut traffic_rng);
    let mut traffic = traffic::Traffic::new(seed, &accounts);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut writer = writer::Writer::new(
        &args.out,
        accounts.iter().map(|a| a.id.clone()).collect(),
        start,
        Rng::keyed(seed, &["writer"]),
        threads,
        args.digests,
    )?;

    let mut incident_iter = incident_events.into_iter().peekable();
    for (w, &n) in counts.iter().enumerate() {
        let w = w as i64;
        let ws = start + w * WINDOW_SECS;
        for _ in 0..n {
            let g = traffic.event(ws, &mut traffic_rng);
            writer.add(w, g.account, g.region, g.time, g.json);
        }
        while let Some(e) = incident_iter.next_if(|e| e.time < ws + WINDOW_SECS) {
            writer.add(w, 0, e.region, e.time, e.json);
        }
        writer.flush_through(w)?;
    }
    let (stats, delivered) = writer.finish()?;
    let digest_stats = match &delivered {
        Some(files) => {
            let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
            let mut rng = Rng::keyed(seed, &["digests"]);
            Some(digests::write(&args.out, &ids, files, start + span, signer.as_ref(), &mut rng)?)
        }
        None => None,
    };

    let incident_json = summary.as_ref().map(|s| s.to_json());
    let report = json::object(|o| {
        o.num("events", args.events as i64)
            .num("duplicate_copies", stats.duplicate_copies as i64)
            .num("files", stats.files as i64)
            .num("json_bytes", stats.json_bytes as i64)
            .num("gz_bytes", stats.gz_bytes as i64)
            .num("seed", seed as i64)
            .num("records", stats.records as i64)
            .str("start", &clock::iso(start))
            .str("end", &clock::iso(start + span))
            .arr("accounts", |a| {
                for acct in &accounts {
                    a.str(&acct.id);
                }
            })
            .raw("incident", incident_json.as_deref());
        if let Some(d) = &digest_stats {
            o.num("digests", d.digests as i64).num("digest_chains", d.chains as i64).bool("signed", signer.is_some());
        }
    });
    let report_path = args.out.join(".trailscope-gen.json");
    std::fs::write(&report_path, format!("{report}\n"))
        .with_context(|| format!("writing {}", report_path.display()))?;

    if let Some(s) = &summary {
        eprintln!(
            "trailscope-gen: incident in account {}: {} ({}) used from {} at {}; {} events until {}",
            s.account,
            s.compromised_user,
            s.compromised_key,
            s.ip,
            clock::iso(s.first),
            s.events,
            clock::iso(s.last)
        );
    }
    if let Some(d) = &digest_stats {
        eprintln!(
            "trailscope-gen: {} digest files in {} chains{}",
            d.digests,
            d.chains,
            if signer.is_some() { format!(", signed; signatures in {}", signatures.display()) } else { String::new() }
        );
    }
    eprintln!(
        "trailscope-gen: {} events written (+{} duplicate copies), {} files, {} JSON bytes ({:.1} MB), {} gzip bytes ({:.1} MB), seed {}, {:.1}s",
        args.events,
        stats.duplicate_copies,
        stats.files,
        stats.json_bytes,
        stats.json_bytes as f64 / 1e6,
        stats.gz_bytes,
        stats.gz_bytes as f64 / 1e6,
        seed,
        began.elapsed().as_secs_f64()
    );
    Ok(())
}
