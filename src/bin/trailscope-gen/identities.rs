//! The simulated organisation: accounts, their IAM users, roles and role sessions, the
//! principals that act in them (with their IPs and tools), the resources they touch, and
//! how a principal is written as a CloudTrail `userIdentity`.
//!
//! Role sessions rotate their temporary credentials: a session's `ASIA…` key for a given
//! period is a pure function of (seed, account, role, session name, period start), so the
//! `AssumeRole` event that issued a key and every later call made with it agree without
//! the generator having to remember anything.

use crate::catalog::{Class, Tool, REGIONS};
use crate::clock;
use crate::json::Obj;
use crate::rng::{Rng, Weighted, HEX, UPPER_DIGITS};

/// Company prefix used in bucket and resource names.
pub const COMPANY: &str = "acme";

const ALIASES: &[&str] = &["prod", "staging", "security", "data", "sandbox", "dev"];

const PEOPLE: &[&str] = &[
    "maria.garcia",
    "james.smith",
    "wei.chen",
    "priya.patel",
    "lukas.mueller",
    "sofia.rossi",
    "omar.haddad",
    "emma.johnson",
    "kenji.tanaka",
    "fatima.ali",
];

#[derive(Debug)]
pub struct Role {
    pub name: String,
    pub principal_id: String,
    pub arn: String,
}

/// Who obtains a session's credentials (and so who appears in its AssumeRole events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuer {
    /// An AWS service assuming the role for a workload (`ec2.amazonaws.com`, …).
    Service(&'static str),
    /// A person through IAM Identity Center (AssumeRoleWithSAML), by e-mail.
    Saml(String),
    /// Assumed from another account; the AssumeRole is not in this trail.
    External,
}

#[derive(Debug)]
pub struct SessionDef {
    pub role: usize,
    pub name: String,
    /// Credentials rotate every `period` seconds, offset by `phase`.
    pub phase: i64,
    pub period: i64,
    pub issuer: Issuer,
    pub mfa: bool,
}

impl SessionDef {
    /// Start of the credential period containing `t`.
    pub fn period_start(&self, t: i64) -> i64 {
        t - (t - self.phase).rem_euclid(self.period)
    }
}

#[derive(Debug)]
pub enum Ident {
    User {
        name: String,
        principal_id: String,
        key: String,
    },
    /// Acts through one of these sessions (indexes into `Account::sessions`).
    Role {
        sessions: Vec<usize>,
    },
    /// An `AWSService` identity.
    Service {
        invoked_by: &'static str,
    },
    Root,
    Federated {
        name: String,
        issuer_actor: usize,
    },
    Saml {
        email: String,
        provider: String,
        sessions: Vec<usize>,
    },
}

#[derive(Debug)]
pub struct Actor {
    pub class: Class,
    pub weight: u64,
    pub human: bool,
    pub ident: Ident,
    pub ips: Vec<String>,
    pub tools: Vec<Tool>,
    pub tool_w: Weighted,
    pub home_region: &'static str,
    /// Calls to S3/KMS/SSM/… sometimes go through this VPC endpoint (private source IP).
    pub vpce: Option<String>,
    /// For service-linked roles: the service host used as sourceIPAddress and userAgent.
    pub service_host: Option<&'static str>,
}

