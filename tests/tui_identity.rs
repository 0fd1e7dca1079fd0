//! The explorer's identity features (issue 5) driven by keys: the Identities pane (group,
//! sort, name filter, drill-down, narrowing the timeline), the credential chain overlay and
//! "everything done with this key", and notable marks. Fixture: tests/fixtures/identity
//! (story in tests/fixtures/make_identity.py); expected selections from the python oracle.

mod common;

use std::path::Path;
use std::sync::{Arc, RwLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use trailscope::config::Config;
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::store::Store;
use trailscope::tui::app::{Overlay, Pane};
use trailscope::tui::identities::RowTarget;
use trailscope::tui::{ui, App};

const DIR: &str = "tests/fixtures/identity";

fn app() -> App {
    let store = Arc::new(RwLock::new(Store::new()));
    load_into(&store, &LoadOptions::new(vec![Path::new(DIR).to_path_buf()]), None);
    let mut app = App::new(store, None, &Config::default(), Vec::new());
    app.config_hint = "CONFIG".into();
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    text.chars().for_each(|c| key(app, KeyCode::Char(c)));
}

fn ids(app: &App) -> Vec<String> {
    let store = app.store.read().unwrap();
    let mut v: Vec<String> = app.selection.iter().map(|&e| store.event_id(e).unwrap().to_string()).collect();
    v.sort();
    v
}

fn oracle(pred: &str) -> Vec<String> {
    common::filter_oracle(&[Path::new(DIR)], &[("q", pred)]).remove("q").unwrap()
}

fn select_event(app: &mut App, event_id: &str) {
    let row = {
        let store = app.store.read().unwrap();
        app.selection.iter().position(|&e| store.event_id(e) == Some(event_id)).expect("event in the selection")
    };
    app.cursor = row;
    app.sync_panes();
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn identities_pane_groups_sorts_filters_and_narrows_the_timeline() {
    let mut app = app();
    key(&mut app, KeyCode::Char('i'));
    assert!(app.show_identities);
    assert_eq!(app.focus, Pane::Identities);
    let screen = render(&mut app, 150, 45);
    let rows = &app.identities.rows;
    let accounts: Vec<&str> =
        rows.iter().filter(|r| matches!(r.target, RowTarget::Account(_))).map(|r| r.label.as_str()).collect();
    assert!(accounts.contains(&"account 111122223333") && accounts.contains(&"account 444455556666"), "{accounts:?}");
    // Role sessions sit under their role.
    let role =
        rows.iter().position(|r| r.target == RowTarget::Role("arn:aws:iam::111122223333:role/deploy-role".into()));
    let role = role.expect("deploy-role row");
    assert_eq!(rows[role + 1].label, "deploy-role/deploy-session");
    assert_eq!(rows[role + 1].depth, rows[role].depth + 1);
    insta::assert_snapshot!("identities_pane", screen);

    // Name filter as you type; Esc clears it.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "pivot");
    let labels: Vec<&str> = app.identities.rows.iter().map(|r| r.label.as_str()).collect();
    assert!(labels.contains(&"data-reader/pivot"), "{labels:?}");
    assert!(!labels.iter().any(|l| l.contains("dev-alice")));
    key(&mut app, KeyCode::Esc);
    assert!(app.identities.rows.iter().any(|r| r.label == "dev-alice"));

    // Sorted by errors, dev-alice (the reconnaissance) comes first among IAM users.
    key(&mut app, KeyCode::Char('s'));
    let first_user = app.identities.rows.iter().find(|r| r.kind == "iam-user").unwrap();
    assert_eq!(first_user.label, "dev-alice");

    // Enter narrows the timeline to the principal under the cursor.
    app.identities.cursor = app.identities.rows.iter().position(|r| r.label == "dev-alice").unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(!app.show_identities);
    assert_eq!(app.focus, Pane::Timeline);
    assert_eq!(ids(&app), oracle("lambda e: eq(e, 'userIdentity.arn', 'arn:aws:iam::111122223333:user/dev-alice')"));
}

#[test]
fn role_row_narrows_to_all_its_sessions() {
    let mut app = app();
    key(&mut app, KeyCode::Char('i'));
    app.identities.ensure(&app.store.clone(), &app.selection.clone());
    app.identities.cursor = app
        .identities
        .rows
        .iter()
        .position(|r| r.target == RowTarget::Role("arn:aws:iam::111122223333:role/deploy-role".into()))
        .unwrap();
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        ids(&app),
        oracle("lambda e: eq(e, 'userIdentity.sessionContext.sessionIssuer.arn', 'arn:aws:iam::111122223333:role/deploy-role')")
    );
}

#[test]
fn credential_chain_goes_up_across_accounts_and_jumps_to_the_minting_event() {
    let mut app = app();
    select_event(&mut app, "e19-pivot-stoplogging");
    key(&mut app, KeyCode::Char('C'));
    let Overlay::Chain(view) = &app.overlay else { panic!("chain overlay") };
    let text: Vec<&str> = view.lines.iter().map(|l| l.text.as_str()).collect();
    let joined = text.join("\n");
    // Up from the pivot session's key: the cross-account AssumeRole (both copies, linked by
    // sharedEventID), the deploy session's key, its AssumeRole by the new key, the
    // CreateAccessKey by alice's leaked key, whose own minting is not in the data.
    for needle in [
        "Where ASIAPIVOTSESSION0001 came from:",
        "minted by AssumeRole",
        "sharedEventID 5e0c0c1a-7d1e-4a52-9b61-0f4d5c6e7a01",
        "ASIADEPLOYSESSION001",
        "AKIASVCBACKUPNEW0001",
        "minted by CreateAccessKey",
        "is not in the loaded data.",
    ] {
        assert!(joined.contains(needle), "{needle:?} missing from\n{joined}");
    }
    let screen = render(&mut app, 160, 45);
    insta::assert_snapshot!("chain_overlay", screen);

    // Enter on the CreateAccessKey line jumps to that event; a view that hides it (here:
    // only the pivot key's events) is reset first, undoably.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('K'));
    select_event(&mut app, "e19-pivot-stoplogging");
    key(&mut app, KeyCode::Char('C'));
    let Overlay::Chain(view) = &mut app.overlay else { panic!("chain overlay") };
    view.cursor = view.lines.iter().position(|l| l.text.contains("minted by CreateAccessKey")).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::None));
    let id = app.store.read().unwrap().event_id(app.selected_event().unwrap()).unwrap().to_string();
    assert_eq!(id, "e09-alice-createaccesskey");
    assert!(app.filter.applied.is_everything(), "the view was reset so the event is visible");
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(app.filter.applied.text, "key:ASIAPIVOTSESSION0001");
}

