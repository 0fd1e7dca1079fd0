//! Identity analysis on the hand-written incident fixture (tests/fixtures/identity, story in
//! tests/fixtures/make_identity.py): principals, per-principal summaries, grouping, the
//! credential chain up and down (across accounts by sharedEventID), the missing links, and
//! the notable flags, in-process (tests/identity_cli.rs runs the commands).
//!
//! Every expected value below was worked out by hand from the story, event by event (the
//! `eNN-…` eventIDs name them); none was copied from trailscope's output.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::RwLock;

use serde_json::Value;
use trailscope::analysis::chains::{
    all_mints, key_use, provenance, resolve_target, trace, ChainEnd, KeyKind, KeyUse, TraceTarget,
};
use trailscope::analysis::identities::{fill_details, group, sort, summarize, Entry, PrincipalSummary, SortKey};
use trailscope::analysis::notable::{Category, NotableEvents};
use trailscope::analysis::principals::{event_identity_details, event_principal, PrincipalKind};
use trailscope::ingest::{load_into, LoadOptions};
use trailscope::model::time::parse_event_time;
use trailscope::query::{parse, select};
use trailscope::store::{Facet, Store};

const A: &str = "111122223333";
const B: &str = "444455556666";
const SHARED: &str = "5e0c0c1a-7d1e-4a52-9b61-0f4d5c6e7a01";
const ALICE: &str = "arn:aws:iam::111122223333:user/dev-alice";
const DEPLOY: &str = "arn:aws:sts::111122223333:assumed-role/deploy-role/deploy-session";
const PIVOT: &str = "arn:aws:sts::444455556666:assumed-role/data-reader/pivot";
const SAML: &str = "saml:arn:aws:iam::111122223333:saml-provider/Okta:bob@example.com";

fn fixture_dir() -> PathBuf {
    common::fixture("identity")
}

fn load(path: PathBuf) -> Store {
    let store = RwLock::new(Store::new());
    load_into(&store, &LoadOptions::new(vec![path]), None);
    let store = store.into_inner().unwrap();
    assert!(store.report.problems.is_empty(), "{:?}", store.report.problems);
    store
}

fn fixture() -> Store {
    load(fixture_dir())
}

fn ev(store: &Store, id: &str) -> u32 {
    (0..store.len() as u32).find(|&e| store.event_id(e) == Some(id)).unwrap_or_else(|| panic!("no event {id}"))
}

fn ids(store: &Store, events: &[u32]) -> Vec<String> {
    events.iter().map(|&e| store.event_id(e).unwrap().to_owned()).collect()
}

fn id_set(store: &Store, events: &[u32]) -> BTreeSet<String> {
    ids(store, events).into_iter().collect()
}

fn t(text: &str) -> Option<i64> {
    Some(parse_event_time(text).unwrap())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn summary<'a>(all: &'a [PrincipalSummary], principal: Option<&str>) -> &'a PrincipalSummary {
    all.iter().find(|s| s.principal.as_deref() == principal).unwrap_or_else(|| panic!("no summary for {principal:?}"))
}

