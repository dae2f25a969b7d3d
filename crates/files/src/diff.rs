//! Unified diffs of one file's old and new contents, through `similar`, optionally coloured with
//! plain ANSI escape codes (bold headers, cyan hunk ranges, red removals, green additions).

use std::fmt::Write as _;
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// How long one file's diff may take before `similar` settles for a coarser (still correct) diff.
const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// One side of a diff: a label for the header (`a/flake.nix`, `/dev/null`) and the text, if any.
pub(crate) struct Side<'a> {
    pub(crate) label: String,
    pub(crate) text: &'a str,
}

fn paint(out: &mut String, color: bool, code: &str, line: &str) {
    if color {
        let _ = writeln!(out, "{code}{line}{RESET}");
    } else {
        let _ = writeln!(out, "{line}");
    }
}

/// A line of a file as a diff shows it on a terminal: a control character other than a tab (a
/// hand-edited or foreign file may hold escape sequences) is shown as `\u{…}`, never sent.
fn shown(line: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && c != '\t';
    if !line.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(line);
    }
    line.chars().map(|c| if hidden(c) { format!("\\u{{{:x}}}", u32::from(c)) } else { c.to_string() }).collect()
}

/// Appends the unified diff from `old` to `new` (3 lines of context) to `out`; nothing when equal.
pub(crate) fn unified(out: &mut String, old: Side<'_>, new: Side<'_>, color: bool) {
    let diff = TextDiff::configure().timeout(DIFF_TIMEOUT).diff_lines(old.text, new.text);
    let mut header = Some((old.label, new.label));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        if let Some((old_label, new_label)) = header.take() {
            paint(out, color, BOLD, &format!("--- {old_label}"));
            paint(out, color, BOLD, &format!("+++ {new_label}"));
        }
        paint(out, color, CYAN, &hunk.header().to_string());
        for change in hunk.iter_changes() {
            let (sign, code) = match change.tag() {
                ChangeTag::Equal => (' ', ""),
                ChangeTag::Delete => ('-', RED),
                ChangeTag::Insert => ('+', GREEN),
            };
            let value = change.value();
            let line = format!("{sign}{}", shown(value.strip_suffix('\n').unwrap_or(value)));
            paint(out, color && !code.is_empty(), code, &line);
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(label: &str, text: &str) -> Side<'static> {
        Side { label: label.to_string(), text: Box::leak(text.to_string().into_boxed_str()) }
    }

    #[test]
    fn plain_diff_has_headers_hunk_and_signs() {
        let mut out = String::new();
        unified(&mut out, side("a/x.nix", "one\ntwo\nthree\n"), side("b/x.nix", "one\n2\nthree\n"), false);
        assert_eq!(out, "--- a/x.nix\n+++ b/x.nix\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
    }

    #[test]
    fn coloured_diff_wraps_changed_lines_only() {
        let mut out = String::new();
        unified(&mut out, side("a", "x\n"), side("b", "y"), true);
        assert!(out.contains("\x1b[31m-x\x1b[0m\n"), "{out:?}");
        assert!(out.contains("\x1b[32m+y\x1b[0m\n\\ No newline at end of file\n"), "{out:?}");
        assert!(out.contains("\x1b[36m@@ -1 +1 @@\x1b[0m\n"), "{out:?}");
    }

    #[test]
    fn equal_texts_give_nothing() {
        let mut out = String::new();
        unified(&mut out, side("a", "same\n"), side("b", "same\n"), true);
        assert_eq!(out, "");
    }
}
