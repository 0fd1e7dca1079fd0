//! Per-principal summaries of a selection: counts, errors, first and last seen, where from
//! (IPs, user agents, regions, accounts), what (top event names), with which credentials
//! (access keys, sessions) and console sign-ins; grouped by account and kind, roles with
//! their sessions under them, and sortable.
//!
//! [`summarize`] reads only the store's columns (a session's creation date, MFA and
//! `inScopeOf` are indexed at ingest), so it is linear in the selection and cheap enough to
//! run on every filter change. [`fill_details`] adds what only the JSON holds (a console
//! sign-in's outcome and MFA, whether a user's session came from the console) by parsing
//! those few events — the TUI calls it for the principal it drills into, the CLI for all.

use std::cmp::Reverse;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::principals::PrincipalKind;
use super::rawjson::{flag, parse_each, text};
use crate::model::identity::short_label;
use crate::store::{Facet, Store, NONE};

/// How many top event names a summary keeps.
pub const TOP_EVENT_NAMES: usize = 10;

/// A value with its count and when it was first and last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueStat {
    pub value: String,
    pub count: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

/// One credential session: the calls made with one temporary (`ASIA…`) key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub access_key: String,
    /// The session name of a role session (the last part of its ARN).
    pub session_name: Option<String>,
    /// `sessionContext.sourceIdentity`.
    pub source_identity: Option<String>,
    pub events: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// The session's first call in the selection (the one [`fill_details`] reads).
    pub first_event: u32,
    /// From the first call's `sessionContext.attributes`: `creationDate` as written, and
    /// `mfaAuthenticated`; `None` when not recorded.
    pub created: Option<String>,
    pub mfa_authenticated: Option<bool>,
    /// `sessionCredentialFromConsole` of the first call: set by [`fill_details`] for IAM
    /// users' and root's sessions, `None` otherwise or when not recorded.
    pub from_console: Option<bool>,
    /// The first call's `inScopeOf.credentialsIssuedTo` (an EC2 instance, a Lambda function).
    pub credentials_issued_to: Option<String>,
}

/// One `ConsoleLogin` of the principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleLogin {
    pub event: u32,
    pub time: Option<i64>,
    pub source_ip: Option<String>,
    /// From the JSON ([`fill_details`]): `responseElements.ConsoleLogin` is `Success` and
    /// no error is recorded.
    pub success: Option<bool>,
    /// `additionalEventData.MFAUsed`.
    pub mfa_used: Option<bool>,
}

/// Everything the selection says about one principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalSummary {
    /// The normalised principal name; `None` for the events without an identity.
    pub principal: Option<String>,
    /// A short display form (user name, `Role/session`, service).
    pub label: String,
    pub kind: PrincipalKind,
    /// The caller's account (`userIdentity.accountId`, most frequent), else the account
    /// the calls were recorded in.
    pub account: Option<String>,
    /// The role of a role session (the user behind a federated user).
    pub issuer: Option<String>,
    pub events: u64,
    pub errors: u64,
    /// Errors of the AccessDenied family (see `notable::is_access_denied`).
    pub access_denied: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub source_ips: Vec<ValueStat>,
    pub user_agents: Vec<ValueStat>,
    pub access_keys: Vec<ValueStat>,
    /// `awsRegion` values.
    pub regions: Vec<ValueStat>,
    /// `recipientAccountId` values: the accounts the calls were made in.
    pub accounts: Vec<ValueStat>,
    /// The [`TOP_EVENT_NAMES`] most frequent event names.
    pub event_names: Vec<ValueStat>,
    pub console_logins: Vec<ConsoleLogin>,
    pub sessions: Vec<Session>,
}

/// Counts, first and last seen per value of one facet, in arrays indexed by value id:
/// summarising 1M events is then array arithmetic, not hashing. Reused across principals
/// (only the touched entries are reset).
struct Tally {
    facet: Facet,
    count: Vec<u64>,
    first: Vec<i64>,
    last: Vec<i64>,
    touched: Vec<u32>,
}

impl Tally {
    fn new(store: &Store, facet: Facet) -> Tally {
        let n = store.facet(facet).len();
        Tally { facet, count: vec![0; n], first: vec![i64::MAX; n], last: vec![i64::MIN; n], touched: Vec::new() }
    }

