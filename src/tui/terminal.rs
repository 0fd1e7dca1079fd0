//! The terminal: raw mode, alternate screen, mouse and bracketed paste on entry; all of it
//! undone on every way out — normal quit, error, panic (a hook restores before the panic
//! message prints) and signals (the event loop turns SIGTERM/SIGINT/SIGHUP into a quit).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal into the explorer's mode. Pair with [`restore`] (the guard returned
/// by [`TerminalGuard::enter`] does it on drop).
fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, EnableMouseCapture, EnableBracketedPaste, cursor::Hide)?;
    Terminal::new(CrosstermBackend::new(out))
}

/// Undoes [`enter`]; safe to call more than once and from a panic hook.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(out, DisableBracketedPaste, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal before the default panic message is printed, so the message is
/// readable and the shell usable — except for a panic caught while reading one input, which
/// the explorer survives (it becomes a load-report entry: see `ingest::isolate`).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !crate::ingest::isolate::is_isolated() {
            restore();
        }
        previous(info);
    }));
}

/// The terminal in explorer mode for as long as the guard lives.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        match enter() {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts `text` on the system clipboard through the terminal (OSC 52), which works over
/// SSH and tmux (with `set-clipboard on`). The payload is base64, so nothing in `text`
/// can be read by the terminal as a control sequence.
pub fn copy_osc52(text: &str) -> io::Result<()> {
    use base64ct::{Base64, Encoding};
    let encoded = Base64::encode_string(text.as_bytes());
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}
