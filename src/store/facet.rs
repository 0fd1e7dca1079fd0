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
    /// Resource ARNs and types (several per event).
    Resource,
}

impl Facet {
    /// Facets with one value per event, in column order.
    pub const SINGLE: [Facet; 21] = [
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
    ];

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
            Facet::Resource => "resources",
        }
    }
}
