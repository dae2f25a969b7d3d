//! Planning: compare the desired file set with the output folder and its manifest, and decide for
//! every path whether to create, update, keep, remove it, or stop because a person changed it.
//!
//! A file on disk counts as homeflake's to replace or remove only when its sha256 is one the manifest
//! records for that path. Content equal to what would be written is always [`Action::Unchanged`]
//! (and the file is adopted into the manifest), whoever wrote it. Because every apply records both
//! the old and the new hash of each file it touches before it touches any (see
//! [`manifest`](crate::manifest)), a file left by a killed apply is never taken for a hand edit.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, Permissions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::atomic::is_temp_name;
use crate::confine::{self, Found};
use crate::diff::{self, Side};
use crate::error::WriteError;
use crate::file_set::{FileSet, RelPath};
use crate::layout;
use crate::manifest::{ContentHash, MANIFEST_FILE_NAME, Manifest};

/// What applying would do to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Nothing is there yet; the file will be written.
    Create {
        /// The generated contents.
        contents: Arc<str>,
    },
    /// homeflake wrote the file and nobody changed it since; it will be replaced.
    Update {
        /// The contents on disk now.
        on_disk: String,
        /// The generated contents that replace them.
        contents: Arc<str>,
    },
    /// The file on disk already holds exactly the generated contents; it is not touched.
    Unchanged,
    /// homeflake wrote the file, nobody changed it since, and it is no longer generated; it will be removed.
    Remove {
        /// The contents on disk now.
        on_disk: String,
    },
    /// A person changed or owns the file; applying refuses unless forced.
    Conflict(Conflict),
}

/// Why a path cannot be written without losing someone's work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Conflict {
    /// homeflake wrote the file, but its contents changed since and differ from what would be written.
    HandEdited {
        /// The contents on disk now (invalid UTF-8 replaced by `�`).
        on_disk: String,
        /// What homeflake would write there now, or `None` when the file is no longer generated.
        generated: Option<Arc<str>>,
    },
    /// A file homeflake never wrote stands at a generated path, with different contents.
    Foreign {
        /// The contents on disk now (invalid UTF-8 replaced by `�`).
        on_disk: String,
        /// What homeflake would write there.
        generated: Arc<str>,
    },
}

impl Conflict {
    /// A sentence saying what happened to `path`.
    pub fn describe(&self, path: &RelPath) -> String {
        match self {
            Conflict::HandEdited { generated: Some(_), .. } => {
                format!("`{path}` was edited by hand since homeflake wrote it")
            }
            Conflict::HandEdited { generated: None, .. } => {
                format!("`{path}` is no longer generated, but was edited by hand since homeflake wrote it")
            }
            Conflict::Foreign { .. } => format!("`{path}` exists but homeflake never generated it"),
        }
    }

    /// The unified diff from the file on disk to what would be written (a removal when no longer generated).
    pub fn diff(&self, path: &RelPath, color: bool) -> String {
        let (on_disk, generated) = match self {
            Conflict::HandEdited { on_disk, generated } => (on_disk, generated.as_deref()),
            Conflict::Foreign { on_disk, generated } => (on_disk, Some(&**generated)),
        };
        let mut out = String::new();
        let new = match generated {
            Some(text) => Side { label: format!("{path} (generated)"), text },
            None => Side { label: "/dev/null (no longer generated)".to_string(), text: "" },
        };
        diff::unified(&mut out, Side { label: format!("{path} (on disk)"), text: on_disk }, new, color);
        out
    }
}

/// One path of a [`Plan`] and what applying would do to it.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    path: RelPath,
    action: Action,
    pub(crate) disk_hash: Option<ContentHash>,
    pub(crate) desired_hash: Option<ContentHash>,
    pub(crate) permissions: Option<Permissions>,
}

impl PlannedFile {
    /// The path, relative to the output folder.
    pub fn path(&self) -> &RelPath {
        &self.path
    }

    /// What applying would do to it.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The generated contents applying would write, for a creation, an update or a forced conflict.
    pub(crate) fn contents_to_write(&self) -> Option<&str> {
        match &self.action {
            Action::Create { contents } | Action::Update { contents, .. } => Some(contents),
            Action::Conflict(Conflict::HandEdited { generated, .. }) => generated.as_deref(),
            Action::Conflict(Conflict::Foreign { generated, .. }) => Some(generated),
            Action::Unchanged | Action::Remove { .. } => None,
        }
    }
}

/// Every file that is refused, with what is on disk and what would be written; the error of a refused apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictReport {
    conflicts: Vec<(RelPath, Conflict)>,
}

