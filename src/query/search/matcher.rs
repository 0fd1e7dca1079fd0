//! Fuzzy matching of one query against one summary line, behind one small interface
//! ([`LineMatcher`]) with two engines: nucleo-matcher (the default: the faster one on our
//! lines, see the README's search benchmark) and fuzzy-matcher's `SkimMatcherV2` (the one
//! the design card named, kept so the benchmark can measure both in the same run).
//!
//! Query rules, the same for both engines:
//! - the query is split on whitespace into words; a line matches when **every** word matches
//!   it (AND, like fzf's extended mode; fzf's operators `'` `^` `$` `!` `|` are *not*
//!   interpreted — they are ordinary characters to match);
//! - a word matches when its characters appear in the line in order (a subsequence), not
//!   necessarily adjacent;
//! - smart case per word, like fzf: a word without an upper-case letter matches
//!   case-insensitively, a word with one matches case-sensitively (`s3 AccessDenied`: `s3`
//!   ignores case, `AccessDenied` respects it);
//! - no Unicode normalisation (`e` does not match `é`), unlike fzf's default;
//! - the score of a line is the sum of its words' scores; positions are the union of every
//!   word's matched positions.
//!
//! Positions are **char** indices into the line (not byte offsets), ascending, without
//! duplicates. Summary lines are nearly all ASCII, where the two coincide.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use nucleo_matcher::{Config, Matcher as NucleoEngine, Utf32Str};

/// Which engine scores lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatcherKind {
    /// `nucleo-matcher` (helix's port of fzf's algorithm). The default.
    #[default]
    Nucleo,
    /// `fuzzy-matcher`'s `SkimMatcherV2`. Kept for the benchmark.
    Skim,
}

impl MatcherKind {
    pub const ALL: [MatcherKind; 2] = [MatcherKind::Nucleo, MatcherKind::Skim];

    pub fn name(self) -> &'static str {
        match self {
            MatcherKind::Nucleo => "nucleo-matcher",
            MatcherKind::Skim => "fuzzy-matcher (SkimMatcherV2)",
        }
    }

    /// A matcher for `query`, owned by one thread (engines keep scratch buffers).
    pub fn build(self, query: &str) -> Box<dyn LineMatcher> {
        let words = query_words(query);
        match self {
            MatcherKind::Nucleo => Box::new(NucleoMatcher::new(&words)),
            MatcherKind::Skim => Box::new(SkimMatcher::new(&words)),
        }
    }
}

/// The words of a query (split on any whitespace, empty words dropped).
pub fn query_words(query: &str) -> Vec<&str> {
    query.split_whitespace().collect()
}

/// Whether a query word matches case-sensitively (it has an upper-case letter).
pub fn is_case_sensitive(word: &str) -> bool {
    word.chars().any(char::is_uppercase)
}

/// One query, compiled for one engine, matched against many lines.
pub trait LineMatcher: Send {
    /// Whether the query has no words (it then matches nothing: an empty search has no hits).
    fn is_empty(&self) -> bool;

    /// The line's score, or `None` when some word does not match. Higher is better.
    fn score(&mut self, line: &str) -> Option<i32>;

    /// Like [`LineMatcher::score`], and fills `positions` (cleared first) with the matched
    /// char indices, ascending and distinct.
    fn positions(&mut self, line: &str, positions: &mut Vec<u32>) -> Option<i32>;

    /// Whether the line matches, without scoring it (several times cheaper: a few `memchr`
    /// calls per word on ASCII lines). Always agrees with `score(line).is_some()`.
    fn is_match(&mut self, line: &str) -> bool;
}

/// The match test without scoring, for ASCII lines and words: each word's bytes in order,
/// found with `memchr` (both cases of a letter for a case-insensitive word).
struct Subsequence {
    /// Per word: its bytes when ASCII (`None`: decided by the engine), and whether case is
    /// ignored.
    words: Vec<(Option<Box<[u8]>>, bool)>,
}

impl Subsequence {
    fn new(words: &[&str]) -> Self {
        let words = words.iter().map(|w| (w.is_ascii().then(|| w.as_bytes().into()), !is_case_sensitive(w))).collect();
        Self { words }
    }

