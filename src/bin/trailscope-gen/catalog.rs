//! The static vocabulary of routine activity: which API calls exist, how often each kind
//! of principal makes them, the regions, user agents and error codes.
//!
//! Weights are hand-tuned so the mix looks like a real account's management trail plus
//! S3 data events: a long Zipf-like tail behind a few very chatty calls
//! (sts:GetCallerIdentity, ec2 Describe*, s3 GetObject, kms Decrypt, ssm agent
//! heartbeats), reads dominating writes by two orders of magnitude.

use crate::rng::{Rng, Weighted};

/// The kind of principal behind routine traffic; a call lists which classes make it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Instance, task and function roles (AssumedRole sessions of workloads).
    Workload,
    /// People, through SSO role sessions or (rarely) IAM users.
    Human,
    /// Automation IAM users with long-lived AKIA keys (CI, backups, legacy jobs).
    Ci,
    /// Third-party monitoring / security scanners through a cross-account role.
    Monitor,
    /// Service-linked roles acting for AWS services (Config, Access Analyzer).
    ServiceLinked,
    /// `AWSService` identities (ec2/lambda/ecs-tasks assuming roles for workloads).
    Service,
    Root,
    Federated,
    /// SAML users (SSO sign-ins through AssumeRoleWithSAML).
    Saml,
}

pub const ALL_CLASSES: [Class; 9] = [
    Class::Workload,
    Class::Human,
    Class::Ci,
    Class::Monitor,
    Class::ServiceLinked,
    Class::Service,
    Class::Root,
    Class::Federated,
    Class::Saml,
];

impl Class {
    pub const fn bit(self) -> u16 {
        1 << self as u16
    }
}

const W: u16 = Class::Workload.bit();
const H: u16 = Class::Human.bit();
const C: u16 = Class::Ci.bit();
const M: u16 = Class::Monitor.bit();
const L: u16 = Class::ServiceLinked.bit();
const S: u16 = Class::Service.bit();
const R: u16 = Class::Root.bit();
const F: u16 = Class::Federated.bit();
const A: u16 = Class::Saml.bit();

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ApiCall,
    ConsoleSignIn,
    ServiceEvent,
}

#[derive(Debug)]
pub struct Call {
    pub source: &'static str,
    pub name: &'static str,
    pub weight: u64,
    pub classes: u16,
    pub read_only: bool,
    /// A data event (S3 object-level): eventCategory "Data", managementEvent false.
    pub data: bool,
    pub kind: Kind,
}

pub const STS: &str = "sts.amazonaws.com";
pub const EC2: &str = "ec2.amazonaws.com";
pub const S3: &str = "s3.amazonaws.com";
pub const KMS: &str = "kms.amazonaws.com";
pub const LOGS: &str = "logs.amazonaws.com";
pub const LAMBDA: &str = "lambda.amazonaws.com";
pub const IAM: &str = "iam.amazonaws.com";
pub const SSM: &str = "ssm.amazonaws.com";
pub const SECRETS: &str = "secretsmanager.amazonaws.com";
pub const DDB: &str = "dynamodb.amazonaws.com";
pub const CW: &str = "monitoring.amazonaws.com";
pub const ECR: &str = "ecr.amazonaws.com";
pub const ECS: &str = "ecs.amazonaws.com";
pub const ELB: &str = "elasticloadbalancing.amazonaws.com";
pub const CFN: &str = "cloudformation.amazonaws.com";
pub const SNS: &str = "sns.amazonaws.com";
pub const SQS: &str = "sqs.amazonaws.com";
pub const R53: &str = "route53.amazonaws.com";
pub const TRAIL: &str = "cloudtrail.amazonaws.com";
pub const CONFIG: &str = "config.amazonaws.com";
pub const EKS: &str = "eks.amazonaws.com";
pub const RDS: &str = "rds.amazonaws.com";
pub const SIGNIN: &str = "signin.amazonaws.com";
pub const HEALTH: &str = "health.amazonaws.com";
pub const CE: &str = "ce.amazonaws.com";
pub const GUARDDUTY: &str = "guardduty.amazonaws.com";

