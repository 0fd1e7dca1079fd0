//! Finds the CloudTrail records in one decompressed input, whatever envelope holds them:
//! `{"Records":[…]}`, lookup-events `Events[].CloudTrailEvent` strings, EventBridge
//! `detail`, CloudWatch `message` strings, test-harness and Cribl wrappers, JSON Lines,
//! top-level arrays, concatenated documents, single events.
//!
//! Rather than a list of known envelopes, discovery walks the JSON: an object that is an
//! event (see [`ObjectScan::is_event`]) is a record and is not searched further; any other
//! object, array, or string holding JSON is searched. Records borrow their bytes from the
//! input when they are a span of it; records unescaped out of a JSON string own theirs.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

use super::fastscan;
use super::limits::Limits;
use super::report::{describe_position, DecodeProblem, ProblemKind};
use super::salvage;
use super::scan::{ObjectScan, Text};
use crate::model::event::EventFields;

/// Where a record's original bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawBytes {
    /// `start..start + len` of the decompressed input.
    Span { start: usize, len: usize },
    /// Bytes that are not a span of the input (unescaped from a JSON string).
    Owned(Box<[u8]>),
}

/// One record found in an input.
#[derive(Debug)]
pub struct FoundRecord<'a> {
    pub raw: RawBytes,
    pub fields: EventFields<'a>,
    /// Only part of a CloudTrail record is known (console CSV row, space-delimited line).
    pub partial: bool,
    /// The record's `userIdentity` object, when the fast reader read or recognised it
    /// (see `ingest::seen`): records that share a block share every identity column, which
    /// the store works out once. `fields.identity` is empty when the block was recognised.
    pub identity_block: Option<fastscan::IdentityBlock>,
    /// Where the record's members that the ingest-time reading plan may parse are, when
    /// the fast reader noted them (see [`fastscan::MemberSpans`]).
    pub members: Option<fastscan::MemberSpans>,
}

/// Everything found in one input.
#[derive(Debug, Default)]
pub struct Decoded<'a> {
    pub records: Vec<FoundRecord<'a>>,
    pub digests: u64,
    /// Valid documents that hold no events: `{"Records":[]}` envelopes (CloudTrail writes
    /// them for periods without events) and Event-history CSVs with a header and no rows
    /// (the console's download of an empty result). An input holding only these is a valid
    /// file with no events, not a failure.
    pub empty_documents: u64,
    pub problems: Vec<DecodeProblem>,
    /// Why event-like objects were rejected, for a clearer "not CloudTrail" message.
    pub lookalike: Option<&'static str>,
}

/// Walks JSON values of one buffer and collects records.
pub struct Discovery<'a, 'l> {
    pub buf: &'a [u8],
    /// `buf` as text when it is valid UTF-8 (nearly always): validating once up front is
    /// far cheaper than serde_json checking every borrowed string of a byte slice.
    text: Option<&'a str>,
    pub out: Decoded<'a>,
    pub limits: &'l Limits,
    /// Whether the nesting limit has been reported for this buffer (once is enough).
    nesting_reported: bool,
    /// What the fast reader has already read in `text` (see [`fastscan::Seen`]).
    seen: fastscan::Seen<'a>,
}

impl<'a, 'l> Discovery<'a, 'l> {
    pub fn new(buf: &'a [u8], limits: &'l Limits) -> Self {
        Self {
            buf,
            text: simdutf8::basic::from_utf8(buf).ok(),
            out: Decoded::default(),
            limits,
            nesting_reported: false,
            seen: fastscan::Seen::default(),
        }
    }

