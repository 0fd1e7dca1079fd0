//! The filter language: text typed in the TUI filter bar or passed as `--filter`, parsed into
//! an [`Expr`] the evaluator runs against the store. The user documentation is
//! `docs/filter-language.md`; this module is its reference implementation.
//!
//! ```text
//! or    := and ("OR" and)*
//! and   := unary (["AND"] unary)*            juxtaposition is AND
//! unary := ("NOT" | "-") unary | "(" or ")" | term
//! term  := FIELD ":" value | value           a value alone is a bare word
//! ```
//!
//! The parser is a hand-written recursive descent over the input string, so every error can
//! point at a byte position. Decisions worth knowing:
//!
//! - Keywords are case-sensitive (`OR`, `AND`, `NOT`); `or` is a bare word.
//! - `-` negates only when it starts a term (`-source:iam.amazonaws.com`); inside a value
//!   it is text (`ip:-`, `name:Get-Foo`).
//! - A value runs to the next space or parenthesis and may contain `:` (ARNs, times), or is
//!   a double-quoted string with `\"`, `\\` and `\*` escapes. `*` is a wildcard inside
//!   quotes too; `\*` is a literal star.
//! - Times are resolved here (relative ones against the `now_ms` the caller passes), so a
//!   parsed filter is a pure value and its text form is reproducible.
//! - Nesting (parentheses and `NOT`/`-`) is limited to [`MAX_DEPTH`] so hostile input
//!   cannot overflow the stack; everything else is iterative.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::net::IpAddr;
use std::ops::Range;

use super::fields::{self, Field, ValueKind, FIELDS};
use crate::analysis::notable::Category;
use crate::model::time::{format_utc, resolve_time};
use crate::sanitize::sanitize;

/// Deepest nesting of parentheses and `NOT`/`-` accepted.
pub const MAX_DEPTH: usize = 64;

/// Earliest time a time value may name: 0000-01-01T00:00:00Z.
pub const MIN_TIME_MS: i64 = -62_167_219_200_000;
/// Latest time a time value may name: 9999-12-31T23:59:59.999Z.
pub const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// A parsed filter. `And`/`Or` produced by [`parse`] are flat (no `And` directly inside an
/// `And`, no `Or` inside an `Or`) and have at least two operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Term(Term),
    /// The empty filter: every event.
    All,
}

/// One `field:value` or bare word.
#[derive(Debug, Clone)]
pub struct Term {
    /// `None` for a bare word (matched against the event's summary text).
    pub field: Option<Field>,
    pub value: Value,
    /// Byte range of the term in the input (field name through value; not a leading `-`).
    pub span: Range<usize>,
}

/// Terms are equal when they say the same thing: the span is not compared.
impl PartialEq for Term {
    fn eq(&self, other: &Self) -> bool {
        self.field == other.field && self.value == other.value
    }
}

impl Eq for Term {}

/// The value of a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text with optional `*` wildcards, matched case-insensitively. With a field: the whole
    /// value must match ([`Pattern::matches`]); as a bare word: a substring
    /// ([`Pattern::contains_in`]).
    Pattern(Pattern),
    /// A CIDR block (only for `sourceIPAddress`, when the value contains `/`). `addr` is as
    /// typed (host bits are not cleared); use [`cidr_contains`].
    Cidr { addr: IpAddr, prefix: u8 },
    /// Epoch milliseconds UTC (`after`, `before`, `since`; `since` already resolved against
    /// `now`, so it is an absolute lower bound like `after`).
    Time(i64),
    /// `readOnly:true`, `notable:false`, …
    Bool(bool),
    /// `field:*`: the field is present and not empty (`error:*` = any error). Never used
    /// for bare words (a bare `*` is a pattern that matches everything).
    Any,
}

/// Text with `*` wildcards, matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The value as typed, unescaped from quotes. Wildcards and literal stars (`\*` in
    /// quotes) both show as `*` here; `has_wildcard` says whether any star is a wildcard.
    pub text: String,
    /// `text` lowercased.
    pub lower: String,
    /// True when the pattern contains a wildcard. Without one it matches by equality, so
    /// `lower` can be looked up directly (e.g. against lowercased interned values).
    pub has_wildcard: bool,
    /// The literal pieces between wildcards, as typed (`Get*Policy` → `Get`, `Policy`).
    pieces: Vec<String>,
    /// `pieces`, lowercased.
    lower_pieces: Vec<String>,
}

impl Pattern {
    /// A pattern where every `*` is a wildcard.
    pub fn glob(text: &str) -> Pattern {
        Pattern::from_pieces(text.split('*').map(str::to_owned).collect())
    }

    /// A pattern without wildcards (a `*` in `text` is a literal star).
    pub fn literal(text: &str) -> Pattern {
        Pattern::from_pieces(vec![text.to_owned()])
    }

    /// From the literal pieces between wildcards (one piece = no wildcard).
    fn from_pieces(mut pieces: Vec<String>) -> Pattern {
        if pieces.is_empty() {
            pieces.push(String::new());
        }
        // `a**b` matches what `a*b` matches: drop empty inner pieces so equal patterns are
        // equal values (and print the same).
        if pieces.len() > 2 {
            let last = pieces.len() - 1;
            let mut i = 0;
            pieces.retain(|p| {
                let keep = i == 0 || i == last || !p.is_empty();
                i += 1;
                keep
            });
        }
        let lower_pieces: Vec<String> = pieces.iter().map(|p| p.to_lowercase()).collect();
        Pattern {
            text: pieces.join("*"),
            lower: lower_pieces.join("*"),
            has_wildcard: pieces.len() > 1,
            pieces,
            lower_pieces,
        }
    }

    /// True when the pattern is only wildcards (`*`): it matches any text.
    pub fn is_match_all(&self) -> bool {
        self.has_wildcard && self.pieces.iter().all(|p| p.is_empty())
    }

    /// Whole-value match, case-insensitive; `*` matches any run of characters, including
    /// none. Without wildcards this is case-insensitive equality.
    pub fn matches(&self, candidate: &str) -> bool {
        self.matches_lower(&lowercase(candidate))
    }

    /// [`Pattern::matches`] for a candidate that is already lowercased.
    pub fn matches_lower(&self, candidate_lower: &str) -> bool {
        let p = &self.lower_pieces;
        if p.len() == 1 {
            return candidate_lower == p[0];
        }
        let (first, last) = (&p[0], &p[p.len() - 1]);
        if candidate_lower.len() < first.len() + last.len()
            || !candidate_lower.starts_with(first.as_str())
            || !candidate_lower.ends_with(last.as_str())
        {
            return false;
        }
        let middle = &candidate_lower[first.len()..candidate_lower.len() - last.len()];
        find_in_order(&p[1..p.len() - 1], middle)
    }