    fn add(&mut self, id: u32, t: Option<i64>) {
        let Some(c) = self.count.get_mut(id as usize) else { return };
        if *c == 0 {
            self.touched.push(id);
        }
        *c += 1;
        if let Some(t) = t {
            let i = id as usize;
            self.first[i] = self.first[i].min(t);
            self.last[i] = self.last[i].max(t);
        }
    }

    /// The most frequent value (ties: the lowest id), without resetting.
    fn most_frequent(&self) -> Option<u32> {
        self.touched.iter().copied().max_by_key(|&id| (self.count[id as usize], Reverse(id)))
    }

    /// Most frequent first, then by value; `limit` values at most. Resets the tally.
    fn take(&mut self, store: &Store, limit: usize) -> Vec<ValueStat> {
        let index = store.facet(self.facet);
        let mut v: Vec<ValueStat> = Vec::with_capacity(self.touched.len());
        for id in self.touched.drain(..) {
            let i = id as usize;
            let (count, first, last) = (self.count[i], self.first[i], self.last[i]);
            self.count[i] = 0;
            self.first[i] = i64::MAX;
            self.last[i] = i64::MIN;
            if let Some(value) = index.value(id) {
                let first_seen = (first != i64::MAX).then_some(first);
                let last_seen = (last != i64::MIN).then_some(last);
                v.push(ValueStat { value: value.to_owned(), count, first_seen, last_seen });
            }
        }
        v.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        v.truncate(limit);
        v
    }

    /// The value of [`Tally::most_frequent`]; resets the tally.
    fn take_most_frequent<'s>(&mut self, store: &'s Store) -> Option<&'s str> {
        let id = self.most_frequent();
        self.take(store, 0);
        id.and_then(|id| store.facet(self.facet).value(id))
    }
}

/// The facets a summary tallies, in the order of [`Tallies::all`].
const TALLIED: [Facet; 9] = [
    Facet::SourceIp,
    Facet::UserAgent,
    Facet::AccessKey,
    Facet::Region,
    Facet::RecipientAccount,
    Facet::EventName,
    Facet::IdentityAccount,
    Facet::SessionIssuer,
    Facet::IdentityType,
];

/// Summarises every principal of `selection` (event ids in time order), from the columns
/// only. The result is in principal order (see [`sort`] and [`group`] for others).
pub fn summarize(store: &Store, selection: &[u32]) -> Vec<PrincipalSummary> {
    // Event-id order reads the columns front to back (time order jumps around them).
    let mut events = selection.to_vec();
    events.sort_unstable();
    let principal_col = store.column(Facet::Principal);
    let principals = store.facet(Facet::Principal).len();
    // Bucket the events by principal (the last bucket: no identity).
    let slot =
        |e: u32| principal_col.get(e as usize).map_or(principals, |&p| if p == NONE { principals } else { p as usize });
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); principals + 1];
    for &e in &events {
        buckets[slot(e)].push(e);
    }
    drop(events);
    let denied: Vec<bool> =
        store.facet(Facet::ErrorCode).iter().map(|(_, c)| super::notable::is_access_denied(c)).collect();
    let temporary: Vec<bool> = store.facet(Facet::AccessKey).iter().map(|(_, k)| k.starts_with("ASIA")).collect();
    let login = store.facet(Facet::EventName).id_of("ConsoleLogin").unwrap_or(NONE);
    let columns: Vec<&[u32]> = TALLIED.iter().map(|&f| store.column(f)).collect();
    let errors_col = store.column(Facet::ErrorCode);
    let names_col = store.column(Facet::EventName);
    let keys_col = store.column(Facet::AccessKey);
    let mut tallies: Vec<Tally> = TALLIED.iter().map(|&f| Tally::new(store, f)).collect();
    let mut out = Vec::new();
    for (p, bucket) in buckets.iter().enumerate() {
        if bucket.is_empty() {
            continue;
        }
        let mut acc = Acc::default();
        for &e in bucket {
            let i = e as usize;
            let t = store.time(e);
            acc.events += 1;
            if let Some(t) = t {
                acc.first = Some(acc.first.map_or(t, |f| f.min(t)));
                acc.last = Some(acc.last.map_or(t, |l| l.max(t)));
            }
            let code = errors_col[i];
            if code != NONE {
                acc.errors += 1;
                acc.denied += u64::from(denied.get(code as usize).copied().unwrap_or(false));
            }
            for (tally, col) in tallies.iter_mut().zip(&columns) {
                tally.add(col[i], t);
            }
            if names_col[i] == login {
                acc.logins.push(e);
            }
            let key = keys_col[i];
            if temporary.get(key as usize).copied().unwrap_or(false) {
                let s = acc.sessions.entry(key).or_insert((0, None, None, e));
                s.0 += 1;
                if let Some(t) = t {
                    s.1 = Some(s.1.map_or(t, |f| f.min(t)));
                    s.2 = Some(s.2.map_or(t, |l| l.max(t)));
                }
                // The session's first call: the earliest in the store's time order (ties
                // by content, not by the order the workers appended the events in).
                if (t.is_none(), store.order_key(e)) < (store.time(s.3).is_none(), store.order_key(s.3)) {
                    s.3 = e;
                }
            }
        }
        let principal = if p < principals { p as u32 } else { NONE };
        out.push(finish(store, principal, acc, &mut tallies));
    }
    // By name (the events without an identity last): interning order, and so bucket
    // order, depends on which worker appended which file first.
    out.sort_by(|a, b| (a.principal.is_none(), &a.principal).cmp(&(b.principal.is_none(), &b.principal)));
    out
}

