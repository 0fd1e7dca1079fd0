//! CloudTrail digest files: parsing them, and the S3-key arithmetic that pairs digests,
//! log files and local paths.
//!
//! A digest (`AWSLogs/[o-id/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//! <account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>.json.gz`)
//! lists the log files delivered in its hour with the SHA-256 of each file's uncompressed
//! content, and names the previous digest of the same trail and region by key, by the
//! SHA-256 of its uncompressed bytes and by its signature. The first digest of a chain has
//! those `previous…` fields `null`; digests are written every hour even when no log file
//! was delivered (`logFiles: []`); late files come in `…_backfill.json.gz` digests.
//!
//! Keys are compared by their `AWSLogs/…` tail, so a bucket name, an S3 key prefix or the
//! local folder the files were downloaded into never matters.

use serde::Deserialize;

use crate::model::time::parse_event_time;

/// The `AWSLogs/…` tail of an S3 key: from the last `AWSLogs/` that starts a path
/// component (or follows an archive's `!`).
pub fn awslogs_tail(key: &str) -> Option<&str> {
    let bytes = key.as_bytes();
    key.match_indices("AWSLogs/")
        .map(|(i, _)| i)
        .filter(|&i| i == 0 || matches!(bytes[i - 1], b'/' | b'!'))
        .last()
        .map(|i| &key[i..])
}

/// The `AWSLogs/…` key of a local path or archive member name (`\` separators on Windows).
pub fn local_key(name: &str) -> Option<String> {
    if cfg!(windows) {
        awslogs_tail(&name.replace('\\', "/")).map(str::to_owned)
    } else {
        awslogs_tail(name).map(str::to_owned)
    }
}

/// The last component of a key or path.
pub fn file_name(key: &str) -> &str {
    key.rsplit(['/', '!']).next().unwrap_or(key)
}

/// The other spelling of a log file's key: with `.gz` removed, or added (a file gunzipped
/// after download keeps its content, hence its hash).
pub fn toggled_gz(key: &str) -> String {
    match key.strip_suffix(".gz") {
        Some(plain) => plain.to_owned(),
        None => format!("{key}.gz"),
    }
}

/// The trail, account and region a digest belongs to: its digests form one hourly chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId {
    /// `AWSLogs/…/CloudTrail-Digest/<region>/<account>_CloudTrail-Digest_<region>_<trail>_<home>`.
    pub id: String,
    pub account: String,
    pub region: String,
    /// `<trail-name>_<home-region>` as it appears in the file name.
    pub trail: String,
}

/// Parsed from a digest key: the chain, the end time in the name, and whether it is a backfill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKeyParts {
    pub chain: ChainId,
    pub stamp: Option<i64>,
    pub backfill: bool,
}

/// Splits `AWSLogs/[o-id/]<account>/CloudTrail-Digest/<region>/Y/M/D/<file>`.
pub fn digest_key_parts(key: &str) -> Option<DigestKeyParts> {
    let parts: Vec<&str> = key.split('/').collect();
    let at = parts.iter().position(|p| *p == "CloudTrail-Digest")?;
    let account = *parts.get(at.checked_sub(1)?)?;
    let region = *parts.get(at + 1)?;
    let file = *parts.last()?;
    let stem = file.strip_suffix(".gz").unwrap_or(file);
    let stem = stem.strip_suffix(".json").unwrap_or(stem);
    let (stem, backfill) = match stem.strip_suffix("_backfill") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    let (head, stamp) = match stem.rsplit_once('_') {
        Some((head, stamp)) if digest_stamp(stamp).is_some() => (head, digest_stamp(stamp)),
        _ => (stem, None),
    };
    let trail = head.strip_prefix(&format!("{account}_CloudTrail-Digest_{region}_")).unwrap_or(head).to_owned();
    let id = format!("{}/{head}", parts[..=at + 1].join("/"));
    Some(DigestKeyParts {
        chain: ChainId { id, account: account.to_owned(), region: region.to_owned(), trail },
        stamp,
        backfill,
    })
}

/// `20240301T140000Z` → epoch milliseconds.
fn digest_stamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let text = format!("{}-{}-{}T{}:{}:{}Z", &s[0..4], &s[4..6], &s[6..8], &s[9..11], &s[11..13], &s[13..15]);
    parse_event_time(&text)
}

/// A CloudTrail log file as its name describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFileIdentity {
    pub account: String,
    pub region: String,
    /// The time in the name (delivery time, minute precision).
    pub time: Option<i64>,
    /// An Insights log file (`CloudTrail-Insight`) rather than a trail log file.
    pub insight: bool,
}