#[test]
fn principals_of_every_kind() {
    let store = fixture();
    assert_eq!(store.len(), 33);
    let cases = [
        ("e01-alice-getcalleridentity", Some(ALICE), PrincipalKind::IamUser, None),
        (
            "e11-deploy-authorizeingress-open",
            Some(DEPLOY),
            PrincipalKind::RoleSession,
            Some("arn:aws:iam::111122223333:role/deploy-role"),
        ),
        ("e15b-assumerole-crossaccount-copy", Some("account:111122223333"), PrincipalKind::Account, None),
        ("e24-saml-assumerolewithsaml", Some(SAML), PrincipalKind::Saml, None),
        ("e29-root-consolelogin", Some("arn:aws:iam::111122223333:root"), PrincipalKind::Root, None),
        ("e30-service-decrypt", Some("service:s3.amazonaws.com"), PrincipalKind::Service, None),
        ("e31-noidentity-event", None, PrincipalKind::NoIdentity, None),
    ];
    for (id, name, kind, issuer) in cases {
        let p = event_principal(&store, ev(&store, id));
        assert_eq!((p.name, p.kind, p.issuer), (name, kind, issuer), "{id}");
    }
    // Details only the JSON holds.
    let d = event_identity_details(&store, ev(&store, "e21-carol-describeinstances")).unwrap();
    assert_eq!(d.session_credential_from_console, Some(true));
    assert_eq!(d.mfa_authenticated, Some(false));
    assert_eq!(d.session_created.as_deref(), Some("2024-03-01T11:00:00Z"));
    let d = event_identity_details(&store, ev(&store, "e27-worker-getobject")).unwrap();
    assert_eq!(
        d.credentials_issued_to.as_deref(),
        Some("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890")
    );
    let d = event_identity_details(&store, ev(&store, "e16-pivot-listbuckets")).unwrap();
    assert_eq!(d.source_identity.as_deref(), Some("svc-backup"));
    let d = event_identity_details(&store, ev(&store, "e20-carol-consolelogin")).unwrap();
    assert_eq!(d.mfa_used, Some(false));
    let d = event_identity_details(&store, ev(&store, "e24-saml-assumerolewithsaml")).unwrap();
    assert_eq!(d.identity_provider.as_deref(), Some("arn:aws:iam::111122223333:saml-provider/Okta"));
    let d = event_identity_details(&store, ev(&store, "e30-service-decrypt")).unwrap();
    assert_eq!(d.invoked_by.as_deref(), Some("s3.amazonaws.com"));
}

#[test]
fn summaries_count_what_each_principal_did() {
    let store = fixture();
    let mut all = summarize(&store, store.time_order());
    fill_details(&store, &mut all);
    assert_eq!(all.len(), 14);
    assert_eq!(all.iter().map(|s| s.events).sum::<u64>(), 33);

    let alice = summary(&all, Some(ALICE));
    assert_eq!(
        (alice.kind, alice.label.as_str(), alice.account.as_deref()),
        (PrincipalKind::IamUser, "dev-alice", Some(A))
    );
    // e00..e09: seven failures, all of the AccessDenied family (AccessDenied,
    // Client.UnauthorizedOperation, AccessDeniedException).
    assert_eq!((alice.events, alice.errors, alice.access_denied), (10, 7, 7));
    assert_eq!((alice.first_seen, alice.last_seen), (t("2024-03-01T09:00:00Z"), t("2024-03-01T10:05:00Z")));
    let ips: Vec<_> = alice.source_ips.iter().map(|v| (v.value.as_str(), v.count, v.first_seen, v.last_seen)).collect();
    assert_eq!(
        ips,
        vec![
            ("198.51.100.7", 9, t("2024-03-01T10:00:00Z"), t("2024-03-01T10:05:00Z")),
            ("203.0.113.10", 1, t("2024-03-01T09:00:00Z"), t("2024-03-01T09:00:00Z")),
        ]
    );
    assert_eq!(alice.user_agents.len(), 2);
    assert_eq!(alice.user_agents[0].value, "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali");
    assert_eq!(alice.user_agents[0].count, 9);
    let keys: Vec<_> = alice.access_keys.iter().map(|v| (v.value.as_str(), v.count)).collect();
    assert_eq!(keys, vec![("AKIAALICELEAKED00001", 10)]);
    let regions: Vec<_> = alice.regions.iter().map(|v| (v.value.as_str(), v.count)).collect();
    assert_eq!(regions, vec![("us-east-1", 9), ("eu-west-1", 1)]);
    let accounts: Vec<_> = alice.accounts.iter().map(|v| (v.value.as_str(), v.count)).collect();
    assert_eq!(accounts, vec![(A, 10)]);
    assert_eq!(alice.event_names.len(), 10, "ten different calls, one each");
    assert!(alice.sessions.is_empty(), "a long-term key is not a session");

    // The console user: a sign-in without MFA, then one call with the console session.
    let carol = summary(&all, Some("arn:aws:iam::111122223333:user/carol"));
    assert_eq!(carol.console_logins.len(), 1);
    let login = &carol.console_logins[0];
    assert_eq!((login.time, login.success, login.mfa_used), (t("2024-03-01T11:00:00Z"), Some(true), Some(false)));
    assert_eq!(login.source_ip.as_deref(), Some("203.0.113.20"));
    assert_eq!(carol.sessions.len(), 1);
    let s = &carol.sessions[0];
    assert_eq!(s.access_key, "ASIACAROLCONSOLE0001");
    assert_eq!((s.events, s.from_console, s.mfa_authenticated), (1, Some(true), Some(false)));
    assert_eq!(s.created.as_deref(), Some("2024-03-01T11:00:00Z"));

    let dave = summary(&all, Some("arn:aws:iam::111122223333:user/dave"));
    assert_eq!((dave.console_logins[0].success, dave.console_logins[0].mfa_used), (Some(false), Some(false)));
    let erin = summary(&all, Some("arn:aws:iam::111122223333:user/erin"));
    assert_eq!((erin.console_logins[0].success, erin.console_logins[0].mfa_used), (Some(true), Some(true)));

    // Role sessions: session name, creation time and source identity.
    let deploy = summary(&all, Some(DEPLOY));
    assert_eq!(deploy.issuer.as_deref(), Some("arn:aws:iam::111122223333:role/deploy-role"));
    assert_eq!((deploy.events, deploy.errors), (5, 0));
    assert_eq!(deploy.sessions.len(), 1);
    let s = &deploy.sessions[0];
    assert_eq!(
        (
            s.access_key.as_str(),
            s.session_name.as_deref(),
            s.source_identity.as_deref(),
            s.created.as_deref(),
            s.events
        ),
        ("ASIADEPLOYSESSION001", Some("deploy-session"), Some("svc-backup"), Some("2024-03-01T10:06:00Z"), 5)
    );
    let pivot = summary(&all, Some(PIVOT));
    assert_eq!((pivot.account.as_deref(), pivot.events), (Some(B), 4));
    assert_eq!(pivot.sessions[0].created.as_deref(), Some("2024-03-01T10:07:00Z"));
    let worker = summary(&all, Some("arn:aws:sts::111122223333:assumed-role/app-worker/i-0abc1234def567890"));
    assert_eq!(
        worker.sessions[0].credentials_issued_to.as_deref(),
        Some("arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234def567890")
    );

    // The resource account's copy of the cross-account call is "account A" calling into B.
    let other = summary(&all, Some("account:111122223333"));
    assert_eq!((other.kind, other.account.as_deref(), other.events), (PrincipalKind::Account, Some(A), 1));
    assert_eq!(other.accounts[0].value, B);
    let none = summary(&all, None);
    assert_eq!((none.kind, none.label.as_str(), none.events), (PrincipalKind::NoIdentity, "(no identity)", 1));
    assert_eq!(summary(&all, Some(SAML)).kind, PrincipalKind::Saml);
    assert_eq!(summary(&all, Some("service:s3.amazonaws.com")).kind, PrincipalKind::Service);
}

