//! The explorer's state and its one entry point for change, [`App::update`]. No terminal
//! I/O here: keys arrive as `KeyEvent`s, the screen is drawn from this state by `ui`, and
//! tests drive it with actions and keys.

use crate::store::{read_store, write_store};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::action::{Action, Context};
use super::export_job::{ExportDialog, ExportJob, ExportStage};
use super::filter::{selection_of, validate, FilterState, ViewSpec};
use super::identities::IdentitiesView;
use super::integrity::IntegrityState;
use super::keymap::{Key, Keymap};
use super::line_edit::LineEdit;
use super::raw_view::RawView;
use super::search::SearchState;
use crate::analysis::chains::{trace, TraceTarget};
use crate::analysis::notable::NotableEvents;
use crate::config::{Config, ThemeName};
use crate::ingest::{LoadEvent, LoadHandle};
use crate::query::search::SearchOrder;
use crate::query::ParseError;
use crate::store::Facet;
use crate::store::Store;
use crate::view::clock::DisplayZone;
use crate::view::detail::{detail_fields, DetailField};
use crate::view::histogram::Histogram;
use crate::view::trace::{trace_lines, TraceLine};

/// The panes that take the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Timeline,
    Detail,
    Raw,
    /// Shown in the timeline's place (`i`).
    Identities,
}

impl Pane {
    pub fn context(self) -> Context {
        match self {
            Pane::Timeline => Context::Timeline,
            Pane::Detail => Context::Detail,
            Pane::Raw => Context::Raw,
            Pane::Identities => Context::Identities,
        }
    }
}

/// What covers the panes.
pub enum Overlay {
    None,
    Help {
        scroll: usize,
    },
    Report {
        scroll: usize,
    },
    Export(ExportDialog),
    /// The credential chain of an event (`C`): lines, some naming an event to jump to.
    Chain(ChainView),
}

/// The chain overlay's lines and cursor.
pub struct ChainView {
    pub lines: Vec<TraceLine>,
    pub cursor: usize,
    pub offset: usize,
}

/// Progress of the background load, as the status line shows it.
#[derive(Debug, Clone)]
pub struct LoadProgress {
    pub files_found: u64,
    pub bytes_found: u64,
    /// Files read (found by the walk, or stdin); archive members are not counted.
    pub files_read: u64,
    pub bytes_read: u64,
    pub events: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub walk_done: bool,
    pub finished: bool,
    pub started: Instant,
    pub elapsed: Option<Duration>,
}

impl LoadProgress {
    fn new(finished: bool) -> Self {
        Self {
            files_found: 0,
            bytes_found: 0,
            files_read: 0,
            bytes_read: 0,
            events: 0,
            duplicates: 0,
            failed: 0,
            walk_done: finished,
            finished,
            started: Instant::now(),
            elapsed: finished.then_some(Duration::ZERO),
        }
    }
}

/// Screen areas of the last frame, for mouse clicks and page sizes.
#[derive(Debug, Default, Clone, Copy)]
pub struct Areas {
    pub timeline: Rect,
    /// First row of timeline data (below the header) inside `timeline`.
    pub timeline_rows: Rect,
    pub detail: Rect,
    pub raw: Rect,
    pub histogram: Rect,
}

/// The detail pane's state.
#[derive(Debug, Default)]
pub struct DetailView {
    pub event: Option<u32>,
    pub fields: Vec<DetailField>,
    pub cursor: usize,
    pub offset: usize,
}

/// A message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// How often the selection follows a running load.
const LIVE_REFRESH: Duration = Duration::from_millis(400);

/// What a live refresh (see [`App::tick`]) hands back from its thread.
struct LiveSelection {
    /// The view it selected.
    spec: ViewSpec,
    /// Unique events in the store then.
    total: usize,
    selection: Result<Vec<u32>, String>,
    /// Started after the load had ended: the store is complete.
    last: bool,
}

pub struct App {
    pub store: Arc<RwLock<Store>>,
    pub keymap: Keymap,
    pub theme: ThemeName,
    pub zone: DisplayZone,
    pub focus: Pane,
    pub overlay: Overlay,
    /// The filter bar while it is being edited, and the live parse error of its text.
    pub filter_edit: Option<LineEdit>,
    pub filter_error: Option<ParseError>,
    pub filter: FilterState,
    /// Why the applied filter could not be evaluated (the selection is then empty).
    pub eval_error: Option<String>,
    /// Event ids of the current view, in time order.
    pub selection: Arc<Vec<u32>>,
    /// Unique events in the store.
    pub total: usize,
    /// Timeline cursor (row in `selection`) and first visible row.
    pub cursor: usize,
    pub offset: usize,
    pub histogram: Histogram,
    histogram_width: usize,
    pub detail: DetailView,
    pub raw: RawView,
    pub search: SearchState,
    /// Hit events of the complete search result, sorted (for marking timeline rows).
    pub hit_events: Vec<u32>,
    pub load: LoadProgress,
    load_handle: Option<LoadHandle>,
    last_refresh: Instant,
    pending_refresh: bool,
    /// The load has ended; the last live refresh is still to come.
    load_ended: bool,
    /// The live refresh running in its thread.
    live: Option<Receiver<LiveSelection>>,
    pub status: Option<Status>,
    /// Config problems and other notes, shown at start and in the load report.
    pub notices: Vec<String>,
    /// Text to put on the clipboard with OSC 52 after the next draw.
    pub clipboard: Option<String>,
    pub areas: Areas,
    /// Where settings are read from, for the help screen.
    pub config_hint: String,
    /// The inputs, for the integrity check that runs after the load when digests were seen.
    pub input_paths: Vec<std::path::PathBuf>,
    pub integrity: IntegrityState,
    /// The Identities pane replaces the timeline while this is set.
    pub show_identities: bool,
    pub identities: IdentitiesView,
    /// Security-sensitive events of the store (computed when the load is done).
    pub notable: Option<NotableEvents>,
    pub quit: bool,
}

