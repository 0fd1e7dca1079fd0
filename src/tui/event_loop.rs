//! The event loop: one tokio current-thread runtime multiplexing terminal input
//! (crossterm's `EventStream`), a tick that collects background progress (load, search,
//! export) and the termination signals. The screen is redrawn only when something changed.
//!
//! With `TRAILSCOPE_TRACE=FILE`, the time to the first drawn screen and every
//! key-to-redrawn-screen latency are written to FILE on exit (see bench/tui.sh).

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::signal::unix::{signal, SignalKind};

use super::app::App;
use super::terminal::{copy_osc52, Term};
use super::ui;

/// How often background progress is collected.
const TICK: Duration = Duration::from_millis(50);

/// Runs until the user quits or a termination signal arrives.
pub fn run(app: &mut App, terminal: &mut Term, started: Instant) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(app, terminal, started))
}

async fn run_async(app: &mut App, terminal: &mut Term, started: Instant) -> io::Result<()> {
    let mut trace = std::env::var_os("TRAILSCOPE_TRACE").map(|path| (path, Vec::<String>::new()));
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sighup = signal(SignalKind::hangup())?;

    terminal.draw(|f| ui::draw(f, app))?;
    if let Some((_, lines)) = &mut trace {
        lines.push(format!("first_draw_ms {:.3}", started.elapsed().as_secs_f64() * 1e3));
    }
    loop {
        let mut dirty = false;
        let mut key_at = None;
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
            _ = tick.tick() => dirty = app.tick(),
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
            if let (Some(at), Some((_, lines))) = (key_at, &mut trace) {
                lines.push(format!("key_ms {:.3} loading={}", at.elapsed().as_secs_f64() * 1e3, app.loading()));
            }
        }
    }
    if let Some((path, lines)) = trace {
        let _ = std::fs::write(path, lines.join("\n") + "\n");
    }
    Ok(())
}