#[test]
fn summaries_of_a_selection_count_only_the_selection() {
    let store = fixture();
    let selection = select(&store, &parse("error:*", 0).unwrap()).unwrap();
    let all = summarize(&store, &selection);
    // Only dev-alice failed anything (seven times).
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].principal.as_deref(), all[0].events, all[0].errors), (Some(ALICE), 7, 7));
}

#[test]
fn grouping_by_account_and_kind_with_roles_over_sessions_and_sorting() {
    let store = fixture();
    let all = summarize(&store, store.time_order());
    let groups = group(&all, SortKey::Count);
    let accounts: Vec<_> = groups.iter().map(|g| (g.account.as_deref(), g.totals.events)).collect();
    assert_eq!(accounts, vec![(Some(A), 29), (Some(B), 4)]);
    let kinds: Vec<_> = groups[0].kinds.iter().map(|k| k.kind).collect();
    use PrincipalKind::*;
    assert_eq!(kinds, vec![Root, IamUser, RoleSession, Saml, Service, Account, NoIdentity]);
    let roles = &groups[0].kinds[2].entries;
    let role_names: Vec<_> = roles
        .iter()
        .map(|e| match e {
            Entry::Role { label, totals, sessions, .. } => (label.as_str(), totals.events, sessions.len()),
            Entry::Principal { .. } => panic!("role sessions are listed under their role"),
        })
        .collect();
    // deploy-role 5; app-worker and okta-admin tie at 2, ordered by session ARN.
    assert_eq!(role_names, vec![("deploy-role", 5, 1), ("app-worker", 2, 1), ("okta-admin", 2, 1)]);
    let users: Vec<_> = groups[0].kinds[1]
        .entries
        .iter()
        .map(|e| match e {
            Entry::Principal { index } => all[*index].label.as_str(),
            Entry::Role { .. } => panic!("users are not roles"),
        })
        .collect();
    // dev-alice 10, carol 2, then dave, erin, svc-backup with one each, by ARN.
    assert_eq!(users, vec!["dev-alice", "carol", "dave", "erin", "svc-backup"]);
    let b_roles = &groups[1].kinds[0];
    assert_eq!(b_roles.kind, RoleSession);

    let mut sorted = all.clone();
    sort(&mut sorted, SortKey::Errors);
    assert_eq!(sorted[0].principal.as_deref(), Some(ALICE));
    sort(&mut sorted, SortKey::FirstSeen);
    assert_eq!(sorted[0].principal.as_deref(), Some(ALICE), "09:00 is the earliest event");
    sort(&mut sorted, SortKey::LastSeen);
    assert_eq!(sorted[0].principal, None, "the 14:40 health event is the latest");
    assert_eq!(sorted[1].principal.as_deref(), Some("service:s3.amazonaws.com"));
}

