//! Nix syntax for homeflake: a typed AST, constructors that read like Nix, and a printer whose
//! output is exactly what nixfmt (RFC 166, nixfmt 1.2) would write.
//!
//! # How printing works
//!
//! [`print_file`] turns an [`ast::File`] into text in three steps.
//!
//! 1. **View.** Each expression is seen the way nixfmt's parser would see the printed text.
//!    Parentheses come from a precedence table (`print::prec`), never from the shape of the tree
//!    the caller built: an application's argument that is itself an application, an operand that
//!    binds looser than its operator, a lambda on the right of `+`, all get parentheses; nested
//!    selections merge (`(a.b).c` is `a.b.c`); negative numbers are negations.
//! 2. **Document.** Every kind of node builds its part of a document (`doc`) following nixfmt's
//!    `Pretty` rules: text, spacings (`line`, `softline`, `hardline`, …) that merge when adjacent,
//!    groups, nesting, and text that only appears when its group is expanded (the trailing comma
//!    of an argument pattern). Strings are escaped on the way (`escape`): literal `${` never turns
//!    into an interpolation, and indented strings keep exactly their value after Nix strips the
//!    indentation.
//! 3. **Layout.** The document is normalised (hard spacings and comments lifted out of groups)
//!    and rendered greedily at width 100 (`layout`): a group is flat if it and the first line of
//!    what follows fit, otherwise its priority children are tried expanded one at a time with the
//!    rest flat, otherwise it expands. This is nixfmt's `Predoc` algorithm, so the output is a
//!    fixed point of nixfmt.
//!
//! [`from_rnix()`] reads Nix source back into the AST, for round-trip tests and for embedders who
//! load existing Nix.
#![deny(missing_docs)]

pub mod ast;
mod doc;
pub mod escape;
pub mod from_rnix;
mod layout;
pub mod make;
pub mod print;
mod trace;

pub use ast::*;
pub use from_rnix::{FromRnixError, from_rnix, from_rnix_expr};
pub use print::{print_expr, print_file};
pub use trace::{OptionSpan, TaggedSpan, TraceError, option_paths, tagged_lines};
