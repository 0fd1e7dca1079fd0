//! Everything a user can ask the explorer to do. Keys map to actions (see `keymap`), and
//! `App::update` is the only place actions take effect, so tests drive the app with
//! actions and no terminal.

/// Where a binding applies: everywhere, or only when that pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    Timeline,
    Detail,
    Raw,
    Identities,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Timeline => "Timeline",
            Context::Detail => "Detail pane",
            Context::Raw => "Raw JSON pane",
            Context::Identities => "Identities pane",
        }
    }
}

macro_rules! actions {
    ($( $variant:ident => $name:literal, $context:ident, [$($key:literal),*], $help:literal; )*) => {
        /// A user intent.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $( $variant, )* }

        /// Name (as written in the config's `[keys]`), context, default keys and help text
        /// of every action, in help-screen order.
        pub const ACTIONS: &[ActionInfo] = &[
            $( ActionInfo { action: Action::$variant, name: $name, context: Context::$context, keys: &[$($key),*], help: $help }, )*
        ];
    };
}

/// Static facts about an action.
#[derive(Debug, Clone, Copy)]
pub struct ActionInfo {
    pub action: Action,
    pub name: &'static str,
    pub context: Context,
    pub keys: &'static [&'static str],
    pub help: &'static str,
}

actions! {
    Quit => "quit", Global, ["q", "ctrl-c"], "quit";
    Help => "help", Global, ["?", "f1"], "this help";
    Report => "load_report", Global, ["r"], "load report: failed files, salvaged records, integrity";
    Back => "back", Global, ["esc"], "close the overlay / cancel the search / back to the timeline";
    FocusNext => "focus_next", Global, ["tab"], "next pane";
    FocusPrev => "focus_prev", Global, ["backtab"], "previous pane";
    FocusTimeline => "focus_timeline", Global, ["1"], "timeline pane";
    FocusDetail => "focus_detail", Global, ["2"], "detail pane";
    FocusRaw => "focus_raw", Global, ["3"], "raw JSON pane";
    Identities => "identities", Global, ["i"], "identities pane: principals by account and type (i again: timeline)";
    Up => "up", Global, ["k", "up"], "move up";
    Down => "down", Global, ["j", "down"], "move down";
    PageUp => "page_up", Global, ["pageup", "ctrl-b"], "page up";
    PageDown => "page_down", Global, ["pagedown", "ctrl-f", "space"], "page down";
    Top => "top", Global, ["g", "home"], "first row";
    Bottom => "bottom", Global, ["G", "end"], "last row";
    EditFilter => "filter", Global, ["f", ":"], "edit the filter (Enter applies, Esc cancels)";
    ClearFilter => "clear_filter", Global, ["c"], "clear the filter, toggles and zoom";
    UndoFilter => "undo_filter", Global, ["u"], "undo the last filter change";
    RedoFilter => "redo_filter", Global, ["ctrl-r", "U"], "redo a filter change";
    ErrorsOnly => "errors_only", Global, ["e"], "toggle: errors only";
    HideReadOnly => "hide_read_only", Global, ["w"], "toggle: hide read-only events (writes only)";
    ZoomIn => "zoom_in", Global, [">"], "zoom the time range to the histogram bucket under the cursor";
    ZoomOut => "zoom_out", Global, ["<"], "undo the last zoom";
    PrevBucket => "prev_bucket", Global, ["["], "cursor to the previous histogram bucket";
    NextBucket => "next_bucket", Global, ["]"], "cursor to the next histogram bucket";
    Search => "search", Global, ["/"], "fuzzy search the selection (Enter jumps, Esc clears)";
    NextHit => "next_hit", Global, ["n"], "next search hit";
    PrevHit => "prev_hit", Global, ["N"], "previous search hit";
    SearchOrder => "search_order", Global, ["o", "ctrl-t"], "search hits: best match / time order";
    TimeZone => "time_zone", Global, ["z"], "show times in UTC / local time";
    Export => "export", Global, ["x"], "export the current selection to a file";
    CopyEvent => "copy_event", Global, ["y"], "copy the event's JSON to the clipboard (OSC 52)";
    Chain => "credential_chain", Global, ["C"], "credential chain of the event's key: who minted it, up the chain, and down";
    KeyEvents => "key_events", Global, ["K"], "narrow the timeline to everything done with the event's access key";
    Open => "open", Timeline, ["enter"], "open the event in the detail pane";
    AddFilter => "add_filter", Detail, ["enter", "+"], "add field:value to the filter";
    AddNegation => "add_negation", Detail, ["-"], "add NOT field:value to the filter";
    ToggleFold => "toggle_fold", Raw, ["enter", "l", "h"], "fold / unfold the object or array";
    FoldAll => "fold_all", Raw, ["F"], "fold every container below the top";
    UnfoldAll => "unfold_all", Raw, ["E"], "unfold everything";
    CopyValue => "copy_value", Raw, ["Y"], "copy the selected value to the clipboard (OSC 52)";
    Drill => "drill", Identities, ["enter"], "narrow the timeline to this principal, role or account";
    SortIdentities => "sort_identities", Identities, ["s"], "sort by events / errors / first seen / last seen";
    FilterIdentities => "filter_identities", Identities, ["/"], "filter the principals by name (as you type)";
}

impl Action {
    pub fn info(self) -> &'static ActionInfo {
        ACTIONS.iter().find(|i| i.action == self).expect("every action is in ACTIONS")
    }

    pub fn by_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|i| i.name == name).map(|i| i.action)
    }
}
