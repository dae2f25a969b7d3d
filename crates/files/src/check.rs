//! Checking: does the output folder hold exactly what would be generated? Like `cargo fmt --check`,
//! it writes nothing and lists what differs.

use std::fmt;
use std::path::Path;

use crate::error::WriteError;
use crate::file_set::{FileSet, RelPath};
use crate::plan::{Action, Conflict, Plan, plan_locked};

/// What differs between the output folder and the file set; empty lists mean up to date.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CheckReport {
    /// Generated files on disk whose contents differ from what would be generated (hand edits included).
    pub stale: Vec<RelPath>,
    /// Generated files that are not on disk.
    pub missing: Vec<RelPath>,
    /// Files homeflake generated earlier (in the manifest) that are no longer generated but still on disk.
    pub extra: Vec<RelPath>,
    /// The plan the report was made from, for its diff.
    pub plan: Plan,
}

impl CheckReport {
    /// Whether the folder is up to date: nothing stale, missing or extra.
    pub fn is_up_to_date(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// One line per differing file, `stale: PATH`, `missing: PATH` or `extra: PATH`, in that order.
impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups = [("stale", &self.stale), ("missing", &self.missing), ("extra", &self.extra)];
        for (kind, paths) in groups {
            for path in paths {
                writeln!(f, "{kind}: {path}")?;
            }
        }
        Ok(())
    }
}

/// Compares `files` with `out_dir` without writing anything; waits, like [`plan`](crate::plan()), for
/// a run writing there to finish.
pub fn check(out_dir: &Path, files: &FileSet) -> Result<CheckReport, WriteError> {
    crate::lock::ReadLock::acquire(out_dir, crate::lock::DEFAULT_LOCK_TIMEOUT, |_| {})?.check(files)
}

/// [`check`] when the caller holds the folder's lock.
pub(crate) fn check_locked(out_dir: &Path, files: &FileSet) -> Result<CheckReport, WriteError> {
    let plan = plan_locked(out_dir, files)?;
    let (mut stale, mut missing, mut extra) = (Vec::new(), Vec::new(), Vec::new());
    for file in plan.files() {
        let path = file.path().clone();
        match file.action() {
            Action::Unchanged => {}
            Action::Create { .. } => missing.push(path),
            Action::Remove { .. } | Action::Conflict(Conflict::HandEdited { generated: None, .. }) => extra.push(path),
            Action::Update { .. } | Action::Conflict(_) => stale.push(path),
        }
    }
    Ok(CheckReport { stale, missing, extra, plan })
}