    /// `Some(matches)` when it can decide (an ASCII line; non-ASCII words never match one),
    /// `None` for a non-ASCII line.
    fn check(&self, line: &str) -> Option<bool> {
        if !line.is_ascii() {
            return None;
        }
        let hay = line.as_bytes();
        Some(self.words.iter().all(|(word, ignore_case)| match word {
            Some(word) => ascii_subsequence(hay, word, *ignore_case),
            None => false,
        }))
    }
}

fn ascii_subsequence(hay: &[u8], needle: &[u8], ignore_case: bool) -> bool {
    let mut from = 0;
    for &b in needle {
        // A case-insensitive word has no upper-case letter (smart case).
        let found = if ignore_case && b.is_ascii_lowercase() {
            memchr::memchr2(b, b.to_ascii_uppercase(), &hay[from..])
        } else {
            memchr::memchr(b, &hay[from..])
        };
        match found {
            Some(i) => from += i + 1,
            None => return false,
        }
    }
    true
}

/// The matched char positions of `query` in `line` (default engine), or `None` when the
/// line does not match. For highlighting lines whose hit carries no positions.
pub fn highlight(query: &str, line: &str) -> Option<Vec<u32>> {
    let mut matcher = MatcherKind::default().build(query);
    let mut positions = Vec::new();
    matcher.positions(line, &mut positions)?;
    Some(positions)
}

fn finish_positions(positions: &mut Vec<u32>, words: usize) {
    if words > 1 {
        positions.sort_unstable();
        positions.dedup();
    }
}

/// A query word for nucleo: its characters and whether case is ignored.
struct NucleoWord {
    ascii: Option<Box<[u8]>>,
    chars: Box<[char]>,
    ignore_case: bool,
}

impl NucleoWord {
    fn needle(&self) -> Utf32Str<'_> {
        match &self.ascii {
            Some(bytes) => Utf32Str::Ascii(bytes),
            None => Utf32Str::Unicode(&self.chars),
        }
    }
}

/// nucleo-matcher. Words and lines are turned into code points directly (`str::chars`)
/// rather than through nucleo's `Utf32Str::new`, which takes the first char of each grapheme
/// cluster: positions must index chars.
pub struct NucleoMatcher {
    engine: NucleoEngine,
    words: Vec<NucleoWord>,
    buf: Vec<char>,
    subsequence: Subsequence,
}

impl NucleoMatcher {
    fn new(words: &[&str]) -> Self {
        let mut config = Config::DEFAULT;
        config.normalize = false;
        let nucleo_words = words
            .iter()
            .map(|w| NucleoWord {
                ascii: w.is_ascii().then(|| w.as_bytes().into()),
                chars: w.chars().collect(),
                ignore_case: !is_case_sensitive(w),
            })
            .collect();
        Self {
            engine: NucleoEngine::new(config),
            words: nucleo_words,
            buf: Vec::new(),
            subsequence: Subsequence::new(words),
        }
    }

    fn run(&mut self, line: &str, mut positions: Option<&mut Vec<u32>>) -> Option<i32> {
        let haystack = if line.is_ascii() {
            Utf32Str::Ascii(line.as_bytes())
        } else {
            self.buf.clear();
            self.buf.extend(line.chars());
            Utf32Str::Unicode(&self.buf)
        };
        let mut total = 0i32;
        for word in &self.words {
            self.engine.config.ignore_case = word.ignore_case;
            let score = match positions.as_deref_mut() {
                Some(p) => self.engine.fuzzy_indices(haystack, word.needle(), p),
                None => self.engine.fuzzy_match(haystack, word.needle()),
            }?;
            total += i32::from(score);
        }
        Some(total)
    }
}

impl LineMatcher for NucleoMatcher {
    fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn score(&mut self, line: &str) -> Option<i32> {
        if self.words.is_empty() {
            return None;
        }
        self.run(line, None)
    }

