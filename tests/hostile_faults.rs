//! Faults while reading and writing (issue 7): inputs that vanish or cannot be read are
//! load-report entries, archive member names that try to escape the folder write nothing
//! anywhere (trailscope never extracts), and a full disk fails the export cleanly.
//!
//! Not here: a closed stdout during export (tests/export.rs `closed_stdout_pipe_ends_quietly`);
//! a file deleted between the walk and the read cannot be timed reliably, so a dangling
//! symlink (listed by the walk, fails to open) stands in for it; a full disk under `-o`
//! needs a small filesystem (privileges), so only stdout on `/dev/full` is tested.

mod common;
mod hostile;

use std::collections::BTreeSet;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use hostile::*;

fn write_good(dir: &Path) -> PathBuf {
    let p = dir.join("good.json");
    std::fs::write(&p, records_file(&[record("good-1"), record("good-2")])).unwrap();
    p
}

#[test]
fn dangling_symlink_is_an_io_entry_and_the_rest_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_good(dir);
    symlink(dir.join("vanished.json.gz"), dir.join("gone.json.gz")).unwrap();

    // Found by the walk.
    let run = stats([dir]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 2, "{got:#}");
    let entries = report_for(&got, "gone.json.gz");
    assert_eq!(kinds(&entries), ["io"], "{:#}", got["report"]);

    // Named on the command line.
    let run = stats([dir.join("gone.json.gz"), dir.join("good.json")]);
    run.assert_code(0);
    let got = run.json();
    assert_eq!(kinds(&report_for(&got, "gone.json.gz")), ["io"], "{:#}", got["report"]);
    assert_eq!(int(&got, "events"), 2);

    // Alone: nothing loaded, exit 1 with a message.
    let run = stats([dir.join("gone.json.gz")]);
    run.assert_code(1);
    assert!(!run.stderr.trim().is_empty(), "{run}");
}

/// Ignored by default for the same reason as `unreadable_file_is_an_io_entry` in
/// cli_failures.rs: root (CI) can read any directory. Run as a normal user with `--ignored`.
#[test]
#[ignore = "needs a non-root user: root reads directories of any mode"]
fn unreadable_directory_is_an_io_entry_and_the_rest_loads() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_good(dir);
    let locked = dir.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inside.json"), records_file(&[record("hidden-1")])).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_ok() {
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        panic!("mode 000 did not deny listing the directory: running as root?");
    }
    let run = stats([dir]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    run.assert_code(0);
    let got = run.json();
    assert_eq!(int(&got, "events"), 2, "{got:#}");
    let entries: Vec<&serde_json::Value> =
        report(&got).iter().filter(|e| e["path"].as_str().is_some_and(|p| p.contains("locked"))).collect();
    assert!(!entries.is_empty(), "no entry for the unreadable directory: {:#}", got["report"]);
    assert_eq!(kinds(&entries), vec!["io"; entries.len()]);
}

/// A tar whose member names are written into the header as given (the tar crate's
/// builder refuses `..`, attackers' tools do not).
fn raw_tar(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in members {
        let mut header = tar::Header::new_gnu();
        let raw = &mut header.as_gnu_mut().unwrap().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, &data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Every file and folder under `root`, relative.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
    out
}

const ESCAPING: [&str; 5] = [
    "../../etc/evil.json",
    "/abs/path.json",
    "../../../../../../../../tmp/ts-evil.json",
    "a/../../b.json",
    "..\\..\\win.json",
];

#[test]
fn member_names_that_escape_the_folder_write_nothing_and_are_shown_as_members() {
    let tmp = tempfile::tempdir().unwrap();
    // tmp/outer/a/b/work/: `../../etc/evil.json` from work/ would land in tmp/outer/a/etc/.
    let work = tmp.path().join("outer/a/b/work");
    std::fs::create_dir_all(&work).unwrap();
    let abs_existed = Path::new("/abs").exists();
    let tmp_evil_existed = Path::new("/tmp/ts-evil.json").exists();

    let mut zip_members = Vec::new();
    let mut tar_members = Vec::new();
    for (i, name) in ESCAPING.iter().enumerate() {
        let data = records_file(&[record(&format!("esc-{i}"))]);
        zip_members.push(ZipMember::stored(name.as_bytes(), &data));
        tar_members.push((*name, data));
    }
    // Not CloudTrail, so that the names appear in the load report.
    zip_members.push(ZipMember::stored("../../etc/evil.txt", b"just prose"));
    tar_members.push(("/abs/notes.txt", b"just prose".to_vec()));
    std::fs::write(work.join("evil.zip"), zip(&zip_members)).unwrap();
    std::fs::write(work.join("evil.tar"), raw_tar(&tar_members)).unwrap();
    let before = tree(tmp.path());

    let run = trailscope_in(&work, ["stats", "--json", "evil.zip", "evil.tar"]);
    run.assert_code(0);
    let got = run.json();
    // Every event is loaded (distinct ids; the zip's and the tar's copies are duplicates).
    assert_eq!(int(&got, "events"), ESCAPING.len() as u64, "{got:#}");
    assert_eq!(int(&got, "duplicates"), ESCAPING.len() as u64, "{got:#}");
    // The names are shown inside their archive, never as paths of their own.
    let paths: Vec<&str> = report(&got).iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(paths.contains(&"evil.zip!../../etc/evil.txt"), "{paths:#?}");
    assert!(paths.contains(&"evil.tar!/abs/notes.txt"), "{paths:#?}");

    let run = trailscope_in(&work, ["export", "evil.zip", "evil.tar", "--format", "ndjson", "-o", "out.jsonl"]);
    run.assert_code(0);
    let out = std::fs::read_to_string(work.join("out.jsonl")).unwrap();
    assert_eq!(out.lines().count(), ESCAPING.len());

    let mut after = tree(tmp.path());
    assert!(after.remove(Path::new("outer/a/b/work/out.jsonl")));
    assert_eq!(after, before, "files appeared or vanished around the archives");
    assert_eq!(Path::new("/abs").exists(), abs_existed, "/abs was created");
    assert_eq!(Path::new("/tmp/ts-evil.json").exists(), tmp_evil_existed, "/tmp/ts-evil.json was created");
}

/// `/dev/full` fails every write with ENOSPC: a full disk, without privileges.
#[test]
fn export_to_a_full_disk_fails_with_a_message() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let good = write_good(tmp.path());
    for format in ["records", "ndjson", "csv"] {
        let out = Command::new(trailscope_bin())
            .args(["export", "--format", format])
            .arg(&good)
            .stdin(Stdio::null())
            .stdout(full.try_clone().unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{format}: exit status {:?}, stderr:\n{stderr}", out.status);
        assert!(!stderr.trim().is_empty(), "{format}: a failed export must say why");
    }
}
