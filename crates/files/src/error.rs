//! The one error type of the writer: every way planning, checking or applying a file set can fail.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::file_set::RelPath;
use crate::lock::LockHolder;
use crate::plan::ConflictReport;

/// Why [`plan`](crate::plan()), [`check`](crate::check()) or [`apply`](crate::apply()) could not do its work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A filesystem call failed; `action` says what homeflake was doing (`read`, `rename`, ...).
    #[error("could not {action} `{}`: {source}", path.display())]
    Io {
        /// What homeflake was doing, as a verb phrase (`read`, `create the folder`, ...).
        action: &'static str,
        /// The file or folder it was doing it to.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// A generated path runs through a symbolic link, which could lead outside the output folder.
    #[error(
        "`{}` is a symbolic link; homeflake never reads or writes through one, \
         so that no generated path can lead outside the output folder",
        path.display()
    )]
    SymlinkInPath {
        /// The symbolic link.
        path: PathBuf,
    },
    /// Something that is not a folder stands where a generated path needs a folder.
    #[error("`{}` is in the way: it is not a folder, but a generated file must be written inside it", path.display())]
    NotAFolder {
        /// The file that should have been a folder.
        path: PathBuf,
    },
    /// Something that is not a regular file (a folder, a pipe, a device) stands at a generated path.
    #[error("`{}` is in the way: it is not a regular file, but homeflake generates a file there", path.display())]
    NotAFile {
        /// The folder or special file at the generated path.
        path: PathBuf,
    },
    /// The file set names a path that the writer keeps for its own manifest or temporary files.
    #[error("the file set contains `{path}`, a name homeflake keeps for its manifest and temporary files")]
    ReservedPath {
        /// The offending generated path.
        path: RelPath,
    },
    /// The file set holds a path of a kind homeflake does not generate (see [`layout`](crate::layout)).
    #[error(
        "the file set contains `{path}`, which is not a kind of path homeflake generates ({kinds}); \
         the writer only writes and removes paths of those kinds"
    )]
    NotGeneratedKind {
        /// The offending path.
        path: RelPath,
        /// The generated kinds, for the message.
        kinds: String,
    },
    /// The file set holds both a file at `path` and files inside a folder of the same name.
    #[error("the file set has both a file `{path}` and files inside a folder `{path}/`")]
    FileAndFolder {
        /// The path used both ways.
        path: RelPath,
    },
    /// The manifest exists but cannot be read as one; homeflake will not guess what it once wrote.
    #[error(
        "the manifest `{}` is damaged at line {line}: {reason} \
         (restore it from version control, or delete it to treat every existing file as foreign)",
        path.display()
    )]
    BadManifest {
        /// The manifest file.
        path: PathBuf,
        /// The 1-based line number of the first bad line.
        line: usize,
        /// What is wrong with that line.
        reason: String,
    },
    /// A manifest line names a path homeflake never generates: someone added it, and homeflake
    /// will not remove a file on the manifest's word alone.
    #[error(
        "the manifest `{}` was tampered with: line {line} names `{entry}`, which homeflake never generates \
         (it writes only {kinds}); nothing was written or removed. Delete that line, or restore the \
         manifest from version control",
        path.display()
    )]
    ManifestTampered {
        /// The manifest file.
        path: PathBuf,
        /// The 1-based line number of the line.
        line: usize,
        /// The path the line names.
        entry: RelPath,
        /// The generated kinds, for the message.
        kinds: String,
    },
    /// Another run held the output folder's lock for longer than the caller would wait.
    #[error(
        "{} is writing into `{}` (it holds `{}`); gave up after waiting {} s, nothing was written; \
         run again once it has finished",
        holder.describe(),
        holder.lock_file.parent().unwrap_or(holder.lock_file.as_path()).display(),
        holder.lock_file.display(),
        waited.as_secs()
    )]
    Locked {
        /// The run holding the lock.
        holder: LockHolder,
        /// How long this run waited.
        waited: Duration,
    },
    /// Applying was refused, and nothing written, because files were edited by hand or never generated.
    #[error("{0}")]
    Conflicts(ConflictReport),
}

impl WriteError {
    /// Wraps an I/O error with what was being done and to which path.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> WriteError {
        let path = path.into();
        move |source| WriteError::Io { action, path, source }
    }
}
