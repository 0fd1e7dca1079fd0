//! The fast record reader (`ingest::fastscan`) must read every record exactly as the
//! general serde path does, or decline it. Checked on every `Records` element of every
//! JSON and gzip file of the fixtures and of ../shared/corpora (when present), plus
//! crafted edge cases. The serde path is the oracle here; its own correctness is checked
//! against python elsewhere. Records of one file are read as the loader reads them: one
//! after the other with the same memory of repeated values (`fastscan::Seen`).

use std::path::{Path, PathBuf};

use serde_json::value::RawValue;
use trailscope::ingest::fastscan::{
    scan_record_with, top_level_members, with_identity, FastRecord, MemberSpans, Seen, PLAN_MEMBERS,
};
use trailscope::ingest::scan::ObjectScan;

fn files_under(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn decompressed(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out).ok()?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes).ok()
}

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, rename = "Records")]
    records: Vec<&'a RawValue>,
}

/// A fast record's fields with its `userIdentity` read, as the store reads a block it
/// recognised but does not remember.
fn fields_of<'a>(text: &'a str, fast: FastRecord<'a>) -> trailscope::model::event::EventFields<'a> {
    let fields = with_identity(fast.fields, fast.identity_block.as_ref(), text.as_bytes());
    assert!(fast.identity_block.is_none() || fields.identity.is_some(), "a recognised block reads");
    fields
}

/// The members the fast reader noted are the last occurrence of each key, as the
/// validating member splitter finds them.
fn check_member_spans(record: &str, spans: Option<&MemberSpans>) {
    let spans = spans.expect("an accepted record has spans");
    let found = top_level_members(record, &PLAN_MEMBERS).expect("an accepted record splits");
    for key in PLAN_MEMBERS {
        let last = found.iter().rev().find(|(k, _)| *k == key).map(|(_, raw)| raw.as_bytes());
        assert_eq!(spans.member(record.as_bytes(), key), Some(last), "{key} in {record}");
    }
}

/// Compares both readers on one record; returns whether the fast path accepted it.
fn compare<'a>(text: &'a str, at: usize, record: &RawValue, seen: &mut Seen<'a>) -> bool {
    let general: ObjectScan<'_> = serde_json::from_str(record.get()).expect("a valid record scans");
    match scan_record_with(text, at, seen) {
        Some(fast) => {
            assert!(general.is_event(), "fast path accepted a non-event: {}", record.get());
            assert_eq!(fast.end, at + record.get().len(), "span differs: {}", record.get());
            check_member_spans(record.get(), fast.members.as_ref());
            assert_eq!(fields_of(text, fast), general.fields, "fields differ: {}", record.get());
            true
        }
        None => false,
    }
}

fn check_tree(root: &Path) -> (usize, usize) {
    let mut files = Vec::new();
    files_under(root, &mut files);
    let (mut accepted, mut total) = (0, 0);
    for f in files {
        let Some(text) = decompressed(&f) else { continue };
        let Ok(env) = serde_json::from_str::<Envelope<'_>>(&text) else { continue };
        let mut seen = Seen::default();
        for r in env.records {
            if !r.get().starts_with('{') {
                continue;
            }
            let at = r.get().as_ptr() as usize - text.as_ptr() as usize;
            total += 1;
            if compare(&text, at, r, &mut seen) {
                accepted += 1;
            }
        }
    }
    (accepted, total)
}

#[test]
fn agrees_with_the_general_path_on_the_fixtures() {
    let (accepted, total) = check_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
    assert!(total > 20 && accepted > total / 2, "fast path took {accepted} of {total}");
}

#[test]
fn agrees_with_the_general_path_on_the_corpora() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if !root.exists() {
        eprintln!("skipped: {} not present", root.display());
        return;
    }
    let (accepted, total) = check_tree(&root);
    assert!(total > 11_000 && accepted > total * 9 / 10, "fast path took {accepted} of {total}");
}

