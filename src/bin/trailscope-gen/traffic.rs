//! Routine activity: how many events each 5-minute window gets (a diurnal, weekly
//! curve), and one routine event at a time — which account, which principal, which call,
//! where from and with what — rendered through `event`.
//!
//! Credential issuance is kept consistent with use: an `AssumeRole` /
//! `AssumeRoleWithSAML` event is only drawn for a session whose rotation period starts in
//! the same window, issues exactly that period's key, and is timed at that instant (the
//! session's `creationDate`), so following an `ASIA…` key back to its issuing event works
//! on routine traffic too, not only on the incident. (At the 1M-event scale about 70% of
//! assumed-role events have their issuing event in the trail; the rest belong to roles
//! assumed from outside it — Datadog, service-linked roles — or to periods whose issuing
//! event was not drawn.)

use std::collections::HashSet;

use crate::catalog::{self as cat, Call, CallPicker, Kind, Tool, BROWSERS};
use crate::clock::{self, WINDOW_SECS};
use crate::event::{EventSpec, Resource};
use crate::identities::{session_at, Account, Ident, Issuer, SessionDef, Who};
use crate::json::object;
use crate::params::{self, Ctx, Details};
use crate::rng::{Rng, Weighted, HEX};

/// Share of routine errors.
const ERROR_RATE: f64 = 0.03;

/// Relative activity of the window starting at `t`: a weekday business-hours hump over a
/// flat machine baseline.
pub fn window_weight(t: i64) -> f64 {
    1.0 + 0.8 * business(t)
}

/// 1.0 in US business hours on weekdays, small otherwise.
fn business(t: i64) -> f64 {
    let tm = clock::split(t);
    let weekend = tm.weekday >= 5;
    let day = (13..23).contains(&tm.hour);
    match (weekend, day) {
        (false, true) => 1.0,
        (false, false) => 0.12,
        (true, true) => 0.15,
        (true, false) => 0.04,
    }
}

/// Splits `total` events over `windows` windows in proportion to their weights, with a
/// little noise, exactly summing to `total`.
pub fn window_counts(start: i64, windows: usize, total: u64, rng: &mut Rng) -> Vec<u64> {
    let weights: Vec<f64> =
        (0..windows).map(|w| window_weight(start + w as i64 * WINDOW_SECS) * (0.75 + 0.5 * rng.unit())).collect();
    let sum: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let mut prev = 0u64;
    let mut counts = Vec::with_capacity(windows);
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        let upto =
            if i + 1 == windows { total } else { (((acc / sum) * total as f64).round() as u64).clamp(prev, total) };
        counts.push(upto - prev);
        prev = upto;
    }
    counts
}

/// A rendered routine record and where it belongs.
pub struct Generated {
    pub account: usize,
    pub region: &'static str,
    pub time: i64,
    pub json: String,
}

pub struct Traffic<'a> {
    seed: u64,
    accounts: &'a [Account],
    account_w: Weighted,
    calls: CallPicker,
    /// (account, session, period start) whose credentials an event has already issued.
    issued: HashSet<(usize, usize, i64)>,
}

impl<'a> Traffic<'a> {
    pub fn new(seed: u64, accounts: &'a [Account]) -> Self {
        // The first account is the busiest; the rest fall off gently.
        let account_w = Weighted::new((0..accounts.len()).map(|i| (1000.0 / (1.0 + i as f64).powf(0.8)) as u64));
        Traffic { seed, accounts, account_w, calls: CallPicker::new(), issued: HashSet::new() }
    }