fn config_hint(config: &Config) -> String {
    match (&config.source, crate::config::default_path()) {
        (Some(p), _) => format!("{} (in use)", p.display()),
        (None, Some(p)) => format!("{} (not present; or --config FILE)", p.display()),
        (None, None) => "--config FILE".to_string(),
    }
}

/// Indexes what the load appended and selects `spec` again (the work of a live refresh).
fn live_selection(store: &RwLock<Store>, spec: ViewSpec, last: bool) -> LiveSelection {
    write_store(store).finish();
    let store = read_store(store);
    let selection = selection_of(&store, &spec, now_ms());
    LiveSelection { spec, total: store.len(), selection, last }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Where `event` is in `selection` (time-ordered, untimed events last): a binary search
/// by time, then a scan of the events with the same time.
fn position_of(store: &Store, selection: &[u32], event: u32) -> Option<usize> {
    let time = |e: u32| store.time(e).unwrap_or(i64::MAX);
    let t = time(event);
    let from = selection.partition_point(|&e| time(e) < t);
    selection[from..].iter().take_while(|&&e| time(e) == t).position(|&e| e == event).map(|i| from + i)
}

impl App {
    /// An explorer over `store`; `load` is the running load feeding it, if any.
    pub fn new(store: Arc<RwLock<Store>>, load: Option<LoadHandle>, config: &Config, notices: Vec<String>) -> App {
        let (keymap, key_problems) = Keymap::new(&config.keys);
        let initial = config.default_filter.as_deref().map(ViewSpec::with_text).unwrap_or_default();
        let mut app = App {
            store,
            keymap,
            theme: config.theme,
            zone: config.time_zone,
            focus: Pane::Timeline,
            overlay: Overlay::None,
            filter_edit: None,
            filter_error: None,
            filter: FilterState::new(initial),
            eval_error: None,
            selection: Arc::new(Vec::new()),
            total: 0,
            cursor: 0,
            offset: 0,
            histogram: Histogram::default(),
            histogram_width: 0,
            detail: DetailView::default(),
            raw: RawView::default(),
            search: SearchState::default(),
            hit_events: Vec::new(),
            load: LoadProgress::new(load.is_none()),
            load_handle: load,
            last_refresh: Instant::now(),
            pending_refresh: false,
            load_ended: false,
            live: None,
            status: None,
            notices: notices.into_iter().chain(key_problems).collect(),
            clipboard: None,
            areas: Areas::default(),
            config_hint: config_hint(config),
            input_paths: Vec::new(),
            integrity: IntegrityState::NotApplicable,
            show_identities: false,
            identities: IdentitiesView::default(),
            notable: None,
            quit: false,
        };
        if app.load_handle.is_none() {
            app.notable = Some(NotableEvents::find(&read_store(&app.store)));
        }
        if let Some(first) = app.notices.first() {
            let more = if app.notices.len() > 1 { " (more in the load report: r)" } else { "" };
            app.set_error(format!("{first}{more}"));
        }
        app.refresh_selection(false);
        app
    }

    fn read(&self) -> RwLockReadGuard<'_, Store> {
        read_store(&self.store)
    }

    pub fn set_status(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: false });
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), error: true });
    }

    /// The event under the timeline cursor (or the highlighted search hit while typing).
    pub fn selected_event(&self) -> Option<u32> {
        if self.search.edit.is_some() {
            if let Some(hit) = self.search.hits().get(self.search.cursor) {
                return Some(hit.event);
            }
        }
        self.selection.get(self.cursor).copied()
    }

    /// The context whose bindings apply now.
    pub fn context(&self) -> Context {
        self.focus.context()
    }

    // ----- selection -------------------------------------------------------------------

    /// Recomputes the selection from the applied view; with `keep`, the cursor stays on
    /// the same event when it is still selected.
    pub fn refresh_selection(&mut self, keep: bool) {
        let result = {
            let store = read_store(&self.store);
            let total = store.len();
            let result = selection_of(&store, &self.filter.applied, now_ms());
            drop(store);
            self.total = total;
            result
        };
        self.set_selection(result, keep);
    }

    /// Makes `result` the selection; with `keep`, as [`App::refresh_selection`].
    fn set_selection(&mut self, result: Result<Vec<u32>, String>, keep: bool) {
        // At the top the view stays at the top (new earlier events appear above nothing);
        // anywhere else the cursor stays on its event as the selection changes around it.
        let anchor = if keep && self.cursor > 0 { self.selection.get(self.cursor).copied() } else { None };
        match result {
            Ok(sel) => {
                self.eval_error = None;
                self.selection = Arc::new(sel);
            }
            Err(e) => {
                self.set_error(format!("filter: {e}"));
                self.eval_error = Some(e);
                self.selection = Arc::new(Vec::new());
            }
        }
        let anchored = anchor.and_then(|a| position_of(&self.read(), &self.selection, a));
        self.cursor = match anchored {
            Some(pos) => pos,
            None if keep => self.cursor.min(self.selection.len().saturating_sub(1)),
            None => 0,
        };
        self.histogram_width = 0; // rebuilt at the next draw
        self.identities.invalidate();
        self.sync_panes();
    }

    /// Applies a new view (recorded for undo) and re-selects.
    fn apply(&mut self, next: ViewSpec) {
        if self.filter.change(next) {
            self.refresh_selection(true);
            if self.search.is_active() {
                let q = self.search.query.clone();
                self.search.submit(&self.store, &q, &self.selection);
            }
        }
    }

    /// Rebuilds the histogram when the selection or the strip's width changed.
    pub fn ensure_histogram(&mut self, width: usize) {
        if width == self.histogram_width {
            return;
        }
        self.histogram_width = width;
        let h = Histogram::build(&self.read(), &self.selection, width.max(1));
        self.histogram = h;
    }

    /// Keeps the detail and raw panes on the selected event.
    pub fn sync_panes(&mut self) {
        let event = self.selected_event();
        if self.detail.event != event || (event.is_some() && self.detail.fields.is_empty()) {
            let store = self.store.clone();
            let store = read_store(&store);
            let mut fields = event.map(|e| detail_fields(&store, e, self.zone)).unwrap_or_default();
            if let (Some(e), Some(notable)) = (event, &self.notable) {
                for (i, c) in notable.categories(e).iter().enumerate() {
                    let note = DetailField {
                        label: "NOTABLE",
                        value: format!("{}: {}", c.name(), c.description()),
                        filter: Some(format!("notable:{}", c.name())),
                    };
                    fields.insert(i, note);
                }
            }
            if let Some(why) = event.and_then(|e| self.integrity.view()?.failure_of(&store, e)) {
                let note = DetailField {
                    label: "INTEGRITY",
                    value: format!("source file failed verification: {why}"),
                    filter: None,
                };
                fields.insert(0, note);
            }
            self.detail = DetailView { event, fields, cursor: 0, offset: 0 };
            self.raw.show(&store, event);
        }
    }

    // ----- background work ---------------------------------------------------------------

    /// Takes what the load, the search and an export reported; true when the screen
    /// should be redrawn. Called on every tick of the event loop.
    pub fn tick(&mut self) -> bool {
        let mut changed = false;
        let mut finished = false;
        if let Some(handle) = &self.load_handle {
            while let Ok(ev) = handle.events.try_recv() {
                changed = true;
                let p = &mut self.load;
                match ev {
                    LoadEvent::Discovered { bytes } => {
                        p.files_found += 1;
                        p.bytes_found += bytes;
                    }
                    LoadEvent::Read { bytes } => {
                        p.files_read += 1;
                        p.bytes_read += bytes;
                    }
                    LoadEvent::FileDone { events, duplicates, failed } => {
                        p.events += events;
                        p.duplicates += duplicates;
                        p.failed += u64::from(failed);
                        self.pending_refresh = true;
                    }
                    LoadEvent::WalkDone => p.walk_done = true,
                    LoadEvent::Finished => finished = true,
                }
            }
            if !finished && handle.is_finished() {
                finished = true; // the loader thread ended without its last message
            }
        }
        if finished {
            self.load_handle = None;
            self.load.walk_done = true;
            self.load.elapsed = Some(self.load.started.elapsed());
            self.load_ended = true;
            self.pending_refresh = true;
            changed = true;
        }
        if let Some(rx) = &self.live {
            match rx.try_recv() {
                Ok(live) => {
                    self.live = None;
                    self.adopt_live(live);
                    changed = true;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    // The thread died (it cannot panic short of a bug): refresh here instead.
                    self.live = None;
                    self.refresh_live_here();
                    changed = true;
                }
            }
        }
        if self.live.is_none()
            && self.pending_refresh
            && (self.load_ended || self.last_refresh.elapsed() >= LIVE_REFRESH)
        {
            self.start_live_refresh();
        }
        if self.search.poll() {
            self.on_search_update();
            changed = true;
        }
        if self.poll_integrity() {
            changed = true;
        }
        if self.identities.poll() {
            changed = true;
        }
        if let Overlay::Export(dialog) = &mut self.overlay {
            if let ExportStage::Running(job) = &mut dialog.stage {
                let before = job.written;
                if let Some(result) = job.poll() {
                    let elapsed = job.started.elapsed();
                    let msg = match result {
                        Ok(path) => Ok(format!(
                            "wrote {} events to {} in {:.1} s",
                            crate::ingest::report::group(dialog.total),
                            crate::sanitize::sanitize(&path.display().to_string()),
                            elapsed.as_secs_f64()
                        )),
                        Err(e) => Err(format!("export failed: {}", crate::sanitize::sanitize(&e.to_string()))),
                    };
                    match &msg {
                        Ok(m) => self.status = Some(Status { text: m.clone(), error: false }),
                        Err(m) => self.status = Some(Status { text: m.clone(), error: true }),
                    }
                    dialog.stage = ExportStage::Done(msg);
                    changed = true;
                } else if job.written != before {
                    changed = true;
                }
            }
        }
        changed
    }

    /// Picks up appended events in a thread: indexing them ([`Store::finish`], under the
    /// write lock) and selecting the view again take tens of milliseconds on a million
    /// events, which a keystroke would otherwise wait for. [`App::tick`] adopts the result.
    fn start_live_refresh(&mut self) {
        self.pending_refresh = false;
        self.last_refresh = Instant::now();
        let (tx, rx) = mpsc::channel();
        let store = self.store.clone();
        let spec = self.filter.applied.clone();
        let last = self.load_ended;
        let spawned = std::thread::Builder::new().name("live-refresh".into()).spawn(move || {
            let _ = tx.send(live_selection(&store, spec, last));
        });
        match spawned {
            Ok(_) => self.live = Some(rx),
            Err(_) => self.refresh_live_here(),
        }
    }

    /// The live refresh without a thread.
    fn refresh_live_here(&mut self) {
        self.pending_refresh = false;
        self.last_refresh = Instant::now();
        let live = live_selection(&self.store, self.filter.applied.clone(), self.load_ended);
        self.adopt_live(live);
    }

    /// Takes a live refresh's selection, keeping the cursor's event.
    fn adopt_live(&mut self, live: LiveSelection) {
        if live.spec == self.filter.applied {
            self.total = live.total;
            self.set_selection(live.selection, true);
        } else {
            self.refresh_selection(true); // the view changed meanwhile; the store is indexed
        }
        // A running search is restarted on the grown selection (at most every refresh).
        if self.search.is_active() && self.search.edit.is_none() {
            let q = self.search.query.clone();
            self.search.submit(&self.store, &q, &self.selection);
        }
        if live.last {
            self.load.finished = true;
            self.notable = Some(NotableEvents::find(&read_store(&self.store)));
            self.detail.event = None; // the detail pane names notable categories
            self.sync_panes();
            let failed = self.read().report.files_failed;
            if failed > 0 {
                self.set_error(format!("loaded with problems: {failed} files failed (r: load report)"));
            }
            self.start_integrity();
        }
    }

    fn on_search_update(&mut self) {
        if let Some(r) = &self.search.result {
            if r.complete {
                let mut events: Vec<u32> = r.hits.iter().map(|h| h.event).collect();
                events.sort_unstable();
                self.hit_events = events;
            }
        }
        if self.search.edit.is_some() {
            self.sync_panes();
        }
    }

    /// Checks the inputs against their digest files in the background, when the load saw
    /// any (see `integrity`).
    pub fn start_integrity(&mut self) {
        let state = IntegrityState::start_if_digests(&self.read(), self.input_paths.clone());
        if matches!(state, IntegrityState::Running(_)) {
            let n = self.read().report.digests;
            self.set_status(format!("checking the log files against {n} digest files…"));
        }
        self.integrity = state;
    }

    fn poll_integrity(&mut self) -> bool {
        let store = self.store.clone();
        let store = read_store(&store);
        if !self.integrity.poll(&store) {
            return false;
        }
        drop(store);
        if let Some(v) = self.integrity.view() {
            let c = &v.report.counts;
            let text = format!(
                "integrity: {} intact, {} modified, {} missing, {} unlisted log files; {} broken links; {} (r: report)",
                c.log_files_intact,
                c.log_files_modified,
                c.log_files_missing,
                c.log_files_unlisted,
                c.links_broken,
                v.report.checked.signatures_note
            );
            if v.report.verdict == crate::integrity::Verdict::Intact {
                self.set_status(text);
            } else {
                self.set_error(text);
            }
        }
        self.detail.event = None; // the detail pane shows the verdict of the event's file
        self.sync_panes();
        true
    }

    /// Whether a load is still running.
    pub fn loading(&self) -> bool {
        !self.load.finished
    }

    /// Stops background work before the program exits: a running export is cancelled and
    /// waited for, so no temporary file is left behind. Returns a message for stderr.
    pub fn shutdown(&mut self) -> Option<String> {
        if let Overlay::Export(dialog) = std::mem::replace(&mut self.overlay, Overlay::None) {
            if let ExportStage::Running(job) = dialog.stage {
                job.cancel();
                job.wait();
                return Some("export cancelled: nothing was written".to_string());
            }
        }
        None
    }

    // ----- input -------------------------------------------------------------------------

    /// Handles a key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        // Ctrl-C always quits, whatever has the focus.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if matches!(self.overlay, Overlay::Export(_)) {
            return self.export_key(key);
        }
        if self.filter_edit.is_some() {
            return self.filter_key(key);
        }
        if self.search.edit.is_some() {
            return self.search_key(key);
        }
        if self.identities.filter_edit.is_some() {
            return self.identity_filter_key(key);
        }
        let k = Key::from_event(key);
        if let Overlay::Chain(view) = &mut self.overlay {
            match self.keymap.lookup(Context::Global, k) {
                Some(Action::Down) => view.cursor = (view.cursor + 1).min(view.lines.len().saturating_sub(1)),
                Some(Action::Up) => view.cursor = view.cursor.saturating_sub(1),
                Some(Action::Quit) => self.quit = true,
                _ if key.code == KeyCode::Enter => {
                    if let Some(e) = view.lines.get(view.cursor).and_then(|l| l.event) {
                        self.overlay = Overlay::None;
                        self.jump_anywhere(e);
                    } else {
                        self.set_status("this line names no event to jump to");
                    }
                }
                _ => self.overlay = Overlay::None,
            }
            return;
        }
        match &mut self.overlay {
            Overlay::Help { scroll } | Overlay::Report { scroll } => {
                match self.keymap.lookup(Context::Global, k) {
                    Some(Action::Down) => *scroll += 1,
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                    Some(Action::PageDown) => *scroll += 10,
                    Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                    Some(Action::Top) => *scroll = 0,
                    Some(Action::Quit) => self.quit = true,
                    Some(a @ (Action::Help | Action::Report)) => {
                        let same = matches!(
                            (&self.overlay, a),
                            (Overlay::Help { .. }, Action::Help) | (Overlay::Report { .. }, Action::Report)
                        );
                        self.overlay = Overlay::None;
                        if !same {
                            self.update(a);
                        }
                    }
                    _ => self.overlay = Overlay::None,
                }
                return;
            }
            _ => {}
        }
        match self.keymap.lookup(self.context(), k) {
            Some(action) => self.update(action),
            None => {
                if let KeyCode::Char(c) = key.code {
                    if !c.is_control() {
                        self.set_status(format!("{} is not bound (? for help)", Key::from_event(key).label()));
                    }
                }
            }
        }
    }

    /// Pasted text goes to whichever prompt is open.
    pub fn handle_paste(&mut self, text: &str) {
        if let Some(edit) = &mut self.filter_edit {
            edit.insert_str(text);
            self.filter_error = validate(edit.text(), now_ms()).err();
        } else if let Some(edit) = &mut self.search.edit {
            edit.insert_str(text);
            let q = edit.text().to_string();
            self.search.submit(&self.store, &q, &self.selection);
        } else if let Overlay::Export(d) = &mut self.overlay {
            if matches!(d.stage, ExportStage::Editing) {
                d.path.insert_str(text);
            }
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let Some(edit) = &mut self.filter_edit else { return };
        match key.code {
            KeyCode::Esc => {
                self.filter_edit = None;
                self.filter_error = None;
            }
            KeyCode::Enter => {
                let text = edit.text().to_string();
                match validate(&text, now_ms()) {
                    Err(e) => self.filter_error = Some(e),
                    Ok(()) => {
                        self.filter_edit = None;
                        self.filter_error = None;
                        let mut next = self.filter.applied.clone();
                        next.text = text.trim().to_string();
                        self.apply(next);
                    }
                }
            }
            _ => {
                if edit.handle(key) {
                    self.filter_error = validate(edit.text(), now_ms()).err();
                }
            }
        }
    }

    fn search_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.search.clear();
                self.hit_events.clear();
                self.sync_panes();
            }
            KeyCode::Enter => {
                self.search.edit = None;
                if let Some(hit) = self.search.hits().get(self.search.cursor).cloned() {
                    self.search.current = Some(self.search.cursor);
                    self.jump_to_event(hit.event);
                } else if self.search.query.is_empty() {
                    self.search.clear();
                }
                self.sync_panes();
            }
            KeyCode::Up => self.move_search_cursor(-1),
            KeyCode::Down => self.move_search_cursor(1),
            KeyCode::PageUp => self.move_search_cursor(-10),
            KeyCode::PageDown => self.move_search_cursor(10),
            KeyCode::Char('t') if ctrl => self.toggle_search_order(),
            KeyCode::Char('p') if ctrl => self.move_search_cursor(-1),
            KeyCode::Char('n') if ctrl => self.move_search_cursor(1),
            _ => {
                let Some(edit) = &mut self.search.edit else { return };
                if edit.handle(key) {
                    let q = edit.text().to_string();
                    if q.trim() != self.search.query {
                        self.search.submit(&self.store, &q, &self.selection);
                        self.hit_events.clear();
                    }
                }
            }
        }
    }

    fn move_search_cursor(&mut self, delta: isize) {
        let n = self.search.hits().len();
        if n == 0 {
            return;
        }
        self.search.cursor = (self.search.cursor as isize + delta).clamp(0, n as isize - 1) as usize;
        self.sync_panes();
    }

    fn toggle_search_order(&mut self) {
        self.search.order = match self.search.order {
            SearchOrder::BestMatch => SearchOrder::Time,
            SearchOrder::Time => SearchOrder::BestMatch,
        };
        if self.search.is_active() {
            let q = self.search.query.clone();
            self.search.submit(&self.store, &q, &self.selection);
        }
        let name = match self.search.order {
            SearchOrder::BestMatch => "best match",
            SearchOrder::Time => "time",
        };
        self.set_status(format!("search hits in {name} order"));
    }

    fn export_key(&mut self, key: KeyEvent) {
        let Overlay::Export(d) = &mut self.overlay else { return };
        match &d.stage {
            ExportStage::Editing => match key.code {
                KeyCode::Esc => self.overlay = Overlay::None,
                KeyCode::Tab | KeyCode::BackTab => d.cycle_format(),
                KeyCode::Enter => {
                    let path = std::path::PathBuf::from(d.path.text().trim());
                    if path.as_os_str().is_empty() {
                        return;
                    }
                    if path.exists() {
                        d.stage = ExportStage::ConfirmOverwrite;
                    } else {
                        self.start_export(false);
                    }
                }
                _ => {
                    d.path.handle(key);
                }
            },
            ExportStage::ConfirmOverwrite => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => self.start_export(true),
                _ => d.stage = ExportStage::Editing,
            },
            ExportStage::Running(job) => {
                if key.code == KeyCode::Esc {
                    job.cancel();
                }
            }
            ExportStage::Done(_) => self.overlay = Overlay::None,
        }
    }

    fn start_export(&mut self, force: bool) {
        let Overlay::Export(d) = &mut self.overlay else { return };
        let path = std::path::PathBuf::from(d.path.text().trim());
        d.total = self.selection.len() as u64;
        let job = ExportJob::start(self.store.clone(), self.selection.clone(), d.format, path, force);
        d.stage = ExportStage::Running(job);
    }

    /// Handles a mouse event against the last frame's layout.
    pub fn handle_mouse(&mut self, m: MouseEvent) {
        if !matches!(self.overlay, Overlay::None) || self.filter_edit.is_some() || self.search.edit.is_some() {
            return;
        }
        let at = Position::new(m.column, m.row);
        let pane = if self.areas.timeline.contains(at) {
            Some(Pane::Timeline)
        } else if self.areas.detail.contains(at) {
            Some(Pane::Detail)
        } else if self.areas.raw.contains(at) {
            Some(Pane::Raw)
        } else {
            None
        };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if m.kind == MouseEventKind::ScrollDown { 3 } else { -3 };
                if let Some(p) = pane {
                    let old = self.focus;
                    self.focus = p;
                    self.move_cursor(delta);
                    self.focus = old;
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let Some(p) = pane else { return };
                self.focus = p;
                let rows = self.areas.timeline_rows;
                if p == Pane::Timeline && rows.contains(at) {
                    let row = self.offset + (m.row - rows.y) as usize;
                    if row < self.selection.len() {
                        self.cursor = row;
                        self.sync_panes();
                    }
                }
            }
            _ => {}
        }
    }

    // ----- actions -----------------------------------------------------------------------

    /// Rows of the focused pane's viewport (from the last frame).
    fn page(&self) -> isize {
        let h = match self.focus {
            Pane::Timeline => self.areas.timeline_rows.height,
            Pane::Detail => self.areas.detail.height.saturating_sub(2),
            Pane::Raw => self.areas.raw.height.saturating_sub(2),
            Pane::Identities => self.areas.timeline.height.saturating_sub(3),
        };
        (h as isize).max(1)
    }

    fn move_cursor(&mut self, delta: isize) {
        match self.focus {
            Pane::Timeline => {
                let max = self.selection.len().saturating_sub(1) as isize;
                self.cursor = (self.cursor as isize + delta).clamp(0, max.max(0)) as usize;
                self.sync_panes();
            }
            Pane::Detail => {
                let max = self.detail.fields.len().saturating_sub(1) as isize;
                self.detail.cursor = (self.detail.cursor as isize + delta).clamp(0, max.max(0)) as usize;
            }
            Pane::Raw => self.raw.move_by(delta),
            Pane::Identities => self.identities.move_by(delta),
        }
    }

    fn jump_to_event(&mut self, event: u32) {
        let pos = position_of(&self.read(), &self.selection, event);
        if let Some(pos) = pos {
            self.cursor = pos;
            self.focus = Pane::Timeline;
            self.sync_panes();
        } else {
            self.set_error("that event is no longer in the selection");
        }
    }

    fn jump_hit(&mut self, forward: bool) {
        let n = self.search.hits().len();
        if n == 0 {
            self.set_status(if self.search.is_active() { "no search hits" } else { "no search (press / to search)" });
            return;
        }
        let next = match self.search.current {
            None => 0,
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
        };
        self.search.current = Some(next);
        let event = self.search.hits()[next].event;
        self.jump_to_event(event);
        self.set_status(format!("hit {} of {}", next + 1, crate::ingest::report::group(n as u64)));
    }

    /// Adds `term` (or its negation) to the typed filter and applies it.
    fn add_term(&mut self, negate: bool) {
        let Some(term) = self.detail.fields.get(self.detail.cursor).and_then(|f| f.filter.clone()) else {
            self.set_status("this field cannot be filtered on");
            return;
        };
        let term = if negate { format!("-{term}") } else { term };
        self.add_filter_text(&term);
    }

    /// ANDs `term` to the typed filter and applies it (undoable).
    fn add_filter_text(&mut self, term: &str) {
        let mut next = self.filter.applied.clone();
        next.text = if next.text.trim().is_empty() { term.to_string() } else { format!("{} {term}", next.text.trim()) };
        self.apply(next);
        self.set_status(format!("filter + {}", crate::sanitize::sanitize(term)));
    }

    /// Opens the credential chain of the selected event.
    fn open_chain(&mut self) {
        let Some(e) = self.selected_event() else {
            self.set_status("no event selected");
            return;
        };
        let lines = {
            let store = read_store(&self.store);
            trace_lines(&store, &trace(&store, TraceTarget::Event(e)))
        };
        let cursor = lines.iter().position(|l| l.event.is_some() && l.event != Some(e)).unwrap_or(0);
        self.overlay = Overlay::Chain(ChainView { lines, cursor, offset: 0 });
    }

    /// Moves the timeline to `event`; when the current view hides it, the view is reset
    /// to every event first (undoable with `u`).
    fn jump_anywhere(&mut self, event: u32) {
        self.show_identities = false;
        if !self.selection.contains(&event) {
            self.apply(ViewSpec::default());
            self.set_status("the view was reset to show that event (u: undo)");
        }
        self.jump_to_event(event);
    }

    fn identity_filter_key(&mut self, key: KeyEvent) {
        let Some(edit) = &mut self.identities.filter_edit else { return };
        match key.code {
            KeyCode::Esc => {
                self.identities.filter_edit = None;
                self.identities.set_filter("");
            }
            KeyCode::Enter => self.identities.filter_edit = None,
            KeyCode::Up => self.identities.move_by(-1),
            KeyCode::Down => self.identities.move_by(1),
            _ => {
                if edit.handle(key) {
                    let text = edit.text().to_string();
                    self.identities.set_filter(&text);
                }
            }
        }
    }

    fn zoom_in(&mut self) {
        let Some(event) = self.selection.get(self.cursor).copied() else { return };
        let Some(t) = self.read().time(event) else {
            self.set_status("the selected event has no time");
            return;
        };
        let Some(bucket) = self.histogram.bucket_of(t) else { return };
        let (from, to) = self.histogram.bounds(bucket);
        let mut next = self.filter.applied.clone();
        next.zoom.push((from, to));
        self.apply(next);
    }

    fn step_bucket(&mut self, forward: bool) {
        let Some(event) = self.selection.get(self.cursor).copied() else { return };
        let t = self.read().time(event);
        let Some(bucket) = t.and_then(|t| self.histogram.bucket_of(t)) else { return };
        let store = self.read();
        let time = |e: u32| store.time(e).unwrap_or(i64::MAX);
        let target = if forward {
            let (_, end) = self.histogram.bounds(bucket);
            self.selection.partition_point(|&e| time(e) < end)
        } else {
            let (start, _) = self.histogram.bounds(bucket);
            let before = self.selection.partition_point(|&e| time(e) < start);
            if before == 0 {
                0
            } else {
                let prev_t = time(self.selection[before - 1]);
                match self.histogram.bucket_of(prev_t) {
                    Some(b) => self.selection.partition_point(|&e| time(e) < self.histogram.bounds(b).0),
                    None => 0,
                }
            }
        };
        drop(store);
        self.cursor = target.min(self.selection.len().saturating_sub(1));
        self.sync_panes();
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Report => self.overlay = Overlay::Report { scroll: 0 },
            Action::Back => {
                if self.show_identities {
                    self.show_identities = false;
                    self.focus = Pane::Timeline;
                } else if self.search.is_active() {
                    self.search.clear();
                    self.hit_events.clear();
                    self.set_status("search cleared");
                } else {
                    self.focus = Pane::Timeline;
                }
            }
            Action::FocusNext | Action::FocusPrev => {
                let main = if self.show_identities { Pane::Identities } else { Pane::Timeline };
                let order = [main, Pane::Detail, Pane::Raw];
                let i = order.iter().position(|p| *p == self.focus).unwrap_or(0);
                let step = if action == Action::FocusNext { 1 } else { order.len() - 1 };
                self.focus = order[(i + step) % order.len()];
            }
            Action::FocusTimeline => {
                self.focus = if self.show_identities { Pane::Identities } else { Pane::Timeline };
            }
            Action::FocusDetail | Action::Open => self.focus = Pane::Detail,
            Action::FocusRaw => self.focus = Pane::Raw,
            Action::Up => self.move_cursor(-1),
            Action::Down => self.move_cursor(1),
            Action::PageUp => self.move_cursor(-self.page()),
            Action::PageDown => self.move_cursor(self.page()),
            Action::Top => self.move_cursor(isize::MIN / 2),
            Action::Bottom => self.move_cursor(isize::MAX / 2),
            Action::EditFilter => {
                let edit = LineEdit::new(&self.filter.applied.text);
                self.filter_error = validate(edit.text(), now_ms()).err();
                self.filter_edit = Some(edit);
            }
            Action::ClearFilter => self.apply(ViewSpec::default()),
            Action::UndoFilter => {
                if self.filter.undo() {
                    self.refresh_selection(true);
                    self.set_status("filter change undone");
                } else {
                    self.set_status("nothing to undo");
                }
            }
            Action::RedoFilter => {
                if self.filter.redo() {
                    self.refresh_selection(true);
                    self.set_status("filter change redone");
                } else {
                    self.set_status("nothing to redo");
                }
            }
            Action::ErrorsOnly => {
                let mut next = self.filter.applied.clone();
                next.errors_only = !next.errors_only;
                self.apply(next);
            }
            Action::HideReadOnly => {
                let mut next = self.filter.applied.clone();
                next.writes_only = !next.writes_only;
                self.apply(next);
            }
            Action::ZoomIn => self.zoom_in(),
            Action::ZoomOut => {
                let mut next = self.filter.applied.clone();
                if next.zoom.pop().is_some() {
                    self.apply(next);
                } else {
                    self.set_status("not zoomed");
                }
            }
            Action::PrevBucket => self.step_bucket(false),
            Action::NextBucket => self.step_bucket(true),
            Action::Search => {
                self.search.edit = Some(LineEdit::new(&self.search.query));
                if self.search.is_active() {
                    let q = self.search.query.clone();
                    self.search.submit(&self.store, &q, &self.selection);
                }
            }
            Action::NextHit => self.jump_hit(true),
            Action::PrevHit => self.jump_hit(false),
            Action::SearchOrder => self.toggle_search_order(),
            Action::TimeZone => {
                self.zone = self.zone.toggled();
                self.detail.event = None;
                self.sync_panes();
                self.set_status(format!("times in {}", self.zone.label()));
            }
            Action::Export => {
                if self.selection.is_empty() {
                    self.set_error("nothing to export: the selection is empty");
                } else {
                    self.overlay = Overlay::Export(ExportDialog::new(self.selection.len() as u64));
                }
            }
            Action::CopyEvent => match self.raw.event {
                Some(_) if !self.raw.text.is_empty() => {
                    self.clipboard = Some(self.raw.text.trim().to_string());
                    self.set_status("event JSON copied to the clipboard (OSC 52)");
                }
                _ => self.set_status("no event to copy"),
            },
            Action::CopyValue => match self.raw.selected_value() {
                Some(v) => {
                    self.clipboard = Some(v);
                    self.set_status("value copied to the clipboard (OSC 52)");
                }
                None => self.set_status("no value to copy"),
            },
            Action::Identities => {
                self.show_identities = !self.show_identities;
                self.focus = if self.show_identities { Pane::Identities } else { Pane::Timeline };
                if self.show_identities {
                    self.identities.ensure(&self.store, &self.selection);
                }
            }
            Action::Drill => match self.identities.filter_term() {
                Some(term) => {
                    self.show_identities = false;
                    self.focus = Pane::Timeline;
                    self.add_filter_text(&term);
                }
                None => self.set_status("pick a principal, role or account"),
            },
            Action::SortIdentities => {
                self.identities.cycle_sort();
                self.set_status(format!("identities sorted by {}", self.identities.sort.name()));
            }
            Action::FilterIdentities => {
                self.identities.filter_edit = Some(LineEdit::new(&self.identities.filter));
            }
            Action::Chain => self.open_chain(),
            Action::KeyEvents => {
                let key =
                    self.selected_event().and_then(|e| self.read().value(e, Facet::AccessKey).map(str::to_string));
                match key {
                    Some(k) => {
                        let term = crate::view::detail::filter_term(crate::query::fields::Field::AccessKey, &k);
                        self.add_filter_text(&term);
                    }
                    None => self.set_status("the selected event names no access key"),
                }
            }
            Action::AddFilter => self.add_term(false),
            Action::AddNegation => self.add_term(true),
            Action::ToggleFold => self.raw.toggle_fold(),
            Action::FoldAll => self.raw.fold_all(),
            Action::UnfoldAll => self.raw.unfold_all(),
        }
    }
}
