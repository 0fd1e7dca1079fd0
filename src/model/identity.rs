//! Principals: one normalised name per `userIdentity`, so that every way CloudTrail spells
//! "who did this" (IAM user, role session and its role, root, service, federated, SAML,
//! web identity, Identity Center, cross-account) groups under a stable key.

use std::borrow::Cow;

use super::event::IdentityFields;

/// The normalised identity of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal<'a> {
    /// Session-level principal: IAM user ARN, assumed-role session ARN, `service:…`, …
    pub name: Cow<'a, str>,
    /// What the session was issued from (the role of a role session, the IAM user behind a
    /// federated user), when CloudTrail names it.
    pub issuer: Option<Cow<'a, str>>,
}

fn nonempty<'b>(f: &'b Option<Cow<'_, str>>) -> Option<&'b str> {
    f.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Normalises a `userIdentity`. `None` when the event names no identity at all.
pub fn principal_of<'a>(id: &'a IdentityFields<'_>) -> Option<Principal<'a>> {
    let kind = nonempty(&id.kind).unwrap_or("");
    let arn = nonempty(&id.arn);
    let account = nonempty(&id.account_id);
    let issuer = nonempty(&id.issuer_arn).map(Cow::Borrowed);
    let name: Cow<'a, str> = match kind {
        "AWSService" => {
            let svc = nonempty(&id.invoked_by).or(nonempty(&id.principal_id)).unwrap_or("unknown");
            Cow::Owned(format!("service:{svc}"))
        }
        "SAMLUser" | "WebIdentityUser" => {
            let prefix = if kind == "SAMLUser" { "saml" } else { "web-identity" };
            let idp = nonempty(&id.identity_provider).unwrap_or("?");
            let user = nonempty(&id.user_name).or(nonempty(&id.principal_id)).unwrap_or("?");
            Cow::Owned(format!("{prefix}:{idp}:{user}"))
        }
        "IdentityCenterUser" => {
            let store = nonempty(&id.on_behalf_store_arn).unwrap_or("?");
            let user = nonempty(&id.on_behalf_user_id)
                .or(nonempty(&id.user_name))
                .or(nonempty(&id.principal_id))
                .unwrap_or("?");
            Cow::Owned(format!("identity-center:{store}:{user}"))
        }
        "AWSAccount" => match (account, nonempty(&id.principal_id)) {
            (Some(acct), _) => Cow::Owned(format!("account:{acct}")),
            (None, Some(pid)) => Cow::Owned(format!("principal:{pid}")),
            (None, None) => return None,
        },
        "Root" => match (arn, account) {
            (Some(a), _) => Cow::Borrowed(a),
            (None, Some(acct)) => Cow::Owned(format!("arn:aws:iam::{acct}:root")),
            (None, None) => Cow::Borrowed("root"),
        },
        _ => {
            if let Some(a) = arn {
                Cow::Borrowed(a)
            } else if let Some(user) = nonempty(&id.user_name) {
                match account {
                    Some(acct) => Cow::Owned(format!("user:{acct}/{user}")),
                    None => Cow::Owned(format!("user:{user}")),
                }
            } else if let Some(pid) = nonempty(&id.principal_id) {
                Cow::Owned(format!("principal:{pid}"))
            } else if let Some(svc) = nonempty(&id.invoked_by) {
                Cow::Owned(format!("service:{svc}"))
            } else {
                return None;
            }
        }
    };
    let issuer = issuer.filter(|i| *i != name);
    Some(Principal { name, issuer })
}

/// A short display form of a principal name: the user or `Role/session` for ARNs, the
/// service for `service:…`; the full name when no shorter form applies.
pub fn short_label(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix("arn:") {
        // arn:partition:service:region:account:resource
        let resource = rest.splitn(5, ':').nth(4).unwrap_or(rest);
        if resource == "root" {
            return "root";
        }
        for prefix in ["assumed-role/", "user/", "role/", "federated-user/", "group/"] {
            if let Some(r) = resource.strip_prefix(prefix) {
                return r.rsplit_once('/').map_or(r, |(path_and_role, leaf)| {
                    if prefix == "assumed-role/" {
                        r // keep Role/session
                    } else {
                        let _ = path_and_role;
                        leaf
                    }
                });
            }
        }
        return resource;
    }
    if let Some(svc) = name.strip_prefix("service:") {
        return svc;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(kind: &'a str) -> IdentityFields<'a> {
        IdentityFields { kind: Some(kind.into()), ..Default::default() }
    }

    #[test]
    fn role_session_keeps_its_role_as_issuer() {
        let mut i = id("AssumedRole");
        i.arn = Some("arn:aws:sts::111122223333:assumed-role/Admin/alice".into());
        i.issuer_arn = Some("arn:aws:iam::111122223333:role/Admin".into());
        let p = principal_of(&i).unwrap();
        assert_eq!(p.name, "arn:aws:sts::111122223333:assumed-role/Admin/alice");
        assert_eq!(p.issuer.as_deref(), Some("arn:aws:iam::111122223333:role/Admin"));
        assert_eq!(short_label(&p.name), "Admin/alice");
    }

    #[test]
    fn service_saml_identity_center_account_and_missing() {
        let mut s = id("AWSService");
        s.invoked_by = Some("ec2.amazonaws.com".into());
        assert_eq!(principal_of(&s).unwrap().name, "service:ec2.amazonaws.com");

        let mut saml = id("SAMLUser");
        saml.identity_provider = Some("arn:aws:iam::1:saml-provider/Okta".into());
        saml.user_name = Some("bob@example.com".into());
        assert_eq!(principal_of(&saml).unwrap().name, "saml:arn:aws:iam::1:saml-provider/Okta:bob@example.com");

        let mut ic = id("IdentityCenterUser");
        ic.on_behalf_user_id = Some("u-1".into());
        ic.on_behalf_store_arn = Some("arn:aws:identitystore::1:identitystore/d-1".into());
        assert_eq!(principal_of(&ic).unwrap().name, "identity-center:arn:aws:identitystore::1:identitystore/d-1:u-1");

        let mut acct = id("AWSAccount");
        acct.account_id = Some("444455556666".into());
        assert_eq!(principal_of(&acct).unwrap().name, "account:444455556666");

        let mut root = id("Root");
        root.account_id = Some("111122223333".into());
        assert_eq!(principal_of(&root).unwrap().name, "arn:aws:iam::111122223333:root");
        assert_eq!(short_label("arn:aws:iam::111122223333:root"), "root");

        assert_eq!(principal_of(&id("Unknown")), None);
        assert_eq!(short_label("arn:aws:iam::1:user/path/to/carol"), "carol");
    }
}