impl Actor {
    pub fn user_name(&self) -> Option<&str> {
        match &self.ident {
            Ident::User { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// Names of things in an account that request parameters refer to.
#[derive(Debug, Default)]
pub struct Resources {
    pub buckets: Vec<String>,
    pub kms_keys: Vec<String>,
    pub functions: Vec<String>,
    pub log_groups: Vec<String>,
    pub secrets: Vec<String>,
    pub parameters: Vec<String>,
    pub tables: Vec<String>,
    pub repos: Vec<String>,
    pub clusters: Vec<String>,
    pub stacks: Vec<String>,
    pub queues: Vec<String>,
    pub topics: Vec<String>,
    pub instances: Vec<String>,
    pub security_groups: Vec<String>,
    pub vpcs: Vec<String>,
    pub subnets: Vec<String>,
    pub zone: String,
    pub trail: String,
}

#[derive(Debug)]
pub struct Account {
    pub id: String,
    pub alias: String,
    pub regions: Vec<&'static str>,
    pub region_w: Weighted,
    pub roles: Vec<Role>,
    pub sessions: Vec<SessionDef>,
    pub actors: Vec<Actor>,
    pub machine_w: Weighted,
    pub human_w: Weighted,
    pub res: Resources,
}

impl Account {
    pub fn actor_by_user(&self, name: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.user_name() == Some(name))
    }

    pub fn bucket(&self, suffix: &str) -> String {
        format!("{COMPANY}-{}-{suffix}", self.alias)
    }
}

fn hex(rng: &mut Rng, n: usize) -> String {
    rng.chars(n, HEX)
}

fn ip_in(rng: &mut Rng, a: u8, b_lo: u8, b_hi: u8) -> String {
    format!("{a}.{}.{}.{}", rng.range(u64::from(b_lo), u64::from(b_hi)), rng.below(256), rng.range(1, 254))
}

/// Public NAT-gateway style AWS addresses.
fn aws_ip(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => ip_in(rng, 52, 0, 95),
        1 => ip_in(rng, 3, 208, 239),
        _ => ip_in(rng, 54, 144, 175),
    }
}

/// Azure-hosted GitHub Actions runners.
fn runner_ip(rng: &mut Rng) -> String {
    match rng.below(2) {
        0 => ip_in(rng, 20, 25, 127),
        _ => ip_in(rng, 172, 176, 183),
    }
}

/// Residential / office addresses of people.
fn home_ip(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => ip_in(rng, 73, 0, 255),
        1 => ip_in(rng, 24, 0, 255),
        2 => ip_in(rng, 86, 0, 255),
        3 => ip_in(rng, 98, 0, 255),
        _ => ip_in(rng, 38, 140, 140),
    }
}

struct Builder<'a> {
    rng: &'a mut Rng,
    id: String,
    roles: Vec<Role>,
    sessions: Vec<SessionDef>,
    actors: Vec<Actor>,
}

impl Builder<'_> {
    fn role(&mut self, name: String, path: &str) -> usize {
        let principal_id = self.rng.aws_id("AROA", 17);
        let arn = format!("arn:aws:iam::{}:role{}{}", self.id, path, name);
        self.roles.push(Role { name, principal_id, arn });
        self.roles.len() - 1
    }

    fn session(&mut self, role: usize, name: String, period: i64, issuer: Issuer) -> usize {
        let phase = self.rng.below(period as u64) as i64;
        let mfa = matches!(issuer, Issuer::Saml(_)) && self.rng.chance(0.2);
        self.sessions.push(SessionDef { role, name, phase, period, issuer, mfa });
        self.sessions.len() - 1
    }

    #[allow(clippy::too_many_arguments)]
    fn actor(
        &mut self,
        class: Class,
        weight: u64,
        human: bool,
        ident: Ident,
        ips: Vec<String>,
        tools: &[(Tool, u64)],
        home_region: &'static str,
    ) -> usize {
        self.actors.push(Actor {
            class,
            weight,
            human,
            ident,
            ips,
            tools: tools.iter().map(|t| t.0).collect(),
            tool_w: Weighted::new(tools.iter().map(|t| t.1)),
            home_region,
            vpce: None,
            service_host: None,
        });
        self.actors.len() - 1
    }

    fn user(&mut self, name: &str) -> Ident {
        Ident::User {
            name: name.to_string(),
            principal_id: self.rng.aws_id("AIDA", 17),
            key: self.rng.aws_id("AKIA", 16),
        }
    }
}

