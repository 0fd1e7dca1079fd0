//! Notable events: a built-in, documented list of security-sensitive actions (the table
//! in `docs/notable.md` is this file's [`RULES`] in prose) and bursts of AccessDenied
//! errors from one principal.
//!
//! Most rules are an event name at a service and are answered from the event-name
//! postings. A few need a look inside the request (a security group opened to the whole
//! internet, a snapshot shared, a parameter read with decryption, a console sign-in
//! without MFA): those are decided at ingest, while the event's bytes are in hand
//! ([`super::at_ingest`]), and kept as a flag, so finding notable events never reads JSON.
//! Attempts count as much as successes — a denied `StopLogging` is exactly what a
//! responder wants to see.

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;

use super::rawjson::{flag, text};
use crate::store::{flags, Facet, Store, NONE};

/// The notable categories, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Audit logging and detection tampered with (CloudTrail, flow logs, GuardDuty,
    /// Config, Security Hub).
    Logging,
    /// New users, keys, passwords, roles and policies: ways to come back later.
    Persistence,
    /// Data or network opened up: bucket policies and ACLs, public access blocks removed,
    /// security groups opened to the internet, snapshots and images shared.
    Exposure,
    /// Secrets read: Secrets Manager values, SSM parameters decrypted.
    Secrets,
    /// KMS keys disabled or scheduled for deletion.
    Kms,
    /// Anything done as the account's root user.
    Root,
    /// Console sign-ins that failed, or succeeded without MFA.
    Console,
    /// Many AccessDenied-type errors from one principal in a short window.
    ErrorBurst,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Logging,
        Category::Persistence,
        Category::Exposure,
        Category::Secrets,
        Category::Kms,
        Category::Root,
        Category::Console,
        Category::ErrorBurst,
    ];

    /// The name used in `notable:<category>` and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Category::Logging => "logging",
            Category::Persistence => "persistence",
            Category::Exposure => "exposure",
            Category::Secrets => "secrets",
            Category::Kms => "kms",
            Category::Root => "root",
            Category::Console => "console",
            Category::ErrorBurst => "error-burst",
        }
    }

    /// One line for help screens and the documentation.
    pub fn description(self) -> &'static str {
        match self {
            Category::Logging => "audit logging or detection tampered with",
            Category::Persistence => "new users, access keys, passwords, roles or policies",
            Category::Exposure => "buckets, security groups, snapshots or images opened up",
            Category::Secrets => "secret values and decrypted parameters read",
            Category::Kms => "KMS keys disabled or scheduled for deletion",
            Category::Root => "activity of the root user",
            Category::Console => "console sign-in failed, or succeeded without MFA",
            Category::ErrorBurst => "AccessDenied-type errors in a burst from one principal",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of categories (what the timeline marks an event with).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CategorySet(u16);

impl CategorySet {
    pub fn contains(self, c: Category) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn insert(&mut self, c: Category) {
        self.0 |= c.bit();
    }

    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

/// What, besides its name, makes an event match a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The name alone.
    Always,
    /// An ingress rule for `0.0.0.0/0` or `::/0` in the request.
    OpenToInternet,
    /// `requestParameters.<attribute>.add` is not empty (a snapshot or image shared).
    SharingAdded(&'static str),
    /// `requestParameters.withDecryption` is true.
    WithDecryption,
    /// `requestParameters.enable` is false (GuardDuty `UpdateDetector`).
    Disabled,
    /// A console sign-in that failed, or an IAM user's or root's that succeeded without MFA.
    ConsoleRisk,
}

/// One rule: an event name at a service, and a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub category: Category,
    pub source: &'static str,
    pub name: &'static str,
    pub condition: Condition,
}

const fn rule(category: Category, source: &'static str, name: &'static str, condition: Condition) -> Rule {
    Rule { category, source, name, condition }
}

use Category as C;
use Condition as If;

const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";
const GUARDDUTY: &str = "guardduty.amazonaws.com";
const CONFIG: &str = "config.amazonaws.com";
const SECURITYHUB: &str = "securityhub.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";

/// The built-in list (documented in `docs/notable.md`). `Root` and `ErrorBurst` have no
/// rule here: they are about who called and how often it failed, not what was called.
pub static RULES: &[Rule] = &[
    rule(C::Logging, CLOUDTRAIL, "StopLogging", If::Always),
    rule(C::Logging, CLOUDTRAIL, "DeleteTrail", If::Always),
    rule(C::Logging, CLOUDTRAIL, "UpdateTrail", If::Always),
    rule(C::Logging, CLOUDTRAIL, "PutEventSelectors", If::Always),
    rule(C::Logging, EC2, "DeleteFlowLogs", If::Always),
    rule(C::Logging, GUARDDUTY, "DeleteDetector", If::Always),
    rule(C::Logging, GUARDDUTY, "UpdateDetector", If::Disabled),
    rule(C::Logging, GUARDDUTY, "DisassociateFromMasterAccount", If::Always),
    rule(C::Logging, GUARDDUTY, "DisassociateFromAdministratorAccount", If::Always),
    rule(C::Logging, GUARDDUTY, "StopMonitoringMembers", If::Always),
    rule(C::Logging, CONFIG, "StopConfigurationRecorder", If::Always),
    rule(C::Logging, CONFIG, "DeleteConfigurationRecorder", If::Always),
    rule(C::Logging, CONFIG, "DeleteDeliveryChannel", If::Always),
    rule(C::Logging, SECURITYHUB, "DisableSecurityHub", If::Always),
    rule(C::Logging, SECURITYHUB, "BatchDisableStandards", If::Always),
    rule(C::Logging, SECURITYHUB, "DisassociateFromMasterAccount", If::Always),
    rule(C::Logging, SECURITYHUB, "DisassociateFromAdministratorAccount", If::Always),
    rule(C::Persistence, IAM, "CreateUser", If::Always),
    rule(C::Persistence, IAM, "CreateAccessKey", If::Always),
    rule(C::Persistence, IAM, "CreateLoginProfile", If::Always),
    rule(C::Persistence, IAM, "UpdateLoginProfile", If::Always),
    rule(C::Persistence, IAM, "AttachUserPolicy", If::Always),
    rule(C::Persistence, IAM, "AttachRolePolicy", If::Always),
    rule(C::Persistence, IAM, "AttachGroupPolicy", If::Always),
    rule(C::Persistence, IAM, "PutUserPolicy", If::Always),
    rule(C::Persistence, IAM, "PutRolePolicy", If::Always),
    rule(C::Persistence, IAM, "PutGroupPolicy", If::Always),
    rule(C::Persistence, IAM, "UpdateAssumeRolePolicy", If::Always),
    rule(C::Persistence, IAM, "CreateRole", If::Always),
    rule(C::Exposure, S3, "PutBucketPolicy", If::Always),
    rule(C::Exposure, S3, "PutBucketAcl", If::Always),
    rule(C::Exposure, S3, "DeleteBucketPublicAccessBlock", If::Always),
    rule(C::Exposure, S3, "DeleteAccountPublicAccessBlock", If::Always),
    rule(C::Exposure, S3, "DeletePublicAccessBlock", If::Always),
    rule(C::Exposure, EC2, "AuthorizeSecurityGroupIngress", If::OpenToInternet),
    rule(C::Exposure, EC2, "ModifySnapshotAttribute", If::SharingAdded("createVolumePermission")),
    rule(C::Exposure, EC2, "ModifyImageAttribute", If::SharingAdded("launchPermission")),
    rule(C::Secrets, "secretsmanager.amazonaws.com", "GetSecretValue", If::Always),
    rule(C::Secrets, "ssm.amazonaws.com", "GetParameter", If::WithDecryption),
    rule(C::Secrets, "ssm.amazonaws.com", "GetParameters", If::WithDecryption),
    rule(C::Secrets, "ssm.amazonaws.com", "GetParametersByPath", If::WithDecryption),
    rule(C::Kms, "kms.amazonaws.com", "DisableKey", If::Always),
    rule(C::Kms, "kms.amazonaws.com", "ScheduleKeyDeletion", If::Always),
    rule(C::Console, "signin.amazonaws.com", "ConsoleLogin", If::ConsoleRisk),
];

/// The request-dependent condition of the rule for a call, if it has one.
pub fn conditional_rule(source: &str, name: &str) -> Option<Condition> {
    RULES.iter().find(|r| r.name == name && r.source == source && r.condition != Condition::Always).map(|r| r.condition)
}

impl Condition {
    /// The top-level members of the event that [`Condition::holds`] reads (at ingest only
    /// these are parsed).
    pub fn reads(self) -> &'static [&'static str] {
        match self {
            Condition::Always => &[],
            Condition::OpenToInternet
            | Condition::SharingAdded(_)
            | Condition::WithDecryption
            | Condition::Disabled => &["requestParameters"],
            Condition::ConsoleRisk => {
                &["errorCode", "errorMessage", "responseElements", "userIdentity", "additionalEventData"]
            }
        }
    }

    /// Whether the condition holds for an event's JSON.
    pub fn holds(self, v: &Value) -> bool {
        match self {
            Condition::Always => true,
            Condition::OpenToInternet => v.get("requestParameters").is_some_and(opens_to_internet),
            Condition::SharingAdded(attribute) => {
                v.pointer(&format!("/requestParameters/{attribute}/add")).is_some_and(|add| !is_empty_json(add))
            }
            Condition::WithDecryption => flag(v, "/requestParameters/withDecryption") == Some(true),
            Condition::Disabled => flag(v, "/requestParameters/enable") == Some(false),
            Condition::ConsoleRisk => {
                let failed = text(v, "/errorCode").is_some()
                    || text(v, "/errorMessage").is_some()
                    || text(v, "/responseElements/ConsoleLogin").is_some_and(|r| !r.eq_ignore_ascii_case("Success"));
                // Federated sign-ins (SAML, Identity Center) report MFAUsed "No" because the
                // identity provider did the MFA: only IAM users and root are judged on it.
                let judged = matches!(text(v, "/userIdentity/type").as_deref(), Some("IAMUser" | "Root"));
                failed || (judged && flag(v, "/additionalEventData/MFAUsed") == Some(false))
            }
        }
    }
}

