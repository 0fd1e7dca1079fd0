//! Request parameters, response elements, additionalEventData and `resources` for routine
//! calls: small, plausible objects that name the account's own buckets, keys, instances
//! and functions, so filters on resource names find realistic clusters of events.
//!
//! Calls whose payload depends on credentials (AssumeRole, console sign-in, …) are written
//! by `traffic`, which knows the sessions.

use crate::catalog::{self as cat, Call};
use crate::clock;
use crate::event::Resource;
use crate::identities::Account;
use crate::json::object;
use crate::rng::{Rng, HEX, UPPER_DIGITS};

/// Everything about a call that is not identity, time or place.
#[derive(Default)]
pub struct Details {
    pub request: Option<String>,
    pub response: Option<String>,
    pub additional: Option<String>,
    pub resources: Vec<Resource>,
    pub request_id: Option<String>,
    /// The Host header, when it is more specific than `<service>.<region>.amazonaws.com`.
    pub host: Option<String>,
}

pub struct Ctx<'a> {
    pub acct: &'a Account,
    pub region: &'static str,
    pub time: i64,
    pub failed: bool,
}

/// S3's `additionalEventData` (signature, TLS, byte counts and the opaque `x-amz-id-2`).
pub fn s3_additional(rng: &mut Rng, bytes_in: u64, bytes_out: u64) -> String {
    let id2 = format!("{}=", rng.chars(75, crate::rng::ALNUM));
    object(|o| {
        o.str("SignatureVersion", "SigV4")
            .str("CipherSuite", "TLS_AES_128_GCM_SHA256")
            .num("bytesTransferredIn", bytes_in as i64)
            .str("AuthenticationMethod", "AuthHeader")
            .str("x-amz-id-2", &id2)
            .num("bytesTransferredOut", bytes_out as i64);
    })
}

/// The S3 request id style: 16 upper-case alphanumerics.
pub fn s3_request_id(rng: &mut Rng) -> String {
    rng.chars(16, UPPER_DIGITS)
}

/// An object key that fits the bucket it is in.
pub fn object_key(bucket: &str, ctx: &Ctx<'_>, rng: &mut Rng) -> String {
    let t = clock::split(ctx.time);
    let day = format!("{:04}-{:02}-{:02}", t.year, t.month, t.day);
    if bucket.ends_with("app-assets") {
        format!("static/img/{}.webp", rng.chars(12, HEX))
    } else if bucket.ends_with("data-lake") {
        let table = rng.pick(&["orders", "payments", "clickstream"]);
        format!("raw/{table}/dt={day}/part-{:05}.parquet", rng.below(400))
    } else if bucket.ends_with("terraform-state") {
        let stack = rng.pick(&["network", "data", "eks", "iam"]);
        format!("env:/{}/{stack}/terraform.tfstate", ctx.acct.alias)
    } else if bucket.ends_with("backups") {
        format!("db/orders/{day}/orders-{:04}.dump.gz", rng.below(64))
    } else if bucket.ends_with("customer-exports") {
        format!("exports/customers/{:04}-{:02}/part-{:05}.csv.gz", t.year, t.month, rng.below(200))
    } else {
        format!(
            "AWSLogs/{}/elasticloadbalancing/{}/{:04}/{:02}/{:02}/{}_elasticloadbalancing_{}_app.{}.log.gz",
            ctx.acct.id,
            ctx.region,
            t.year,
            t.month,
            t.day,
            ctx.acct.id,
            ctx.region,
            rng.chars(16, HEX)
        )
    }
}

fn bucket_resources(acct: &str, bucket: &str, key: Option<&str>) -> Vec<Resource> {
    let mut v = Vec::with_capacity(2);
    if let Some(k) = key {
        v.push(Resource { arn: format!("arn:aws:s3:::{bucket}/{k}"), account: None, kind: "AWS::S3::Object" });
    }
    v.push(Resource {
        arn: format!("arn:aws:s3:::{bucket}"),
        account: Some(acct.to_string()),
        kind: "AWS::S3::Bucket",
    });
    v
}

fn kms_arn(ctx: &Ctx<'_>, key: &str) -> String {
    format!("arn:aws:kms:{}:{}:key/{key}", ctx.region, ctx.acct.id)
}

fn filter(name: &str, value: &str) -> String {
    object(|o| {
        o.arr("items", |a| {
            a.obj(|f| {
                f.str("name", name).obj("valueSet", |v| {
                    v.arr("items", |a| {
                        a.obj(|x| {
                            x.str("value", value);
                        });
                    });
                });
            });
        });
    })
}

fn items_of(key: &str, value: &str) -> String {
    object(|o| {
        o.arr("items", |a| {
            a.obj(|x| {
                x.str(key, value);
            });
        });
    })
}

