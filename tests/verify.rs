//! `trailscope verify`: offline integrity validation against CloudTrail digest files.
//!
//! The fixture is a signed digest chain made by the project's generator
//! (`trailscope-gen --digests --sign-key`, with the throwaway key pair in
//! tests/fixtures/verify/) once per test process; each test copies it, damages the copy the
//! way an attacker or a bad download would, and checks the verdict, the finding and the exit
//! status. Expected values come from reading the fixture's digest files here, never from
//! trailscope. (The signatures themselves were cross-checked with `openssl dgst -verify`
//! when this suite was written.)

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use common::{fixture, trailscope, Run};

const EXIT_PROBLEMS: i32 = 3;

/// The generated, signed archive (regenerated once per test process).
fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify-fixture");
        let out = Command::new(env!("CARGO_BIN_EXE_trailscope-gen"))
            .args(["--events", "300", "--seed", "3", "--days", "1", "--accounts", "1", "--digests", "--force"])
            .arg("--sign-key")
            .arg(fixture("verify/test-private.pem"))
            .arg("--out")
            .arg(&dir)
            .output()
            .expect("run trailscope-gen");
        assert!(out.status.success(), "trailscope-gen failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A private copy of the generated archive: `root/AWSLogs/…` and `root/digest-signatures.txt`.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(generated(), dir.path());
    dir
}

fn files_under(root: &Path, part: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(part) && p.to_string_lossy().ends_with(".json.gz") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap()).read_to_end(&mut out).unwrap();
    out
}

fn gzip_to(path: &Path, data: &[u8]) {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    std::fs::write(path, enc.finish().unwrap()).unwrap();
}

/// The `AWSLogs/…` key of a path inside a copy.
fn key_of(path: &Path) -> String {
    let s = path.to_string_lossy();
    s[s.rfind("AWSLogs/").unwrap()..].to_owned()
}

/// A digest file of the fixture, parsed here (not by trailscope).
struct DigestFile {
    path: PathBuf,
    json: Value,
}

impl DigestFile {
    fn field(&self, name: &str) -> &str {
        self.json[name].as_str().unwrap_or_else(|| panic!("{name} in {}", self.path.display()))
    }
    fn listed(&self) -> Vec<String> {
        self.json["logFiles"].as_array().unwrap().iter().map(|f| f["s3Object"].as_str().unwrap().to_owned()).collect()
    }
}

fn digests(root: &Path) -> Vec<DigestFile> {
    files_under(root, "/CloudTrail-Digest/")
        .into_iter()
        .map(|path| DigestFile { json: serde_json::from_slice(&gunzip(&path)).unwrap(), path })
        .collect()
}

/// The longest chain (all in one region folder), oldest first.
fn main_chain(root: &Path) -> Vec<DigestFile> {
    let all = digests(root);
    let mut by_region: std::collections::BTreeMap<String, Vec<DigestFile>> = Default::default();
    for d in all {
        let region = d.path.parent().unwrap().parent().unwrap().parent().unwrap().parent().unwrap();
        by_region.entry(region.to_string_lossy().into_owned()).or_default().push(d);
    }
    let mut chain = by_region.into_values().max_by_key(|v| v.len()).unwrap();
    chain.sort_by(|a, b| a.field("digestEndTime").cmp(b.field("digestEndTime")));
    chain
}

/// A digest in the middle of the main chain that lists at least one log file.
fn middle_digest_with_files(chain: &[DigestFile]) -> usize {
    let mid = chain.len() / 2;
    (mid..chain.len() - 1).chain(1..mid).find(|&i| !chain[i].listed().is_empty()).expect("a digest with log files")
}

fn verify_json(args: &[&std::ffi::OsStr]) -> (Run, Value) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["verify".as_ref(), "--json".as_ref()];
    all.extend_from_slice(args);
    let run = trailscope(all);
    let json = run.json();
    (run, json)
}

fn findings<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == kind).collect()
}

fn failures(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "failure").collect()
}

fn count(report: &Value, name: &str) -> u64 {
    report["counts"][name].as_u64().unwrap_or_else(|| panic!("counts.{name} in {report}"))
}