/// Builds account number `index` of the organisation.
pub fn build_account(index: usize, rng: &mut Rng) -> Account {
    let alias = match ALIASES.get(index) {
        Some(a) => (*a).to_string(),
        None => format!("{}{}", ALIASES[index % ALIASES.len()], index / ALIASES.len() + 1),
    };
    let id = format!("{}{}", rng.range(1, 9), rng.chars(11, b"0123456789"));

    // Regions: the big three everywhere, plus a couple of others.
    let mut regions: Vec<&'static str> = REGIONS[..3].iter().map(|r| r.0).collect();
    for r in &REGIONS[3..] {
        if rng.chance(0.2) {
            regions.push(r.0);
        }
    }
    let region_w = Weighted::new(regions.iter().map(|name| REGIONS.iter().find(|r| r.0 == *name).map_or(1, |r| r.1)));

    let mut b = Builder { rng, id: id.clone(), roles: Vec::new(), sessions: Vec::new(), actors: Vec::new() };
    let full = index == 0;
    let nat: Vec<String> = (0..3).map(|_| aws_ip(b.rng)).collect();

    // --- Workloads: instance, task and function roles assumed by AWS services.
    let workloads: &[(&str, &'static str, usize, Tool, u64)] = &[
        ("eks-node", "ec2.amazonaws.com", 6, Tool::GoSdkV2, 300),
        ("orders-api-task", "ecs-tasks.amazonaws.com", 4, Tool::Java, 150),
        ("batch-worker", "ec2.amazonaws.com", 3, Tool::Boto3, 100),
        ("image-resize-lambda", "lambda.amazonaws.com", 1, Tool::Node, 80),
        ("billing-export-lambda", "lambda.amazonaws.com", 1, Tool::Boto3, 40),
    ];
    let mut instances = Vec::new();
    for (i, &(base, service, n, tool, weight)) in workloads.iter().enumerate() {
        if !full && i > 0 && !b.rng.chance(0.7) {
            continue;
        }
        let role = b.role(format!("{alias}-{base}"), "/");
        let mut sessions = Vec::new();
        for _ in 0..n {
            let name = match service {
                "ec2.amazonaws.com" => {
                    let iid = format!("i-0{}", hex(b.rng, 16));
                    instances.push(iid.clone());
                    iid
                }
                "ecs-tasks.amazonaws.com" => hex(b.rng, 32),
                _ => base.trim_end_matches("-lambda").to_string(),
            };
            sessions.push(b.session(role, name, 3600, Issuer::Service(service)));
        }
        let mut tools = vec![(tool, 8)];
        if service == "ec2.amazonaws.com" {
            tools.push((Tool::SsmAgent, 4));
            tools.push((Tool::Cli, 1));
        }
        let region = if b.rng.chance(0.7) { "us-east-1" } else { regions[b.rng.below(regions.len() as u64) as usize] };
        let a = b.actor(Class::Workload, weight, false, Ident::Role { sessions }, nat.clone(), &tools, region);
        if service != "lambda.amazonaws.com" {
            b.actors[a].vpce = Some(format!("vpce-0{}", hex(b.rng, 16)));
        }
    }

    // --- The AWS services that assume those roles, and KMS's own key rotation.
    for svc in ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] {
        if b.sessions.iter().any(|s| s.issuer == Issuer::Service(svc)) {
            b.actor(
                Class::Service,
                30,
                false,
                Ident::Service { invoked_by: svc },
                vec![svc.to_string()],
                &[(Tool::Console, 1)],
                "us-east-1",
            );
        }
    }

    // --- Monitoring through a cross-account role, and service-linked roles.
    let dd = b.role("DatadogIntegrationRole".to_string(), "/");
    let dd_s = b.session(dd, "DatadogAWSIntegration".to_string(), 3600, Issuer::External);
    let dd_ips = (0..4).map(|_| format!("3.233.{}.{}", b.rng.range(144, 159), b.rng.range(1, 254))).collect();
    b.actor(Class::Monitor, 130, false, Ident::Role { sessions: vec![dd_s] }, dd_ips, &[(Tool::GoSdk, 1)], "us-east-1");
    for (svc, session, weight) in
        [("config.amazonaws.com", "AWSConfig-Describe", 40), ("access-analyzer.amazonaws.com", "access-analyzer", 15)]
    {
        let name =
            if svc.starts_with("config") { "AWSServiceRoleForConfig" } else { "AWSServiceRoleForAccessAnalyzer" };
        let role = b.role(name.to_string(), &format!("/aws-service-role/{svc}/"));
        let s = b.session(role, session.to_string(), 3600, Issuer::External);
        let a = b.actor(
            Class::ServiceLinked,
            weight,
            false,
            Ident::Role { sessions: vec![s] },
            vec![svc.to_string()],
            &[(Tool::Console, 1)],
            "us-east-1",
        );
        b.actors[a].service_host = Some(svc);
    }

    // --- Automation IAM users with long-lived keys.
    let runner_ips: Vec<String> = (0..6).map(|_| runner_ip(b.rng)).collect();
    let ident = b.user("ci-deploy");
    b.actor(Class::Ci, 60, false, ident, runner_ips, &[(Tool::Terraform, 6), (Tool::Cli, 3)], "us-east-1");
    let onprem = vec![ip_in(b.rng, 64, 124, 124)];
    let ident = b.user("backup-svc");
    b.actor(Class::Ci, 30, false, ident, onprem, &[(Tool::Boto3, 5), (Tool::PowerShell, 2)], "us-east-1");
    if full || b.rng.chance(0.5) {
        let ips = vec![ip_in(b.rng, 104, 28, 31), ip_in(b.rng, 104, 28, 31)];
        let ident = b.user("legacy-reporting");
        let issuer =
            b.actor(Class::Ci, 20, false, ident, ips.clone(), &[(Tool::Java, 4), (Tool::Quirky, 1)], "us-east-1");
        b.actor(
            Class::Federated,
            6,
            false,
            Ident::Federated { name: "reports-portal".to_string(), issuer_actor: issuer },
            ips,
            &[(Tool::Java, 1)],
            "us-east-1",
        );
    }

    // --- People through IAM Identity Center permission sets.
    let sets: Vec<usize> = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]
        .iter()
        .map(|set| {
            let name = format!("AWSReservedSSO_{set}_{}", hex(b.rng, 16));
            b.role(name, "/aws-reserved/sso.amazonaws.com/")
        })
        .collect();
    let provider = format!("{}=", b.rng.chars(27, crate::rng::ALNUM));
    let n_people = if full { PEOPLE.len() } else { 3 + b.rng.below(3) as usize };
    let start = if full { 0 } else { b.rng.below(PEOPLE.len() as u64) as usize };
    for k in 0..n_people {
        let email = format!("{}@example.com", PEOPLE[(start + k) % PEOPLE.len()]);
        let set = sets[(b.rng.below(5) as usize).min(2)];
        let s = b.session(set, email.clone(), 4 * 3600, Issuer::Saml(email.clone()));
        let ips = vec![home_ip(b.rng), home_ip(b.rng)];
        b.actor(
            Class::Human,
            100,
            true,
            Ident::Role { sessions: vec![s] },
            ips.clone(),
            &[(Tool::Console, 6), (Tool::Cli, 3), (Tool::Boto3, 1)],
            "us-east-1",
        );
        b.actor(
            Class::Saml,
            6,
            true,
            Ident::Saml { email, provider: provider.clone(), sessions: vec![s] },
            ips,
            &[(Tool::Console, 1)],
            "us-east-1",
        );
    }
    let ident = b.user("breakglass-admin");
    let ips = vec![home_ip(b.rng)];
    b.actor(Class::Human, 2, true, ident, ips, &[(Tool::Console, 1)], "us-east-1");
    let ips = vec![home_ip(b.rng)];
    b.actor(Class::Root, 2, true, Ident::Root, ips, &[(Tool::Console, 1)], "us-east-1");

    let res = resources(&alias, &id, instances, &regions, b.rng);
    let Builder { roles, sessions, actors, .. } = b;
    let machine_w = Weighted::new(actors.iter().map(|a| if a.human { 0 } else { a.weight }));
    let human_w = Weighted::new(actors.iter().map(|a| if a.human { a.weight } else { 0 }));
    Account { id, alias, regions, region_w, roles, sessions, actors, machine_w, human_w, res }
}

