//! The few facts the analysis needs from deep inside an event's JSON, read at ingest while
//! the bytes are in hand: the key a credential-minting call returned (and its
//! `sharedEventID`), and whether a request-dependent notable rule holds.
//!
//! Reading them later would mean inflating the blob of every such event again — on the
//! standard 1M-event corpus that was a near-complete decompression (seconds) for every
//! `notable:` filter and every chain index. At ingest, the events whose call can carry
//! them (a few percent) have the top-level members the rules read parsed, and everything
//! after is postings.

use serde_json::{Map, Value};

use super::chains::{is_minting_call, minted_key, MINT_READS};
use super::notable::{conditional_rule, Condition};
use crate::ingest::fastscan::top_level_members;

/// What [`Plan::read`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IngestFacts {
    /// The request-dependent notable rule of this call holds.
    pub notable_condition: bool,
    /// The access key the call minted.
    pub minted_key: Option<String>,
    /// The call's `sharedEventID`, for minting calls.
    pub mint_shared_event_id: Option<String>,
}

/// What is read at ingest for one call (`eventSource`, `eventName`): the members its
/// request-dependent notable rule or its minted credentials are in. Found once per call,
/// since finding it compares the call with every rule (the loader remembers it per input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    rule: Option<Condition>,
    mints: bool,
}

/// The reading plan for a call, `None` when nothing is read for it (the common case: no
/// work per event).
pub fn plan(source: &str, name: &str) -> Option<Plan> {
    let plan = Plan { rule: conditional_rule(source, name), mints: is_minting_call(source, name) };
    (plan.rule.is_some() || plan.mints).then_some(plan)
}

impl Plan {
    /// The facts of an event of this plan's call, from its JSON `bytes`.
    pub fn read(self, bytes: &[u8]) -> Option<IngestFacts> {
        let Plan { rule, mints } = self;
        let mut reads: Vec<&str> = rule.map_or(&[][..], |c| c.reads()).to_vec();
        if mints {
            reads.extend(MINT_READS);
        }
        let v = parse_members(bytes, &reads)?;
        let mut facts = IngestFacts { notable_condition: rule.is_some_and(|c| c.holds(&v)), ..Default::default() };
        if mints {
            facts.minted_key = minted_key(&v);
            facts.mint_shared_event_id = super::rawjson::text(&v, "/sharedEventID").map(|s| s.into_owned());
        }
        Some(facts)
    }
}

/// The event's JSON with only the top-level members `keys` (what the rules and the mint
/// reader look at): parsing the whole event into a `Value` cost as much as reading every
/// other event of the load. The same object as a full parse would give for those members
/// (a repeated key keeps its last value); `None` when the bytes are not a JSON object.
fn parse_members(bytes: &[u8], keys: &[&str]) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    let Some(members) = top_level_members(text, keys) else {
        // Escaped keys or invalid JSON: the full parse decides.
        return serde_json::from_str::<Value>(text).ok().filter(Value::is_object);
    };
    let mut map = Map::new();
    for (key, raw) in members {
        map.insert(key.to_owned(), serde_json::from_str(raw).ok()?);
    }
    Some(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts from the pruned parse equal those from parsing the whole event.
    fn same_as_full_parse(source: &str, name: &str, json: &str) -> Option<IngestFacts> {
        let facts = plan(source, name).and_then(|p| p.read(json.as_bytes()));
        let full: Option<Value> = serde_json::from_str::<Value>(json).ok().filter(Value::is_object);
        let expected = full.map(|v| {
            let rule = conditional_rule(source, name);
            let mut f = IngestFacts { notable_condition: rule.is_some_and(|c| c.holds(&v)), ..Default::default() };
            if is_minting_call(source, name) {
                f.minted_key = minted_key(&v);
                f.mint_shared_event_id = super::super::rawjson::text(&v, "/sharedEventID").map(|s| s.into_owned());
            }
            f
        });
        assert_eq!(facts, expected, "{json}");
        facts
    }

    #[test]
    fn pruned_parse_agrees_with_the_full_parse() {
        let sts = "sts.amazonaws.com";
        let ssm = "ssm.amazonaws.com";
        let mint = r#"{"eventName":"AssumeRole","sharedEventID":"s-1","responseElements":{"credentials":{"accessKeyId":"ASIA1"}},"requestParameters":{"roleArn":"r"}}"#;
        let facts = same_as_full_parse(sts, "AssumeRole", mint).unwrap();
        assert_eq!(facts.minted_key.as_deref(), Some("ASIA1"));
        assert_eq!(facts.mint_shared_event_id.as_deref(), Some("s-1"));
        // A repeated member: the last one counts, as in a full parse.
        let repeated = r#"{"requestParameters":{"withDecryption":true},"requestParameters":{"withDecryption":false}}"#;
        assert!(!same_as_full_parse(ssm, "GetParameter", repeated).unwrap().notable_condition);
        let decrypt = r#"{"requestParameters":{"name":"p","withDecryption":"TRUE"}}"#;
        assert!(same_as_full_parse(ssm, "GetParameter", decrypt).unwrap().notable_condition);
        // An escaped key goes to the full parse, which reads it as the plain key.
        let escaped = r#"{"request\u0050arameters":{"withDecryption":true}}"#;
        assert!(same_as_full_parse(ssm, "GetParameter", escaped).unwrap().notable_condition);
        let console = r#"{"userIdentity":{"type":"IAMUser"},"additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"}}"#;
        assert!(same_as_full_parse("signin.amazonaws.com", "ConsoleLogin", console).unwrap().notable_condition);
        let open =
            r#"{"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}"#;
        same_as_full_parse("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", open);
        // Not JSON, or not an object: nothing.
        assert_eq!(same_as_full_parse(ssm, "GetParameter", r#"{"requestParameters":tru}"#), None);
        assert_eq!(same_as_full_parse(ssm, "GetParameter", "[1]"), None);
    }
}
