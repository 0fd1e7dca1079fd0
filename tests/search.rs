//! Fuzzy search over summary lines: which events match is checked against a naive
//! subsequence oracle written here (every character of every word, in order; a word with an
//! upper-case letter matches case-sensitively, one without ignores case), for both matching
//! engines and both orders; then the ordering rules, the highlight positions, partial
//! updates, generations and cancellation, incremental refinement and the selection cache.

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use trailscope::ingest::{load_into, LoadOptions};
use trailscope::query::search::{
    highlight, MatcherKind, SearchOptions, SearchOrder, SearchRequest, SearchUpdate, SearchWorker, CHUNK, PARTIAL_HITS,
};
use trailscope::query::summary::summary_line;
use trailscope::store::Store;

/// (name, source, principal ARN, IP, user agent, error code); event i happens at minute i.
const EVENTS: [(&str, &str, &str, &str, &str, &str); 14] = [
    (
        "GetObject",
        "s3.amazonaws.com",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        "203.0.113.9",
        "aws-cli/2.15.0",
        "AccessDenied",
    ),
    (
        "GetBucketObjectLockConfiguration",
        "s3.amazonaws.com",
        "arn:aws:iam::111122223333:user/ci-deploy",
        "10.0.0.5",
        "Boto3/1.34.0",
        "",
    ),
    ("PutObject", "s3.amazonaws.com", "arn:aws:iam::111122223333:user/ci-deploy", "10.0.0.5", "Boto3/1.34.0", ""),
    (
        "AssumeRole",
        "sts.amazonaws.com",
        "arn:aws:iam::111122223333:user/mallory",
        "185.220.101.47",
        "python-requests/2.31",
        "",
    ),
    (
        "ConsoleLogin",
        "signin.amazonaws.com",
        "arn:aws:iam::111122223333:user/bob",
        "198.51.100.7",
        "Mozilla/5.0 (Ünïcode; ÄÖÜ)",
        "",
    ),
    (
        "DescribeInstances",
        "ec2.amazonaws.com",
        "arn:aws:sts::111122223333:assumed-role/Ops/carol",
        "10.0.3.4",
        "aws-sdk-go/1.44",
        "Client.UnauthorizedOperation",
    ),
    (
        "ListBuckets",
        "s3.amazonaws.com",
        "arn:aws:iam::111122223333:user/mallory",
        "185.220.101.47",
        "curl/8.0 \u{1b}[31mred",
        "AccessDenied",
    ),
    (
        "Decrypt",
        "kms.amazonaws.com",
        "arn:aws:sts::111122223333:assumed-role/Lambda/fn",
        "lambda.amazonaws.com",
        "",
        "",
    ),
    (
        "GetObject",
        "s3.amazonaws.com",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        "203.0.113.9",
        "aws-cli/2.15.0",
        "AccessDenied",
    ),
    (
        "CreateAccessKey",
        "iam.amazonaws.com",
        "arn:aws:iam::111122223333:user/mallory",
        "185.220.101.47",
        "aws-cli/1.18",
        "",
    ),
    (
        "StopLogging",
        "cloudtrail.amazonaws.com",
        "arn:aws:iam::111122223333:user/mallory",
        "185.220.101.47",
        "aws-cli/1.18",
        "",
    ),
    ("GetCallerIdentity", "sts.amazonaws.com", "", "", "", ""),
    (
        "GetObject",
        "s3.amazonaws.com",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        "203.0.113.9",
        "aws-cli/2.15.0",
        "AccessDenied",
    ),
    (
        "DeleteTrail",
        "cloudtrail.amazonaws.com",
        "arn:aws:iam::111122223333:user/mallory",
        "185.220.101.47",
        "aws-cli/1.18",
        "TrailNotFoundException",
    ),
];

