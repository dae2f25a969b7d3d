//! Applying: make the output folder match the file set, writing only what changed, each file
//! atomically, and never touching a file a person wrote unless forced.
//!
//! The order of an apply is what makes a kill at any moment harmless:
//! 0. take the output folder's exclusive lock (see [`crate::lock`]), held to the end;
//! 1. plan, and refuse with every conflict (writing nothing) unless forced;
//! 2. delete temporary files an earlier, interrupted apply left behind;
//! 3. record in the manifest both the current and the new hash of every path about to change;
//! 4. write every changed file to a temporary file next to it, flush them all to disk at once, then
//!    rename each over its target, and remove stale generated files;
//! 5. sync the folders, then write the final manifest (one hash per path), atomically, last.
//!
//! On Linux both flushes are one `syncfs(2)` of the output folder's file system, not one `fsync`
//! per file and folder: for a fleet of 10,000 hosts that is one flush instead of 20,000.
//!
//! After a kill in step 4 each file holds its old or its new contents, and the manifest of step 3
//! knows both as homeflake's own, so the next apply finishes the job instead of crying "hand edit".

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::atomic;
use crate::confine;
use crate::error::WriteError;
use crate::file_set::{FileSet, RelPath};
use crate::lock::{self, DEFAULT_LOCK_TIMEOUT, WriteLock};
use crate::manifest::{MANIFEST_FILE_NAME, Manifest};
use crate::plan::{Action, Plan, plan_locked};

/// How [`apply`] treats files a person changed or owns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Overwrite (or remove) hand-edited generated files and foreign files at generated paths.
    pub force: bool,
}

/// What [`apply`] did, path by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyReport {
    /// Files created or replaced, in path order.
    pub written: Vec<RelPath>,
    /// Files that already held the generated contents and were not touched (their mtime is kept).
    pub unchanged: Vec<RelPath>,
    /// Stale generated files removed, in path order.
    pub removed: Vec<RelPath>,
    /// The subset of `written` and `removed` that were conflicts, overwritten or removed because of `force`.
    pub forced: Vec<RelPath>,
    /// Temporary files of an earlier, interrupted apply that were deleted.
    pub leftover_temps_removed: Vec<PathBuf>,
}

impl ApplyReport {
    /// One line: `N written, N unchanged, N removed`.
    pub fn summary(&self) -> String {
        format!("{} written, {} unchanged, {} removed", self.written.len(), self.unchanged.len(), self.removed.len())
    }
}

/// Makes `out_dir` hold exactly `files`, as far as homeflake's own files go, and reports what it did.
///
/// Creates `out_dir` if missing. Refuses with [`WriteError::Conflicts`], before writing anything,
/// when a generated file was edited by hand or a file homeflake never wrote stands at a generated
/// path, unless `options.force` is set. Files not in the manifest and not generated are never touched.
///
/// Holds the output folder's exclusive lock ([`WriteLock`]) from planning to the last write, waiting
/// up to [`DEFAULT_LOCK_TIMEOUT`] for another run to finish; [`WriteLock::acquire`] chooses the
/// wait and hears about it.
pub fn apply(out_dir: &Path, files: &FileSet, options: ApplyOptions) -> Result<ApplyReport, WriteError> {
    WriteLock::acquire(out_dir, DEFAULT_LOCK_TIMEOUT, |_| {})?.apply(files, options)
}

