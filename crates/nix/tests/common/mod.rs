//! Strategies the property tests share: text made of the pieces that are dangerous in one Nix string
//! syntax or the other.

use proptest::prelude::*;

/// Every piece that needs escaping, or changes meaning, in `"…"` or `''…''` literals.
const DANGEROUS_PIECES: &[&str] = &[
    "${",
    "''",
    "''$",
    "'",
    "''\\",
    "'''",
    "\\",
    "\"",
    "$",
    "$$",
    "$${",
    "${x}",
    "{",
    "}",
    "#",
    "\n",
    "\n\n",
    "\t",
    "\r",
    "\r\n",
    " ",
    "  ",
    "   ",
    "\n  ",
    "\n\t",
    "é",
    "日本語",
    "\u{1F600}",
    "\u{2028}",
];

/// Up to `max_pieces` dangerous pieces and plain runs, some of them long enough to push a line past
/// the printer's width.
pub fn nasty_text(max_pieces: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(DANGEROUS_PIECES).prop_map(str::to_string),
        "[a-zA-Z0-9 .:/=-]{1,12}",
        "[a-zA-Z0-9 .:/=-]{30,70}",
    ];
    prop::collection::vec(piece, 0..max_pieces).prop_map(|v| v.concat())
}
