//! Reading Nix source through rnix into the AST.

use crate::ast::{Expr, File};

/// Why Nix source could not be read into the AST.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FromRnixError {
    /// rnix reported a syntax error.
    #[error("parse error: {0}")]
    Parse(String),
    /// The source uses syntax the AST does not model.
    #[error("unsupported syntax: {0}")]
    Unsupported(String),
}

/// Parses a whole file.
pub fn from_rnix(_src: &str) -> Result<File, FromRnixError> {
    Err(FromRnixError::Unsupported("todo".into()))
}

/// Parses a single expression.
pub fn from_rnix_expr(src: &str) -> Result<Expr, FromRnixError> {
    from_rnix(src).map(|f| f.expr)
}
