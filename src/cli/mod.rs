//! The command line: argument parsing and the subcommands, as thin consumers of the core.

mod export;
mod progress;
mod stats;
pub mod timearg;
mod verify;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::RwLock;

use clap::{Args, Parser, Subcommand};

use crate::ingest::{load_into, LoadOptions, TimeWindow};
use crate::query::{matching, parse, Expr};
use crate::store::Store;

#[derive(Parser, Debug)]
#[command(name = "trailscope", version, about = "Explore AWS CloudTrail logs offline", subcommand_required = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print one JSON object (fields documented in the README).
    #[arg(long)]
    pub json: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Stats(args) => stats::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Verify(args) => verify::run(&args),
    }
}

/// Loads the inputs with a progress bar on stderr when it is a terminal.
pub fn load(input: &InputArgs, hash_inputs: bool) -> Store {
    let mut options = LoadOptions::new(input.paths.clone());
    options.hash_inputs = hash_inputs;
    if let Some(w) = input.workers {
        options.workers = w.max(1);
    }
    options.window = TimeWindow { since: input.since, until: input.until };
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

/// Ends the process without freeing the store: the OS reclaims it at once, while freeing
/// a million events' allocations one by one costs a noticeable fraction of a second.
pub fn exit_leaving_store(store: Store, code: ExitCode) -> ExitCode {
    std::mem::forget(store);
    code
}
