//! Terminal injection in the explorer (issues 4 and 7): the hostile fixture (every string
//! field, JSON key, file name and zip/tar member name carries ESC/CSI/OSC/DCS sequences,
//! C1 controls, bidi overrides and NUL) loaded in the real binary under tmux, with a
//! config file and a config directory just as hostile, and hostile text pasted into every
//! prompt. Every pane is visited and captured with `capture-pane -e`: the only escape
//! sequences allowed are the SGR colour sequences tmux itself writes; the hostile
//! sequences must be there as visible escapes (`\u{1b}`). What tmux would have swallowed
//! is checked too: the pane title (OSC 0/2) and tmux's paste buffers (OSC 52).
//!
//! Requires tmux (the test fails, with a message saying so, when it is missing).

mod common;
mod hostile;
mod tmux;

use std::path::Path;
use std::time::{Duration, Instant};

use hostile::{evil_file, hostile_tree, EVIL};
use tmux::Session;

/// Characters that must never reach the screen raw (tmux keeps NUL out of its grid, so
/// this is also a check of what tmux was sent only together with the visible escapes).
fn forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{9}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Checks a `capture-pane -p -e` screen: every escape is an SGR sequence (`ESC [ 0-9;: m`)
/// and no other control or bidi character is there. Returns the screen without the SGR
/// sequences.
fn assert_only_sgr(what: &str, raw: &str) -> String {
    let mut plain = String::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '\u{1b}' {
            let ok = chars.next_if(|&(_, c)| c == '[').is_some() && {
                while chars.next_if(|&(_, c)| c.is_ascii_digit() || c == ';' || c == ':').is_some() {}
                chars.next_if(|&(_, c)| c == 'm').is_some()
            };
            assert!(
                ok,
                "{what}: an escape sequence that is not SGR at byte {at}: {:?}\nthe screen:\n{}",
                &raw[at..(at + 24).min(raw.len())],
                raw.escape_debug()
            );
            continue;
        }
        assert!(
            !forbidden(c),
            "{what}: raw control or bidi character {c:?} at byte {at}\nthe screen:\n{}",
            raw.escape_debug()
        );
        plain.push(c);
    }
    plain
}

/// Captures the screen and checks it; polls until each of `visible` is in it (as plain
/// text), since a capture may catch a frame half drawn. Every capture is checked.
fn check(s: &Session, what: &str, visible: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let plain = assert_only_sgr(what, &s.screen_with_escapes());
        let missing: Vec<&&str> = visible.iter().filter(|v| !plain.contains(**v)).collect();
        if missing.is_empty() {
            return plain;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {missing:?} should be shown (as visible escapes) on the screen:\n{plain}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The neutralised form of the start of [`EVIL`], as the explorer must show it.
const SHOWN: &str = "A\\u{1b}[31mRED\\u{1b}]52;c;ZXZpbA==\\u{7}B\\u{1b}Pqdcs";

/// Pages through the focused pane (`g`, then PageDown until the screen stops changing),
/// checking every screen; returns them all, as plain text.
fn page_through(s: &Session, what: &str) -> String {
    s.keys(&["g"]);
    let mut all = String::new();
    let mut last = String::new();
    for page in 0..50 {
        // The screen settles within the deadline; an unchanged screen is the end. Generous:
        // under a loaded CI host a redraw can take well over a second.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut screen = s.screen();
        while screen == last && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(25));
            screen = s.screen();
        }
        if screen == last {
            return all;
        }
        all.push_str(&check(s, &format!("{what}, page {page}"), &[]));
        last = screen;
        s.keys(&["PageDown"]);
    }
    panic!("{what}: more than 50 pages?");
}

