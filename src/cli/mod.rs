//! The command line: argument parsing and the subcommands, as thin consumers of the core.

mod analysis_json;
mod export;
mod identities;
mod progress;
mod quick_exit;
mod stats;
pub mod timearg;
mod trace;
mod verify;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::RwLock;

use clap::{Args, Parser, Subcommand};

use crate::ingest::{load_into, Limits, LoadOptions, TimeWindow};
use crate::query::{matching, parse, Expr};
use crate::store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "trailscope",
    version,
    about = "Explore AWS CloudTrail logs offline",
    long_about = "Explore AWS CloudTrail logs offline.\n\nWith paths and no subcommand, opens the interactive explorer \
                  (timeline, detail, raw JSON, filters, fuzzy search, export; press ? inside for the keys). \
                  The subcommands do the same work for scripts.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub open: OpenArgs,
}

/// The explorer's own options (no subcommand).
#[derive(Args, Debug)]
pub struct OpenArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Settings file (default: config.toml in the user config directory, e.g.
    /// ~/.config/trailscope/config.toml): keys, theme, time_zone, default_filter.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load inputs and print totals, top values of the main facets, and the load report.
    Stats(StatsArgs),
    /// Write the events matching a filter as a trail file, JSON Lines or CSV.
    Export(export::ExportArgs),
    /// Check log files against CloudTrail digest files offline: modified, missing and
    /// unlisted files, the hourly digest chain, and (with keys) digest signatures.
    Verify(verify::VerifyArgs),
    /// Who is behind the events: every principal with its counts, errors, first and last
    /// seen, IPs, user agents, keys, sessions and console sign-ins, by account and kind.
    Identities(identities::IdentitiesArgs),
    /// Where an access key came from (the event that minted it, its caller, up the chain)
    /// and what was done with the keys minted; for a key, an eventID or an ARN.
    Trace(trace::TraceArgs),
}

/// What to load: shared by every subcommand that reads trail data.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Files, directories (walked recursively), archives (.zip, .tar, .tar.gz) or `-` for stdin.
    #[arg(value_name = "PATH", default_value = "-")]
    pub paths: Vec<PathBuf>,
    /// Only events at or after this time: ISO 8601 (`2024-03-01T10:00Z`, `2024-03-01`) or
    /// relative to now (`30m`, `2h`, `7d`, `1w`). Times without a zone are UTC.
    #[arg(long, value_name = "TIME", value_parser = timearg::parse_time_arg)]
    pub since: Option<i64>,
    /// Only events at or before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = timearg::parse_time_arg)]
    pub until: Option<i64>,
    /// Only events matching this filter expression (see docs/filter-language.md).
    #[arg(long, short = 'f', value_name = "EXPR", allow_hyphen_values = true)]
    pub filter: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Resource limits (hitting one is a `limit` entry in the load report; the load goes on).
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Largest decompressed size of one file or archive member (e.g. 512MiB, 4GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "4GiB", help_heading = "Limits")]
    pub max_file_size: u64,
    /// Largest single record; bigger ones are reported and skipped.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB", help_heading = "Limits")]
    pub max_record_size: u64,
    /// Most members read from one archive.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, help_heading = "Limits")]
    pub max_archive_members: usize,
    /// Largest decompressed total of the whole load; further inputs are reported, not read.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "256GiB", help_heading = "Limits")]
    pub max_total_size: u64,
    /// Longest archive member name (bytes).
    #[arg(long, value_name = "N", default_value_t = 4096, help_heading = "Limits")]
    pub max_path_length: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_record_bytes: usize::try_from(self.max_record_size).unwrap_or(usize::MAX),
            max_archive_members: self.max_archive_members,
            max_total_bytes: self.max_total_size,
            max_path_bytes: self.max_path_length,
            ..Limits::default()
        }
    }
}

/// `1234`, `64KiB`/`64K`, `512MiB`/`512M`, `4GiB`/`4G` (binary multiples), `1TiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number.parse().map_err(|_| format!("{t:?} is not a size (examples: 1048576, 512MiB, 4GiB)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        other => return Err(format!("unknown size unit {other:?} (use K, M, G or T)")),
    };
    n.checked_mul(1 << shift).ok_or_else(|| format!("{t:?} is too large"))
}

