//! `trailscope export`: the filtered selection as a file or on stdout.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::stats::finish;
use super::{exit_leaving_store, load, selection, InputArgs};
use crate::export::atomic::write_file;
use crate::export::manifest::{manifest_json, manifest_path};
use crate::export::{write_selection_until, ExportFormat};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// `{"Records":[…]}`, each event's original bytes, in time order
    Records,
    /// one original event per line
    Ndjson,
    /// the console Event-history columns + identity ARN and error message
    Csv,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "records")]
    pub format: FormatArg,
    /// Output file (`-` or absent: stdout). A name ending in `.gz` is gzip-compressed.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Also write FILE.manifest.json: filter, time, version, counts, input SHA-256s.
    #[arg(long)]
    pub manifest: bool,
}

pub fn run(args: &ExportArgs) -> ExitCode {
    let format = match args.format {
        FormatArg::Records => ExportFormat::Records,
        FormatArg::Ndjson => ExportFormat::Ndjson,
        FormatArg::Csv => ExportFormat::Csv,
    };
    let output = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    if args.manifest && output.is_none() {
        eprintln!("trailscope: --manifest needs an output file (-o FILE)");
        return ExitCode::from(2);
    }
    let filter = match args.input.parsed_filter() {
        Ok(f) => f,
        Err(code) => return code,
    };
    // Refuse before loading (not after minutes of work), and before writing anything, so
    // a refused manifest never leaves an export behind.
    if let Some(path) = output {
        let manifest = args.manifest.then(|| manifest_path(path));
        for p in std::iter::once(path.clone()).chain(manifest) {
            if !args.force && p.exists() {
                eprintln!("trailscope: {} already exists (use --force to replace it)", p.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let store = load(&args.input, args.manifest);
    let code = finish(&store);
    if store.is_empty() {
        return code;
    }
    let selected = match selection(&store, &filter, &args.input) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut progress = progress_reporter(selected.len() as u64);
    // From here on SIGINT/SIGTERM/SIGHUP stop the export between chunks, so the atomic
    // file is dropped (its temporary removed) instead of the process dying mid-write and
    // leaving the temporary behind. A second signal ends the process at once.
    let stop = interrupt_flag();
    let result = match output {
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::with_capacity(1 << 20, stdout.lock());
            write_selection_until(&store, &selected, format, &mut out, &mut progress, &stop).and_then(|()| out.flush())
        }
        Some(path) => {
            write_file(path, args.force, |out| {
                write_selection_until(&store, &selected, format, out, &mut progress, &stop)
            })
            .and_then(|()| {
                if args.manifest {
                    // The canonical form (CloudTrail names, absolute UTC times) reproduces the
                    // selection later; what was typed is kept beside it.
                    let typed = args.input.filter.as_deref().unwrap_or("");
                    let canonical = format!("{filter:#}");
                    let m = manifest_json(&store, &canonical, typed, format, path, selected.len() as u64);
                    let text = serde_json::to_vec_pretty(&m).map_err(io::Error::other)?;
                    write_file(&manifest_path(path), args.force, |out| out.write_all(&text))?;
                }
                Ok(())
            })
        }
    };
    progress(u64::MAX);
    let code = match result {
        Ok(()) => {
            if let Some(path) = output {
                eprintln!("trailscope: wrote {} events to {}", selected.len(), path.display());
            }
            code
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => {
            eprintln!("trailscope: export interrupted: nothing was written");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("trailscope: export failed: {e}");
            ExitCode::FAILURE
        }
    };
    exit_leaving_store(store, code)
}

/// A flag set by SIGINT, SIGTERM or SIGHUP (the second one terminates at once).
fn interrupt_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        // Order matters: the conditional shutdown sees the flag before this signal sets it.
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone());
        let _ = signal_hook::flag::register(sig, flag.clone());
    }
    flag
}

/// A progress callback drawing on stderr when it is a terminal; `u64::MAX` clears it.
fn progress_reporter(total: u64) -> impl FnMut(u64) {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("exporting [{bar:30}] {pos}/{len} events ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    move |done| {
        if let Some(bar) = &bar {
            if done == u64::MAX {
                bar.finish_and_clear();
            } else {
                bar.set_position(done);
            }
        }
    }
}
