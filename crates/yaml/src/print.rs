//! The printer: a [`Yaml`] tree to block-style text.

use crate::Yaml;
use crate::scalar::scalar;

/// YAML allows an implicit key of at most 1024 characters; longer keys use the `? key` form.
const MAX_IMPLICIT_KEY: usize = 1024;

/// Where a node is printed: the start of the document, after `key:`, or after `- `.
#[derive(Clone, Copy)]
enum Place {
    /// The document's root, at column 0.
    Root,
    /// The value of a mapping entry whose key starts at this column.
    AfterKey(usize),
    /// A sequence item whose dash is at this column.
    AfterDash(usize),
}

/// Prints `value` as one YAML document ending in a newline.
pub fn print(value: &Yaml) -> String {
    let mut out = String::new();
    node(&mut out, value, Place::Root);
    out
}

/// Prints a file: one `# ` comment line per entry of `comments` (line breaks and control
/// characters in a comment cannot end it early: they are replaced), then the document.
pub fn print_file(comments: &[&str], value: &Yaml) -> String {
    let mut out = String::new();
    for comment in comments {
        for line in comment.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            out.push('#');
            if !line.is_empty() {
                out.push(' ');
                out.extend(line.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }));
            }
            out.push('\n');
        }
    }
    node(&mut out, value, Place::Root);
    out
}

fn pad(out: &mut String, column: usize) {
    out.extend(std::iter::repeat_n(' ', column));
}

fn node(out: &mut String, value: &Yaml, place: Place) {
    match value {
        Yaml::Seq(items) if !items.is_empty() => {
            let (column, inline_first) = block_start(out, place);
            for (i, item) in items.iter().enumerate() {
                if i > 0 || !inline_first {
                    pad(out, column);
                }
                out.push_str("- ");
                node(out, item, Place::AfterDash(column));
            }
        }
        Yaml::Map(entries) if !entries.is_empty() => {
            let (column, inline_first) = block_start(out, place);
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 || !inline_first {
                    pad(out, column);
                }
                let key = scalar(key);
                if key.chars().count() > MAX_IMPLICIT_KEY {
                    out.push_str("? ");
                    out.push_str(&key);
                    out.push('\n');
                    pad(out, column);
                } else {
                    out.push_str(&key);
                }
                out.push(':');
                node(out, item, Place::AfterKey(column));
            }
        }
        leaf => {
            if let Place::AfterKey(_) = place {
                out.push(' ');
            }
            match leaf {
                Yaml::Null => out.push_str("null"),
                Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Yaml::Int(n) => out.push_str(&n.to_string()),
                Yaml::Str(s) => out.push_str(&scalar(s)),
                Yaml::Seq(_) => out.push_str("[]"),
                Yaml::Map(_) => out.push_str("{}"),
            }
            out.push('\n');
        }
    }
}

/// Where a non-empty collection's lines start, and whether its first line continues the current
/// one (after `- `).
fn block_start(out: &mut String, place: Place) -> (usize, bool) {
    match place {
        Place::Root => (0, false),
        Place::AfterKey(column) => {
            out.push('\n');
            (column + 2, false)
        }
        Place::AfterDash(column) => (column + 2, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_style() {
        let doc = Yaml::map([
            ("name", Yaml::str("traefik")),
            ("empty", Yaml::map::<String>([])),
            ("none", Yaml::seq([])),
            ("ports", Yaml::map([("web", Yaml::map([("nodePort", Yaml::Int(31080))]))])),
            (
                "releases",
                Yaml::seq([
                    Yaml::map([("name", Yaml::str("a")), ("needs", Yaml::seq([Yaml::str("b")]))]),
                    Yaml::seq([Yaml::Bool(true), Yaml::Null]),
                ]),
            ),
            ("on", Yaml::str("0755")),
        ]);
        let expected = "\
name: traefik
empty: {}
none: []
ports:
  web:
    nodePort: 31080
releases:
  - name: a
    needs:
      - b
  - - true
    - null
\"on\": \"0755\"
";
        assert_eq!(print(&doc), expected);
        assert_eq!(print_file(&["one", "two\nthree"], &Yaml::Int(1)), "# one\n# two\n# three\n1\n");
    }
}