    /// One routine event in the window starting at `ws`.
    ///
    /// Credential-issuing calls are only made for a session whose rotation period starts
    /// in this window and has not been issued yet; otherwise another draw is made, so
    /// every issued key is the one the session then uses.
    pub fn event(&mut self, ws: i64, rng: &mut Rng) -> Generated {
        let accounts = self.accounts;
        let p_human = 0.3 * business(ws);
        let (ai, actor_idx, call, issue) = loop {
            let ai = self.account_w.sample(rng);
            let acct = &accounts[ai];
            let actor_idx = if !acct.human_w.is_empty() && rng.chance(p_human) {
                acct.human_w.sample(rng)
            } else {
                acct.machine_w.sample(rng)
            };
            let actor = &acct.actors[actor_idx];
            let call = self.calls.pick(actor.class, rng);
            let issue = match (call.name, &actor.ident) {
                ("AssumeRole", Ident::Service { invoked_by }) => {
                    let issuer = Issuer::Service(invoked_by);
                    self.claim(ai, |s| s.issuer == issuer, ws, rng)
                }
                ("AssumeRoleWithSAML", Ident::Saml { sessions, .. }) => {
                    let first = sessions[0];
                    self.claim(ai, |s| std::ptr::eq(s, &acct.sessions[first]), ws, rng)
                }
                _ => Some((usize::MAX, 0)),
            };
            if let Some(issue) = issue {
                break (ai, actor_idx, call, issue);
            }
        };
        let acct = &accounts[ai];
        let spec = self.build(acct, actor_idx, call, ws, issue, rng);
        let mut json = String::with_capacity(2048);
        spec.render(&mut json);
        Generated { account: ai, region: spec.region, time: spec.time, json }
    }

