//! Atomic file replacement: write a temporary file in the same folder, fsync it, rename it over the
//! target. A reader, or a crash, sees the old contents or the new, never a mix or a truncated file.
//!
//! Temporary files are named `.<name>.homeflake-tmp-<pid>-<n>` so that one left behind by a killed
//! run is recognisable: it is never taken for a generated file, and the next apply deletes it.

use std::fs::{self, OpenOptions, Permissions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::WriteError;

/// The part of a temporary file's name that marks it as homeflake's.
pub(crate) const TEMP_MARKER: &str = ".homeflake-tmp-";

/// The longest file-name prefix kept in a temporary name, so it stays under the usual 255-byte limit.
const MAX_NAME_PREFIX: usize = 200;

/// Whether a file name is one of homeflake's temporary files.
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARKER)
}

fn temp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut cut = name.len().min(MAX_NAME_PREFIX);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{}{TEMP_MARKER}{}-{n}", &name[..cut], std::process::id()))
}

/// Replaces `target` with `contents` atomically, giving the new file `permissions` when set.
///
/// The parent folder must exist. The rename is durable only once the folder is synced, which the
/// caller does once per folder with [`sync_folder`].
pub(crate) fn write_atomic(target: &Path, contents: &[u8], permissions: Option<Permissions>) -> Result<(), WriteError> {
    let temp = temp_path(target);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(WriteError::io("create the temporary file", &temp))?;
    let written = (|| {
        file.write_all(contents)?;
        if let Some(permissions) = permissions {
            file.set_permissions(permissions)?;
        }
        file.sync_all()
    })();
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(WriteError::io("write the temporary file", temp)(e));
    }
    if let Err(e) = fs::rename(&temp, target) {
        let _ = fs::remove_file(&temp);
        return Err(WriteError::io("rename a temporary file onto", target)(e));
    }
    Ok(())
}

/// Flushes a folder's entries (new names, renames, removals) to disk; a no-op where that is not possible.
pub(crate) fn sync_folder(folder: &Path) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        fs::File::open(folder).and_then(|dir| dir.sync_all()).map_err(WriteError::io("sync the folder", folder))?;
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Deletes homeflake's temporary files left in `folder` by an interrupted run; returns their paths.
pub(crate) fn remove_leftover_temps(folder: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory => {
            return Ok(Vec::new());
        }
        Err(e) => return Err(WriteError::io("list the folder", folder)(e)),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry.map_err(WriteError::io("list the folder", folder))?;
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && is_temp_name(&entry.file_name().to_string_lossy()) {
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(WriteError::io("remove the leftover temporary file", path)(e)),
            }
        }
    }
    removed.sort();
    Ok(removed)
}
