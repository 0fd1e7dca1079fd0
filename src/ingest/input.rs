//! Decoding one input's content into records and appending them to the store, with the
//! load report entries for whatever was wrong with it.

use std::time::Instant;

use super::discover::{Decoded, Discovery};
use super::isolate::isolated;
use super::limits::Limits;
use super::pipeline::{LoadEvent, Loader};
use super::report::{DecodeProblem, Problem, ProblemKind};
use super::text::decode_text;
use crate::store::{PreparedBatch, PreparedRaw};

/// Decodes one input's content: the records, digests and every problem for the report
/// (`container_problem`, the damage that cut a gzip or archive stream, first). The load
/// appends the result; tests and the fuzz targets call this directly.
pub fn decode_input<'a>(data: &'a [u8], limits: &Limits, container_problem: Option<DecodeProblem>) -> Decoded<'a> {
    let mut d = Discovery::new(data, limits);
    let first = data.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    // A stream cut short (truncated or corrupt gzip, size limit) also makes the JSON end
    // early: the container's entry says it all, and what was read before counts as salvaged.
    let stream_cut = container_problem.is_some();
    let mut problems: Vec<DecodeProblem> = container_problem.into_iter().collect();
    match first.map(|i| data[i]) {
        None if problems.is_empty() => problems.push(DecodeProblem::new(ProblemKind::Empty, "the file is empty", None)),
        None => {}
        Some(b'{' | b'[' | b'"') => d.document(0),
        Some(_) if !decode_text(&mut d) => problems.push(DecodeProblem::new(
            ProblemKind::NotCloudtrail,
            "not CloudTrail: neither JSON nor a known CloudTrail text format (Event-history CSV, CloudWatch export lines, space-delimited lines)",
            None,
        )),
        Some(_) => {}
    }
    let mut decoded = d.out;
    problems.extend(decoded.problems.drain(..).filter(|p| !(stream_cut && p.kind == ProblemKind::InvalidJson)));
    if decoded.records.is_empty() && decoded.digests == 0 && decoded.empty_documents == 0 && problems.is_empty() {
        let message = match decoded.lookalike {
            Some(why) => format!("not CloudTrail: {why}"),
            None => "not CloudTrail: valid JSON, but no CloudTrail records in it".to_owned(),
        };
        problems.push(DecodeProblem::new(ProblemKind::NotCloudtrail, message, None));
    }
    decoded.problems = problems;
    decoded
}

/// Decodes one input's content and appends what it holds. `gzip` is the input's original
/// compressed bytes when `data` is their clean decompression (kept as the raw blob).
pub fn decode_and_append(
    loader: &Loader<'_>,
    name: &str,
    data: &[u8],
    gzip: Option<Box<[u8]>>,
    container_problem: Option<DecodeProblem>,
) {
    let stream_cut = container_problem.is_some();
    // Decoding and preparing touch no shared state: a bug met there costs this input only.
    let prepared = isolated(|| {
        #[cfg(test)]
        tests::panic_if_asked(name);
        let decoded = decode_input(data, &loader.limits, container_problem);
        let raw = PreparedRaw::build(&decoded.records, data, gzip);
        let found = decoded.records.len() as u64;
        let mut batch = PreparedBatch::new(name, data, decoded.records, raw, loader.generation);
        batch.recall_known();
        (batch, found, decoded.problems, decoded.digests)
    });
    let (mut batch, found, problems, digests) = match prepared {
        Ok(prepared) => prepared,
        Err(panic) => {
            let message = format!(
                "trailscope failed while reading this input (an internal error: {panic}); none of its events were loaded. Please report it"
            );
            return report_failure(loader, DecodeProblem::new(ProblemKind::Internal, message, None).at(name, 0));
        }
    };
    // Every record kept from a damaged input counts as salvaged, wherever the damage was.
    let damaged = stream_cut || problems.iter().any(|p| p.kind.is_damage());
    let salvaged = if damaged { found } else { 0 };
    let failed = !problems.is_empty();
    let outcome = {
        let asked = Instant::now();
        let mut store = loader.store();
        let got = Instant::now();
        let outcome = store.append(&mut batch);
        if let Some(t) = &loader.timings {
            t.locked(got - asked, got.elapsed());
        }
        let report = &mut store.report;
        report.files += 1;
        report.digests += digests;
        report.salvaged += salvaged;
        if failed {
            report.files_failed += 1;
        }
        for (i, p) in problems.into_iter().enumerate() {
            report.problems.push(p.at(name, if i == 0 { salvaged } else { 0 }));
        }
        outcome
    };
    batch.remember_known();
    loader.emit(LoadEvent::FileDone { events: outcome.added, duplicates: outcome.duplicates, failed });
}

/// Records a problem with an input that yielded nothing (unreadable, broken archive).
pub fn report_failure(loader: &Loader<'_>, problem: Problem) {
    {
        let mut store = loader.store();
        store.report.files += 1;
        store.report.files_failed += 1;
        store.report.problems.push(problem);
    }
    loader.emit(LoadEvent::FileDone { events: 0, duplicates: 0, failed: true });
}

#[cfg(test)]
mod tests {
    use std::sync::RwLock;

    use crate::ingest::report::ProblemKind;
    use crate::ingest::{isolate, load_bytes, Limits};
    use crate::store::Store;

    /// Stands in for a bug met while reading an input (unit tests only).
    pub(super) fn panic_if_asked(name: &str) {
        if name.ends_with("panics.json") {
            panic!("a bug met in {name}");
        }
    }

    #[test]
    fn a_panic_while_reading_one_input_is_its_report_entry_and_the_load_goes_on() {
        isolate::install_panic_hook();
        let trail = br#"{"Records":[{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}"#;
        let store = RwLock::new(Store::new());
        load_bytes(&store, "panics.json", trail.to_vec(), &Limits::default());
        load_bytes(&store, "fine.json", trail.to_vec(), &Limits::default());
        let store = store.into_inner().expect("the lock is not poisoned");
        assert_eq!(store.len(), 1, "the other input loads");
        assert_eq!((store.report.files, store.report.files_failed), (2, 1));
        let problem = &store.report.problems[0];
        assert_eq!((problem.path.as_str(), problem.kind), ("panics.json", ProblemKind::Internal));
        assert!(problem.message.contains("a bug met in panics.json (at src/ingest/input.rs:"), "{}", problem.message);
    }
}
