//! Atomic file replacement: write a temporary file in the same folder, make it durable, rename it
//! over the target. A reader, or a crash, sees the old contents or the new, never a mix or a
//! truncated file. Many files are staged first and made durable together (`stage`, `sync_staged`,
//! `Staged::commit`), so that a large tree costs one flush rather than one per file.
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
    let staged = stage(target, contents, permissions, true)?;
    staged.commit()
}

/// A temporary file holding a target's new contents, written next to it but not yet renamed.
pub(crate) struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

impl Staged {
    /// Renames the temporary file over the target.
    pub(crate) fn commit(self) -> Result<(), WriteError> {
        if let Err(e) = fs::rename(&self.temp, &self.target) {
            let _ = fs::remove_file(&self.temp);
            return Err(WriteError::io("rename a temporary file onto", self.target)(e));
        }
        Ok(())
    }

    /// Deletes the temporary file (after a failure elsewhere); best effort.
    pub(crate) fn discard(self) {
        let _ = fs::remove_file(&self.temp);
    }
}

/// Writes `contents` to a new temporary file next to `target`, fsynced when `sync` is set; else
/// the caller makes it durable, with every other staged file, through [`sync_staged`].
pub(crate) fn stage(
    target: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
    sync: bool,
) -> Result<Staged, WriteError> {
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
        if sync || !BATCHED_SYNC { file.sync_all() } else { Ok(()) }
    })();
    drop(file);
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(WriteError::io("write the temporary file", temp)(e));
    }
    Ok(Staged { temp, target: target.to_path_buf() })
}

/// Whether [`sync_staged`] and [`sync_folders`] flush the whole file system in one `syncfs(2)`
/// (Linux) rather than each file and folder on its own: one flush instead of one per file, which
/// for thousands of files is the difference between seconds and tens of milliseconds.
const BATCHED_SYNC: bool = cfg!(target_os = "linux");

/// Makes every file staged without `sync` under `out_dir` durable; a no-op where [`stage`] synced each.
pub(crate) fn sync_staged(out_dir: &Path) -> Result<(), WriteError> {
    if BATCHED_SYNC { syncfs(out_dir) } else { Ok(()) }
}

/// Makes the entries of `folders` (new names, renames, removals) durable, all of them under `out_dir`.
pub(crate) fn sync_folders<'a>(
    out_dir: &Path,
    folders: impl IntoIterator<Item = &'a PathBuf>,
) -> Result<(), WriteError> {
    if BATCHED_SYNC {
        return syncfs(out_dir);
    }
    for folder in folders {
        if folder.is_dir() {
            sync_folder(folder)?;
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn syncfs(out_dir: &Path) -> Result<(), WriteError> {
    fs::File::open(out_dir)
        .and_then(|dir| rustix::fs::syncfs(&dir).map_err(io::Error::from))
        .map_err(WriteError::io("sync the file system of", out_dir))
}

#[cfg(not(target_os = "linux"))]
fn syncfs(_out_dir: &Path) -> Result<(), WriteError> {
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

/// The process id in a temporary file's name (`.<name>.homeflake-tmp-<pid>-<n>`).
fn temp_owner(name: &str) -> Option<u32> {
    let (_, tail) = name.rsplit_once(TEMP_MARKER)?;
    tail.split('-').next()?.parse().ok()
}

/// Deletes homeflake's temporary files left in `folder` by an interrupted run, except those whose
/// writer `is_live` says is still at work; returns the deleted files' paths.
pub(crate) fn remove_leftover_temps(folder: &Path, is_live: impl Fn(u32) -> bool) -> Result<Vec<PathBuf>, WriteError> {
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
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_file && is_temp_name(&name) && !temp_owner(&name).is_some_and(&is_live) {
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