impl ConflictReport {
    /// The refused files, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&RelPath, &Conflict)> {
        self.conflicts.iter().map(|(path, conflict)| (path, conflict))
    }

    /// How many files are refused.
    pub fn len(&self) -> usize {
        self.conflicts.len()
    }

    /// Whether no file is refused.
    pub fn is_empty(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// The report with every file named and its diff shown, coloured when `color` is set.
    pub fn render(&self, color: bool) -> String {
        let count = self.conflicts.len();
        let mut out = format!(
            "refusing to write: {count} file{} changed outside homeflake; nothing was written \
             (force overwrites {}):\n",
            if count == 1 { "" } else { "s" },
            if count == 1 { "it" } else { "them" },
        );
        for (path, conflict) in &self.conflicts {
            out.push_str(&conflict.describe(path));
            out.push_str(":\n");
            out.push_str(&conflict.diff(path, color));
        }
        out
    }
}

impl fmt::Display for ConflictReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(false).trim_end())
    }
}

/// What applying a file set to a folder would do, path by path; computed by [`plan`], writes nothing.
#[derive(Debug, Clone)]
pub struct Plan {
    out_dir: PathBuf,
    files: Vec<PlannedFile>,
    pub(crate) manifest: Manifest,
    pub(crate) manifest_text: Option<String>,
}

impl Plan {
    /// The output folder this plan is for.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// Every generated path, and every path the manifest lists that is still on disk, in path order.
    pub fn files(&self) -> &[PlannedFile] {
        &self.files
    }

    /// The files that would be created or updated.
    pub fn to_write(&self) -> impl Iterator<Item = &RelPath> {
        self.files.iter().filter(|f| matches!(f.action, Action::Create { .. } | Action::Update { .. })).map(|f| &f.path)
    }

    /// The files already up to date.
    pub fn unchanged(&self) -> impl Iterator<Item = &RelPath> {
        self.files.iter().filter(|f| f.action == Action::Unchanged).map(|f| &f.path)
    }

    /// The stale generated files that would be removed.
    pub fn to_remove(&self) -> impl Iterator<Item = &RelPath> {
        self.files.iter().filter(|f| matches!(f.action, Action::Remove { .. })).map(|f| &f.path)
    }

    /// The files a person changed or owns, which applying refuses to touch unless forced.
    pub fn conflicts(&self) -> impl Iterator<Item = (&RelPath, &Conflict)> {
        self.files.iter().filter_map(|f| match &f.action {
            Action::Conflict(conflict) => Some((&f.path, conflict)),
            _ => None,
        })
    }

    /// The conflicts as a report, or `None` when there are none.
    pub fn conflict_report(&self) -> Option<ConflictReport> {
        let conflicts: Vec<_> = self.conflicts().map(|(p, c)| (p.clone(), c.clone())).collect();
        (!conflicts.is_empty()).then_some(ConflictReport { conflicts })
    }

    /// Whether the folder already matches the file set: nothing to write, remove or refuse.
    pub fn is_up_to_date(&self) -> bool {
        self.files.iter().all(|f| f.action == Action::Unchanged)
    }

    /// A unified diff of every change applying would make, conflicts included, in path order.
    pub fn diff(&self, color: bool) -> String {
        let mut out = String::new();
        for file in &self.files {
            let path = &file.path;
            let (old, new) = (format!("a/{path}"), format!("b/{path}"));
            let dev_null = || "/dev/null".to_string();
            match &file.action {
                Action::Unchanged => {}
                Action::Create { contents } => diff::unified(
                    &mut out,
                    Side { label: dev_null(), text: "" },
                    Side { label: new, text: contents },
                    color,
                ),
                Action::Update { on_disk, contents } => diff::unified(
                    &mut out,
                    Side { label: old, text: on_disk },
                    Side { label: new, text: contents },
                    color,
                ),
                Action::Remove { on_disk } => diff::unified(
                    &mut out,
                    Side { label: old, text: on_disk },
                    Side { label: dev_null(), text: "" },
                    color,
                ),
                Action::Conflict(conflict) => {
                    out.push_str(&format!("conflict: {} (force overwrites it)\n", conflict.describe(path)));
                    out.push_str(&conflict.diff(path, color));
                }
            }
        }
        out
    }

    /// One line: `would write N, N unchanged, would remove N`, and `, N conflicts` when there are some.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "would write {}, {} unchanged, would remove {}",
            self.to_write().count(),
            self.unchanged().count(),
            self.to_remove().count()
        );
        let conflicts = self.conflicts().count();
        if conflicts > 0 {
            line.push_str(&format!(", {conflicts} conflict{}", if conflicts == 1 { "" } else { "s" }));
        }
        line
    }
}

/// Checks the file set for paths the writer cannot own: its manifest, temporary-file names, paths of
/// a kind homeflake does not generate, and a path that is both a file and a folder.
fn validate(files: &FileSet) -> Result<(), WriteError> {
    for (path, _) in files.iter() {
        if path.as_str() == MANIFEST_FILE_NAME || path.components().any(is_temp_name) {
            return Err(WriteError::ReservedPath { path: path.clone() });
        }
        if !layout::is_generated_kind(path) {
            return Err(WriteError::NotGeneratedKind { path: path.clone(), kinds: layout::describe() });
        }
        if let Some(folder) = path.ancestors().find(|folder| files.get(folder).is_some()) {
            return Err(WriteError::FileAndFolder { path: RelPath::new(folder).expect("part of a valid path") });
        }
    }
    Ok(())
}

