//! The scripted attack `--incident` weaves into the first account's routine traffic.
//!
//! The story, in order (every credential used is issued by an earlier event):
//! 1. `ci-deploy`'s long-lived key is used from a Tor exit with a Kali user agent:
//!    GetCallerIdentity, then an IAM / S3 / EC2 / Secrets reconnaissance burst that hits
//!    AccessDenied and region-restricting SCP denials.
//! 2. Persistence: CreateAccessKey for `backup-svc`, CreateUser `svc-maint`,
//!    AttachUserPolicy AdministratorAccess, CreateLoginProfile.
//! 3. The new `backup-svc` key is used (one user agent carries a terminal escape
//!    sequence, as log-injection attempts do), and assumes the backup-operator role.
//! 4. With the role session's ASIA key: S3 ListObjects and a run of GetObject data events
//!    on the customer-exports and backups buckets.
//! 5. `svc-maint` signs in to the console without MFA and tries StopLogging and
//!    DeleteTrail on the organisation trail; both fail (SCP explicit deny).

use crate::catalog as cat;
use crate::clock;
use crate::event::{EventSpec, Resource};
use crate::identities::{Account, Who};
use crate::json::object;
use crate::params::{s3_additional, s3_request_id};
use crate::rng::Rng;
use crate::traffic::{assume_response, console_additional};

pub const ATTACKER_IP: &str = "185.220.101.47";
const KALI_CLI: &str = "aws-cli/1.18.69 Python/3.8.10 Linux/5.10.0-kali7-amd64 botocore/1.17.50";
const KALI_BOTO: &str = "Boto3/1.26.137 md/Botocore#1.29.137 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 lang/python#3.11.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.29.137";
/// A user agent carrying an OSC title-change and an erase-line sequence.
const INJECTED_UA: &str =
    "Boto3/1.26.137 Botocore/1.29.137 \u{1b}]0;ci-deploy@build-07\u{7}\u{1b}[2K\rlegit-backup-agent/2.1";
const FIREFOX_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// One incident record, rendered, with where it goes.
pub struct IncidentEvent {
    pub time: i64,
    pub region: &'static str,
    pub json: String,
}

/// What a reader of the demo should look for; also written to `.trailscope-gen.json`.
#[derive(Debug, Clone)]
pub struct Summary {
    pub account: String,
    pub ip: &'static str,
    pub compromised_user: String,
    pub compromised_key: String,
    pub persistence_user: String,
    pub persistence_key: String,
    pub created_user: String,
    pub role_arn: String,
    pub role_session_key: String,
    pub bucket: String,
    pub objects_read: usize,
    pub first: i64,
    pub console_login: i64,
    pub stop_logging: i64,
    pub last: i64,
    pub events: usize,
}

impl Summary {
    pub fn to_json(&self) -> String {
        object(|o| {
            o.str("account", &self.account)
                .str("source_ip", self.ip)
                .str("compromised_user", &self.compromised_user)
                .str("compromised_key", &self.compromised_key)
                .str("persistence_user", &self.persistence_user)
                .str("persistence_key", &self.persistence_key)
                .str("created_user", &self.created_user)
                .str("role_arn", &self.role_arn)
                .str("role_session_key", &self.role_session_key)
                .str("bucket", &self.bucket)
                .num("objects_read", self.objects_read as i64)
                .str("first", &clock::iso(self.first))
                .str("console_login", &clock::iso(self.console_login))
                .str("stop_logging", &clock::iso(self.stop_logging))
                .str("last", &clock::iso(self.last))
                .num("events", self.events as i64);
        })
    }
}

/// When the attack starts: early morning UTC on a day ~60% into the span (or mid-span
/// when the span is short).
pub fn start_time(start: i64, span: i64) -> i64 {
    let days = span / 86_400;
    if days >= 2 {
        let day = (days * 6 / 10).max(1);
        start + day * 86_400 + 2 * 3600 + 13 * 60 + 7
    } else {
        start + span / 2 - (span / 2) % 60 + 41 * 60 + 7
    }
}

/// Seconds from the first to the last incident event (for span checks).
pub const DURATION: i64 = 2700;

/// Advances the script clock by a random pause and returns the new time.
fn step(rng: &mut Rng, t: &mut i64, lo: u64, hi: u64) -> i64 {
    *t += rng.range(lo, hi) as i64;
    *t
}

struct Script<'a> {
    acct: &'a Account,
    rng: Rng,
    out: Vec<IncidentEvent>,
}