impl InputArgs {
    /// The parsed filter; a syntax error is printed with a caret under its position.
    pub fn parsed_filter(&self) -> Result<Expr, ExitCode> {
        let text = self.filter.as_deref().unwrap_or("");
        parse(text, chrono::Utc::now().timestamp_millis()).map_err(|e| {
            eprintln!("trailscope: invalid --filter:\n{}", e.render(text));
            ExitCode::from(2)
        })
    }
}

/// The events matching `filter` and the --since/--until window, in time order.
pub fn selection(store: &Store, filter: &Expr, input: &InputArgs) -> Result<Vec<u32>, ExitCode> {
    let window = store.time_range(input.since, input.until);
    if matches!(filter, Expr::All) {
        return Ok(window.to_vec());
    }
    let bits = matching(store, filter).map_err(|e| {
        eprintln!("trailscope: {e}");
        ExitCode::from(2)
    })?;
    Ok(window.iter().copied().filter(|&e| bits.contains(e)).collect())
}

/// Parses the filter, loads the inputs and selects: how every reporting subcommand starts.
pub fn load_selected(input: &InputArgs) -> Result<(Store, Vec<u32>), ExitCode> {
    let filter = input.parsed_filter()?;
    let store = load(input, false);
    let selected = selection(&store, &filter, input)?;
    Ok((store, selected))
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print one JSON object (fields documented in the README).
    #[arg(long)]
    pub json: bool,
}

pub fn main() -> ExitCode {
    let started = std::time::Instant::now();
    crate::ingest::isolate::install_panic_hook();
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Stats(args)) => stats::run(&args),
        Some(Command::Export(args)) => export::run(&args),
        Some(Command::Verify(args)) => verify::run(&args),
        Some(Command::Identities(args)) => identities::run(&args),
        Some(Command::Trace(args)) => trace::run(&args),
        None => open(&cli.open, started),
    };
    quick_exit::leave_memory_to_holder();
    code
}

/// `trailscope [PATH…]`: the explorer.
fn open(args: &OpenArgs, started: std::time::Instant) -> ExitCode {
    let stdin_only = args.input.paths.iter().all(|p| p.as_os_str() == "-");
    if stdin_only && std::io::stdin().is_terminal() {
        eprintln!(
            "trailscope: nothing to open. Give files, directories or archives, e.g.\n  trailscope assets/demo\n\
             or pipe events in (zcat x.json.gz | trailscope). See trailscope --help."
        );
        return ExitCode::from(2);
    }
    // --filter opens as the explorer's initial filter (editable, undoable).
    if let Err(code) = args.input.parsed_filter() {
        return code;
    }
    let options = load_options(&args.input, false);
    crate::tui::run(options, args.config.as_deref(), args.input.filter.as_deref(), started)
}

/// The load options of `input`.
pub fn load_options(input: &InputArgs, hash_inputs: bool) -> LoadOptions {
    let mut options = LoadOptions::new(input.paths.clone());
    options.hash_inputs = hash_inputs;
    if let Some(w) = input.workers {
        options.workers = w.max(1);
    }
    options.window = TimeWindow { since: input.since, until: input.until };
    options.limits = input.limits.limits();
    options
}

/// Loads the inputs with a progress bar on stderr when it is a terminal.
pub fn load(input: &InputArgs, hash_inputs: bool) -> Store {
    let options = load_options(input, hash_inputs);
    let store = RwLock::new(Store::new());
    if std::io::stderr().is_terminal() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(move || progress::follow(rx));
            load_into(&store, &options, Some(tx));
        });
    } else {
        load_into(&store, &options, None);
    }
    store.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// How a reporting subcommand ends once its output is written: a closed pipe (`| head`)
/// is not an error, any other write error is; then the load's warnings and exit status.
pub fn conclude(store: Store, written: std::io::Result<()>) -> ExitCode {
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("trailscope: cannot write output: {e}");
            return exit_leaving_store(store, ExitCode::FAILURE);
        }
    }
    let code = stats::finish(&store);
    exit_leaving_store(store, code)
}

/// Ends the process without freeing the store: the OS reclaims it at once, while freeing
/// a million events' allocations one by one costs a noticeable fraction of a second.
pub fn exit_leaving_store(store: Store, code: ExitCode) -> ExitCode {
    std::mem::forget(store);
    code
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1234"), Ok(1234));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert!(parse_size("4 parsecs").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
