//! One pass over a JSON object that both classifies it (CloudTrail event, container of
//! events, digest, look-alike) and extracts the fields the store indexes, borrowing from
//! the input buffer.
//!
//! The visitors are hand-written instead of `#[derive(Deserialize)]` because real data is
//! sloppy and hostile: a field may be a number where a string is expected, a key may appear
//! twice (derive rejects the whole record), keys may be lower-case (Panther test data), and
//! unknown sub-objects must be kept as `RawValue`s so that we can look for events nested in
//! wrappers (EventBridge `detail`, test harness `data`, Cribl `_raw`, CloudWatch `message`).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::model::event::{EventFields, Field, IdentityFields};

/// Visitor methods that accept every JSON type other than the one a visitor is for,
/// consuming it and yielding `$default`, so a mistyped field never fails its record.
macro_rules! accept_other_json {
    ($default:expr; $($skip:ident),*) => {
        $(accept_other_json!(@one $skip, $default);)*
    };
    (@one str, $d:expr) => { fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok($d) } };
    (@one bool, $d:expr) => { fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok($d) } };
    (@one num, $d:expr) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok($d) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok($d) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok($d) }
    };
    (@one unit, $d:expr) => { fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok($d) } };
    (@one seq, $d:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
            while s.next_element::<IgnoredAny>()?.is_some() {}
            Ok($d)
        }
    };
    (@one map, $d:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($d)
        }
    };
}

/// A JSON string that borrows from the input when it contains no escapes.
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value read as optional text: strings as-is, numbers and booleans as their
/// literal text, null/objects/arrays as `None` (consumed without error).
pub struct Lenient<'a>(pub Field<'a>);

impl<'de> Deserialize<'de> for Lenient<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Lenient(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Lenient(None))
            }
            accept_other_json!(Lenient(None); map, seq);
        }
        d.deserialize_any(V)
    }
}

/// Matches a key exactly against its CloudTrail spelling, else ASCII case-insensitively
/// (some exporters lower-case every key).
fn key_is(key: &str, name: &str) -> bool {
    key == name || (key.len() == name.len() && key.eq_ignore_ascii_case(name))
}

/// Runs `$body` for a map's entries, dispatching on the key with [`key_is`]. Unknown keys
/// fall through to `$other`.
macro_rules! for_each_key {
    ($map:ident, $key:ident, { $($name:literal => $action:expr,)* } else $other:expr) => {
        while let Some(Text($key)) = $map.next_key::<Text<'de>>()? {
            let k: &str = &$key;
            $( if key_is(k, $name) { $action; continue; } )*
            $other;
        }
    };
}

fn lenient<'de, A: MapAccess<'de>>(m: &mut A) -> Result<Field<'de>, A::Error> {
    Ok(m.next_value::<Lenient<'de>>()?.0)
}

/// What one JSON object turned out to be, with the fields if it is an event.
#[derive(Default)]
pub struct ObjectScan<'a> {
    pub fields: EventFields<'a>,
    /// `Records` array elements (trail files, Event-history JSON).
    pub records: Option<Vec<&'a RawValue>>,
    /// `CloudTrailEvent` (lookup-events items): the event as a JSON string.
    pub cloudtrail_event: Option<&'a RawValue>,
    /// Values of other keys that may hold nested events (objects, arrays, strings).
    pub children: Vec<&'a RawValue>,
    digest_keys: u8,
    /// `eventName` and `eventSource` keys seen (even with null values: an all-null record
    /// in a `Records` array is still a record).
    event_keys: u8,
}

impl<'a> ObjectScan<'a> {
    /// An object is a CloudTrail event when it names an event and its source, or is an
    /// Insights record. `eventSource` values of the form `aws:s3` belong to S3/SQS event
    /// notifications, which imitate the `Records` envelope: those are not CloudTrail.
    pub fn is_event(&self) -> bool {
        if self.cloudtrail_event.is_some() {
            return false;
        }
        if self.fields.insight {
            return true;
        }
        self.event_keys == 0b11 && !self.fields.event_source.as_deref().is_some_and(|s| s.starts_with("aws:"))
    }

    /// The reason an event-like object was rejected, for the load report.
    pub fn lookalike(&self) -> Option<&'static str> {
        match self.fields.event_source.as_deref() {
            Some(src) if src.starts_with("aws:") && self.fields.event_name.is_some() => {
                Some("an AWS event notification (eventSource \"aws:…\"), not a CloudTrail record")
            }
            _ => None,
        }
    }

    /// A CloudTrail digest file (`digestStartTime` and `logFiles`).
    pub fn is_digest(&self) -> bool {
        self.digest_keys == 0b11
    }
}

