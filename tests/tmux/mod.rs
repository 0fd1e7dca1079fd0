//! Runs the real `trailscope` binary in a private tmux server (its own socket, no user
//! config, fixed size) for the end-to-end tests: send keys, poll the screen, and after the
//! program ends, check that the terminal was given back as it was found.
//!
//! The pane runs a small shell wrapper around trailscope that records the terminal modes
//! (`stty -a`) before and after, trailscope's pid and its exit status, then stays alive so
//! the screen left behind can be captured. tmux is required: without it these tests fail
//! (CI installs it, see `.ci/run`); they never pass silently.
#![allow(dead_code)] // each test crate uses a different subset

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub const WIDTH: u16 = 160;
pub const HEIGHT: u16 = 45;

/// How long any one condition may take to appear (debug builds on a busy machine).
pub const TIMEOUT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(25);

/// The wrapper run in the pane: `sh -c WRAPPER e2e DIR PROGRAM ARGS…`.
const WRAPPER: &str = r#"d=$1; shift
stty -a > "$d/stty.before"
printf 'e2e: shell before trailscope\n'
sh -c 'echo $$ > "$0/pid.tmp" && mv "$0/pid.tmp" "$0/pid" && exec "$@"' "$d" "$@"
code=$?
stty -a > "$d/stty.after"
echo "$code" > "$d/exit.tmp" && mv "$d/exit.tmp" "$d/exit"
printf 'e2e: trailscope exited with %s\n' "$code"
exec sleep 86400
"#;

/// Panics with a clear message when tmux cannot run: the end-to-end tests need it.
pub fn require_tmux() {
    match Command::new("tmux").arg("-V").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`tmux -V` failed ({}): the end-to-end tests need tmux", out.status),
        Err(e) => panic!(
            "tmux is not installed ({e}): the end-to-end tests run the real binary in tmux. \
             Install it (`apt-get install -y tmux`); .ci/run does this in CI."
        ),
    }
}

/// The binary under test.
pub fn trailscope_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trailscope"))
}

/// One trailscope run in its own tmux server.
pub struct Session {
    socket: String,
    /// The server's socket file, removed with the server.
    socket_path: Option<PathBuf>,
    /// Holds the wrapper's files (pid, exit status, stty) and the config home.
    pub dir: tempfile::TempDir,
    started: Instant,
}

/// How trailscope ended.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub stty_before: String,
    pub stty_after: String,
}

