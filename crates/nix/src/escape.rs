//! Escaping: Rust strings to Nix literals that evaluate to exactly the same text.
//!
//! In `"…"` the printer escapes `"`, `\`, newline, CR and tab, and a `$` that is followed by `{`
//! or by an interpolation. In `''…''` it escapes `''` as `'''`, a `$` before `{` or an
//! interpolation as `''$`, CR as `''\r`, a tab that starts a line as `''\t`, and a `'` that would
//! otherwise run into a following `''` (the closing delimiter or an escape) as `''\'`. Nix strips
//! the common indentation of an indented string and drops a last line made only of spaces, so
//! when no line would pin the indentation (every line starts with a space), or the last line is
//! only spaces, the first such space is written `''\ `.

use std::borrow::Cow;

use crate::ast::{Expr, StrPart};

/// One piece of a printed string line: escaped literal text, or an interpolation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg<'a> {
    /// Text already escaped for the string's syntax (borrowed when it needed no escaping).
    Raw(Cow<'a, str>),
    /// `${expr}`.
    Interp(&'a Expr),
}

/// Nix keywords, which cannot be bare attribute names.
const KEYWORDS: [&str; 10] = ["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"];

/// Whether `name` can be written as a bare identifier: `[A-Za-z_][A-Za-z0-9_'-]*` and not a keyword.
pub fn is_identifier(name: &str) -> bool {
    // Every allowed character is ASCII, so bytes suffice (any byte of a wider character fails).
    let (first, rest) = match name.as_bytes().split_first() {
        Some((&f, r)) => (f, r),
        None => return false,
    };
    (first.is_ascii_alphabetic() || first == b'_')
        && rest.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
        && !KEYWORDS.contains(&name)
}

/// A float literal that stays a float when read back: it always has a `.` before any exponent,
/// and is the shortest text that round-trips. The sign is dropped (negatives print as negation).
/// Non-finite values have no literal; callers must not pass them.
pub fn float(value: f64) -> String {
    let mut s = format!("{:?}", value.abs());
    if !s.contains('.') {
        match s.find('e') {
            Some(e) => s.insert_str(e, ".0"),
            None => s.push_str(".0"),
        }
    }
    s
}

/// The complete `"…"` literal for `value`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    quote_text(value, false, &mut out);
    out.push('"');
    out
}

/// Literal text merged into runs, so that escaping can see across adjacent parts.
enum Run<'a> {
    Text(Cow<'a, str>),
    Interp(&'a Expr),
}

fn runs(parts: &[StrPart]) -> Vec<Run<'_>> {
    let mut out: Vec<Run<'_>> = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            StrPart::Text(t) if t.is_empty() => {}
            StrPart::Text(t) => match out.last_mut() {
                Some(Run::Text(prev)) => prev.to_mut().push_str(t),
                _ => out.push(Run::Text(Cow::Borrowed(t))),
            },
            StrPart::Interp(e) => out.push(Run::Interp(e)),
        }
    }
    out
}

fn quote_text(text: &str, interp_follows: bool, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek().map_or(interp_follows, |&n| n == '{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
}

/// Whether a string with these parts needs more than one line (it has a newline in its text).
pub(crate) fn is_multiline(parts: &[StrPart]) -> bool {
    parts.iter().any(|p| matches!(p, StrPart::Text(t) if t.contains('\n')))
}

/// The escaped content of a `"…"` string, as one line.
pub(crate) fn quoted_line(parts: &[StrPart]) -> Vec<Seg<'_>> {
    let runs = runs(parts);
    let mut out = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        match run {
            Run::Text(t) if !t.contains(['"', '\\', '\n', '\r', '\t', '$']) => out.push(Seg::Raw(t.clone())),
            Run::Text(t) => {
                let mut s = String::with_capacity(t.len());
                quote_text(t, matches!(runs.get(i + 1), Some(Run::Interp(_))), &mut s);
                out.push(Seg::Raw(Cow::Owned(s)));
            }
            Run::Interp(e) => out.push(Seg::Interp(e)),
        }
    }
    out
}

/// A character of an indented string before escaping.
#[derive(Clone, Copy)]
enum Tok<'a> {
    Char(char),
    Interp(&'a Expr),
    Newline,
}

