//! Credential provenance: which event minted an access key, who called it with which key,
//! and so on up the chain; and the reverse, everything done with a minted key and the keys
//! it minted in turn.
//!
//! A key is minted by `AssumeRole`, `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
//! `GetSessionToken`, `GetFederationToken` (`responseElements.credentials.accessKeyId`) or
//! `CreateAccessKey` (`responseElements.accessKey.accessKeyId`). The key and the call's
//! `sharedEventID` are read at ingest ([`super::at_ingest`]) into facets whose postings are
//! built on first use, so following a chain is postings lookups; only the minting events shown are parsed, for what they were for.
//!
//! Role chaining across accounts: the role's account records its copy of the `AssumeRole`
//! with the caller as `AWSAccount` (no ARN, no key), while the caller's account records the
//! full caller. Both copies carry the same `sharedEventID`, so a step whose copy names no
//! key is continued from the copy that does. When the minting event of a key is not in the
//! loaded data the chain ends with [`ChainEnd::MintNotLoaded`] — it never guesses (a key
//! used right after some sign-in is not evidence that the sign-in minted it).

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::principals::{event_principal, PrincipalKind};
use super::rawjson::{flag, parse_one, text};
use crate::store::{Facet, Store};

/// Event names that mint credentials (matched together with their service).
pub const MINTING_CALLS: [(&str, &str); 6] = [
    ("sts.amazonaws.com", "AssumeRole"),
    ("sts.amazonaws.com", "AssumeRoleWithSAML"),
    ("sts.amazonaws.com", "AssumeRoleWithWebIdentity"),
    ("sts.amazonaws.com", "GetSessionToken"),
    ("sts.amazonaws.com", "GetFederationToken"),
    ("iam.amazonaws.com", "CreateAccessKey"),
];

/// Whether a call (`eventSource`, `eventName`) mints credentials.
pub fn is_minting_call(source: &str, name: &str) -> bool {
    MINTING_CALLS.iter().any(|&(s, n)| s == source && n == name)
}

/// The top-level members [`minted_key`] and the mint's `sharedEventID` are read from.
pub const MINT_READS: [&str; 2] = ["responseElements", "sharedEventID"];

/// The key a minting call's JSON says it returned.
pub fn minted_key(v: &serde_json::Value) -> Option<String> {
    text(v, "/responseElements/credentials/accessKeyId")
        .or_else(|| text(v, "/responseElements/accessKey/accessKeyId"))
        .map(|k| k.into_owned())
}

/// One event that minted a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mint {
    pub event: u32,
    pub event_name: String,
    /// The key it minted.
    pub key: String,
    /// What the key belongs to: the role ARN (`requestParameters.roleArn`), the user of
    /// `CreateAccessKey`, the federated user's name. Read from the event's JSON.
    pub target: Option<String>,
    /// The session the credentials are for (`responseElements.assumedRoleUser.arn`, the
    /// federated user's ARN). Read from the event's JSON.
    pub session_arn: Option<String>,
    /// `requestParameters.sourceIdentity`, when the call set one. Read from the JSON.
    pub source_identity: Option<String>,
    pub shared_event_id: Option<String>,
}

/// The minting event `event` in full: the indexed key and `sharedEventID`, and what only
/// its JSON says (parsed here: one event). `None` when `event` minted no key.
pub fn mint_details(store: &Store, event: u32) -> Option<Mint> {
    let key = store.value(event, Facet::MintedKey)?;
    let v = parse_one(store, event);
    let s = |p: &str| v.as_ref().and_then(|v| text(v, p)).map(|t| t.into_owned());
    Some(Mint {
        event,
        event_name: store.value(event, Facet::EventName).unwrap_or_default().to_owned(),
        key: key.to_owned(),
        target: s("/requestParameters/roleArn")
            .or_else(|| s("/responseElements/accessKey/userName"))
            .or_else(|| s("/requestParameters/userName"))
            .or_else(|| s("/requestParameters/name")),
        session_arn: s("/responseElements/assumedRoleUser/arn").or_else(|| s("/responseElements/federatedUser/arn")),
        source_identity: s("/requestParameters/sourceIdentity").or_else(|| s("/responseElements/sourceIdentity")),
        shared_event_id: store.value(event, Facet::MintSharedEventId).map(str::to_owned),
    })
}

/// The loaded events that minted `key` (several when both accounts' copies name it), in
/// ascending event-id order. Read at ingest: a postings lookup.
pub fn mint_events(store: &Store, key: &str) -> Vec<u32> {
    let f = store.facet(Facet::MintedKey);
    f.id_of(key).map_or_else(Vec::new, |id| f.postings(id).to_vec())
}