#[test]
fn agrees_on_crafted_edge_cases() {
    for record in [
        r#"{"eventName":"A","eventSource":"s","userIdentity":"string instead of object"}"#,
        r#"{"eventName":"A","eventSource":"s","userIdentity":null,"resources":"x"}"#,
        r#"{"eventName":null,"eventSource":null,"eventTime":12345,"readOnly":"TRUE"}"#,
        r#"{"eventName":"A","eventSource":"s","eventName":"B","resources":["arn:x",{"ARN":"arn:y","type":"T"},{"type":"T"},7]}"#,
        r#"{"eventType":"AwsCloudTrailInsight","insightDetails":{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}}"#,
        r#"{"eventSource":"a","insightDetails":{"eventSource":"b","eventName":"c"},"eventName":"d"}"#,
        r#"{"eventName":"\u0041\n","eventSource":"s","userAgent":"tab\there é 😀"}"#,
        r#"{"eventName":"A","eventSource":"s","userIdentity":{"sessionContext":{"sessionIssuer":[],"attributes":{"mfaAuthenticated":true}},"onBehalfOf":{"userId":"u"}}}"#,
        r#"{ "eventName" : "A" , "eventSource" : "s" , "x" : [ 1 , { } , [ ] , -0.5E+3 ] }"#,
        // case variants the general path reads at their own level, and exact names of other levels
        r#"{"eventName":"A","eventSource":"s","resources":[{"arn":"arn:aws:s3:::b","accountId":"1","TYPE":"T"}]}"#,
        r#"{"eventName":"A","eventSource":"s","userIdentity":{"Arn":"x","sessionContext":{"SessionIssuer":{"ARN":"r"}}}}"#,
        r#"{"eventName":"A","eventSource":"s","userIdentity":{"sessionContext":{"sessionIssuer":{"principalId":"p","eventName":"n"}}}}"#,
        r#"{"EventName":"A","eventSource":"s"}"#,
    ] {
        let raw: &RawValue = serde_json::from_str(record).unwrap();
        let general: ObjectScan<'_> = serde_json::from_str(record).unwrap();
        // Declining is always allowed; accepting a non-event, or reading an accepted record
        // differently (checked in `compare`), is not.
        let accepted = compare(record, 0, raw, &mut Seen::default());
        assert!(general.is_event() || !accepted, "{record}");
    }
}

/// Repeated `userIdentity` blocks and skipped members are recognised by their bytes; a
/// near copy (one byte differs, or damage after a copy) is read, or declined, afresh.
#[test]
fn agrees_on_repeated_and_nearly_repeated_values() {
    let who = |arn: &str| {
        format!(r#"{{"type":"IAMUser","arn":"{arn}","sessionContext":{{"attributes":{{"mfaAuthenticated":"true"}}}}}}"#)
    };
    let record = |n: u32, identity: &str, tls: &str| {
        format!(r#"{{"eventName":"E{n}","eventSource":"s","userIdentity":{identity},"tlsDetails":{tls}}}"#)
    };
    let (a, b) = (who("arn:aws:iam::1:user/a"), who("arn:aws:iam::1:user/b"));
    let (t1, t2) = (r#"{"tlsVersion":"TLSv1.2"}"#, r#"{"tlsVersion":"TLSv1.3"}"#);
    let records = [
        record(1, &a, t1),
        record(2, &a, t1),
        record(3, &b, t1),
        record(4, &a, t2),
        record(5, &b, t2),
        record(6, "null", "[]"),
        record(7, &a, t2),
    ];
    let text = format!(r#"{{"Records":[{}]}}"#, records.join(","));
    let env: Envelope<'_> = serde_json::from_str(&text).unwrap();
    let mut seen = Seen::default();
    for r in &env.records {
        let at = r.get().as_ptr() as usize - text.as_ptr() as usize;
        assert!(compare(&text, at, r, &mut seen), "declined {}", r.get());
    }
    // Another input with the same blocks: recognised from the first (no fields read),
    // and still read exactly as serde reads them.
    let other = format!(r#"{{"Records":[{},{}]}}"#, records[4], records[0]);
    let env: Envelope<'_> = serde_json::from_str(&other).unwrap();
    let mut seen = Seen::default();
    for r in &env.records {
        let at = r.get().as_ptr() as usize - other.as_ptr() as usize;
        let fast = scan_record_with(&other, at, &mut seen).expect("accepted");
        assert!(fast.identity_block.is_some() && fast.fields.identity.is_none(), "recognised");
        assert!(compare(&other, at, r, &mut Seen::default()), "declined {}", r.get());
    }
    // A copy of a remembered block followed by damage inside the record is still declined.
    let damaged = format!(r#"{{"Records":[{},{}]}}"#, records[0], record(8, &a, r#"{"tlsVersion":tru}"#));
    let mut seen = Seen::default();
    let first = scan_record_with(&damaged, 12, &mut seen).expect("the first record reads");
    assert_eq!(scan_record_with(&damaged, first.end + 1, &mut seen).map(|r| r.end), None);
}