fn key_args(root: &Path) -> Vec<std::ffi::OsString> {
    vec![
        "--public-key".into(),
        fixture("verify/test-public.pem").into(),
        "--signatures".into(),
        root.join("digest-signatures.txt").into(),
    ]
}

fn os(args: &[std::ffi::OsString]) -> Vec<&std::ffi::OsStr> {
    args.iter().map(|a| a.as_os_str()).collect()
}

#[test]
fn intact_archive_verifies_as_directory_tar_gz_and_zip() {
    let a = archive();
    let root = a.path();
    let logs = files_under(root, "/CloudTrail/");
    let all_digests = digests(root);
    let chains = main_chain(root);
    assert!(chains.len() >= 20, "the fixture should hold a day of hourly digests");

    let (run, report) = verify_json(&[root.as_os_str()]);
    run.assert_code(0);
    assert_eq!(report["verdict"], "intact", "{run}");
    assert!(failures(&report).is_empty(), "{run}");
    assert_eq!(count(&report, "digests"), all_digests.len() as u64);
    assert_eq!(count(&report, "log_files_listed"), logs.len() as u64);
    assert_eq!(count(&report, "log_files_intact"), logs.len() as u64);
    let chains = count(&report, "chains");
    assert_eq!(count(&report, "links_intact"), all_digests.len() as u64 - chains, "every digest but the first links");
    assert_eq!(report["checked"]["signatures"], "none");

    // The same tree inside a .tar.gz (gzip found by its magic bytes, not its name) and a .zip.
    let mut tar = tar::Builder::new(Vec::new());
    tar.append_dir_all("bundle", root.join("AWSLogs")).unwrap();
    let tgz = root.join("evidence.bin");
    gzip_to(&tgz, &tar.into_inner().unwrap());
    let (run, report) = verify_json(&[tgz.as_os_str()]);
    run.assert_code(0);
    assert_eq!(count(&report, "log_files_intact"), logs.len() as u64, "{run}");

    let zip_path = root.join("evidence.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for f in files_under(root, "AWSLogs/") {
        zip.start_file(format!("download/{}", key_of(&f)), opts).unwrap();
        zip.write_all(&std::fs::read(&f).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    let (run, report) = verify_json(&[zip_path.as_os_str()]);
    run.assert_code(0);
    assert_eq!(count(&report, "digests"), all_digests.len() as u64, "{run}");
}

#[test]
fn an_edited_log_file_is_modified() {
    let a = archive();
    let chain = main_chain(a.path());
    let d = &chain[middle_digest_with_files(&chain)];
    let key = d.listed()[0].clone();
    let path = a.path().join(&key);
    let mut json: Value = serde_json::from_slice(&gunzip(&path)).unwrap();
    json["Records"][0]["sourceIPAddress"] = "203.0.113.66".into();
    gzip_to(&path, &serde_json::to_vec(&json).unwrap());

    let (run, report) = verify_json(&[a.path().as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    assert_eq!(report["verdict"], "problems");
    let modified = findings(&report, "log_modified");
    assert_eq!(modified.len(), 1, "{run}");
    assert_eq!(modified[0]["key"], key.as_str());
    assert_eq!(modified[0]["digest"], key_of(&d.path).as_str());
    let expected = d.json["logFiles"][0]["hashValue"].as_str().unwrap();
    assert_eq!(modified[0]["expected"], expected);
    assert_ne!(modified[0]["actual"], expected);
    assert_eq!(count(&report, "log_files_modified"), 1);
    assert_eq!(failures(&report).len(), 1, "nothing else is wrong: {run}");
}

#[test]
fn a_deleted_log_file_is_missing_with_its_times() {
    let a = archive();
    let chain = main_chain(a.path());
    let d = &chain[middle_digest_with_files(&chain)];
    let entry = &d.json["logFiles"][0];
    let key = entry["s3Object"].as_str().unwrap();
    std::fs::remove_file(a.path().join(key)).unwrap();

    let (run, report) = verify_json(&[a.path().as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    let missing = findings(&report, "log_missing");
    assert_eq!(missing.len(), 1, "{run}");
    assert_eq!(missing[0]["key"], key);
    assert_eq!(missing[0]["from"], entry["oldestEventTime"]);
    assert_eq!(missing[0]["to"], entry["newestEventTime"]);
    assert_eq!(count(&report, "log_files_missing"), 1);
    assert_eq!(failures(&report).len(), 1, "{run}");
}

#[test]
fn a_digest_removed_from_the_middle_is_a_gap_with_its_times() {
    let a = archive();
    let chain = main_chain(a.path());
    let i = middle_digest_with_files(&chain);
    let removed = &chain[i];
    std::fs::remove_file(&removed.path).unwrap();

    let (run, report) = verify_json(&[a.path().as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    let missing = findings(&report, "digest_missing");
    assert_eq!(missing.len(), 1, "{run}");
    assert_eq!(missing[0]["key"], key_of(&removed.path).as_str());
    assert_eq!(missing[0]["digest"], key_of(&chain[i + 1].path).as_str(), "the digest that links to it");
    assert_eq!(missing[0]["from"], removed.field("digestStartTime"));
    assert_eq!(missing[0]["to"], removed.field("digestEndTime"));
    // Its log files are now in no digest, but inside the gap: reported, not blamed twice.
    let unlisted = findings(&report, "log_unlisted");
    assert_eq!(unlisted.len(), removed.listed().len(), "{run}");
    assert!(unlisted.iter().all(|f| f["severity"] == "notice"), "{run}");
    assert_eq!(failures(&report).len(), 1, "{run}");

    let text = trailscope(["verify".as_ref(), a.path().as_os_str()]);
    text.assert_code(EXIT_PROBLEMS);
    assert!(text.stdout.contains(removed.field("digestStartTime")), "{text}");
    assert!(text.stdout.contains("digest missing"), "{text}");
}

/// Copies a listed log file under a new name named for `stamp` (`YYYYMMDDTHHmmZ`).
fn plant_log_file(root: &Path, template_key: &str, stamp: &str, date_dir: &str) -> String {
    let name = template_key.rsplit('/').next().unwrap();
    let parts: Vec<&str> = name.splitn(5, '_').collect();
    let new_name = format!("{}_{}_{}_{stamp}_Planted00000000.json.gz", parts[0], parts[1], parts[2]);
    let dir_key = template_key.rsplitn(5, '/').nth(4).unwrap(); // AWSLogs/…/CloudTrail/<region>
    let key = format!("{dir_key}/{date_dir}/{new_name}");
    std::fs::create_dir_all(root.join(&key).parent().unwrap()).unwrap();
    std::fs::copy(root.join(template_key), root.join(&key)).unwrap();
    key
}

#[test]
fn an_extra_log_file_inside_the_period_is_a_failure_outside_it_a_notice() {
    let a = archive();
    let chain = main_chain(a.path());
    let d = &chain[middle_digest_with_files(&chain)];
    let template = d.listed()[0].clone();
    let stamp = template.rsplit('/').next().unwrap().split('_').nth(3).unwrap().to_owned();
    let date_dir =
        template.rsplitn(5, '/').skip(1).take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/");
    let planted = plant_log_file(a.path(), &template, &stamp, &date_dir);

    let (run, report) = verify_json(&[a.path().as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    let unlisted = findings(&report, "log_unlisted");
    assert_eq!(unlisted.len(), 1, "{run}");
    assert_eq!(unlisted[0]["key"], planted.as_str());
    assert_eq!(unlisted[0]["severity"], "failure");
    assert_eq!(count(&report, "log_files_unlisted_inside_period"), 1);
    assert_eq!(count(&report, "log_files_intact"), files_under(a.path(), "/CloudTrail/").len() as u64 - 1);

    // A file named for a week after the period: listed in no digest, but nothing covers it.
    let b = archive();
    let late = plant_log_file(b.path(), &template, "20261110T1200Z", "2026/11/10");
    let (run, report) = verify_json(&[b.path().as_os_str()]);
    run.assert_code(0);
    let unlisted = findings(&report, "log_unlisted");
    assert_eq!(unlisted.len(), 1, "{run}");
    assert_eq!(unlisted[0]["key"], late.as_str());
    assert_eq!(unlisted[0]["severity"], "notice");
    assert!(report["checked"]["not_checked"].to_string().contains("1 log files that no digest lists"), "{run}");
}

#[test]
fn a_tampered_digest_breaks_the_chain_and_its_signature() {
    let a = archive();
    let chain = main_chain(a.path());
    let i = middle_digest_with_files(&chain);
    let d = &chain[i];
    // Hide a log file: drop its entry from the digest.
    let hidden = d.listed()[0].clone();
    let mut json = d.json.clone();
    json["logFiles"].as_array_mut().unwrap().remove(0);
    gzip_to(&d.path, &serde_json::to_vec(&json).unwrap());
    let digest_key = key_of(&d.path);

    let (run, report) = verify_json(&[a.path().as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    let broken = findings(&report, "link_broken");
    assert_eq!(broken.len(), 1, "{run}");
    assert_eq!(broken[0]["key"], digest_key.as_str());
    assert_eq!(broken[0]["digest"], key_of(&chain[i + 1].path).as_str());
    assert_eq!(broken[0]["expected"], chain[i + 1].field("previousDigestHashValue"));
    assert_eq!(broken[0]["from"], d.field("digestStartTime"));
    assert_eq!(broken[0]["to"], d.field("digestEndTime"));
    // The hidden file is now listed nowhere, inside the covered period.
    let unlisted = findings(&report, "log_unlisted");
    assert_eq!(unlisted.len(), 1, "{run}");
    assert_eq!(unlisted[0]["key"], hidden.as_str());
    assert_eq!(unlisted[0]["severity"], "failure");

    // With the key, the tampered digest's signature fails (both the metadata signature and
    // the one the next digest recorded); every other digest still verifies.
    let args = key_args(a.path());
    let mut all = vec![a.path().as_os_str()];
    all.extend(os(&args));
    let (run, report) = verify_json(&all);
    run.assert_code(EXIT_PROBLEMS);
    let invalid = findings(&report, "signature_invalid");
    assert_eq!(invalid.len(), 2, "{run}");
    assert!(invalid.iter().all(|f| f["key"] == digest_key.as_str()), "{run}");
    assert_eq!(count(&report, "signatures_invalid"), 1);
    assert_eq!(count(&report, "signatures_valid"), count(&report, "digests") - 1);
    let summary = report["digests"].as_array().unwrap().iter().find(|s| s["key"] == digest_key.as_str()).unwrap();
    assert_eq!(summary["signature"], "invalid");
}

#[test]
fn signatures_verify_with_the_right_key_in_every_key_form() {
    let a = archive();
    let root = a.path();
    let n = digests(root).len() as u64;
    let args = key_args(root);
    let mut all = vec![root.as_os_str()];
    all.extend(os(&args));
    let (run, report) = verify_json(&all);
    run.assert_code(0);
    assert_eq!(count(&report, "signatures_valid"), n, "{run}");
    assert_eq!(report["checked"]["signatures"], "all");
    assert!(report["digests"].as_array().unwrap().iter().all(|d| d["signature"] == "valid"));

    // The PKCS#1 DER form, and the JSON `aws cloudtrail list-public-keys` prints (base64
    // DER with its fingerprint), give the same result.
    use base64ct::Encoding;
    let der = std::fs::read(fixture("verify/test-public-pkcs1.der")).unwrap();
    let fingerprint = digests(root)[0].field("digestPublicKeyFingerprint").to_owned();
    let listed = serde_json::json!({"PublicKeyList": [
        {"Value": base64ct::Base64::encode_string(&der), "ValidityStartTime": "2026-01-01T00:00:00Z",
         "ValidityEndTime": "2027-01-01T00:00:00Z", "Fingerprint": fingerprint}]});
    let list_path = root.join("public-keys.json");
    std::fs::write(&list_path, listed.to_string()).unwrap();
    for key in [fixture("verify/test-public-pkcs1.der"), list_path] {
        let sigs = root.join("digest-signatures.txt");
        let run = trailscope([
            "verify".as_ref(),
            "--json".as_ref(),
            root.join("AWSLogs").as_os_str(),
            "--public-key".as_ref(),
            key.as_os_str(),
            "--signatures".as_ref(),
            sigs.as_os_str(),
        ]);
        run.assert_code(0);
        assert_eq!(count(&run.json(), "signatures_valid"), n, "{run}");
    }
}

#[test]
fn sidecars_and_the_chain_supply_signatures() {
    let a = archive();
    let root = a.path();
    // Only the newest digest of each chain gets its metadata signature, as a `.sig`
    // sidecar; every older digest is verified with the signature its successor recorded.
    let sigs: std::collections::HashMap<String, String> = std::fs::read_to_string(root.join("digest-signatures.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (k, s) = l.split_once(' ').unwrap();
            (k.to_owned(), s.to_owned())
        })
        .collect();
    let all = digests(root);
    let newest: Vec<&DigestFile> = all
        .iter()
        .filter(|d| !all.iter().any(|n| n.json["previousDigestS3Object"] == d.field("digestS3Object")))
        .collect();
    for d in &newest {
        let sig = &sigs[d.field("digestS3Object")];
        std::fs::write(format!("{}.sig", d.path.display()), format!("{sig}\n")).unwrap();
    }
    let key = fixture("verify/test-public.pem");
    let (run, report) = verify_json(&[root.join("AWSLogs").as_os_str(), "--public-key".as_ref(), key.as_os_str()]);
    run.assert_code(0);
    assert_eq!(count(&report, "signatures_valid"), all.len() as u64, "{run}");
    assert_eq!(count(&report, "other_files"), 0, "sidecars are not reported as stray files: {run}");

    // Without the sidecars the newest digests cannot be checked: said so, not "valid".
    for d in &newest {
        std::fs::remove_file(format!("{}.sig", d.path.display())).unwrap();
    }
    let (run, report) = verify_json(&[root.join("AWSLogs").as_os_str(), "--public-key".as_ref(), key.as_os_str()]);
    run.assert_code(0);
    assert_eq!(count(&report, "signatures_not_checked"), newest.len() as u64, "{run}");
    assert_eq!(report["checked"]["signatures"], "some");
    let unchecked = report["digests"].as_array().unwrap().iter().filter(|d| d["signature"] == "not_checked");
    assert!(unchecked.clone().all(|d| d["signature_detail"].as_str().unwrap().contains("no signature available")));
}

#[test]
fn a_wrong_key_fails_every_signature() {
    let a = archive();
    let root = a.path();
    let sigs = root.join("digest-signatures.txt");
    let key = fixture("verify/other-public.pem");
    let (run, report) = verify_json(&[
        root.join("AWSLogs").as_os_str(),
        "--public-key".as_ref(),
        key.as_os_str(),
        "--signatures".as_ref(),
        sigs.as_os_str(),
    ]);
    run.assert_code(EXIT_PROBLEMS);
    assert_eq!(count(&report, "signatures_invalid"), count(&report, "digests"), "{run}");
    assert_eq!(count(&report, "signatures_valid"), 0);
}

#[test]
fn without_keys_signatures_are_not_checked_and_never_called_valid() {
    let a = archive();
    let run = trailscope(["verify".as_ref(), a.path().as_os_str()]);
    run.assert_code(0);
    assert!(run.stdout.contains("signatures    not checked (no --public-key given)"), "{run}");
    assert!(run.stdout.contains("Verdict: INTACT"), "{run}");
    assert!(!run.stdout.to_lowercase().contains("valid signature"), "{run}");
    assert!(run.stdout.contains("digest signatures (give --public-key"), "{run}");
    let (_, report) = verify_json(&[a.path().as_os_str()]);
    assert!(report["digests"].as_array().unwrap().iter().all(|d| d["signature"] == "not_checked"));
    assert_eq!(count(&report, "signatures_valid"), 0);
}

#[test]
fn gunzipped_and_flattened_copies_still_pair_with_their_digests() {
    let a = archive();
    let root = a.path();
    // A log file gunzipped after download keeps its content, hence its hash.
    let log = files_under(root, "/CloudTrail/")[0].clone();
    let plain = PathBuf::from(log.to_string_lossy().trim_end_matches(".gz"));
    std::fs::write(&plain, gunzip(&log)).unwrap();
    std::fs::remove_file(&log).unwrap();
    // Everything copied into one flat folder (no AWSLogs/ tree): paired by file name.
    let flat = root.join("flat");
    std::fs::create_dir(&flat).unwrap();
    let mut stack = vec![root.join("AWSLogs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                std::fs::copy(&p, flat.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    for dir in [root.join("AWSLogs"), flat] {
        let (run, report) = verify_json(&[dir.as_os_str()]);
        run.assert_code(0);
        assert_eq!(count(&report, "log_files_intact"), count(&report, "log_files_listed"), "{run}");
        assert_eq!(count(&report, "log_files_listed"), files_under(root, "/CloudTrail/").len() as u64 + 1);
    }
}

#[test]
fn no_digests_means_nothing_verified() {
    let dir = tempfile::tempdir().unwrap();
    let log = files_under(generated(), "/CloudTrail/")[0].clone();
    std::fs::copy(&log, dir.path().join(log.file_name().unwrap())).unwrap();
    let run = trailscope(["verify".as_ref(), dir.path().as_os_str()]);
    run.assert_code(1);
    assert!(run.stdout.contains("NOTHING VERIFIED"), "{run}");
}

#[test]
fn unreadable_keys_and_signature_files_are_usage_errors() {
    let a = archive();
    let missing = a.path().join("no-such-key.pem");
    let run = trailscope(["verify".as_ref(), a.path().as_os_str(), "--public-key".as_ref(), missing.as_os_str()]);
    run.assert_code(2);
    let bad = a.path().join("bad-signatures.txt");
    std::fs::write(&bad, "AWSLogs/x.json.gz not-hex\n").unwrap();
    let run = trailscope(["verify".as_ref(), a.path().as_os_str(), "--signatures".as_ref(), bad.as_os_str()]);
    run.assert_code(2);
    assert!(run.stderr.contains("bad-signatures.txt:1"), "{run}");
}

#[test]
fn hostile_file_names_are_printed_escaped() {
    let a = archive();
    let dir = a.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02");
    std::fs::create_dir_all(&dir).unwrap();
    let name = "111122223333_CloudTrail_us-east-1_20261102T1005Z_\u{1b}]52;c;ZXZpbA==\u{7}\u{202e}x.json.gz";
    std::fs::copy(&files_under(a.path(), "/CloudTrail/")[0], dir.join(name)).unwrap();
    let run = trailscope(["verify".as_ref(), a.path().as_os_str()]);
    run.assert_code(0);
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{202e}'), "{run}");
    assert!(run.stdout.contains("\\u{1b}]52;c;ZXZpbA==\\u{7}\\u{202e}x.json.gz"), "{run}");
}

#[test]
fn the_elastic_digest_sample_is_parsed_and_its_log_files_reported_missing() {
    let dir = common::manifest_dir().join(
        "../shared/corpora/elastic-transcribed/integrations/packages/aws/data_stream/cloudtrail/_dev/test/pipeline",
    );
    if !dir.join("test-cloudtrail-digest-json.log").exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let (run, report) = verify_json(&[dir.as_os_str()]);
    run.assert_code(EXIT_PROBLEMS);
    assert_eq!(count(&report, "digests"), 1, "{run}");
    assert_eq!(count(&report, "log_files_listed"), 3);
    assert_eq!(count(&report, "log_files_missing"), 3);
    let d = &report["digests"][0];
    assert_eq!(d["key"], "AWSLogs/123456789123/CloudTrail-Digest/us-west-2/2020/09/11/123456789123_CloudTrail-Digest_us-west-2_leh-ct-test_us-west-2_20200911T193649Z.json.gz");
    assert_eq!(d["start"], "2020-09-11T18:36:49Z");
    assert_eq!(d["link"], "edge", "its previous digest is not among the inputs");
    let missing: Vec<&str> = findings(&report, "log_missing").iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert!(missing.iter().any(|k| k.ends_with("_20200911T1835Z_OPJhVNodH1gY760s.json.gz")), "{missing:?}");
}
