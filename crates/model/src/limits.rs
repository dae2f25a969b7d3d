//! Bounds on what loading an inventory may cost, so that no input exhausts the machine: the
//! inventory's size, the parser's error recovery, and the number of diagnostics kept.
//!
//! A 50 MB file of `=` lines once made `validate` grow to 24 GB: every line gave three
//! diagnostics and nothing capped them. Now the files are measured before they are read, a large
//! file's syntax errors stop at the first, and at most [`MAX_DIAGNOSTICS`] diagnostics are kept,
//! followed by one that counts the rest. Everything here is linear in the input's size.

use crate::diagnostic::{Code, Diagnostic, Severity};

/// The most bytes an inventory may have: the main file and every host file together. A fleet of
/// 10,000 hosts takes 1.4 MB, so this leaves room for about 25,000. The bound is on memory: the
/// TOML parser holds every token of a file at once, about 80 bytes per byte of input at worst (a
/// file of `=` lines), so a file of this size costs at most about 320 MB to reject.
pub const MAX_INVENTORY_BYTES: u64 = 4 * 1024 * 1024;

/// The most diagnostics a load reports; one more says how many were left out.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Files up to this size have every TOML syntax error reported (the parser recovers and goes on,
/// keeping all of them in memory); a larger file, made by a program rather than a person, has its
/// first syntax error reported.
pub(crate) const RECOVERABLE_PARSE_BYTES: usize = 256 * 1024;

/// Diagnostics left out of a load because there were more than [`MAX_DIAGNOSTICS`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Omitted {
    pub errors: usize,
    pub warnings: usize,
}

impl Omitted {
    pub(crate) fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Warning => self.warnings += 1,
            _ => self.errors += 1,
        }
    }
}

/// Keeps the first [`MAX_DIAGNOSTICS`] of `diagnostics` and, when any were left out (here or
/// earlier, in `omitted`), adds one diagnostic saying how many.
pub(crate) fn cap(mut diagnostics: Vec<Diagnostic>, mut omitted: Omitted) -> Vec<Diagnostic> {
    if diagnostics.len() > MAX_DIAGNOSTICS {
        for d in diagnostics.drain(MAX_DIAGNOSTICS..) {
            omitted.count(d.severity);
        }
    }
    if omitted == Omitted::default() {
        return diagnostics;
    }
    let plural = |n: usize, word: &str| format!("{n} more {word}{}", if n == 1 { "" } else { "s" });
    let counts = match (omitted.errors, omitted.warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    };
    let message = format!("{counts} not shown: homeflake lists the first {MAX_DIAGNOSTICS} problems");
    let summary = if omitted.errors > 0 {
        Diagnostic::error(Code::Omitted, "", message)
    } else {
        Diagnostic::warning(Code::Omitted, "", message)
    };
    let mut summary = summary.with_allowed("fix the problems listed, then run homeflake again to see the rest");
    summary.file = diagnostics.last().and_then(|d| d.file.clone());
    diagnostics.push(summary);
    diagnostics
}

/// The error for an inventory whose files together exceed [`MAX_INVENTORY_BYTES`], at `file`.
pub(crate) fn too_large(file: &std::path::Path, total: u64) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::TooLarge,
        "",
        format!(
            "the inventory is {total} bytes with this file, more than homeflake reads ({MAX_INVENTORY_BYTES} bytes)"
        ),
    )
    .with_allowed(format!(
        "an inventory (homeflake.toml or homeflake.json and every hosts/<name>/host.toml) of at most {} MiB",
        MAX_INVENTORY_BYTES / 1024 / 1024
    ));
    d.file = Some(file.to_owned());
    d
}
