//! A load progress bar on stderr, shown only when stderr is a terminal.

use std::io::IsTerminal;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::LoadEvent;

/// Follows a load's events until it finishes, drawing a bar if stderr is a terminal.
pub fn follow(events: Receiver<LoadEvent>) {
    if !std::io::stderr().is_terminal() {
        for _ in events {}
        return;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} loading [{bar:30}] {bytes}/{total_bytes} {msg} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let (mut files, mut events_n, mut failed) = (0u64, 0u64, 0u64);
    for event in events {
        match event {
            LoadEvent::Discovered { bytes } => bar.inc_length(bytes),
            LoadEvent::Read { bytes } => bar.inc(bytes),
            LoadEvent::FileDone { events: e, failed: f, .. } => {
                files += 1;
                events_n += e;
                failed += u64::from(f);
                bar.set_message(format!("{files} files, {events_n} events, {failed} failed"));
            }
            LoadEvent::WalkDone => {}
            LoadEvent::Finished => break,
        }
    }
    bar.finish_and_clear();
}