fn resources(alias: &str, id: &str, instances: Vec<String>, _regions: &[&str], rng: &mut Rng) -> Resources {
    let p = format!("{COMPANY}-{alias}");
    let list = |xs: &[&str]| xs.iter().map(|x| format!("{p}-{x}")).collect::<Vec<_>>();
    Resources {
        buckets: vec![
            format!("{p}-app-assets"),
            format!("{p}-data-lake"),
            format!("{p}-terraform-state"),
            format!("{p}-backups"),
            format!("{p}-customer-exports"),
            format!("{p}-alb-logs-{id}"),
        ],
        kms_keys: (0..3).map(|_| rng.uuid()).collect(),
        functions: list(&["image-resize", "billing-export", "slack-notifier"]),
        log_groups: vec![
            format!("/aws/lambda/{p}-image-resize"),
            format!("/aws/lambda/{p}-billing-export"),
            format!("/ecs/{p}-orders-api"),
            format!("/aws/eks/{p}/cluster"),
        ],
        secrets: vec![
            format!("{alias}/orders-api/db"),
            format!("{alias}/stripe/api-key"),
            format!("{alias}/datadog/api-key"),
        ],
        parameters: vec![
            format!("/{alias}/orders-api/feature-flags"),
            format!("/{alias}/orders-api/db-host"),
            format!("/{alias}/shared/vpc-id"),
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".to_string(),
        ],
        tables: list(&["orders", "sessions", "idempotency-keys"]),
        repos: vec![format!("{alias}/orders-api"), format!("{alias}/batch-worker")],
        clusters: vec![p.clone()],
        stacks: list(&["network", "data", "monitoring"]),
        queues: list(&["orders-events", "billing-jobs"]),
        topics: list(&["alerts"]),
        instances,
        security_groups: (0..4).map(|_| format!("sg-0{}", hex(rng, 16))).collect(),
        vpcs: vec![format!("vpc-0{}", hex(rng, 16))],
        subnets: (0..3).map(|_| format!("subnet-0{}", hex(rng, 16))).collect(),
        zone: format!("Z0{}", rng.chars(18, UPPER_DIGITS)),
        trail: format!("arn:aws:cloudtrail:us-east-1:{id}:trail/{COMPANY}-org-trail"),
    }
}