/// Every loaded copy of a minting call with this `sharedEventID`, whether or not the copy
/// names the key.
pub fn call_copies(store: &Store, shared_event_id: &str) -> Vec<u32> {
    let f = store.facet(Facet::MintSharedEventId);
    f.id_of(shared_event_id).map_or_else(Vec::new, |id| f.postings(id).to_vec())
}

/// The key the call recorded by `event` minted: named by `event` itself, or by another
/// account's copy of the same call (same `sharedEventID`). The caller's account's copy of
/// a cross-account `AssumeRole` is the one made with the caller's key, so this is what
/// "what did this key mint" must ask. Returns the copy naming the key, and the key.
pub fn mint_of_call(store: &Store, event: u32) -> Option<(u32, &str)> {
    if let Some(k) = store.value(event, Facet::MintedKey) {
        return Some((event, k));
    }
    let shared = store.value(event, Facet::MintSharedEventId)?;
    call_copies(store, shared).iter().find_map(|&e| store.value(e, Facet::MintedKey).map(|k| (e, k)))
}

/// Every event that minted a key, in ascending event-id order.
pub fn all_mints(store: &Store) -> Vec<u32> {
    let f = store.facet(Facet::MintedKey);
    let mut all: Vec<u32> = f.iter().flat_map(|(id, _)| f.postings(id)).collect();
    all.sort_unstable();
    all
}

/// What the prefix of an access key id says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// `AKIA…`: an IAM user's (or root's) long-term key.
    LongTerm,
    /// `ASIA…`: temporary credentials from STS or a console session.
    Temporary,
    Other,
}

impl KeyKind {
    pub fn of(key: &str) -> KeyKind {
        if key.starts_with("AKIA") {
            KeyKind::LongTerm
        } else if key.starts_with("ASIA") {
            KeyKind::Temporary
        } else {
            KeyKind::Other
        }
    }
}

/// How a key was used in the loaded data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyUsage {
    /// Events made with the key, in time order.
    pub events: Vec<u32>,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// The principals that used it (normally one), most events first.
    pub principals: Vec<String>,
}

/// The events made with `key`, in time order (untimed last), and who made them.
pub fn key_usage(store: &Store, key: &str) -> KeyUsage {
    let index = store.facet(Facet::AccessKey);
    let Some(id) = index.id_of(key) else { return KeyUsage::default() };
    let mut events = index.postings(id).to_vec();
    sort_by_time(store, &mut events);
    let mut counts: FxHashMap<&str, u64> = FxHashMap::default();
    for &e in &events {
        if let Some(p) = store.value(e, Facet::Principal) {
            *counts.entry(p).or_default() += 1;
        }
    }
    let mut principals: Vec<(&str, u64)> = counts.into_iter().collect();
    principals.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let timed = || events.iter().filter_map(|&e| store.time(e));
    KeyUsage {
        first_seen: timed().next(),
        last_seen: timed().last(),
        principals: principals.into_iter().map(|(p, _)| p.to_owned()).collect(),
        events,
    }
}

/// Time order for a handful of events, as the store orders them (untimed last).
fn sort_by_time(store: &Store, events: &mut [u32]) {
    // The store's own order key: ties within a second do not depend on load order.
    events.sort_unstable_by_key(|&e| (store.order_key(e), e));
}

/// The minting event of one step of a chain, and its caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MintStep {
    pub mint: Mint,
    /// The caller (principal name) of the copy that continues the chain.
    pub caller: Option<String>,
    pub caller_kind: PrincipalKind,
    /// The key the caller used: the next step up.
    pub caller_key: Option<String>,
    /// The event whose caller is reported: `mint.event`, or the other account's copy of
    /// the same call when `mint.event` names no key (see [`MintStep::linked_by`]).
    pub caller_event: u32,
    /// The `sharedEventID` linking the copies, when more than one copy is loaded.
    pub linked_by: Option<String>,
    /// Every loaded copy of the call (both accounts' copies of a cross-account call).
    pub copies: Vec<u32>,
}

/// One key of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    pub key: String,
    pub key_kind: KeyKind,
    pub usage: KeyUsage,
    /// `None` when the chain ends here (see [`Chain::end`]).
    pub minted_by: Option<MintStep>,
}

