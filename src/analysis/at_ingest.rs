//! The few facts the analysis needs from deep inside an event's JSON, read at ingest while
//! the bytes are in hand: the key a credential-minting call returned (and its
//! `sharedEventID`), and whether a request-dependent notable rule holds.
//!
//! Reading them later would mean inflating the blob of every such event again — on the
//! standard 1M-event corpus that was a near-complete decompression (seconds) for every
//! `notable:` filter and every chain index. At ingest it is one `serde_json` parse of the
//! events whose call can carry them (a few percent), and everything after is postings.

use serde_json::Value;

use super::chains::{is_minting_call, minted_key};
use super::notable::conditional_rule;

/// What [`inspect`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestFacts {
    /// The request-dependent notable rule of this call holds.
    pub notable_condition: bool,
    /// The access key the call minted.
    pub minted_key: Option<String>,
    /// The call's `sharedEventID`, for minting calls.
    pub mint_shared_event_id: Option<String>,
}

/// Parses `bytes` only when the call (`eventSource`, `eventName`) mints credentials or has
/// a request-dependent notable rule; `None` otherwise (the common case, no work done).
pub fn inspect(source: Option<&str>, name: Option<&str>, bytes: &[u8]) -> Option<IngestFacts> {
    let (source, name) = (source?, name?);
    let rule = conditional_rule(source, name);
    let mints = is_minting_call(source, name);
    if rule.is_none() && !mints {
        return None;
    }
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let mut facts = IngestFacts { notable_condition: rule.is_some_and(|c| c.holds(&v)), ..Default::default() };
    if mints {
        facts.minted_key = minted_key(&v);
        facts.mint_shared_event_id = super::rawjson::text(&v, "/sharedEventID").map(|s| s.into_owned());
    }
    Some(facts)
}
