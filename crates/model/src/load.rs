//! Loading an inventory: files on disk or text in memory, decoded and validated.

use std::path::{Path, PathBuf};

use crate::cluster::Cluster;
use crate::diagnostic::Diagnostic;
use crate::error::LoadError;

/// The inventory file in TOML.
pub const TOML_FILE: &str = "homeflake.toml";
/// The inventory file in JSON (the same schema).
pub const JSON_FILE: &str = "homeflake.json";
/// The name of a host file, at `hosts/<name>/host.toml`.
pub const HOST_FILE: &str = "host.toml";

/// A validated cluster and the warnings about it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Loaded {
    /// The cluster.
    pub cluster: Cluster,
    /// Warnings: problems that do not stop generation.
    pub warnings: Vec<Diagnostic>,
}

/// The text of an inventory, for [`from_sources`]: no file system involved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sources {
    /// The main file's name (`homeflake.toml` or `homeflake.json`; the extension picks the format).
    pub root_name: PathBuf,
    /// The main file's text.
    pub root_text: String,
    /// Host files: their path relative to the root (`hosts/yomogi/host.toml`) and their text.
    pub host_files: Vec<(PathBuf, String)>,
}

impl Sources {
    /// Sources with a main file and no host files.
    pub fn new(root_name: impl Into<PathBuf>, root_text: impl Into<String>) -> Self {
        Sources { root_name: root_name.into(), root_text: root_text.into(), host_files: Vec::new() }
    }

    /// Adds a host file at `hosts/<name>/host.toml`.
    pub fn with_host_file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.host_files.push((path.into(), text.into()));
        self
    }
}

/// Loads the inventory in `root`: `homeflake.toml` or `homeflake.json`, and `hosts/*/host.toml`.
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    let _ = root;
    Err(LoadError::Invalid(Vec::new()))
}

/// Decodes and validates an inventory held in memory.
pub fn from_sources(sources: &Sources) -> Result<Loaded, LoadError> {
    let _ = sources;
    Err(LoadError::Invalid(Vec::new()))
}

/// Decodes and validates a TOML inventory; `file_name` is used in diagnostics.
pub fn from_toml_str(file_name: &str, text: &str) -> Result<Loaded, LoadError> {
    from_sources(&Sources::new(file_name, text))
}

/// Decodes and validates a JSON inventory; `file_name` is used in diagnostics.
pub fn from_json_str(file_name: &str, text: &str) -> Result<Loaded, LoadError> {
    from_sources(&Sources::new(file_name, text))
}