#[test]
fn key_events_and_notable_marks() {
    let mut app = app();
    select_event(&mut app, "e19-pivot-stoplogging");
    // The detail pane starts with the notable category, and its term filters on it.
    let first = &app.detail.fields[0];
    assert_eq!(first.label, "NOTABLE");
    assert!(first.value.starts_with("logging:"), "{}", first.value);
    assert_eq!(first.filter.as_deref(), Some("notable:logging"));
    key(&mut app, KeyCode::Char('K'));
    assert_eq!(app.filter.applied.text, "key:ASIAPIVOTSESSION0001");
    assert_eq!(ids(&app), oracle("lambda e: eq(e, 'userIdentity.accessKeyId', 'ASIAPIVOTSESSION0001')"));
}

#[test]
fn large_selections_are_summarised_in_the_background() {
    let mut app = app();
    app.identities.background_from = 0; // as if the selection were large
    key(&mut app, KeyCode::Char('i'));
    let screen = render(&mut app, 150, 45);
    assert!(app.identities.is_pending() || !app.identities.rows.is_empty());
    if app.identities.is_pending() {
        assert!(screen.contains("summarising the principals"), "{screen}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.identities.is_pending() {
        assert!(std::time::Instant::now() < deadline, "summaries never arrived");
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(app.identities.summaries.len(), 14, "the fixture's principals (see the snapshot)");
    assert!(app.identities.rows.iter().any(|r| r.label == "dev-alice"));
}
