//! Fuzzy search benchmark (issue: fuzzy search). Not a test: `bench/search.sh` runs it, or
//! `cargo run --release --example bench_search -- bench-data/corpus-1m [LINES_FILE]`.
//! With `--lines-only`, it only writes LINES_FILE (bench/tui.sh's fzf peer uses it).
//!
//! Loads the corpus once, builds the summary line of every event (timed), writes them to
//! LINES_FILE for fzf, then for each standard query and each matcher engine measures, through
//! the real `SearchWorker` on the whole time-ordered selection: the time from `submit` to
//! the first update and to the complete ranking (medians of [`RUNS`], lines cached as they
//! are while a user types), beside `fzf --filter QUERY < LINES_FILE > /dev/null` (median of
//! [`RUNS`]) in the same run. Also the first query on a fresh selection, when the summary
//! lines are built on the fly.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use trailscope::ingest::{load_into, LoadOptions};
use trailscope::query::search::{MatcherKind, SearchOptions, SearchOrder, SearchRequest, SearchUpdate, SearchWorker};
use trailscope::query::summary::summary_lines;
use trailscope::store::Store;

const RUNS: usize = 5;

/// The standard queries: an error code typed loosely, an abbreviated API call plus a
/// service, and an API name (upper case: matched case-sensitively) with an IP prefix.
/// bench/tui.sh uses the same three.
const QUERIES: [&str; 3] = ["accessdenied", "gtobj s3", "AssumeRole 38.140"];

/// Typed one character at a time, each keystroke waited for, with incremental refinement.
const TYPED: &str = "AssumeRole 38.140";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// Submits one request and waits for its complete update: (first update, complete, hits).
fn timed_search(
    worker: &SearchWorker,
    rx: &Receiver<SearchUpdate>,
    generation: &mut u64,
    query: &str,
    selection: &Arc<Vec<u32>>,
    order: SearchOrder,
) -> (Duration, Duration, usize) {
    *generation += 1;
    let t = Instant::now();
    worker.submit(SearchRequest {
        generation: *generation,
        query: query.into(),
        selection: Arc::clone(selection),
        order,
    });
    let mut first = None;
    loop {
        let update = rx.recv().expect("search worker alive");
        if update.generation != *generation {
            continue;
        }
        first.get_or_insert_with(|| t.elapsed());
        if update.complete {
            return (first.unwrap(), t.elapsed(), update.hits.len());
        }
    }
}

/// fzf's median time over the lines file and its number of matches; `None` without fzf.
fn fzf(query: &str, lines: &PathBuf) -> Option<(Duration, usize)> {
    let run = |out: Stdio| {
        let t = Instant::now();
        let output = Command::new("fzf")
            .args(["--filter", query])
            .stdin(std::fs::File::open(lines).ok()?)
            .stdout(out)
            .output()
            .ok()?;
        Some((t.elapsed(), output.stdout))
    };
    let (_, out) = run(Stdio::piped())?;
    let matches = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
    let times: Option<Vec<Duration>> = (0..RUNS).map(|_| run(Stdio::null()).map(|(d, _)| d)).collect();
    Some((median(times?), matches))
}