const fn api(source: &'static str, name: &'static str, weight: u64, classes: u16) -> Call {
    Call { source, name, weight, classes, read_only: true, data: false, kind: Kind::ApiCall }
}

const fn write(source: &'static str, name: &'static str, weight: u64, classes: u16) -> Call {
    Call { read_only: false, ..api(source, name, weight, classes) }
}

const fn data(name: &'static str, weight: u64, classes: u16, read_only: bool) -> Call {
    Call { read_only, data: true, ..api(S3, name, weight, classes) }
}

/// Every routine call. Order matters only for determinism.
pub static CALLS: &[Call] = &[
    // STS: GetCallerIdentity is the single most common event in most trails.
    api(STS, "GetCallerIdentity", 900, W | H | C | M | F),
    api(STS, "AssumeRole", 140, S),
    api(STS, "AssumeRoleWithSAML", 30, A),
    api(STS, "GetSessionToken", 4, C),
    // EC2 describes: monitoring, Kubernetes nodes, consoles.
    api(EC2, "DescribeInstances", 520, W | H | C | M | L),
    api(EC2, "DescribeNetworkInterfaces", 170, W | M | L),
    api(EC2, "DescribeSecurityGroups", 200, H | C | M | L),
    api(EC2, "DescribeSubnets", 150, W | C | M | L),
    api(EC2, "DescribeVpcs", 120, H | C | M | L),
    api(EC2, "DescribeVolumes", 120, W | M | L),
    api(EC2, "DescribeTags", 130, W | M),
    api(EC2, "DescribeInstanceStatus", 100, H | M),
    api(EC2, "DescribeRegions", 80, H | C | M | R),
    api(EC2, "DescribeAvailabilityZones", 80, W | C | M),
    api(EC2, "DescribeImages", 60, C | H),
    api(EC2, "DescribeSnapshots", 40, M | L),
    api(EC2, "DescribeLaunchTemplateVersions", 30, C | W),
    write(EC2, "CreateTags", 16, C | W),
    write(EC2, "RunInstances", 6, C | H),
    write(EC2, "TerminateInstances", 4, C | H),
    write(EC2, "StartInstances", 3, H),
    write(EC2, "StopInstances", 3, H),
    write(EC2, "CreateSnapshot", 5, C),
    write(EC2, "AuthorizeSecurityGroupIngress", 3, C | H),
    write(EC2, "ModifyInstanceAttribute", 2, C),
    // S3: object-level data events plus bucket-level management reads.
    data("GetObject", 720, W | C | F | H, true),
    data("PutObject", 260, W | C, false),
    data("HeadObject", 200, W | C, true),
    data("ListObjects", 150, W | C | H | F, true),
    data("DeleteObject", 20, W | C, false),
    api(S3, "ListBuckets", 180, W | H | C | M | F | R),
    api(S3, "GetBucketLocation", 150, W | M | C),
    api(S3, "GetBucketAcl", 80, M | L),
    api(S3, "GetBucketPolicy", 60, M | L),
    api(S3, "GetBucketTagging", 60, M | L),
    api(S3, "GetBucketVersioning", 40, M | L | C),
    api(S3, "GetBucketEncryption", 40, M | L),
    api(S3, "GetBucketPublicAccessBlock", 40, M | L),
    write(S3, "PutBucketPolicy", 2, C),
    write(S3, "PutBucketTagging", 2, C),
    // KMS.
    api(KMS, "Decrypt", 620, W | C),
    api(KMS, "GenerateDataKey", 260, W | C),
    api(KMS, "Encrypt", 40, W),
    api(KMS, "DescribeKey", 80, M | W | L),
    api(KMS, "ListAliases", 40, M | H),
    api(KMS, "ListKeys", 30, M),
    api(KMS, "GetKeyRotationStatus", 30, M | L),
    Call { read_only: false, kind: Kind::ServiceEvent, ..api(KMS, "RotateKey", 1, S) },
    // CloudWatch Logs.
    write(LOGS, "CreateLogStream", 260, W),
    api(LOGS, "DescribeLogGroups", 120, M | H | C),
    api(LOGS, "DescribeLogStreams", 120, W | H),
    api(LOGS, "FilterLogEvents", 40, H),
    api(LOGS, "GetLogEvents", 30, H),
    write(LOGS, "CreateLogGroup", 5, W | C),
    write(LOGS, "PutRetentionPolicy", 2, C),
    // Lambda (management event names carry API versions).
    api(LAMBDA, "ListFunctions20150331", 100, M | H | C),
    api(LAMBDA, "GetFunction20150331v2", 60, C | H),
    api(LAMBDA, "GetPolicy20150331v2", 20, M | L),
    api(LAMBDA, "ListTags20170331", 20, M),
    write(LAMBDA, "UpdateFunctionCode20150331v2", 6, C),
    write(LAMBDA, "UpdateFunctionConfiguration20150331v2", 3, C),
    // IAM.
    api(IAM, "GetRole", 80, C | L | M),
    api(IAM, "ListRoles", 60, M | H | C),
    api(IAM, "ListAttachedRolePolicies", 50, M | C | L),
    api(IAM, "ListUsers", 30, M | H),
    api(IAM, "ListPolicies", 30, M),
    api(IAM, "GetPolicy", 30, M | C),
    api(IAM, "GetPolicyVersion", 30, M | C),
    api(IAM, "ListRolePolicies", 30, M | C),
    api(IAM, "GetUser", 15, H | C),
    api(IAM, "ListAccessKeys", 15, M),
    api(IAM, "ListMFADevices", 10, M | R),
    api(IAM, "GetAccountSummary", 5, M | R),
    write(IAM, "GenerateCredentialReport", 3, M),
    write(IAM, "CreateRole", 2, C),
    write(IAM, "AttachRolePolicy", 2, C),
    write(IAM, "PutRolePolicy", 2, C),
    write(IAM, "UpdateAssumeRolePolicy", 1, C),
    // SSM: the agent's heartbeat is one of the chattiest management events.
    write(SSM, "UpdateInstanceInformation", 300, W),
    api(SSM, "GetParameter", 200, W | C),
    api(SSM, "GetParameters", 100, W),
    api(SSM, "GetParametersByPath", 60, W),
    api(SSM, "DescribeInstanceInformation", 60, M | H),
    api(SSM, "ListAssociations", 40, W),
    // Secrets Manager.
    api(SECRETS, "GetSecretValue", 150, W | C),
    api(SECRETS, "DescribeSecret", 30, M | C),
    api(SECRETS, "ListSecrets", 20, M | H),
    // DynamoDB management reads.
    api(DDB, "DescribeTable", 80, W | M),
    api(DDB, "ListTables", 30, M | H),
    // CloudWatch.
    api(CW, "GetMetricData", 150, M | H),
    api(CW, "DescribeAlarms", 120, M | H),
    api(CW, "ListMetrics", 60, M),
    write(CW, "PutMetricAlarm", 3, C),
    // ECR / ECS / EKS.
    api(ECR, "GetAuthorizationToken", 100, W | C),
    api(ECR, "BatchGetImage", 80, W),
    api(ECR, "GetDownloadUrlForLayer", 150, W),
    api(ECR, "DescribeRepositories", 20, M | C),
    api(ECS, "DescribeServices", 40, M | C),
    api(ECS, "DescribeTasks", 30, M | W),
    api(ECS, "ListClusters", 20, M),
    api(ECS, "DescribeTaskDefinition", 20, C),
    write(ECS, "RegisterTaskDefinition", 3, C),
    write(ECS, "UpdateService", 3, C),
    api(EKS, "DescribeCluster", 60, W | C),
    api(EKS, "ListClusters", 10, M),
    // Load balancing, CloudFormation, messaging, DNS.
    api(ELB, "DescribeLoadBalancers", 50, M | C),
    api(ELB, "DescribeTargetHealth", 60, M | W),
    api(CFN, "DescribeStacks", 60, C | M),
    api(CFN, "DescribeStackEvents", 40, C),
    api(CFN, "ListStacks", 20, H),
    write(CFN, "UpdateStack", 2, C),
    api(SNS, "ListTopics", 20, M),
    api(SNS, "GetTopicAttributes", 30, M),
    api(SQS, "ListQueues", 20, M),
    api(SQS, "GetQueueAttributes", 40, M | W),
    api(R53, "ListHostedZones", 20, M),
    api(R53, "ListResourceRecordSets", 30, M | C),
    write(R53, "ChangeResourceRecordSets", 2, C),
    // Audit plumbing.
    api(TRAIL, "DescribeTrails", 15, M | L),
    api(TRAIL, "GetTrailStatus", 15, M),
    api(TRAIL, "GetEventSelectors", 10, M),
    api(TRAIL, "LookupEvents", 10, H),
    write(CONFIG, "PutEvaluations", 40, L),
    api(CONFIG, "DescribeConfigRules", 10, M),
    api(GUARDDUTY, "ListDetectors", 10, M),
    api(RDS, "DescribeDBInstances", 60, M | H),
    api(RDS, "DescribeDBClusters", 30, M),
    // Consoles.
    Call { read_only: false, kind: Kind::ConsoleSignIn, ..api(SIGNIN, "ConsoleLogin", 14, H | R) },
    api(HEALTH, "DescribeEventAggregates", 20, H | R),
    api(CE, "GetCostAndUsage", 10, H | R),
];