    fn positions(&mut self, line: &str, positions: &mut Vec<u32>) -> Option<i32> {
        positions.clear();
        if self.words.is_empty() {
            return None;
        }
        let score = self.run(line, Some(positions));
        finish_positions(positions, self.words.len());
        score
    }

    fn is_match(&mut self, line: &str) -> bool {
        if self.words.is_empty() {
            return false;
        }
        self.subsequence.check(line).unwrap_or_else(|| self.run(line, None).is_some())
    }
}

/// fuzzy-matcher's `SkimMatcherV2`, one instance per word (its case mode is per matcher).
/// Its scores are `i64` and can be negative for widely spread matches; they are clamped to
/// `i32`, far beyond anything it returns for a summary line. Lines are first checked with
/// the cheap subsequence test: `SkimMatcherV2` copies every line into a `Vec<char>` before
/// its own cheap test, which would be most of its cost on lines that do not match.
pub struct SkimMatcher {
    words: Vec<(String, SkimMatcherV2)>,
    subsequence: Subsequence,
}

impl SkimMatcher {
    fn new(words: &[&str]) -> Self {
        let skim_words = words
            .iter()
            .map(|w| {
                let m = SkimMatcherV2::default();
                let m = if is_case_sensitive(w) { m.respect_case() } else { m.ignore_case() };
                (w.to_string(), m)
            })
            .collect();
        Self { words: skim_words, subsequence: Subsequence::new(words) }
    }

    fn score_all(&self, line: &str) -> Option<i32> {
        let mut total = 0i32;
        for (word, m) in &self.words {
            total = total.saturating_add(clamp(m.fuzzy_match(line, word)?));
        }
        Some(total)
    }
}

fn clamp(score: i64) -> i32 {
    score.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

impl LineMatcher for SkimMatcher {
    fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn score(&mut self, line: &str) -> Option<i32> {
        if self.words.is_empty() || self.subsequence.check(line) == Some(false) {
            return None;
        }
        self.score_all(line)
    }

    fn positions(&mut self, line: &str, positions: &mut Vec<u32>) -> Option<i32> {
        positions.clear();
        if self.words.is_empty() {
            return None;
        }
        let mut total = 0i32;
        for (word, m) in &self.words {
            let (score, idx) = m.fuzzy_indices(line, word)?;
            total = total.saturating_add(clamp(score));
            positions.extend(idx.into_iter().map(|i| i as u32));
        }
        finish_positions(positions, self.words.len());
        Some(total)
    }

    fn is_match(&mut self, line: &str) -> bool {
        if self.words.is_empty() {
            return false;
        }
        self.subsequence.check(line).unwrap_or_else(|| self.score_all(line).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_agree_on_what_matches() {
        let lines = [
            "GetObject s3.amazonaws.com alice",
            "PutObject S3.amazonaws.com bob",
            "ListBuckets",
            "Ünïcode AccessDenied",
        ];
        for kind in MatcherKind::ALL {
            for (query, expect) in [
                ("gtobj", vec![true, false, false, false]),
                ("s3 obj", vec![true, true, false, false]),
                ("S3", vec![false, true, false, false]),
                ("Object bob", vec![false, true, false, false]),
                ("accessdenied", vec![false, false, false, true]),
                ("", vec![false, false, false, false]),
            ] {
                let mut m = kind.build(query);
                let got: Vec<bool> = lines.iter().map(|l| m.score(l).is_some()).collect();
                assert_eq!(got, expect, "{kind:?} {query:?}");
                let got: Vec<bool> = lines.iter().map(|l| m.is_match(l)).collect();
                assert_eq!(got, expect, "{kind:?} {query:?} (is_match)");
            }
        }
    }

    #[test]
    fn positions_are_char_indices() {
        for kind in MatcherKind::ALL {
            let mut m = kind.build("cd");
            let mut p = Vec::new();
            m.positions("Ünïcode", &mut p).unwrap();
            assert_eq!(p, vec![3, 5], "{kind:?}");
            let mut m = kind.build("get alice");
            m.positions("GetObject alice", &mut p).unwrap();
            assert_eq!(p, vec![0, 1, 2, 10, 11, 12, 13, 14], "{kind:?}");
        }
    }
}
