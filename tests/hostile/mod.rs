//! Builders for the hostile-input tests (tests/hostile_*.rs): records, gzip, and a
//! hand-written zip writer, so member names and sizes can be anything an attacker picks
//! (the zip crate's writer would refuse or normalise some of them).
#![allow(dead_code)] // each test crate uses a different subset

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use serde_json::{json, Value};
use trailscope::ingest::{load_into, Limits, LoadOptions};
use trailscope::store::Store;

/// A small valid CloudTrail record.
pub fn record(id: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": { "type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "userName": "alice" },
        "eventTime": "2024-03-01T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.15.0",
        "eventID": id,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
    })
}

pub fn records_file(records: &[Value]) -> Vec<u8> {
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A multi-member gzip whose content is `head` + `chunk` × `repeat` + `tail`, built by
/// compressing `chunk` once: a bomb of `repeat × chunk.len()` bytes in a few KB.
pub fn gzip_bomb(head: &[u8], chunk: &[u8], repeat: usize, tail: &[u8]) -> Vec<u8> {
    let member = gzip(chunk);
    let mut out = gzip(head);
    out.reserve(member.len() * repeat);
    for _ in 0..repeat {
        out.extend_from_slice(&member);
    }
    out.extend_from_slice(&gzip(tail));
    out
}

/// A raw deflate stream of `chunk` × `repeat`: one full-flushed segment compressed once
/// and repeated (a full flush resets the dictionary and ends byte-aligned), then a final
/// empty block.
pub fn deflate_bomb(chunk: &[u8], repeat: usize) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(chunk).unwrap();
    enc.flush().unwrap(); // sync flush: byte-aligned, self-contained for the first segment
    let segment = std::mem::take(enc.get_mut());
    let mut out = Vec::with_capacity(segment.len() * repeat + 2);
    for _ in 0..repeat {
        out.extend_from_slice(&segment);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final, fixed-Huffman block holding only end-of-block
    out
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One zip member: `data` is stored as is with `method` (0 stored, 8 deflate);
/// `size` and `crc` are what the headers declare.
pub struct ZipMember {
    pub name: Vec<u8>,
    pub method: u16,
    pub data: Vec<u8>,
    pub size: u32,
    pub crc: u32,
}

impl ZipMember {
    pub fn stored(name: impl Into<Vec<u8>>, data: &[u8]) -> Self {
        Self { name: name.into(), method: 0, data: data.to_vec(), size: data.len() as u32, crc: crc32(data) }
    }
}

pub fn zip(members: &[ZipMember]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for m in members {
        let offset = out.len() as u32;
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags
            buf.extend_from_slice(&m.method.to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // time
            buf.extend_from_slice(&0x5861u16.to_le_bytes()); // date 2024-03-01
            buf.extend_from_slice(&m.crc.to_le_bytes());
            buf.extend_from_slice(&(m.data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&m.size.to_le_bytes());
            buf.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(&m.name);
        out.extend_from_slice(&m.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&m.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Loads `paths` through the library with `limits`.
pub fn load_with(paths: &[&Path], limits: Limits) -> Store {
    let mut options = LoadOptions::new(paths.iter().map(|p| p.to_path_buf()).collect());
    options.limits = limits;
    let store = RwLock::new(Store::new());
    load_into(&store, &options, None);
    store.into_inner().unwrap()
}

// ---- the terminal-injection fixture (issue 7), shared by hostile_text.rs and hostile_tui.rs

/// Every kind of terminal attack the issue lists.
pub const EVIL: &str =
    "A\u{1b}[31mRED\u{1b}]52;c;ZXZpbA==\u{7}B\u{1b}Pqdcs\u{1b}\\C\u{9b}31mD\u{202e}E\u{2066}F\u{0}G\u{85}H";

/// `EVIL` as a file name: Linux allows anything but NUL and `/`.
pub fn evil_file(prefix: &str, ext: &str) -> String {
    format!("{prefix}{}{ext}", EVIL.replace(['\u{0}', '/'], "_"))
}

pub fn evil_record(i: usize) -> Value {
    let e = |s: &str| format!("{s}{EVIL}");
    json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": e("IAMUser"),
            "principalId": e("AIDA"),
            "arn": e("arn:aws:iam::111122223333:user/"),
            "accountId": e("1111"),
            "userName": e("bob"),
            "accessKeyId": e("AKIA"),
            "sessionContext": { "sessionIssuer": { "arn": e("arn:aws:iam::1:role/"), "userName": e("role") } },
        },
        "eventTime": format!("2024-03-01T10:00:0{i}Z"),
        "eventSource": e("s3.amazonaws.com"),
        "eventName": e("GetObject"),
        "awsRegion": e("us-east-1"),
        "sourceIPAddress": e("203.0.113.7"),
        "userAgent": e("aws-cli/"),
        "errorCode": e("AccessDenied"),
        "errorMessage": e("denied"),
        "requestParameters": { EVIL: EVIL, e("bucketName"): e("b") },
        "responseElements": null,
        "resources": [{ "ARN": e("arn:aws:s3:::"), "type": e("AWS::S3::Object") }],
        "eventID": e(&format!("id-{i}")),
        "requestID": e("req"),
        "eventType": e("AwsApiCall"),
        "readOnly": true,
        "recipientAccountId": e("2222"),
        EVIL: EVIL,
    })
}

/// Spreadsheet formulas in the fields the CSV export writes.
pub fn formula_record() -> Value {
    let mut r = record("formula-1");
    r["userIdentity"]["userName"] = json!("=HYPERLINK(\"http://evil.example\",\"x\")");
    r["eventName"] = json!("@SUM(1+1)");
    r["errorCode"] = json!("+cmd|' /C calc'!A0");
    r["errorMessage"] = json!("-1+1");
    r["userAgent"] = json!("\t=1+1");
    r
}

/// Builds the hostile tree; returns its root.
pub fn hostile_tree(root: &Path) -> PathBuf {
    let dir = root.join(evil_file("dir", ""));
    std::fs::create_dir(&dir).unwrap();
    let evil_records = records_file(&[evil_record(1), evil_record(2), formula_record()]);
    std::fs::write(dir.join(evil_file("trail", ".json")), &evil_records).unwrap();
    // Damaged and not-CloudTrail files, so that their names are in the report.
    std::fs::write(dir.join(evil_file("broken", ".json")), b"{\"Records\":[{\"eventVersion\":").unwrap();
    std::fs::write(dir.join(evil_file("notes", ".txt")), format!("prose {EVIL}\n")).unwrap();
    // A file name that is not UTF-8 at all: a raw 0x9b byte is CSI for 8-bit terminals.
    std::fs::write(dir.join(OsStr::from_bytes(b"raw\x9b31m\x1b[0m.json")), b"not json \x9b\x1b[2J").unwrap();
    // A zip whose member names (NUL included) carry the same sequences.
    let members = [
        ZipMember::stored(format!("ok{EVIL}.json"), &records_file(&[evil_record(3)])),
        ZipMember::stored(format!("notes{EVIL}.txt"), format!("prose {EVIL}").as_bytes()),
        ZipMember::stored(b"raw\x9b\x1b]0;title\x07.txt".to_vec(), b"\x1b[2J prose"),
    ];
    std::fs::write(dir.join(evil_file("archive", ".zip")), zip(&members)).unwrap();
    // A tar with hostile member names (tar names end at NUL, so none here).
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in [
        (evil_file("member", ".json").replace('\u{0}', ""), records_file(&[evil_record(4)])),
        (evil_file("member", ".txt"), format!("prose {EVIL}").into_bytes()),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, &data[..]).unwrap();
    }
    std::fs::write(dir.join(evil_file("archive", ".tar")), builder.into_inner().unwrap()).unwrap();
    dir
}