impl<'de> Deserialize<'de> for ObjectScan<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor)
    }
}

pub(crate) struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = ObjectScan<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut s = ObjectScan::default();
        let f = &mut s.fields;
        for_each_key!(m, key, {
            "eventID" => f.event_id = lenient(&mut m)?,
            "eventTime" => f.event_time = lenient(&mut m)?,
            "eventName" => {
                f.event_name = lenient(&mut m)?;
                s.event_keys |= 1;
            },
            "eventSource" => {
                f.event_source = lenient(&mut m)?;
                s.event_keys |= 2;
            },
            "awsRegion" => f.aws_region = lenient(&mut m)?,
            "sourceIPAddress" => f.source_ip = lenient(&mut m)?,
            "userAgent" => f.user_agent = lenient(&mut m)?,
            "errorCode" => f.error_code = lenient(&mut m)?,
            "errorMessage" => f.error_message = lenient(&mut m)?,
            "requestID" => f.request_id = lenient(&mut m)?,
            "readOnly" => f.read_only = lenient(&mut m)?,
            "eventType" => {
                f.event_type = lenient(&mut m)?;
                if f.event_type.as_deref() == Some("AwsCloudTrailInsight") {
                    f.insight = true;
                }
            },
            "eventCategory" => f.event_category = lenient(&mut m)?,
            "recipientAccountId" => f.recipient_account = lenient(&mut m)?,
            "sharedEventID" => f.shared_event_id = lenient(&mut m)?,
            "@timestamp" => f.at_timestamp = lenient(&mut m)?,
            "userIdentity" => f.identity = m.next_value::<IdentityScan<'de>>()?.0,
            "resources" => f.resources = m.next_value::<ResourcesScan<'de>>()?.0,
            "insightDetails" => {
                let d = m.next_value::<InsightScan<'de>>()?;
                if d.present {
                    f.insight = true;
                    f.event_source = f.event_source.take().or(d.event_source);
                    f.event_name = f.event_name.take().or(d.event_name);
                }
            },
            "Records" => s.records = m.next_value::<MaybeArray<'de>>()?.0,
            "CloudTrailEvent" => {
                let raw = m.next_value::<&'de RawValue>()?;
                if raw.get().starts_with('"') {
                    s.cloudtrail_event = Some(raw);
                }
            },
            "digestStartTime" => {
                m.next_value::<IgnoredAny>()?;
                s.digest_keys |= 1;
            },
            "logFiles" => {
                m.next_value::<IgnoredAny>()?;
                s.digest_keys |= 2;
            },
        } else {
            // Children are searched only in objects that are not events; once an object
            // has both event keys (CloudTrail writes them first) its other values are skipped.
            if s.event_keys == 0b11 {
                m.next_value::<IgnoredAny>()?;
            } else {
                let raw = m.next_value::<&'de RawValue>()?;
                if matches!(raw.get().as_bytes().first(), Some(b'{' | b'[' | b'"')) {
                    s.children.push(raw);
                }
            }
        });
        Ok(s)
    }
}

/// `Records` when it is an array; anything else is ignored.
struct MaybeArray<'a>(Option<Vec<&'a RawValue>>);

impl<'de> Deserialize<'de> for MaybeArray<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeArray<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(s.size_hint().unwrap_or(64));
                while let Some(item) = s.next_element::<&'de RawValue>()? {
                    items.push(item);
                }
                Ok(MaybeArray(Some(items)))
            }
            accept_other_json!(MaybeArray(None); map, str, bool, num, unit);
        }
        d.deserialize_any(V)
    }
}

/// `userIdentity`, including `sessionContext` and `onBehalfOf`.
struct IdentityScan<'a>(Option<Box<IdentityFields<'a>>>);

impl<'de> Deserialize<'de> for IdentityScan<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdentityScan<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("userIdentity")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut i = IdentityFields::default();
                for_each_key!(m, key, {
                    "type" => i.kind = lenient(&mut m)?,
                    "principalId" => i.principal_id = lenient(&mut m)?,
                    "arn" => i.arn = lenient(&mut m)?,
                    "accountId" => i.account_id = lenient(&mut m)?,
                    "accessKeyId" => i.access_key_id = lenient(&mut m)?,
                    "userName" => i.user_name = lenient(&mut m)?,
                    "invokedBy" => i.invoked_by = lenient(&mut m)?,
                    "identityProvider" => i.identity_provider = lenient(&mut m)?,
                    "sessionContext" => m.next_value_seed(SessionSeed(&mut i))?,
                    "onBehalfOf" => m.next_value_seed(OnBehalfSeed(&mut i))?,
                    "inScopeOf" => m.next_value_seed(InScopeSeed(&mut i))?,
                } else m.next_value::<IgnoredAny>()?);
                Ok(IdentityScan(Some(Box::new(i))))
            }
            accept_other_json!(IdentityScan(None); str, bool, num, unit, seq);
        }
        d.deserialize_any(V)
    }
}