/// Per-class weighted choice over [`CALLS`].
pub struct CallPicker {
    by_class: Vec<(Vec<usize>, Weighted)>,
}

impl CallPicker {
    pub fn new() -> Self {
        let by_class = ALL_CLASSES
            .iter()
            .map(|class| {
                let idx: Vec<usize> =
                    CALLS.iter().enumerate().filter(|(_, c)| c.classes & class.bit() != 0).map(|(i, _)| i).collect();
                let w = Weighted::new(idx.iter().map(|&i| CALLS[i].weight));
                (idx, w)
            })
            .collect();
        CallPicker { by_class }
    }

    pub fn pick(&self, class: Class, rng: &mut Rng) -> &'static Call {
        let (idx, w) = &self.by_class[class as usize];
        &CALLS[idx[w.sample(rng)]]
    }
}

/// Services whose events are always recorded in us-east-1.
pub fn is_global(source: &str) -> bool {
    matches!(source, IAM | R53 | HEALTH | CE | SIGNIN)
}

/// Regions with their share of activity in a typical US-centred organisation.
pub static REGIONS: &[(&str, u64)] = &[
    ("us-east-1", 50),
    ("us-west-2", 18),
    ("eu-west-1", 14),
    ("eu-central-1", 8),
    ("ap-southeast-2", 4),
    ("ap-northeast-1", 3),
    ("ca-central-1", 2),
    ("sa-east-1", 1),
];