/// How pasted text shows in a prompt: the prompts turn pasted control characters into
/// spaces (a prompt is one line), and bidi overrides are drawn as visible escapes. (NUL
/// cannot be pasted through tmux: it is left out.)
fn pasted_shown(text: &str) -> String {
    text.chars()
        .filter(|&c| c != '\0')
        .map(|c| match c {
            c if c.is_control() => " ".to_string(),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A hostile config directory holding a broken config file full of escapes: its name shows
/// up in the help overlay, the file's problem in the status line and the load report.
fn hostile_config_home(root: &Path) -> std::path::PathBuf {
    let home = root.join(evil_file("config", ""));
    std::fs::create_dir_all(home.join("trailscope")).unwrap();
    std::fs::write(home.join("trailscope/config.toml"), format!("theme = \"{EVIL}\"\n[keys\n{EVIL} = 1\n")).unwrap();
    home
}

#[test]
fn no_control_sequence_from_the_data_reaches_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = hostile_tree(tmp.path());
    let config_home = hostile_config_home(tmp.path());
    let cwd = tmp.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();

    let s = Session::start_with([&tree], &cwd, Some(&config_home));
    let title = s.format("#{pane_title}");
    let screen = s.wait_for("the 5 hostile events loaded", |sc| {
        sc.lines().next().is_some_and(|l| l.trim_end().ends_with("5 of 5 events"))
            && !sc.lines().last().unwrap_or("").starts_with("Loading")
    });
    assert!(screen.contains("GetObjectA"), "{screen}");

    // Timeline, detail and raw JSON on a hostile event (the first row is the plain one).
    check(&s, "first screen", &["GetObjectA\\u{1b}[31mRED"]);
    s.keys(&["j"]);
    s.wait_for("the detail pane on a hostile event", |sc| sc.contains("│Event           GetObjectA"));
    check(&s, "timeline and detail", &["Event           GetObjectA\\u{1b}[31mRED"]);
    // Every row of the raw JSON, unfolded: hostile keys and values at every depth.
    s.keys(&["3", "E"]);
    let raw = page_through(&s, "raw JSON");
    for want in [
        format!("\"{SHOWN}"),
        "\"IAMUserA\\u{1b}[31mRED".to_string(),
        "\"bucketNameA\\u{1b}[31mRED".to_string(),
        "\"AWS::S3::ObjectA\\u{1b}[31mRED".to_string(),
        "\"roleA\\u{1b}[31mRED".to_string(),
    ] {
        assert!(raw.contains(&want), "raw JSON should show {want:?}:\n{raw}");
    }
    // Every field of the detail pane.
    s.keys(&["2"]);
    let detail = page_through(&s, "detail pane");
    for want in ["bobA\\u{1b}[31mRED", "deniedA\\u{1b}[31mRED", "203.0.113.7A\\u{1b}[31mRED"] {
        assert!(detail.contains(want), "the detail pane should show {want:?}:\n{detail}");
    }
    s.keys(&["1"]);

    // Load report: hostile file, zip and tar member names; the config problem.
    s.keys(&["r"]);
    s.wait_for_text(" Load report ");
    let report = page_through(&s, "load report");
    for want in [
        format!("/broken{SHOWN}"),
        format!(".zip!notes{SHOWN}"),
        format!(".tar!member{SHOWN}"),
        "\\u{9b}31mD\\u{202e}E\\u{2066}F".to_string(),
        "config.toml".to_string(),
    ] {
        // Report lines wrap: compare without the line breaks and borders.
        let flat: String = report.lines().map(|l| l.trim_matches(|c| c == '│' || c == ' ')).collect();
        assert!(flat.contains(&want), "the load report should show {want:?}:\n{report}");
    }
    s.keys(&["Escape"]);
    s.wait_for("the report to close", |sc| !sc.contains(" Load report "));

    // Help: the config path (a hostile directory name).
    s.keys(&["?"]);
    s.wait_for_text(" Help ");
    let help = page_through(&s, "help");
    assert!(help.contains("configA\\u{1b}[31mRED"), "the help should show the config path, neutralised:\n{help}");
    s.keys(&["Escape"]);
    s.wait_for("the help to close", |sc| !sc.contains(" Help "));

    // Search: results whose summary lines are hostile, with highlights; a hostile query.
    s.keys(&["/"]);
    s.type_text("GetObject");
    s.wait_for("search hits", |sc| sc.contains(" Search · ") && sc.contains(" hits "));
    check(&s, "search results", &["\\u{1b}[31mRED"]);
    s.paste(EVIL);
    let pasted = pasted_shown(EVIL);
    s.wait_for_text(&format!("Search> GetObject{}", &pasted[..12]));
    check(&s, "search prompt with a pasted hostile query", &[&format!("Search> GetObject{pasted}")]);
    s.keys(&["Escape"]);
    s.wait_for("the search to close", |sc| !sc.contains(" Search · "));

    // Filter bar: a pasted hostile filter and its live error caret.
    s.keys(&["f"]);
    s.wait_for_text("Filter> ");
    s.paste(&format!("({EVIL}"));
    s.wait_for("the live error caret", |sc| sc.lines().nth(1).is_some_and(|l| l.contains('^')));
    check(&s, "filter prompt and error caret", &[&format!("Filter> ({pasted}")]);
    s.keys(&["Escape"]);
    s.wait_for("the filter prompt to close", |sc| !sc.contains("Filter> "));

    // A hostile value from the detail pane becomes a filter chip (Enter on `Event`).
    s.keys(&["2", "g", "j", "Enter"]);
    s.wait_for("the event-name filter applied", |sc| {
        sc.lines().next().is_some_and(|l| l.starts_with("Filter  ") && l.trim_end().ends_with("4 of 5 events"))
    });
    check(&s, "filter chip from a hostile value", &["GetObjectA\\u{1b}[31mRED"]);
    s.keys(&["c"]);
    s.wait_for("all events again", |sc| sc.lines().next().is_some_and(|l| l.trim_end().ends_with("5 of 5 events")));
    s.keys(&["1"]);

    // Export dialog: a pasted hostile path; then the export's own messages.
    s.keys(&["x"]);
    s.wait_for_text(" Export 5 events ");
    s.keys(&["C-u"]);
    s.paste(&format!("out{EVIL}.jsonl"));
    s.wait_for_text(&format!("Path    out{}", &pasted[..12]));
    check(&s, "export dialog with a hostile path", &[&format!("Path    out{pasted}")]);
    s.keys(&["Enter"]);
    s.wait_for_text("wrote 5 events to ");
    check(&s, "export result", &["\\u{202e}E\\u{2066}F"]);
    s.keys(&["Escape"]);
    s.wait_for("the export dialog to close", |sc| !sc.contains(" Export 5 events "));
    check(&s, "status line after the export", &["\\u{202e}E\\u{2066}F"]);

    s.keys(&["q"]);
    let exit = s.wait_exit();
    s.assert_restored(&exit);
    // What trailscope printed on its way out (config notices) is neutralised too.
    check(&s, "the shell after exit", &["e2e: trailscope exited with 0"]);
    // Sequences tmux acts on instead of showing: a title change, a clipboard write.
    assert_eq!(s.format("#{pane_title}"), title, "the pane title was changed (OSC 0/2 from the data?)");
    let buffers = s.tmux(["list-buffers"]);
    assert!(buffers.trim().is_empty(), "tmux paste buffers were set (OSC 52 from the data?): {buffers}");
    // The file was written under the hostile name, where it was asked for.
    let written: Vec<_> = std::fs::read_dir(&cwd).unwrap().map(|e| e.unwrap().file_name()).collect();
    let name: String = EVIL.chars().filter(|&c| c != '\0').map(|c| if c.is_control() { ' ' } else { c }).collect();
    assert_eq!(written, [std::ffi::OsString::from(format!("out{name}.jsonl"))]);
}
