//! Query and export benchmark (issue: filter language + export). Not a test: run with
//! `cargo run --release --example bench_query -- bench-data/corpus-1m` (bench/query.sh
//! runs it beside the jq and gzip peers). Loads the corpus once, then reports the median
//! of repeated runs of each filter, and the time to export a 100k-event selection.

use std::io::Write;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use trailscope::export::{write_selection, ExportFormat};
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::query::{parse, select};
use trailscope::store::Store;

const RUNS: usize = 15;

/// The filters measured: (kind, expression).
const FILTERS: [(&str, &str); 6] = [
    ("single facet", "name:GetObject"),
    ("three-term AND", "source:s3.amazonaws.com region:us-east-1 readOnly:true"),
    ("OR of two facets", "name:PutObject OR error:AccessDenied"),
    ("negation", "NOT error:*"),
    ("wildcard facet", "name:Describe*"),
    ("bare word", "boto3"),
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let corpus: PathBuf = std::env::args().nth(1).unwrap_or_else(|| "bench-data/corpus-1m".into()).into();
    let store = RwLock::new(Store::new());
    let t = Instant::now();
    load_into(&store, &LoadOptions::new(vec![corpus]), None);
    let store = store.into_inner().unwrap();
    eprintln!("loaded {} events in {:.2} s", store.len(), t.elapsed().as_secs_f64());
    let now = chrono::Utc::now().timestamp_millis();

    println!("| filter | expression | matches | median ms ({RUNS} runs) |");
    println!("|---|---|---:|---:|");
    for (kind, text) in FILTERS {
        let mut times = Vec::new();
        let mut matches = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let expr = parse(text, now).expect("benchmark filters parse");
            let selection = select(&store, &expr).expect("benchmark filters evaluate");
            times.push(t.elapsed());
            matches = selection.len();
        }
        println!("| {kind} | `{text}` | {matches} | {:.2} |", median(times).as_secs_f64() * 1e3);
    }

    // A 100k selection spread over the whole time range (every 10th event), the worst case
    // for reading raw bytes: it touches almost every input file.
    let all = store.time_order();
    let selection: Vec<u32> = all.iter().step_by(all.len().div_ceil(100_000).max(1)).take(100_000).copied().collect();
    let dir = std::env::temp_dir();
    let ndjson = dir.join("trailscope-bench-100k.ndjson");
    let gz = dir.join("trailscope-bench-100k.json.gz");
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut out = std::io::BufWriter::new(std::fs::File::create(&ndjson).unwrap());
        write_selection(&store, &selection, ExportFormat::Ndjson, &mut out, &mut |_| {}).unwrap();
        out.flush().unwrap();
        times.push(t.elapsed());
    }
    let ndjson_time = median(times);
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let file = std::io::BufWriter::new(std::fs::File::create(&gz).unwrap());
        let mut enc = GzEncoder::new(file, Compression::default());
        write_selection(&store, &selection, ExportFormat::Records, &mut enc, &mut |_| {}).unwrap();
        enc.finish().unwrap().flush().unwrap();
        times.push(t.elapsed());
    }
    let gz_time = median(times);
    println!();
    println!("| export of {} events | median s (3 runs) | bytes |", selection.len());
    println!("|---|---:|---:|");
    println!("| ndjson | {:.3} | {} |", ndjson_time.as_secs_f64(), std::fs::metadata(&ndjson).unwrap().len());
    println!("| records .json.gz | {:.3} | {} |", gz_time.as_secs_f64(), std::fs::metadata(&gz).unwrap().len());
    eprintln!("ndjson kept at {} for the gzip -c peer", ndjson.display());
}
