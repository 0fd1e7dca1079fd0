//! SIGINT/SIGTERM during `trailscope export` (issue 7): the export stops, nothing appears
//! under the target name and no temporary file is left in the target folder.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One trail file of `n` distinct events with a padded user agent (~1 KiB each), so the
/// export's write phase lasts long enough to be interrupted even in a debug build.
fn generate(dir: &Path, n: usize) {
    let pad = "x".repeat(800);
    let records: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u{}"}},"eventTime":"2024-03-01T10:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"agent-{pad}","eventID":"sig-{i}"}}"#,
                i % 50,
                (i / 60) % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(dir.join("trail.json"), format!("{{\"Records\":[{}]}}", records.join(","))).unwrap();
}

fn partials(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect()
}

fn interrupt_export_with(signal: &str) {
    let input = tempfile::tempdir().unwrap();
    generate(input.path(), 60_000);
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("export")
        .arg(input.path())
        .arg("-o")
        .arg(&target)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the export has started writing (its temporary file exists), then signal.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if !partials(out.path()).is_empty() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("export ended ({status}) before it could be interrupted: make the input larger");
        }
        assert!(Instant::now() < deadline, "the export never started writing");
        std::thread::sleep(Duration::from_millis(1));
    }
    let kill = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("export interrupted: nothing was written"), "{stderr}");
    assert!(!target.exists(), "no file under the target name");
    assert!(partials(out.path()).is_empty(), "no temporary file left: {:?}", partials(out.path()));
}

#[test]
fn sigterm_during_export_leaves_nothing_behind() {
    interrupt_export_with("TERM");
}

#[test]
fn sigint_during_export_leaves_nothing_behind() {
    interrupt_export_with("INT");
}
