//! Scalars: when a string may be written plain, and its double-quoted form otherwise.

use std::borrow::Cow;
use std::fmt::Write;

/// Words that a YAML 1.1 or 1.2 resolver reads as a boolean or null, compared without case
/// (`yes`, `Yes`, `YES`, …; unusual casings are quoted too, which costs nothing).
const SPECIAL_WORDS: [&str; 9] = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// Whether `value` can be written as a plain scalar that every YAML 1.1 and 1.2 parser reads as
/// exactly this string.
///
/// The rule is deliberately narrow. Numbers, timestamps and sexagesimals all start with a digit,
/// a sign or `.`, so a plain scalar must start with a letter, `_` or `/`; indicators (`*`, `&`,
/// `!`, `|`, `>`, `%`, `@`, `` ` ``, `#`, `'`, `"`, `-`, `?`, `:`, `,`, `[`, `]`, `{`, `}`) and
/// spaces never appear; a `:` may not end the scalar (it would start a mapping); and the words
/// YAML 1.1 reads as booleans or null are quoted.
pub fn is_plain(value: &str) -> bool {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    (first.is_ascii_alphabetic() || first == b'_' || first == b'/')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-' | b':' | b'@' | b'+' | b'='))
        && !value.ends_with(':')
        && !SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(value))
}

/// `value` as YAML: plain when [`is_plain`], double-quoted otherwise.
pub fn scalar(value: &str) -> Cow<'_, str> {
    if is_plain(value) { Cow::Borrowed(value) } else { Cow::Owned(double_quoted(value)) }
}

/// The double-quoted form of `value`, which every YAML parser reads back as exactly `value`.
pub fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_where_nothing_else_is_possible() {
        for plain in
            ["traefik", "cert-manager", "/var/lib/kubelet", "admin@example.com", "a:b", "rook-ceph.rbd.csi.ceph.com"]
        {
            assert!(is_plain(plain), "{plain}");
        }
        for quoted in [
            "",
            "true",
            "On",
            "yes",
            "N",
            "null",
            "~",
            "0755",
            "1e3",
            "0x1F",
            ".inf",
            "-.inf",
            ".NaN",
            "12:30",
            "2001-12-14",
            "*.home.example.com",
            "&a",
            "!tag",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "#x",
            "- x",
            "-x",
            "? x",
            "a b",
            "a:",
            "a #b",
            "=",
            "<<",
            "\"",
            "'",
            "{}",
            "[]",
            "a,b",
            "é",
            "41.3.0",
        ] {
            assert!(!is_plain(quoted), "{quoted:?}");
        }
    }

    #[test]
    fn quoting_escapes_what_a_parser_would_change() {
        assert_eq!(double_quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(double_quoted("x\ny\tz\r"), r#""x\ny\tz\r""#);
        assert_eq!(double_quoted("\u{1}\u{7f}\u{85}\u{2028}\u{feff}"), r#""\x01\x7F\N\L\uFEFF""#);
        assert_eq!(double_quoted("  lead and trail  "), "\"  lead and trail  \"");
    }
}
