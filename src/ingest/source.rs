//! Enumerating inputs: files, directory trees (AWSLogs/… layouts and anything else), and
//! stdin. Symlinks are followed, with loops reported; hidden files inside walked
//! directories are passed over (tool metadata, `.DS_Store`); trail files whose key time
//! is outside the time window are skipped without being opened.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::input::report_failure;
use super::pipeline::{io_problem, Job, LoadEvent, Shared};
use super::report::{Problem, ProblemKind};
use crate::model::time::trail_file_key_time;

pub fn walk(shared: &Shared<'_>, paths: &[PathBuf]) {
    for path in paths {
        if path.as_os_str() == "-" {
            shared.submit(Job::Stdin);
            continue;
        }
        let display = path.to_string_lossy().into_owned();
        match std::fs::metadata(path) {
            Err(e) => report_failure(shared, io_problem(&display, &e)),
            Ok(m) if m.is_dir() => walk_dir(shared, path),
            Ok(m) => submit_file(shared, path.clone(), display, m.len()),
        }
    }
}

fn walk_dir(shared: &Shared<'_>, root: &Path) {
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let size = e.metadata().map_or(0, |m| m.len());
                let display = e.path().to_string_lossy().into_owned();
                submit_file(shared, e.into_path(), display, size);
            }
            Ok(_) => {}
            Err(e) => {
                let path =
                    e.path().map_or_else(|| root.to_string_lossy().into_owned(), |p| p.to_string_lossy().into_owned());
                let problem = if e.loop_ancestor().is_some() {
                    Problem {
                        path,
                        kind: ProblemKind::Io,
                        message: "symbolic link loop; not followed".to_owned(),
                        location: None,
                        salvaged: 0,
                    }
                } else if let Some(io) = e.io_error() {
                    io_problem(&path, io)
                } else {
                    Problem { path, kind: ProblemKind::Io, message: e.to_string(), location: None, salvaged: 0 }
                };
                report_failure(shared, problem);
            }
        }
    }
}

fn submit_file(shared: &Shared<'_>, path: PathBuf, display: String, size: u64) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if trail_file_key_time(&name).is_some_and(|t| shared.window.skips_file(t)) {
        shared.store.write().unwrap_or_else(|p| p.into_inner()).report.files_skipped += 1;
        return;
    }
    shared.emit(LoadEvent::Discovered { bytes: size });
    shared.submit(Job::Path { path, display });
}
