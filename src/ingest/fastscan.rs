//! A strict single-pass reader for the hot case: one CloudTrail record inside a trail
//! file's `Records` array.
//!
//! The serde visitors in `scan` handle every shape, but pay per token for the visitor
//! machinery; on the standard 1M-event corpus they were a third of the load. This reader
//! validates JSON just as strictly (string escapes, control characters, number grammar,
//! literals, nesting) while it skips what is not indexed, and extracts the indexed fields
//! with plain byte loops. Whenever a record is anything but a plain CloudTrail event — a
//! container, a digest, a look-alike, a key spelled in another case, invalid JSON — it
//! returns `None`, and the caller falls back to the serde path, which classifies and
//! reports. `tests/fastscan_equivalence.rs` checks both paths agree on every record of the
//! corpora and fixtures.

use std::borrow::Cow;

pub use super::seen::{forget_identities, IdentityBlock, Seen};
use super::seen::{recognise_identity, remember_identity};
use super::special::find_special;
use crate::model::event::{EventFields, Field, IdentityFields};

/// Deepest nesting followed before giving up to the general path (serde's limit is 128).
const MAX_DEPTH: usize = 100;

/// Top-level keys the general path treats as containers or digests.
const CONTAINER_KEYS: [&str; 4] = ["Records", "CloudTrailEvent", "digestStartTime", "logFiles"];

/// The keys the general path reads at each level, matched there ASCII case-insensitively.
/// The fast path matches them exactly; a key equal to one of its level's names in another
/// letter case sends the record to the general path.
mod keys {
    pub const RECORD: &[&str] = &[
        "eventID",
        "eventTime",
        "eventName",
        "eventSource",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "requestID",
        "readOnly",
        "eventType",
        "eventCategory",
        "recipientAccountId",
        "sharedEventID",
        "@timestamp",
        "userIdentity",
        "resources",
        "insightDetails",
        "Records",
        "CloudTrailEvent",
        "digestStartTime",
        "logFiles",
    ];
    pub const IDENTITY: &[&str] = &[
        "type",
        "principalId",
        "arn",
        "accountId",
        "accessKeyId",
        "userName",
        "invokedBy",
        "identityProvider",
        "sessionContext",
        "onBehalfOf",
        "inScopeOf",
    ];
    pub const SESSION: &[&str] = &["sessionIssuer", "attributes", "sourceIdentity"];
    pub const ISSUER: &[&str] = &["type", "arn", "accountId", "userName"];
    pub const ATTRIBUTES: &[&str] = &["mfaAuthenticated", "creationDate"];
    pub const IN_SCOPE: &[&str] = &["credentialsIssuedTo"];
    pub const ON_BEHALF: &[&str] = &["userId", "identityStoreArn"];
    pub const RESOURCE: &[&str] = &["ARN", "type"];
    pub const INSIGHT: &[&str] = &["eventSource", "eventName"];
}

/// The top-level members that the ingest-time reading plan may parse (see
/// `analysis::at_ingest`). The fast reader notes where each is as it passes it, so a record
/// with a plan is not scanned a second time to find them (that scan, of every AssumeRole,
/// GetParameter or ConsoleLogin record, was ~1% of the load).
pub const PLAN_MEMBERS: [&str; 7] = [
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "errorCode",
    "errorMessage",
    "userIdentity",
    "sharedEventID",
];

/// The position of `key` in [`PLAN_MEMBERS`], worked out at compile time where the reader
/// notes a member (a key not in the list fails the build).
const fn plan_member(key: &str) -> usize {
    let mut i = 0;
    while i < PLAN_MEMBERS.len() {
        let (k, key) = (PLAN_MEMBERS[i].as_bytes(), key.as_bytes());
        if k.len() == key.len() {
            let mut j = 0;
            while j < k.len() && k[j] == key[j] {
                j += 1;
            }
            if j == k.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not one of PLAN_MEMBERS")
}

/// Where each of [`PLAN_MEMBERS`] is in a record the fast reader accepted: the byte range
/// of its value's JSON, relative to the record's first byte. A repeated key's last
/// occurrence counts, as in a parse; an absent member has an empty range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberSpans([(u32, u32); PLAN_MEMBERS.len()]);

impl MemberSpans {
    /// The value of member `key` in `record` (the bytes the spans were taken from):
    /// `Some(None)` when the record has no such member, `None` when `key` is not one of
    /// [`PLAN_MEMBERS`] (the spans cannot tell).
    pub fn member<'r>(&self, record: &'r [u8], key: &str) -> Option<Option<&'r [u8]>> {
        let (start, end) = self.0[PLAN_MEMBERS.iter().position(|&k| k == key)?];
        Some((end > start).then(|| record.get(start as usize..end as usize)).flatten())
    }
}