/// The per-principal figures that are not per-facet tallies.
#[derive(Default)]
struct Acc {
    events: u64,
    errors: u64,
    denied: u64,
    first: Option<i64>,
    last: Option<i64>,
    logins: Vec<u32>,
    /// Temporary key id → (events, first, last, first event).
    sessions: FxHashMap<u32, (u64, Option<i64>, Option<i64>, u32)>,
}

fn finish(store: &Store, principal: u32, acc: Acc, tallies: &mut [Tally]) -> PrincipalSummary {
    let [ips, agents, keys, regions, recipients, names, caller_accounts, issuers, types] = tallies else {
        unreachable!("one tally per TALLIED facet")
    };
    let principal = store.facet(Facet::Principal).value(principal).map(str::to_owned);
    let identity_type = types.take_most_frequent(store);
    let kind = PrincipalKind::from_type(identity_type, principal.as_deref());
    let caller_account = caller_accounts.take_most_frequent(store);
    let recipient_account = recipients.most_frequent().and_then(|id| store.facet(Facet::RecipientAccount).value(id));
    let account = caller_account.or(recipient_account).map(str::to_owned);
    let issuer = issuers.take_most_frequent(store).map(str::to_owned);
    let session_name = principal
        .as_deref()
        .filter(|_| kind == PrincipalKind::RoleSession)
        .and_then(|p| short_label(p).split_once('/').map(|(_, s)| s.to_owned()));
    let key_index = store.facet(Facet::AccessKey);
    let text = |e: u32, f: Facet| store.value(e, f).map(str::to_owned);
    let mut sessions: Vec<Session> = acc
        .sessions
        .into_iter()
        .filter_map(|(key, (events, first_seen, last_seen, first_event))| {
            Some(Session {
                access_key: key_index.value(key)?.to_owned(),
                session_name: session_name.clone(),
                source_identity: text(first_event, Facet::SourceIdentity),
                events,
                first_seen,
                last_seen,
                first_event,
                created: text(first_event, Facet::SessionCreated),
                mfa_authenticated: store.value(first_event, Facet::MfaAuthenticated).and_then(parse_flag),
                from_console: None,
                credentials_issued_to: text(first_event, Facet::CredentialsIssuedTo),
            })
        })
        .collect();
    // Ties in time by the store's time order, which does not depend on the append order.
    sessions.sort_unstable_by_key(|s| (s.first_seen.is_none(), store.order_key(s.first_event)));
    let mut logins = acc.logins;
    logins.sort_unstable_by_key(|&e| store.order_key(e));
    let console_logins = logins
        .iter()
        .map(|&e| ConsoleLogin {
            event: e,
            time: store.time(e),
            source_ip: text(e, Facet::SourceIp),
            success: None,
            mfa_used: None,
        })
        .collect();
    PrincipalSummary {
        label: principal.as_deref().map_or("(no identity)", short_label).to_owned(),
        kind,
        account,
        issuer,
        events: acc.events,
        errors: acc.errors,
        access_denied: acc.denied,
        first_seen: acc.first,
        last_seen: acc.last,
        source_ips: ips.take(store, usize::MAX),
        user_agents: agents.take(store, usize::MAX),
        access_keys: keys.take(store, usize::MAX),
        regions: regions.take(store, usize::MAX),
        accounts: recipients.take(store, usize::MAX),
        event_names: names.take(store, TOP_EVENT_NAMES),
        console_logins,
        sessions,
        principal,
    }
}