fn main() {
    let lines_only = std::env::args().any(|a| a == "--lines-only");
    let mut args = std::env::args().skip(1).filter(|a| a != "--lines-only");
    let corpus: PathBuf = args.next().unwrap_or_else(|| "bench-data/corpus-1m".into()).into();
    let lines_file: PathBuf =
        args.next().map_or_else(|| std::env::temp_dir().join("trailscope-search-lines.txt"), PathBuf::from);
    let store = Arc::new(RwLock::new(Store::new()));
    let t = Instant::now();
    load_into(&store, &LoadOptions::new(vec![corpus]), None);
    let selection: Arc<Vec<u32>> = Arc::new(store.read().unwrap().time_order().to_vec());
    eprintln!("loaded {} events in {:.2} s", selection.len(), t.elapsed().as_secs_f64());

    let t = Instant::now();
    let lines = summary_lines(&store.read().unwrap(), &selection);
    let build = t.elapsed();
    let bytes: usize = lines.iter().map(String::len).sum();
    let distinct: std::collections::HashSet<&String> = lines.iter().collect();
    let distinct_bytes: usize = distinct.iter().map(|l| l.len()).sum();
    let distinct = distinct.len();
    std::fs::write(&lines_file, lines.iter().flat_map(|l| [l.as_str(), "\n"]).collect::<String>())
        .expect("write the lines file");
    drop(lines);
    if lines_only {
        eprintln!("wrote {} summary lines to {}", selection.len(), lines_file.display());
        return;
    }
    println!(
        "summary lines of {} events: built in {} ms on one thread; {:.1} MB ({:.0} bytes/line); {} distinct \
         ({:.1} MB): the search's line cache holds ≈ {:.1} MB (distinct text + 12 bytes/row); written to {}",
        selection.len(),
        ms(build),
        bytes as f64 / 1e6,
        bytes as f64 / selection.len().max(1) as f64,
        distinct,
        distinct_bytes as f64 / 1e6,
        (distinct_bytes + 12 * selection.len()) as f64 / 1e6,
        lines_file.display()
    );
    println!();

    // Every query from scratch (no refinement of the previous one), one worker per engine.
    let workers: Vec<(MatcherKind, SearchWorker, Receiver<SearchUpdate>)> = MatcherKind::ALL
        .into_iter()
        .map(|kind| {
            let options = SearchOptions { matcher: kind, incremental: false, ..Default::default() };
            let (worker, rx) = SearchWorker::with_options(Arc::clone(&store), options);
            (kind, worker, rx)
        })
        .collect();
    let mut generation = 0;
    // The first query on a fresh selection: summary lines are built during the search.
    let mut cold = Vec::new();
    for (kind, worker, rx) in &workers {
        let (first, complete, _) =
            timed_search(worker, rx, &mut generation, QUERIES[0], &selection, SearchOrder::BestMatch);
        cold.push((*kind, first, complete));
    }

    println!(
        "| query | matcher | matches | first update ms | complete ms (best match) | complete ms (time order) | \
         fzf matches | fzf --filter ms | complete / fzf |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut fzf_missing = false;
    for query in QUERIES {
        // fzf first, then each engine, query by query, so that they share the machine's mood.
        let fzf = fzf(query, &lines_file);
        fzf_missing |= fzf.is_none();
        for (kind, worker, rx) in &workers {
            let mut firsts = Vec::new();
            let mut completes = Vec::new();
            let mut times = Vec::new();
            let mut matches = 0;
            for _ in 0..RUNS {
                let (f, c, n) = timed_search(worker, rx, &mut generation, query, &selection, SearchOrder::BestMatch);
                firsts.push(f);
                completes.push(c);
                matches = n;
                let (_, c, _) = timed_search(worker, rx, &mut generation, query, &selection, SearchOrder::Time);
                times.push(c);
            }
            let complete = median(completes);
            let (fzf_matches, fzf_ms, ratio) = match fzf {
                Some((d, n)) => (n.to_string(), ms(d), format!("{:.2}", complete.as_secs_f64() / d.as_secs_f64())),
                None => (String::new(), String::new(), String::new()),
            };
            println!(
                "| `{query}` | {} | {matches} | {} | {} | {} | {fzf_matches} | {fzf_ms} | {ratio} |",
                kind.name(),
                ms(median(firsts)),
                ms(complete),
                ms(median(times)),
            );
        }
    }
    if fzf_missing {
        println!();
        println!("fzf not found (install it: apt-get install -y fzf); its columns are empty");
    }
    drop(workers);
    println!();
    println!("First query (`{}`) on a fresh selection, summary lines built during the search:", QUERIES[0]);
    println!();
    println!("| matcher | first update ms | complete ms |");
    println!("|---|---:|---:|");
    for (kind, first, complete) in cold {
        println!("| {} | {} | {} |", kind.name(), ms(first), ms(complete));
    }

    // Typing: each keystroke refines the previous query on the same (cached) selection.
    println!();
    println!("Typing `{TYPED}` one character at a time (best-match order, default options: incremental):");
    println!();
    println!("| matcher | first keystroke ms | median of the rest ms | slowest of the rest ms | matches at the end |");
    println!("|---|---:|---:|---:|---:|");
    for kind in MatcherKind::ALL {
        let options = SearchOptions { matcher: kind, ..Default::default() };
        let (worker, rx) = SearchWorker::with_options(Arc::clone(&store), options);
        let mut generation = 0;
        // Warm the line cache with an unrelated query first.
        timed_search(&worker, &rx, &mut generation, "zzzz", &selection, SearchOrder::BestMatch);
        let mut times = Vec::new();
        let mut matches = 0;
        for end in TYPED.char_indices().map(|(i, c)| i + c.len_utf8()) {
            let (_, complete, n) =
                timed_search(&worker, &rx, &mut generation, &TYPED[..end], &selection, SearchOrder::BestMatch);
            times.push(complete);
            matches = n;
        }
        let first = times.remove(0);
        let slowest = times.iter().max().copied().unwrap_or_default();
        println!("| {} | {} | {} | {} | {matches} |", kind.name(), ms(first), ms(median(times)), ms(slowest));
    }
}
