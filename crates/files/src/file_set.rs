//! An ordered, in-memory set of generated files: relative path to contents, with provenance.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A relative path inside the output folder: `/`-separated, no empty, `.` or `..` component, not absolute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

/// Why a string is not a valid [`RelPath`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelPathError {
    /// The path is empty, absolute, or has an empty, `.` or `..` component, so it could escape the output folder.
    #[error("`{0}` is not a relative path inside the output folder (no leading `/`, no `.`, `..` or empty parts)")]
    Escapes(String),
    /// The path contains a backslash or a control character (NUL, line break, ...), which would mean
    /// different things on different systems or could not be recorded in the manifest.
    #[error("`{0}` contains a backslash or a control character")]
    BadCharacter(String),
}

impl RelPath {
    /// Checks and wraps a `/`-separated relative path.
    pub fn new(path: &str) -> Result<RelPath, RelPathError> {
        if path.chars().any(|c| c == '\\' || c.is_control()) {
            return Err(RelPathError::BadCharacter(path.to_string()));
        }
        if path.is_empty() || path.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
            return Err(RelPathError::Escapes(path.to_string()));
        }
        Ok(RelPath(path.to_string()))
    }

    /// The path as a `/`-separated string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `/`-separated parts of the path, first to last; the last is the file name.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The last part of the path.
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The path of every folder that holds this path, nearest to the root first (`a`, `a/b` for `a/b/c`).
    pub fn ancestors(&self) -> impl Iterator<Item = &str> {
        self.0.match_indices('/').map(|(at, _)| &self.0[..at])
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One generated file: its contents and the inventory keys it was derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The full contents, UTF-8 text; shared, so that plans and reports refer to it without copying.
    pub contents: Arc<str>,
    /// Inventory key paths (such as `hosts.yomogi.roles`) this file was derived from, for review and plans.
    pub sources: Vec<String>,
}

/// Generated files ordered by path; what the generator returns and the writer consumes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    files: BTreeMap<RelPath, GeneratedFile>,
}

impl FileSet {
    /// An empty set.
    pub fn new() -> FileSet {
        FileSet::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: RelPath, file: GeneratedFile) {
        self.files.insert(path, file);
    }

    /// The file at `path`, if any.
    pub fn get(&self, path: &str) -> Option<&GeneratedFile> {
        self.files.get(&RelPath(path.to_string()))
    }

    /// Files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&RelPath, &GeneratedFile)> {
        self.files.iter()
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the set has no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Total bytes of all contents.
    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|f| f.contents.len()).sum()
    }
}