/// What the file name of a CloudTrail log file (trail or Insights) says, from its key or
/// path; `None` for anything else.
pub fn log_file_identity(key_or_name: &str) -> Option<LogFileIdentity> {
    let name = file_name(key_or_name);
    let mut fields = name.splitn(4, '_');
    let account = fields.next()?;
    let kind = fields.next()?;
    let region = fields.next()?;
    if !matches!(kind, "CloudTrail" | "CloudTrail-Insight") || account.is_empty() || region.is_empty() {
        return None;
    }
    Some(LogFileIdentity {
        account: account.to_owned(),
        region: region.to_owned(),
        time: crate::model::time::trail_file_key_time(&name.replacen(kind, "CloudTrail", 1)),
        insight: kind == "CloudTrail-Insight",
    })
}

/// A digest file as written by CloudTrail (only the fields verification uses).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestJson {
    #[serde(default)]
    pub aws_account_id: Option<String>,
    pub digest_start_time: Option<String>,
    pub digest_end_time: Option<String>,
    #[serde(rename = "digestS3Bucket")]
    pub digest_s3_bucket: Option<String>,
    #[serde(rename = "digestS3Object")]
    pub digest_s3_object: Option<String>,
    pub digest_public_key_fingerprint: Option<String>,
    pub digest_signature_algorithm: Option<String>,
    #[serde(rename = "previousDigestS3Object")]
    pub previous_digest_s3_object: Option<String>,
    pub previous_digest_hash_value: Option<String>,
    pub previous_digest_hash_algorithm: Option<String>,
    pub previous_digest_signature: Option<String>,
    #[serde(default)]
    pub log_files: Option<Vec<LogFileJson>>,
}

/// One `logFiles` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFileJson {
    #[serde(rename = "s3Object")]
    pub s3_object: Option<String>,
    pub hash_value: Option<String>,
    pub hash_algorithm: Option<String>,
    pub newest_event_time: Option<String>,
    pub oldest_event_time: Option<String>,
}

/// A log file as a digest lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The `AWSLogs/…` tail of `s3Object` (the whole value when it has none).
    pub key: String,
    pub hash: Option<String>,
    pub algorithm: Option<String>,
    pub oldest: Option<String>,
    pub newest: Option<String>,
}

/// A parsed, hashed digest file.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Where it was read (`archive!member` for archive members).
    pub name: String,
    /// The `AWSLogs/…` key of where it was read, when the path has one.
    pub local_key: Option<String>,
    /// The `AWSLogs/…` tail of `digestS3Object`: the digest's identity.
    pub key: String,
    /// `digestS3Object` and `digestS3Bucket` verbatim (they are signed).
    pub s3_object: String,
    pub bucket: String,
    pub start_text: String,
    pub end_text: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub fingerprint: Option<String>,
    pub algorithm: Option<String>,
    pub previous_key: Option<String>,
    pub previous_hash: Option<String>,
    pub previous_hash_algorithm: Option<String>,
    /// `None` when the JSON has `null` (the first digest of a chain).
    pub previous_signature: Option<String>,
    pub log_files: Vec<Listed>,
    /// SHA-256 of the uncompressed file.
    pub sha256: [u8; 32],
    pub parts: Option<DigestKeyParts>,
}

impl Digest {
    pub fn backfill(&self) -> bool {
        self.parts.as_ref().is_some_and(|p| p.backfill)
    }

    /// The chain this digest belongs to (its key's directory when the name is unusual).
    pub fn chain(&self) -> ChainId {
        match &self.parts {
            Some(p) => p.chain.clone(),
            None => {
                let dir = self.key.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
                ChainId { id: dir, account: String::new(), region: String::new(), trail: String::new() }
            }
        }
    }

    /// The string CloudTrail signs: end time, `bucket/object`, the hex SHA-256 of the
    /// uncompressed digest, and the previous digest's hex signature (`null` for the first).
    pub fn signing_string(&self) -> String {
        format!(
            "{}\n{}/{}\n{}\n{}",
            self.end_text,
            self.bucket,
            self.s3_object,
            hex(&self.sha256),
            self.previous_signature.as_deref().unwrap_or("null")
        )
    }
}

/// True when decompressed content looks like a digest file rather than a trail file.
pub fn looks_like_digest(content: &[u8]) -> bool {
    let head = &content[..content.len().min(4096)];
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    first == Some(&b'{')
        && (memchr::memmem::find(head, b"\"digestS3Object\"").is_some()
            || memchr::memmem::find(head, b"\"digestStartTime\"").is_some())
}