    /// Picks a not-yet-issued session of account `ai` matching `filter` whose credential
    /// period starts in the window at `ws`: (session index, period start).
    fn claim(
        &mut self,
        ai: usize,
        filter: impl Fn(&SessionDef) -> bool,
        ws: i64,
        rng: &mut Rng,
    ) -> Option<(usize, i64)> {
        let acct = &self.accounts[ai];
        let starting: Vec<(usize, i64)> = acct
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| filter(s))
            .map(|(i, s)| (i, s.period_start(ws + WINDOW_SECS - 1)))
            .filter(|&(i, start)| start >= ws && !self.issued.contains(&(ai, i, start)))
            .collect();
        if starting.is_empty() {
            return None;
        }
        let (i, start) = *rng.pick(&starting);
        self.issued.insert((ai, i, start));
        Some((i, start))
    }

    fn build(
        &self,
        acct: &Account,
        actor_idx: usize,
        call: &'static Call,
        ws: i64,
        issue: (usize, i64),
        rng: &mut Rng,
    ) -> EventSpec {
        let actor = &acct.actors[actor_idx];
        let time = ws + rng.below(WINDOW_SECS as u64) as i64;
        let region: &'static str = if cat::is_global(call.source) {
            "us-east-1"
        } else if rng.chance(0.75) {
            actor.home_region
        } else {
            acct.regions[acct.region_w.sample(rng)]
        };
        let mut spec = EventSpec {
            version: cat::event_version(call.source),
            who: Who::Service { invoked_by: String::new() },
            time,
            source: call.source,
            name: call.name,
            region,
            ip: String::new(),
            user_agent: String::new(),
            error: None,
            request: None,
            response: None,
            additional: None,
            request_id: None,
            event_id: rng.uuid(),
            read_only: call.read_only,
            resources: Vec::new(),
            event_type: "AwsApiCall",
            management: !call.data,
            recipient: acct.id.clone(),
            shared_event_id: None,
            service_details: None,
            vpce: None,
            data: call.data,
            tls_host: None,
            console_session: false,
        };

        match (call.kind, call.name) {
            (Kind::ServiceEvent, _) => {
                let key = rng.pick(&acct.res.kms_keys).clone();
                spec.who = Who::Internal { account: acct.id.clone() };
                spec.ip = "AWS Internal".to_string();
                spec.user_agent = "AWS Internal".to_string();
                spec.resources = vec![Resource {
                    arn: format!("arn:aws:kms:{region}:{}:key/{key}", acct.id),
                    account: Some(acct.id.clone()),
                    kind: "AWS::KMS::Key",
                }];
                spec.event_type = "AwsServiceEvent";
                spec.service_details = Some(object(|o| {
                    o.str("keyId", &key);
                }));
                return spec;
            }
            (Kind::ConsoleSignIn, _) => {
                self.console_login(acct, actor_idx, &mut spec, rng);
                return spec;
            }
            (_, "AssumeRole") => {
                if let Ident::Service { invoked_by } = actor.ident {
                    self.assume_role(acct, invoked_by, issue, &mut spec, rng);
                    return spec;
                }
            }
            (_, "AssumeRoleWithSAML") => {
                if let Ident::Saml { email, provider, .. } = &actor.ident {
                    let ip = rng.pick(&actor.ips).clone();
                    self.assume_role_saml(acct, email, provider, issue, &mut spec, rng);
                    spec.ip = ip;
                    return spec;
                }
            }
            _ => {}
        }

        // Ordinary API call.
        let tool = actor.tools[actor.tool_w.sample(rng)];
        let console = tool == Tool::Console;
        spec.who = match &actor.ident {
            Ident::User { name, principal_id, key } => {
                if console {
                    let day = time - time.rem_euclid(86_400) + 8 * 3600;
                    let ckey = Rng::keyed(self.seed, &[&acct.id, name, "console", &day.to_string()]).aws_id("ASIA", 16);
                    Who::IamUser {
                        account: acct.id.clone(),
                        principal_id: principal_id.clone(),
                        name: name.clone(),
                        key: Some(ckey),
                        console: Some((day.min(time), true)),
                    }
                } else {
                    Who::IamUser {
                        account: acct.id.clone(),
                        principal_id: principal_id.clone(),
                        name: name.clone(),
                        key: Some(key.clone()),
                        console: None,
                    }
                }
            }
            Ident::Role { sessions } => {
                let s = *rng.pick(sessions);
                Who::role_session(acct, self.seed, s, time)
            }
            Ident::Service { invoked_by } => Who::Service { invoked_by: (*invoked_by).to_string() },
            Ident::Root => {
                let created = time - rng.below(1800) as i64;
                Who::Root {
                    account: acct.id.clone(),
                    key: Some(
                        Rng::keyed(self.seed, &[&acct.id, "root", &(created / 3600).to_string()]).aws_id("ASIA", 16),
                    ),
                    console: Some(created),
                }
            }
            Ident::Federated { name, issuer_actor } => {
                let hour = time - time.rem_euclid(3600);
                let (issuer_name, issuer_pid) = match &acct.actors[*issuer_actor].ident {
                    Ident::User { name, principal_id, .. } => (name.clone(), principal_id.clone()),
                    _ => (String::new(), String::new()),
                };
                Who::Federated {
                    account: acct.id.clone(),
                    name: name.clone(),
                    key: Rng::keyed(self.seed, &[&acct.id, name, &hour.to_string()]).aws_id("ASIA", 16),
                    issuer_name,
                    issuer_pid,
                    created: hour,
                }
            }
            Ident::Saml { email, .. } => {
                Who::Saml { principal_id: email.clone(), user_name: email.clone(), provider: String::new() }
            }
        };
        spec.console_session = console && matches!(spec.who, Who::Role { .. });

        // Where from, and with which agent.
        let via_endpoint =
            matches!(call.source, cat::S3 | cat::KMS | cat::SSM | cat::SECRETS | cat::LOGS | cat::ECR | cat::STS);
        if let Some(host) = actor.service_host {
            spec.ip = host.to_string();
            spec.user_agent = host.to_string();
        } else {
            match &actor.vpce {
                Some(vpce) if via_endpoint && rng.chance(0.5) => {
                    spec.ip = format!("10.20.{}.{}", rng.below(64), rng.range(4, 250));
                    spec.vpce = Some(vpce.clone());
                }
                _ if console && rng.chance(0.15) => spec.ip = "AWS Internal".to_string(),
                _ => spec.ip = rng.pick(&actor.ips).clone(),
            }
            spec.user_agent = cat::user_agent(tool, call.source, call.name, rng);
        }

        let failed = rng.chance(ERROR_RATE);
        let ctx = Ctx { acct, region, time, failed };
        let Details { request, response, additional, resources, request_id, host } = params::details(call, &ctx, rng);
        if failed {
            spec.error = Some(cat::error_for(call.source, call.name, &spec.who.arn(), &acct.id, rng));
        }
        spec.request = request;
        spec.response = if failed { None } else { response };
        spec.additional = additional;
        spec.resources = resources;
        spec.request_id = request_id;
        if actor.service_host.is_none() && spec.ip != "AWS Internal" && rng.chance(0.9) {
            spec.tls_host = Some(host.unwrap_or_else(|| {
                let p = cat::prefix(call.source);
                if cat::is_global(call.source) {
                    format!("{p}.amazonaws.com")
                } else {
                    format!("{p}.{region}.amazonaws.com")
                }
            }));
        }
        spec
    }

    /// `AWSService` assuming a workload role.
    fn assume_role(
        &self,
        acct: &Account,
        invoked_by: &'static str,
        (s_idx, time): (usize, i64),
        spec: &mut EventSpec,
        rng: &mut Rng,
    ) {
        let sess = &acct.sessions[s_idx];
        let key = session_at(self.seed, acct, sess, time).key;
        let role = &acct.roles[sess.role];
        spec.time = time;
        spec.who = Who::Service { invoked_by: invoked_by.to_string() };
        spec.ip = invoked_by.to_string();
        spec.user_agent = invoked_by.to_string();
        spec.request = Some(object(|o| {
            o.str("roleArn", &role.arn).str("roleSessionName", &sess.name);
        }));
        spec.response = Some(assume_response(
            &acct.id,
            &role.name,
            &role.principal_id,
            &sess.name,
            &key,
            time + sess.period + 600,
            rng,
        ));
        spec.request_id = Some(rng.uuid());
        spec.resources =
            vec![Resource { arn: role.arn.clone(), account: Some(acct.id.clone()), kind: "AWS::IAM::Role" }];
    }

    /// A person's Identity Center sign-in into a permission-set role.
    fn assume_role_saml(
        &self,
        acct: &Account,
        email: &str,
        provider: &str,
        (s_idx, time): (usize, i64),
        spec: &mut EventSpec,
        rng: &mut Rng,
    ) {
        let sess = &acct.sessions[s_idx];
        let role = &acct.roles[sess.role];
        let key = session_at(self.seed, acct, sess, time).key;
        let saml_provider = format!(
            "arn:aws:iam::{}:saml-provider/AWSSSO_{}_DO_NOT_DELETE",
            acct.id,
            &Rng::keyed(self.seed, &[&acct.id, "sso"]).chars(16, HEX)
        );
        spec.time = time;
        spec.who = Who::Saml {
            principal_id: format!("{provider}:{email}"),
            user_name: email.to_string(),
            provider: provider.to_string(),
        };
        spec.user_agent = format!(
            "aws-internal/3 aws-sdk-java/1.12.{} Linux/5.10.226-192.879.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
            rng.range(700, 780)
        );
        let assertion = format!("_{}", rng.uuid());
        spec.request = Some(object(|o| {
            o.str("sAMLAssertionID", &assertion)
                .str("roleSessionName", email)
                .str("roleArn", &role.arn)
                .str("principalArn", &saml_provider)
                .num("durationSeconds", sess.period);
        }));
        let creds =
            assume_response(&acct.id, &role.name, &role.principal_id, &sess.name, &key, time + sess.period, rng);
        // Splice the SAML-specific members into the common credentials object.
        let mut resp = creds;
        resp.pop();
        resp.push_str(&format!(
            ",\"subject\":\"{email}\",\"subjectType\":\"persistent\",\"issuer\":\"https://portal.sso.us-east-1.amazonaws.com/saml/assertion/{}\",\"audience\":\"https://signin.aws.amazon.com/saml\",\"nameQualifier\":\"{}=\"}}",
            &provider[..provider.len() - 1],
            rng.chars(27, crate::rng::ALNUM)
        ));
        spec.response = Some(resp);
        spec.request_id = Some(rng.uuid());
        spec.resources = vec![
            Resource { arn: role.arn.clone(), account: Some(acct.id.clone()), kind: "AWS::IAM::Role" },
            Resource { arn: saml_provider, account: Some(acct.id.clone()), kind: "AWS::IAM::SAMLProvider" },
        ];
        spec.shared_event_id = None;
        spec.tls_host = Some("sts.amazonaws.com".to_string());
    }

    fn console_login(&self, acct: &Account, actor_idx: usize, spec: &mut EventSpec, rng: &mut Rng) {
        let actor = &acct.actors[actor_idx];
        spec.region = "us-east-1";
        spec.ip = rng.pick(&actor.ips).clone();
        spec.user_agent = (*rng.pick(BROWSERS)).to_string();
        spec.event_type = "AwsConsoleSignIn";
        spec.read_only = false;
        spec.version = "1.09";
        let mut mfa = true;
        let mut failed = false;
        spec.who = match &actor.ident {
            Ident::Role { sessions } => {
                mfa = false; // MFA happened at the identity provider, not in AWS.
                Who::role_session(acct, self.seed, sessions[0], spec.time)
            }
            Ident::User { name, principal_id, .. } => {
                failed = rng.chance(0.08);
                Who::IamUser {
                    account: acct.id.clone(),
                    principal_id: principal_id.clone(),
                    name: name.clone(),
                    key: None,
                    console: None,
                }
            }
            _ => {
                failed = rng.chance(0.05);
                Who::Root { account: acct.id.clone(), key: None, console: None }
            }
        };
        let outcome = if failed { "Failure" } else { "Success" };
        if failed {
            spec.error = Some((String::new(), "Failed authentication".to_string()));
        }
        spec.response = Some(format!("{{\"ConsoleLogin\":\"{outcome}\"}}"));
        spec.additional = Some(console_additional(mfa, rng));
        spec.request_id = None;
        spec.tls_host = Some("signin.aws.amazon.com".to_string());
    }
}

