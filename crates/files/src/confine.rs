//! Keeps every generated path inside the output folder: a relative path is resolved one part at a
//! time, and a symbolic link anywhere below the output folder (a parent folder or the file itself)
//! is refused rather than followed.
//!
//! `RelPath` already rules out `..` and absolute paths; this module rules out the other way out, a
//! link. The output folder itself may be a link: the caller chose it. The checks are made just
//! before each read or write; someone swapping a folder for a link between the check and the write
//! is outside what this guards against (it is the user's own folder).

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::WriteError;
use crate::file_set::RelPath;

/// What stands at a generated path.
pub(crate) enum Found {
    /// Nothing, or a parent folder is missing.
    Nothing,
    /// A regular file.
    File(Metadata),
}

/// The absolute path of `path` under `out_dir`.
pub(crate) fn join(out_dir: &Path, path: &RelPath) -> PathBuf {
    let mut full = out_dir.to_path_buf();
    full.extend(path.components());
    full
}

fn lstat(path: &Path) -> Result<Option<Metadata>, WriteError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(WriteError::io("inspect", path)(e)),
    }
}

/// Checks that the output folder, if it exists, is a folder.
pub(crate) fn check_out_dir(out_dir: &Path) -> Result<bool, WriteError> {
    match fs::metadata(out_dir) {
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(_) => Err(WriteError::NotAFolder { path: out_dir.to_path_buf() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(WriteError::io("inspect", out_dir)(e)),
    }
}

/// Looks at `path` under `out_dir` without following any link below `out_dir`.
pub(crate) fn inspect(out_dir: &Path, path: &RelPath) -> Result<Found, WriteError> {
    let mut current = out_dir.to_path_buf();
    for folder in path.ancestors() {
        current = out_dir.join(folder);
        match lstat(&current)? {
            None => return Ok(Found::Nothing),
            Some(meta) if meta.file_type().is_symlink() => return Err(WriteError::SymlinkInPath { path: current }),
            Some(meta) if !meta.is_dir() => return Err(WriteError::NotAFolder { path: current }),
            Some(_) => {}
        }
    }
    current.push(path.file_name());
    match lstat(&current)? {
        None => Ok(Found::Nothing),
        Some(meta) if meta.file_type().is_symlink() => Err(WriteError::SymlinkInPath { path: current }),
        Some(meta) if !meta.is_file() => Err(WriteError::NotAFile { path: current }),
        Some(meta) => Ok(Found::File(meta)),
    }
}

/// Creates the missing parent folders of `path`, refusing links; returns the folder that holds it.
pub(crate) fn make_parents(out_dir: &Path, path: &RelPath) -> Result<PathBuf, WriteError> {
    let mut current = out_dir.to_path_buf();
    for folder in path.ancestors() {
        current = out_dir.join(folder);
        match lstat(&current)? {
            None => match fs::create_dir(&current) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if !fs::symlink_metadata(&current).is_ok_and(|m| m.is_dir()) {
                        return Err(WriteError::NotAFolder { path: current });
                    }
                }
                Err(e) => return Err(WriteError::io("create the folder", current)(e)),
            },
            Some(meta) if meta.file_type().is_symlink() => return Err(WriteError::SymlinkInPath { path: current }),
            Some(meta) if !meta.is_dir() => return Err(WriteError::NotAFolder { path: current }),
            Some(_) => {}
        }
    }
    Ok(current)
}
