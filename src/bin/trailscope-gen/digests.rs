//! `--digests`: the hourly digest files CloudTrail writes when log file validation is on,
//! for the trail files the writer produced.
//!
//! One chain per (account, region) that has files: a digest every hour from just before the
//! period until the last delivery (empty hours included, with `logFiles: []`), each listing
//! the files delivered in its hour with the SHA-256 of their uncompressed content and
//! linking to the previous digest by key, SHA-256 of its uncompressed bytes and signature;
//! the first digest of a chain has those fields `null`. Hours are not aligned to the clock
//! (each chain gets its own minute and second, as real trails do), and a file is delivered
//! a few seconds after the time in its name.
//!
//! With `--sign-key`, every digest is signed like CloudTrail does (SHA256withRSA over
//! end time, `bucket/key`, the digest's hex SHA-256 and the previous signature or `null`)
//! and the signatures, which CloudTrail keeps in S3 object metadata, are written to
//! `OUT/digest-signatures.txt` in `trailscope verify --signatures` format. Without a key the
//! signatures are random hex (the chain's shape is right, but nothing verifies).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{anyhow, Context as _, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest as _, Sha256};

use crate::clock;
use crate::json;
use crate::rng::{Rng, HEX};
use crate::writer::Delivered;

/// The (fictional) bucket the trail delivers to.
pub const BUCKET: &str = "trailscope-gen-cloudtrail";
const TRAIL: &str = "management-events";
const HOME_REGION: &str = "us-east-1";
const HOUR: i64 = 3600;
/// Where the signatures go when digests are signed.
pub const SIGNATURES_FILE: &str = "digest-signatures.txt";

/// An RSA private key to sign digests with.
pub struct Signer {
    key: RsaPrivateKey,
    /// Written as `digestPublicKeyFingerprint`: the first 128 bits of the SHA-256 of the
    /// public key's PKCS#1 DER, in hex (the generator's own convention).
    fingerprint: String,
}

impl Signer {
    /// Reads a PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
    pub fn load(path: &Path) -> Result<Self> {
        let pem = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let key = RsaPrivateKey::from_pkcs8_pem(&pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&pem))
            .map_err(|e| anyhow!("{} is not a PEM RSA private key: {e}", path.display()))?;
        let der = key.to_public_key().to_pkcs1_der().map_err(|e| anyhow!("encoding the public key: {e}"))?;
        let fingerprint = hex(&Sha256::digest(der.as_bytes())[..16]);
        Ok(Signer { key, fingerprint })
    }

    fn sign(&self, message: &str) -> Result<String> {
        let hashed = Sha256::digest(message.as_bytes());
        let signature =
            self.key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed).map_err(|e| anyhow!("signing a digest: {e}"))?;
        Ok(hex(&signature))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct DigestStats {
    pub chains: u64,
    pub digests: u64,
}

/// The previous digest of a chain, as the next one records it.
struct Previous {
    key: String,
    sha256: String,
    signature: String,
}

