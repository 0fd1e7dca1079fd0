//! The event loop: one tokio current-thread runtime multiplexing terminal input
//! (crossterm's `EventStream`), a tick that collects background progress (load, search,
//! export) and the termination signals. The screen is redrawn only when something changed.
//!
//! With `TRAILSCOPE_TRACE=FILE`, timings are appended to FILE as they happen (see
//! bench/tui.sh), one per line, in milliseconds:
//! - `first_draw_ms X`: process start → first drawn screen;
//! - `key_ms X loading=B`: key received → screen redrawn;
//! - `tick_ms X loading=B`: a redraw for background progress (load, search, export): the
//!   collection plus the draw, during which keys wait;
//! - `search_first_ms X …` / `search_complete_ms X …`: search submitted → first drawn
//!   results / complete ranking drawn (see [`super::search::SearchState::drawn`]).

use std::fs::File;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::signal::unix::{signal, SignalKind};

use super::app::App;
use super::terminal::{copy_osc52, Term};
use super::ui;

/// How often background progress is collected: one frame at 60 Hz, so a search's first
/// results or a load's progress are drawn within 16 ms of arriving (at 50 ms, the tick
/// alone added up to 50 ms to the first search results on 1M events). An idle tick only
/// polls channels and draws nothing.
const TICK: Duration = Duration::from_millis(16);

/// Runs until the user quits or a termination signal arrives.
pub fn run(app: &mut App, terminal: &mut Term, started: Instant) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(app, terminal, started))
}

async fn run_async(app: &mut App, terminal: &mut Term, started: Instant) -> io::Result<()> {
    let mut trace = std::env::var_os("TRAILSCOPE_TRACE").and_then(|path| File::create(path).ok());
    app.search.timed = trace.is_some();
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sighup = signal(SignalKind::hangup())?;

    terminal.draw(|f| ui::draw(f, app))?;
    trace_line(&mut trace, format_args!("first_draw_ms {:.3}", ms(started)));
    loop {
        let mut dirty = false;
        let mut key_at = None;
        let mut tick_at = None;
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    key_at = Some(Instant::now());
                    app.handle_key(key);
                    app.tick();
                    dirty = true;
                }
                Some(Ok(Event::Mouse(m))) => {
                    app.handle_mouse(m);
                    dirty = true;
                }
                Some(Ok(Event::Paste(text))) => {
                    app.handle_paste(&text);
                    dirty = true;
                }
                Some(Ok(Event::Resize(_, _))) => {
                    terminal.autoresize()?;
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => app.quit = true,
            },
            _ = tick.tick() => {
                tick_at = Some(Instant::now());
                dirty = app.tick();
            }
            _ = sigterm.recv() => app.quit = true,
            _ = sigint.recv() => app.quit = true,
            _ = sighup.recv() => app.quit = true,
        }
        if app.quit {
            break;
        }
        if dirty {
            terminal.draw(|f| ui::draw(f, app))?;
            if let Some(text) = app.clipboard.take() {
                copy_osc52(&text)?;
            }
            if trace.is_some() {
                let loading = app.loading();
                if let Some(at) = key_at {
                    trace_line(&mut trace, format_args!("key_ms {:.3} loading={loading}", ms(at)));
                }
                if let Some(at) = tick_at {
                    trace_line(&mut trace, format_args!("tick_ms {:.3} loading={loading}", ms(at)));
                }
                for line in app.search.drawn() {
                    trace_line(&mut trace, format_args!("{line}"));
                }
            }
        }
    }
    Ok(())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

/// Appends one line to the trace file, unbuffered so a benchmark can follow it live.
fn trace_line(trace: &mut Option<File>, line: std::fmt::Arguments) {
    if let Some(file) = trace {
        let _ = writeln!(file, "{line}");
    }
}
