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
    let mut printer = Printer::default();
    printer.node(value, Place::Root);
    printer.out
}

/// Prints a file: one `# ` comment line per entry of `comments` (line breaks and control
/// characters in a comment cannot end it early: they are replaced), then the document.
pub fn print_file(comments: &[&str], value: &Yaml) -> String {
    print_file_with_spans(comments, value, false).0
}

/// [`print_file`], and the lines (1-based, first and last) each node of `value` occupies, by the
/// node's number in preorder (the root is 0; a mapping's values and a sequence's items follow
/// their parent in order, each before its own children). A mapping value's lines start at its
/// key's line. Computed only when `spans` is asked for.
pub fn print_file_with_spans(comments: &[&str], value: &Yaml, spans: bool) -> (String, Vec<(u32, u32)>) {
    let mut printer = Printer { spans: spans.then(Vec::new), ..Printer::default() };
    for comment in comments {
        for line in comment.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            printer.out.push('#');
            if !line.is_empty() {
                printer.out.push(' ');
                printer.out.extend(line.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }));
            }
            printer.newline();
        }
    }
    let first = printer.line;
    let root = printer.open_span();
    printer.node(value, Place::Root);
    printer.close_span(root, first);
    (printer.out, printer.spans.unwrap_or_default())
}

#[derive(Default)]
struct Printer {
    out: String,
    /// Lines finished so far.
    line: u32,
    /// Spans by preorder node number, when asked for.
    spans: Option<Vec<(u32, u32)>>,
}

impl Printer {
    fn newline(&mut self) {
        self.out.push('\n');
        self.line += 1;
    }

    fn pad(&mut self, column: usize) {
        self.out.extend(std::iter::repeat_n(' ', column));
    }

    /// Reserves the next node's number; returns it.
    fn open_span(&mut self) -> usize {
        match &mut self.spans {
            Some(spans) => {
                spans.push((0, 0));
                spans.len() - 1
            }
            None => 0,
        }
    }

    /// The node numbered `index` started on the line after `first` finished lines and ends here.
    fn close_span(&mut self, index: usize, first: u32) {
        let last = self.line;
        if let Some(spans) = &mut self.spans {
            spans[index] = (first + 1, last.max(first + 1));
        }
    }

    fn node(&mut self, value: &Yaml, place: Place) {
        match value {
            Yaml::Seq(items) if !items.is_empty() => {
                let (column, inline_first) = self.block_start(place);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 || !inline_first {
                        self.pad(column);
                    }
                    let first = self.line;
                    let index = self.open_span();
                    self.out.push_str("- ");
                    self.node(item, Place::AfterDash(column));
                    self.close_span(index, first);
                }
            }
            Yaml::Map(entries) if !entries.is_empty() => {
                let (column, inline_first) = self.block_start(place);
                for (i, (key, item)) in entries.iter().enumerate() {
                    if i > 0 || !inline_first {
                        self.pad(column);
                    }
                    let first = self.line;
                    let index = self.open_span();
                    let key = scalar(key);
                    if key.chars().count() > MAX_IMPLICIT_KEY {
                        self.out.push_str("? ");
                        self.out.push_str(&key);
                        self.newline();
                        self.pad(column);
                    } else {
                        self.out.push_str(&key);
                    }
                    self.out.push(':');
                    self.node(item, Place::AfterKey(column));
                    self.close_span(index, first);
                }
            }
            leaf => {
                if let Place::AfterKey(_) = place {
                    self.out.push(' ');
                }
                match leaf {
                    Yaml::Null => self.out.push_str("null"),
                    Yaml::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
                    Yaml::Int(n) => self.out.push_str(&n.to_string()),
                    Yaml::Str(s) => self.out.push_str(&scalar(s)),
                    Yaml::Seq(_) => self.out.push_str("[]"),
                    Yaml::Map(_) => self.out.push_str("{}"),
                }
                self.newline();
            }
        }
    }

    /// Where a non-empty collection's lines start, and whether its first line continues the
    /// current one (after `- `).
    fn block_start(&mut self, place: Place) -> (usize, bool) {
        match place {
            Place::Root => (0, false),
            Place::AfterKey(column) => {
                self.newline();
                (column + 2, false)
            }
            Place::AfterDash(column) => (column + 2, true),
        }
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

    #[test]
    fn spans_of_nodes_in_preorder() {
        let doc = Yaml::map([
            ("name", Yaml::str("traefik")),
            ("ports", Yaml::map([("web", Yaml::map([("nodePort", Yaml::Int(31080))]))])),
            ("releases", Yaml::seq([Yaml::map([("name", Yaml::str("a")), ("needs", Yaml::seq([Yaml::str("b")]))])])),
        ]);
        let (text, spans) = print_file_with_spans(&["header"], &doc, true);
        assert_eq!(text, print_file(&["header"], &doc));
        // 0 root, 1 name, 2 ports, 3 web, 4 nodePort, 5 releases, 6 item, 7 item.name, 8 needs, 9 "b"
        assert_eq!(spans, vec![(2, 9), (2, 2), (3, 5), (4, 5), (5, 5), (6, 9), (7, 9), (7, 7), (8, 9), (9, 9)]);
        assert_eq!(print_file_with_spans(&[], &doc, false).1, Vec::new());
    }
}
