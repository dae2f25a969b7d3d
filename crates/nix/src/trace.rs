//! Which lines of a printed file each tagged binding and list item landed on.
//!
//! The printer lays out bindings and list items in the order the AST holds them and never adds or
//! drops one, so the printed text, read back by rnix, has the same bindings and items in the same
//! order. Walking both in the same order pairs each AST node with its printed node, whose text
//! range gives the lines. Nothing of this runs while printing: tracing costs nothing until asked.

use rnix::SyntaxKind::{NODE_ATTRPATH_VALUE, NODE_INHERIT, NODE_LIST};

use crate::ast::{Expr, File};

/// A tagged node and the lines it occupies in the printed text (1-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaggedSpan {
    /// The node's tag.
    pub tag: u32,
    /// The first line of the node.
    pub first_line: u32,
    /// The last line of the node.
    pub last_line: u32,
}

/// Why the printed text could not be paired with the AST.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the printed text has {printed} {what} but the AST has {ast}: it was not printed from this AST")]
pub struct TraceError {
    what: &'static str,
    printed: usize,
    ast: usize,
}

/// The lines of every tagged binding and list item of `file`, given the text `print_file` made
/// of it, in the order the nodes appear.
pub fn tagged_lines(file: &File, printed: &str) -> Result<Vec<TaggedSpan>, TraceError> {
    let (mut binding_tags, mut item_tags) = (Vec::new(), Vec::new());
    file.expr.walk(
        &mut |e| {
            if let Expr::List(items) = e {
                item_tags.extend(items.iter().map(|i| i.tag));
            }
        },
        &mut |b| binding_tags.push(b.tag),
    );
    let root = rnix::Root::parse(printed).syntax();
    let (mut bindings, mut items) = (Vec::new(), Vec::new());
    for node in root.descendants() {
        match node.kind() {
            NODE_ATTRPATH_VALUE | NODE_INHERIT => bindings.push(node.text_range()),
            NODE_LIST => items.extend(node.children().map(|c| c.text_range())),
            _ => {}
        }
    }
    for (what, printed, ast) in
        [("bindings", bindings.len(), binding_tags.len()), ("list items", items.len(), item_tags.len())]
    {
        if printed != ast {
            return Err(TraceError { what, printed, ast });
        }
    }
    let starts: Vec<usize> = std::iter::once(0).chain(printed.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line = |offset: usize| starts.partition_point(|&s| s <= offset) as u32;
    let mut out = Vec::new();
    for (tag, range) in binding_tags.into_iter().zip(bindings).chain(item_tags.into_iter().zip(items)) {
        if tag != 0 {
            let (start, end) = (usize::from(range.start()), usize::from(range.end()));
            out.push(TaggedSpan { tag, first_line: line(start), last_line: line(end.saturating_sub(1).max(start)) });
        }
    }
    Ok(out)
}

/// A binding of a printed file by its full attribute path: `services.kubernetes.roles`, and
/// `users.users.admin.isNormalUser` for a binding inside `users.users.admin = { … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpan {
    /// The attribute path, key by key.
    pub path: Vec<String>,
    /// The binding's first line (1-based).
    pub first_line: u32,
    /// The binding's last line.
    pub last_line: u32,
}

/// Every binding of `printed` reachable as an option path from the file's attribute set (through
/// nested attribute sets, not through `let`, lists or functions other than a module's own).
pub fn option_paths(printed: &str) -> Vec<OptionSpan> {
    use rnix::SyntaxKind::{NODE_ATTRPATH, NODE_LAMBDA, NODE_LET_IN, NODE_ROOT};
    let root = rnix::Root::parse(printed).syntax();
    let starts: Vec<usize> = std::iter::once(0).chain(printed.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line = |offset: usize| starts.partition_point(|&s| s <= offset) as u32;
    let segments = |binding: &rnix::SyntaxNode| -> Vec<String> {
        binding
            .children()
            .find(|c| c.kind() == NODE_ATTRPATH)
            .map(|path| path.children().map(|key| key.text().to_string().trim_matches('"').to_owned()).collect())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    'bindings: for binding in root.descendants().filter(|n| n.kind() == NODE_ATTRPATH_VALUE) {
        let mut path = segments(&binding);
        let mut node = binding.parent();
        while let Some(ancestor) = node {
            match ancestor.kind() {
                NODE_ATTRPATH_VALUE => {
                    let mut outer = segments(&ancestor);
                    outer.append(&mut path);
                    path = outer;
                }
                NODE_LET_IN | NODE_LIST => continue 'bindings,
                NODE_LAMBDA if ancestor.parent().is_some_and(|p| p.kind() != NODE_ROOT) => continue 'bindings,
                _ => {}
            }
            node = ancestor.parent();
        }
        let range = binding.text_range();
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        out.push(OptionSpan { path, first_line: line(start), last_line: line(end.saturating_sub(1).max(start)) });
    }
    out
}