/// The eventVersion a service writes (it varies by service in real trails).
pub fn event_version(source: &str) -> &'static str {
    match source {
        S3 | STS | KMS | EC2 | SSM | SIGNIN | LAMBDA | TRAIL => "1.09",
        _ => "1.08",
    }
}

/// The short service name used in IAM actions, ARNs and CLI commands (`ec2`, `s3`, …).
pub fn prefix(source: &str) -> &str {
    match source {
        CW => "cloudwatch",
        _ => source.strip_suffix(".amazonaws.com").unwrap_or(source),
    }
}

/// `DescribeInstances` → `describe-instances`, dropping Lambda's API-version suffixes.
pub fn cli_command(name: &str) -> String {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == 'v');
    let base = if base.is_empty() { name } else { base };
    let mut s = String::with_capacity(base.len() + 4);
    for (i, ch) in base.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                s.push('-');
            }
            s.push(ch.to_ascii_lowercase());
        } else {
            s.push(ch);
        }
    }
    s
}

/// The tools people and programs call AWS with; each renders a family of user agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Cli,
    Boto3,
    GoSdk,
    GoSdkV2,
    Java,
    Node,
    Terraform,
    Console,
    SsmAgent,
    PowerShell,
    /// A hand-rolled script whose user agent carries quotes and backslashes.
    Quirky,
}

