//! Terminal-safe text: every string that came from a log, a file name or an archive member
//! passes through here before it is printed or drawn.
//!
//! Log fields are attacker-controlled (userAgent, request parameters, error messages, S3
//! keys). We render C0/C1 controls, DEL, bidi overrides and other invisible format
//! characters as visible `\u{…}` escapes (and `\n`, `\t`, `\r` as themselves escaped), so
//! nothing from the data can move the cursor, set a title, write the clipboard or reorder
//! what the analyst reads.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must never reach a terminal raw.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // bidi embeddings/overrides/isolates and marks (Trojan Source)
        | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // zero-width and other invisible format characters that hide text
        | '\u{200b}'..='\u{200d}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// Returns `text` with every unsafe character replaced by a visible escape. Borrows when
/// nothing needed changing (the common case).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialises `value` as JSON that is safe to print: serde_json escapes only U+0000–U+001F,
/// so every other unsafe character (DEL, C1 controls such as CSI U+009B, bidi overrides,
/// invisible format characters) is written as a `\uXXXX` escape too. JSON syntax is ASCII,
/// so these characters can only occur inside strings, where the escape means the same.
pub fn terminal_safe_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string(value)?;
    if !text.chars().any(is_unsafe_char) {
        return Ok(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) {
            // All unsafe characters are in the Basic Multilingual Plane: one escape each.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_escapes_c1_bidi_and_nul() {
        let hostile = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{9b}31mc\u{202e}d\u{0}e\u{2066}";
        let clean = sanitize(hostile);
        assert!(!clean.chars().any(is_unsafe_char), "{clean}");
        assert_eq!(clean, "a\\u{1b}]52;c;ZXZpbA==\\u{7}b\\u{9b}31mc\\u{202e}d\\u{0}e\\u{2066}");
    }

    #[test]
    fn json_output_escapes_c1_and_bidi_but_means_the_same() {
        let value = serde_json::json!({"name": "Get\u{202e}Object\u{9b}31m\u{1b}[0m", "plain": "ok"});
        let text = terminal_safe_json(&value).unwrap();
        assert!(!text.chars().any(is_unsafe_char), "{text}");
        assert!(text.contains("\\u202e") && text.contains("\\u009b") && text.contains("\\u001b"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(sanitize("aws-cli/2.15 Python/3.11 (ünïcode)"), Cow::Borrowed(_)));
        assert_eq!(sanitize("a\nb\tc"), "a\\nb\\tc");
    }
}
