//! Nix syntax for homeflake: a typed AST, constructors that read like Nix, and a printer whose
//! output is exactly what nixfmt (RFC 166) would write.
#![deny(missing_docs)]

pub mod ast;
pub mod make;
pub mod print;

pub use ast::*;
pub use print::{print_expr, print_file};