/// A record read by the fast path: its fields, the offset just past its closing brace,
/// its `userIdentity` object, and where its [`PLAN_MEMBERS`] are (`None` for a record of
/// 4 GiB or more). `fields.identity` is filled only when the object was read
/// afresh; a block recognised by its bytes (see [`super::seen`]) leaves it empty, and
/// [`read_identity`] reads it when needed.
pub struct FastRecord<'a> {
    pub fields: EventFields<'a>,
    pub end: usize,
    pub identity_block: Option<IdentityBlock>,
    pub members: Option<MemberSpans>,
}

/// Reads the record object at `text[at..]` (which starts with `{`).
pub fn scan_record(text: &str, at: usize) -> Option<FastRecord<'_>> {
    scan_record_with(text, at, &mut Seen::default())
}

/// [`scan_record`] for one of many records of `text`, all read with the same `seen`.
pub fn scan_record_with<'a>(text: &'a str, at: usize, seen: &mut Seen<'a>) -> Option<FastRecord<'a>> {
    let mut fields = EventFields::default();
    let RecordEnd { end, identity_block, members } = scan_record_into(text, at, seen, &mut fields)?;
    Some(FastRecord { fields, end, identity_block, members })
}

/// What [`scan_record_into`] found besides the fields (see [`FastRecord`]).
pub struct RecordEnd {
    pub end: usize,
    pub identity_block: Option<IdentityBlock>,
    pub members: Option<MemberSpans>,
}

/// [`scan_record_with`] writing the fields into `fields`, which must be empty: the loader
/// reads each record into its place in the list of found records. (Fields are ~450
/// bytes; moving them from the reader to that list through the owners between was a few
/// percent of the load's instructions.) On `None` `fields` holds whatever was read before
/// the reader declined.
pub fn scan_record_into<'a>(
    text: &'a str,
    at: usize,
    seen: &mut Seen<'a>,
    fields: &mut EventFields<'a>,
) -> Option<RecordEnd> {
    let mut p = Parser { text, b: text.as_bytes(), i: at, depth: 0 };
    let mut identity_block = None;
    let mut spans = MemberSpans::default();
    p.record(seen, &mut identity_block, &mut spans, fields)?;
    // The spans were noted as 32-bit offsets into the record: right when its length fits.
    let members = u32::try_from(p.i - at).is_ok().then_some(spans);
    Some(RecordEnd { end: p.i, identity_block, members })
}

/// The fields of `block`, a `userIdentity` object the fast reader accepted in `data` (the
/// input it read): for records whose block was recognised rather than read. `None` only if
/// `block` is not such an object.
pub fn read_identity<'a>(data: &'a [u8], block: &IdentityBlock) -> Option<Box<IdentityFields<'a>>> {
    let text = std::str::from_utf8(data.get(block.start..block.end)?).ok()?;
    // Depth 1: a record's member, where the reader accepted it.
    let mut p = Parser { text, b: text.as_bytes(), i: 0, depth: 1 };
    let fields = p.identity().flatten();
    debug_assert_eq!(p.i, text.len(), "a block the reader accepted reads again");
    fields
}

/// `fields` of a record read in `data`, with the identity of its `block` read when the
/// reader only recognised it (a recognised block comes without fields).
pub fn with_identity<'a>(
    mut fields: EventFields<'a>,
    block: Option<&IdentityBlock>,
    data: &'a [u8],
) -> EventFields<'a> {
    if let (None, Some(block)) = (&fields.identity, block) {
        fields.identity = read_identity(data, block);
    }
    fields
}

