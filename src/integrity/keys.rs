//! The inputs of signature checking, which live outside the digest files: the public keys
//! (CloudTrail's, from `aws cloudtrail list-public-keys`, or any RSA key) and each digest's
//! own signature (S3 object metadata `signature`, saved by the user), plus the check itself:
//! `SHA256withRSA` (RSASSA-PKCS1-v1_5 with SHA-256) over [`Digest::signing_string`].
//!
//! Accepted key files: PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`, several blocks allowed), DER
//! (SubjectPublicKeyInfo or PKCS#1), the base64 DER text of one key, or the JSON that
//! `aws cloudtrail list-public-keys` prints (its `Fingerprint` then selects the key for
//! each digest's `digestPublicKeyFingerprint`). A key without a known fingerprint is tried
//! for any digest whose fingerprint matches no key.
//!
//! Signatures: a `--signatures` file of lines `<digest S3 key, s3:// URL or file name>
//! <hex signature> [<algorithm>]` (`#` comments), and `<digest file>.sig` sidecars holding
//! the hex signature, or the JSON of `aws s3api head-object` (its `Metadata.signature`).

use base64ct::{Base64, Encoding};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::digest::{awslogs_tail, file_name, from_hex, Digest};

/// The only algorithm CloudTrail uses for digests.
pub const SHA256_WITH_RSA: &str = "SHA256withRSA";

/// One RSA public key and where it came from.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// `FILE` or `FILE#n` for the n-th key of a file with several.
    pub source: String,
    /// Lower-case hex fingerprint, when the key file said it.
    pub fingerprint: Option<String>,
    key: RsaPublicKey,
}

impl PublicKey {
    /// True when `signature` is a valid SHA256withRSA signature of `message` by this key.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message), signature).is_ok()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPublicKeys {
    public_key_list: Vec<ListedKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedKey {
    value: String,
    fingerprint: Option<String>,
}

fn der_key(der: &[u8]) -> Option<RsaPublicKey> {
    RsaPublicKey::from_pkcs1_der(der).ok().or_else(|| RsaPublicKey::from_public_key_der(der).ok())
}

/// Reads the public keys of one file (see the module docs for the forms accepted).
pub fn load_public_keys(path: &std::path::Path) -> Result<Vec<PublicKey>, String> {
    let display = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {display}: {e}"))?;
    let text = std::str::from_utf8(&bytes).ok().map(str::trim);
    let mut keys = Vec::new();
    let push = |key: RsaPublicKey, fingerprint: Option<String>, keys: &mut Vec<PublicKey>| {
        keys.push(PublicKey { source: display.clone(), fingerprint: fingerprint.map(|f| f.to_ascii_lowercase()), key });
    };
    match text {
        Some(t) if t.starts_with("-----BEGIN") => {
            for block in t.split("-----BEGIN").filter(|b| !b.trim().is_empty()) {
                let pem = format!("-----BEGIN{block}");
                let label = block.trim_start().trim_start_matches('-').trim_start();
                let key = if label.starts_with("RSA PUBLIC KEY") {
                    RsaPublicKey::from_pkcs1_pem(pem.trim()).map_err(|e| e.to_string())
                } else if label.starts_with("PUBLIC KEY") {
                    RsaPublicKey::from_public_key_pem(pem.trim()).map_err(|e| e.to_string())
                } else {
                    continue; // certificates, private keys: not what we need
                };
                push(key.map_err(|e| format!("{display}: not a usable RSA public key: {e}"))?, None, &mut keys);
            }
        }
        Some(t) if t.starts_with('{') => {
            let list: ListPublicKeys = serde_json::from_str(t)
                .map_err(|e| format!("{display}: not the JSON of `aws cloudtrail list-public-keys`: {e}"))?;
            for k in list.public_key_list {
                let der = Base64::decode_vec(k.value.trim())
                    .map_err(|_| format!("{display}: a PublicKeyList Value is not base64"))?;
                let key = der_key(&der).ok_or_else(|| format!("{display}: a PublicKeyList Value is not an RSA key"))?;
                push(key, k.fingerprint, &mut keys);
            }
        }
        Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=\r\n".contains(&b)) => {
            let der = Base64::decode_vec(&t.replace(['\r', '\n'], ""))
                .map_err(|_| format!("{display}: neither PEM, DER, JSON nor base64"))?;
            push(der_key(&der).ok_or_else(|| format!("{display}: not an RSA public key"))?, None, &mut keys);
        }
        _ => push(
            der_key(&bytes)
                .ok_or_else(|| format!("{display}: not an RSA public key (PEM, DER, list-public-keys JSON)"))?,
            None,
            &mut keys,
        ),
    }
    if keys.is_empty() {
        return Err(format!("{display}: no RSA public key in it"));
    }
    if keys.len() > 1 {
        for (i, k) in keys.iter_mut().enumerate() {
            k.source = format!("{}#{}", k.source, i + 1);
        }
    }
    Ok(keys)
}

