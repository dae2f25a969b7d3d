//! The `homeflake` command line.
fn main() {}
