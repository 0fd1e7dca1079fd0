//! `trailscope stats`: totals, top facet values and the load report, as text or JSON.

use crate::ingest::report::{group, problem_line};
use std::io::Write;
use std::process::ExitCode;

use serde_json::{json, Value};

use super::{conclude, load_selected, StatsArgs};
use crate::model::identity::short_label;
use crate::model::time::format_utc;
use crate::sanitize::{sanitize, terminal_safe_json};
use crate::store::{Facet, Store, NONE};

const TOP_N: usize = 10;

/// The facets `stats` ranks, with their headings.
const TOP_FACETS: [(Facet, &str); 6] = [
    (Facet::EventName, "event names"),
    (Facet::EventSource, "event sources"),
    (Facet::Principal, "identities"),
    (Facet::SourceIp, "source IPs"),
    (Facet::Region, "regions"),
    (Facet::ErrorCode, "error codes"),
];

pub fn run(args: &StatsArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let (store, selection) = match load_selected(&args.input) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let selection = selection.as_slice();
    let out = std::io::stdout();
    let mut out = out.lock();
    let written = if args.json {
        terminal_safe_json(&to_json(&store, selection))
            .map_err(std::io::Error::other)
            .and_then(|text| writeln!(out, "{text}"))
    } else {
        write_text(&mut out, &store, selection, started.elapsed())
    };
    conclude(store, written)
}

/// Exit status and stderr summary shared by the subcommands that load data.
pub fn finish(store: &Store) -> ExitCode {
    let r = &store.report;
    if store.is_empty() {
        let detail =
            if r.digests > 0 { format!(" ({} digest files, which hold no events)", r.digests) } else { String::new() };
        if r.files > 0 && r.files_failed == 0 && r.digests == 0 {
            // Every file read cleanly: empty trail files (`{"Records":[]}`), which
            // CloudTrail writes for quiet periods. Still non-zero: there is nothing to show.
            eprintln!("trailscope: no events: the {} files read are valid but hold no events", r.files);
            return ExitCode::FAILURE;
        }
        eprintln!("trailscope: no events could be loaded from {} files{detail}", r.files);
        for p in r.problems.iter().take(10) {
            eprintln!("  {}", problem_line(p));
        }
        return ExitCode::FAILURE;
    }
    if r.files_failed > 0 {
        eprintln!(
            "trailscope: warning: {} of {} files had problems ({} records salvaged); see the load report",
            r.files_failed, r.files, r.salvaged
        );
    }
    ExitCode::SUCCESS
}

/// `(value, count)` for the most frequent values of `facet` among `selection`.
pub fn top_values<'s>(store: &'s Store, selection: &[u32], facet: Facet, n: usize) -> Vec<(&'s str, u64)> {
    let index = store.facet(facet);
    let mut counts = vec![0u64; index.len()];
    let column = store.column(facet);
    let mut count = |id: u32| {
        if id != NONE {
            counts[id as usize] += 1;
        }
    };
    if selection.len() == store.len() {
        // Every event: read the column in order rather than at the selection's (time
        // order's) scattered positions, a cache miss each on a large store.
        column.iter().copied().for_each(&mut count);
    } else {
        selection.iter().for_each(|&e| count(column.get(e as usize).copied().unwrap_or(NONE)));
    }
    let mut ranked: Vec<(u32, u64)> =
        counts.into_iter().enumerate().filter(|(_, c)| *c > 0).map(|(i, c)| (i as u32, c)).collect();
    let order = |a: &(u32, u64), b: &(u32, u64)| b.1.cmp(&a.1).then_with(|| index.value(a.0).cmp(&index.value(b.0)));
    // Only the first `n` are shown: select them, then sort just those (a facet such as
    // source IPs has many thousands of values).
    if ranked.len() > n && n > 0 {
        ranked.select_nth_unstable_by(n - 1, order);
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(order);
    ranked.into_iter().take(n).filter_map(|(id, c)| Some((index.value(id)?, c))).collect()
}

fn time_bounds(store: &Store, selection: &[u32]) -> (Option<i64>, Option<i64>) {
    let timed: Vec<i64> = [selection.first(), selection.iter().rev().find(|&&e| store.time(e).is_some())]
        .into_iter()
        .flatten()
        .filter_map(|&e| store.time(e))
        .collect();
    (timed.first().copied(), timed.last().copied())
}

fn to_json(store: &Store, selection: &[u32]) -> Value {
    let r = &store.report;
    let (first, last) = time_bounds(store, selection);
    let mut top = serde_json::Map::new();
    for (facet, _) in TOP_FACETS {
        let key = facet.name();
        let values: Vec<Value> = top_values(store, selection, facet, TOP_N)
            .into_iter()
            .map(|(v, c)| json!({"value": v, "count": c}))
            .collect();
        top.insert(key.to_owned(), Value::Array(values));
    }
    json!({
        "events": selection.len(),
        "records": r.records,
        "duplicates": r.duplicates,
        "id_collisions": r.id_collisions,
        "files": r.files,
        "files_failed": r.files_failed,
        "files_skipped": r.files_skipped,
        "digests": r.digests,
        "untimed": r.untimed,
        "partial": r.partial,
        "salvaged": r.salvaged,
        "bytes_read": r.bytes_read,
        "time_range": {"first": first.and_then(format_utc), "last": last.and_then(format_utc)},
        "top": top,
        "report": r.problems,
    })
}

fn write_text(
    out: &mut impl Write,
    store: &Store,
    selection: &[u32],
    took: std::time::Duration,
) -> std::io::Result<()> {
    let r = &store.report;
    let (first, last) = time_bounds(store, selection);
    writeln!(
        out,
        "{} events from {} files ({} failed, {} skipped by time) in {:.2} s",
        group(selection.len() as u64),
        group(r.files),
        group(r.files_failed),
        group(r.files_skipped),
        took.as_secs_f64()
    )?;
    writeln!(
        out,
        "  {} records read, {} duplicates dropped, {} eventID collisions kept, {} digests, {} untimed, {} partial, {} salvaged",
        group(r.records),
        group(r.duplicates),
        group(r.id_collisions),
        group(r.digests),
        group(r.untimed),
        group(r.partial),
        group(r.salvaged)
    )?;
    match (first.and_then(format_utc), last.and_then(format_utc)) {
        (Some(a), Some(b)) => writeln!(out, "  time range {a} … {b}")?,
        _ => writeln!(out, "  no timed events")?,
    }
    for (facet, heading) in TOP_FACETS {
        let top = top_values(store, selection, facet, TOP_N);
        if top.is_empty() {
            continue;
        }
        writeln!(out, "\nTop {heading}:")?;
        for (value, count) in top {
            let shown = if facet == Facet::Principal {
                format!("{}  ({})", short_label(value), value)
            } else {
                value.to_owned()
            };
            writeln!(out, "  {:>10}  {}", group(count), sanitize(&shown))?;
        }
    }
    if !r.problems.is_empty() {
        writeln!(out, "\nLoad report ({} problems):", r.problems.len())?;
        for p in &r.problems {
            writeln!(out, "  {}", problem_line(p))?;
        }
    }
    Ok(())
}
