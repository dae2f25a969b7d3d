//! The generated file set, and the only code in homeflake that touches the disk: plan, check and
//! apply a file set to an output folder without ever losing a file a person wrote.
//!
//! - [`plan()`] compares a [`FileSet`] with the folder and says, path by path, what applying would do
//!   ([`Action`]); [`Plan::diff`] renders it as a unified diff, [`Plan::summary`] as one line.
//! - [`check()`] lists stale, missing and extra files without writing, for CI.
//! - [`apply()`] writes only what changed, atomically, removes stale generated files, and refuses,
//!   writing nothing, when a person edited a generated file or owns a file at a generated path.
//!
//! One run at a time writes into a folder: [`apply()`] holds the folder's [`lock`] from planning to
//! its last write, and [`plan()`]/[`check()`] wait for a writer at work.
//!
//! What homeflake wrote is remembered in a manifest ([`MANIFEST_FILE_NAME`], see [`manifest`]). Only
//! paths of the kinds homeflake generates ([`layout`]) are ever written or removed, whatever the
//! manifest says.
//!
//! ```
//! use homeflake_files::{ApplyOptions, FileSet, GeneratedFile, RelPath, apply, check};
//!
//! let out = tempfile::tempdir()?;
//! let mut files = FileSet::new();
//! let flake = GeneratedFile { contents: "{ outputs = _: { }; }\n".into(), sources: vec![] };
//! files.insert(RelPath::new("flake.nix")?, flake);
//!
//! let report = apply(out.path(), &files, ApplyOptions::default())?;
//! assert_eq!(report.summary(), "1 written, 0 unchanged, 0 removed");
//! assert!(check(out.path(), &files)?.is_up_to_date());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod apply;
mod atomic;
pub mod check;
mod confine;
mod diff;
pub mod error;
pub mod file_set;
pub mod layout;
pub mod lock;
pub mod manifest;
pub mod plan;

pub use apply::{ApplyOptions, ApplyReport, apply};
pub use check::{CheckReport, check};
pub use error::WriteError;
pub use file_set::{FileSet, GeneratedFile, RelPath, RelPathError};
pub use lock::{DEFAULT_LOCK_TIMEOUT, LOCK_FILE_NAME, LockHolder, ReadLock, WriteLock};
pub use manifest::MANIFEST_FILE_NAME;
pub use plan::{Action, Conflict, ConflictReport, Plan, PlannedFile, plan};
