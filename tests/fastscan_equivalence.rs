//! The fast record reader (`ingest::fastscan`) must read every record exactly as the
//! general serde path does, or decline it. Checked on every `Records` element of every
//! JSON and gzip file of the fixtures and of ../shared/corpora (when present), plus
//! crafted edge cases. The serde path is the oracle here; its own correctness is checked
//! against python elsewhere.

use std::path::{Path, PathBuf};

use serde_json::value::RawValue;
use trailscope::ingest::fastscan::scan_record;
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

/// Compares both readers on one record; returns whether the fast path accepted it.
fn compare(text: &str, at: usize, record: &RawValue) -> bool {
    let general: ObjectScan<'_> = serde_json::from_str(record.get()).expect("a valid record scans");
    match scan_record(text, at) {
        Some(fast) => {
            assert!(general.is_event(), "fast path accepted a non-event: {}", record.get());
            assert_eq!(fast.end, at + record.get().len(), "span differs: {}", record.get());
            assert_eq!(fast.fields, general.fields, "fields differ: {}", record.get());
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
        for r in env.records {
            if !r.get().starts_with('{') {
                continue;
            }
            let at = r.get().as_ptr() as usize - text.as_ptr() as usize;
            total += 1;
            if compare(&text, at, r) {
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
        let accepted = compare(record, 0, raw);
        assert!(general.is_event() || !accepted, "{record}");
    }
}