/// [`apply`] once the caller holds the folder's exclusive lock (and so the folder exists).
pub(crate) fn apply_locked(out_dir: &Path, files: &FileSet, options: ApplyOptions) -> Result<ApplyReport, WriteError> {
    let plan = plan_locked(out_dir, files)?;
    if !options.force
        && let Some(report) = plan.conflict_report()
    {
        return Err(WriteError::Conflicts(report));
    }
    let mut report = ApplyReport {
        unchanged: plan.unchanged().cloned().collect(),
        leftover_temps_removed: remove_leftover_temps(&plan)?,
        ..ApplyReport::default()
    };

    let changing: Vec<_> = plan.files().iter().filter(|f| *f.action() != Action::Unchanged).collect();
    if !changing.is_empty() {
        let mut in_flight = Manifest::default();
        for file in plan.files() {
            for hash in [file.disk_hash, file.desired_hash].into_iter().flatten() {
                in_flight.record(file.path().clone(), hash);
            }
        }
        write_manifest(out_dir, &in_flight.render(true))?;
    }

    // Every new file is written to a temporary file first, all are made durable at once, and
    // only then renamed into place: one flush for the whole tree instead of one per file.
    let mut touched_folders = BTreeSet::new();
    let mut staged = Vec::new();
    for file in &changing {
        let Some(contents) = file.contents_to_write() else { continue };
        let path = file.path();
        let written = confine::make_parents(out_dir, path).and_then(|folder| {
            confine::inspect(out_dir, path)?;
            let temp =
                atomic::stage(&confine::join(out_dir, path), contents.as_bytes(), file.permissions.clone(), false)?;
            Ok((folder, temp))
        });
        match written {
            Ok((folder, temp)) => {
                touched_folders.insert(folder);
                staged.push(temp);
            }
            Err(e) => {
                staged.into_iter().for_each(atomic::Staged::discard);
                return Err(e);
            }
        }
    }
    if let Err(e) = atomic::sync_staged(out_dir) {
        staged.into_iter().for_each(atomic::Staged::discard);
        return Err(e);
    }
    let mut staged = staged.into_iter();
    for file in &changing {
        let path = file.path();
        if file.contents_to_write().is_some() {
            if let Err(e) = staged.next().expect("one staged file per file to write").commit() {
                staged.for_each(atomic::Staged::discard);
                return Err(e);
            }
            report.written.push(path.clone());
        } else {
            let full = confine::join(out_dir, path);
            confine::inspect(out_dir, path)?;
            match fs::remove_file(&full) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(WriteError::io("remove", full)(e)),
            }
            touched_folders.insert(full.parent().unwrap_or(out_dir).to_path_buf());
            report.removed.push(path.clone());
        }
        if let Action::Conflict(_) = file.action() {
            report.forced.push(path.clone());
        }
    }
    atomic::sync_folders(out_dir, &touched_folders)?;
    for path in &report.removed {
        remove_empty_folders(out_dir, path);
    }

    let mut done = Manifest::default();
    for file in plan.files() {
        if let Some(hash) = file.desired_hash {
            done.record(file.path().clone(), hash);
        }
    }
    let text = done.render(false);
    if plan.manifest_text.as_deref() != Some(text.as_str()) {
        write_manifest(out_dir, &text)?;
    }
    Ok(report)
}

/// Replaces the manifest atomically and makes the rename durable.
fn write_manifest(out_dir: &Path, text: &str) -> Result<(), WriteError> {
    atomic::write_atomic(&out_dir.join(MANIFEST_FILE_NAME), text.as_bytes(), None)?;
    atomic::sync_folder(out_dir)
}

/// Deletes temporary files left in the folders an interrupted apply could have written to: the
/// root and the folders of every generated or manifest-listed path (all checked for links by the plan).
/// A temporary file whose writer (named by the process id in its name) is still running is kept:
/// under the folder's lock that can only be a run that does not lock, and it is still writing.
fn remove_leftover_temps(plan: &Plan) -> Result<Vec<PathBuf>, WriteError> {
    let out_dir = plan.out_dir();
    let paths = plan.files().iter().map(|f| f.path()).chain(plan.manifest.paths());
    let mut folders = BTreeSet::from([out_dir.to_path_buf()]);
    for path in paths {
        if let Some(folder) = path.ancestors().last() {
            folders.insert(out_dir.join(folder));
        }
    }
    let mut removed = Vec::new();
    for folder in folders {
        if fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
            removed.extend(atomic::remove_leftover_temps(&folder, |pid| {
                pid != std::process::id() && lock::is_running(pid)
            })?);
        }
    }
    Ok(removed)
}

/// Removes the folders that held `path`, deepest first, while they are empty; never `out_dir` itself.
fn remove_empty_folders(out_dir: &Path, path: &RelPath) {
    let folders: Vec<&str> = path.ancestors().collect();
    for folder in folders.into_iter().rev() {
        if fs::remove_dir(out_dir.join(folder)).is_err() {
            break;
        }
    }
}
