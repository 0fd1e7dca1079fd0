//! The principal behind an event: its kind (root, IAM user, role session, service, …), read
//! from the store's columns, and the identity details CloudTrail keeps only in the event's
//! JSON (source identity, `inScopeOf.credentialsIssuedTo`, MFA, console session), read on
//! demand for the events that need them.
//!
//! The principal *name* is the store's `identity` facet, normalised at ingest by
//! [`crate::model::identity::principal_of`]: a role session is its assumed-role ARN and its
//! role is the session issuer; services are `service:…`, SAML users `saml:<idp>:<user>`,
//! Identity Center users `identity-center:<store>:<user>`, other accounts `account:<id>`.

use serde::Serialize;
use serde_json::Value;

use super::rawjson::{flag, parse_one, text};
use crate::store::{Facet, Store};

/// The kinds of principal the issue lists, one per `userIdentity.type` (and `NoIdentity`
/// for events without any identity). A role itself never calls anything — its sessions
/// do — so roles appear only as the groups sessions are listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrincipalKind {
    Root,
    IamUser,
    RoleSession,
    FederatedUser,
    Saml,
    WebIdentity,
    IdentityCenter,
    Service,
    /// Another account calling in (`AWSAccount`): the resource account's copy of a
    /// cross-account call.
    Account,
    /// A `userIdentity` CloudTrail itself calls `Unknown`, or a type this version does not know.
    Unknown,
    NoIdentity,
}

impl PrincipalKind {
    /// Every kind, in the order groups are listed.
    pub const ALL: [PrincipalKind; 11] = [
        PrincipalKind::Root,
        PrincipalKind::IamUser,
        PrincipalKind::RoleSession,
        PrincipalKind::FederatedUser,
        PrincipalKind::Saml,
        PrincipalKind::WebIdentity,
        PrincipalKind::IdentityCenter,
        PrincipalKind::Service,
        PrincipalKind::Account,
        PrincipalKind::Unknown,
        PrincipalKind::NoIdentity,
    ];

    /// The kind for a `userIdentity.type` value (and the principal name, for identities
    /// written without a type).
    pub fn from_type(identity_type: Option<&str>, principal: Option<&str>) -> PrincipalKind {
        match identity_type {
            Some("Root") => PrincipalKind::Root,
            Some("IAMUser") => PrincipalKind::IamUser,
            Some("AssumedRole") => PrincipalKind::RoleSession,
            Some("FederatedUser") => PrincipalKind::FederatedUser,
            Some("SAMLUser") => PrincipalKind::Saml,
            Some("WebIdentityUser") => PrincipalKind::WebIdentity,
            Some("IdentityCenterUser") => PrincipalKind::IdentityCenter,
            Some("AWSService") => PrincipalKind::Service,
            Some("AWSAccount") => PrincipalKind::Account,
            Some(_) => PrincipalKind::Unknown,
            None => match principal {
                None => PrincipalKind::NoIdentity,
                Some(p) if p.starts_with("service:") => PrincipalKind::Service,
                Some(p) if p.contains(":assumed-role/") => PrincipalKind::RoleSession,
                Some(p) if p.contains(":user/") => PrincipalKind::IamUser,
                Some(_) => PrincipalKind::Unknown,
            },
        }
    }

    /// The name used in JSON output and in `docs/identities-json.md`.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalKind::Root => "root",
            PrincipalKind::IamUser => "iam-user",
            PrincipalKind::RoleSession => "role-session",
            PrincipalKind::FederatedUser => "federated-user",
            PrincipalKind::Saml => "saml",
            PrincipalKind::WebIdentity => "web-identity",
            PrincipalKind::IdentityCenter => "identity-center",
            PrincipalKind::Service => "service",
            PrincipalKind::Account => "account",
            PrincipalKind::Unknown => "unknown",
            PrincipalKind::NoIdentity => "no-identity",
        }
    }

    /// A heading for lists of this kind.
    pub fn heading(self) -> &'static str {
        match self {
            PrincipalKind::Root => "root",
            PrincipalKind::IamUser => "IAM users",
            PrincipalKind::RoleSession => "roles and their sessions",
            PrincipalKind::FederatedUser => "federated users",
            PrincipalKind::Saml => "SAML users",
            PrincipalKind::WebIdentity => "web-identity users",
            PrincipalKind::IdentityCenter => "Identity Center users",
            PrincipalKind::Service => "AWS services",
            PrincipalKind::Account => "other accounts (cross-account calls)",
            PrincipalKind::Unknown => "unknown identities",
            PrincipalKind::NoIdentity => "events without an identity",
        }
    }
}

/// What the store's columns say about an event's caller (no JSON parsed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPrincipal<'s> {
    /// The normalised principal name (`None`: the event names no identity).
    pub name: Option<&'s str>,
    pub kind: PrincipalKind,
    /// `userIdentity.type` as written.
    pub identity_type: Option<&'s str>,
    /// The role of a role session (the user behind a federated user).
    pub issuer: Option<&'s str>,
    /// `userIdentity.accountId`.
    pub account: Option<&'s str>,
    /// `userIdentity.accessKeyId`.
    pub access_key: Option<&'s str>,
    /// `userIdentity.principalId`.
    pub principal_id: Option<&'s str>,
    /// `userIdentity.sessionContext.sourceIdentity`.
    pub source_identity: Option<&'s str>,
}

