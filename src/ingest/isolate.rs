//! Keeping a bug met while reading one input from ending the whole load: the reading is
//! run under `catch_unwind`, and a panic there becomes a load-report entry for that input.
//!
//! Without this, a panic in a load worker killed the load (the command line exited with a
//! panic message, the explorer was left with a load that never finished). The store is not
//! touched inside the isolated part — only decoding and preparing the batch — so a panic
//! there leaves nothing half-written. The panic hooks ask [`is_isolated`] and stay quiet for
//! such panics (no message over the explorer's screen, no terminal reset): the report
//! carries the message and where it happened instead.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    static ISOLATED: Cell<bool> = const { Cell::new(false) };
    /// Where the last isolated panic of this thread happened (`file:line`).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic inside it into `Err` with its message and location.
pub fn isolated<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let outer = ISOLATED.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    ISOLATED.set(outer);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        match LOCATION.take() {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// Whether this thread is inside [`isolated`], where a panic is caught and reported.
pub fn is_isolated() -> bool {
    ISOLATED.get()
}

/// Installs a panic hook that records where an isolated panic happened instead of printing
/// it, and leaves every other panic to the hook installed before.
pub fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if is_isolated() {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            LOCATION.set(at);
        } else {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_with_its_message_and_the_thread_goes_on() {
        install_panic_hook();
        assert_eq!(isolated(|| 7), Ok(7));
        let err = isolated(|| -> u32 { panic!("bad input {}", 42) }).unwrap_err();
        assert!(err.starts_with("bad input 42 (at src/ingest/isolate.rs:"), "{err}");
        assert_eq!(isolated(|| panic!("plain")).unwrap_err().split(" (at").next(), Some("plain"));
        assert!(!is_isolated(), "the flag is reset after a panic");
        // Nested: the inner panic is the inner call's.
        assert_eq!(isolated(|| isolated(|| panic!("inner")).is_err()), Ok(true));
    }
}