/// The keys to try for a digest: those whose fingerprint matches, else those whose
/// fingerprint is unknown.
pub fn candidate_keys<'k>(keys: &'k [PublicKey], fingerprint: Option<&str>) -> Vec<&'k PublicKey> {
    let wanted = fingerprint.map(str::to_ascii_lowercase);
    let matching: Vec<_> = keys.iter().filter(|k| k.fingerprint.is_some() && k.fingerprint == wanted).collect();
    if !matching.is_empty() {
        return matching;
    }
    keys.iter().filter(|k| k.fingerprint.is_none()).collect()
}

/// Which digest a supplied signature is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureTarget {
    /// An `AWSLogs/…` key tail.
    Key(String),
    /// A bare file name.
    Name(String),
    /// A sidecar's digest: the exact display name of the file beside it.
    Beside(String),
}

impl SignatureTarget {
    pub fn matches(&self, d: &Digest) -> bool {
        match self {
            SignatureTarget::Key(k) => *k == d.key || d.local_key.as_deref() == Some(k.as_str()),
            SignatureTarget::Name(n) => n == file_name(&d.key) || n == file_name(&d.name),
            SignatureTarget::Beside(name) => *name == d.name,
        }
    }
}

/// A digest signature supplied by the user.
#[derive(Debug, Clone)]
pub struct SuppliedSignature {
    pub target: SignatureTarget,
    pub hex: String,
    pub algorithm: Option<String>,
    /// `FILE:LINE` or the sidecar's name.
    pub source: String,
}

/// Reads a `--signatures` file.
pub fn load_signatures(path: &std::path::Path) -> Result<Vec<SuppliedSignature>, String> {
    let display = path.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {display}: {e}"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (target, hex, algorithm) = match fields[..] {
            [t, h] => (t, h, None),
            [t, h, a] => (t, h, Some(a.to_owned())),
            _ => {
                return Err(format!(
                    "{display}:{}: expected `<digest key or file name> <hex signature> [algorithm]`",
                    i + 1
                ))
            }
        };
        if from_hex(hex).is_none() {
            return Err(format!("{display}:{}: the signature is not hex", i + 1));
        }
        out.push(SuppliedSignature {
            target: target_of(target),
            hex: hex.to_owned(),
            algorithm,
            source: format!("{display}:{}", i + 1),
        });
    }
    Ok(out)
}

fn target_of(text: &str) -> SignatureTarget {
    match awslogs_tail(text) {
        Some(tail) => SignatureTarget::Key(tail.to_owned()),
        None => SignatureTarget::Name(file_name(text).to_owned()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HeadObject {
    metadata: std::collections::HashMap<String, String>,
}

/// Reads a `<digest>.sig` sidecar named `name`: hex, or `aws s3api head-object` JSON.
pub fn parse_sidecar(name: &str, content: &[u8]) -> Result<SuppliedSignature, String> {
    let digest_name = name.strip_suffix(".sig").unwrap_or(name).to_owned();
    let text = std::str::from_utf8(content).map_err(|_| "the signature sidecar is not text".to_owned())?.trim();
    let (hex, algorithm) = if text.starts_with('{') {
        let head: HeadObject =
            serde_json::from_str(text).map_err(|e| format!("the signature sidecar is not head-object JSON: {e}"))?;
        let hex = head.metadata.get("signature").cloned().ok_or("the head-object JSON has no Metadata.signature")?;
        (hex, head.metadata.get("signature-algorithm").cloned())
    } else {
        (text.to_owned(), None)
    };
    if from_hex(&hex).is_none() {
        return Err("the signature sidecar does not hold a hex signature".to_owned());
    }
    Ok(SuppliedSignature { target: SignatureTarget::Beside(digest_name), hex, algorithm, source: name.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_lines_name_digests_by_key_url_or_file_name() {
        assert_eq!(
            target_of("s3://bucket/p/AWSLogs/1/CloudTrail-Digest/x.json.gz"),
            SignatureTarget::Key("AWSLogs/1/CloudTrail-Digest/x.json.gz".into())
        );
        assert_eq!(target_of("x.json.gz"), SignatureTarget::Name("x.json.gz".into()));
        assert_eq!(target_of("/tmp/dl/x.json.gz"), SignatureTarget::Name("x.json.gz".into()));
    }

    #[test]
    fn sidecars_hold_hex_or_head_object_json() {
        let s = parse_sidecar("d/x.json.gz.sig", b"  0aFF\n").unwrap();
        assert_eq!(s.target, SignatureTarget::Beside("d/x.json.gz".into()));
        assert_eq!(s.hex, "0aFF");
        let j = br#"{"AcceptRanges":"bytes","Metadata":{"signature":"00ab","signature-algorithm":"SHA256withRSA"}}"#;
        let s = parse_sidecar("x.sig", j).unwrap();
        assert_eq!((s.hex.as_str(), s.algorithm.as_deref()), ("00ab", Some(SHA256_WITH_RSA)));
        assert!(parse_sidecar("x.sig", b"not hex").is_err());
    }
}