#[test]
fn chain_up_from_the_final_key_crosses_accounts_and_ends_at_the_missing_mint() {
    let store = fixture();
    // e09 CreateAccessKey, e10 AssumeRole, e15b (B's copy, names the key), e24 SAML.
    // e15a names no key (no responseElements), so it is not a mint by itself.
    let minted: BTreeSet<String> =
        all_mints(&store).iter().map(|&e| store.value(e, Facet::MintedKey).unwrap().to_owned()).collect();
    assert_eq!(
        minted,
        set(&["AKIASVCBACKUPNEW0001", "ASIADEPLOYSESSION001", "ASIAPIVOTSESSION0001", "ASIABOBSAML000000001"])
    );

    let chain = provenance(&store, "ASIAPIVOTSESSION0001");
    let keys: Vec<_> = chain.steps.iter().map(|s| (s.key.as_str(), s.key_kind)).collect();
    assert_eq!(
        keys,
        vec![
            ("ASIAPIVOTSESSION0001", KeyKind::Temporary),
            ("ASIADEPLOYSESSION001", KeyKind::Temporary),
            ("AKIASVCBACKUPNEW0001", KeyKind::LongTerm),
            ("AKIAALICELEAKED00001", KeyKind::LongTerm),
        ]
    );
    // Step 1: minted in B (the copy naming the key), continued from A's copy, which names
    // the caller and its key; the two are linked by sharedEventID.
    let m = chain.steps[0].minted_by.as_ref().unwrap();
    assert_eq!(store.event_id(m.mint.event), Some("e15b-assumerole-crossaccount-copy"));
    assert_eq!(store.event_id(m.caller_event), Some("e15a-deploy-assumerole-crossaccount"));
    assert_eq!((m.caller.as_deref(), m.caller_key.as_deref()), (Some(DEPLOY), Some("ASIADEPLOYSESSION001")));
    assert_eq!(m.linked_by.as_deref(), Some(SHARED));
    assert_eq!(
        id_set(&store, &m.copies),
        set(&["e15a-deploy-assumerole-crossaccount", "e15b-assumerole-crossaccount-copy"])
    );
    assert_eq!(m.mint.target.as_deref(), Some("arn:aws:iam::444455556666:role/data-reader"));
    assert_eq!(m.mint.session_arn.as_deref(), Some(PIVOT));
    assert_eq!(
        ids(&store, &chain.steps[0].usage.events),
        ["e16-pivot-listbuckets", "e17-pivot-getobject", "e18-pivot-getobject", "e19-pivot-stoplogging"]
    );
    // Step 2: the same-account AssumeRole made with the new svc-backup key.
    let m = chain.steps[1].minted_by.as_ref().unwrap();
    assert_eq!(store.event_id(m.mint.event), Some("e10-backup-assumerole"));
    assert_eq!(m.mint.source_identity.as_deref(), Some("svc-backup"));
    assert_eq!(m.caller_key.as_deref(), Some("AKIASVCBACKUPNEW0001"));
    assert_eq!(m.linked_by, None);
    // Step 3: CreateAccessKey by the leaked key.
    let m = chain.steps[2].minted_by.as_ref().unwrap();
    assert_eq!(
        (store.event_id(m.mint.event), m.mint.event_name.as_str()),
        (Some("e09-alice-createaccesskey"), "CreateAccessKey")
    );
    assert_eq!((m.caller.as_deref(), m.mint.target.as_deref()), (Some(ALICE), Some("svc-backup")));
    // Step 4: the leaked key's own creation is not in the data: said, not guessed.
    assert!(chain.steps[3].minted_by.is_none());
    assert_eq!(chain.steps[3].usage.events.len(), 10);
    assert_eq!(chain.end, ChainEnd::MintNotLoaded { key: "AKIAALICELEAKED00001".into(), console_session: false });
}

