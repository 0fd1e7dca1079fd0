//! A load progress bar on stderr (the caller starts it only when stderr is a terminal).

use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::LoadEvent;

/// Follows a load's events until it finishes, drawing a bar on stderr. The channel is
/// drained ten times a second rather than waited on, so workers never pay for waking
/// this thread once per file.
pub fn follow(events: Receiver<LoadEvent>) {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} loading [{bar:30}] {bytes}/{total_bytes} {msg} ({bytes_per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    // Files read against files found (archive members are neither: they count as events).
    let (mut read, mut found, mut events_n, mut failed) = (0u64, 0u64, 0u64, 0u64);
    'follow: loop {
        std::thread::sleep(Duration::from_millis(100));
        loop {
            match events.try_recv() {
                Ok(LoadEvent::Discovered { bytes }) => {
                    found += 1;
                    bar.inc_length(bytes);
                }
                Ok(LoadEvent::Read { bytes }) => {
                    read += 1;
                    bar.inc(bytes);
                }
                Ok(LoadEvent::FileDone { events: e, failed: f, .. }) => {
                    events_n += e;
                    failed += u64::from(f);
                }
                Ok(LoadEvent::WalkDone) => {}
                Ok(LoadEvent::Finished) | Err(TryRecvError::Disconnected) => break 'follow,
                Err(TryRecvError::Empty) => break,
            }
        }
        // Stdin is read without being found.
        let files = if found >= read { format!("{read}/{found} files") } else { format!("{read} files") };
        bar.set_message(format!("{files}, {events_n} events, {failed} failed"));
    }
    bar.finish_and_clear();
}
