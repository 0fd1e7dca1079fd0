//! The fields of the filter language: one table that names every field the way CloudTrail
//! spells it, gives it short aliases, says what kind of value it takes and what it matches.
//!
//! The parser, the "unknown field" message, the help screen and `docs/filter-language.md`
//! all read from [`FIELDS`], so adding a field here is the whole job on the language side
//! (the evaluator still has to say how to match it).

use crate::store::Facet;

/// A field a filter term can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `eventName`.
    EventName,
    /// `eventSource` (the service endpoint, `iam.amazonaws.com`).
    EventSource,
    /// `awsRegion`.
    Region,
    /// `recipientAccountId` OR `userIdentity.accountId`: "anything that happened in or was
    /// done from this account".
    Account,
    /// `recipientAccountId` only.
    RecipientAccount,
    /// `userIdentity.accountId` only.
    IdentityAccount,
    /// Any name of the caller: trailscope's principal name (see `model::identity`), the
    /// principal ARN, `userName`, the role and session name of a role session, the
    /// `principalId` and the session issuer (ARN or name).
    Identity,
    /// `userIdentity.arn`.
    IdentityArn,
    /// `userIdentity.userName`.
    UserName,
    /// `userIdentity.principalId`.
    PrincipalId,
    /// `userIdentity.type` (`IAMUser`, `AssumedRole`, `Root`, `AWSService`, …).
    IdentityType,
    /// `userIdentity.accessKeyId`.
    AccessKey,
    /// `sourceIPAddress`; the only field that takes CIDR values.
    SourceIp,
    /// `userAgent`.
    UserAgent,
    /// `errorCode`; `error:*` is "any error".
    Error,
    /// `errorMessage`.
    ErrorMessage,
    /// `readOnly` (boolean).
    ReadOnly,
    /// `eventType` (`AwsApiCall`, `AwsConsoleSignIn`, …).
    EventType,
    /// `eventCategory` (`Management`, `Data`, `Insight`, …).
    EventCategory,
    /// An ARN or a type (`AWS::S3::Object`) of any entry of `resources[]`.
    Resource,
    /// `eventID`.
    EventId,
    /// `requestID`.
    RequestId,
    /// `userIdentity.sessionContext.sessionIssuer` (ARN or user name): the role of a role
    /// session, the IAM user behind a federated user.
    SessionIssuer,
    /// `userIdentity.sessionContext.sourceIdentity`.
    SourceIdentity,
    /// The file the event was read from (archive members as `archive!member`).
    File,
    /// Lower time bound, inclusive.
    After,
    /// Upper time bound, exclusive.
    Before,
    /// Lower time bound given as a duration back from "now" (resolved at parse time).
    Since,
    /// Events flagged as notable (`notable:true`) or in a notable category
    /// (`notable:persistence`); see `analysis::notable`.
    Notable,
}

/// How a field's values are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Text with `*` wildcards, matched case-insensitively; `*` alone means "present".
    Text,
    /// Like `Text`, and a value containing `/` is a CIDR block.
    Ip,
    /// `true`/`false` (`yes`/`no`).
    Bool,
    /// An ISO 8601 time or a duration back from now (`2h`, `7d`).
    Time,
    /// `true`/`false`, or a category name (text with wildcards).
    Notable,
}

/// One row of the field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    pub field: Field,
    /// CloudTrail's spelling (or trailscope's name for fields CloudTrail has no name for).
    pub canonical: &'static str,
    /// The name filters are printed with (chips, the filter bar): the canonical name or one
    /// of the aliases, whichever reads best (`name`, `key`, `ip`, `readOnly`).
    pub short: &'static str,
    /// Other names for the field.
    pub aliases: &'static [&'static str],
    pub kind: ValueKind,
    /// One line for the help screen and the documentation.
    pub help: &'static str,
}

const fn row(
    field: Field,
    canonical: &'static str,
    short: &'static str,
    aliases: &'static [&'static str],
    kind: ValueKind,
    help: &'static str,
) -> FieldInfo {
    FieldInfo { field, canonical, short, aliases, kind, help }
}

