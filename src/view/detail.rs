//! The detail pane's model: an event's key fields — who, what, where, when, with which
//! credentials, how it ended, on what — each with the filter term that selects it, so the
//! pane can add `field:value` (or its negation) to the filter bar.
//!
//! Indexed fields come from the store's columns; the few that are shown but not indexed
//! (MFA, session creation, console session, `invokedBy`, `sharedEventID`) are read from the
//! event's raw JSON, which costs one block inflate for the one selected event.

use serde_json::Value as Json;

use crate::query::fields::Field;
use crate::query::parse::{Pattern, Term, Value};
use crate::sanitize::sanitize;
use crate::store::{flags, Facet, Store};

use super::clock::DisplayZone;

/// One line of the detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailField {
    pub label: &'static str,
    /// Sanitised for display.
    pub value: String,
    /// The filter term selecting events with this value (unsanitised: it goes into the
    /// filter bar, whose text is sanitised when drawn), when the field is filterable.
    pub filter: Option<String>,
}

/// The filter term `field:value`, quoted as the filter language needs.
pub fn filter_term(field: Field, value: &str) -> String {
    let value = match field {
        Field::ReadOnly => match value.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Pattern(Pattern::literal(value)),
        },
        _ => Value::Pattern(Pattern::literal(value)),
    };
    Term { field: Some(field), value, span: 0..0 }.to_string()
}

/// The key fields of `event`, in reading order; absent fields are left out.
pub fn detail_fields(store: &Store, event: u32, zone: DisplayZone) -> Vec<DetailField> {
    let mut out = Vec::with_capacity(32);
    let mut push = |label: &'static str, value: &str, field: Option<Field>| {
        if value.is_empty() {
            return;
        }
        out.push(DetailField {
            label,
            value: sanitize(value).into_owned(),
            filter: field.map(|f| filter_term(f, value)),
        });
    };
    let raw = store.raw_bytes(event).ok().and_then(|b| serde_json::from_slice::<Json>(&b).ok());
    let at = |path: &[&str]| -> String {
        let mut v = raw.as_ref();
        for p in path {
            v = v.and_then(|x| x.get(p));
        }
        match v {
            Some(Json::String(s)) => s.clone(),
            Some(Json::Bool(b)) => b.to_string(),
            Some(Json::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let value = |facet: Facet| store.value(event, facet).unwrap_or("");

    push("Time", &zone.format_precise(store.time(event)), None);
    push("Event", value(Facet::EventName), Some(Field::EventName));
    push("Source", value(Facet::EventSource), Some(Field::EventSource));
    push("Region", value(Facet::Region), Some(Field::Region));
    push("Error", value(Facet::ErrorCode), Some(Field::Error));
    push("Message", value(Facet::ErrorMessage), Some(Field::ErrorMessage));
    push("Read-only", value(Facet::ReadOnly), Some(Field::ReadOnly));
    push("Identity", value(Facet::Principal), Some(Field::Identity));
    push("Type", value(Facet::IdentityType), Some(Field::IdentityType));
    push("ARN", value(Facet::IdentityArn), Some(Field::IdentityArn));
    push("User name", value(Facet::UserName), Some(Field::UserName));
    push("Principal id", value(Facet::PrincipalId), Some(Field::PrincipalId));
    push("Caller account", value(Facet::IdentityAccount), Some(Field::IdentityAccount));
    push("Access key", value(Facet::AccessKey), Some(Field::AccessKey));
    push("Session issuer", value(Facet::SessionIssuer), Some(Field::SessionIssuer));
    push("Source identity", value(Facet::SourceIdentity), Some(Field::SourceIdentity));
    push("Session created", &at(&["userIdentity", "sessionContext", "attributes", "creationDate"]), None);
    let mfa = at(&["userIdentity", "sessionContext", "attributes", "mfaAuthenticated"]);
    push("MFA (session)", &mfa, None);
    push("MFA used", &at(&["additionalEventData", "MFAUsed"]), None);
    push("Console session", &at(&["sessionCredentialFromConsole"]), None);
    push("Invoked by", &at(&["userIdentity", "invokedBy"]), None);
    push("Source IP", value(Facet::SourceIp), Some(Field::SourceIp));
    push("User agent", value(Facet::UserAgent), Some(Field::UserAgent));
    push("Recipient", value(Facet::RecipientAccount), Some(Field::RecipientAccount));
    push("Event type", value(Facet::EventType), Some(Field::EventType));
    push("Category", value(Facet::EventCategory), Some(Field::EventCategory));
    for r in store.resources(event) {
        push("Resource", r, Some(Field::Resource));
    }
    push("Event ID", store.event_id(event).unwrap_or(""), Some(Field::EventId));
    push("Request ID", store.request_id(event).unwrap_or(""), Some(Field::RequestId));
    push("Shared event", &at(&["sharedEventID"]), None);
    push("File", value(Facet::File), Some(Field::File));
    let f = store.flags(event);
    let notes: Vec<&str> = [
        (flags::PARTIAL, "partial record (CSV or text line: other fields unknown)"),
        (flags::UNTIMED, "event time could not be parsed"),
        (flags::ID_COLLISION, "another, different event has the same eventID"),
        (flags::INSIGHT, "CloudTrail Insights event"),
    ]
    .iter()
    .filter(|(bit, _)| f & bit != 0)
    .map(|(_, text)| *text)
    .collect();
    push("Note", &notes.join("; "), None);
    out
}