impl Session {
    /// Starts `trailscope ARGS…` in `cwd` with an empty config directory.
    pub fn start<I, S>(args: I, cwd: &Path) -> Session
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self::start_with(args, cwd, None)
    }

    /// Like [`Session::start`]; `config_home` replaces the (empty) XDG config directory.
    pub fn start_with<I, S>(args: I, cwd: &Path, config_home: Option<&Path>) -> Session
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        require_tmux();
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("trailscope-e2e-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let dir = tempfile::tempdir().expect("temp dir");
        let xdg = match config_home {
            Some(p) => p.to_path_buf(),
            None => {
                let p = dir.path().join("config-home");
                std::fs::create_dir(&p).unwrap();
                p
            }
        };
        let mut xdg_var = OsString::from("XDG_CONFIG_HOME=");
        xdg_var.push(&xdg);
        // The server's own config (never the user's): OSC 52 from the program creates a
        // paste buffer (so a leak would be visible).
        std::fs::write(dir.path().join("tmux.conf"), "set -g set-clipboard on\n").unwrap();
        let mut session = Session { socket, socket_path: None, dir, started: Instant::now() };
        let mut cmd: Vec<OsString> = vec![
            "new-session".into(),
            "-d".into(),
            "-s".into(),
            "e2e".into(),
            "-x".into(),
            WIDTH.to_string().into(),
            "-y".into(),
            HEIGHT.to_string().into(),
            "-c".into(),
            cwd.into(),
            // The command as an argument vector: no shell quoting of hostile names.
            "env".into(),
            "TERM=xterm-256color".into(),
            xdg_var,
            "sh".into(),
            "-c".into(),
            WRAPPER.into(),
            "e2e".into(),
            session.dir.path().into(),
            trailscope_bin().into(),
        ];
        cmd.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        let out = session.tmux_raw(&cmd);
        assert!(out.status.success(), "tmux new-session failed: {}", String::from_utf8_lossy(&out.stderr));
        session.socket_path = Some(PathBuf::from(session.format("#{socket_path}")));
        session
    }

    fn tmux_raw(&self, args: &[OsString]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"))
            .args(args)
            .env_remove("TMUX")
            .env_remove("TRAILSCOPE_TRACE")
            .output()
            .expect("run tmux")
    }

    /// Runs a tmux command against this server; panics when it fails.
    pub fn tmux<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
        let out = self.tmux_raw(&args);
        assert!(out.status.success(), "tmux {:?} failed: {}", args, String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen as plain text.
    pub fn screen(&self) -> String {
        self.tmux(["capture-pane", "-p", "-t", "e2e"])
    }

    /// The screen with tmux's own SGR sequences for colours and attributes.
    pub fn screen_with_escapes(&self) -> String {
        self.tmux(["capture-pane", "-p", "-e", "-t", "e2e"])
    }

    /// A tmux format for the pane, e.g. `#{alternate_on}`.
    pub fn format(&self, f: &str) -> String {
        self.tmux(["display-message", "-p", "-t", "e2e", f]).trim_end().to_string()
    }

    /// Sends tmux key names (`Enter`, `Tab`, `C-u`, `q`, …), one key each.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(["send-keys", "-t", "e2e", k]);
        }
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(["send-keys", "-t", "e2e", "-l", text]);
    }

    /// Pastes `text` as the terminal would (bracketed paste when the program asked for it).
    /// (A NUL cannot be passed to tmux in an argument: it is left out.)
    pub fn paste(&self, text: &str) {
        let text = text.replace('\0', "");
        self.tmux(["set-buffer", "-b", "e2e-paste", &text]);
        self.tmux(["paste-buffer", "-d", "-p", "-r", "-b", "e2e-paste", "-t", "e2e"]);
    }

    /// Polls the screen until `cond` holds; returns that screen. Panics after
    /// [`TIMEOUT`] with the last screen.
    pub fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out after {TIMEOUT:?} waiting for {what}; the screen:\n{screen}");
            }
            thread::sleep(POLL);
        }
    }

    /// Polls until the screen contains `text`.
    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?} on the screen"), |s| s.contains(text))
    }

    /// trailscope's pid (once it started).
    pub fn pid(&self) -> u32 {
        let path = self.dir.path().join("pid");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return text.trim().parse().expect("pid file holds a number");
            }
            assert!(Instant::now() < deadline, "trailscope did not start; the screen:\n{}", self.screen());
            thread::sleep(POLL);
        }
    }

    /// Sends a signal (`TERM`, `INT`, …) to trailscope.
    pub fn signal(&self, name: &str) {
        let pid = self.pid().to_string();
        let out = Command::new("kill").arg(format!("-{name}")).arg(&pid).output().expect("run kill");
        assert!(out.status.success(), "kill -{name} {pid}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The exit status, once trailscope has ended (`None` while it runs).
    pub fn exit_status(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.dir.path().join("exit")).ok()?;
        Some(text.trim().parse().expect("exit file holds a number"))
    }

    /// Waits until trailscope has ended (its parent shell reaped it).
    pub fn wait_exit(&self) -> Exit {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(code) = self.exit_status() {
                let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap();
                return Exit { code, stty_before: read("stty.before"), stty_after: read("stty.after") };
            }
            assert!(
                Instant::now() < deadline,
                "trailscope did not exit within {TIMEOUT:?}; the screen:\n{}",
                self.screen()
            );
            thread::sleep(POLL);
        }
    }

    /// Checks that the terminal is as trailscope found it: same tty modes (raw mode off),
    /// the normal screen back with what was on it, the cursor shown, mouse reporting off,
    /// and the process gone.
    pub fn assert_restored(&self, exit: &Exit) {
        let problems = self.restore_problems(exit);
        assert!(
            problems.is_empty(),
            "the terminal was not restored:\n{}\nthe screen:\n{}",
            problems.join("\n"),
            self.screen()
        );
    }

    /// What [`Session::assert_restored`] finds wrong, one line per problem.
    pub fn restore_problems(&self, exit: &Exit) -> Vec<String> {
        let mut problems = Vec::new();
        if exit.stty_before != exit.stty_after {
            problems.push(format!(
                "terminal modes differ:\n--- stty -a before\n{}--- stty -a after\n{}",
                exit.stty_before, exit.stty_after
            ));
        }
        let screen = self.wait_for_text("e2e: trailscope exited");
        if self.format("#{alternate_on}") != "0" {
            problems.push("still on the alternate screen".into());
        }
        if !screen.contains("e2e: shell before trailscope") {
            problems.push("the screen from before trailscope did not come back".into());
        }
        if self.format("#{cursor_flag}") != "1" {
            problems.push("the cursor is still hidden".into());
        }
        for flag in ["mouse_any_flag", "mouse_button_flag", "mouse_standard_flag", "mouse_sgr_flag"] {
            if self.format(&format!("#{{{flag}}}")) != "0" {
                problems.push(format!("{flag}: mouse reporting is still on"));
            }
        }
        let pid = self.pid();
        if Path::new(&format!("/proc/{pid}")).exists() {
            problems.push(format!("process {pid} still exists"));
        }
        problems
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Only this test's private server (and the processes in its pane).
        let _ = self.tmux_raw(&["kill-server".into()]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `1234567` → `1,234,567`, written here so the tests do not use the code under test.
pub fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