#[test]
fn chains_that_start_at_a_saml_assertion_a_console_session_or_nowhere() {
    let store = fixture();
    let saml = provenance(&store, "ASIABOBSAML000000001");
    assert_eq!(saml.steps.len(), 1);
    assert_eq!(
        store.event_id(saml.steps[0].minted_by.as_ref().unwrap().mint.event),
        Some("e24-saml-assumerolewithsaml")
    );
    assert_eq!(saml.end, ChainEnd::Origin { principal: Some(SAML.into()), kind: PrincipalKind::Saml });

    let console = provenance(&store, "ASIACAROLCONSOLE0001");
    assert_eq!(console.end, ChainEnd::MintNotLoaded { key: "ASIACAROLCONSOLE0001".into(), console_session: true });

    let worker = provenance(&store, "ASIAWORKERNOMINT0001");
    assert_eq!(worker.steps.len(), 1);
    assert_eq!(worker.steps[0].usage.events.len(), 2);
    assert_eq!(worker.end, ChainEnd::MintNotLoaded { key: "ASIAWORKERNOMINT0001".into(), console_session: false });
}

#[test]
fn without_the_callers_copy_the_chain_stops_at_the_other_account() {
    // Only account B's trail: its copy of the AssumeRole names "account A" and no key.
    let store = load(fixture_dir().join("AWSLogs").join(B));
    let chain = provenance(&store, "ASIAPIVOTSESSION0001");
    assert_eq!(chain.steps.len(), 1);
    let m = chain.steps[0].minted_by.as_ref().unwrap();
    assert_eq!((m.caller.as_deref(), m.caller_key.as_deref()), (Some("account:111122223333"), None));
    assert_eq!(
        chain.end,
        ChainEnd::CallerCopyNotLoaded {
            account: Some(A.into()),
            principal_id: Some("AROADEPLOYROLE000001:deploy-session".into())
        }
    );
}

fn tree(k: &KeyUse) -> Value {
    serde_json::json!({"key": k.key, "events": k.usage.events.len(), "minted": k.minted.iter().map(tree).collect::<Vec<_>>()})
}

#[test]
fn chain_down_from_the_leaked_key_reaches_everything_done_with_what_it_minted() {
    let store = fixture();
    let down = key_use(&store, "AKIAALICELEAKED00001");
    // alice's key (10 calls) minted svc-backup's key (1 call: the AssumeRole), which minted
    // the deploy session (5 calls, among them A's copy of the cross-account AssumeRole),
    // which minted the pivot session in B (4 calls).
    let expected = serde_json::json!({"key": "AKIAALICELEAKED00001", "events": 10, "minted": [
        {"key": "AKIASVCBACKUPNEW0001", "events": 1, "minted": [
            {"key": "ASIADEPLOYSESSION001", "events": 5, "minted": [
                {"key": "ASIAPIVOTSESSION0001", "events": 4, "minted": []}]}]}]});
    assert_eq!(tree(&down), expected);
    assert_eq!(down.minted_by, None);
    assert_eq!(store.event_id(down.minted[0].minted_by.unwrap()), Some("e09-alice-createaccesskey"));
}

