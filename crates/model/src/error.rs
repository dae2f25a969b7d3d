//! Typed errors of the library: invalid single values, failed builds and failed loads.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// A single value (a name, an address, a number) that failed its validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A text value does not have the shape its kind requires.
    #[error("invalid {kind} {value:?}: {reason}; allowed: {allowed}")]
    Invalid {
        /// What kind of value it is, e.g. `host name`.
        kind: &'static str,
        /// The rejected text.
        value: String,
        /// Why it was rejected.
        reason: String,
        /// What the kind allows.
        allowed: &'static str,
    },
    /// A secret value does not have the shape its kind requires; the value is not shown.
    #[error("invalid {kind} (its value is not shown): {reason}; allowed: {allowed}")]
    InvalidSecret {
        /// What kind of value it is, e.g. `password hash`.
        kind: &'static str,
        /// Why it was rejected, without the value.
        reason: String,
        /// What the kind allows.
        allowed: &'static str,
    },
    /// A number is outside the range its kind allows.
    #[error("{kind} {value} is out of range; allowed: {allowed}")]
    OutOfRange {
        /// What kind of value it is, e.g. `NodePort`.
        kind: &'static str,
        /// The rejected number.
        value: i128,
        /// The allowed range.
        allowed: &'static str,
    },
    /// A word is not one of the allowed choices.
    #[error("unknown {kind} {value:?}; allowed: {allowed}")]
    UnknownChoice {
        /// What kind of value it is, e.g. `role`.
        kind: &'static str,
        /// The rejected word.
        value: String,
        /// The allowed words, comma separated.
        allowed: &'static str,
        /// The closest allowed word, when one is close.
        suggestion: Option<&'static str>,
    },
}

impl ValueError {
    /// The message without the "allowed" part.
    pub fn message(&self) -> String {
        match self {
            ValueError::Invalid { kind, value, reason, .. } => format!("invalid {kind} {value:?}: {reason}"),
            ValueError::InvalidSecret { kind, reason, .. } => {
                format!("invalid {kind} (its value is not shown): {reason}")
            }
            ValueError::OutOfRange { kind, value, .. } => format!("{kind} {value} is out of range"),
            ValueError::UnknownChoice { kind, value, .. } => format!("unknown {kind} {value:?}"),
        }
    }

    /// What the kind of value allows.
    pub fn allowed(&self) -> &'static str {
        match self {
            ValueError::Invalid { allowed, .. }
            | ValueError::InvalidSecret { allowed, .. }
            | ValueError::OutOfRange { allowed, .. }
            | ValueError::UnknownChoice { allowed, .. } => allowed,
        }
    }

    /// The closest allowed word, for a mistyped choice.
    pub fn suggestion(&self) -> Option<&'static str> {
        match self {
            ValueError::UnknownChoice { suggestion, .. } => *suggestion,
            _ => None,
        }
    }
}

/// A cluster built in Rust code that failed validation; every problem is listed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The cluster breaks one or more invariants; every error found is listed.
    #[error("{}", crate::diagnostic::render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

impl BuildError {
    /// Every diagnostic (errors and the warnings found with them).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            BuildError::Invalid(d) => d,
        }
    }
}

/// Loading an inventory from disk or from text failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Neither `homeflake.toml` nor `homeflake.json` exists in the folder.
    #[error("no homeflake.toml or homeflake.json in {}", .root.display())]
    NotFound {
        /// The folder that was searched.
        root: PathBuf,
    },
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The inventory is invalid; every problem found is listed (warnings included).
    #[error("{}", crate::diagnostic::render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    /// The diagnostics of an invalid inventory; empty for the other kinds.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Invalid(d) => d,
            _ => &[],
        }
    }
}