const CLI_VERSIONS: &[&str] = &["2.15.30", "2.17.18", "2.18.4", "2.22.9"];
const PY: &[&str] = &["3.11.8", "3.12.6", "3.11.6"];
const BOTO: &[&str] = &["1.34.51", "1.35.36", "1.35.90"];
const GO_V1: &[&str] = &["1.50.10", "1.55.5"];
const GO_V2: &[&str] = &["1.30.3", "1.32.7"];
const KERNELS: &[&str] = &["5.10.210-201.852.amzn2.x86_64", "6.1.109-118.189.amzn2023.x86_64", "6.5.0-1016-aws"];

/// A user agent for `tool` calling `source`:`name`.
pub fn user_agent(tool: Tool, source: &str, name: &str, rng: &mut Rng) -> String {
    match tool {
        Tool::Cli => {
            let os = match rng.below(3) {
                0 => "Darwin/23.6.0 exe/x86_64",
                1 => "Darwin/24.1.0 exe/arm64",
                _ => "Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22",
            };
            format!(
                "aws-cli/{} md/awscrt#0.19.19 ua/2.0 os/{} md/arch#x86_64 lang/python#{} md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{}.{}",
                rng.pick(CLI_VERSIONS),
                os,
                rng.pick(PY),
                prefix(source),
                cli_command(name)
            )
        }
        Tool::Boto3 => {
            let b = rng.pick(BOTO);
            format!(
                "Boto3/{b} md/Botocore#{b} ua/2.0 os/linux#{} md/arch#x86_64 lang/python#{} md/pyimpl#CPython cfg/retry-mode#legacy Botocore/{b}",
                rng.pick(KERNELS),
                rng.pick(PY)
            )
        }
        Tool::GoSdk => format!("aws-sdk-go/{} (go1.21.6; linux; amd64)", rng.pick(GO_V1)),
        Tool::GoSdkV2 => format!(
            "aws-sdk-go-v2/{} os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/{}#1.{}.{}",
            rng.pick(GO_V2),
            prefix(source),
            rng.range(20, 60),
            rng.range(0, 9)
        ),
        Tool::Java => format!(
            "aws-sdk-java/2.25.{} Linux/{} OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
            rng.range(6, 64),
            rng.pick(KERNELS)
        ),
        Tool::Node => format!(
            "aws-sdk-js/3.{}.0 ua/2.0 os/linux#{} lang/js md/nodejs#20.11.1 api/{}#3.{}.0",
            rng.range(500, 690),
            rng.pick(KERNELS),
            prefix(source),
            rng.range(500, 690)
        ),
        Tool::Terraform => format!(
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.{} (+https://www.terraform.io) terraform-provider-aws/5.{}.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 ua/2.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/{}#1.{}.2",
            rng.range(0, 8),
            rng.range(60, 80),
            prefix(source),
            rng.range(20, 60)
        ),
        Tool::Console => match rng.below(4) {
            0 => "AWS Internal".to_string(),
            1 => format!("console.{}.amazonaws.com", prefix(source)),
            _ => "console.amazonaws.com".to_string(),
        },
        Tool::SsmAgent => format!(
            "aws-sdk-go/1.44.{} (go1.21.9; linux; amd64) amazon-ssm-agent/3.3.{}.0",
            rng.range(300, 330),
            rng.range(40, 1000)
        ),
        Tool::PowerShell => {
            "AWSPowerShell.Common/4.1.532.0 .NET_Core/8.0.2 OS/Microsoft_Windows_10.0.20348 PowerShellCore/7.4 (C:\\Program Files\\PowerShell\\7\\pwsh.exe)".to_string()
        }
        Tool::Quirky => match rng.below(3) {
            0 => "python-requests/2.31.0 \"inventory-sync\" (+https://wiki.example.com/ops/\"inventory\")".to_string(),
            1 => format!(
                "Boto3/{} Botocore/{} \"report-exporter/0.4\" C:\\\\jobs\\\\nightly.py",
                BOTO[0], BOTO[0]
            ),
            _ => "curl/8.5.0 'manual' \"quoted\" tab\there".to_string(),
        },
    }
}

/// Browser user agents seen on console sign-ins.
pub static BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
];