fn instance_state_change(iid: &str, rid: &str, to: (i64, &str), from: (i64, &str)) -> String {
    object(|o| {
        o.str("requestId", rid).obj("instancesSet", |s| {
            s.arr("items", |a| {
                a.obj(|i| {
                    i.str("instanceId", iid)
                        .obj("currentState", |c| {
                            c.num("code", to.0).str("name", to.1);
                        })
                        .obj("previousState", |c| {
                            c.num("code", from.0).str("name", from.1);
                        });
                });
            });
        });
    })
}

/// Details for a routine `call` (not AssumeRole*/ConsoleLogin/RotateKey).
pub fn details(call: &Call, ctx: &Ctx<'_>, rng: &mut Rng) -> Details {
    let acct = ctx.acct;
    let res = &acct.res;
    let id = acct.id.as_str();
    let mut d = Details { request_id: Some(rng.uuid()), ..Details::default() };
    let instance =
        if res.instances.is_empty() { format!("i-0{}", rng.chars(16, HEX)) } else { rng.pick(&res.instances).clone() };
    let ok = !ctx.failed;

    match (call.source, call.name) {
        // ---------------------------------------------------------------- S3
        (cat::S3, name) if call.data => {
            let bucket = rng.pick(&res.buckets[..5]).clone();
            let host = format!("{bucket}.s3.{}.amazonaws.com", ctx.region);
            let (key, bytes_in, bytes_out) = match name {
                "ListObjects" => (None, 0, rng.range(400, 40_000)),
                "PutObject" => (Some(object_key(&bucket, ctx, rng)), rng.range(2_000, 8_000_000), 0),
                "GetObject" => (Some(object_key(&bucket, ctx, rng)), 0, rng.range(500, 20_000_000)),
                _ => (Some(object_key(&bucket, ctx, rng)), 0, 0),
            };
            d.request = Some(object(|o| {
                o.str("bucketName", &bucket).str("Host", &host);
                match &key {
                    Some(k) => {
                        o.str("key", k);
                    }
                    None => {
                        o.str("list-type", "2").str("prefix", "exports/").str("encoding-type", "url");
                    }
                }
            }));
            if name == "PutObject" && ok {
                let kms = kms_arn(ctx, &res.kms_keys[0]);
                d.response = Some(object(|o| {
                    o.str("x-amz-server-side-encryption-aws-kms-key-id", &kms)
                        .str("x-amz-server-side-encryption", "aws:kms")
                        .bool("x-amz-server-side-encryption-bucket-key-enabled", true);
                }));
            }
            d.additional = Some(s3_additional(rng, bytes_in, if ok { bytes_out } else { 0 }));
            d.resources = bucket_resources(id, &bucket, key.as_deref());
            d.request_id = Some(s3_request_id(rng));
            d.host = Some(host);
        }
        (cat::S3, "ListBuckets") => {
            d.request = Some(object(|o| {
                o.str("Host", &format!("s3.{}.amazonaws.com", ctx.region));
            }));
            d.additional = Some(s3_additional(rng, 0, 0));
            d.request_id = Some(s3_request_id(rng));
        }
        (cat::S3, name) => {
            let bucket = rng.pick(&res.buckets).clone();
            let sub = match name {
                "GetBucketAcl" => "acl",
                "GetBucketPolicy" | "PutBucketPolicy" => "policy",
                "GetBucketTagging" | "PutBucketTagging" => "tagging",
                "GetBucketVersioning" => "versioning",
                "GetBucketEncryption" => "encryption",
                "GetBucketPublicAccessBlock" => "publicAccessBlock",
                _ => "location",
            };
            d.request = Some(object(|o| {
                o.str("bucketName", &bucket)
                    .str("Host", &format!("{bucket}.s3.{}.amazonaws.com", ctx.region))
                    .str(sub, "");
                if name == "PutBucketPolicy" {
                    o.str("bucketPolicy", &format!(
                        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\"],\"Condition\":{{\"Bool\":{{\"aws:SecureTransport\":\"false\"}}}}}}]}}"
                    ));
                }
            }));
            d.additional = Some(s3_additional(rng, 0, 0));
            d.resources = bucket_resources(id, &bucket, None);
            d.request_id = Some(s3_request_id(rng));
        }
        // --------------------------------------------------------------- KMS
        (cat::KMS, name) => {
            let key = rng.pick(&res.kms_keys).clone();
            let arn = kms_arn(ctx, &key);
            let context = match rng.below(3) {
                0 => {
                    let bucket = &res.buckets[rng.below(4) as usize];
                    ("aws:s3:arn", format!("arn:aws:s3:::{bucket}/{}", object_key(bucket, ctx, rng)))
                }
                1 => (
                    "SecretARN",
                    format!(
                        "arn:aws:secretsmanager:{}:{id}:secret:{}-{}",
                        ctx.region,
                        rng.pick(&res.secrets),
                        rng.chars(6, crate::rng::ALNUM)
                    ),
                ),
                _ => (
                    "aws:lambda:FunctionArn",
                    format!("arn:aws:lambda:{}:{id}:function:{}", ctx.region, rng.pick(&res.functions)),
                ),
            };
            d.request = match name {
                "Decrypt" | "Encrypt" | "GenerateDataKey" => Some(object(|o| {
                    if name == "GenerateDataKey" {
                        o.str("keyId", &arn).str("keySpec", "AES_256");
                    } else {
                        o.str("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                        if name == "Encrypt" {
                            o.str("keyId", &arn);
                        }
                    }
                    o.obj("encryptionContext", |c| {
                        c.str(context.0, &context.1);
                    });
                })),
                "DescribeKey" | "GetKeyRotationStatus" => Some(object(|o| {
                    o.str("keyId", &arn);
                })),
                _ => None,
            };
            if matches!(name, "Decrypt" | "Encrypt" | "GenerateDataKey" | "DescribeKey") {
                d.resources = vec![Resource { arn, account: Some(id.to_string()), kind: "AWS::KMS::Key" }];
            }
        }
        // --------------------------------------------------------------- EC2
        (cat::EC2, name) => {
            let rid = d.request_id.clone().unwrap_or_default();
            match name {
                "DescribeInstances" => {
                    d.request = Some(if rng.chance(0.5) {
                        object(|o| {
                            o.raw("instancesSet", Some(&items_of("instanceId", &instance))).obj("filterSet", |_| {});
                        })
                    } else {
                        object(|o| {
                            o.num("maxResults", 1000).obj("instancesSet", |_| {}).obj("filterSet", |_| {});
                        })
                    })
                }
                "DescribeNetworkInterfaces" => {
                    d.request = Some(object(|o| {
                        o.obj("networkInterfaceIdSet", |_| {})
                            .raw("filterSet", Some(&filter("attachment.instance-id", &instance)));
                    }))
                }
                "DescribeSecurityGroups" => {
                    let sg = rng.pick(&res.security_groups).clone();
                    d.request = Some(object(|o| {
                        o.obj("securityGroupSet", |_| {})
                            .raw("securityGroupIdSet", Some(&items_of("groupId", &sg)))
                            .obj("filterSet", |_| {});
                    }))
                }
                "DescribeSubnets" | "DescribeVpcs" => {
                    let set = if name == "DescribeSubnets" { "subnetSet" } else { "vpcSet" };
                    d.request = Some(object(|o| {
                        o.obj(set, |_| {}).raw("filterSet", Some(&filter("vpc-id", &res.vpcs[0])));
                    }))
                }
                "DescribeVolumes" | "DescribeTags" | "DescribeInstanceStatus" => {
                    d.request = Some(object(|o| {
                        if name == "DescribeVolumes" {
                            o.obj("volumeSet", |_| {});
                        }
                        let key = if name == "DescribeVolumes" { "attachment.instance-id" } else { "resource-id" };
                        o.raw("filterSet", Some(&filter(key, &instance)));
                    }))
                }
                "DescribeRegions" => {
                    d.request = Some(object(|o| {
                        o.obj("regionSet", |_| {});
                    }))
                }
                "DescribeAvailabilityZones" => {
                    d.request = Some(object(|o| {
                        o.obj("availabilityZoneSet", |_| {}).obj("availabilityZoneIdSet", |_| {});
                    }))
                }
                "DescribeImages" => {
                    d.request = Some(object(|o| {
                        o.obj("executableBySet", |_| {})
                            .raw("ownersSet", Some(&items_of("owner", "amazon")))
                            .raw("filterSet", Some(&filter("name", "al2023-ami-2023.*-x86_64")));
                    }))
                }
                "DescribeSnapshots" => {
                    d.request = Some(object(|o| {
                        o.obj("snapshotSet", |_| {})
                            .raw("ownersSet", Some(&items_of("owner", "self")))
                            .obj("filterSet", |_| {});
                    }))
                }
                "DescribeLaunchTemplateVersions" => {
                    d.request = Some(object(|o| {
                        o.str("launchTemplateName", &format!("{}-eks-node", acct.alias))
                            .raw("LaunchTemplateVersion", Some("[\"$Latest\"]"));
                    }))
                }
                "CreateTags" => {
                    d.request = Some(object(|o| {
                        o.raw("resourcesSet", Some(&items_of("resourceId", &instance))).obj("tagSet", |t| {
                            t.arr("items", |a| {
                                a.obj(|x| {
                                    x.str("key", "CostCenter").str("value", "platform");
                                });
                            });
                        });
                    }));
                    if ok {
                        d.response = Some(object(|o| {
                            o.str("requestId", &rid).bool("_return", true);
                        }));
                    }
                }
                "RunInstances" => {
                    let ami = format!("ami-0{}", rng.chars(16, HEX));
                    let new_iid = format!("i-0{}", rng.chars(16, HEX));
                    let subnet = rng.pick(&res.subnets).clone();
                    let sg = res.security_groups[0].clone();
                    d.request = Some(object(|o| {
                        o.obj("instancesSet", |s| {
                            s.arr("items", |a| {
                                a.obj(|i| {
                                    i.str("imageId", &ami).num("minCount", 1).num("maxCount", 1);
                                });
                            });
                        })
                        .str("instanceType", "m6i.large")
                        .obj("blockDeviceMapping", |_| {})
                        .str("subnetId", &subnet)
                        .obj("monitoring", |m| {
                            m.bool("enabled", false);
                        })
                        .bool("disableApiTermination", false)
                        .bool("disableApiStop", false)
                        .str("clientToken", &rid);
                    }));
                    if ok {
                        let rsv = format!("r-0{}", rng.chars(16, HEX));
                        let ip = format!("10.20.{}.{}", rng.below(64), rng.range(4, 250));
                        d.response = Some(object(|o| {
                            o.str("requestId", &rid)
                                .str("reservationId", &rsv)
                                .str("ownerId", id)
                                .obj("groupSet", |_| {})
                                .obj("instancesSet", |s| {
                                    s.arr("items", |a| {
                                        a.obj(|i| {
                                            i.str("instanceId", &new_iid)
                                                .str("imageId", &ami)
                                                .obj("instanceState", |st| {
                                                    st.num("code", 0).str("name", "pending");
                                                })
                                                .str(
                                                    "privateDnsName",
                                                    &format!("ip-{}.ec2.internal", ip.replace('.', "-")),
                                                )
                                                .num("amiLaunchIndex", 0)
                                                .str("instanceType", "m6i.large")
                                                .num("launchTime", ctx.time * 1000)
                                                .obj("placement", |p| {
                                                    p.str("availabilityZone", &format!("{}a", ctx.region))
                                                        .str("tenancy", "default");
                                                })
                                                .str("subnetId", &subnet)
                                                .str("vpcId", &res.vpcs[0])
                                                .str("privateIpAddress", &ip)
                                                .str("architecture", "x86_64")
                                                .str("rootDeviceType", "ebs")
                                                .obj("groupSet", |g| {
                                                    g.arr("items", |a| {
                                                        a.obj(|x| {
                                                            x.str("groupId", &sg).str("groupName", "default");
                                                        });
                                                    });
                                                });
                                        });
                                    });
                                });
                        }));
                    }
                }
                "TerminateInstances" | "StartInstances" | "StopInstances" => {
                    d.request = Some(object(|o| {
                        o.raw("instancesSet", Some(&items_of("instanceId", &instance)));
                    }));
                    if ok {
                        let (to, from) = match name {
                            "TerminateInstances" => ((32, "shutting-down"), (16, "running")),
                            "StartInstances" => ((0, "pending"), (80, "stopped")),
                            _ => ((64, "stopping"), (16, "running")),
                        };
                        d.response = Some(instance_state_change(&instance, &rid, to, from));
                    }
                }
                "CreateSnapshot" => {
                    let vol = format!("vol-0{}", rng.chars(16, HEX));
                    d.request = Some(object(|o| {
                        o.str("volumeId", &vol).str("description", "nightly backup");
                    }));
                    if ok {
                        let snap = format!("snap-0{}", rng.chars(16, HEX));
                        d.response = Some(object(|o| {
                            o.str("requestId", &rid)
                                .str("snapshotId", &snap)
                                .str("volumeId", &vol)
                                .str("status", "pending")
                                .num("startTime", ctx.time * 1000)
                                .str("progress", "")
                                .str("ownerId", id)
                                .num("volumeSize", 100)
                                .bool("encrypted", true);
                        }));
                    }
                }
                "AuthorizeSecurityGroupIngress" => {
                    let sg = rng.pick(&res.security_groups).clone();
                    d.request = Some(object(|o| {
                        o.str("groupId", &sg).obj("ipPermissions", |p| {
                            p.arr("items", |a| {
                                a.obj(|x| {
                                    x.str("ipProtocol", "tcp")
                                        .num("fromPort", 443)
                                        .num("toPort", 443)
                                        .obj("groups", |_| {})
                                        .raw("ipRanges", Some(&items_of("cidrIp", "10.20.0.0/16")))
                                        .obj("ipv6Ranges", |_| {})
                                        .obj("prefixListIds", |_| {});
                                });
                            });
                        });
                    }));
                    if ok {
                        let rule = format!("sgr-0{}", rng.chars(16, HEX));
                        d.response = Some(object(|o| {
                            o.str("requestId", &rid).bool("_return", true).obj("securityGroupRuleSet", |s| {
                                s.arr("items", |a| {
                                    a.obj(|x| {
                                        x.str("groupOwnerId", id)
                                            .str("groupId", &sg)
                                            .str("securityGroupRuleId", &rule)
                                            .bool("isEgress", false)
                                            .str("ipProtocol", "tcp")
                                            .num("fromPort", 443)
                                            .num("toPort", 443)
                                            .str("cidrIpv4", "10.20.0.0/16");
                                    });
                                });
                            });
                        }));
                    }
                }
                "ModifyInstanceAttribute" => {
                    d.request = Some(object(|o| {
                        o.str("instanceId", &instance).obj("disableApiTermination", |v| {
                            v.bool("value", true);
                        });
                    }));
                    if ok {
                        d.response = Some(object(|o| {
                            o.str("requestId", &rid).bool("_return", true);
                        }));
                    }
                }
                _ => {
                    d.request = Some(object(|o| {
                        o.obj("filterSet", |_| {});
                    }))
                }
            }
        }
        // --------------------------------------------------------------- IAM
        (cat::IAM, name) => {
            let role = &acct.roles[rng.below(acct.roles.len() as u64) as usize];
            let policy = format!(
                "arn:aws:iam::{id}:policy/{}-{}",
                acct.alias,
                rng.pick(&["s3-readonly", "deploy", "kms-use", "logs-write"])
            );
            let user = rng.pick(&["ci-deploy", "backup-svc", "breakglass-admin"]);
            d.request = match name {
                "GetRole" | "ListAttachedRolePolicies" | "ListRolePolicies" => Some(object(|o| {
                    o.str("roleName", &role.name);
                })),
                "GetPolicy" => Some(object(|o| {
                    o.str("policyArn", &policy);
                })),
                "GetPolicyVersion" => Some(object(|o| {
                    o.str("policyArn", &policy).str("versionId", &format!("v{}", rng.range(1, 6)));
                })),
                "ListPolicies" => Some(object(|o| {
                    o.str("scope", "Local").bool("onlyAttached", false);
                })),
                "GetUser" | "ListAccessKeys" | "ListMFADevices" => Some(object(|o| {
                    o.str("userName", user);
                })),
                "CreateRole" => {
                    let new = format!("{}-{}-role", acct.alias, rng.pick(&["etl", "reporting", "canary"]));
                    let doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
                    if ok {
                        let rid = rng.aws_id("AROA", 17);
                        d.response = Some(object(|o| {
                            o.obj("role", |r| {
                                r.str("path", "/")
                                    .str("roleName", &new)
                                    .str("roleId", &rid)
                                    .str("arn", &format!("arn:aws:iam::{id}:role/{new}"))
                                    .str("createDate", &clock::human(ctx.time))
                                    .str("assumeRolePolicyDocument", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D");
                            });
                        }));
                    }
                    Some(object(|o| {
                        o.str("roleName", &new).str("assumeRolePolicyDocument", doc);
                    }))
                }
                "AttachRolePolicy" => Some(object(|o| {
                    o.str("roleName", &role.name).str("policyArn", &policy);
                })),
                "PutRolePolicy" | "UpdateAssumeRolePolicy" => Some(object(|o| {
                    o.str("roleName", &role.name);
                    if name == "PutRolePolicy" {
                        o.str("policyName", "inline-logs");
                    }
                    o.str("policyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}");
                })),
                _ => None,
            };
        }
        // --------------------------------------------------------------- STS
        (cat::STS, "GetSessionToken") => {
            d.request = Some(object(|o| {
                o.num("durationSeconds", 3600);
            }));
            if ok {
                let key = rng.aws_id("ASIA", 16);
                let token = session_token(rng);
                d.response = Some(object(|o| {
                    o.obj("credentials", |c| {
                        c.str("accessKeyId", &key)
                            .str("sessionToken", &token)
                            .str("expiration", &clock::human(ctx.time + 3600));
                    });
                }));
            }
        }
        (cat::STS, _) => {}
        // ---------------------------------------------------------- CW Logs
        (cat::LOGS, name) => {
            let group = rng.pick(&res.log_groups).clone();
            let t = clock::split(ctx.time);
            d.request = Some(object(|o| match name {
                "CreateLogStream" | "GetLogEvents" => {
                    o.str("logGroupName", &group).str(
                        "logStreamName",
                        &format!("{:04}/{:02}/{:02}/[$LATEST]{}", t.year, t.month, t.day, rng.chars(32, HEX)),
                    );
                    if name == "GetLogEvents" {
                        o.bool("startFromHead", false);
                    }
                }
                "DescribeLogGroups" => {
                    o.str("logGroupNamePrefix", "/aws/lambda/");
                }
                "DescribeLogStreams" => {
                    o.str("logGroupName", &group)
                        .str("orderBy", "LastEventTime")
                        .bool("descending", true)
                        .num("limit", 50);
                }
                "FilterLogEvents" => {
                    o.str("logGroupName", &group)
                        .num("startTime", (ctx.time - 3600) * 1000)
                        .num("endTime", ctx.time * 1000)
                        .str("filterPattern", "?ERROR ?Exception")
                        .bool("interleaved", true);
                }
                "PutRetentionPolicy" => {
                    o.str("logGroupName", &group).num("retentionInDays", 30);
                }
                _ => {
                    o.str("logGroupName", &group);
                }
            }));
        }
        // ------------------------------------------------------------ Lambda
        (cat::LAMBDA, name) => {
            let f = rng.pick(&res.functions).clone();
            let arn = format!("arn:aws:lambda:{}:{id}:function:{f}", ctx.region);
            d.request = match name {
                "ListFunctions20150331" => None,
                "ListTags20170331" => Some(object(|o| {
                    o.str("resource", &arn);
                })),
                "UpdateFunctionCode20150331v2" => Some(object(|o| {
                    o.str("functionName", &f)
                        .str("s3Bucket", &res.buckets[0])
                        .str("s3Key", &format!("lambda/{f}/{}.zip", rng.chars(40, HEX)))
                        .bool("publish", true)
                        .bool("dryRun", false);
                })),
                _ => Some(object(|o| {
                    o.str("functionName", &f);
                })),
            };
            if ok && name.starts_with("Update") {
                let sha = rng.chars(43, crate::rng::ALNUM);
                d.response = Some(object(|o| {
                    o.str("functionName", &f)
                        .str("functionArn", &arn)
                        .str("runtime", "nodejs20.x")
                        .str("role", &format!("arn:aws:iam::{id}:role/{}-image-resize-lambda", acct.alias))
                        .str("handler", "index.handler")
                        .num("codeSize", rng.range(200_000, 9_000_000) as i64)
                        .str("description", "")
                        .num("timeout", 30)
                        .num("memorySize", 512)
                        .str("lastModified", &format!("{}.000+0000", &clock::iso(ctx.time)[..19]))
                        .str("codeSha256", &format!("{sha}="))
                        .str("version", "$LATEST")
                        .str("state", "Active")
                        .str("lastUpdateStatus", "InProgress")
                        .raw("architectures", Some("[\"arm64\"]"));
                }));
            }
        }
        // --------------------------------------------------------------- SSM
        (cat::SSM, name) => {
            let param = rng.pick(&res.parameters).clone();
            d.request = Some(object(|o| match name {
                "UpdateInstanceInformation" => {
                    let ip = format!("10.20.{}.{}", rng.below(64), rng.range(4, 250));
                    o.str("instanceId", &instance)
                        .str("agentVersion", "3.3.987.0")
                        .str("agentStatus", "Active")
                        .str("platformType", "Linux")
                        .str("platformName", "Amazon Linux")
                        .str("platformVersion", "2023")
                        .str("iPAddress", &ip)
                        .str("computerName", &format!("ip-{}.ec2.internal", ip.replace('.', "-")))
                        .str("agentName", "amazon-ssm-agent")
                        .str("availabilityZone", &format!("{}a", ctx.region));
                }
                "GetParameter" => {
                    o.str("name", &param).bool("withDecryption", true);
                }
                "GetParameters" => {
                    o.arr("names", |a| {
                        a.str(&param).str(&res.parameters[0]);
                    })
                    .bool("withDecryption", true);
                }
                "GetParametersByPath" => {
                    o.str("path", &format!("/{}/orders-api", acct.alias))
                        .bool("recursive", true)
                        .bool("withDecryption", true);
                }
                "ListAssociations" => {
                    o.arr("associationFilterList", |a| {
                        a.obj(|f| {
                            f.str("key", "InstanceId").str("value", &instance);
                        });
                    });
                }
                _ => {
                    o.num("maxResults", 50);
                }
            }));
        }
        // --------------------------------------------------------- Secrets
        (cat::SECRETS, "ListSecrets") => {}
        (cat::SECRETS, _) => {
            let s = rng.pick(&res.secrets).clone();
            let suffix = rng.chars(6, crate::rng::ALNUM);
            d.request = Some(object(|o| {
                o.str("secretId", &format!("arn:aws:secretsmanager:{}:{id}:secret:{s}-{suffix}", ctx.region));
            }));
        }
        // ------------------------------------------------------- the rest
        (cat::DDB, "DescribeTable") => {
            let t = rng.pick(&res.tables).clone();
            d.request = Some(object(|o| {
                o.str("tableName", &t);
            }));
            d.resources = vec![Resource {
                arn: format!("arn:aws:dynamodb:{}:{id}:table/{t}", ctx.region),
                account: Some(id.to_string()),
                kind: "AWS::DynamoDB::Table",
            }];
        }
        (cat::CW, "GetMetricData") => {
            d.request = Some(object(|o| {
                o.arr("metricDataQueries", |a| {
                    a.obj(|q| {
                        q.str("id", "m1").obj("metricStat", |m| {
                            m.obj("metric", |mm| {
                                mm.str("namespace", "AWS/EC2").str("metricName", "CPUUtilization").arr(
                                    "dimensions",
                                    |a| {
                                        a.obj(|x| {
                                            x.str("name", "InstanceId").str("value", &instance);
                                        });
                                    },
                                );
                            })
                            .num("period", 300)
                            .str("stat", "Average");
                        });
                    });
                })
                .str("startTime", &clock::human(ctx.time - 3600))
                .str("endTime", &clock::human(ctx.time));
            }));
        }
        (cat::CW, "DescribeAlarms") => {
            d.request = Some(object(|o| {
                o.num("maxRecords", 100).raw("alarmTypes", Some("[\"CompositeAlarm\",\"MetricAlarm\"]"));
            }));
        }
        (cat::CW, "ListMetrics") => {
            d.request = Some(object(|o| {
                let ns = *rng.pick(&["AWS/EC2", "AWS/Lambda", "AWS/ApplicationELB"]);
                o.str("namespace", ns);
            }));
        }
        (cat::CW, "PutMetricAlarm") => {
            d.request = Some(object(|o| {
                o.str("alarmName", &format!("{}-orders-api-5xx", acct.alias))
                    .str("metricName", "HTTPCode_Target_5XX_Count")
                    .str("namespace", "AWS/ApplicationELB")
                    .str("statistic", "Sum")
                    .num("period", 60)
                    .num("evaluationPeriods", 5)
                    .num("threshold", 10)
                    .str("comparisonOperator", "GreaterThanThreshold");
            }));
        }
        (cat::ECR, name) => {
            let repo = rng.pick(&res.repos).clone();
            d.request = match name {
                "GetAuthorizationToken" => Some(object(|o| {
                    o.raw("registryIds", Some(&format!("[\"{id}\"]")));
                })),
                "BatchGetImage" => Some(object(|o| {
                    o.str("repositoryName", &repo)
                        .arr("imageIds", |a| {
                            a.obj(|i| {
                                i.str("imageTag", &format!("v1.{}.{}", rng.range(30, 48), rng.below(10)));
                            });
                        })
                        .raw("acceptedMediaTypes", Some("[\"application/vnd.docker.distribution.manifest.v2+json\",\"application/vnd.oci.image.manifest.v1+json\"]"))
                        .str("registryId", id);
                })),
                "GetDownloadUrlForLayer" => Some(object(|o| {
                    o.str("repositoryName", &repo)
                        .str("layerDigest", &format!("sha256:{}", rng.chars(64, HEX)))
                        .str("registryId", id);
                })),
                _ => None,
            };
            if name != "GetAuthorizationToken" && name != "DescribeRepositories" {
                d.resources = vec![Resource {
                    arn: format!("arn:aws:ecr:{}:{id}:repository/{repo}", ctx.region),
                    account: Some(id.to_string()),
                    kind: "AWS::ECR::Repository",
                }];
            }
        }
        (cat::ECS, name) => {
            let cluster = res.clusters[0].clone();
            d.request = match name {
                "DescribeServices" | "UpdateService" => Some(object(|o| {
                    o.str("cluster", &cluster);
                    if name == "UpdateService" {
                        o.str("service", "orders-api")
                            .str("taskDefinition", &format!("orders-api:{}", rng.range(100, 140)))
                            .bool("forceNewDeployment", true);
                    } else {
                        o.raw("services", Some("[\"orders-api\",\"orders-worker\"]"));
                    }
                })),
                "DescribeTasks" => Some(object(|o| {
                    o.str("cluster", &cluster).arr("tasks", |a| {
                        a.str(&format!("arn:aws:ecs:{}:{id}:task/{cluster}/{}", ctx.region, rng.chars(32, HEX)));
                    });
                })),
                "DescribeTaskDefinition" | "RegisterTaskDefinition" => Some(object(|o| {
                    if name == "RegisterTaskDefinition" {
                        o.str("family", "orders-api")
                            .str("networkMode", "awsvpc")
                            .str("cpu", "1024")
                            .str("memory", "2048")
                            .raw("requiresCompatibilities", Some("[\"FARGATE\"]"));
                    } else {
                        o.str("taskDefinition", &format!("orders-api:{}", rng.range(100, 140)));
                    }
                })),
                _ => None,
            };
        }
        (cat::EKS, "DescribeCluster") => {
            let c = res.clusters[0].clone();
            d.request = Some(object(|o| {
                o.str("name", &c);
            }));
        }
        (cat::ELB, "DescribeTargetHealth") => {
            let tg = format!(
                "arn:aws:elasticloadbalancing:{}:{id}:targetgroup/orders-api/{}",
                ctx.region,
                rng.chars(16, HEX)
            );
            d.request = Some(object(|o| {
                o.str("targetGroupArn", &tg);
            }));
        }
        (cat::CFN, name) => {
            let stack = rng.pick(&res.stacks).clone();
            d.request = Some(object(|o| match name {
                "ListStacks" => {
                    o.raw(
                        "stackStatusFilter",
                        Some("[\"CREATE_COMPLETE\",\"UPDATE_COMPLETE\",\"UPDATE_ROLLBACK_COMPLETE\"]"),
                    );
                }
                "UpdateStack" => {
                    o.str("stackName", &stack)
                        .str("templateURL", &format!("https://{}.s3.amazonaws.com/cfn/{stack}.yaml", res.buckets[2]))
                        .raw("capabilities", Some("[\"CAPABILITY_NAMED_IAM\"]"));
                }
                _ => {
                    o.str("stackName", &stack);
                }
            }));
            if name == "UpdateStack" && ok {
                let sid = format!("arn:aws:cloudformation:{}:{id}:stack/{stack}/{}", ctx.region, rng.uuid());
                d.response = Some(object(|o| {
                    o.str("stackId", &sid);
                }));
            }
        }
        (cat::SNS, "GetTopicAttributes") => {
            let t = rng.pick(&res.topics).clone();
            d.request = Some(object(|o| {
                o.str("topicArn", &format!("arn:aws:sns:{}:{id}:{t}", ctx.region));
            }));
        }
        (cat::SQS, "GetQueueAttributes") => {
            let q = rng.pick(&res.queues).clone();
            d.request = Some(object(|o| {
                o.str("queueUrl", &format!("https://sqs.{}.amazonaws.com/{id}/{q}", ctx.region))
                    .raw("attributeNames", Some("[\"All\"]"));
            }));
        }
        (cat::R53, "ListResourceRecordSets") => {
            d.request = Some(object(|o| {
                o.str("hostedZoneId", &res.zone);
            }));
        }
        (cat::R53, "ChangeResourceRecordSets") => {
            let target = format!("{}-alb-{}.{}.elb.amazonaws.com", acct.alias, rng.range(100_000, 999_999), ctx.region);
            d.request = Some(object(|o| {
                o.str("hostedZoneId", &res.zone).obj("changeBatch", |b| {
                    b.arr("changes", |a| {
                        a.obj(|c| {
                            c.str("action", "UPSERT").obj("resourceRecordSet", |r| {
                                r.str("name", &format!("api.{}.acme.example.", acct.alias))
                                    .str("type", "CNAME")
                                    .num("tTL", 60)
                                    .arr("resourceRecords", |a| {
                                        a.obj(|v| {
                                            v.str("value", &target);
                                        });
                                    });
                            });
                        });
                    });
                });
            }));
            if ok {
                let cid = format!("/change/C0{}", rng.chars(19, UPPER_DIGITS));
                d.response = Some(object(|o| {
                    o.obj("changeInfo", |c| {
                        c.str("id", &cid).str("status", "PENDING").str("submittedAt", &clock::human(ctx.time));
                    });
                }));
            }
        }
        (cat::TRAIL, name) => {
            let trail = res.trail.clone();
            d.request = Some(object(|o| match name {
                "DescribeTrails" => {
                    o.obj("trailNameList", |_| {}).bool("includeShadowTrails", true);
                }
                "GetTrailStatus" => {
                    o.str("name", &trail);
                }
                "GetEventSelectors" => {
                    o.str("trailName", &trail);
                }
                _ => {
                    o.num("maxResults", 50).arr("lookupAttributes", |a| {
                        a.obj(|x| {
                            x.str("attributeKey", "ReadOnly").str("attributeValue", "false");
                        });
                    });
                }
            }));
        }
        (cat::CONFIG, "PutEvaluations") => {
            let bucket = rng.pick(&res.buckets).clone();
            let token = rng.chars(120, crate::rng::ALNUM);
            d.request = Some(object(|o| {
                o.arr("evaluations", |a| {
                    a.obj(|e| {
                        e.str("complianceResourceType", "AWS::S3::Bucket")
                            .str("complianceResourceId", &bucket)
                            .str("complianceType", "COMPLIANT")
                            .str("orderingTimestamp", &clock::human(ctx.time - 60));
                    });
                })
                .str("resultToken", &token)
                .bool("testMode", false);
            }));
        }
        (cat::RDS, "DescribeDBInstances") if rng.chance(0.5) => {
            d.request = Some(object(|o| {
                o.str("dBInstanceIdentifier", &format!("{}-orders-db", acct.alias));
            }));
        }
        (cat::HEALTH, _) => {
            d.request = Some(object(|o| {
                o.str("aggregateField", "eventTypeCategory").obj("filter", |f| {
                    f.raw("eventStatusCodes", Some("[\"open\",\"upcoming\"]"));
                });
            }));
        }
        (cat::CE, _) => {
            let t = clock::split(ctx.time);
            d.request = Some(object(|o| {
                o.obj("timePeriod", |p| {
                    p.str("start", &format!("{:04}-{:02}-01", t.year, t.month))
                        .str("end", &format!("{:04}-{:02}-{:02}", t.year, t.month, t.day));
                })
                .str("granularity", "DAILY")
                .raw("metrics", Some("[\"UnblendedCost\"]"));
            }));
        }
        _ => {}
    }
    d
}

/// An opaque-looking STS session token (they are long in real records).
pub fn session_token(rng: &mut Rng) -> String {
    format!("IQoJb3JpZ2luX2Vj{}", rng.chars(180, crate::rng::ALNUM))
}