/// The bytes and mode of the regular file at `path`, or `None` when nothing is there.
fn read_file(out_dir: &Path, path: &RelPath) -> Result<Option<(Vec<u8>, Permissions)>, WriteError> {
    match confine::inspect(out_dir, path)? {
        Found::Nothing => Ok(None),
        Found::File(meta) => {
            let full = confine::join(out_dir, path);
            let bytes = fs::read(&full).map_err(WriteError::io("read", full))?;
            Ok(Some((bytes, meta.permissions())))
        }
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn read_manifest(out_dir: &Path) -> Result<(Manifest, Option<String>), WriteError> {
    let path = RelPath::new(MANIFEST_FILE_NAME).expect("a valid relative path");
    let full = confine::join(out_dir, &path);
    match read_file(out_dir, &path)? {
        None => Ok((Manifest::default(), None)),
        Some((bytes, _)) => {
            let text = String::from_utf8(bytes).map_err(|_| WriteError::BadManifest {
                path: full.clone(),
                line: 1,
                reason: "it is not UTF-8 text".to_string(),
            })?;
            Ok((Manifest::parse(&text, &full)?, Some(text)))
        }
    }
}

/// Compares `files` with what is in `out_dir` and its manifest; reads, never writes.
///
/// A missing `out_dir` plans every file as a creation. Fails when a generated path runs through a
/// symbolic link or a non-folder, when the manifest is damaged, or when a read fails. Waits, up to
/// [`DEFAULT_LOCK_TIMEOUT`](crate::lock::DEFAULT_LOCK_TIMEOUT), for a run writing into `out_dir` to
/// finish ([`ReadLock`](crate::lock::ReadLock)).
pub fn plan(out_dir: &Path, files: &FileSet) -> Result<Plan, WriteError> {
    crate::lock::ReadLock::acquire(out_dir, crate::lock::DEFAULT_LOCK_TIMEOUT, |_| {})?.plan(files)
}

/// [`plan`] when the caller holds the folder's lock, or knows no other run writes there.
pub(crate) fn plan_locked(out_dir: &Path, files: &FileSet) -> Result<Plan, WriteError> {
    validate(files)?;
    let mut planned: BTreeMap<RelPath, PlannedFile> = BTreeMap::new();
    let (manifest, manifest_text) =
        if confine::check_out_dir(out_dir)? { read_manifest(out_dir)? } else { (Manifest::default(), None) };
    for (path, file) in files.iter() {
        let desired_hash = ContentHash::of(file.contents.as_bytes());
        let (action, disk_hash, permissions) = match read_file(out_dir, path)? {
            None => (Action::Create { contents: file.contents.clone() }, None, None),
            Some((bytes, permissions)) => {
                // Equal bytes have the desired hash: hash the file only when it differs.
                let same = bytes == file.contents.as_bytes();
                let disk_hash = if same { desired_hash } else { ContentHash::of(&bytes) };
                let action = if same {
                    Action::Unchanged
                } else if manifest.wrote(path, &disk_hash) {
                    Action::Update { on_disk: lossy(bytes), contents: file.contents.clone() }
                } else if manifest.contains(path) {
                    Action::Conflict(Conflict::HandEdited {
                        on_disk: lossy(bytes),
                        generated: Some(file.contents.clone()),
                    })
                } else {
                    Action::Conflict(Conflict::Foreign { on_disk: lossy(bytes), generated: file.contents.clone() })
                };
                (action, Some(disk_hash), Some(permissions))
            }
        };
        let entry =
            PlannedFile { path: path.clone(), action, disk_hash, desired_hash: Some(desired_hash), permissions };
        planned.insert(path.clone(), entry);
    }
    for path in manifest.paths() {
        if planned.contains_key(path) {
            continue;
        }
        let Some((bytes, _)) = read_file(out_dir, path)? else { continue };
        let disk_hash = ContentHash::of(&bytes);
        let action = if manifest.wrote(path, &disk_hash) {
            Action::Remove { on_disk: lossy(bytes) }
        } else {
            Action::Conflict(Conflict::HandEdited { on_disk: lossy(bytes), generated: None })
        };
        let entry = PlannedFile {
            path: path.clone(),
            action,
            disk_hash: Some(disk_hash),
            desired_hash: None,
            permissions: None,
        };
        planned.insert(path.clone(), entry);
    }
    Ok(Plan { out_dir: out_dir.to_path_buf(), files: planned.into_values().collect(), manifest, manifest_text })
}
