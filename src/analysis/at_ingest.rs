//! The few facts the analysis needs from deep inside an event's JSON, read at ingest while
//! the bytes are in hand: the key a credential-minting call returned (and its
//! `sharedEventID`), and whether a request-dependent notable rule holds.
//!
//! Reading them later would mean inflating the blob of every such event again — on the
//! standard 1M-event corpus that was a near-complete decompression (seconds) for every
//! `notable:` filter and every chain index. At ingest, the events whose call can carry
//! them (a few percent) have the top-level members the rules read parsed, and everything
//! after is postings.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::chains::{is_minting_call, minted_key, MINTING_CALLS, MINT_READS};
use super::notable::{conditional_rule, Condition, RULES};
use crate::ingest::fastscan::{top_level_members, MemberSpans};

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

/// The plan of every call that has one, by name (then source). A loader asks for the
/// plan of every event, nearly always of a call that has none: one lookup by name settles
/// it, where comparing the call with each rule was ~1% of a load.
static PLANS: LazyLock<FxHashMap<&'static str, Vec<(&'static str, Plan)>>> = LazyLock::new(|| {
    let conditional = RULES.iter().filter(|r| r.condition != Condition::Always).map(|r| (r.source, r.name));
    let mut plans: FxHashMap<&'static str, Vec<(&'static str, Plan)>> = FxHashMap::default();
    for (source, name) in conditional.chain(MINTING_CALLS) {
        let calls = plans.entry(name).or_default();
        if calls.iter().all(|&(s, _)| s != source) {
            calls.extend(plan_of(source, name).map(|plan| (source, plan)));
        }
    }
    plans
});

/// The reading plan for a call, `None` when nothing is read for it (the common case: no
/// work per event).
pub fn plan(source: &str, name: &str) -> Option<Plan> {
    PLANS.get(name)?.iter().find(|&&(s, _)| s == source).map(|&(_, plan)| plan)
}

/// [`plan`] worked out from the rules.
fn plan_of(source: &str, name: &str) -> Option<Plan> {
    let plan = Plan { rule: conditional_rule(source, name), mints: is_minting_call(source, name) };
    (plan.rule.is_some() || plan.mints).then_some(plan)
}

impl Plan {
    /// The facts of an event of this plan's call, from its JSON `bytes` and, when the fast
    /// reader accepted it, where its members are.
    pub fn read(self, bytes: &[u8], members: Option<&MemberSpans>) -> Option<IngestFacts> {
        let Plan { rule, mints } = self;
        let mut reads: Vec<&str> = rule.map_or(&[][..], |c| c.reads()).to_vec();
        if mints {
            reads.extend(MINT_READS);
        }
        let v = match members {
            Some(spans) => members_at(bytes, spans, &reads)?,
            None => parse_members(bytes, &reads)?,
        };
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

/// [`parse_members`] for a record the fast reader accepted (valid JSON, keys without
/// escapes), from the spans it noted: only the members themselves are parsed.
fn members_at(bytes: &[u8], spans: &MemberSpans, keys: &[&str]) -> Option<Value> {
    let mut map = Map::new();
    for &key in keys {
        match spans.member(bytes, key) {
            Some(Some(raw)) => _ = map.insert(key.to_owned(), serde_json::from_slice(raw).ok()?),
            Some(None) => {}
            // A member the reader does not note (the tests keep the lists in step).
            None => return parse_members(bytes, keys),
        }
    }
    Some(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fastscan::{scan_record, PLAN_MEMBERS};

    /// The facts from the pruned parse equal those from parsing the whole event, read
    /// both from the bytes alone and (for the record with its call's keys in front, when
    /// the fast reader accepts it) from the spans the reader noted.
    fn same_as_full_parse(source: &str, name: &str, json: &str) -> Option<IngestFacts> {
        let facts = plan(source, name).and_then(|p| p.read(json.as_bytes(), None));
        let full: Option<Value> = serde_json::from_str::<Value>(json).ok().filter(Value::is_object);
        if let Some(members) = json.strip_prefix('{') {
            let record = format!(r#"{{"eventSource":"{source}","eventName":"{name}",{members}"#);
            let spans = scan_record(&record, 0).and_then(|r| r.members);
            // The reader takes every valid record here but those with escaped keys.
            assert_eq!(spans.is_some(), full.is_some() && !json.contains('\\'), "{record}");
            if let Some(spans) = spans {
                let from_spans = plan(source, name).and_then(|p| p.read(record.as_bytes(), Some(&spans)));
                assert_eq!(from_spans, facts, "{record}");
            }
        }
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
    fn the_fast_reader_notes_every_member_a_plan_reads() {
        let reads = RULES.iter().flat_map(|r| r.condition.reads()).chain(MINT_READS.iter());
        for key in reads {
            assert!(PLAN_MEMBERS.contains(key), "{key} is read at ingest but not noted by the fast reader");
        }
    }

    #[test]
    fn only_calls_with_a_condition_or_minted_credentials_have_a_plan() {
        for r in RULES {
            assert_eq!(plan(r.source, r.name), plan_of(r.source, r.name), "{} {}", r.source, r.name);
            let expected = r.condition != Condition::Always || is_minting_call(r.source, r.name);
            assert_eq!(plan(r.source, r.name).is_some(), expected, "{} {}", r.source, r.name);
        }
        for (source, name) in MINTING_CALLS {
            assert_eq!(plan(source, name), Some(Plan { rule: None, mints: true }), "{name}");
        }
        assert_eq!(plan("ec2.amazonaws.com", "GetParameter"), None, "a planned name from another source");
        assert_eq!(plan("iam.amazonaws.com", "ListUsers"), None);
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
        let failed = r#"{"userIdentity":{"type":"IAMUser"},"errorMessage":"Failed authentication","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"Yes"}}"#;
        assert!(same_as_full_parse("signin.amazonaws.com", "ConsoleLogin", failed).unwrap().notable_condition);
        let created = r#"{"eventVersion":"1.08","responseElements":{"accessKey":{"accessKeyId":"AKIA2","status":"Active"}},"sharedEventID":null}"#;
        let facts = same_as_full_parse("iam.amazonaws.com", "CreateAccessKey", created).unwrap();
        assert_eq!((facts.minted_key.as_deref(), facts.mint_shared_event_id), (Some("AKIA2"), None));
        let open =
            r#"{"requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}"#;
        same_as_full_parse("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", open);
        // Not JSON, or not an object: nothing.
        assert_eq!(same_as_full_parse(ssm, "GetParameter", r#"{"requestParameters":tru}"#), None);
        assert_eq!(same_as_full_parse(ssm, "GetParameter", "[1]"), None);
    }
}
