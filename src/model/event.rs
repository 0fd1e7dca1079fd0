//! The indexed fields of one event as parsed from its JSON (or CSV/space-delimited) form,
//! borrowed from the input buffer wherever no unescaping was needed.

use std::borrow::Cow;

/// Text field of an event; `None` when absent, null or not a scalar.
pub type Field<'a> = Option<Cow<'a, str>>;

/// The `userIdentity` block (and the parts of it the identity index needs).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IdentityFields<'a> {
    pub kind: Field<'a>,
    pub principal_id: Field<'a>,
    pub arn: Field<'a>,
    pub account_id: Field<'a>,
    pub access_key_id: Field<'a>,
    pub user_name: Field<'a>,
    pub invoked_by: Field<'a>,
    pub identity_provider: Field<'a>,
    pub issuer_kind: Field<'a>,
    pub issuer_arn: Field<'a>,
    pub issuer_account_id: Field<'a>,
    pub issuer_user_name: Field<'a>,
    pub mfa_authenticated: Field<'a>,
    /// `sessionContext.attributes.creationDate`.
    pub session_created: Field<'a>,
    pub source_identity: Field<'a>,
    /// `inScopeOf.credentialsIssuedTo`: the resource a session's credentials were issued to.
    pub credentials_issued_to: Field<'a>,
    pub on_behalf_user_id: Field<'a>,
    pub on_behalf_store_arn: Field<'a>,
}

/// Everything the store indexes about one event.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EventFields<'a> {
    pub event_id: Field<'a>,
    pub event_time: Field<'a>,
    /// Logstash's replacement for `eventTime`; used only when `eventTime` is absent.
    pub at_timestamp: Field<'a>,
    pub event_name: Field<'a>,
    pub event_source: Field<'a>,
    pub aws_region: Field<'a>,
    pub source_ip: Field<'a>,
    pub user_agent: Field<'a>,
    pub error_code: Field<'a>,
    pub error_message: Field<'a>,
    pub request_id: Field<'a>,
    pub read_only: Field<'a>,
    pub event_type: Field<'a>,
    pub event_category: Field<'a>,
    pub recipient_account: Field<'a>,
    pub shared_event_id: Field<'a>,
    /// Boxed: it is as large as the rest of the fields, and records are moved several
    /// times between parsing and the store.
    pub identity: Option<Box<IdentityFields<'a>>>,
    pub resources: Vec<Cow<'a, str>>,
    /// Set for CloudTrail Insights records (fields above filled from `insightDetails`).
    pub insight: bool,
}

impl<'a> EventFields<'a> {
    /// The event time string to parse: `eventTime`, else Logstash's `@timestamp`.
    pub fn time_text(&self) -> Option<&str> {
        self.event_time.as_deref().or(self.at_timestamp.as_deref())
    }

    /// `readOnly` as a tri-state, accepting the string forms some exporters write.
    pub fn read_only_flag(&self) -> Option<bool> {
        // CloudTrail writes a JSON boolean (read as "true"/"false"): the exact spellings
        // first, before trimming and comparing without case.
        match self.read_only.as_deref()? {
            "true" => return Some(true),
            "false" => return Some(false),
            _ => {}
        }
        match self.read_only.as_deref()?.trim() {
            s if s.eq_ignore_ascii_case("true") => Some(true),
            s if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// Detaches the fields from the buffer they borrow (used for records that were
    /// unescaped out of a JSON string, whose temporary buffer dies before the append).
    pub fn into_owned(self) -> EventFields<'static> {
        fn o(f: Field<'_>) -> Field<'static> {
            f.map(|c| Cow::Owned(c.into_owned()))
        }
        EventFields {
            event_id: o(self.event_id),
            event_time: o(self.event_time),
            at_timestamp: o(self.at_timestamp),
            event_name: o(self.event_name),
            event_source: o(self.event_source),
            aws_region: o(self.aws_region),
            source_ip: o(self.source_ip),
            user_agent: o(self.user_agent),
            error_code: o(self.error_code),
            error_message: o(self.error_message),
            request_id: o(self.request_id),
            read_only: o(self.read_only),
            event_type: o(self.event_type),
            event_category: o(self.event_category),
            recipient_account: o(self.recipient_account),
            shared_event_id: o(self.shared_event_id),
            identity: self.identity.map(|i| {
                Box::new(IdentityFields {
                    kind: o(i.kind),
                    principal_id: o(i.principal_id),
                    arn: o(i.arn),
                    account_id: o(i.account_id),
                    access_key_id: o(i.access_key_id),
                    user_name: o(i.user_name),
                    invoked_by: o(i.invoked_by),
                    identity_provider: o(i.identity_provider),
                    issuer_kind: o(i.issuer_kind),
                    issuer_arn: o(i.issuer_arn),
                    issuer_account_id: o(i.issuer_account_id),
                    issuer_user_name: o(i.issuer_user_name),
                    mfa_authenticated: o(i.mfa_authenticated),
                    session_created: o(i.session_created),
                    source_identity: o(i.source_identity),
                    credentials_issued_to: o(i.credentials_issued_to),
                    on_behalf_user_id: o(i.on_behalf_user_id),
                    on_behalf_store_arn: o(i.on_behalf_store_arn),
                })
            }),
            resources: self.resources.into_iter().map(|c| Cow::Owned(c.into_owned())).collect(),
            insight: self.insight,
        }
    }
}
