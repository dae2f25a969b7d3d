//! The printer: AST to exactly the text nixfmt (RFC 166) writes, at width 100 and indent 2.
//!
//! Printing happens in two steps. First the AST is viewed the way nixfmt's parser would see the
//! printed text ([`Node`]): parentheses come from the precedence table in [`prec`], nested
//! selections merge, negative literals are negations. Then each kind of node builds its part of
//! a [`Doc`](crate::doc::Doc) following nixfmt's `Pretty` rules (one module per kind of
//! syntax), and [`crate::layout`] renders it.

mod app;
mod binding;
mod op;
mod prec;
mod stmt;
mod string;
mod term;

use crate::ast::{Expr, File};
use crate::doc::Doc;
use crate::layout;

pub(crate) use prec::Node;

/// The line width nixfmt formats to.
const WIDTH: usize = 100;

/// Prints a whole file: its comments, its expression, and exactly one final newline.
pub fn print_file(file: &File) -> String {
    let mut d = Doc::new();
    d.group(|d| {
        binding::comments(d, &file.comments);
        d.group(|d| stmt::expr(d, Node::top(&file.expr)));
    });
    layout::render(d.elems, WIDTH)
}

/// Prints one expression at the top level, without a final newline.
pub fn print_expr(expr: &Expr) -> String {
    let mut d = Doc::new();
    d.group(|d| stmt::expr(d, Node::top(expr)));
    let mut out = layout::render(d.elems, WIDTH);
    out.pop();
    out
}