    /// Parses one value of type `T` at byte `at`; returns it with the offset just past it.
    fn parse_at<T: Deserialize<'a>>(&self, at: usize) -> Option<Result<(T, usize), serde_json::Error>> {
        fn next<'de, R: serde_json::de::Read<'de>, T: Deserialize<'de>>(
            mut stream: serde_json::StreamDeserializer<'de, R, T>,
        ) -> Option<Result<(T, usize), serde_json::Error>> {
            let item = stream.next()?;
            Some(item.map(|v| (v, stream.byte_offset())))
        }
        match self.text {
            Some(text) => next(serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<T>()),
            None => next(serde_json::Deserializer::from_slice(&self.buf[at..]).into_iter::<T>()),
        }
    }

    /// Where `raw` sits in the buffer. `RawValue`s deserialized from `buf` always borrow
    /// from it; the fallback copy only guards against a future change in serde_json.
    pub fn span_of(&self, raw: &RawValue) -> RawBytes {
        let text = raw.get().as_bytes();
        let base = self.buf.as_ptr() as usize;
        let at = text.as_ptr() as usize;
        if at >= base && at + text.len() <= base + self.buf.len() {
            RawBytes::Span { start: at - base, len: text.len() }
        } else {
            RawBytes::Owned(text.into())
        }
    }

    pub fn push_event(&mut self, raw: RawBytes, fields: EventFields<'a>, partial: bool) {
        self.push_record(FoundRecord { raw, fields, partial, identity_block: None, members: None });
    }

    /// Keeps a record, unless it is over the record size limit (reported).
    fn push_record(&mut self, record: FoundRecord<'a>) {
        let len = match &record.raw {
            RawBytes::Span { len, .. } => *len,
            RawBytes::Owned(b) => b.len(),
        };
        if self.within_record_limit(len) {
            self.out.records.push(record);
        }
    }

    /// Whether a record of `len` bytes may be kept; reports it when not.
    fn within_record_limit(&mut self, len: usize) -> bool {
        let within = len <= self.limits.max_record_bytes;
        if !within {
            self.out.problems.push(DecodeProblem::new(
                ProblemKind::Limit,
                format!(
                    "a record of {len} bytes exceeds the {} byte record limit and was skipped",
                    self.limits.max_record_bytes
                ),
                None,
            ));
        }
        within
    }

    /// Reads the record at `at` with the fast reader, straight into the found records
    /// (see [`fastscan::scan_record_into`]). Returns the offset past it, or `None` when the
    /// reader declines it (then nothing was kept).
    fn fast_record(&mut self, at: usize) -> Option<usize> {
        let text = self.text?;
        let raw = RawBytes::Span { start: at, len: 0 };
        self.out.records.push(FoundRecord {
            raw,
            fields: EventFields::default(),
            partial: false,
            identity_block: None,
            members: None,
        });
        let slot = self.out.records.last_mut()?;
        let Some(found) = fastscan::scan_record_into(text, at, &mut self.seen, &mut slot.fields) else {
            self.out.records.pop();
            return None;
        };
        slot.raw = RawBytes::Span { start: at, len: found.end - at };
        slot.identity_block = found.identity_block;
        slot.members = found.members;
        if !self.within_record_limit(found.end - at) {
            self.out.records.pop();
        }
        Some(found.end)
    }

    /// Handles one scanned object whose bytes are `raw`.
    fn object(&mut self, scan: ObjectScan<'a>, raw: RawBytes, depth: usize) {
        if scan.is_digest() {
            self.out.digests += 1;
            return;
        }
        if scan.is_event() {
            self.push_event(raw, scan.fields, false);
            return;
        }
        if let Some(why) = scan.lookalike() {
            self.out.lookalike = Some(why);
            return;
        }
        if scan.records.as_ref().is_some_and(Vec::is_empty) {
            self.out.empty_documents += 1;
        }
        if depth >= self.limits.max_nesting {
            // Only an object that has something left to search is cut by the limit; an
            // empty one would hold nothing however deep we looked.
            let cut = scan.cloudtrail_event.is_some()
                || scan.records.is_some_and(|r| !r.is_empty())
                || scan.children.iter().any(|c| would_search(c));
            if cut {
                self.nesting_limit();
            }
            return;
        }
        if let Some(s) = scan.cloudtrail_event {
            self.json_string(s, depth + 1, true);
        }
        for r in scan.records.into_iter().flatten() {
            self.value(r, depth + 1);
        }
        for child in scan.children {
            self.value(child, depth + 1);
        }
    }

    /// Handles any JSON value that borrows from the buffer.
    pub fn value(&mut self, raw: &'a RawValue, depth: usize) {
        match raw.get().as_bytes().first() {
            Some(b'{') => {
                if let Ok(scan) = serde_json::from_str::<ObjectScan<'a>>(raw.get()) {
                    let span = self.span_of(raw);
                    self.object(scan, span, depth);
                }
            }
            Some(b'[') if depth < self.limits.max_nesting => {
                if let Ok(items) = serde_json::from_str::<Vec<&'a RawValue>>(raw.get()) {
                    for item in items {
                        self.value(item, depth + 1);
                    }
                }
            }
            Some(b'"') if depth < self.limits.max_nesting => self.json_string(raw, depth + 1, false),
            Some(b'[' | b'"') if would_search(raw) => self.nesting_limit(),
            _ => {}
        }
    }

    /// Reports (once per buffer) that events may hide deeper than `max_nesting` wrappers:
    /// a `limit` entry rather than "not CloudTrail", since nobody looked.
    fn nesting_limit(&mut self) {
        if self.nesting_reported {
            return;
        }
        self.nesting_reported = true;
        self.out.problems.push(DecodeProblem::new(
            ProblemKind::Limit,
            format!(
                "JSON wrapped more than {} levels deep (objects, arrays, JSON in strings); the deeper levels were not searched for events",
                self.limits.max_nesting
            ),
            None,
        ));
    }

    /// A JSON string that may itself hold JSON (lookup-events `CloudTrailEvent`,
    /// CloudWatch `message`, Cribl `_raw`). Records found inside own their bytes.
    /// Damage is reported only for `CloudTrailEvent`, which is always meant to be JSON.
    fn json_string(&mut self, raw: &'a RawValue, depth: usize, must_be_json: bool) {
        let Ok(Text(text)) = serde_json::from_str::<Text<'_>>(raw.get()) else { return };
        let trimmed = text.trim_start();
        if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            return;
        }
        let inner: Vec<u8> = text.into_owned().into_bytes();
        let mut sub = Discovery::new(&inner, self.limits);
        sub.nesting_reported = self.nesting_reported;
        sub.document(depth);
        self.nesting_reported = sub.nesting_reported;
        let Decoded { records, digests, empty_documents, problems, lookalike } = sub.out;
        self.out.digests += digests;
        self.out.empty_documents += empty_documents;
        self.out.lookalike = self.out.lookalike.or(lookalike);
        for p in problems {
            // Damage inside an optional JSON string (a CloudWatch `message` that happens
            // to start with `{`) is not news; a limit hit in there is, wherever it was.
            if !must_be_json && p.kind != ProblemKind::Limit {
                continue;
            }
            let where_ = match self.span_of(raw) {
                RawBytes::Span { start, .. } => format!("in the JSON string at byte {start}"),
                RawBytes::Owned(_) => "in a nested JSON string".to_owned(),
            };
            let location = Some(match p.location {
                Some(l) => format!("{where_}, {l}"),
                None => where_,
            });
            self.out.problems.push(DecodeProblem { location, ..p });
        }
        for r in records {
            let bytes: Box<[u8]> = match r.raw {
                RawBytes::Span { start, len } => inner[start..start + len].into(),
                RawBytes::Owned(b) => b,
            };
            // The records are copied out of `inner`, and their block spans would not follow:
            // a block recognised by its bytes (no fields) is read now.
            let fields = fastscan::with_identity(r.fields, r.identity_block.as_ref(), &inner);
            self.push_event(RawBytes::Owned(bytes), fields.into_owned(), r.partial);
        }
    }

    /// Reads the buffer as a stream of JSON documents (one document, JSON Lines, or
    /// concatenated pages). On the first syntax error the damage is reported and the rest
    /// of the buffer is salvaged record by record.
    pub fn document(&mut self, depth: usize) {
        let start = self.trail_files_fast(depth);
        self.document_from(start, depth);
    }

    /// The common case, `{"Records":[…]}` (one or several per input), read with a single
    /// pass per record: each element is scanned directly and its span taken from the
    /// parser's offset, instead of first splitting the array into raw values. Returns
    /// where the generic reader must continue (the end, unless the shape deviates).
    fn trail_files_fast(&mut self, depth: usize) -> usize {
        let buf = self.buf;
        let mut pos = 0;
        loop {
            let doc_start = skip_ws(buf, pos);
            if doc_start >= buf.len() {
                return doc_start;
            }
            let checkpoint = (
                self.out.records.len(),
                self.out.digests,
                self.out.empty_documents,
                self.out.problems.len(),
                self.out.lookalike,
                self.nesting_reported,
            );
            match self.records_document(doc_start, depth) {
                Some(end) => pos = end,
                None => {
                    let (records, digests, empty, problems, lookalike, nesting_reported) = checkpoint;
                    self.out.records.truncate(records);
                    self.out.digests = digests;
                    self.out.empty_documents = empty;
                    self.nesting_reported = nesting_reported;
                    self.out.problems.truncate(problems);
                    self.out.lookalike = lookalike;
                    return doc_start;
                }
            }
        }
    }

    /// Reads one `{"Records":[…]}` document starting at `at`; `None` if it is anything else.
    fn records_document(&mut self, at: usize, depth: usize) -> Option<usize> {
        let buf = self.buf;
        let mut i = expect(buf, at, b"{")?;
        i = expect(buf, i, b"\"Records\"")?;
        i = expect(buf, i, b":")?;
        i = expect(buf, i, b"[")?;
        i = skip_ws(buf, i);
        if buf.get(i) == Some(&b']') {
            let end = expect(buf, i + 1, b"}")?;
            self.out.empty_documents += 1;
            return Some(end);
        }
        // Records are large and the vector grew by doubling: size it for the usual
        // ~1.5 KB record up front.
        self.out.records.reserve((buf.len() - i) / 1024 + 1);
        loop {
            if buf.get(i) != Some(&b'{') {
                return None;
            }
            let end = match self.fast_record(i) {
                Some(end) => end,
                None => {
                    let (scan, len) = self.parse_at::<ObjectScan<'a>>(i)?.ok()?;
                    self.object(scan, RawBytes::Span { start: i, len }, depth + 1);
                    i + len
                }
            };
            i = skip_ws(buf, end);
            match buf.get(i) {
                Some(b',') => i = skip_ws(buf, i + 1),
                Some(b']') => return expect(buf, i + 1, b"}"),
                _ => return None,
            }
        }
    }

    fn document_from(&mut self, start: usize, depth: usize) {
        let buf = self.buf;
        let mut before = start;
        loop {
            before = skip_ws(buf, before);
            match self.parse_at::<TopValue<'a>>(before) {
                None => break,
                Some(Ok((top, len))) => {
                    let at = before;
                    before += len;
                    match top {
                        TopValue::Object(scan) => self.object(*scan, RawBytes::Span { start: at, len }, depth),
                        TopValue::Array(items) => {
                            for item in items {
                                self.value(item, depth + 1);
                            }
                        }
                        TopValue::Other => {}
                    }
                }
                Some(Err(e)) => {
                    let (line, column) = absolute_position(buf, before, e.line(), e.column());
                    let location = Some(describe_position(line, column));
                    let message = if e.is_eof() {
                        "the JSON ends early (truncated file?)".to_owned()
                    } else {
                        // serde's text ends with its position within this document; the
                        // report gives the position in the file instead.
                        let text = e.to_string();
                        let own = format!(" at line {} column {}", e.line(), e.column());
                        format!("invalid JSON: {}", text.strip_suffix(&own).unwrap_or(&text))
                    };
                    self.out.problems.push(DecodeProblem::new(ProblemKind::InvalidJson, message, location));
                    salvage::salvage_from(self, before);
                    break;
                }
            }
        }
    }
}

