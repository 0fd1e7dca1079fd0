//! Evaluating a parsed filter against the store. Every term becomes a [`Bitset`] built
//! from facet postings: the distinct values of a facet are matched (there are far fewer of
//! them than events), and the events of each matching value are set. Only `eventID` and
//! `requestID`, which are unique per event, are scanned per event.

use std::net::IpAddr;

use super::bitset::Bitset;
use super::fields::Field;
use super::parse::{cidr_contains, Expr, Pattern, Term, Value};
use crate::analysis::notable::{Category, NotableEvents};
use crate::model::identity::short_label;
use crate::store::{Facet, Store};

/// A filter the store cannot answer (a field a later version evaluates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// Facets whose values make up an event's summary text, searched by bare words.
const SUMMARY_FACETS: [Facet; 10] = [
    Facet::EventName,
    Facet::EventSource,
    Facet::Principal,
    Facet::SessionIssuer,
    Facet::UserName,
    Facet::SourceIp,
    Facet::UserAgent,
    Facet::ErrorCode,
    Facet::ErrorMessage,
    Facet::Resource,
];

/// The events matching `expr`, in time order.
pub fn select(store: &Store, expr: &Expr) -> Result<Vec<u32>, EvalError> {
    let bits = matching(store, expr)?;
    Ok(store.time_order().iter().copied().filter(|&e| bits.contains(e)).collect())
}

/// The set of events matching `expr`.
pub fn matching(store: &Store, expr: &Expr) -> Result<Bitset, EvalError> {
    let n = store.len();
    Ok(match expr {
        Expr::All => Bitset::full(n),
        Expr::Term(t) => term(store, t)?,
        Expr::Not(inner) => {
            let mut b = matching(store, inner)?;
            b.negate();
            b
        }
        Expr::And(items) => {
            let mut acc = Bitset::full(n);
            for item in items {
                acc.and_with(&matching(store, item)?);
            }
            acc
        }
        Expr::Or(items) => {
            let mut acc = Bitset::empty(n);
            for item in items {
                acc.or_with(&matching(store, item)?);
            }
            acc
        }
    })
}

fn term(store: &Store, t: &Term) -> Result<Bitset, EvalError> {
    let n = store.len();
    let Some(field) = t.field else {
        return Ok(bare_word(store, &t.value));
    };
    let facet = |f: Facet| facet_matches(store, f, &t.value, |_| None);
    Ok(match field {
        Field::After | Field::Since => time_range(store, time_of(&t.value), i64::MAX),
        Field::Before => time_range(store, i64::MIN, time_of(&t.value).saturating_sub(1)),
        Field::Notable => notable(store, &t.value)?,
        Field::EventId => scan_column(n, &t.value, |e| store.event_id(e)),
        Field::RequestId => scan_column(n, &t.value, |e| store.request_id(e)),
        Field::Account => union([facet(Facet::RecipientAccount), facet(Facet::IdentityAccount)]),
        Field::Identity => union([
            facet_matches(store, Facet::Principal, &t.value, principal_alternatives),
            facet(Facet::IdentityArn),
            facet(Facet::UserName),
            facet(Facet::PrincipalId),
            facet_matches(store, Facet::SessionIssuer, &t.value, last_segment),
        ]),
        Field::SessionIssuer => facet_matches(store, Facet::SessionIssuer, &t.value, last_segment),
        Field::File => facet_matches(store, Facet::File, &t.value, file_name),
        other => match other.facet() {
            Some(f) => facet(f),
            None => unreachable!("every field without a facet is handled above: {other:?}"),
        },
    })
}

/// `notable:true` (or `notable:*`): every notable event; `notable:false`: every other
/// event; `notable:<category>` (wildcards allowed): the events of the matching categories.
/// The notable events are found afresh for each term (see `analysis::notable` for the
/// cost: the event-name postings plus a parse of the few events whose rules need it).
fn notable(store: &Store, v: &Value) -> Result<Bitset, EvalError> {
    let n = store.len();
    let found = NotableEvents::find(store);
    Ok(match v {
        Value::Bool(true) | Value::Any => Bitset::from_ids(n, &found.all()),
        Value::Bool(false) => {
            let mut b = Bitset::from_ids(n, &found.all());
            b.negate();
            b
        }
        Value::Pattern(p) => {
            let categories: Vec<Category> = Category::ALL.into_iter().filter(|c| p.matches(c.name())).collect();
            if categories.is_empty() {
                return Err(EvalError { message: unknown_category(&p.text) });
            }
            let mut bits = Bitset::empty(n);
            for c in categories {
                bits.insert_all(found.events(c).iter().copied());
            }
            bits
        }
        Value::Cidr { .. } | Value::Time(_) => return Err(EvalError { message: unknown_category(&other_text(v)) }),
    })
}