/// An error burst: at least this many AccessDenied-type errors from one principal…
pub const BURST_MIN_ERRORS: usize = 5;
/// …within this many milliseconds (first to last). Five denials in five minutes is well
/// above what a misconfigured job produces in the demo's routine traffic and well below
/// what enumeration tools produce (tens to hundreds per minute).
pub const BURST_WINDOW_MS: i64 = 5 * 60 * 1000;

/// Whether an `errorCode` is an authorisation failure (AccessDenied, AccessDeniedException,
/// Client.UnauthorizedOperation, UnauthorizedAccess, …), any case.
pub fn is_access_denied(error_code: &str) -> bool {
    let c = error_code.to_ascii_lowercase();
    c.contains("accessdenied") || c.contains("unauthorized")
}

/// The notable events of a store. Build it once per loaded store (it parses the few events
/// whose rules need their request); lookups are then cheap.
#[derive(Debug, Default, Clone)]
pub struct NotableEvents {
    /// Sorted event ids per category, indexed by `Category as usize`.
    by_category: Vec<Vec<u32>>,
    marks: FxHashMap<u32, CategorySet>,
}

impl NotableEvents {
    /// Applies every rule and the burst detector to the whole store.
    pub fn find(store: &Store) -> NotableEvents {
        let mut marks: FxHashMap<u32, CategorySet> = FxHashMap::default();
        let mut mark = |e: u32, c: Category| marks.entry(e).or_default().insert(c);
        let names = store.facet(Facet::EventName);
        let sources = store.facet(Facet::EventSource);
        for r in RULES {
            let (Some(id), Some(source)) = (names.id_of(r.name), sources.id_of(r.source)) else { continue };
            for e in names.postings(id) {
                if store.value_id(e, Facet::EventSource) != source {
                    continue;
                }
                let condition_met = store.flags(e) & flags::NOTABLE_CONDITION != 0;
                if r.condition == Condition::Always || condition_met {
                    mark(e, r.category);
                }
            }
        }
        if let Some(root) = store.facet(Facet::IdentityType).id_of("Root") {
            for e in store.facet(Facet::IdentityType).postings(root) {
                mark(e, Category::Root);
            }
        }
        for e in error_bursts(store) {
            mark(e, Category::ErrorBurst);
        }
        let mut by_category = vec![Vec::new(); Category::ALL.len()];
        for (&e, set) in &marks {
            for c in set.iter() {
                by_category[c as usize].push(e);
            }
        }
        for list in &mut by_category {
            list.sort_unstable();
        }
        NotableEvents { by_category, marks }
    }

