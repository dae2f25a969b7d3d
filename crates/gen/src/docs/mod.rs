//! The Markdown documents under `docs/`: the cluster's topology and its first-deploy steps.
//!
//! Every value from the inventory enters them through one of two functions: [`markdown_code`] for Markdown
//! inline code and [`mermaid_text`] for text inside a quoted Mermaid label, so that no value can end
//! the span or the label it stands in, whatever the model allows.

use std::fmt::Write;

pub mod bootstrap;
pub mod cluster_layer;
pub mod topology;

/// The documents: each one's path, text and the inventory keys it comes from, in the order
/// [`crate::generate`] writes them.
pub fn files(cluster: &homeflake_model::Cluster) -> [(&'static str, String, &'static [&'static str]); 2] {
    [
        ("docs/topology.md", topology::render(cluster), &["hosts", "network", "split-dns", "ingress", "ceph"]),
        ("docs/bootstrap.md", bootstrap::render(cluster), &["hosts", "kubernetes", "split-dns", "ingress"]),
    ]
}

/// The first line of every generated Markdown file.
pub(crate) fn header() -> String {
    format!("<!-- {} -->\n", crate::lower::HEADER)
}

/// `items` written one after another, with `separator` between them.
pub(crate) fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>, separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        let _ = write!(out, "{item}");
    }
    out
}

/// The `roles` keys of `hosts`, which decide which hosts are members, workers and control planes,
/// and in which order they are deployed.
pub(crate) fn roles_of<'h>(hosts: impl IntoIterator<Item = &'h homeflake_model::Host>) -> Vec<String> {
    hosts.into_iter().map(|h| crate::trace::host_key(h, "roles")).collect()
}

/// `text` as a Markdown (CommonMark) code span: fenced by more backticks than any run inside it,
/// padded with a space where it starts or ends with a backtick; a control character (a line
/// break could end the paragraph, and the span with it) is shown as `�`.
pub fn markdown_code(text: &str) -> String {
    let text: String = text.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` for inside a quoted Mermaid label (`["…"]`, `-- "…" -->`): the quote, `#` (which starts
/// Mermaid's entity codes) and the HTML-significant `<`, `>`, `&` become entity codes, and a
/// control character becomes a space.
pub fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_cannot_be_ended_by_their_text() {
        assert_eq!(markdown_code("hosts/a/default.nix"), "`hosts/a/default.nix`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("``x"), "``` ``x ```");
        assert_eq!(markdown_code("a\n\n# b"), "`a\u{FFFD}\u{FFFD}# b`");
    }

    #[test]
    fn mermaid_labels_cannot_be_ended_by_their_text() {
        assert_eq!(mermaid_text("Ceph OSD /dev/disk/by-id/x"), "Ceph OSD /dev/disk/by-id/x");
        assert_eq!(mermaid_text("a\"]; click x \"<b>#1&"), "a#quot;]; click x #quot;#lt;b#gt;#35;1#amp;");
    }
}