/// Whether the search would descend into `raw` (so a limit that stops it cuts something
/// off): objects, non-empty arrays and strings holding JSON; not `[]` or prose.
fn would_search(raw: &RawValue) -> bool {
    match raw.get().as_bytes().first() {
        Some(b'{') => true,
        Some(b'[') => !is_empty_array(raw.get()),
        Some(b'"') => string_holds_json(raw),
        _ => false,
    }
}

/// `[]` with any whitespace inside.
fn is_empty_array(text: &str) -> bool {
    text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).is_some_and(|t| t.trim().is_empty())
}

/// Whether a JSON string value holds JSON text (what `json_string` would search).
fn string_holds_json(raw: &RawValue) -> bool {
    serde_json::from_str::<Text<'_>>(raw.get()).is_ok_and(|Text(t)| {
        let t = t.trim_start();
        t.starts_with('{') || t.starts_with('[')
    })
}

fn skip_ws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && buf[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Skips whitespace, then `token`; the position after it.
fn expect(buf: &[u8], at: usize, token: &[u8]) -> Option<usize> {
    let i = skip_ws(buf, at);
    buf[i..].starts_with(token).then_some(i + token.len())
}

/// Converts a line/column relative to `buf[start..]` into one relative to `buf`.
fn absolute_position(buf: &[u8], start: usize, line: usize, column: usize) -> (usize, usize) {
    let before = &buf[..start];
    let lines_before = before.iter().filter(|&&b| b == b'\n').count();
    if line > 1 {
        return (line + lines_before, column);
    }
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (1 + lines_before, column + (start - line_start))
}

/// A top-level JSON value: objects are scanned in the same pass, arrays split.
pub enum TopValue<'a> {
    Object(Box<ObjectScan<'a>>),
    Array(Vec<&'a RawValue>),
    Other,
}

impl<'de> Deserialize<'de> for TopValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                super::scan::ObjectVisitor.visit_map(m).map(|s| TopValue::Object(Box::new(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = s.next_element::<&'de RawValue>()? {
                    items.push(item);
                }
                Ok(TopValue::Array(items))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TopValue::Other)
            }
        }
        d.deserialize_any(V)
    }
}