/// An error code and message for a failed `source`:`name` made by `arn`.
pub fn error_for(source: &str, name: &str, arn: &str, account: &str, rng: &mut Rng) -> (String, String) {
    let action = format!("{}:{}", prefix(source), cli_action(name));
    let denied = || {
        format!("User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action")
    };
    let throttled = || ("ThrottlingException".to_string(), "Rate exceeded".to_string());
    match source {
        EC2 => match rng.below(10) {
            0..=5 => (
                "Client.UnauthorizedOperation".to_string(),
                format!("You are not authorized to perform this operation. User: {arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"),
            ),
            _ => ("Client.RequestLimitExceeded".to_string(), "Request limit exceeded.".to_string()),
        },
        S3 => match (name, rng.below(10)) {
            (_, 0..=3) => ("AccessDenied".to_string(), "Access Denied".to_string()),
            ("GetObject" | "HeadObject", 4..=7) => {
                ("NoSuchKey".to_string(), "The specified key does not exist.".to_string())
            }
            _ => ("NoSuchBucket".to_string(), "The specified bucket does not exist".to_string()),
        },
        IAM => match rng.below(10) {
            0..=6 => (
                "AccessDenied".to_string(),
                format!("User: {arn} is not authorized to perform: {action} on resource: arn:aws:iam::{account}:role/ because no identity-based policy allows the {action} action"),
            ),
            _ => ("Throttling".to_string(), "Rate exceeded".to_string()),
        },
        KMS => match rng.below(3) {
            0 => throttled(),
            _ => ("AccessDenied".to_string(), denied()),
        },
        SSM if name.starts_with("GetParameter") && rng.chance(0.5) => (
            "ParameterNotFound".to_string(),
            String::new(),
        ),
        LAMBDA | LOGS | SECRETS | DDB if rng.chance(0.3) => (
            "ResourceNotFoundException".to_string(),
            "Requested resource not found".to_string(),
        ),
        _ => match rng.below(3) {
            0 => throttled(),
            _ => ("AccessDenied".to_string(), denied()),
        },
    }
}

/// The IAM action name for an event name (Lambda's versioned names lose the version).
pub fn cli_action(name: &str) -> &str {
    match name.find("2015").or_else(|| name.find("2017")) {
        Some(i) => &name[..i],
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_names() {
        assert_eq!(cli_command("DescribeInstances"), "describe-instances");
        assert_eq!(cli_command("GetCallerIdentity"), "get-caller-identity");
        assert_eq!(cli_action("GetFunction20150331v2"), "GetFunction");
    }

    #[test]
    fn every_class_has_calls() {
        let p = CallPicker::new();
        let mut r = Rng::new(1);
        for c in ALL_CLASSES {
            let call = p.pick(c, &mut r);
            assert!(call.classes & c.bit() != 0);
        }
    }
}