/// `true`/`false` (any case) as a flag.
fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

/// Adds the facts only the JSON holds to `summaries`: each console sign-in's outcome and
/// MFA, and whether the sessions of IAM users and root are console sessions
/// (`sessionCredentialFromConsole`, read from each session's first call). Parses one event
/// per sign-in and per such session — a handful even on large trails (role sessions, the
/// bulk of sessions, never come from the console and are not parsed).
pub fn fill_details(store: &Store, summaries: &mut [PrincipalSummary]) {
    // (event, summary, session or login index, is_login)
    let mut wanted: Vec<(u32, usize, usize, bool)> = Vec::new();
    for (si, s) in summaries.iter().enumerate() {
        if matches!(s.kind, PrincipalKind::IamUser | PrincipalKind::Root) {
            wanted.extend(s.sessions.iter().enumerate().map(|(i, x)| (x.first_event, si, i, false)));
        }
        wanted.extend(s.console_logins.iter().enumerate().map(|(i, x)| (x.event, si, i, true)));
    }
    wanted.sort_unstable();
    let events: Vec<u32> = wanted.iter().map(|w| w.0).collect();
    let mut next = 0usize;
    parse_each(store, &events, |e, v| {
        while next < wanted.len() && wanted[next].0 < e {
            next += 1;
        }
        while next < wanted.len() && wanted[next].0 == e {
            let (_, si, i, is_login) = wanted[next];
            if is_login {
                let login = &mut summaries[si].console_logins[i];
                let outcome = text(v, "/responseElements/ConsoleLogin");
                let error = text(v, "/errorCode").is_some() || text(v, "/errorMessage").is_some();
                login.success = match outcome {
                    Some(o) => Some(o.eq_ignore_ascii_case("Success") && !error),
                    None if error => Some(false),
                    None => None,
                };
                login.mfa_used = flag(v, "/additionalEventData/MFAUsed");
            } else {
                summaries[si].sessions[i].from_console = flag(v, "/sessionCredentialFromConsole");
            }
            next += 1;
        }
    });
}

/// Orders for principal lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Most events first.
    #[default]
    Count,
    /// Most errors first.
    Errors,
    /// Earliest first seen first.
    FirstSeen,
    /// Most recently seen first.
    LastSeen,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Count, SortKey::Errors, SortKey::FirstSeen, SortKey::LastSeen];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Count => "count",
            SortKey::Errors => "errors",
            SortKey::FirstSeen => "first",
            SortKey::LastSeen => "last",
        }
    }

    pub fn from_name(name: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// The figures an ordering looks at (a principal, or a role with all its sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub events: u64,
    pub errors: u64,
    pub access_denied: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
}

impl Totals {
    fn of(s: &PrincipalSummary) -> Totals {
        Totals {
            events: s.events,
            errors: s.errors,
            access_denied: s.access_denied,
            first_seen: s.first_seen,
            last_seen: s.last_seen,
        }
    }