#[test]
fn trace_resolves_keys_events_and_arns() {
    let store = fixture();
    assert_eq!(
        resolve_target(&store, "ASIAPIVOTSESSION0001"),
        Some(TraceTarget::AccessKey("ASIAPIVOTSESSION0001".into()))
    );
    let e09 = ev(&store, "e09-alice-createaccesskey");
    assert_eq!(resolve_target(&store, " e09-alice-createaccesskey "), Some(TraceTarget::Event(e09)));
    assert_eq!(resolve_target(&store, ALICE), Some(TraceTarget::Principal(ALICE.into())));
    assert_eq!(
        resolve_target(&store, "arn:aws:iam::111122223333:role/deploy-role"),
        Some(TraceTarget::Principal("arn:aws:iam::111122223333:role/deploy-role".into()))
    );
    assert_eq!(resolve_target(&store, "AKIANOTINTHEDATA0000"), None);
    assert_eq!(resolve_target(&store, ""), None);

    // From the minting event: up, the key that called it; down, the key it minted.
    let tr = trace(&store, TraceTarget::Event(e09));
    assert_eq!(tr.chains.len(), 1);
    assert_eq!(tr.chains[0].steps[0].key, "AKIAALICELEAKED00001");
    assert_eq!(tr.minted.len(), 1);
    assert_eq!(tr.minted[0].key, "AKIASVCBACKUPNEW0001");

    // From A's copy of the cross-account call, which names no key itself.
    let tr = trace(&store, TraceTarget::Event(ev(&store, "e15a-deploy-assumerole-crossaccount")));
    assert_eq!(tr.minted[0].key, "ASIAPIVOTSESSION0001");

    // From a role: every session's key up, and what its calls minted down.
    let tr = trace(&store, TraceTarget::Principal("arn:aws:iam::111122223333:role/deploy-role".into()));
    assert_eq!(tr.chains.iter().map(|c| c.steps[0].key.as_str()).collect::<Vec<_>>(), ["ASIADEPLOYSESSION001"]);
    assert_eq!(tr.minted.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(), ["ASIAPIVOTSESSION0001"]);
}

#[test]
fn notable_flags_follow_the_documented_rules() {
    let store = fixture();
    let found = NotableEvents::find(&store);
    let of = |c: Category| id_set(&store, found.events(c));
    assert_eq!(of(Category::Logging), set(&["e19-pivot-stoplogging"]));
    assert_eq!(of(Category::Persistence), set(&["e09-alice-createaccesskey"]));
    // Only the ingress from 0.0.0.0/0, not the one from 10.0.0.0/8.
    assert_eq!(of(Category::Exposure), set(&["e11-deploy-authorizeingress-open"]));
    // The decrypted parameter and the secret value, not the plain parameter.
    assert_eq!(of(Category::Secrets), set(&["e13-deploy-getparameter-decrypted", "e25-bob-getsecretvalue"]));
    assert_eq!(of(Category::Kms), set(&[]));
    assert_eq!(of(Category::Root), set(&["e29-root-consolelogin"]));
    // carol without MFA, dave failed; not erin (MFA) and not root (MFA).
    assert_eq!(of(Category::Console), set(&["e20-carol-consolelogin", "e22-dave-consolelogin-failed"]));
    // Six denials between 10:01:00 and 10:03:30; the lone 09:00 denial is in no burst.
    assert_eq!(
        of(Category::ErrorBurst),
        set(&[
            "e02-alice-listusers",
            "e03-alice-listroles",
            "e05-alice-describeinstances",
            "e06-alice-getaccountauthorizationdetails",
            "e07-alice-listsecrets",
            "e08-alice-listkeys",
        ])
    );
    assert_eq!(found.len(), 14);
    let cats: Vec<_> = found.categories(ev(&store, "e29-root-consolelogin")).iter().collect();
    assert_eq!(cats, [Category::Root]);
    assert!(found.categories(ev(&store, "e23-erin-consolelogin-mfa")).is_empty());
}

#[test]
fn notable_in_the_filter_language() {
    let store = fixture();
    let sel = |f: &str| id_set(&store, &select(&store, &parse(f, 0).unwrap()).unwrap());
    assert_eq!(sel("notable:true").len(), 14);
    assert_eq!(sel("notable:*").len(), 14);
    assert_eq!(sel("notable:false").len(), 33 - 14);
    assert_eq!(sel("NOT notable:true"), sel("notable:false"));
    assert_eq!(sel("notable:LOGGING"), set(&["e19-pivot-stoplogging"]));
    // exposure and error-burst.
    assert_eq!(sel("notable:e*").len(), 7);
    assert_eq!(sel("notable:secrets account:444455556666"), set(&[]));
    assert_eq!(sel("notable:true key:AKIAALICELEAKED00001").len(), 7, "the burst and the CreateAccessKey");
    let err = parse("name:x notable:persistance", 0).unwrap_err();
    assert_eq!(err.position, 15, "the caret goes under the value");
    assert!(err.message.contains("logging, persistence, exposure"), "{}", err.message);
}