/// Every field, in [`Field`] declaration order (so `FIELDS[field as usize]` is its row).
pub static FIELDS: &[FieldInfo] = &[
    row(
        Field::EventName,
        "eventName",
        "name",
        &["name", "event"],
        ValueKind::Text,
        "the API call, e.g. ConsoleLogin, AssumeRole",
    ),
    row(
        Field::EventSource,
        "eventSource",
        "source",
        &["source", "service"],
        ValueKind::Text,
        "the service endpoint, e.g. iam.amazonaws.com",
    ),
    row(Field::Region, "awsRegion", "region", &["region"], ValueKind::Text, "the region, e.g. us-east-1"),
    row(
        Field::Account,
        "account",
        "account",
        &["acct"],
        ValueKind::Text,
        "recipientAccountId or userIdentity.accountId (either matches)",
    ),
    row(
        Field::RecipientAccount,
        "recipientAccountId",
        "recipient",
        &["recipient"],
        ValueKind::Text,
        "the account whose trail recorded the event",
    ),
    row(
        Field::IdentityAccount,
        "userIdentity.accountId",
        "callerAccount",
        &["callerAccount"],
        ValueKind::Text,
        "the account of the caller",
    ),
    row(
        Field::Identity,
        "identity",
        "identity",
        &["who", "principal"],
        ValueKind::Text,
        "any name of the caller: principal, ARN, user name, role, session name, principal id, session issuer",
    ),
    row(Field::IdentityArn, "userIdentity.arn", "arn", &["arn"], ValueKind::Text, "the caller's ARN"),
    row(
        Field::UserName,
        "userIdentity.userName",
        "user",
        &["user", "userName"],
        ValueKind::Text,
        "the caller's user name",
    ),
    row(
        Field::PrincipalId,
        "userIdentity.principalId",
        "principalId",
        &["principalId", "pid"],
        ValueKind::Text,
        "the caller's principal id, e.g. AROAEXAMPLE:session",
    ),
    row(
        Field::IdentityType,
        "userIdentity.type",
        "type",
        &["type", "identityType"],
        ValueKind::Text,
        "IAMUser, AssumedRole, Root, AWSService, FederatedUser, …",
    ),
    row(
        Field::AccessKey,
        "userIdentity.accessKeyId",
        "key",
        &["key", "accessKeyId", "akid"],
        ValueKind::Text,
        "the access key used (AKIA… long-term, ASIA… temporary)",
    ),
    row(
        Field::SourceIp,
        "sourceIPAddress",
        "ip",
        &["ip", "sourceIp"],
        ValueKind::Ip,
        "the caller's IP address (or service name); also CIDR, e.g. 203.0.113.0/24",
    ),
    row(Field::UserAgent, "userAgent", "ua", &["ua", "agent"], ValueKind::Text, "the caller's user agent"),
    row(
        Field::Error,
        "errorCode",
        "error",
        &["error", "err"],
        ValueKind::Text,
        "the error code, e.g. AccessDenied; error:* is any error",
    ),
    row(Field::ErrorMessage, "errorMessage", "errorMessage", &["errmsg"], ValueKind::Text, "the error message"),
    row(Field::ReadOnly, "readOnly", "readOnly", &["ro"], ValueKind::Bool, "true for calls that only read"),
    row(
        Field::EventType,
        "eventType",
        "eventType",
        &["etype"],
        ValueKind::Text,
        "AwsApiCall, AwsConsoleSignIn, AwsServiceEvent, …",
    ),
    row(
        Field::EventCategory,
        "eventCategory",
        "category",
        &["category", "cat"],
        ValueKind::Text,
        "Management, Data, NetworkActivity, Insight",
    ),
    row(
        Field::Resource,
        "resources",
        "resource",
        &["resource", "res"],
        ValueKind::Text,
        "an ARN or a type (e.g. AWS::S3::Object) in resources[]",
    ),
    row(Field::EventId, "eventID", "eventID", &["id"], ValueKind::Text, "the event's id"),
    row(Field::RequestId, "requestID", "requestID", &["request", "reqid"], ValueKind::Text, "the request's id"),
    row(
        Field::SessionIssuer,
        "userIdentity.sessionContext.sessionIssuer",
        "issuer",
        &["issuer", "role", "sessionIssuer"],
        ValueKind::Text,
        "what a session was issued from: role (or user) ARN or name",
    ),
    row(
        Field::SourceIdentity,
        "userIdentity.sessionContext.sourceIdentity",
        "sourceIdentity",
        &["sourceIdentity", "srcid"],
        ValueKind::Text,
        "the source identity set when the role was assumed",
    ),
    row(
        Field::File,
        "file",
        "file",
        &["path"],
        ValueKind::Text,
        "the file the event came from (archive members as archive!member); whole path or file name",
    ),
    row(Field::After, "after", "after", &[], ValueKind::Time, "events at or after this time"),
    row(Field::Before, "before", "before", &[], ValueKind::Time, "events strictly before this time"),
    row(Field::Since, "since", "since", &[], ValueKind::Time, "events in the last 2h, 7d, … (or since a time)"),
    row(
        Field::Notable,
        "notable",
        "notable",
        &[],
        ValueKind::Notable,
        "notable events (true), the others (false), or a category: logging, persistence, exposure, secrets, kms, root, console, error-burst",
    ),
];