    fn add(&mut self, o: Totals) {
        self.events += o.events;
        self.errors += o.errors;
        self.access_denied += o.access_denied;
        self.first_seen = match (self.first_seen, o.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_seen = self.last_seen.max(o.last_seen);
    }

    /// A key that sorts ascending in `key`'s order (untimed last for the time orders).
    fn sort_key(&self, key: SortKey) -> (u64, i64) {
        match key {
            SortKey::Count => (u64::MAX - self.events, 0),
            SortKey::Errors => (u64::MAX - self.errors, -(self.events as i64)),
            SortKey::FirstSeen => (u64::from(self.first_seen.is_none()), self.first_seen.unwrap_or(0)),
            SortKey::LastSeen => (u64::from(self.last_seen.is_none()), -self.last_seen.unwrap_or(0)),
        }
    }
}

/// Sorts summaries by `key`, ties by principal name.
pub fn sort(summaries: &mut [PrincipalSummary], key: SortKey) {
    summaries.sort_by(|a, b| {
        Totals::of(a).sort_key(key).cmp(&Totals::of(b).sort_key(key)).then_with(|| a.principal.cmp(&b.principal))
    });
}

/// One line of a kind group: a principal, or a role with its sessions under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "entry", rename_all = "kebab-case")]
pub enum Entry {
    /// Index into the summaries given to [`group`].
    Principal { index: usize },
    Role {
        role: String,
        label: String,
        totals: Totals,
        /// Indices into the summaries, in the group's order.
        sessions: Vec<usize>,
    },
}

/// The principals of one kind in one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindGroup {
    pub kind: PrincipalKind,
    pub totals: Totals,
    pub entries: Vec<Entry>,
}

/// The principals of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountGroup {
    /// `None`: principals with no account (events without an identity, some services).
    pub account: Option<String>,
    pub totals: Totals,
    pub kinds: Vec<KindGroup>,
}

/// Groups summaries by account, then kind (in [`PrincipalKind::ALL`] order); role sessions
/// go under their role. Accounts, entries and sessions are ordered by `key`.
pub fn group(summaries: &[PrincipalSummary], key: SortKey) -> Vec<AccountGroup> {
    let mut order: Vec<usize> = (0..summaries.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&summaries[a], &summaries[b]);
        Totals::of(x).sort_key(key).cmp(&Totals::of(y).sort_key(key)).then_with(|| x.principal.cmp(&y.principal))
    });
    let mut accounts: Vec<AccountGroup> = Vec::new();
    for i in order {
        let s = &summaries[i];
        let a = match accounts.iter().position(|g| g.account == s.account) {
            Some(a) => a,
            None => {
                accounts.push(AccountGroup {
                    account: s.account.clone(),
                    totals: Totals::default(),
                    kinds: Vec::new(),
                });
                accounts.len() - 1
            }
        };
        let group = &mut accounts[a];
        group.totals.add(Totals::of(s));
        let k = match group.kinds.iter().position(|g| g.kind == s.kind) {
            Some(k) => k,
            None => {
                group.kinds.push(KindGroup { kind: s.kind, totals: Totals::default(), entries: Vec::new() });
                group.kinds.len() - 1
            }
        };
        let kind_group = &mut group.kinds[k];
        kind_group.totals.add(Totals::of(s));
        match (&s.issuer, s.kind) {
            (Some(role), PrincipalKind::RoleSession) => {
                let existing = kind_group.entries.iter_mut().find_map(|e| match e {
                    Entry::Role { role: r, totals, sessions, .. } if r == role => Some((totals, sessions)),
                    _ => None,
                });
                match existing {
                    Some((totals, sessions)) => {
                        totals.add(Totals::of(s));
                        sessions.push(i);
                    }
                    None => kind_group.entries.push(Entry::Role {
                        role: role.clone(),
                        label: short_label(role).to_owned(),
                        totals: Totals::of(s),
                        sessions: vec![i],
                    }),
                }
            }
            _ => kind_group.entries.push(Entry::Principal { index: i }),
        }
    }
    // Groups were created in the order of their best member; re-sort them by their totals.
    let by = |t: &Totals| t.sort_key(key);
    for a in &mut accounts {
        for k in &mut a.kinds {
            k.entries.sort_by(|x, y| {
                let tx = entry_totals(x, summaries);
                let ty = entry_totals(y, summaries);
                by(&tx).cmp(&by(&ty))
            });
        }
        a.kinds.sort_by_key(|k| PrincipalKind::ALL.iter().position(|x| *x == k.kind));
    }
    accounts.sort_by(|x, y| by(&x.totals).cmp(&by(&y.totals)).then_with(|| x.account.cmp(&y.account)));
    accounts
}

fn entry_totals(e: &Entry, summaries: &[PrincipalSummary]) -> Totals {
    match e {
        Entry::Principal { index } => Totals::of(&summaries[*index]),
        Entry::Role { totals, .. } => *totals,
    }
}
