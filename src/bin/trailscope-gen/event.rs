//! One CloudTrail record: the [`EventSpec`] both routine traffic and the incident fill in,
//! and [`EventSpec::render`], which writes it as compact JSON with AWS's key order.

use crate::clock;
use crate::identities::Who;
use crate::json::{self, Obj};

/// A resource entry of the `resources` array.
#[derive(Debug, Clone)]
pub struct Resource {
    pub arn: String,
    pub account: Option<String>,
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct EventSpec {
    pub version: &'static str,
    pub who: Who,
    pub time: i64,
    pub source: &'static str,
    pub name: &'static str,
    pub region: &'static str,
    pub ip: String,
    pub user_agent: String,
    pub error: Option<(String, String)>,
    /// Pre-rendered JSON for requestParameters / responseElements / additionalEventData.
    pub request: Option<String>,
    pub response: Option<String>,
    pub additional: Option<String>,
    pub request_id: Option<String>,
    pub event_id: String,
    pub read_only: bool,
    pub resources: Vec<Resource>,
    pub event_type: &'static str,
    pub management: bool,
    pub recipient: String,
    pub shared_event_id: Option<String>,
    /// Pre-rendered `serviceEventDetails` (service events only).
    pub service_details: Option<String>,
    pub vpce: Option<String>,
    pub data: bool,
    /// The host header for tlsDetails, when the call came over TLS from a client.
    pub tls_host: Option<String>,
    pub console_session: bool,
}

impl EventSpec {
    /// Appends the record to `out` as one line of compact JSON.
    pub fn render(&self, out: &mut String) {
        json::object_into(out, |o: &mut Obj<'_>| {
            o.str("eventVersion", self.version)
                .obj("userIdentity", |u| self.who.write(u))
                .str("eventTime", &clock::iso(self.time))
                .str("eventSource", self.source)
                .str("eventName", self.name)
                .str("awsRegion", self.region)
                .str("sourceIPAddress", &self.ip)
                .str("userAgent", &self.user_agent);
            if let Some((code, msg)) = &self.error {
                if !code.is_empty() {
                    o.str("errorCode", code);
                }
                if !msg.is_empty() {
                    o.str("errorMessage", msg);
                }
            }
            o.raw("requestParameters", self.request.as_deref()).raw("responseElements", self.response.as_deref());
            if let Some(add) = &self.additional {
                o.raw("additionalEventData", Some(add));
            }
            o.opt_str("requestID", self.request_id.as_deref())
                .str("eventID", &self.event_id)
                .bool("readOnly", self.read_only);
            if !self.resources.is_empty() {
                o.arr("resources", |a| {
                    for r in &self.resources {
                        a.obj(|o| {
                            o.opt_str("accountId", r.account.as_deref()).str("type", r.kind).str("ARN", &r.arn);
                        });
                    }
                });
            }
            o.str("eventType", self.event_type)
                .bool("managementEvent", self.management)
                .str("recipientAccountId", &self.recipient)
                .opt_str("sharedEventID", self.shared_event_id.as_deref());
            if let Some(details) = &self.service_details {
                o.raw("serviceEventDetails", Some(details));
            }
            o.opt_str("vpcEndpointId", self.vpce.as_deref())
                .str("eventCategory", if self.data { "Data" } else { "Management" });
            if let Some(host) = &self.tls_host {
                o.obj("tlsDetails", |t| {
                    t.str("tlsVersion", "TLSv1.3")
                        .str("cipherSuite", "TLS_AES_128_GCM_SHA256")
                        .str("clientProvidedHostHeader", host);
                });
            }
            if self.console_session {
                o.str("sessionCredentialFromConsole", "true");
            }
        });
    }
}