/// The credentials of one session during one rotation period.
pub struct SessionInst {
    pub key: String,
    pub created: i64,
}

pub fn session_at(seed: u64, acct: &Account, sess: &SessionDef, t: i64) -> SessionInst {
    let created = sess.period_start(t);
    let role = &acct.roles[sess.role].name;
    let stamp = created.to_string();
    let key = Rng::keyed(seed, &[&acct.id, role, &sess.name, &stamp]).aws_id("ASIA", 16);
    SessionInst { key, created }
}

/// A principal as written into a record's `userIdentity`.
#[derive(Debug, Clone)]
pub enum Who {
    IamUser {
        account: String,
        principal_id: String,
        name: String,
        key: Option<String>,
        /// Console sessions carry a session context: (creationDate, MFA used).
        console: Option<(i64, bool)>,
    },
    Role {
        account: String,
        role_name: String,
        role_arn: String,
        role_pid: String,
        session: String,
        key: String,
        created: i64,
        mfa: bool,
        invoked_by: Option<String>,
    },
    Service {
        invoked_by: String,
    },
    /// `{"accountId": …, "invokedBy": "AWS Internal"}` on service events.
    Internal {
        account: String,
    },
    Root {
        account: String,
        key: Option<String>,
        console: Option<i64>,
    },
    Federated {
        account: String,
        name: String,
        key: String,
        issuer_name: String,
        issuer_pid: String,
        created: i64,
    },
    Saml {
        principal_id: String,
        user_name: String,
        provider: String,
    },
}

impl Who {
    pub fn role_session(acct: &Account, seed: u64, sess_idx: usize, t: i64) -> Who {
        let sess = &acct.sessions[sess_idx];
        let role = &acct.roles[sess.role];
        let inst = session_at(seed, acct, sess, t);
        Who::Role {
            account: acct.id.clone(),
            role_name: role.name.clone(),
            role_arn: role.arn.clone(),
            role_pid: role.principal_id.clone(),
            session: sess.name.clone(),
            key: inst.key,
            created: inst.created,
            mfa: sess.mfa,
            invoked_by: None,
        }
    }