impl Field {
    /// The field's row in [`FIELDS`].
    pub fn info(self) -> &'static FieldInfo {
        &FIELDS[self as usize]
    }

    /// CloudTrail's spelling, e.g. `userIdentity.accessKeyId`.
    pub fn canonical(self) -> &'static str {
        self.info().canonical
    }

    /// The name filters are printed with: `key` for `userIdentity.accessKeyId`.
    pub fn short_name(self) -> &'static str {
        self.info().short
    }

    pub fn kind(self) -> ValueKind {
        self.info().kind
    }

    /// The store facet that holds exactly this field's values, when there is one.
    pub fn facet(self) -> Option<Facet> {
        Some(match self {
            Field::EventName => Facet::EventName,
            Field::EventSource => Facet::EventSource,
            Field::Region => Facet::Region,
            Field::RecipientAccount => Facet::RecipientAccount,
            Field::IdentityAccount => Facet::IdentityAccount,
            Field::SessionIssuer => Facet::SessionIssuer,
            Field::IdentityType => Facet::IdentityType,
            Field::AccessKey => Facet::AccessKey,
            Field::SourceIp => Facet::SourceIp,
            Field::UserAgent => Facet::UserAgent,
            Field::Error => Facet::ErrorCode,
            Field::ReadOnly => Facet::ReadOnly,
            Field::EventType => Facet::EventType,
            Field::EventCategory => Facet::EventCategory,
            Field::File => Facet::File,
            Field::Resource => Facet::Resource,
            Field::IdentityArn => Facet::IdentityArn,
            Field::UserName => Facet::UserName,
            Field::PrincipalId => Facet::PrincipalId,
            Field::SourceIdentity => Facet::SourceIdentity,
            Field::ErrorMessage => Facet::ErrorMessage,
            _ => return None,
        })
    }
}

/// The field a name refers to: canonical names and aliases, ASCII case-insensitively.
pub fn resolve(name: &str) -> Option<Field> {
    FIELDS
        .iter()
        .find(|info| {
            info.canonical.eq_ignore_ascii_case(name) || info.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .map(|info| info.field)
}

/// Every accepted field name: each field's canonical name followed by its aliases.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().flat_map(|info| std::iter::once(info.canonical).chain(info.aliases.iter().copied()))
}

/// The values a boolean field accepts: `true`/`yes` and `false`/`no`, any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order() {
        for (i, info) in FIELDS.iter().enumerate() {
            assert_eq!(info.field as usize, i, "{}", info.canonical);
        }
        assert_eq!(FIELDS.len(), Field::Notable as usize + 1);
    }

    #[test]
    fn names_are_unique_and_scannable() {
        let mut seen = std::collections::HashSet::new();
        for name in all_names() {
            assert!(seen.insert(name.to_ascii_lowercase()), "duplicate field name {name}");
            let mut chars = name.chars();
            assert!(chars.next().is_some_and(|c| c.is_ascii_alphabetic()), "{name}");
            assert!(chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'), "{name}");
        }
    }

    #[test]
    fn short_names_are_names() {
        for info in FIELDS {
            assert!(info.short == info.canonical || info.aliases.contains(&info.short), "{}", info.short);
            assert_eq!(resolve(info.short), Some(info.field));
        }
    }

    #[test]
    fn resolves_canonical_names_and_aliases_case_insensitively() {
        assert_eq!(resolve("eventName"), Some(Field::EventName));
        assert_eq!(resolve("EVENTNAME"), Some(Field::EventName));
        assert_eq!(resolve("name"), Some(Field::EventName));
        assert_eq!(resolve("userIdentity.accessKeyId"), Some(Field::AccessKey));
        assert_eq!(resolve("useridentity.accesskeyid"), Some(Field::AccessKey));
        assert_eq!(resolve("key"), Some(Field::AccessKey));
        assert_eq!(resolve("IP"), Some(Field::SourceIp));
        assert_eq!(resolve("sourceIPAddress"), Some(Field::SourceIp));
        assert_eq!(resolve("account"), Some(Field::Account));
        assert_eq!(resolve("recipientAccountId"), Some(Field::RecipientAccount));
        assert_eq!(resolve("type"), Some(Field::IdentityType));
        assert_eq!(resolve("error"), Some(Field::Error));
        assert_eq!(resolve("notable"), Some(Field::Notable));
        assert_eq!(resolve("since"), Some(Field::Since));
        assert_eq!(resolve("nope"), None);
        assert_eq!(resolve(""), None);
    }

    #[test]
    fn short_names_and_bools() {
        assert_eq!(Field::AccessKey.short_name(), "key");
        assert_eq!(Field::After.short_name(), "after");
        assert_eq!(Field::ReadOnly.short_name(), "readOnly");
        assert_eq!(Field::AccessKey.canonical(), "userIdentity.accessKeyId");
        assert_eq!(Field::Error.facet(), Some(Facet::ErrorCode));
        assert_eq!(Field::Identity.facet(), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("no"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