/// The raw JSON text of the top-level members of the object `text` whose keys are in
/// `wanted`, in document order (a repeated key appears each time). `None` unless `text`
/// is exactly one valid JSON object whose keys have no escapes: the caller then parses it
/// whole instead.
pub fn top_level_members<'a>(text: &'a str, wanted: &[&str]) -> Option<Vec<(&'a str, &'a str)>> {
    let mut p = Parser { text, b: text.as_bytes(), i: 0, depth: 0 };
    let mut found = Vec::new();
    if p.peek()? != b'{' {
        return None;
    }
    p.object(|p, key| {
        let start = p.i;
        p.skip()?;
        if wanted.contains(&key) {
            found.push((key, &p.text[start..p.i]));
        }
        Some(())
    })?;
    p.ws();
    (p.i == p.b.len()).then_some(found)
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

/// A JSON scalar read as optional text, as `scan::Lenient` does.
type Text<'a> = Field<'a>;

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// The next byte that is not whitespace. Whitespace is at most one space between
    /// tokens in most files (none in CloudTrail's own, one after `,` and `:` in others), so
    /// that case is tried before the loop.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        let mut c = *self.b.get(self.i)?;
        if c == b' ' {
            self.i += 1;
            c = *self.b.get(self.i)?;
        }
        if c > b' ' {
            return Some(c);
        }
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Iterates an object's members: calls `member(self, key)` with the parser positioned
    /// at the value, which the callback must consume. Keys are read here rather than by a
    /// callback: the call per key was not inlined, and cost 3% of the load. A key with
    /// escapes is left to the general path (keys are matched, and escaped ones would need
    /// decoding first).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        if self.peek()? == b'}' {
            self.i += 1;
            self.depth -= 1;
            return Some(());
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let (start, end, escaped) = self.string_bounds()?;
            if escaped {
                return None;
            }
            let key = &self.text[start..end];
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Consumes a string at `self.i`: `(content start, content end, has escapes)`.
    /// Inlined for the common plain string (a CloudTrail record has ~65 strings, and the
    /// call with the escape handling inside cost more than the scan of a short string);
    /// escapes and errors take the out-of-line path.
    #[inline(always)]
    fn string_bounds(&mut self) -> Option<(usize, usize, bool)> {
        debug_assert_eq!(self.b[self.i], b'"');
        let start = self.i + 1;
        let k = start + find_special(&self.b[start..])?;
        if self.b[k] == b'"' {
            self.i = k + 1;
            return Some((start, k, false));
        }
        self.string_bounds_special(start, k)
    }

    /// The rest of a string whose first special byte (escape or control) is at `k`.
    #[cold]
    #[inline(never)]
    fn string_bounds_special(&mut self, start: usize, mut k: usize) -> Option<(usize, usize, bool)> {
        let mut escaped = false;
        loop {
            if self.b[k] < 0x20 {
                return None; // raw control characters are invalid in JSON strings
            }
            if self.b[k] == b'"' {
                self.i = k + 1;
                return Some((start, k, escaped));
            }
            escaped = true;
            let mut j = k + 2;
            match self.b.get(k + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.b.get(k + 2..k + 6)?;
                    let code = std::str::from_utf8(hex).ok().and_then(|h| u16::from_str_radix(h, 16).ok())?;
                    if (0xD800..=0xDFFF).contains(&code) {
                        return None; // surrogate pairs: let serde judge them
                    }
                    j = k + 6;
                }
                _ => return None,
            }
            k = j + find_special(self.b.get(j..)?)?;
        }
    }

    /// A string value, borrowed unless it has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let (start, end, escaped) = self.string_bounds()?;
        if !escaped {
            return Some(Cow::Borrowed(&self.text[start..end]));
        }
        serde_json::from_str::<String>(&self.text[start - 1..=end]).ok().map(Cow::Owned)
    }

    /// Any value as optional text (strings, numbers and booleans as text; null and
    /// containers as absent).
    fn text(&mut self) -> Option<Text<'a>> {
        match *self.b.get(self.i)? {
            b'"' => self.string().map(Some),
            b'{' | b'[' => self.skip().map(|()| None),
            b'n' => self.literal(b"null").map(|()| None),
            b't' => self.literal(b"true").map(|()| Some(Cow::Borrowed("true"))),
            b'f' => self.literal(b"false").map(|()| Some(Cow::Borrowed("false"))),
            _ => {
                let start = self.i;
                self.number()?;
                Some(Some(Cow::Borrowed(&self.text[start..self.i])))
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..].starts_with(word).then(|| self.i += word.len())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            (p.i > s).then_some(())
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else {
            digits(self)?;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            digits(self)?;
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self)?;
        }
        // A number must end where a value may end.
        match self.b.get(self.i) {
            None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') => Some(()),
            _ => None,
        }
    }

    /// Skips any value, validating it.
    fn skip(&mut self) -> Option<()> {
        match *self.b.get(self.i)? {
            b'{' | b'[' => self.skip_container(),
            _ => self.skip_scalar(),
        }
    }

    /// Skips a string, number or literal, validating it.
    #[inline(always)]
    fn skip_scalar(&mut self) -> Option<()> {
        match *self.b.get(self.i)? {
            b'"' => self.string_bounds().map(|_| ()),
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            _ => self.number(),
        }
    }

    /// Skips the object or array at `self.i`, validating it as [`Parser::object`] and
    /// [`Parser::array`] would read it (keys are checked as strings but never sliced or
    /// matched, so a key with escapes is fine here). Most of a record's bytes are in such
    /// values (`requestParameters`, `responseElements`, `tlsDetails`). One loop over their
    /// tokens, with the open containers as bits of a word, rather than recursive calls per
    /// value, member and element: 1.6% fewer instructions for a whole load, though a
    /// reader-only loop is no faster in its best runs.
    fn skip_container(&mut self) -> Option<()> {
        // Bit k of `objects` is set when the k-th open container (from the outermost) is an
        // object; MAX_DEPTH bounds `open` below the word's width.
        const _: () = assert!(MAX_DEPTH < 128, "open containers are bits of a u128");
        let (mut objects, mut open) = (0u128, 0usize);
        loop {
            // At a value (whitespace before it skipped).
            match *self.b.get(self.i)? {
                c @ (b'{' | b'[') => {
                    if self.depth + open + 1 > MAX_DEPTH {
                        return None;
                    }
                    self.i += 1;
                    let object = c == b'{';
                    objects = objects & !(1 << open) | (u128::from(object) << open);
                    open += 1;
                    match self.peek()? {
                        b'}' if object => self.i += 1,
                        b']' if !object => self.i += 1,
                        _ => {
                            if object {
                                self.key()?;
                            }
                            self.ws();
                            continue;
                        }
                    }
                    // An empty container: closed below.
                    open -= 1;
                }
                _ => self.skip_scalar()?,
            }
            // After a value: a comma leads to the next one, a bracket closes its container.
            loop {
                if open == 0 {
                    return Some(());
                }
                let object = objects >> (open - 1) & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        if object {
                            self.key()?;
                        }
                        self.ws();
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                self.i += 1;
                open -= 1;
            }
        }
    }

    /// A key of a skipped object and its colon.
    #[inline(always)]
    fn key(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        self.string_bounds()?;
        self.eat(b':')
    }

    /// Iterates an array's elements: `element(self)` must consume one value.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        if self.peek()? == b']' {
            self.i += 1;
            self.depth -= 1;
            return Some(());
        }
        loop {
            self.ws();
            element(self)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Runs `f` on an object value, or skips a value of another type (as the lenient
    /// serde visitors do).
    fn maybe_object(&mut self, f: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<bool> {
        if self.b.get(self.i)? == &b'{' {
            self.object(f).map(|()| true)
        } else {
            self.skip().map(|()| false)
        }
    }

    /// Reads a record into `f`; `spans` gets where its [`PLAN_MEMBERS`] are.
    fn record(
        &mut self,
        seen: &mut Seen<'a>,
        identity_block: &mut Option<IdentityBlock>,
        spans: &mut MemberSpans,
        f: &mut EventFields<'a>,
    ) -> Option<()> {
        let mut event_keys = 0u8;
        let base = self.i;
        self.object(|p, key| {
            let start = p.i;
            // The value just read is member `k` of PLAN_MEMBERS (see `plan_member`).
            let mut note = |p: &Self, k: usize| spans.0[k] = ((start - base) as u32, (p.i - base) as u32);
            match key {
                "eventID" => f.event_id = p.text()?,
                "eventTime" => f.event_time = p.text()?,
                "eventName" => {
                    f.event_name = p.text()?;
                    event_keys |= 1;
                }
                "eventSource" => {
                    f.event_source = p.text()?;
                    event_keys |= 2;
                }
                "awsRegion" => f.aws_region = p.text()?,
                "sourceIPAddress" => f.source_ip = p.text()?,
                "userAgent" => f.user_agent = p.text()?,
                "errorCode" => {
                    f.error_code = p.text()?;
                    note(p, const { plan_member("errorCode") });
                }
                "errorMessage" => {
                    f.error_message = p.text()?;
                    note(p, const { plan_member("errorMessage") });
                }
                "requestID" => f.request_id = p.text()?,
                "readOnly" => f.read_only = p.text()?,
                "eventType" => {
                    f.event_type = p.text()?;
                    if f.event_type.as_deref() == Some("AwsCloudTrailInsight") {
                        f.insight = true;
                    }
                }
                "eventCategory" => f.event_category = p.text()?,
                "recipientAccountId" => f.recipient_account = p.text()?,
                "sharedEventID" => {
                    f.shared_event_id = p.text()?;
                    note(p, const { plan_member("sharedEventID") });
                }
                "@timestamp" => f.at_timestamp = p.text()?,
                "userIdentity" => {
                    // A repeated key: the last block counts, here as in the fields.
                    let object = p.b.get(start) == Some(&b'{');
                    let recognised = if object { recognise_identity(&p.text[start..]) } else { None };
                    (f.identity, *identity_block) = match recognised {
                        Some((number, len)) => {
                            p.i += len;
                            (None, Some(IdentityBlock { number, start, end: p.i }))
                        }
                        None => {
                            let fields = p.identity()?;
                            // Blocks the memory does not keep get no number: their records
                            // carry their fields, as records of the general path do.
                            let number = if object { remember_identity(&p.text[start..p.i]) } else { None };
                            (fields, number.map(|number| IdentityBlock { number, start, end: p.i }))
                        }
                    };
                    note(p, const { plan_member("userIdentity") });
                }
                "resources" => f.resources = p.resources()?,
                "insightDetails" => {
                    let (mut source, mut name) = (None, None);
                    let present = p.maybe_object(|p, key| {
                        match key {
                            "eventSource" => source = p.text()?,
                            "eventName" => name = p.text()?,
                            other => p.skip_unknown(other, keys::INSIGHT)?,
                        }
                        Some(())
                    })?;
                    if present {
                        f.insight = true;
                        f.event_source = f.event_source.take().or(source);
                        f.event_name = f.event_name.take().or(name);
                    }
                }
                k if CONTAINER_KEYS.contains(&k) => return None,
                "requestParameters" => {
                    p.skip_member(key, seen)?;
                    note(p, const { plan_member("requestParameters") });
                }
                "responseElements" => {
                    p.skip_member(key, seen)?;
                    note(p, const { plan_member("responseElements") });
                }
                "additionalEventData" => {
                    p.skip_member(key, seen)?;
                    note(p, const { plan_member("additionalEventData") });
                }
                other => p.skip_member(other, seen)?,
            }
            Some(())
        })?;
        let is_event =
            f.insight || (event_keys == 0b11 && !f.event_source.as_deref().is_some_and(|s| s.starts_with("aws:")));
        is_event.then_some(())
    }

    /// Skips the value of a key this level does not read. Called only after the exact
    /// names of the level were matched, so a case-insensitive hit here is a case variant
    /// that the general path would read: the record goes there.
    fn skip_unknown(&mut self, key: &str, level: &[&str]) -> Option<()> {
        if level.iter().any(|k| k.len() == key.len() && k.eq_ignore_ascii_case(key)) {
            return None;
        }
        self.skip()
    }

    /// Skips the value of a record member the record level does not read
    /// ([`Parser::skip_unknown`]), recognising it when it repeats the member's last object
    /// or array (see [`Seen`]).
    fn skip_member(&mut self, key: &'a str, seen: &mut Seen<'a>) -> Option<()> {
        if !matches!(self.b.get(self.i), Some(b'{' | b'[')) {
            return self.skip_unknown(key, keys::RECORD);
        }
        let start = self.i;
        if let Some(len) = seen.skipped(key, &self.text[start..]) {
            self.i += len;
            return Some(());
        }
        self.skip_unknown(key, keys::RECORD)?;
        seen.remember_skipped(key, &self.text[start..self.i]);
        Some(())
    }

    fn identity(&mut self) -> Option<Option<Box<IdentityFields<'a>>>> {
        let mut i = IdentityFields::default();
        let present = self.maybe_object(|p, key| {
            match key {
                "type" => i.kind = p.text()?,
                "principalId" => i.principal_id = p.text()?,
                "arn" => i.arn = p.text()?,
                "accountId" => i.account_id = p.text()?,
                "accessKeyId" => i.access_key_id = p.text()?,
                "userName" => i.user_name = p.text()?,
                "invokedBy" => i.invoked_by = p.text()?,
                "identityProvider" => i.identity_provider = p.text()?,
                "sessionContext" => {
                    p.maybe_object(|p, key| {
                        match key {
                            "sessionIssuer" => {
                                p.maybe_object(|p, key| {
                                    match key {
                                        "type" => i.issuer_kind = p.text()?,
                                        "arn" => i.issuer_arn = p.text()?,
                                        "accountId" => i.issuer_account_id = p.text()?,
                                        "userName" => i.issuer_user_name = p.text()?,
                                        other => p.skip_unknown(other, keys::ISSUER)?,
                                    }
                                    Some(())
                                })?;
                            }
                            "attributes" => {
                                p.maybe_object(|p, key| {
                                    match key {
                                        "mfaAuthenticated" => i.mfa_authenticated = p.text()?,
                                        "creationDate" => i.session_created = p.text()?,
                                        other => p.skip_unknown(other, keys::ATTRIBUTES)?,
                                    }
                                    Some(())
                                })?;
                            }
                            "sourceIdentity" => i.source_identity = p.text()?,
                            other => p.skip_unknown(other, keys::SESSION)?,
                        }
                        Some(())
                    })?;
                }
                "onBehalfOf" => {
                    p.maybe_object(|p, key| {
                        match key {
                            "userId" => i.on_behalf_user_id = p.text()?,
                            "identityStoreArn" => i.on_behalf_store_arn = p.text()?,
                            other => p.skip_unknown(other, keys::ON_BEHALF)?,
                        }
                        Some(())
                    })?;
                }
                "inScopeOf" => {
                    p.maybe_object(|p, key| {
                        match key {
                            "credentialsIssuedTo" => i.credentials_issued_to = p.text()?,
                            other => p.skip_unknown(other, keys::IN_SCOPE)?,
                        }
                        Some(())
                    })?;
                }
                other => p.skip_unknown(other, keys::IDENTITY)?,
            }
            Some(())
        })?;
        Some(present.then(|| Box::new(i)))
    }

    /// `resources[]`: each entry's ARN and type, as `scan::ResourcesScan` collects them.
    fn resources(&mut self) -> Option<Vec<Cow<'a, str>>> {
        let mut out: Vec<Cow<'a, str>> = Vec::new();
        if self.b.get(self.i)? != &b'[' {
            self.skip()?;
            return Some(out);
        }
        self.array(|p| {
            match p.b.get(p.i)? {
                b'{' => {
                    let (mut arn, mut kind) = (None, None);
                    p.object(|p, key| {
                        match key {
                            "ARN" => arn = p.text()?,
                            "type" => kind = p.text()?,
                            other => p.skip_unknown(other, keys::RESOURCE)?,
                        }
                        Some(())
                    })?;
                    out.extend(arn);
                    if let Some(t) = kind {
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                }
                b'"' => out.push(p.string()?),
                _ => p.skip()?,
            }
            Some(())
        })?;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &str) -> Option<EventFields<'_>> {
        scan_record(json, 0).map(|r| r.fields)
    }

    #[test]
    fn reads_a_record_and_its_end() {
        let json = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/R"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","readOnly":true,"userAgent":"a\"b","requestParameters":{"x":[1,-2.5e3,null,{"y":"\u00e9"}]},"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]} tail"#;
        let r = scan_record(json, 0).unwrap();
        assert_eq!(&json[r.end..], " tail");
        let f = r.fields;
        assert_eq!(f.event_name.as_deref(), Some("GetObject"));
        assert_eq!(f.read_only.as_deref(), Some("true"));
        assert_eq!(f.user_agent.as_deref(), Some("a\"b"));
        let id = f.identity.unwrap();
        assert_eq!(id.issuer_arn.as_deref(), Some("arn:aws:iam::1:role/R"));
        assert_eq!(id.mfa_authenticated.as_deref(), Some("false"));
        assert_eq!(f.resources, vec!["arn:aws:s3:::b", "AWS::S3::Bucket"]);
    }

    #[test]
    fn leaves_everything_unusual_to_the_general_path() {
        for json in [
            r#"{"Records":[]}"#,                                           // container
            r#"{"eventName":"ObjectCreated:Put","eventSource":"aws:s3"}"#, // look-alike
            r#"{"eventname":"A","eventSource":"s"}"#,                      // other case
            r#"{"eventName":"A"}"#,                                        // not an event
            r#"{"eventName":"A","eventSource":"s","x":tru}"#,              // bad literal
            r#"{"eventName":"A","eventSource":"s","x":01}"#,               // bad number
            "{\"eventName\":\"A\u{1}\",\"eventSource\":\"s\"}",            // raw control
            r#"{"eventName":"A","eventSource":"s","x":"\q"}"#,             // bad escape
            r#"{"eventName":"A","eventSource":"s" "x":1}"#,                // missing comma
            r#"{"eventName":"A","eventSource":"s","x":[1,2}"#,             // mismatched
            r#"{"eventName":"A","eventSource":"s""#,                       // truncated
        ] {
            assert!(fields(json).is_none(), "{json}");
        }
    }

    /// The value of a member the reader skips, in a record: serde_json is the oracle. A
    /// valid record must be read to its end; whatever the reader accepts must be a valid
    /// object (the value may close the record early: what follows is its caller's). The
    /// callers avoid what the reader leaves to the general path on purpose (surrogate
    /// escapes, nesting past `MAX_DEPTH`), for which "declined valid" would not hold.
    fn skipped_agrees_with_serde(value: &str) {
        let json = format!(r#"{{"eventName":"A","eventSource":"s","x":{value},"eventID":"e"}}"#);
        let valid = |text: &str| serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object());
        match scan_record(&json, 0) {
            Some(r) => {
                assert!(valid(&json[..r.end]), "accepted invalid {}", &json[..r.end]);
                assert!(r.end == json.len() || !valid(&json), "stopped early in {json}");
            }
            None => assert!(!valid(&json), "declined valid {json}"),
        }
    }

    #[test]
    fn skipped_values_are_validated_as_json() {
        for value in [
            "{}",
            "[]",
            "[[]]",
            "[{}]",
            "{\"a\":{}}",
            "{\"a\":[]}",
            "[[],{},[{}]]",
            " { } ",
            "[ ]",
            "{ \"a\" : [ 1 , { \"b\" : null } ] }",
            "{\"a\\\"b\":1}",
            "[\"x\",\"\\u0041\"]",
            "[-0.5e+3,true,false]",
            // Invalid: each must be declined.
            "[1,]",
            "{\"a\":1,}",
            "{,}",
            "[,]",
            "[,1]",
            "{\"a\" 1}",
            "{\"a\":}",
            "{\"a\"}",
            "{1:2}",
            "{a:1}",
            "[}",
            "{]",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "[[]",
            "[]]",
            "{{}}",
            "[:]",
            "{\"a\"::1}",
            "[01]",
            "[1.]",
            "[tru]",
            "[nul]",
            "[\"\u{1}\"]",
            "[\"\\x\"]",
            "{\"a\":1]",
            "[{\"a\":1]]",
            "[1,,2]",
            "{\"a\":1,,\"b\":2}",
            "[\"a\":1]",
            "{\"a\",1}",
            "[{},[1}]",
        ] {
            skipped_agrees_with_serde(value);
        }
    }

    #[test]
    fn skipped_values_nest_up_to_the_depth_limit() {
        // The record is one level; a member nested to MAX_DEPTH - 1 more levels is read,
        // one level deeper goes to the general path (which takes up to 128). Inside
        // `insightDetails`, a second level, the limit comes one level sooner.
        for (depth, read) in [(MAX_DEPTH - 1, true), (MAX_DEPTH, false)] {
            for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
                let value = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                let json = format!(r#"{{"eventName":"A","eventSource":"s","x":{value}}}"#);
                assert_eq!(fields(&json).is_some(), read, "depth {depth} {open}");
                let inner = format!("{}1{}", open.repeat(depth - 1), close.repeat(depth - 1));
                let json = format!(r#"{{"eventName":"A","eventSource":"s","insightDetails":{{"x":{inner}}}}}"#);
                assert_eq!(fields(&json).is_some(), read, "depth {depth} {open} in insightDetails");
            }
        }
    }

    #[test]
    fn skipped_token_soup_agrees_with_serde() {
        // Every sequence of up to five tokens from a small JSON alphabet, as a value.
        const TOKENS: [&str; 11] = ["{", "}", "[", "]", ",", ":", "\"k\"", "1", "null", " ", "{}"];
        let mut soup = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = soup.iter().flat_map(|s| TOKENS.iter().map(move |t| format!("{s}{t}"))).collect();
            for value in &longer {
                skipped_agrees_with_serde(value);
            }
            soup = longer;
        }
    }

    #[test]
    fn a_record_cut_anywhere_is_declined_without_panicking() {
        let json = r#"{"eventName":"A","eventSource":"s","userIdentity":{"type":"IAMUser","arn":"x"},"eventID":"e"}"#;
        assert!(fields(json).is_some());
        for end in 0..json.len() {
            assert!(fields(&json[..end]).is_none(), "{}", &json[..end]);
            // With a space before the cut too (the value of a member may start anywhere).
            assert!(fields(&format!("{} ", &json[..end])).is_none());
        }
    }

    #[test]
    fn strings_with_several_escapes() {
        let json = r#"{"eventName":"A\"B\\C\u00e9D\n","eventSource":"s","userAgent":"\\","x":"\"\""}"#;
        let f = fields(json).unwrap();
        assert_eq!(f.event_name.as_deref(), Some("A\"B\\C\u{e9}D\n"));
        assert_eq!(f.user_agent.as_deref(), Some("\\"));
        // A raw control character after an escape, or an escape cut by the end.
        assert!(fields("{\"eventName\":\"A\\nB\u{1}\",\"eventSource\":\"s\"}").is_none());
        assert!(fields(r#"{"eventName":"A","eventSource":"s","x":"\u00e"#).is_none());
        assert!(fields(r#"{"eventName":"A","eventSource":"s","x":"ab\"#).is_none());
    }

    #[test]
    fn top_level_members_are_raw_spans_in_order() {
        let json = r#" {"a":1,"b":{"c":[1,"}"]},"a":"x","d":null} "#;
        let found = top_level_members(json, &["a", "b"]).unwrap();
        assert_eq!(found, [("a", "1"), ("b", r#"{"c":[1,"}"]}"#), ("a", r#""x""#)]);
        assert_eq!(top_level_members(json, &["zz"]).unwrap(), []);
        // Not one valid object, or a key with an escape: the caller parses it whole.
        for bad in [r#"[1]"#, r#"{"a":1} {}"#, r#"{"a":tru}"#, r#"{"\u0061":1}"#, r#"{"a":1"#] {
            assert_eq!(top_level_members(bad, &["a"]), None, "{bad}");
        }
    }

    #[test]
    fn notes_where_the_planned_members_are() {
        // Offsets are relative to the record, which starts at byte 3 of the text here.
        let text = r#"xx {"eventSource":"s","eventName":"n","errorCode":"E1","requestParameters":{"a":[1,{}]},"userIdentity":{"type":"Root"},"responseElements":null,"errorCode":7}"#;
        let spans = scan_record(text, 3).unwrap().members.unwrap();
        let record = &text.as_bytes()[3..];
        let member = |key| spans.member(record, key).map(|m| m.map(|b| std::str::from_utf8(b).unwrap()));
        assert_eq!(member("requestParameters"), Some(Some(r#"{"a":[1,{}]}"#)));
        assert_eq!(member("userIdentity"), Some(Some(r#"{"type":"Root"}"#)));
        assert_eq!(member("responseElements"), Some(Some("null")));
        assert_eq!(member("errorCode"), Some(Some("7")), "a repeated key: the last one");
        assert_eq!(member("additionalEventData"), Some(None), "absent");
        assert_eq!(member("sharedEventID"), Some(None), "absent");
        assert_eq!(member("eventName"), None, "not a planned member");
    }
}