/// additionalEventData of a console sign-in.
pub fn console_additional(mfa: bool, rng: &mut Rng) -> String {
    let state = rng.chars(16, HEX);
    object(|o| {
        o.str(
            "LoginTo",
            &format!("https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_{state}"),
        )
        .str("MobileVersion", "No")
        .str("MFAUsed", if mfa { "Yes" } else { "No" });
    })
}

/// responseElements of AssumeRole*: credentials and the assumed-role user.
pub fn assume_response(
    account: &str,
    role_name: &str,
    role_pid: &str,
    session: &str,
    key: &str,
    expires: i64,
    rng: &mut Rng,
) -> String {
    let token = params::session_token(rng);
    object(|o| {
        o.obj("credentials", |c| {
            c.str("accessKeyId", key).str("sessionToken", &token).str("expiration", &clock::human(expires));
        })
        .obj("assumedRoleUser", |u| {
            u.str("assumedRoleId", &format!("{role_pid}:{session}"))
                .str("arn", &format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}"));
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_sum_exactly() {
        let mut r = Rng::new(1);
        for total in [0u64, 1, 7, 5000, 1_000_000] {
            let c = window_counts(1_793_577_600, 864, total, &mut r);
            assert_eq!(c.len(), 864);
            assert_eq!(c.iter().sum::<u64>(), total);
        }
    }
}
