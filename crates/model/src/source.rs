//! Source trees: TOML and JSON parsed into one spanned tree, and byte offsets turned into lines.