/// Writes the digest chains for `files` under `root/AWSLogs`; `end` is the end of the
/// generated period (digests continue at least until then).
pub fn write(
    root: &Path,
    accounts: &[String],
    files: &[Delivered],
    end: i64,
    signer: Option<&Signer>,
    rng: &mut Rng,
) -> Result<DigestStats> {
    let mut chains: BTreeMap<(usize, &'static str), Vec<&Delivered>> = BTreeMap::new();
    for f in files {
        chains.entry((f.account, f.region)).or_default().push(f);
    }
    let fingerprint = match signer {
        Some(s) => s.fingerprint.clone(),
        None => rng.chars(32, HEX),
    };
    let mut stats = DigestStats::default();
    let mut signatures = String::new();
    for ((account, region), mut chain) in chains {
        chain.sort_by(|a, b| (a.named, &a.key).cmp(&(b.named, &b.key)));
        let delivered: Vec<(i64, &Delivered)> =
            chain.iter().map(|f| (f.named + 5 + rng.below(85) as i64, *f)).collect();
        let first_file = delivered.iter().map(|d| d.0).min().unwrap_or(end);
        let last_file = delivered.iter().map(|d| d.0).max().unwrap_or(end);
        // The first digest starts up to an hour before the first delivery, at this chain's
        // own minute and second.
        let t0 = first_file - HOUR + rng.below(HOUR as u64) as i64;
        let t0 = if t0 > first_file { t0 - HOUR } else { t0 };
        let until = last_file.max(end);
        let acct = &accounts[account];
        let mut previous: Option<Previous> = None;
        let mut start = t0;
        stats.chains += 1;
        while start <= until {
            let stop = start + HOUR;
            let mut listed: Vec<&Delivered> =
                delivered.iter().filter(|(t, _)| *t >= start && *t < stop).map(|(_, f)| *f).collect();
            listed.sort_by(|a, b| a.key.cmp(&b.key));
            let key = format!(
                "AWSLogs/{acct}/CloudTrail-Digest/{region}/{}/{acct}_CloudTrail-Digest_{region}_{TRAIL}_{HOME_REGION}_{}.json.gz",
                clock::date_path(stop),
                clock::digest_stamp(stop)
            );
            let newest = listed.iter().map(|f| f.newest_event).max().map(clock::iso);
            let oldest = listed.iter().map(|f| f.oldest_event).min().map(clock::iso);
            let body = json::object(|o| {
                o.str("awsAccountId", acct)
                    .str("digestStartTime", &clock::iso(start))
                    .str("digestEndTime", &clock::iso(stop))
                    .str("digestS3Bucket", BUCKET)
                    .str("digestS3Object", &key)
                    .str("digestPublicKeyFingerprint", &fingerprint)
                    .str("digestSignatureAlgorithm", "SHA256withRSA")
                    .raw("newestEventTime", newest.map(|t| format!("\"{t}\"")).as_deref())
                    .raw("oldestEventTime", oldest.map(|t| format!("\"{t}\"")).as_deref());
                match &previous {
                    Some(p) => {
                        o.str("previousDigestS3Bucket", BUCKET)
                            .str("previousDigestS3Object", &p.key)
                            .str("previousDigestHashValue", &p.sha256)
                            .str("previousDigestHashAlgorithm", "SHA-256")
                            .str("previousDigestSignature", &p.signature);
                    }
                    None => {
                        o.raw("previousDigestS3Bucket", None)
                            .raw("previousDigestS3Object", None)
                            .raw("previousDigestHashValue", None)
                            .raw("previousDigestHashAlgorithm", None)
                            .raw("previousDigestSignature", None);
                    }
                }
                o.arr("logFiles", |a| {
                    for f in &listed {
                        a.obj(|o| {
                            o.str("s3Bucket", BUCKET)
                                .str("s3Object", &f.key)
                                .str("hashValue", &hex(&f.sha256))
                                .str("hashAlgorithm", "SHA-256")
                                .str("newestEventTime", &clock::iso(f.newest_event))
                                .str("oldestEventTime", &clock::iso(f.oldest_event));
                        });
                    }
                });
            });
            let sha256 = hex(&Sha256::digest(body.as_bytes()));
            let previous_signature = previous.as_ref().map_or("null", |p| p.signature.as_str());
            let signature = match signer {
                Some(s) => {
                    let message = format!("{}\n{BUCKET}/{key}\n{sha256}\n{previous_signature}", clock::iso(stop));
                    let sig = s.sign(&message)?;
                    signatures.push_str(&format!("{key} {sig}\n"));
                    sig
                }
                None => rng.chars(512, HEX),
            };
            let path = root.join(&key);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut enc = GzEncoder::new(Vec::new(), Compression::new(6));
            enc.write_all(body.as_bytes())?;
            fs::write(&path, enc.finish()?).with_context(|| format!("writing {}", path.display()))?;
            stats.digests += 1;
            previous = Some(Previous { key, sha256, signature });
            start = stop;
        }
    }
    if signer.is_some() {
        let path = root.join(SIGNATURES_FILE);
        let header = "# Digest signatures (the S3 object metadata `signature` CloudTrail sets on each digest),\n\
                      # for `trailscope verify --signatures`: <digest S3 key> <hex SHA256withRSA signature>\n";
        fs::write(&path, format!("{header}{signatures}")).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(stats)
}