/// Parses an uncompressed digest read from `name`. The error says which field is wrong.
pub fn parse_digest(name: &str, content: &[u8], sha256: [u8; 32]) -> Result<Digest, String> {
    let json: DigestJson = serde_json::from_slice(content).map_err(|e| format!("not a readable digest file: {e}"))?;
    let s3_object = json.digest_s3_object.ok_or("the digest has no digestS3Object")?;
    let end_text = json.digest_end_time.ok_or("the digest has no digestEndTime")?;
    let start_text = json.digest_start_time.ok_or("the digest has no digestStartTime")?;
    let key = awslogs_tail(&s3_object).unwrap_or(&s3_object).to_owned();
    let log_files = json
        .log_files
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| {
            let object = f.s3_object?;
            Some(Listed {
                key: awslogs_tail(&object).unwrap_or(&object).to_owned(),
                hash: f.hash_value,
                algorithm: f.hash_algorithm,
                oldest: f.oldest_event_time,
                newest: f.newest_event_time,
            })
        })
        .collect();
    Ok(Digest {
        name: name.to_owned(),
        local_key: local_key(name),
        parts: digest_key_parts(&key),
        start: parse_event_time(&start_text),
        end: parse_event_time(&end_text),
        key,
        s3_object,
        bucket: json.digest_s3_bucket.unwrap_or_default(),
        start_text,
        end_text,
        fingerprint: json.digest_public_key_fingerprint,
        algorithm: json.digest_signature_algorithm,
        previous_key: json.previous_digest_s3_object.map(|o| awslogs_tail(&o).unwrap_or(&o).to_owned()),
        previous_hash: json.previous_digest_hash_value,
        previous_hash_algorithm: json.previous_digest_hash_algorithm,
        previous_signature: json.previous_digest_signature,
        log_files,
        sha256,
    })
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Decodes hex (either case, surrounding whitespace ignored); `None` if it is not hex.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().as_bytes();
    if !t.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    t.chunks(2).map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_compared_by_their_awslogs_tail() {
        assert_eq!(awslogs_tail("prefix/AWSLogs/1/CloudTrail/x.json.gz"), Some("AWSLogs/1/CloudTrail/x.json.gz"));
        assert_eq!(awslogs_tail("/cases/AWSLogs/o-1/AWSLogs/2/a"), Some("AWSLogs/2/a"));
        assert_eq!(awslogs_tail("b.zip!AWSLogs/2/a"), Some("AWSLogs/2/a"));
        assert_eq!(awslogs_tail("/x/MyAWSLogs/2/a"), None);
        assert_eq!(file_name("a.zip!AWSLogs/2/b.json.gz"), "b.json.gz");
        assert_eq!(toggled_gz("a.json.gz"), "a.json");
        assert_eq!(toggled_gz("a.json"), "a.json.gz");
    }

    #[test]
    fn digest_keys_name_their_chain() {
        let k = "AWSLogs/o-a1/111122223333/CloudTrail-Digest/us-east-1/2024/03/01/111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20240301T140000Z.json.gz";
        let p = digest_key_parts(k).unwrap();
        assert_eq!(p.chain.account, "111122223333");
        assert_eq!(p.chain.region, "us-east-1");
        assert_eq!(p.chain.trail, "org-trail_us-east-1");
        assert_eq!(
            p.chain.id,
            "AWSLogs/o-a1/111122223333/CloudTrail-Digest/us-east-1/111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1"
        );
        assert_eq!(p.stamp, parse_event_time("2024-03-01T14:00:00Z"));
        assert!(!p.backfill);
        let b = digest_key_parts(&k.replace(".json.gz", "_backfill.json.gz")).unwrap();
        assert!(b.backfill);
        assert_eq!(b.chain, p.chain);
    }

    #[test]
    fn log_files_are_recognised_by_name() {
        let id = log_file_identity(
            "AWSLogs/1/CloudTrail/eu-west-1/2024/03/01/1_CloudTrail_eu-west-1_20240301T1005Z_abc.json.gz",
        )
        .unwrap();
        assert_eq!((id.account.as_str(), id.region.as_str(), id.insight), ("1", "eu-west-1", false));
        assert_eq!(id.time, parse_event_time("2024-03-01T10:05:00Z"));
        let insight = log_file_identity("1_CloudTrail-Insight_us-east-1_20240301T0935Z_In5i.json.gz").unwrap();
        assert!(insight.insight);
        assert_eq!(insight.time, parse_event_time("2024-03-01T09:35:00Z"));
        assert!(log_file_identity("README.md").is_none());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(from_hex(" 00AB10\n"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