    /// Substring match for bare words: true when the pattern occurs anywhere in
    /// `haystack_lower` (which must already be lowercased); wildcards work as in
    /// [`Pattern::matches`], so `Get*Policy` finds `…getbucketpolicy…`.
    pub fn contains_in(&self, haystack_lower: &str) -> bool {
        find_in_order(&self.lower_pieces, haystack_lower)
    }
}

/// Lowercases without allocating when there is nothing to lower.
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// True when every piece occurs in `hay`, in order, without overlapping. Leftmost matching
/// is optimal for patterns whose only operator is `*`.
fn find_in_order(pieces: &[String], hay: &str) -> bool {
    let mut rest = hay;
    for piece in pieces {
        match rest.find(piece.as_str()) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// True when `candidate` is inside `addr/prefix`. IPv4-mapped IPv6 addresses
/// (`::ffff:203.0.113.7`) match IPv4 blocks; otherwise the families must agree.
pub fn cidr_contains(addr: IpAddr, prefix: u8, candidate: IpAddr) -> bool {
    let candidate = match (addr, candidate) {
        (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => return false,
        },
        _ => candidate,
    };
    match (addr, candidate) {
        (IpAddr::V4(net), IpAddr::V4(c)) => {
            let bits = u32::from(prefix.min(32));
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(net) & mask == u32::from(c) & mask
        }
        (IpAddr::V6(net), IpAddr::V6(c)) => {
            let bits = u32::from(prefix.min(128));
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(net) & mask == u128::from(c) & mask
        }
        _ => false,
    }
}

/// A filter that does not parse: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset in the input (always on a character boundary; may equal the length).
    pub position: usize,
    pub message: String,
}

impl ParseError {
    fn new(position: usize, message: impl Into<String>) -> ParseError {
        ParseError { position, message: message.into() }
    }

    /// Three lines: the input, a caret under the error position, the message. The caret
    /// column counts characters (after control characters are made visible, as they are in
    /// the first line). Inputs longer than 160 characters are shown as a window around the
    /// position, with `…` where text was cut.
    pub fn render(&self, input: &str) -> String {
        const WINDOW: usize = 160;
        let mut pos = self.position.min(input.len());
        while !input.is_char_boundary(pos) {
            pos -= 1;
        }
        let line: Vec<char> = sanitize(input).chars().collect();
        let mut col = sanitize(&input[..pos]).chars().count();
        let shown: String = if line.len() <= WINDOW {
            line.iter().collect()
        } else {
            let start = col.saturating_sub(WINDOW / 2).min(line.len() - WINDOW);
            let end = start + WINDOW;
            let mut s = String::new();
            if start > 0 {
                s.push('…');
                col = col - start + 1;
            }
            s.extend(&line[start..end]);
            if end < line.len() {
                s.push('…');
            }
            s
        };
        format!("{shown}\n{}^\n{}", " ".repeat(col), sanitize(&self.message))
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a filter. `now_ms` (epoch ms UTC) is what relative times (`since:2h`) count back
/// from. Empty or blank input is [`Expr::All`].
pub fn parse(input: &str, now_ms: i64) -> Result<Expr, ParseError> {
    let mut p = Parser { src: input, pos: 0, now_ms, depth: 0 };
    p.skip_ws();
    if p.at_end() {
        return Ok(Expr::All);
    }
    let expr = p.parse_or()?;
    p.skip_ws();
    if !p.at_end() {
        // parse_or stops only at the end or at a `)` it has no `(` for.
        return Err(ParseError::new(p.pos, "unbalanced parenthesis: no '(' to match this ')'"));
    }
    Ok(expr)
}

/// Every term of `expr`, left to right (for the filter bar's chips).
pub fn terms(expr: &Expr) -> Vec<&Term> {
    fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e Term>) {
        match e {
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| walk(i, out)),
            Expr::Not(inner) => walk(inner, out),
            Expr::Term(t) => out.push(t),
            Expr::All => {}
        }
    }
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    now_ms: i64,
    depth: usize,
}

fn is_delim(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// True when the input at the cursor is the keyword `kw` standing alone.
    fn at_keyword(&self, kw: &str) -> bool {
        let rest = self.rest();
        rest.starts_with(kw) && !matches!(rest[kw.len()..].chars().next(), Some(c) if !is_delim(c))
    }

    /// True when no term can start at the cursor (after skipping spaces).
    fn no_term_here(&mut self) -> bool {
        self.skip_ws();
        self.at_end() || self.peek() == Some(')') || self.at_keyword("OR") || self.at_keyword("AND")
    }

    fn enter(&mut self, at: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                at,
                format!("too deeply nested: at most {MAX_DEPTH} levels of parentheses and NOT are allowed"),
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        if self.at_keyword("OR") {
            return Err(ParseError::new(self.pos, "expected a term before OR"));
        }
        let mut items = vec![self.parse_and()?];
        loop {
            self.skip_ws();
            if !self.at_keyword("OR") {
                break;
            }
            self.pos += 2;
            if self.no_term_here() {
                return Err(ParseError::new(self.pos, "expected a term after OR"));
            }
            items.push(self.parse_and()?);
        }
        Ok(join(items, true))
    }

    fn parse_and(&mut self) -> Result<Expr, ParseError> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.at_end() || self.peek() == Some(')') || self.at_keyword("OR") {
                break;
            }
            if self.at_keyword("AND") {
                if items.is_empty() {
                    return Err(ParseError::new(self.pos, "expected a term before AND"));
                }
                self.pos += 3;
                if self.no_term_here() {
                    return Err(ParseError::new(self.pos, "expected a term after AND"));
                }
                continue;
            }
            items.push(self.parse_unary()?);
        }
        if items.is_empty() {
            // Only at the very start: everywhere else a term was checked for first.
            return Err(if self.peek() == Some(')') {
                ParseError::new(self.pos, "unbalanced parenthesis: no '(' to match this ')'")
            } else {
                ParseError::new(self.pos, "expected a term")
            });
        }
        Ok(join(items, false))
    }

    fn parse_unary(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        let start = self.pos;
        if self.at_keyword("NOT") {
            self.enter(start)?;
            self.pos += 3;
            if self.no_term_here() {
                return Err(ParseError::new(self.pos, "expected a term after NOT"));
            }
            let inner = self.parse_unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                let followed_by_term = self.peek().is_some_and(|c| c == '(' || !is_delim(c));
                if !followed_by_term || self.at_keyword("OR") || self.at_keyword("AND") {
                    return Err(ParseError::new(
                        start,
                        "expected a term right after '-' (as in -source:iam.amazonaws.com)",
                    ));
                }
                self.enter(start)?;
                let inner = self.parse_unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Some('(') => {
                self.enter(start)?;
                self.pos += 1;
                self.skip_ws();
                if self.at_end() {
                    return Err(ParseError::new(start, "unbalanced parenthesis: this '(' is never closed"));
                }
                if self.peek() == Some(')') {
                    return Err(ParseError::new(self.pos, "expected a term after '('"));
                }
                let inner = self.parse_or()?;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return Err(ParseError::new(start, "unbalanced parenthesis: this '(' is never closed"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(')') => Err(ParseError::new(start, "unbalanced parenthesis: no '(' to match this ')'")),
            Some(_) => self.parse_term().map(Expr::Term),
            None => Err(ParseError::new(start, "expected a term")),
        }
    }

    fn parse_term(&mut self) -> Result<Term, ParseError> {
        let start = self.pos;
        if self.peek() == Some('"') {
            let pieces = self.quoted()?;
            let pattern = Pattern::from_pieces(pieces);
            if pattern.text.is_empty() && !pattern.has_wildcard {
                return Err(ParseError::new(start, "empty quoted text: put what to search for between the quotes"));
            }
            return Ok(Term { field: None, value: Value::Pattern(pattern), span: start..self.pos });
        }
        let rest = self.rest();
        let name_len = field_name_len(rest);
        if name_len > 0 && rest[name_len..].starts_with(':') && !is_pasted_arn(rest, name_len) {
            let name = &rest[..name_len];
            let field = fields::resolve(name).ok_or_else(|| unknown_field(start, name))?;
            self.pos += name_len + 1;
            let value = self.value(field, name)?;
            return Ok(Term { field: Some(field), value, span: start..self.pos });
        }
        let len = rest.find(is_delim).unwrap_or(rest.len());
        self.pos += len;
        Ok(Term { field: None, value: Value::Pattern(Pattern::glob(&rest[..len])), span: start..self.pos })
    }

    /// The value after `name:`; the cursor is just after the colon.
    fn value(&mut self, field: Field, name: &str) -> Result<Value, ParseError> {
        let start = self.pos;
        let quoted = self.peek() == Some('"');
        let pattern = match self.peek() {
            None => return Err(ParseError::new(start, format!("expected a value after '{name}:'"))),
            Some(c) if c.is_whitespace() => {
                return Err(ParseError::new(
                    start,
                    format!("expected a value after '{name}:' (no space after the colon)"),
                ))
            }
            Some('(' | ')') => {
                return Err(ParseError::new(
                    start,
                    format!(
                        "expected a value after '{name}:' (for one of several values write ({name}:A OR {name}:B))"
                    ),
                ))
            }
            Some('"') => Pattern::from_pieces(self.quoted()?),
            Some(_) => {
                let rest = self.rest();
                let len = rest.find(is_delim).unwrap_or(rest.len());
                self.pos += len;
                Pattern::glob(&rest[..len])
            }
        };
        if pattern.text.is_empty() && !pattern.has_wildcard {
            return Err(ParseError::new(
                start,
                format!("empty value after '{name}:'; to find events without this field use NOT {name}:*"),
            ));
        }
        match field.kind() {
            ValueKind::Time => {
                if pattern.has_wildcard {
                    return Err(ParseError::new(
                        start,
                        format!("wildcards are not allowed in a time: {TIME_EXPECTED} after '{name}:'"),
                    ));
                }
                self.time(&pattern.text, start, name).map(Value::Time)
            }
            _ if pattern.is_match_all() => Ok(Value::Any),
            ValueKind::Bool => fields::parse_bool(&pattern.text).map(Value::Bool).ok_or_else(|| {
                ParseError::new(
                    start,
                    format!("'{name}:' takes true or false (or yes/no), not \"{}\"", shorten(&pattern.text)),
                )
            }),
            ValueKind::Notable => match fields::parse_bool(&pattern.text) {
                Some(b) => Ok(Value::Bool(b)),
                // Checked here, not at evaluation, so a typo gets a caret under it.
                None if !Category::ALL.iter().any(|c| pattern.matches(c.name())) => {
                    Err(ParseError::new(start, crate::query::eval::unknown_category(&shorten(&pattern.text))))
                }
                None => Ok(Value::Pattern(pattern)),
            },
            ValueKind::Ip if !pattern.has_wildcard && pattern.text.contains('/') => {
                cidr(&pattern.text, start + usize::from(quoted))
            }
            ValueKind::Ip | ValueKind::Text => Ok(Value::Pattern(pattern)),
        }
    }

    /// A double-quoted string at the cursor, as its literal pieces between wildcards.
    /// Leaves the cursor after the closing quote, which must end the term.
    fn quoted(&mut self) -> Result<Vec<String>, ParseError> {
        let open = self.pos;
        let unterminated = || ParseError::new(open, "unterminated quote: this '\"' is never closed");
        let mut pieces = vec![String::new()];
        let mut chars = self.src[open + 1..].char_indices();
        let close = loop {
            let (i, c) = chars.next().ok_or_else(unterminated)?;
            let last = pieces.last_mut().expect("at least one piece");
            match c {
                '"' => break open + 1 + i,
                '*' => pieces.push(String::new()),
                '\\' => match chars.next().ok_or_else(unterminated)?.1 {
                    e @ ('"' | '\\' | '*') => last.push(e),
                    other => {
                        // Not an escape: keep the backslash (Windows paths, regex-ish text).
                        last.push('\\');
                        last.push(other);
                    }
                },
                _ => last.push(c),
            }
        };
        self.pos = close + 1;
        if self.peek().is_some_and(|c| !is_delim(c)) {
            return Err(ParseError::new(self.pos, "expected a space or ')' after the closing quote"));
        }
        Ok(pieces)
    }

    /// An ISO 8601 time or a duration back from `now`.
    fn time(&self, text: &str, at: usize, name: &str) -> Result<i64, ParseError> {
        let t = text.trim();
        let ms = resolve_time(t, self.now_ms);
        match ms {
            Some(ms) if (MIN_TIME_MS..=MAX_TIME_MS).contains(&ms) => Ok(ms),
            Some(_) => Err(ParseError::new(at, format!("time out of range after '{name}:' (years 0000 to 9999)"))),
            None => Err(ParseError::new(at, format!("{TIME_EXPECTED} after '{name}:'"))),
        }
    }
}

const TIME_EXPECTED: &str = "expected an ISO time like 2024-03-01T10:00Z or a duration like 2h (s, m, h, d, w)";

/// `addr/prefix` for `sourceIPAddress`. `at` is the byte offset of the value's text.
fn cidr(text: &str, at: usize) -> Result<Value, ParseError> {
    let (addr_text, prefix_text) = text.split_once('/').expect("caller checked for '/'");
    let addr: IpAddr = addr_text.parse().map_err(|_| {
        ParseError::new(
            at,
            format!("expected a CIDR block like 203.0.113.0/24 or 2001:db8::/32, not \"{}\"", shorten(text)),
        )
    })?;
    let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = Some(prefix_text)
        .filter(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|p| p.parse::<u8>().ok())
        .filter(|p| *p <= max)
        .ok_or_else(|| {
            ParseError::new(
                at + addr_text.len() + 1,
                format!("invalid CIDR prefix \"{}\": expected a number from 0 to {max}", shorten(prefix_text)),
            )
        })?;
    Ok(Value::Cidr { addr, prefix })
}

/// Length of a field name at the start of `text`: an ASCII letter, then letters, digits, `_`
/// and `.`. Zero when `text` does not start with one.
fn field_name_len(text: &str) -> usize {
    let b = text.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return 0;
    }
    b.iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')).unwrap_or(b.len())
}

/// A pasted ARN (`arn:aws:iam::123456789012:user/bob`, `arn:aws-cn:…`) is a bare word, not
/// the field `arn` with the value `aws:…` (which no ARN could ever equal).
fn is_pasted_arn(text: &str, name_len: usize) -> bool {
    if !text[..name_len].eq_ignore_ascii_case("arn") {
        return false;
    }
    let value = &text[name_len + 1..];
    let partition = &value[..value.find(':').unwrap_or(0)];
    let p = partition.as_bytes();
    p.len() >= 3
        && p[..3].eq_ignore_ascii_case(b"aws")
        && (p.len() == 3 || (p[3] == b'-' && p[4..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')))
}

/// At most 60 characters of user text, made safe to print.
fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    sanitize(&s).into_owned()
}

fn unknown_field(at: usize, name: &str) -> ParseError {
    let mut msg = format!("unknown field \"{}\"", shorten(name));
    if let Some(best) = suggestion(name) {
        let _ = write!(msg, " (did you mean \"{best}\"?)");
    }
    msg.push_str(". Valid fields: ");
    for (i, info) in FIELDS.iter().enumerate() {
        if i > 0 {
            msg.push_str(", ");
        }
        msg.push_str(info.canonical);
        if !info.aliases.is_empty() {
            let _ = write!(msg, " ({})", info.aliases.join(", "));
        }
    }
    msg.push_str(". To search for text containing ':', put it in double quotes.");
    ParseError::new(at, msg)
}

/// The field name closest to a mistyped one (edit distance ≤ 2), if any.
fn suggestion(name: &str) -> Option<&'static str> {
    if name.len() > 64 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    fields::all_names()
        .map(|n| (edit_distance(&lower, &n.to_ascii_lowercase()), n))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// One operand stays itself; nested operands of the same kind are spliced in.
fn join(items: Vec<Expr>, or: bool) -> Expr {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    let mut flat = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Expr::Or(inner) if or => flat.extend(inner),
            Expr::And(inner) if !or => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if or {
        Expr::Or(flat)
    } else {
        Expr::And(flat)
    }
}

/// The canonical text form: `parse(&expr.to_string(), now)` gives back `expr` (spans aside)
/// for every `expr` that [`parse`] produced, whatever `now` is (times print as absolute UTC).
/// `{}` names fields by their short name (`key:AKIA*`, see [`Field::short_name`]); `{:#}` by their CloudTrail name
/// (`userIdentity.accessKeyId:AKIA*`), for manifests meant to be read later.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self, f.alternate())
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_term(f, self, f.alternate())
    }
}

fn write_expr(out: &mut fmt::Formatter<'_>, e: &Expr, long: bool) -> fmt::Result {
    match e {
        Expr::All => Ok(()),
        Expr::Term(t) => write_term(out, t, long),
        Expr::Not(inner) => {
            out.write_char('-')?;
            match **inner {
                Expr::And(_) | Expr::Or(_) => write_group(out, inner, long),
                _ => write_expr(out, inner, long),
            }
        }
        Expr::And(items) | Expr::Or(items) => {
            let or = matches!(e, Expr::Or(_));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(if or { " OR " } else { " " })?;
                }
                // AND binds tighter than OR, so `(a b) OR c` needs no parentheses; they are
                // written anyway because people misread `a b OR c`.
                match item {
                    Expr::And(_) | Expr::Or(_) => write_group(out, item, long)?,
                    _ => write_expr(out, item, long)?,
                }
            }
            Ok(())
        }
    }
}