/// Why a chain stops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ChainEnd {
    /// The event that minted `key` is not in the loaded data (a long-term key created
    /// before it, or temporary credentials issued outside it). `console_session` is set
    /// when the key's calls say they used console-session credentials, which CloudTrail
    /// never records as minted by a call.
    MintNotLoaded { key: String, console_session: bool },
    /// The caller of the last minting event used no access key: a SAML assertion, a web
    /// identity token, a service, a cross-account caller whose own copy is not loaded.
    Origin { principal: Option<String>, kind: PrincipalKind },
    /// The minting call came from another account (`AWSAccount` caller) and that account's
    /// copy of the call, which names the caller and its key, is not loaded.
    CallerCopyNotLoaded { account: Option<String>, principal_id: Option<String> },
    /// The chain came back to a key already on it (only possible in crafted data).
    Cycle { key: String },
    /// The chain is longer than [`MAX_STEPS`]; it is cut there.
    TooLong,
}

/// Longest chain followed (real role chains are a handful of hops).
pub const MAX_STEPS: usize = 64;

/// The provenance of one key, from the key up to where the loaded data ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    pub steps: Vec<ChainStep>,
    pub end: ChainEnd,
}

/// Follows `key` up: its minting event, that event's caller and key, and so on.
pub fn provenance(store: &Store, key: &str) -> Chain {
    let mut steps = Vec::new();
    let mut seen = FxHashSet::default();
    let mut key = key.to_owned();
    loop {
        if steps.len() == MAX_STEPS {
            return Chain { steps, end: ChainEnd::TooLong };
        }
        if !seen.insert(key.clone()) {
            return Chain { steps, end: ChainEnd::Cycle { key } };
        }
        let usage = key_usage(store, &key);
        let Some(minted_by) = mint_step(store, &key) else {
            let console_session = used_console_session(store, &usage);
            steps.push(ChainStep { key_kind: KeyKind::of(&key), usage, minted_by: None, key: key.clone() });
            return Chain { steps, end: ChainEnd::MintNotLoaded { key, console_session } };
        };
        let next = minted_by.caller_key.clone();
        let (caller, kind) = (minted_by.caller.clone(), minted_by.caller_kind);
        let caller_event = minted_by.caller_event;
        steps.push(ChainStep { key_kind: KeyKind::of(&key), usage, minted_by: Some(minted_by), key });
        match next {
            Some(k) => key = k,
            None if kind == PrincipalKind::Account => {
                let p = event_principal(store, caller_event);
                let end = ChainEnd::CallerCopyNotLoaded {
                    account: p.account.map(str::to_owned),
                    principal_id: p.principal_id.map(str::to_owned),
                };
                return Chain { steps, end };
            }
            None => return Chain { steps, end: ChainEnd::Origin { principal: caller, kind } },
        }
    }
}

/// Whether the first call made with a key says it used console-session credentials.
fn used_console_session(store: &Store, usage: &KeyUsage) -> bool {
    usage
        .events
        .first()
        .and_then(|&e| parse_one(store, e))
        .and_then(|v| flag(&v, "/sessionCredentialFromConsole"))
        .unwrap_or(false)
}

/// The minting step of `key`: the copy of the minting call whose caller used a key, or
/// any copy when none did. `None` when no minting event of `key` is loaded.
fn mint_step(store: &Store, key: &str) -> Option<MintStep> {
    let mints = mint_events(store, key);
    let &first = mints.first()?;
    // Every loaded copy: the ones that name the key, and their sharedEventID siblings.
    let mut copies: Vec<u32> = mints.clone();
    for &m in &mints {
        if let Some(shared) = store.value(m, Facet::MintSharedEventId) {
            copies.extend(call_copies(store, shared));
        }
    }
    sort_by_time(store, &mut copies);
    copies.dedup();
    // Prefer the copy that names the caller's key, then one that names a caller at all.
    let with_key = copies.iter().copied().find(|&e| store.value(e, Facet::AccessKey).is_some());
    let with_name = copies.iter().copied().find(|&e| {
        let p = event_principal(store, e);
        p.name.is_some() && p.kind != PrincipalKind::Account
    });
    let caller_event = with_key.or(with_name).unwrap_or(first);
    // Report the copy that names the key: the caller's copy when it does, else the first.
    let named = if mints.contains(&caller_event) { caller_event } else { first };
    let mint = mint_details(store, named)?;
    let linked_by = (copies.len() > 1).then(|| mint.shared_event_id.clone()).flatten();
    let p = event_principal(store, caller_event);
    Some(MintStep {
        caller: p.name.map(str::to_owned),
        caller_kind: p.kind,
        caller_key: p.access_key.map(str::to_owned),
        caller_event,
        linked_by,
        copies,
        mint,
    })
}

/// The reverse of a chain: a key, what was done with it, and the keys minted with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyUse {
    pub key: String,
    pub key_kind: KeyKind,
    /// The minting event of this key, when loaded.
    pub minted_by: Option<u32>,
    pub usage: KeyUsage,
    /// Keys minted by calls made with this key, each with its own use.
    pub minted: Vec<KeyUse>,
}

