//! The printer: AST to nixfmt-formatted text. (Placeholder until the document algebra lands.)

use crate::ast::{Expr, File};

/// Prints a whole file: its comments, its expression, and exactly one final newline.
pub fn print_file(file: &File) -> String {
    let mut out = String::new();
    for comment in &file.comments {
        out.push_str("# ");
        out.push_str(comment);
        out.push('\n');
    }
    out.push_str(&print_expr(&file.expr));
    out.push('\n');
    out
}

/// Prints one expression at the top level, without a final newline.
pub fn print_expr(expr: &Expr) -> String {
    format!("{expr:?}")
}