/// The message for a `notable:` value that names no category.
pub fn unknown_category(text: &str) -> String {
    let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
    format!("no notable category matches \"{text}\"; use notable:true, notable:false or one of: {}", names.join(", "))
}

fn time_of(v: &Value) -> i64 {
    match v {
        Value::Time(t) => *t,
        _ => i64::MIN,
    }
}

/// Events with `lo <= time <= hi` (untimed events never match a time term).
fn time_range(store: &Store, lo: i64, hi: i64) -> Bitset {
    let (since, until) = (Some(lo), if hi == i64::MAX { None } else { Some(hi) });
    Bitset::from_ids(store.len(), store.time_range(since, until))
}

/// Whether a stored value matches a term value (case-insensitively; CIDR for IPs).
fn value_matches(v: &Value, candidate: &str) -> bool {
    match v {
        Value::Any => true,
        Value::Pattern(p) => p.matches(candidate),
        Value::Bool(b) => candidate.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Cidr { addr, prefix } => candidate.parse::<IpAddr>().is_ok_and(|ip| cidr_contains(*addr, *prefix, ip)),
        Value::Time(_) => false,
    }
}

/// Events whose `facet` value matches, directly or through one of `alternatives(value)`.
fn facet_matches(store: &Store, facet: Facet, v: &Value, alternatives: impl Fn(&str) -> Option<Vec<&str>>) -> Bitset {
    let index = store.facet(facet);
    let mut bits = Bitset::empty(store.len());
    for (id, value) in index.iter() {
        let hit = value_matches(v, value)
            || alternatives(value).is_some_and(|alts| alts.into_iter().any(|a| value_matches(v, a)));
        if hit {
            bits.insert_all(index.postings(id));
        }
    }
    bits
}

/// A principal also answers to its short label, and a role session to its role and
/// session names (`arn:…:assumed-role/Admin/alice` → `Admin/alice`, `Admin`, `alice`).
fn principal_alternatives(name: &str) -> Option<Vec<&str>> {
    let label = short_label(name);
    let mut alts = vec![label];
    if let Some((role, session)) = label.split_once('/') {
        alts.push(role);
        alts.push(session);
    }
    Some(alts)
}

/// The name at the end of an ARN path (`…:role/path/Admin` → `Admin`).
fn last_segment(arn: &str) -> Option<Vec<&str>> {
    arn.rsplit_once('/').map(|(_, name)| vec![name])
}

/// The file name of a path or archive member (`a.tgz!x/y.json.gz` → `y.json.gz`).
fn file_name(path: &str) -> Option<Vec<&str>> {
    path.rsplit(['/', '\\', '!']).next().filter(|n| *n != path).map(|n| vec![n])
}

fn scan_column<'s>(n: usize, v: &Value, get: impl Fn(u32) -> Option<&'s str>) -> Bitset {
    let mut bits = Bitset::empty(n);
    for e in 0..n as u32 {
        let hit = match get(e) {
            Some(s) => value_matches(v, s),
            None => false,
        };
        if hit {
            bits.insert(e);
        }
    }
    bits
}

/// A bare word matches events whose summary fields contain it, case-insensitively.
fn bare_word(store: &Store, v: &Value) -> Bitset {
    let pattern = match v {
        Value::Pattern(p) => p.clone(),
        Value::Any => return Bitset::full(store.len()),
        other => Pattern::literal(&other_text(other)),
    };
    let mut bits = Bitset::empty(store.len());
    for facet in SUMMARY_FACETS {
        let index = store.facet(facet);
        for (id, value) in index.iter() {
            if pattern.contains_in(&value.to_lowercase()) {
                bits.insert_all(index.postings(id));
            }
        }
    }
    bits
}

fn other_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Cidr { addr, prefix } => format!("{addr}/{prefix}"),
        Value::Time(t) => t.to_string(),
        Value::Pattern(p) => p.text.clone(),
        Value::Any => "*".into(),
    }
}

fn union<const N: usize>(sets: [Bitset; N]) -> Bitset {
    let mut iter = sets.into_iter();
    let mut acc = iter.next().expect("at least one set");
    for s in iter {
        acc.or_with(&s);
    }
    acc
}