/// Everything done with `key` and, recursively, with the keys minted by calls made with
/// it (each key once, so crafted cycles end).
pub fn key_use(store: &Store, key: &str) -> KeyUse {
    let mut seen = FxHashSet::default();
    key_use_inner(store, key, &mut seen, 0)
}

fn key_use_inner(store: &Store, key: &str, seen: &mut FxHashSet<String>, depth: usize) -> KeyUse {
    seen.insert(key.to_owned());
    let usage = key_usage(store, key);
    let mut minted = Vec::new();
    if depth < MAX_STEPS {
        for &e in &usage.events {
            if let Some((_, k)) = mint_of_call(store, e) {
                if !seen.contains(k) {
                    minted.push(key_use_inner(store, k, seen, depth + 1));
                }
            }
        }
    }
    KeyUse {
        key: key.to_owned(),
        key_kind: KeyKind::of(key),
        minted_by: mint_events(store, key).iter().copied().min_by_key(|&e| (store.time(e).is_none(), store.time(e), e)),
        usage,
        minted,
    }
}

/// What `trace` was asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum TraceTarget {
    AccessKey(String),
    Event(u32),
    /// A principal: a session or user ARN, a role ARN (all its sessions) or any ARN an
    /// event's caller was written with.
    Principal(String),
}

/// Works out what `text` names: an access key seen in the data (used or minted), an
/// `eventID`, or a principal/role/caller ARN. `None` when the loaded data has none of them.
pub fn resolve_target(store: &Store, text: &str) -> Option<TraceTarget> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if store.facet(Facet::AccessKey).id_of(t).is_some() || !mint_events(store, t).is_empty() {
        return Some(TraceTarget::AccessKey(t.to_owned()));
    }
    if let Some(e) = (0..store.len() as u32).find(|&e| store.event_id(e) == Some(t)) {
        return Some(TraceTarget::Event(e));
    }
    let named = [Facet::Principal, Facet::SessionIssuer, Facet::IdentityArn]
        .into_iter()
        .any(|f| store.facet(f).id_of(t).is_some());
    named.then(|| TraceTarget::Principal(t.to_owned()))
}

/// Everything `trace` reports: the provenance of each key involved and what was done with
/// the keys the target minted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub target: TraceTarget,
    /// Up: one chain per key the target used (the key itself; the event's key; every key
    /// the principal used), most recently first seen last.
    pub chains: Vec<Chain>,
    /// Down: for a key, its own use; for an event, the use of the key it minted; for a
    /// principal, the use of every key its calls minted.
    pub minted: Vec<KeyUse>,
}

/// Traces a target both ways.
pub fn trace(store: &Store, target: TraceTarget) -> Trace {
    let (up, down): (Vec<String>, Vec<String>) = match &target {
        TraceTarget::AccessKey(k) => (vec![k.clone()], vec![k.clone()]),
        TraceTarget::Event(e) => {
            let up = store.value(*e, Facet::AccessKey).map(str::to_owned).into_iter().collect();
            let down = mint_of_call(store, *e).map(|(_, k)| k.to_owned()).into_iter().collect();
            (up, down)
        }
        TraceTarget::Principal(arn) => principal_keys(store, arn),
    };
    Trace {
        chains: up.iter().map(|k| provenance(store, k)).collect(),
        minted: down.iter().map(|k| key_use(store, k)).collect(),
        target,
    }
}

/// The keys a principal (or every session of a role) used, by first use, and the keys its
/// calls minted.
fn principal_keys(store: &Store, arn: &str) -> (Vec<String>, Vec<String>) {
    let mut events: Vec<u32> = Vec::new();
    for facet in [Facet::Principal, Facet::SessionIssuer, Facet::IdentityArn] {
        let f = store.facet(facet);
        if let Some(id) = f.id_of(arn) {
            events.extend(f.postings(id));
        }
    }
    sort_by_time(store, &mut events);
    events.dedup();
    let (mut used, mut minted) = (Vec::new(), Vec::new());
    let (mut seen_used, mut seen_minted) = (FxHashSet::default(), FxHashSet::default());
    for &e in &events {
        if let Some(k) = store.value(e, Facet::AccessKey) {
            if seen_used.insert(k) {
                used.push(k.to_owned());
            }
        }
        if let Some((_, k)) = mint_of_call(store, e) {
            if seen_minted.insert(k) {
                minted.push(k.to_owned());
            }
        }
    }
    (used, minted)
}