/// Queries: single words, case-sensitive words, several words, non-ASCII, no match.
const QUERIES: [&str; 16] = [
    "getobj",
    "GetObject",
    "getobject",
    "GETOBJECT",
    "s3 denied",
    "acc 185.220",
    "Access mallory",
    "ïcode",
    "Ünï",
    "mozilla ÄÖ",
    "red",
    "cloudtrail stop",
    "zzz",
    "a",
    "A",
    "10.0.",
];

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn fixture() -> (Arc<RwLock<Store>>, Arc<Vec<u32>>, tempfile::NamedTempFile) {
    let records: Vec<String> = EVENTS
        .iter()
        .enumerate()
        .map(|(i, (name, source, arn, ip, ua, error))| {
            let mut fields = vec![
                format!(r#""eventVersion":"1.08","eventTime":"2024-03-01T10:{i:02}:00Z","eventID":"ev-{i}""#),
                format!(r#""eventName":{},"eventSource":{},"awsRegion":"us-east-1""#, json_str(name), json_str(source)),
            ];
            if !arn.is_empty() {
                fields.push(format!(r#""userIdentity":{{"type":"IAMUser","arn":{}}}"#, json_str(arn)));
            }
            if !ip.is_empty() {
                fields.push(format!(r#""sourceIPAddress":{}"#, json_str(ip)));
            }
            if !ua.is_empty() {
                fields.push(format!(r#""userAgent":{}"#, json_str(ua)));
            }
            if !error.is_empty() {
                fields.push(format!(r#""errorCode":{}"#, json_str(error)));
            }
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    let loaded = load(&records);
    assert_eq!(loaded.1.len(), EVENTS.len());
    loaded
}

fn load(records: &[String]) -> (Arc<RwLock<Store>>, Arc<Vec<u32>>, tempfile::NamedTempFile) {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    write!(file, r#"{{"Records":[{}]}}"#, records.join(",")).unwrap();
    let store = Arc::new(RwLock::new(Store::new()));
    load_into(&store, &LoadOptions::new(vec![file.path().to_path_buf()]), None);
    let selection = Arc::new(store.read().unwrap().time_order().to_vec());
    (store, selection, file)
}

/// `n` events whose summary lines all differ (so that nothing is served from the memo of
/// repeated lines and a search over them takes a while).
fn many_events(n: usize) -> (Arc<RwLock<Store>>, Arc<Vec<u32>>, tempfile::NamedTempFile) {
    let names = ["GetObject", "PutObject", "DescribeInstances", "AssumeRole", "Decrypt", "ListBuckets"];
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"eventTime":"2024-03-01T{:02}:{:02}:{:02}Z","eventID":"m-{i}","eventName":"{}","eventSource":"s3.amazonaws.com","sourceIPAddress":"10.{}.{}.{}","userAgent":"aws-cli/2.{}.{} Python/3.11 Linux/5.10 exe/x86_64 prompt/off command/s3.cp","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/user-{}"}}}}"#,
                i / 3600 % 24,
                i / 60 % 60,
                i % 60,
                names[i % names.len()],
                i >> 16,
                (i >> 8) & 255,
                i & 255,
                i % 23,
                i % 7,
                i % 101,
            )
        })
        .collect();
    load(&records)
}

fn lines(store: &RwLock<Store>, selection: &[u32]) -> Vec<String> {
    let store = store.read().unwrap();
    selection.iter().map(|&e| summary_line(&store, e)).collect()
}

// ---- the oracle -----------------------------------------------------------------------

fn case_sensitive(word: &str) -> bool {
    word.chars().any(char::is_uppercase)
}

/// Every char of `word` in `line`, in order; case ignored (ASCII letters) unless the word
/// has an upper-case letter.
fn oracle_word(line: &str, word: &str) -> bool {
    let sensitive = case_sensitive(word);
    let mut hay = line.chars();
    word.chars().all(|w| hay.any(|h| if sensitive { h == w } else { h.to_ascii_lowercase() == w }))
}

fn oracle(line: &str, query: &str) -> bool {
    let words: Vec<&str> = query.split_whitespace().collect();
    !words.is_empty() && words.iter().all(|w| oracle_word(line, w))
}

// ---- helpers --------------------------------------------------------------------------

fn worker(store: &Arc<RwLock<Store>>, matcher: MatcherKind) -> (SearchWorker, Receiver<SearchUpdate>) {
    SearchWorker::with_options(Arc::clone(store), SearchOptions { matcher, ..Default::default() })
}

fn request(generation: u64, query: &str, selection: &Arc<Vec<u32>>, order: SearchOrder) -> SearchRequest {
    SearchRequest { generation, query: query.into(), selection: Arc::clone(selection), order }
}

/// Every update up to the complete one of `generation` (older generations included).
fn until_complete(rx: &Receiver<SearchUpdate>, generation: u64) -> Vec<SearchUpdate> {
    let mut updates = Vec::new();
    loop {
        let update = rx.recv_timeout(Duration::from_secs(60)).expect("an update within a minute");
        let done = update.generation == generation && update.complete;
        updates.push(update);
        if done {
            return updates;
        }
    }
}

fn complete(rx: &Receiver<SearchUpdate>, generation: u64) -> SearchUpdate {
    until_complete(rx, generation).pop().unwrap()
}

/// Checks the order rules of a complete or partial update's hits.
fn check_order(update: &SearchUpdate, selection: &[u32], order: SearchOrder) {
    for hit in &update.hits {
        assert_eq!(selection[hit.row as usize], hit.event, "row and event agree");
    }
    for pair in update.hits.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        match order {
            SearchOrder::Time => assert!(a.row < b.row, "time order: {a:?} before {b:?}"),
            SearchOrder::BestMatch => assert!(
                a.score > b.score || (a.score == b.score && a.row < b.row),
                "best match: score descending, then time: {a:?} before {b:?}"
            ),
        }
    }
}

/// The chars at `positions` of `line`.
fn chars_at(line: &str, positions: &[u32]) -> Vec<char> {
    let chars: Vec<char> = line.chars().collect();
    positions.iter().map(|&p| chars[p as usize]).collect()
}

/// Positions are ascending, inside the line, and point at the query's characters: for one
/// word they spell it (lowercased unless case-sensitive); for several, each word is spelled
/// by a subsequence of them and every highlighted char belongs to some word.
fn check_positions(line: &str, query: &str, positions: &[u32]) {
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "ascending, distinct: {positions:?}");
    assert!(positions.iter().all(|&p| (p as usize) < line.chars().count()));
    let words: Vec<&str> = query.split_whitespace().collect();
    let at = chars_at(line, positions);
    let folded = |c: char, sensitive: bool| if sensitive { c } else { c.to_ascii_lowercase() };
    if let [word] = words[..] {
        let spelled: String = at.iter().map(|&c| folded(c, case_sensitive(word))).collect();
        assert_eq!(spelled, word, "highlight of {query:?} in {line:?}");
    } else {
        for word in &words {
            let s = case_sensitive(word);
            let mut it = at.iter();
            assert!(word.chars().all(|w| it.any(|&c| folded(c, s) == w)), "{word:?} highlighted in {line:?}");
        }
        for c in at {
            assert!(words.iter().any(|w| w.chars().any(|wc| folded(c, case_sensitive(w)) == wc)), "{c:?} in no word");
        }
    }
}

// ---- tests ----------------------------------------------------------------------------

#[test]
fn matches_agree_with_the_naive_oracle() {
    let (store, selection, _file) = fixture();
    let lines = lines(&store, &selection);
    for kind in MatcherKind::ALL {
        let (worker, rx) = worker(&store, kind);
        let mut generation = 0;
        for query in QUERIES {
            let expected: BTreeSet<u32> =
                (0..lines.len()).filter(|&r| oracle(&lines[r], query)).map(|r| selection[r]).collect();
            for order in [SearchOrder::BestMatch, SearchOrder::Time] {
                generation += 1;
                worker.submit(request(generation, query, &selection, order));
                let update = complete(&rx, generation);
                let got: BTreeSet<u32> = update.hits.iter().map(|h| h.event).collect();
                assert_eq!(got, expected, "{kind:?} {order:?} {query:?}");
                assert_eq!(got.len(), update.hits.len(), "each event once");
                assert_eq!((update.scanned, update.total), (selection.len(), selection.len()));
                check_order(&update, &selection, order);
                for hit in &update.hits {
                    let line = &lines[hit.row as usize];
                    check_positions(line, query, &hit.positions);
                    if kind == MatcherKind::default() {
                        assert_eq!(highlight(query, line).as_ref(), Some(&hit.positions), "highlight() agrees");
                    }
                }
            }
        }
        // Sanity of the fixture: the queries are not all trivially empty or full.
        assert!(QUERIES.iter().any(|q| lines.iter().filter(|l| oracle(l, q)).count() == 0));
        assert!(QUERIES.iter().any(|q| (2..lines.len()).contains(&lines.iter().filter(|l| oracle(l, q)).count())));
    }
}

#[test]
fn contiguous_matches_rank_first_and_ties_keep_time_order() {
    let (store, selection, _file) = fixture();
    for kind in MatcherKind::ALL {
        let (worker, rx) = worker(&store, kind);
        worker.submit(request(1, "getobj", &selection, SearchOrder::BestMatch));
        let update = complete(&rx, 1);
        let names: Vec<&str> = update.hits.iter().map(|h| EVENTS[event_index(&store, h.event)].0).collect();
        // The three identical GetObject lines tie, in time order, before the scattered match.
        assert_eq!(names, ["GetObject", "GetObject", "GetObject", "GetBucketObjectLockConfiguration"], "{kind:?}");
        let rows: Vec<u32> = update.hits[..3].iter().map(|h| h.row).collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]) && update.hits[0].score == update.hits[2].score);
        assert!(update.hits[2].score > update.hits[3].score);
    }
}

/// Which fixture event (index into EVENTS) a store event is, by its eventID.
fn event_index(store: &RwLock<Store>, event: u32) -> usize {
    let store = store.read().unwrap();
    store.event_id(event).unwrap().trim_start_matches("ev-").parse().unwrap()
}

#[test]
fn empty_query_and_empty_selection_complete_with_no_hits() {
    let (store, selection, _file) = fixture();
    let (worker, rx) = worker(&store, MatcherKind::default());
    for (generation, query) in [(1, ""), (2, "   "), (3, "\t")] {
        worker.submit(request(generation, query, &selection, SearchOrder::BestMatch));
        let updates = until_complete(&rx, generation);
        assert_eq!(updates.len(), 1, "only the complete update");
        assert!(updates[0].complete && updates[0].hits.is_empty() && updates[0].total == selection.len());
    }
    worker.submit(request(4, "get", &Arc::new(Vec::new()), SearchOrder::Time));
    let update = complete(&rx, 4);
    assert!(update.hits.is_empty() && update.total == 0);
}

/// A selection of many rows (the fixture's events repeated) so that a search spans many
/// chunks and takes long enough to be overtaken.
fn big_selection(selection: &[u32], rows: usize) -> Arc<Vec<u32>> {
    Arc::new(selection.iter().copied().cycle().take(rows).collect())
}

#[test]
fn partial_updates_come_first_and_agree_with_the_complete_one() {
    let (store, selection, _file) = fixture();
    let big = big_selection(&selection, 40 * CHUNK);
    let lines = lines(&store, &big);
    let (worker, rx) = worker(&store, MatcherKind::default());
    for (generation, order) in [(1, SearchOrder::Time), (2, SearchOrder::BestMatch)] {
        worker.submit(request(generation, "acc 185", &big, order));
        let mut updates = until_complete(&rx, generation);
        let complete = updates.pop().unwrap();
        assert!(!updates.is_empty(), "{order:?}: a partial update before the complete one");
        let expected = lines.iter().filter(|l| oracle(l, "acc 185")).count();
        assert_eq!(complete.hits.len(), expected);
        check_order(&complete, &big, order);
        let mut scanned = 0;
        for partial in &updates {
            assert!(!partial.complete && partial.generation == generation);
            assert!(partial.hits.len() <= PARTIAL_HITS && partial.scanned <= partial.total);
            assert!(partial.scanned >= scanned, "progress only grows");
            scanned = partial.scanned;
            check_order(partial, &big, order);
            for hit in &partial.hits {
                check_positions(&lines[hit.row as usize], "acc 185", &hit.positions);
            }
            if order == SearchOrder::Time {
                // The earliest matches: a prefix of the complete answer.
                assert_eq!(partial.hits, complete.hits[..partial.hits.len()]);
            } else {
                assert!(partial
                    .hits
                    .iter()
                    .all(|h| complete.hits.iter().any(|c| c.row == h.row && c.score == h.score)));
            }
        }
        // The first hits of the complete update carry positions.
        assert!(complete.hits[..10].iter().all(|h| !h.positions.is_empty()));
    }
}

/// Receives whatever is already in the channel.
fn drain(rx: &Receiver<SearchUpdate>) -> Vec<SearchUpdate> {
    rx.try_iter().collect()
}

#[test]
fn a_newer_submit_cancels_the_older_one() {
    let (store, selection, _file) = many_events(3 * CHUNK);
    let lines = lines(&store, &selection);
    let expected_b = lines.iter().filter(|l| oracle(l, "user-42 10.0")).count();
    assert!(expected_b > 0);
    for kind in MatcherKind::ALL {
        let (worker, rx) = worker(&store, kind);
        // Build the line cache first, so that A's scan is what takes time; time A alone.
        worker.submit(request(1, "zzzz", &selection, SearchOrder::Time));
        complete(&rx, 1);
        let t = Instant::now();
        worker.submit(request(2, "awsclipython", &selection, SearchOrder::BestMatch));
        complete(&rx, 2);
        let a_alone = t.elapsed();
        let mut generation = 2;
        for round in 0..6u64 {
            let (a, b) = (generation + 1, generation + 2);
            generation = b;
            // A: scores every line (most match); B: a different query and order.
            worker.submit(request(a, "awsclipython", &selection, SearchOrder::BestMatch));
            // Let A run a little, but never long enough to finish on its own (a quarter of
            // its measured time), so "A was cancelled" holds however fast the machine is.
            std::thread::sleep(Duration::from_millis(10 * round).min(a_alone / 4));
            let t = Instant::now();
            worker.submit(request(b, "user-42 10.0", &selection, SearchOrder::Time));
            // Whatever A sent before `submit(B)` returned is in the channel now; nothing of
            // A's may come after.
            let before = drain(&rx);
            assert!(before.iter().all(|u| u.generation == a), "{kind:?} round {round}");
            assert!(before.iter().all(|u| !u.complete), "{kind:?} round {round}: A was cancelled, not completed");
            let after = until_complete(&rx, b);
            assert!(after.iter().all(|u| u.generation == b), "{kind:?} round {round}: a stale update after submit");
            assert_eq!(after.last().unwrap().hits.len(), expected_b);
            // Only a sanity bound on B's latency (CI machines are shared, so wall times are
            // loose); cancellation itself is checked exactly by the generation and
            // `complete` assertions above.
            assert!(
                t.elapsed() < a_alone * 2 + Duration::from_millis(200),
                "{kind:?} round {round}: B took {:?}, A alone {a_alone:?}",
                t.elapsed()
            );
        }
        // cancel(): nothing more is sent for the cancelled request.
        worker.submit(request(generation + 1, "awsclipython", &selection, SearchOrder::BestMatch));
        std::thread::sleep(Duration::from_millis(20));
        worker.cancel();
        let before = drain(&rx);
        assert!(before.iter().all(|u| !u.complete));
        std::thread::sleep(Duration::from_millis(300));
        assert!(drain(&rx).is_empty(), "{kind:?}: an update after cancel()");
        // The worker goes on serving.
        worker.submit(request(generation + 2, "user-42 10.0", &selection, SearchOrder::BestMatch));
        assert_eq!(complete(&rx, generation + 2).hits.len(), expected_b);
    }
}

#[test]
fn refining_a_query_gives_the_same_answers_as_searching_from_scratch() {
    let (store, selection, _file) = fixture();
    let big = big_selection(&selection, 3 * CHUNK + 17);
    let lines = lines(&store, &big);
    let (worker, rx) = worker(&store, MatcherKind::default());
    let (scratch, scratch_rx) =
        SearchWorker::with_options(Arc::clone(&store), SearchOptions { incremental: false, ..Default::default() });
    // Typing on, a backspace, a case change, a new word, toggling the order.
    let typed = [
        ("a", SearchOrder::BestMatch),
        ("ac", SearchOrder::BestMatch),
        ("acc", SearchOrder::Time),
        ("acc ", SearchOrder::Time),
        ("acc 1", SearchOrder::BestMatch),
        ("acc 18", SearchOrder::BestMatch),
        ("acc 1", SearchOrder::BestMatch),
        ("acc 10", SearchOrder::Time),
        ("acc 10.0.3", SearchOrder::BestMatch),
        ("Acc 10", SearchOrder::BestMatch),
        ("Acc", SearchOrder::Time),
        ("AccessD", SearchOrder::Time),
        ("AccessD", SearchOrder::BestMatch),
        ("AccessDe s3", SearchOrder::BestMatch),
    ];
    for (generation, (query, order)) in (1..).zip(typed) {
        worker.submit(request(generation, query, &big, order));
        scratch.submit(request(generation, query, &big, order));
        let refined = complete(&rx, generation);
        let fresh = complete(&scratch_rx, generation);
        assert_eq!(refined.hits, fresh.hits, "{query:?} {order:?}");
        assert_eq!(refined.hits.len(), lines.iter().filter(|l| oracle(l, query)).count(), "{query:?}");
        assert_eq!(refined.scanned, big.len());
    }
}

#[test]
fn a_new_selection_is_searched_not_the_cached_one() {
    let (store, selection, _file) = fixture();
    let (worker, rx) = worker(&store, MatcherKind::default());
    worker.submit(request(1, "getobj", &selection, SearchOrder::Time));
    assert_eq!(complete(&rx, 1).hits.len(), 4);
    // Same query, a different selection (the last half): only its events.
    let half = Arc::new(selection[selection.len() / 2..].to_vec());
    worker.submit(request(2, "getobj", &half, SearchOrder::Time));
    let update = complete(&rx, 2);
    let expected: Vec<u32> = {
        let lines = lines(&store, &half);
        (0..half.len()).filter(|&r| oracle(&lines[r], "getobj")).map(|r| half[r]).collect()
    };
    assert_eq!(update.hits.iter().map(|h| h.event).collect::<Vec<_>>(), expected);
    assert_eq!(update.total, half.len());
    // Refining on the new selection does not reuse the old one's matches.
    worker.submit(request(3, "getobje", &half, SearchOrder::Time));
    let lines = lines(&store, &half);
    assert_eq!(complete(&rx, 3).hits.len(), lines.iter().filter(|l| oracle(l, "getobje")).count());
}

#[test]
fn highlight_marks_the_matched_chars() {
    let line = "GetObject s3.amazonaws.com Mozilla/5.0 (Ünïcode)";
    let p = highlight("ïcode", line).unwrap();
    assert_eq!(chars_at(line, &p).into_iter().collect::<String>(), "ïcode");
    check_positions(line, "s3 moz", &highlight("s3 moz", line).unwrap());
    assert_eq!(highlight("zzz", line), None);
    assert_eq!(highlight("", line), None);
}