    /// The ARN used in error messages ("User: <arn> is not authorized …").
    pub fn arn(&self) -> String {
        match self {
            Who::IamUser { account, name, .. } => format!("arn:aws:iam::{account}:user/{name}"),
            Who::Role { account, role_name, session, .. } => {
                format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}")
            }
            Who::Root { account, .. } => format!("arn:aws:iam::{account}:root"),
            Who::Federated { account, name, .. } => {
                format!("arn:aws:sts::{account}:federated-user/{name}")
            }
            Who::Service { invoked_by } => invoked_by.clone(),
            Who::Internal { account } => format!("arn:aws:iam::{account}:root"),
            Who::Saml { user_name, .. } => user_name.clone(),
        }
    }

    pub fn write(&self, o: &mut Obj<'_>) {
        let attrs = |o: &mut Obj<'_>, created: i64, mfa: bool| {
            o.obj("attributes", |a| {
                a.str("creationDate", &clock::iso(created)).str("mfaAuthenticated", if mfa { "true" } else { "false" });
            });
        };
        match self {
            Who::IamUser { account, principal_id, name, key, console } => {
                o.str("type", "IAMUser")
                    .str("principalId", principal_id)
                    .str("arn", &format!("arn:aws:iam::{account}:user/{name}"))
                    .str("accountId", account)
                    .opt_str("accessKeyId", key.as_deref())
                    .str("userName", name);
                if let Some((created, mfa)) = console {
                    o.obj("sessionContext", |s| {
                        s.obj("sessionIssuer", |_| {}).obj("webIdFederationData", |_| {});
                        attrs(s, *created, *mfa);
                    });
                }
            }
            Who::Role { account, role_name, role_arn, role_pid, session, key, created, mfa, invoked_by } => {
                o.str("type", "AssumedRole")
                    .str("principalId", &format!("{role_pid}:{session}"))
                    .str("arn", &format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}"))
                    .str("accountId", account)
                    .str("accessKeyId", key)
                    .obj("sessionContext", |s| {
                        s.obj("sessionIssuer", |i| {
                            i.str("type", "Role")
                                .str("principalId", role_pid)
                                .str("arn", role_arn)
                                .str("accountId", account)
                                .str("userName", role_name);
                        })
                        .obj("webIdFederationData", |_| {});
                        attrs(s, *created, *mfa);
                    })
                    .opt_str("invokedBy", invoked_by.as_deref());
            }
            Who::Service { invoked_by } => {
                o.str("type", "AWSService").str("invokedBy", invoked_by);
            }
            Who::Internal { account } => {
                o.str("accountId", account).str("invokedBy", "AWS Internal");
            }
            Who::Root { account, key, console } => {
                o.str("type", "Root")
                    .str("principalId", account)
                    .str("arn", &format!("arn:aws:iam::{account}:root"))
                    .str("accountId", account)
                    .opt_str("accessKeyId", key.as_deref());
                if let Some(created) = console {
                    o.obj("sessionContext", |s| {
                        s.obj("sessionIssuer", |_| {}).obj("webIdFederationData", |_| {});
                        attrs(s, *created, true);
                    });
                }
            }
            Who::Federated { account, name, key, issuer_name, issuer_pid, created } => {
                o.str("type", "FederatedUser")
                    .str("principalId", &format!("{account}:{name}"))
                    .str("arn", &format!("arn:aws:sts::{account}:federated-user/{name}"))
                    .str("accountId", account)
                    .str("accessKeyId", key)
                    .obj("sessionContext", |s| {
                        s.obj("sessionIssuer", |i| {
                            i.str("type", "IAMUser")
                                .str("principalId", issuer_pid)
                                .str("arn", &format!("arn:aws:iam::{account}:user/{issuer_name}"))
                                .str("accountId", account)
                                .str("userName", issuer_name);
                        })
                        .obj("webIdFederationData", |_| {});
                        attrs(s, *created, false);
                    });
            }
            Who::Saml { principal_id, user_name, provider } => {
                o.str("type", "SAMLUser")
                    .str("principalId", principal_id)
                    .str("userName", user_name)
                    .str("identityProvider", provider);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_deterministic_and_complete() {
        let a = build_account(0, &mut Rng::new(5));
        let b = build_account(0, &mut Rng::new(5));
        assert_eq!(a.id, b.id);
        assert_eq!(a.id.len(), 12);
        assert!(a.actor_by_user("ci-deploy").is_some());
        assert!(a.actor_by_user("backup-svc").is_some());
        assert!(!a.machine_w.is_empty() && !a.human_w.is_empty());
        let s = &a.sessions[0];
        let k1 = session_at(5, &a, s, s.phase + 10);
        let k2 = session_at(5, &a, s, s.phase + 3000);
        let k3 = session_at(5, &a, s, s.phase + 3700);
        assert_eq!(k1.key, k2.key);
        assert_ne!(k1.key, k3.key);
        assert_eq!(k1.created, s.phase);
    }
}
