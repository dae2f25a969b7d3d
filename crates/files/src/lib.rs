//! The generated file set, and the only code in homeflake that touches the disk: plan, check and
//! apply a file set to an output folder without ever losing a file a person wrote.
#![deny(missing_docs)]

pub mod file_set;

pub use file_set::{FileSet, GeneratedFile, RelPath, RelPathError};
