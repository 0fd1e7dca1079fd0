//! The indexed dimensions of an event. Each facet has an interner with postings; all but
//! `Resource` hold at most one value per event.

/// An indexed field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    EventName,
    EventSource,
    Region,
    RecipientAccount,
    IdentityAccount,
    /// Session-level principal (see `model::identity`).
    Principal,
    /// The role (or user) a session was issued from.
    SessionIssuer,
    IdentityType,
    AccessKey,
    SourceIp,
    UserAgent,
    ErrorCode,
    ReadOnly,
    EventType,
    EventCategory,
    /// Source file (archive members as `archive!member`).
    File,
    /// `userIdentity.arn` as written.
    IdentityArn,
    /// `userIdentity.userName`.
    UserName,
    /// `userIdentity.principalId`.
    PrincipalId,
    /// `userIdentity.sessionContext.sourceIdentity`.
    SourceIdentity,
    /// `errorMessage` (messages repeat across events, so interning pays).
    ErrorMessage,
    /// `userIdentity.sessionContext.attributes.creationDate` (one value per session).
    SessionCreated,
    /// `userIdentity.sessionContext.attributes.mfaAuthenticated`.
    MfaAuthenticated,
    /// `userIdentity.inScopeOf.credentialsIssuedTo`.
    CredentialsIssuedTo,
    /// The access key a credential-minting call returned (`responseElements`), read at
    /// ingest for those calls only (see `analysis::at_ingest`).
    MintedKey,
    /// `sharedEventID` of a credential-minting call (links both accounts' copies).
    MintSharedEventId,
    /// Resource ARNs and types (several per event).
    Resource,
}

impl Facet {
    /// Facets with one value per event, in column order.
    pub const SINGLE: [Facet; 26] = [
        Facet::EventName,
        Facet::EventSource,
        Facet::Region,
        Facet::RecipientAccount,
        Facet::IdentityAccount,
        Facet::Principal,
        Facet::SessionIssuer,
        Facet::IdentityType,
        Facet::AccessKey,
        Facet::SourceIp,
        Facet::UserAgent,
        Facet::ErrorCode,
        Facet::ReadOnly,
        Facet::EventType,
        Facet::EventCategory,
        Facet::File,
        Facet::IdentityArn,
        Facet::UserName,
        Facet::PrincipalId,
        Facet::SourceIdentity,
        Facet::ErrorMessage,
        Facet::SessionCreated,
        Facet::MfaAuthenticated,
        Facet::CredentialsIssuedTo,
        Facet::MintedKey,
        Facet::MintSharedEventId,
    ];

    /// Whether a load builds this facet's postings. The others (fields seldom filtered on,
    /// and the ingest-time facets of credential chains) get them from their column when
    /// first asked for, in a few milliseconds: building all of them at the end of a load
    /// of the 1M corpus took ~50 ms and 57 MB more.
    pub fn indexed_on_load(self) -> bool {
        !matches!(
            self,
            Facet::SessionIssuer
                | Facet::IdentityArn
                | Facet::UserName
                | Facet::PrincipalId
                | Facet::SourceIdentity
                | Facet::ErrorMessage
                | Facet::SessionCreated
                | Facet::MfaAuthenticated
                | Facet::CredentialsIssuedTo
                | Facet::MintedKey
                | Facet::MintSharedEventId
        )
    }

    /// Column index of a single-valued facet.
    pub fn column(self) -> Option<usize> {
        Self::SINGLE.iter().position(|f| *f == self)
    }

    /// The name used in reports and JSON output (CloudTrail's own spelling where one exists).
    pub fn name(self) -> &'static str {
        match self {
            Facet::EventName => "eventName",
            Facet::EventSource => "eventSource",
            Facet::Region => "awsRegion",
            Facet::RecipientAccount => "recipientAccountId",
            Facet::IdentityAccount => "userIdentity.accountId",
            Facet::Principal => "identity",
            Facet::SessionIssuer => "sessionIssuer",
            Facet::IdentityType => "userIdentity.type",
            Facet::AccessKey => "userIdentity.accessKeyId",
            Facet::SourceIp => "sourceIPAddress",
            Facet::UserAgent => "userAgent",
            Facet::ErrorCode => "errorCode",
            Facet::ReadOnly => "readOnly",
            Facet::EventType => "eventType",
            Facet::EventCategory => "eventCategory",
            Facet::File => "file",
            Facet::IdentityArn => "userIdentity.arn",
            Facet::UserName => "userIdentity.userName",
            Facet::PrincipalId => "userIdentity.principalId",
            Facet::SourceIdentity => "sourceIdentity",
            Facet::ErrorMessage => "errorMessage",
            Facet::SessionCreated => "sessionContext.attributes.creationDate",
            Facet::MfaAuthenticated => "sessionContext.attributes.mfaAuthenticated",
            Facet::CredentialsIssuedTo => "inScopeOf.credentialsIssuedTo",
            Facet::MintedKey => "mintedAccessKey",
            Facet::MintSharedEventId => "mintSharedEventID",
            Facet::Resource => "resources",
        }
    }
}