/// The burst thresholds of docs/notable.md at their edges: 5 denials within exactly five
/// minutes are a burst; 5 spread over five minutes and one second, or 4 in a minute, are not.
#[test]
fn error_burst_thresholds_at_the_edges() {
    let denial = |who: &str, id: String, secs: u32| {
        format!(
            r#"{{"eventTime":"2024-03-01T10:{:02}:{:02}Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","errorCode":"AccessDenied","eventID":"{id}","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{who}"}}}}"#,
            secs / 60,
            secs % 60
        )
    };
    let mut records = Vec::new();
    for (i, s) in [0, 75, 150, 225, 300].into_iter().enumerate() {
        records.push(denial("edge", format!("edge-{i}"), s));
    }
    for (i, s) in [0, 75, 150, 225, 301].into_iter().enumerate() {
        records.push(denial("spread", format!("spread-{i}"), s));
    }
    for (i, s) in [0, 10, 20, 30].into_iter().enumerate() {
        records.push(denial("four", format!("four-{i}"), s));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("denials.json");
    std::fs::write(&path, format!(r#"{{"Records":[{}]}}"#, records.join(","))).unwrap();
    let store = load(path);
    let burst = id_set(&store, NotableEvents::find(&store).events(Category::ErrorBurst));
    assert_eq!(burst, set(&["edge-0", "edge-1", "edge-2", "edge-3", "edge-4"]));
}

/// The identity summaries must not depend on the order in which load workers appended the
/// files: the same two files appended in either order give the same summaries (events
/// named by eventID), including sign-ins and first calls that share their second.
#[test]
fn summaries_do_not_depend_on_the_append_order() {
    let record = |id: &str, who: &str, name: &str, ip: &str| {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{who},"eventTime":"2024-05-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","eventID":"{id}"}}"#
        )
    };
    let bob = r#"{"type":"IAMUser","principalId":"AIDABOB","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333","accessKeyId":"ASIABOB0000000000001","userName":"bob"}"#;
    let alice = r#"{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"ASIAALICE00000000001","userName":"alice"}"#;
    let file = |records: &[String]| format!(r#"{{"Records":[{}]}}"#, records.join(",")).into_bytes();
    let a =
        file(&[record("a1", bob, "ConsoleLogin", "192.0.2.1"), record("a2", alice, "GetCallerIdentity", "192.0.2.9")]);
    let b =
        file(&[record("b1", alice, "ConsoleLogin", "198.51.100.7"), record("b2", bob, "ConsoleLogin", "192.0.2.2")]);

    let summaries = |order: [(&str, &Vec<u8>); 2]| {
        let store = RwLock::new(Store::new());
        for (name, bytes) in order {
            trailscope::ingest::load_bytes(&store, name, bytes.clone(), &trailscope::ingest::Limits::default());
        }
        let store = store.into_inner().unwrap();
        let mut v = serde_json::to_value(summarize(&store, store.time_order())).unwrap();
        // Event indices follow the append order; eventIDs do not.
        fn by_event_id(v: &mut Value, store: &Store) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m.iter_mut() {
                        match (k.as_str(), x.as_u64()) {
                            ("event" | "first_event", Some(e)) => *x = Value::from(store.event_id(e as u32)),
                            _ => by_event_id(x, store),
                        }
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|x| by_event_id(x, store)),
                _ => {}
            }
        }
        by_event_id(&mut v, &store);
        v
    };
    let forward = summaries([("a.json", &a), ("b.json", &b)]);
    let backward = summaries([("b.json", &b), ("a.json", &a)]);
    assert_eq!(forward, backward);
    // In principal order.
    let principals: Vec<&str> = forward.as_array().unwrap().iter().map(|s| s["principal"].as_str().unwrap()).collect();
    assert_eq!(principals, ["arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob"]);
    let bob_logins = forward[1]["console_logins"].as_array().unwrap();
    assert_eq!(bob_logins.len(), 2);
}