impl Script<'_> {
    #[allow(clippy::too_many_arguments)]
    fn base(
        &mut self,
        who: &Who,
        time: i64,
        source: &'static str,
        name: &'static str,
        region: &'static str,
        ip: &str,
        ua: &str,
    ) -> EventSpec {
        let global = cat::is_global(source);
        EventSpec {
            version: cat::event_version(source),
            who: who.clone(),
            time,
            source,
            name,
            region,
            ip: ip.to_string(),
            user_agent: ua.to_string(),
            error: None,
            request: None,
            response: None,
            additional: None,
            request_id: Some(self.rng.uuid()),
            event_id: self.rng.uuid(),
            read_only: true,
            resources: Vec::new(),
            event_type: "AwsApiCall",
            management: true,
            recipient: self.acct.id.clone(),
            shared_event_id: None,
            service_details: None,
            vpce: None,
            data: false,
            tls_host: Some(if global {
                format!("{}.amazonaws.com", cat::prefix(source))
            } else {
                format!("{}.{region}.amazonaws.com", cat::prefix(source))
            }),
            console_session: false,
        }
    }

    fn push(&mut self, spec: EventSpec) {
        let mut json = String::with_capacity(2048);
        spec.render(&mut json);
        self.out.push(IncidentEvent { time: spec.time, region: spec.region, json });
    }

    fn denied(&self, who: &Who, action: &str, resource: Option<&str>, scp: bool) -> (String, String) {
        let arn = who.arn();
        let on = resource.map(|r| format!(" on resource: {r}")).unwrap_or_default();
        let why = if scp {
            "with an explicit deny in a service control policy".to_string()
        } else {
            format!("because no identity-based policy allows the {action} action")
        };
        ("AccessDenied".to_string(), format!("User: {arn} is not authorized to perform: {action}{on} {why}"))
    }
}