/// Defines a seed that reads a (possibly absent or mistyped) sub-object into fields of
/// an `IdentityFields` already under construction.
macro_rules! identity_seed {
    ($seed:ident, $what:literal, |$m:ident, $i:ident| { $($name:literal => $action:expr,)* }) => {
        struct $seed<'s, 'de>(&'s mut IdentityFields<'de>);
        impl<'de> de::DeserializeSeed<'de> for $seed<'_, 'de> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_any(self)
            }
        }
        impl<'de> Visitor<'de> for $seed<'_, 'de> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($what)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut $m: A) -> Result<(), A::Error> {
                let $i = self.0;
                for_each_key!($m, key, { $($name => $action,)* } else $m.next_value::<IgnoredAny>()?);
                Ok(())
            }
            accept_other_json!((); str, bool, num, unit, seq);
        }
    };
}

identity_seed!(SessionSeed, "sessionContext", |m, i| {
    "sessionIssuer" => m.next_value_seed(IssuerSeed(&mut *i))?,
    "attributes" => m.next_value_seed(AttributesSeed(&mut *i))?,
    "sourceIdentity" => i.source_identity = lenient(&mut m)?,
});

identity_seed!(IssuerSeed, "sessionIssuer", |m, i| {
    "type" => i.issuer_kind = lenient(&mut m)?,
    "arn" => i.issuer_arn = lenient(&mut m)?,
    "accountId" => i.issuer_account_id = lenient(&mut m)?,
    "userName" => i.issuer_user_name = lenient(&mut m)?,
});

identity_seed!(AttributesSeed, "attributes", |m, i| {
    "mfaAuthenticated" => i.mfa_authenticated = lenient(&mut m)?,
    "creationDate" => i.session_created = lenient(&mut m)?,
});

identity_seed!(InScopeSeed, "inScopeOf", |m, i| {
    "credentialsIssuedTo" => i.credentials_issued_to = lenient(&mut m)?,
});

identity_seed!(OnBehalfSeed, "onBehalfOf", |m, i| {
    "userId" => i.on_behalf_user_id = lenient(&mut m)?,
    "identityStoreArn" => i.on_behalf_store_arn = lenient(&mut m)?,
});

/// `resources[]`: each entry's ARN and type (both are filterable).
struct ResourcesScan<'a>(Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for ResourcesScan<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResourcesScan<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("resources")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = s.next_element::<ResourceEntry<'de>>()? {
                    out.extend(entry.arn);
                    if let Some(t) = entry.kind {
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                }
                Ok(ResourcesScan(out))
            }
            accept_other_json!(ResourcesScan(Vec::new()); map, str, bool, num, unit);
        }
        d.deserialize_any(V)
    }
}

#[derive(Default)]
struct ResourceEntry<'a> {
    arn: Field<'a>,
    kind: Field<'a>,
}

impl<'de> Deserialize<'de> for ResourceEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResourceEntry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a resource")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut r = ResourceEntry::default();
                for_each_key!(m, key, {
                    "ARN" => r.arn = lenient(&mut m)?,
                    "type" => r.kind = lenient(&mut m)?,
                } else m.next_value::<IgnoredAny>()?);
                Ok(r)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ResourceEntry { arn: Some(Cow::Owned(v.to_owned())), kind: None })
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ResourceEntry { arn: Some(Cow::Borrowed(v)), kind: None })
            }
            accept_other_json!(ResourceEntry::default(); seq, bool, num, unit);
        }
        d.deserialize_any(V)
    }
}

/// `insightDetails`: where an Insights record names the API it is about.
#[derive(Default)]
struct InsightScan<'a> {
    present: bool,
    event_source: Field<'a>,
    event_name: Field<'a>,
}

impl<'de> Deserialize<'de> for InsightScan<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = InsightScan<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("insightDetails")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut s = InsightScan { present: true, ..Default::default() };
                for_each_key!(m, key, {
                    "eventSource" => s.event_source = lenient(&mut m)?,
                    "eventName" => s.event_name = lenient(&mut m)?,
                } else m.next_value::<IgnoredAny>()?);
                Ok(s)
            }
            accept_other_json!(InsightScan::default(); str, bool, num, unit, seq);
        }
        d.deserialize_any(V)
    }
}
