//! Builders for the hostile-input tests (tests/hostile_*.rs): records, gzip, and a
//! hand-written zip writer, so member names and sizes can be anything an attacker picks
//! (the zip crate's writer would refuse or normalise some of them).
#![allow(dead_code)] // each test crate uses a different subset

use std::io::Write;
use std::path::Path;
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