/// The caller of `event`, from the columns.
pub fn event_principal(store: &Store, event: u32) -> EventPrincipal<'_> {
    let name = store.value(event, Facet::Principal);
    let identity_type = store.value(event, Facet::IdentityType);
    EventPrincipal {
        name,
        kind: PrincipalKind::from_type(identity_type, name),
        identity_type,
        issuer: store.value(event, Facet::SessionIssuer),
        account: store.value(event, Facet::IdentityAccount),
        access_key: store.value(event, Facet::AccessKey),
        principal_id: store.value(event, Facet::PrincipalId),
        source_identity: store.value(event, Facet::SourceIdentity),
    }
}

/// Identity facts that only the event's JSON holds. Every field is `None` when the event
/// does not say (which is different from saying "no").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IdentityDetails {
    /// `userIdentity.invokedBy`: the service that made the call on the principal's behalf.
    pub invoked_by: Option<String>,
    /// `userIdentity.identityProvider` (SAML and web-identity users).
    pub identity_provider: Option<String>,
    /// `userIdentity.onBehalfOf.userId` (Identity Center users).
    pub on_behalf_of_user: Option<String>,
    /// `userIdentity.sessionContext.sourceIdentity`.
    pub source_identity: Option<String>,
    /// `userIdentity.inScopeOf.credentialsIssuedTo`: the resource (a Lambda function, an
    /// EC2 instance) the session's credentials were issued to.
    pub credentials_issued_to: Option<String>,
    /// `userIdentity.sessionContext.attributes.mfaAuthenticated`.
    pub mfa_authenticated: Option<bool>,
    /// `additionalEventData.MFAUsed` (console sign-in events).
    pub mfa_used: Option<bool>,
    /// `userIdentity.sessionContext.attributes.creationDate`, as written.
    pub session_created: Option<String>,
    /// `sessionCredentialFromConsole`: the call used a console session's credentials.
    pub session_credential_from_console: Option<bool>,
}

/// Reads the identity details out of an event's JSON.
pub fn identity_details(event: &Value) -> IdentityDetails {
    let s = |p: &str| text(event, p).map(|t| t.into_owned());
    IdentityDetails {
        invoked_by: s("/userIdentity/invokedBy"),
        identity_provider: s("/userIdentity/identityProvider"),
        on_behalf_of_user: s("/userIdentity/onBehalfOf/userId"),
        source_identity: s("/userIdentity/sessionContext/sourceIdentity"),
        credentials_issued_to: s("/userIdentity/inScopeOf/credentialsIssuedTo"),
        mfa_authenticated: flag(event, "/userIdentity/sessionContext/attributes/mfaAuthenticated"),
        mfa_used: flag(event, "/additionalEventData/MFAUsed"),
        session_created: s("/userIdentity/sessionContext/attributes/creationDate"),
        session_credential_from_console: flag(event, "/sessionCredentialFromConsole"),
    }
}

/// The identity details of one event (parses its JSON; `None` when it is not JSON).
pub fn event_identity_details(store: &Store, event: u32) -> Option<IdentityDetails> {
    parse_one(store, event).map(|v| identity_details(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_types_and_untyped_names() {
        assert_eq!(PrincipalKind::from_type(Some("AssumedRole"), None), PrincipalKind::RoleSession);
        assert_eq!(PrincipalKind::from_type(Some("SomethingNew"), Some("x")), PrincipalKind::Unknown);
        assert_eq!(PrincipalKind::from_type(None, Some("service:ec2.amazonaws.com")), PrincipalKind::Service);
        assert_eq!(PrincipalKind::from_type(None, None), PrincipalKind::NoIdentity);
    }

    #[test]
    fn details_read_from_json() {
        let v = serde_json::json!({
            "userIdentity": {"type": "AssumedRole", "invokedBy": "lambda.amazonaws.com",
                "inScopeOf": {"credentialsIssuedTo": "arn:aws:lambda:us-east-1:1:function:f"},
                "sessionContext": {"sourceIdentity": "alice",
                    "attributes": {"creationDate": "2024-03-01T10:00:00Z", "mfaAuthenticated": "true"}}},
            "additionalEventData": {"MFAUsed": "No"},
            "sessionCredentialFromConsole": "true"
        });
        let d = identity_details(&v);
        assert_eq!(d.invoked_by.as_deref(), Some("lambda.amazonaws.com"));
        assert_eq!(d.credentials_issued_to.as_deref(), Some("arn:aws:lambda:us-east-1:1:function:f"));
        assert_eq!(d.source_identity.as_deref(), Some("alice"));
        assert_eq!(d.session_created.as_deref(), Some("2024-03-01T10:00:00Z"));
        assert_eq!(d.mfa_authenticated, Some(true));
        assert_eq!(d.mfa_used, Some(false));
        assert_eq!(d.session_credential_from_console, Some(true));
        assert_eq!(identity_details(&serde_json::json!({})), IdentityDetails::default());
    }
}