/// The escaped lines of a `''…''` string, as nixfmt reads them back (without indentation).
pub(crate) fn indented_lines(parts: &[StrPart]) -> Vec<Vec<Seg<'_>>> {
    let mut toks: Vec<Tok<'_>> = Vec::new();
    for run in runs(parts) {
        match run {
            Run::Text(t) => toks.extend(t.chars().map(|c| if c == '\n' { Tok::Newline } else { Tok::Char(c) })),
            Run::Interp(e) => toks.push(Tok::Interp(e)),
        }
    }
    let dollar_escaped = |i: usize| matches!(toks.get(i + 1), Some(Tok::Char('{') | Tok::Interp(_)));
    let mut lines: Vec<Vec<Seg<'_>>> = vec![Vec::new()];
    let mut raw = String::new();
    let mut line_start = true;
    let mut i = 0;
    while i < toks.len() {
        let tok = toks[i];
        let at_start = line_start;
        line_start = false;
        match tok {
            Tok::Newline => {
                let line = lines.last_mut().expect("at least one line");
                if !raw.is_empty() {
                    line.push(Seg::Raw(Cow::Owned(std::mem::take(&mut raw))));
                }
                lines.push(Vec::new());
                line_start = true;
            }
            Tok::Interp(e) => {
                let line = lines.last_mut().expect("at least one line");
                if !raw.is_empty() {
                    line.push(Seg::Raw(Cow::Owned(std::mem::take(&mut raw))));
                }
                line.push(Seg::Interp(e));
            }
            Tok::Char('\'') => {
                let run = toks[i..].iter().take_while(|t| matches!(t, Tok::Char('\''))).count();
                for _ in 0..run / 2 {
                    raw.push_str("'''");
                }
                if run % 2 == 1 {
                    let next = i + run;
                    let collides = match toks.get(next) {
                        None => true,
                        Some(Tok::Char('$')) => dollar_escaped(next),
                        Some(Tok::Char('\r')) => true,
                        Some(_) => false,
                    };
                    raw.push_str(if collides { "''\\'" } else { "'" });
                }
                i += run;
                continue;
            }
            Tok::Char('$') if dollar_escaped(i) => raw.push_str("''$"),
            Tok::Char('\r') => raw.push_str("''\\r"),
            Tok::Char('\t') if at_start => raw.push_str("''\\t"),
            Tok::Char(c) => raw.push(c),
        }
        i += 1;
    }
    if !raw.is_empty() {
        lines.last_mut().expect("at least one line").push(Seg::Raw(Cow::Owned(raw)));
    }
    pin_indentation(&mut lines);
    lines
}

fn spaces_only(line: &[Seg<'_>]) -> bool {
    match line {
        [] => true,
        [Seg::Raw(t)] => t.bytes().all(|b| b == b' '),
        _ => false,
    }
}

fn escape_first_space(line: &mut [Seg<'_>]) {
    if let Some(Seg::Raw(t)) = line.first_mut()
        && t.starts_with(' ')
    {
        t.to_mut().replace_range(..1, "''\\ ");
    }
}

fn starts_with_space(line: &[Seg<'_>]) -> bool {
    matches!(line.first(), Some(Seg::Raw(t)) if t.starts_with(' '))
}

/// Makes sure Nix strips exactly the printer's indentation and keeps a last line of spaces.
fn pin_indentation(lines: &mut [Vec<Seg<'_>>]) {
    if lines.len() > 1
        && let Some(last) = lines.last_mut()
        && spaces_only(last)
        && !last.is_empty()
    {
        escape_first_space(last);
    }
    let content: Vec<usize> = (0..lines.len()).filter(|&i| !spaces_only(&lines[i])).collect();
    if content.is_empty() {
        if let Some(line) = lines.iter_mut().find(|l| !l.is_empty()) {
            escape_first_space(line);
        }
    } else if content.iter().all(|&i| starts_with_space(&lines[i])) {
        escape_first_space(&mut lines[content[0]]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_stay_floats() {
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(1e100), "1.0e100");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(-2.25), "2.25");
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("networking"));
        assert!(is_identifier("foo-bar'"));
        assert!(!is_identifier("end0.1"));
        assert!(!is_identifier("inherit"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c${d}$e\n\t\r"), "\"a\\\"b\\\\c\\${d}$e\\n\\t\\r\"");
    }
}