fn write_group(out: &mut fmt::Formatter<'_>, e: &Expr, long: bool) -> fmt::Result {
    out.write_char('(')?;
    write_expr(out, e, long)?;
    out.write_char(')')
}

fn write_term(out: &mut fmt::Formatter<'_>, t: &Term, long: bool) -> fmt::Result {
    let Some(field) = t.field else {
        return match &t.value {
            Value::Pattern(p) => write_pattern(out, p, true),
            other => write_value(out, other),
        };
    };
    out.write_str(if long { field.canonical() } else { field.short_name() })?;
    out.write_char(':')?;
    write_value(out, &t.value)
}

fn write_value(out: &mut fmt::Formatter<'_>, v: &Value) -> fmt::Result {
    match v {
        Value::Pattern(p) => write_pattern(out, p, false),
        Value::Cidr { addr, prefix } => write!(out, "{addr}/{prefix}"),
        Value::Time(ms) => match format_utc(*ms) {
            Some(text) => out.write_str(&text),
            None => write!(out, "{ms}"),
        },
        Value::Bool(b) => write!(out, "{b}"),
        Value::Any => out.write_char('*'),
    }
}

/// A pattern, quoted when typing it bare would read differently.
fn write_pattern(out: &mut fmt::Formatter<'_>, p: &Pattern, bare_word: bool) -> fmt::Result {
    let plain = !p.text.is_empty()
        && !p.pieces.iter().any(|piece| piece.contains(|c: char| is_delim(c) || c == '"' || c == '*'))
        && !(bare_word
            && (p.text.starts_with('-') || p.text.contains(':') || matches!(p.text.as_str(), "AND" | "OR" | "NOT")));
    if plain {
        return out.write_str(&p.text);
    }
    out.write_char('"')?;
    for (i, piece) in p.pieces.iter().enumerate() {
        if i > 0 {
            out.write_char('*')?;
        }
        for c in piece.chars() {
            if matches!(c, '"' | '\\' | '*') {
                out.write_char('\\')?;
            }
            out.write_char(c)?;
        }
    }
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_event_time;
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// 2024-03-01T12:00:00Z.
    const NOW: i64 = 1_709_294_400_000;

    fn p(input: &str) -> Expr {
        parse(input, NOW).unwrap_or_else(|e| panic!("{input:?} failed:\n{}", e.render(input)))
    }

    fn err(input: &str) -> ParseError {
        match parse(input, NOW) {
            Ok(e) => panic!("{input:?} parsed as {e:?}"),
            Err(e) => e,
        }
    }

    fn t(field: Option<Field>, value: Value) -> Expr {
        Expr::Term(Term { field, value, span: 0..0 })
    }

    fn f(field: Field, text: &str) -> Expr {
        t(Some(field), Value::Pattern(Pattern::glob(text)))
    }

    fn bare(text: &str) -> Expr {
        t(None, Value::Pattern(Pattern::glob(text)))
    }

    fn not(e: Expr) -> Expr {
        Expr::Not(Box::new(e))
    }

    fn ms(iso: &str) -> i64 {
        parse_event_time(iso).unwrap()
    }

    /// The error position, checked against the caret the user would see.
    fn caret(input: &str) -> (usize, String) {
        let e = err(input);
        let rendered = e.render(input);
        let caret_line = rendered.lines().nth(1).unwrap();
        assert_eq!(caret_line.trim_start(), "^", "{rendered}");
        (caret_line.len() - 1, e.message)
    }

    #[test]
    fn empty_is_all() {
        assert_eq!(p(""), Expr::All);
        assert_eq!(p("  \t\n "), Expr::All);
        assert_eq!(Expr::All.to_string(), "");
    }

    #[test]
    fn implicit_and_and_explicit_and() {
        let want = Expr::And(vec![f(Field::EventName, "GetObject"), f(Field::Region, "us-east-1")]);
        assert_eq!(p("name:GetObject region:us-east-1"), want);
        assert_eq!(p("name:GetObject AND region:us-east-1"), want);
        assert_eq!(p("  name:GetObject\tregion:us-east-1  "), want);
    }

    #[test]
    fn precedence_not_over_and_over_or() {
        // a b OR NOT c d  ==  (a b) OR ((NOT c) d)
        assert_eq!(
            p("a b OR NOT c d"),
            Expr::Or(vec![Expr::And(vec![bare("a"), bare("b")]), Expr::And(vec![not(bare("c")), bare("d")]),])
        );
        assert_eq!(p("a OR b c"), Expr::Or(vec![bare("a"), Expr::And(vec![bare("b"), bare("c")])]));
        assert_eq!(p("(a OR b) c"), Expr::And(vec![Expr::Or(vec![bare("a"), bare("b")]), bare("c")]));
        assert_eq!(p("NOT (a OR b)"), not(Expr::Or(vec![bare("a"), bare("b")])));
        assert_eq!(p("NOT NOT a"), not(not(bare("a"))));
        assert_eq!(p("NOT(a)"), not(bare("a")));
        // flattening
        assert_eq!(p("a OR (b OR c)"), Expr::Or(vec![bare("a"), bare("b"), bare("c")]));
        assert_eq!(p("(a b) c"), Expr::And(vec![bare("a"), bare("b"), bare("c")]));
        assert_eq!(p("((a))"), bare("a"));
    }

    #[test]
    fn keywords_are_uppercase_only() {
        assert_eq!(p("a or b"), Expr::And(vec![bare("a"), bare("or"), bare("b")]));
        assert_eq!(p("a Or b and c not d"), Expr::And(["a", "Or", "b", "and", "c", "not", "d"].map(bare).to_vec()));
        assert_eq!(p("ORACLE NOTICE ANDROID"), Expr::And(vec![bare("ORACLE"), bare("NOTICE"), bare("ANDROID")]));
        assert_eq!(p("\"OR\""), bare("OR"));
    }

    #[test]
    fn leading_dash_negates_only_at_term_start() {
        assert_eq!(
            p("name:Create* -source:iam.amazonaws.com"),
            Expr::And(vec![f(Field::EventName, "Create*"), not(f(Field::EventSource, "iam.amazonaws.com"))])
        );
        assert_eq!(p("ip:-1"), f(Field::SourceIp, "-1"));
        assert_eq!(p("name:Get-Thing"), f(Field::EventName, "Get-Thing"));
        assert_eq!(p("foo-bar"), bare("foo-bar"));
        assert_eq!(p("-foo"), not(bare("foo")));
        assert_eq!(p("--foo"), not(not(bare("foo"))));
        assert_eq!(p("-(a OR b)"), not(Expr::Or(vec![bare("a"), bare("b")])));
        assert_eq!(p("-NOT a"), not(not(bare("a"))));
        assert_eq!(p("-\"-x y\""), not(bare("-x y")));
    }

    #[test]
    fn quoted_values() {
        assert_eq!(p("ua:\"aws-cli/2.15.0 Python/3.11\""), f(Field::UserAgent, "aws-cli/2.15.0 Python/3.11"));
        assert_eq!(p(r#"errmsg:"say \"hi\" \\o/""#), f(Field::ErrorMessage, r#"say "hi" \o/"#));
        assert_eq!(p("\"two words\""), bare("two words"));
        // unknown escapes keep the backslash
        assert_eq!(p(r#"file:"C:\logs\x.json""#), f(Field::File, r"C:\logs\x.json"));
        // a quoted value may hold parentheses, keywords and colons
        assert_eq!(p("ua:\"Mozilla/5.0 (X11; Linux) OR NOT\""), f(Field::UserAgent, "Mozilla/5.0 (X11; Linux) OR NOT"));
        assert_eq!(p("(ip:\"AWS Internal\")"), f(Field::SourceIp, "AWS Internal"));
        // quotes in the middle of an unquoted value are literal
        assert_eq!(p("ua:a\"b"), f(Field::UserAgent, "a\"b"));
        // spans cover the field through the closing quote
        let Expr::And(items) = p("a ua:\"x y\" b") else { panic!() };
        let Expr::Term(term) = &items[1] else { panic!() };
        assert_eq!(term.span, 2..10);
    }

    #[test]
    fn wildcards() {
        let Expr::Term(term) = p("name:Get*") else { panic!() };
        let Value::Pattern(pat) = &term.value else { panic!() };
        assert!(pat.has_wildcard);
        assert!(pat.matches("GetObject"));
        assert!(pat.matches("getobject"));
        assert!(pat.matches("Get"));
        assert!(!pat.matches("BatchGetItem"));

        let foo = Pattern::glob("*foo*");
        assert!(foo.matches("foo") && foo.matches("xFOOy") && !foo.matches("fo"));
        let mid = Pattern::glob("Get*Policy");
        assert!(mid.matches("GetBucketPolicy") && mid.matches("getpolicy") && !mid.matches("GetPolicyX"));
        assert!(!Pattern::glob("a*a").matches("a"));
        assert!(Pattern::glob("a*b*c").matches("aXbYbZc"));
        let exact = Pattern::glob("AccessDenied");
        assert!(!exact.has_wildcard);
        assert_eq!(exact.lower, "accessdenied");
        assert!(exact.matches("ACCESSDENIED") && !exact.matches("AccessDeniedException"));
        assert!(Pattern::glob("ÄRGER").matches("ärger") && Pattern::glob("*É").matches("CAFé"));

        // field:* is "present"; a bare * is a match-all pattern
        assert_eq!(p("error:*"), t(Some(Field::Error), Value::Any));
        assert_eq!(p("error:**"), t(Some(Field::Error), Value::Any));
        assert_eq!(p("error:\"*\""), t(Some(Field::Error), Value::Any));
        assert_eq!(p("*"), bare("*"));

        // literal star in quotes
        let Expr::Term(term) = p(r#"ua:"a\*b""#) else { panic!() };
        let Value::Pattern(pat) = &term.value else { panic!() };
        assert!(!pat.has_wildcard);
        assert_eq!(pat.text, "a*b");
        assert!(pat.matches("A*B") && !pat.matches("aXb"));
        let Expr::Term(term) = p(r#""x\**""#) else { panic!() };
        let Value::Pattern(pat) = &term.value else { panic!() };
        assert!(pat.has_wildcard && pat.contains_in("..x*yz") && !pat.contains_in("xyz"));
        assert_eq!(Pattern::glob("a**b"), Pattern::glob("a*b"));
    }

    #[test]
    fn bare_words_are_substrings() {
        let pat = Pattern::glob("Denied");
        assert!(pat.contains_in("accessdenied by policy"));
        assert!(Pattern::glob("get*policy").contains_in("s3 getbucketpolicy alice"));
        assert!(!Pattern::glob("policy*get").contains_in("getbucketpolicy"));
        assert!(Pattern::glob("*").contains_in(""));
        // a pasted ARN is a bare word, `arn:arn:…` names the field
        let arn = "arn:aws:iam::123456789012:user/bob";
        assert_eq!(p(arn), bare(arn));
        assert_eq!(p("arn:aws-us-gov:iam::1:role/x"), bare("arn:aws-us-gov:iam::1:role/x"));
        assert_eq!(p(&format!("arn:{arn}")), f(Field::IdentityArn, arn));
        assert_eq!(p(&format!("userIdentity.arn:{arn}")), f(Field::IdentityArn, arn));
        assert_eq!(p("arn:*bob"), f(Field::IdentityArn, "*bob"));
        // words that do not start like a field name are bare even with a colon
        assert_eq!(p("2001:db8::1"), bare("2001:db8::1"));
        assert_eq!(p("::1"), bare("::1"));
        assert_eq!(p("\"name:x\""), bare("name:x"));
    }

    #[test]
    fn field_values_keep_colons() {
        assert_eq!(p("resource:arn:aws:s3:::my-bucket/*"), f(Field::Resource, "arn:aws:s3:::my-bucket/*"));
        assert_eq!(p("EVENTNAME:x"), f(Field::EventName, "x"));
        assert_eq!(p("userIdentity.accessKeyId:AKIA*"), f(Field::AccessKey, "AKIA*"));
    }

    #[test]
    fn cidr_v4_and_v6() {
        assert_eq!(
            p("ip:203.0.113.0/24"),
            t(Some(Field::SourceIp), Value::Cidr { addr: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 0)), prefix: 24 })
        );
        assert_eq!(
            p("sourceIPAddress:2001:db8::/32"),
            t(
                Some(Field::SourceIp),
                Value::Cidr { addr: IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0)), prefix: 32 }
            )
        );
        assert_eq!(p("ip:\"10.0.0.0/8\""), p("ip:10.0.0.0/8"));
        // plain addresses and wildcards stay text
        assert_eq!(p("ip:203.0.113.7"), f(Field::SourceIp, "203.0.113.7"));
        assert_eq!(p("ip:10.*"), f(Field::SourceIp, "10.*"));
        // other fields keep slashes as text
        assert_eq!(p("ua:aws-cli/2"), f(Field::UserAgent, "aws-cli/2"));

        let net = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(cidr_contains(net("203.0.113.0"), 24, net("203.0.113.200")));
        assert!(!cidr_contains(net("203.0.113.0"), 24, net("203.0.114.1")));
        assert!(cidr_contains(net("203.0.113.99"), 24, net("203.0.113.1")));
        assert!(cidr_contains(net("0.0.0.0"), 0, net("8.8.8.8")));
        assert!(cidr_contains(net("203.0.113.0"), 24, net("::ffff:203.0.113.5")));
        assert!(cidr_contains(net("2001:db8::"), 32, net("2001:db8:1::5")));
        assert!(!cidr_contains(net("2001:db8::"), 32, net("2001:db9::5")));
        assert!(!cidr_contains(net("2001:db8::"), 32, net("203.0.113.5")));
        assert!(cidr_contains(net("::"), 0, net("2001:db9::5")));
    }

    #[test]
    fn times_absolute_and_relative() {
        assert_eq!(p("after:2024-03-01T10:00Z"), t(Some(Field::After), Value::Time(ms("2024-03-01T10:00:00Z"))));
        // no zone = UTC; offsets are honoured
        assert_eq!(p("after:2024-03-01T10:00"), p("after:2024-03-01T10:00Z"));
        assert_eq!(p("before:2024-03-01T12:00+02:00"), t(Some(Field::Before), Value::Time(ms("2024-03-01T10:00Z"))));
        assert_eq!(p("before:2024-03-02"), t(Some(Field::Before), Value::Time(ms("2024-03-02T00:00Z"))));
        assert_eq!(p("before:\"2024-03-01 10:00\""), t(Some(Field::Before), Value::Time(ms("2024-03-01T10:00Z"))));
        assert_eq!(p("since:2h"), t(Some(Field::Since), Value::Time(NOW - 7_200_000)));
        assert_eq!(p("since:7d"), t(Some(Field::Since), Value::Time(NOW - 7 * 86_400_000)));
        assert_eq!(p("since:30m"), t(Some(Field::Since), Value::Time(NOW - 1_800_000)));
        assert_eq!(p("since:1w"), t(Some(Field::Since), Value::Time(NOW - 7 * 86_400_000)));
        assert_eq!(p("after:2h"), t(Some(Field::After), Value::Time(NOW - 7_200_000)));
        assert_eq!(p("since:2024-02-01"), t(Some(Field::Since), Value::Time(ms("2024-02-01"))));
        // the same text means another instant with another now
        assert_eq!(parse("since:1h", 3_600_000), Ok(t(Some(Field::Since), Value::Time(0))));
    }

    #[test]
    fn bools_and_notable() {
        assert_eq!(p("readOnly:true"), t(Some(Field::ReadOnly), Value::Bool(true)));
        assert_eq!(p("ro:No"), t(Some(Field::ReadOnly), Value::Bool(false)));
        assert_eq!(p("readonly:YES"), t(Some(Field::ReadOnly), Value::Bool(true)));
        assert_eq!(p("readOnly:*"), t(Some(Field::ReadOnly), Value::Any));
        assert_eq!(p("notable:true"), t(Some(Field::Notable), Value::Bool(true)));
        assert_eq!(p("notable:*"), t(Some(Field::Notable), Value::Any));
        assert_eq!(p("notable:persistence"), f(Field::Notable, "persistence"));
        assert_eq!(
            p("key:AKIA* type:IAMUser NOT readOnly:true"),
            Expr::And(vec![
                f(Field::AccessKey, "AKIA*"),
                f(Field::IdentityType, "IAMUser"),
                not(t(Some(Field::ReadOnly), Value::Bool(true))),
            ])
        );
    }

    #[test]
    fn terms_lists_chips_in_order() {
        let e = p("(name:StopLogging OR name:DeleteTrail) -ip:10.0.0.0/8 since:7d");
        let names: Vec<String> = terms(&e).iter().map(|t| t.to_string()).collect();
        assert_eq!(names, ["name:StopLogging", "name:DeleteTrail", "ip:10.0.0.0/8", "since:2024-02-23T12:00:00Z"]);
        let spans: Vec<_> = terms(&e).iter().map(|t| t.span.clone()).collect();
        assert_eq!(spans, [1..17, 21..37, 40..53, 54..62]);
        assert!(terms(&Expr::All).is_empty());
    }

    #[test]
    fn display_round_trips() {
        let cases = [
            "error:AccessDenied ip:203.0.113.0/24",
            "name:Create* -source:iam.amazonaws.com",
            "(name:StopLogging OR name:DeleteTrail) since:7d",
            "key:AKIA* type:IAMUser NOT readOnly:true",
            "a b OR NOT c d",
            "NOT (a OR b) -(c d) --e",
            "ua:\"aws-cli/2.15 Python/3.11\" \"two words\" \"-dash\" \"OR\" \"k:v\"",
            r#"errmsg:"say \"hi\" \\o/" ua:"a\*b*c" file:C:\logs"#,
            "after:2024-03-01T10:00:00.250+01:00 before:2024-03-02",
            "ip:2001:db8::/32 ip:::ffff:1.2.3.4 ip:\"AWS Internal\"",
            "arn:aws:iam::123456789012:user/bob OR arn:arn:aws:iam::1:root",
            "error:* notable:true notable:persist* ro:no",
            "((a OR b) (c OR (d e))) OR f",
            "userIdentity.sessionContext.sessionIssuer:*Admin* account:123456789012 region:eu-*",
            "ua:a\"b name:\"x(y)\" \"\u{1b}[31m\" ua:\"tab\there\"",
            "a AND b AND (c OR d OR e)",
            "",
        ];
        for input in cases {
            let e = p(input);
            for text in [e.to_string(), format!("{e:#}")] {
                let again = parse(&text, NOW + 12_345_678).unwrap_or_else(|x| panic!("{text:?}: {}", x.render(&text)));
                assert_eq!(again, e, "{input:?} printed as {text:?}");
                // printing is a fixed point
                assert_eq!(again.to_string(), e.to_string());
            }
        }
        assert_eq!(p("name:Create* -source:iam.amazonaws.com").to_string(), "name:Create* -source:iam.amazonaws.com");
        assert_eq!(format!("{:#}", p("key:AKIA* NOT readOnly:yes")), "userIdentity.accessKeyId:AKIA* -readOnly:true");
        assert_eq!(p("a b OR c").to_string(), "(a b) OR c");
        assert_eq!(p("after:2024-03-01T10:00").to_string(), "after:2024-03-01T10:00:00Z");
    }

    #[test]
    fn error_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("name:", 5, "expected a value after 'name:'"),
            ("name: GetObject", 5, "expected a value after 'name:'"),
            ("(name:)", 6, "expected a value after 'name:'"),
            ("name:(A OR B)", 5, "write (name:A OR name:B)"),
            ("a (b OR c", 2, "unbalanced parenthesis: this '(' is never closed"),
            ("(a", 0, "unbalanced parenthesis"),
            ("( ", 0, "unbalanced parenthesis"),
            ("a) b", 1, "no '(' to match this ')'"),
            ("(a))", 3, "no '(' to match this ')'"),
            (")", 0, "no '(' to match this ')'"),
            ("()", 1, "expected a term after '('"),
            ("ua:\"abc", 3, "unterminated quote"),
            ("a \"abc\\\"", 2, "unterminated quote"),
            ("\"ab\"c", 4, "after the closing quote"),
            ("a OR", 4, "expected a term after OR"),
            ("a OR  ", 6, "expected a term after OR"),
            ("a OR )", 5, "expected a term after OR"),
            ("(a OR) b", 5, "expected a term after OR"),
            ("a OR OR b", 5, "expected a term after OR"),
            ("OR a", 0, "expected a term before OR"),
            ("a (OR b)", 3, "expected a term before OR"),
            ("a NOT", 5, "expected a term after NOT"),
            ("NOT OR a", 4, "expected a term after NOT"),
            ("a AND", 5, "expected a term after AND"),
            ("AND a", 0, "expected a term before AND"),
            ("a - b", 2, "expected a term right after '-'"),
            ("a -", 2, "expected a term right after '-'"),
            ("-OR a", 0, "expected a term right after '-'"),
            ("since:yesterday", 6, "expected an ISO time like 2024-03-01T10:00Z or a duration like 2h"),
            ("after:2024-13-01", 6, "expected an ISO time"),
            ("x before:3y", 9, "expected an ISO time"),
            ("since:99999999999999999999h", 6, "expected an ISO time"),
            ("since:9000000000000000s", 6, "time out of range"),
            ("after:2024-03-*", 6, "wildcards are not allowed in a time"),
            ("since:*", 6, "wildcards are not allowed in a time"),
            ("ip:203.0.113.0/33", 15, "invalid CIDR prefix \"33\": expected a number from 0 to 32"),
            ("ip:2001:db8::/129", 14, "expected a number from 0 to 128"),
            ("ip:10.0.0.0/", 12, "invalid CIDR prefix"),
            ("ip:10.0.0.0/x", 12, "invalid CIDR prefix"),
            ("ip:\"10.0.0.0/99\"", 13, "invalid CIDR prefix"),
            ("ip:example.com/24", 3, "expected a CIDR block"),
            ("readOnly:maybe", 9, "'readOnly:' takes true or false (or yes/no), not \"maybe\""),
            ("ro:1", 3, "takes true or false"),
            ("name:\"\"", 5, "empty value after 'name:'; to find events without this field use NOT name:*"),
            ("a \"\"", 2, "empty quoted text"),
            ("a nmae:x", 2, "unknown field \"nmae\" (did you mean \"name\"?)"),
        ];
        for &(input, pos, msg) in cases {
            let (col, message) = caret(input);
            assert!(message.contains(msg), "{input:?}: {message:?} lacks {msg:?}");
            assert_eq!(col, pos, "{input:?}: {message}");
            assert_eq!(err(input).position, pos, "{input:?}");
        }
    }

    #[test]
    fn unknown_field_lists_valid_names() {
        let e = err("region:x foo:bar");
        assert_eq!(e.position, 9);
        assert!(e.message.starts_with("unknown field \"foo\""), "{}", e.message);
        for name in fields::all_names() {
            assert!(e.message.contains(name), "{name} missing from {}", e.message);
        }
        assert!(e.message.contains("userIdentity.accessKeyId (key, accessKeyId, akid)"), "{}", e.message);
        assert!(e.message.contains("double quotes"));
        assert!(!err("zzzzzzzz:1").message.contains("did you mean"));
    }

    #[test]
    fn render_shows_a_caret_under_the_position() {
        let input = "name:GetObject OR";
        assert_eq!(err(input).render(input), "name:GetObject OR\n                 ^\nexpected a term after OR");
        // the caret column counts characters, not bytes
        let input = "ua:\"é…ü\" (x";
        let rendered = err(input).render(input);
        assert_eq!(rendered.lines().nth(1), Some("         ^"), "{rendered}");
        // control characters are shown escaped, and the caret follows the escaped text
        let input = "\u{1b}[31m\tx)";
        let rendered = err(input).render(input);
        assert!(!rendered.contains('\u{1b}') && !rendered.contains('\t'), "{rendered:?}");
        let mut lines = rendered.lines();
        let (line, caret) = (lines.next().unwrap(), lines.next().unwrap());
        assert_eq!(line.chars().nth(caret.len() - 1), Some(')'), "{rendered}");
        // long inputs are windowed around the position
        let input = format!("{} (b {}", "a ".repeat(500), "c ".repeat(500));
        let rendered = err(&input).render(&input);
        let mut lines = rendered.lines();
        let (line, caret) = (lines.next().unwrap(), lines.next().unwrap());
        assert!(line.chars().count() <= 162 && line.starts_with('…') && line.ends_with('…'), "{line}");
        assert_eq!(line.chars().nth(caret.len() - 1), Some('('), "{rendered}");
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = err(&deep);
        assert_eq!(e.position, MAX_DEPTH);
        assert!(e.message.contains("too deeply nested"));
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(p(&ok), bare("a"));
        assert!(err(&"NOT ".repeat(100_000)).message.contains("too deeply nested"));
        assert!(err(&format!("{}a", "-".repeat(100_000))).message.contains("too deeply nested"));
        assert!(err(&"(".repeat(100_000)).message.contains("too deeply nested"));
        assert!(err(&")".repeat(100_000)).message.contains("no '(' to match"));

        let long_word = "x".repeat(100_000);
        assert_eq!(p(&long_word), bare(&long_word));
        let long_field = format!("{}:1", "f".repeat(100_000));
        let e = err(&long_field);
        assert!(e.message.len() < 3_000);
        let _ = e.render(&long_field);
        let many = "name:x* OR ".repeat(10_000) + "y";
        assert!(matches!(p(&many), Expr::Or(items) if items.len() == 10_001));
        let _ = p(&"\"a b\" ".repeat(20_000));
        assert!(err(&format!("\"{}", "a".repeat(100_000))).message.contains("unterminated quote"));
        assert!(parse(&"\"".repeat(100_001), NOW).is_err());
        let stars = "*".repeat(100_000);
        assert!(matches!(p(&format!("name:{stars}")), Expr::Term(Term { value: Value::Any, .. })));

        // control characters, NULs, odd whitespace and non-ASCII in every position
        let odd = [
            "\u{0}",
            "\u{1b}[2J",
            "a\u{0}b:c",
            "name:\u{7}",
            "\u{202e}name:x",
            "name:x\u{85}y",
            "\u{feff}",
            "ip:\u{0}/1",
            "é:x",
            "ñame:x",
            "since:\u{663}h",
            "since:2é",
            "ip:1.2.3.4/é",
            "\"\\",
            "\\",
            "-\u{3000}",
            "(\u{2028})",
            "a\r\nOR\r\nb",
        ];
        for input in odd {
            match parse(input, NOW) {
                Ok(e) => {
                    let text = e.to_string();
                    assert_eq!(parse(&text, NOW).as_ref(), Ok(&e), "{input:?} -> {text:?}");
                }
                Err(e) => {
                    assert!(input.is_char_boundary(e.position) && e.position <= input.len(), "{input:?}");
                    let _ = e.render(input);
                }
            }
        }
        // every prefix of a complex filter parses or fails cleanly, with a valid position
        let full = "(name:StopLogging OR \"x y\\\" z\") -ip:203.0.113.0/24 since:7d ua:\"é*\" NOT readOnly:true";
        for (i, _) in full.char_indices() {
            let prefix = &full[..i];
            if let Err(e) = parse(prefix, NOW) {
                assert!(prefix.is_char_boundary(e.position) && e.position <= prefix.len(), "{prefix:?}");
            }
        }
    }

    #[test]
    fn documentation_examples_parse_and_every_field_is_documented() {
        let doc = include_str!("../../docs/filter-language.md");
        let mut examples = 0;
        let mut in_block = false;
        for line in doc.lines() {
            match line.trim() {
                "```filter" => in_block = true,
                "```" => in_block = false,
                text if in_block && !text.is_empty() => {
                    let e = parse(text, NOW).unwrap_or_else(|x| panic!("doc example {text:?}:\n{}", x.render(text)));
                    assert_eq!(parse(&e.to_string(), NOW), Ok(e), "{text:?}");
                    examples += 1;
                }
                _ => {}
            }
        }
        assert!(examples >= 13, "{examples} examples");
        for name in fields::all_names() {
            assert!(doc.contains(&format!("`{name}`")), "{name} is not documented");
        }
        for (input, message) in [("name:GetObject OR", "expected a term after OR"), ("nmae:ConsoleLogin", "")] {
            let rendered = err(input).render(input);
            let shown: String = rendered.lines().take(2).collect::<Vec<_>>().join("\n");
            assert!(doc.contains(&shown), "{rendered}");
            assert!(rendered.ends_with(message));
        }
        assert!(doc.contains(err("nmae:ConsoleLogin").message.split(", eventSource").next().unwrap()));
    }

    #[test]
    fn time_bounds_match_the_parser() {
        assert_eq!(parse_event_time("0000-01-01T00:00:00Z"), Some(MIN_TIME_MS));
        assert_eq!(parse_event_time("9999-12-31T23:59:59.999Z"), Some(MAX_TIME_MS));
        for ms in [MIN_TIME_MS, MAX_TIME_MS, 0, -1] {
            let e = t(Some(Field::After), Value::Time(ms));
            assert_eq!(p(&e.to_string()), e, "{e}");
        }
    }
}