    /// The events of one category, in ascending event-id order.
    pub fn events(&self, category: Category) -> &[u32] {
        self.by_category.get(category as usize).map_or(&[], Vec::as_slice)
    }

    /// The categories `event` is notable for (empty when it is not notable).
    pub fn categories(&self, event: u32) -> CategorySet {
        self.marks.get(&event).copied().unwrap_or_default()
    }

    /// Every notable event, in ascending event-id order.
    pub fn all(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.marks.keys().copied().collect();
        all.sort_unstable();
        all
    }

    pub fn len(&self) -> usize {
        self.marks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }
}

fn is_empty_json(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty() || m.values().all(is_empty_json),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Whether a security-group request has a `cidrIp`/`cidrIpv6` (any nesting, any case) of
/// `0.0.0.0/0` or `::/0`.
fn opens_to_internet(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, x)| {
            let is_cidr_key = k.to_ascii_lowercase().starts_with("cidrip");
            (is_cidr_key && x.as_str().is_some_and(|s| matches!(s.trim(), "0.0.0.0/0" | "::/0")))
                || opens_to_internet(x)
        }),
        Value::Array(a) => a.iter().any(opens_to_internet),
        _ => false,
    }
}

/// Events that are part of an AccessDenied burst: per principal, every denied event that
/// lies in some window of [`BURST_WINDOW_MS`] holding at least [`BURST_MIN_ERRORS`]
/// denied events of that principal. Untimed events and events without a principal are
/// never part of a burst (there is no window to put them in, no one to attribute them to).
pub fn error_bursts(store: &Store) -> Vec<u32> {
    let codes = store.facet(Facet::ErrorCode);
    let mut by_principal: FxHashMap<u32, Vec<(i64, u32)>> = FxHashMap::default();
    for (id, code) in codes.iter() {
        if !is_access_denied(code) {
            continue;
        }
        for e in codes.postings(id) {
            let p = store.value_id(e, Facet::Principal);
            if let (Some(t), true) = (store.time(e), p != NONE) {
                by_principal.entry(p).or_default().push((t, e));
            }
        }
    }
    let mut out = Vec::new();
    for (_, mut events) in by_principal {
        if events.len() < BURST_MIN_ERRORS {
            continue;
        }
        events.sort_unstable();
        let mut marked = vec![false; events.len()];
        let mut end = 0;
        for start in 0..events.len() {
            end = end.max(start);
            while end + 1 < events.len() && events[end + 1].0 - events[start].0 <= BURST_WINDOW_MS {
                end += 1;
            }
            if end + 1 - start >= BURST_MIN_ERRORS {
                marked[start..=end].iter_mut().for_each(|m| *m = true);
            }
        }
        out.extend(events.iter().zip(marked).filter(|(_, m)| *m).map(|((_, e), _)| *e));
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_ingress_is_found_at_any_depth_and_only_for_the_whole_internet() {
        let open = json!({"ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
        let open6 = json!({"ipPermissions": {"items": [{"ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}});
        let closed = json!({"ipPermissions": {"items": [{"ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}});
        assert!(opens_to_internet(&open));
        assert!(opens_to_internet(&open6));
        assert!(!opens_to_internet(&closed));
        assert!(!opens_to_internet(&json!({"description": "0.0.0.0/0"})));
    }

    #[test]
    fn categories_round_trip_by_name_and_rules_name_real_categories() {
        for c in Category::ALL {
            assert_eq!(Category::from_name(c.name()), Some(c));
        }
        assert_eq!(Category::from_name("LOGGING"), Some(Category::Logging));
        assert!(RULES.iter().all(|r| !matches!(r.category, Category::Root | Category::ErrorBurst)));
        let mut s = CategorySet::default();
        s.insert(Category::Kms);
        s.insert(Category::Logging);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![Category::Logging, Category::Kms]);
    }

    #[test]
    fn docs_list_every_rule_under_its_category() {
        let doc = include_str!("../../docs/notable.md");
        for c in Category::ALL {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", c.name())))
                .unwrap_or_else(|| panic!("docs/notable.md has no row for {}", c.name()));
            for r in RULES.iter().filter(|r| r.category == c) {
                let service = r.source.trim_end_matches(".amazonaws.com");
                assert!(row.contains(&format!("`{}`", r.name)), "{} missing from the {} row", r.name, c.name());
                assert!(row.contains(&format!("({service})")), "{service} missing from the {} row", c.name());
            }
        }
        assert!(doc.contains(&format!("at least **{BURST_MIN_ERRORS}**")));
        assert!(doc.contains(&format!("within **{} minutes**", BURST_WINDOW_MS / 60_000)));
    }

    #[test]
    fn conditions_read_the_request() {
        let v = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        let shared = v(r#"{"requestParameters":{"createVolumePermission":{"add":{"items":[{"userId":"1"}]}}}}"#);
        let removed = v(r#"{"requestParameters":{"createVolumePermission":{"remove":{"items":[{"userId":"1"}]}}}}"#);
        assert!(Condition::SharingAdded("createVolumePermission").holds(&shared));
        assert!(!Condition::SharingAdded("createVolumePermission").holds(&removed));
        assert!(Condition::Disabled.holds(&v(r#"{"requestParameters":{"enable":false}}"#)));
        assert!(!Condition::Disabled.holds(&v(r#"{"requestParameters":{"enable":true}}"#)));
        assert!(Condition::WithDecryption.holds(&v(r#"{"requestParameters":{"withDecryption":"true"}}"#)));
        let saml_no_mfa = v(r#"{"userIdentity":{"type":"SAMLUser"},"responseElements":{"ConsoleLogin":"Success"},
            "additionalEventData":{"MFAUsed":"No"}}"#);
        assert!(!Condition::ConsoleRisk.holds(&saml_no_mfa), "federated sign-ins are not judged on MFAUsed");
        assert_eq!(conditional_rule("ssm.amazonaws.com", "GetParameter"), Some(Condition::WithDecryption));
        assert_eq!(conditional_rule("iam.amazonaws.com", "CreateUser"), None);
        assert_eq!(conditional_rule("ec2.amazonaws.com", "GetParameter"), None);
    }

    #[test]
    fn access_denied_family() {
        for c in ["AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedAccess"] {
            assert!(is_access_denied(c), "{c}");
        }
        assert!(!is_access_denied("NoSuchEntity"));
        assert!(!is_access_denied("ThrottlingException"));
    }
}
