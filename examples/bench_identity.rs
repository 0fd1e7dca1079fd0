//! Identity-analysis benchmark (issue #5). Not a test: run with
//! `cargo run --release --example bench_identity -- bench-data/corpus-1m`. Loads the corpus
//! once, then times each analysis entry point (median of a few runs) and says how many
//! events each had to parse from their original JSON.

use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use trailscope::analysis::chains::{all_mints, key_use, provenance};
use trailscope::analysis::identities::{fill_details, group, summarize, SortKey};
use trailscope::analysis::notable::NotableEvents;
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::store::{Facet, Store};

const RUNS: usize = 3;

fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut out = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        out = Some(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[RUNS / 2], out.expect("RUNS > 0"))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let corpus: PathBuf = std::env::args().nth(1).unwrap_or_else(|| "bench-data/corpus-1m".into()).into();
    let store = RwLock::new(Store::new());
    let t = Instant::now();
    load_into(&store, &LoadOptions::new(vec![corpus]), None);
    let store: Store = store.into_inner().unwrap_or_else(|p| p.into_inner());
    eprintln!("loaded {} events in {:.2} s", store.len(), t.elapsed().as_secs_f64());
    let all = store.time_order().to_vec();

    println!("| step | result | median ms ({RUNS} runs) |");
    println!("|---|---|---:|");
    let (d, summaries) = median(|| summarize(&store, &all));
    println!("| summarize (columns only) | {} principals | {} |", summaries.len(), ms(d));
    let sessions: usize = summaries.iter().map(|s| s.sessions.len()).sum();
    let logins: usize = summaries.iter().map(|s| s.console_logins.len()).sum();
    let (d, _) = median(|| {
        let mut s = summaries.clone();
        fill_details(&store, &mut s);
        s
    });
    println!("| fill_details (parses {sessions} sessions + {logins} sign-ins) | | {} |", ms(d));
    let (d, groups) = median(|| group(&summaries, SortKey::Count));
    println!("| group | {} accounts | {} |", groups.len(), ms(d));
    let (d, notable) = median(|| NotableEvents::find(&store));
    println!("| NotableEvents::find | {} events | {} |", notable.len(), ms(d));
    let (d, mints) = median(|| all_mints(&store));
    println!("| all_mints | {} minting events | {} |", mints.len(), ms(d));
    let key = store.facet(Facet::AccessKey).iter().map(|(_, k)| k.to_owned()).find(|k| k.starts_with("ASIA"));
    if let Some(key) = key {
        let (d, chain) = median(|| provenance(&store, &key));
        println!("| provenance({key}) | {} steps | {} |", chain.steps.len(), ms(d));
        let (d, down) = median(|| key_use(&store, &key));
        println!("| key_use({key}) | {} events | {} |", down.usage.events.len(), ms(d));
    }
    std::mem::forget(store);
}