/// Builds the incident records for `acct` (the first account), starting at `t0`.
pub fn build(acct: &Account, t0: i64, rng: &mut Rng) -> (Vec<IncidentEvent>, Summary) {
    let mut s = Script { acct, rng: rng.fork(), out: Vec::new() };
    let id = acct.id.clone();
    let ip = ATTACKER_IP;

    // The compromised CI user and its key, exactly as routine traffic uses them.
    let ci = &acct.actors[acct.actor_by_user("ci-deploy").expect("ci-deploy exists")];
    let (ci_pid, ci_key) = match &ci.ident {
        crate::identities::Ident::User { principal_id, key, .. } => (principal_id.clone(), key.clone()),
        _ => unreachable!("ci-deploy is an IAM user"),
    };
    let ci_who = Who::IamUser {
        account: id.clone(),
        principal_id: ci_pid,
        name: "ci-deploy".to_string(),
        key: Some(ci_key.clone()),
        console: None,
    };
    let backup = &acct.actors[acct.actor_by_user("backup-svc").expect("backup-svc exists")];
    let backup_pid = match &backup.ident {
        crate::identities::Ident::User { principal_id, .. } => principal_id.clone(),
        _ => unreachable!("backup-svc is an IAM user"),
    };
    let new_key = s.rng.aws_id("AKIA", 16);
    let new_user = "svc-maint".to_string();
    let new_user_pid = s.rng.aws_id("AIDA", 17);
    let role_name = format!("{}-backup-operator", acct.alias);
    let role_pid = s.rng.aws_id("AROA", 17);
    let role_arn = format!("arn:aws:iam::{id}:role/{role_name}");
    let session_name = "backup-sync".to_string();
    let session_key = s.rng.aws_id("ASIA", 16);
    let bucket = acct.bucket("customer-exports");
    let backups = acct.bucket("backups");
    let trail = acct.res.trail.clone();

    let mut t = t0;

    // ---- 1. First use of the stolen key, then reconnaissance.
    let e = s.base(&ci_who, t0, cat::STS, "GetCallerIdentity", "us-east-1", ip, KALI_CLI);
    s.push(e);
    let recon: &[(&'static str, &'static str, &'static str, Option<&str>)] = &[
        (cat::IAM, "GetUser", "us-east-1", None),
        (cat::IAM, "ListAttachedUserPolicies", "us-east-1", None),
        (cat::IAM, "GetAccountAuthorizationDetails", "us-east-1", Some("iam")),
        (cat::IAM, "ListUsers", "us-east-1", None),
        (cat::IAM, "ListRoles", "us-east-1", None),
        (cat::IAM, "ListAccessKeys", "us-east-1", None),
        (cat::S3, "ListBuckets", "us-east-1", None),
        (cat::SECRETS, "ListSecrets", "us-east-1", Some("iam")),
        (cat::EC2, "DescribeInstances", "us-east-1", None),
        (cat::EC2, "DescribeInstances", "us-east-2", Some("scp")),
        (cat::EC2, "DescribeInstances", "us-west-1", Some("scp")),
        (cat::EC2, "DescribeInstances", "us-west-2", None),
        (cat::EC2, "DescribeInstances", "eu-west-1", None),
        (cat::EC2, "DescribeInstances", "eu-central-1", Some("scp")),
        (cat::EC2, "DescribeInstances", "ap-southeast-1", Some("scp")),
        (cat::EC2, "DescribeInstances", "ap-northeast-1", Some("scp")),
        (cat::LAMBDA, "ListFunctions20150331", "us-east-1", None),
        (cat::RDS, "DescribeDBInstances", "us-east-1", Some("iam")),
        (cat::GUARDDUTY, "ListDetectors", "us-east-1", Some("iam")),
        (cat::TRAIL, "DescribeTrails", "us-east-1", None),
        (cat::KMS, "ListKeys", "us-east-1", Some("iam")),
    ];
    for &(source, name, region, deny) in recon {
        let time = step(&mut s.rng, &mut t, 6, 24);
        let mut e = s.base(&ci_who, time, source, name, region, ip, KALI_CLI);
        e.request = match name {
            "ListAttachedUserPolicies" => Some(object(|o| {
                o.str("userName", "ci-deploy");
            })),
            "ListAccessKeys" => Some(object(|o| {
                o.str("userName", "backup-svc");
            })),
            "GetAccountAuthorizationDetails" => Some(object(|o| {
                o.raw("filter", Some("[\"User\",\"Role\",\"Group\",\"LocalManagedPolicy\"]"));
            })),
            "DescribeInstances" => Some(object(|o| {
                o.obj("instancesSet", |_| {}).obj("filterSet", |_| {});
            })),
            "ListBuckets" => Some(object(|o| {
                o.str("Host", "s3.amazonaws.com");
            })),
            "DescribeTrails" => Some(object(|o| {
                o.obj("trailNameList", |_| {}).bool("includeShadowTrails", true);
            })),
            _ => None,
        };
        if source == cat::S3 {
            e.additional = Some(s3_additional(&mut s.rng, 0, 0));
            e.request_id = Some(s3_request_id(&mut s.rng));
            e.tls_host = Some("s3.amazonaws.com".to_string());
        }
        if let Some(kind) = deny {
            let action = format!("{}:{}", cat::prefix(source), cat::cli_action(name));
            let (code, msg) = s.denied(&ci_who, &action, None, kind == "scp");
            e.error = Some(if source == cat::EC2 {
                (
                    "Client.UnauthorizedOperation".to_string(),
                    format!("You are not authorized to perform this operation. {msg}"),
                )
            } else {
                (code, msg)
            });
        }
        s.push(e);
    }
    let recon_end = t;

    // ---- 2. Persistence.
    let t_key = recon_end + 180 + s.rng.range(0, 30) as i64;
    let mut e = s.base(&ci_who, t_key, cat::IAM, "CreateAccessKey", "us-east-1", ip, KALI_CLI);
    e.read_only = false;
    e.request = Some(object(|o| {
        o.str("userName", "backup-svc");
    }));
    e.response = Some(object(|o| {
        o.obj("accessKey", |k| {
            k.str("userName", "backup-svc")
                .str("accessKeyId", &new_key)
                .str("status", "Active")
                .str("createDate", &clock::human(t_key));
        });
    }));
    s.push(e);

    t = t_key;
    let time = step(&mut s.rng, &mut t, 40, 70);
    let mut e = s.base(&ci_who, time, cat::IAM, "CreateUser", "us-east-1", ip, KALI_CLI);
    e.read_only = false;
    e.request = Some(object(|o| {
        o.str("userName", &new_user).arr("tags", |a| {
            a.obj(|x| {
                x.str("key", "owner").str("value", "platform-team");
            });
        });
    }));
    let created = time;
    e.response = Some(object(|o| {
        o.obj("user", |u| {
            u.str("path", "/")
                .str("userName", &new_user)
                .str("userId", &new_user_pid)
                .str("arn", &format!("arn:aws:iam::{id}:user/{new_user}"))
                .str("createDate", &clock::human(created))
                .arr("tags", |a| {
                    a.obj(|x| {
                        x.str("key", "owner").str("value", "platform-team");
                    });
                });
        });
    }));
    s.push(e);

    let time = step(&mut s.rng, &mut t, 25, 50);
    let mut e = s.base(&ci_who, time, cat::IAM, "AttachUserPolicy", "us-east-1", ip, KALI_CLI);
    e.read_only = false;
    e.request = Some(object(|o| {
        o.str("userName", &new_user).str("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess");
    }));
    s.push(e);

    let time = step(&mut s.rng, &mut t, 20, 45);
    let mut e = s.base(&ci_who, time, cat::IAM, "CreateLoginProfile", "us-east-1", ip, KALI_CLI);
    e.read_only = false;
    e.request = Some(object(|o| {
        o.str("userName", &new_user)
            .str("password", "HIDDEN_DUE_TO_SECURITY_REASONS")
            .bool("passwordResetRequired", false);
    }));
    e.response = Some(object(|o| {
        o.obj("loginProfile", |p| {
            p.str("userName", &new_user).str("createDate", &clock::human(time)).bool("passwordResetRequired", false);
        });
    }));
    s.push(e);

    // ---- 3. The new backup-svc key, and a role hop.
    let backup_who = Who::IamUser {
        account: id.clone(),
        principal_id: backup_pid,
        name: "backup-svc".to_string(),
        key: Some(new_key.clone()),
        console: None,
    };
    t += 240;
    let time = step(&mut s.rng, &mut t, 0, 60);
    let e = s.base(&backup_who, time, cat::STS, "GetCallerIdentity", "us-east-1", ip, INJECTED_UA);
    s.push(e);
    let time = step(&mut s.rng, &mut t, 15, 40);
    let mut e = s.base(&backup_who, time, cat::S3, "ListBuckets", "us-east-1", ip, KALI_BOTO);
    e.request = Some(object(|o| {
        o.str("Host", "s3.us-east-1.amazonaws.com");
    }));
    e.additional = Some(s3_additional(&mut s.rng, 0, 0));
    e.request_id = Some(s3_request_id(&mut s.rng));
    s.push(e);

    let t_assume = step(&mut s.rng, &mut t, 15, 40);
    let mut e = s.base(&backup_who, t_assume, cat::STS, "AssumeRole", "us-east-1", ip, KALI_BOTO);
    e.request = Some(object(|o| {
        o.str("roleArn", &role_arn).str("roleSessionName", &session_name).num("durationSeconds", 3600);
    }));
    let resp = assume_response(&id, &role_name, &role_pid, &session_name, &session_key, t_assume + 3600, &mut s.rng);
    e.response = Some(resp);
    e.resources = vec![Resource { arn: role_arn.clone(), account: Some(id.clone()), kind: "AWS::IAM::Role" }];
    s.push(e);

    // ---- 4. Collection from the sensitive buckets with the role session.
    let role_who = Who::Role {
        account: id.clone(),
        role_name: role_name.clone(),
        role_arn: role_arn.clone(),
        role_pid: role_pid.clone(),
        session: session_name.clone(),
        key: session_key.clone(),
        created: t_assume,
        mfa: false,
        invoked_by: None,
    };
    let tm = clock::split(t0);
    let month =
        if tm.month == 1 { format!("{:04}-12", tm.year - 1) } else { format!("{:04}-{:02}", tm.year, tm.month - 1) };
    let time = step(&mut s.rng, &mut t, 20, 50);
    let mut e = s.base(&role_who, time, cat::S3, "ListObjects", "us-east-1", ip, KALI_BOTO);
    e.data = true;
    e.management = false;
    e.request = Some(object(|o| {
        o.str("bucketName", &bucket)
            .str("Host", &format!("{bucket}.s3.us-east-1.amazonaws.com"))
            .str("list-type", "2")
            .str("prefix", &format!("exports/customers/{month}/"));
    }));
    e.additional = Some(s3_additional(&mut s.rng, 0, 18_734));
    e.request_id = Some(s3_request_id(&mut s.rng));
    e.resources =
        vec![Resource { arn: format!("arn:aws:s3:::{bucket}"), account: Some(id.clone()), kind: "AWS::S3::Bucket" }];
    e.tls_host = Some(format!("{bucket}.s3.us-east-1.amazonaws.com"));
    s.push(e);

    let mut objects = Vec::new();
    for n in 0..24 {
        objects.push((bucket.clone(), format!("exports/customers/{month}/part-{n:05}.csv.gz")));
    }
    let day = clock::iso(t0 - 86_400)[..10].to_string();
    for n in 0..3 {
        objects.push((backups.clone(), format!("db/orders/{day}/orders-{n:04}.dump.gz")));
    }
    let objects_read = objects.len();
    for (b, key) in &objects {
        let time = step(&mut s.rng, &mut t, 4, 18);
        let mut e = s.base(&role_who, time, cat::S3, "GetObject", "us-east-1", ip, KALI_BOTO);
        e.data = true;
        e.management = false;
        let host = format!("{b}.s3.us-east-1.amazonaws.com");
        e.request = Some(object(|o| {
            o.str("bucketName", b).str("Host", &host).str("key", key);
        }));
        let size = s.rng.range(30_000_000, 95_000_000);
        e.additional = Some(s3_additional(&mut s.rng, 0, size));
        e.request_id = Some(s3_request_id(&mut s.rng));
        e.resources = vec![
            Resource { arn: format!("arn:aws:s3:::{b}/{key}"), account: None, kind: "AWS::S3::Object" },
            Resource { arn: format!("arn:aws:s3:::{b}"), account: Some(id.clone()), kind: "AWS::S3::Bucket" },
        ];
        e.tls_host = Some(host);
        s.push(e);
    }

    // ---- 5. Console sign-in without MFA, and an attempt to blind the trail.
    let t_login = t0 + 2280 + s.rng.range(0, 60) as i64;
    let login_who = Who::IamUser {
        account: id.clone(),
        principal_id: new_user_pid.clone(),
        name: new_user.clone(),
        key: None,
        console: None,
    };
    let mut e = s.base(&login_who, t_login, cat::SIGNIN, "ConsoleLogin", "us-east-1", ip, FIREFOX_LINUX);
    e.event_type = "AwsConsoleSignIn";
    e.read_only = false;
    e.request_id = None;
    e.response = Some("{\"ConsoleLogin\":\"Success\"}".to_string());
    e.additional = Some(console_additional(false, &mut s.rng));
    e.tls_host = Some("signin.aws.amazon.com".to_string());
    s.push(e);

    let console_key = s.rng.aws_id("ASIA", 16);
    let console_who = Who::IamUser {
        account: id.clone(),
        principal_id: new_user_pid,
        name: new_user.clone(),
        key: Some(console_key),
        console: Some((t_login, false)),
    };
    t = t_login;
    for name in ["DescribeTrails", "GetTrailStatus"] {
        let time = step(&mut s.rng, &mut t, 20, 60);
        let mut e = s.base(&console_who, time, cat::TRAIL, name, "us-east-1", ip, "console.amazonaws.com");
        e.request = Some(if name == "DescribeTrails" {
            object(|o| {
                o.obj("trailNameList", |_| {}).bool("includeShadowTrails", true);
            })
        } else {
            object(|o| {
                o.str("name", &trail);
            })
        });
        e.tls_host = None;
        e.console_session = false;
        s.push(e);
    }
    let t_stop = step(&mut s.rng, &mut t, 20, 60);
    for (i, name) in ["StopLogging", "DeleteTrail"].into_iter().enumerate() {
        let time = if i == 0 { t_stop } else { step(&mut s.rng, &mut t, 10, 30) };
        let mut e = s.base(&console_who, time, cat::TRAIL, name, "us-east-1", ip, "console.amazonaws.com");
        e.read_only = false;
        e.request = Some(object(|o| {
            o.str("name", &trail);
        }));
        let action = format!("cloudtrail:{name}");
        e.error = Some(s.denied(&console_who, &action, Some(&trail), true));
        e.tls_host = None;
        s.push(e);
    }

    let events = s.out.len();
    let first = s.out.first().map_or(t0, |e| e.time);
    let last = s.out.last().map_or(t0, |e| e.time);
    debug_assert!(s.out.windows(2).all(|w| w[0].time <= w[1].time));
    debug_assert!(last - first <= DURATION);
    let summary = Summary {
        account: id,
        ip,
        compromised_user: "ci-deploy".to_string(),
        compromised_key: ci_key,
        persistence_user: "backup-svc".to_string(),
        persistence_key: new_key,
        created_user: new_user,
        role_arn,
        role_session_key: session_key,
        bucket,
        objects_read,
        first,
        console_login: t_login,
        stop_logging: t_stop,
        last,
        events,
    };
    (s.out, summary)
}
