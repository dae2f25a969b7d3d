//! One writer at a time: a lock on the output folder, held for the whole plan-and-apply.
//!
//! Two runs on one folder (an editor's save hook and a terminal, a CI retry) would otherwise plan
//! against the same tree, delete each other's staged files as leftovers, and leave a tree mixed
//! from two inventories with a manifest that matches neither. So [`apply`](crate::apply()) first
//! takes an exclusive `flock(2)` on [`LOCK_FILE_NAME`] in the output folder, waiting (up to a
//! timeout) while another run holds it; the holder writes its process id into the file so that a
//! waiting run can name it. The kernel drops the lock when its holder exits, however it exits, so a
//! killed run never leaves a stale lock behind.
//!
//! The lock file exists only while a run holds it: the holder deletes it before releasing the
//! lock, and a run that acquired a file someone deleted meanwhile drops it and tries again, so
//! there is never more than one lock file to agree on and nothing is left in the folder.
//!
//! Readers ([`plan`](crate::plan()), [`check`](crate::check())) write nothing, so they never create the
//! lock file; when one exists they wait for a shared lock on it, so that a check started during a
//! gen sees the tree that gen leaves, not one half-written. A gen that starts after a reader has
//! begun is not held back by it: a reader can then see a tree in the middle of a gen, and says so
//! in the file it reports as stale. On systems without `flock` (not Unix) no lock is taken.

use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::apply::{ApplyOptions, ApplyReport};
use crate::check::CheckReport;
use crate::error::WriteError;
use crate::file_set::FileSet;
use crate::plan::Plan;

/// The lock file's name, in the output folder; it exists only while a run holds the lock.
pub const LOCK_FILE_NAME: &str = ".homeflake-lock";

/// How long [`apply`](crate::apply()), [`plan`](crate::plan()) and [`check`](crate::check()) wait for
/// another run's lock by default: far longer than a gen of 10,000 hosts takes.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a waiting run tries the lock again.
const POLL: Duration = Duration::from_millis(20);

/// The run that holds an output folder's lock, as far as its lock file tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// The lock file.
    pub lock_file: PathBuf,
    /// The holder's process id, once it has written it.
    pub pid: Option<u32>,
}

impl LockHolder {
    /// `homeflake (pid 123)`, or `another homeflake run` before the holder wrote its id.
    pub fn describe(&self) -> String {
        match self.pid {
            Some(pid) => format!("homeflake (pid {pid})"),
            None => "another homeflake run".to_string(),
        }
    }
}

/// The exclusive lock of an output folder, for a run that writes; released, and its file deleted,
/// when dropped. [`apply`](crate::apply()) takes one itself; take it with [`WriteLock::acquire`] to
/// hear when a run has to wait.
#[derive(Debug)]
pub struct WriteLock {
    held: Held,
}

/// A shared lock on an output folder for a run that only reads, held when a writer was at work
/// as it started; released when dropped.
#[derive(Debug)]
pub struct ReadLock {
    held: Held,
}

#[derive(Debug)]
struct Held {
    out_dir: PathBuf,
    path: PathBuf,
    /// The locked file; `None` for a reader that found no lock file (no writer was at work).
    file: Option<File>,
}

impl WriteLock {
    /// Takes the exclusive lock of `out_dir`, creating the folder if it is missing.
    ///
    /// When another run holds it, calls `on_wait` once with that run, then waits up to `timeout`;
    /// fails with [`WriteError::Locked`] naming the holder after that.
    pub fn acquire(
        out_dir: &Path,
        timeout: Duration,
        on_wait: impl FnOnce(&LockHolder),
    ) -> Result<WriteLock, WriteError> {
        if !crate::confine::check_out_dir(out_dir)? {
            fs::create_dir_all(out_dir).map_err(WriteError::io("create the folder", out_dir))?;
        }
        let path = out_dir.join(LOCK_FILE_NAME);
        let mut waiting = Waiting::new(&path, timeout, on_wait);
        let file = loop {
            let file = sys::open(&path, true).map_err(WriteError::io("open the lock file", &path))?;
            if !sys::try_lock(&file, true).map_err(WriteError::io("lock", &path))? {
                waiting.tick()?;
                continue;
            }
            // The previous holder deletes the file before releasing it: a lock on a deleted file
            // guards nothing, so try again with the file at the path now.
            if sys::is_the_file_at(&file, &path).map_err(WriteError::io("inspect", &path))? {
                break file;
            }
        };
        let mut lock = WriteLock { held: Held { out_dir: out_dir.to_path_buf(), path, file: None } };
        let file = lock.held.file.insert(file);
        let id = format!("{}\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.write_all(id.as_bytes()))
            .map_err(WriteError::io("write the lock file", &lock.held.path))?;
        Ok(lock)
    }

    /// The locked output folder.
    pub fn out_dir(&self) -> &Path {
        &self.held.out_dir
    }

    /// [`apply`](crate::apply()) under this lock.
    pub fn apply(&self, files: &FileSet, options: ApplyOptions) -> Result<ApplyReport, WriteError> {
        crate::apply::apply_locked(self.out_dir(), files, options)
    }

    /// [`plan`](crate::plan()) under this lock.
    pub fn plan(&self, files: &FileSet) -> Result<Plan, WriteError> {
        crate::plan::plan_locked(self.out_dir(), files)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // Deleted while still held, so no run can take a lock on a file that is about to go.
        if self.held.file.is_some() {
            let _ = fs::remove_file(&self.held.path);
        }
        // Closing the file releases the lock.
        self.held.file.take();
    }
}

impl ReadLock {
    /// Waits, up to `timeout`, for a run writing into `out_dir` to finish, and holds a shared lock
    /// while reading. Writes nothing: a folder without a lock file has no writer to wait for.
    ///
    /// When a writer is at work, calls `on_wait` once with it; fails with [`WriteError::Locked`]
    /// naming it after `timeout`.
    pub fn acquire(
        out_dir: &Path,
        timeout: Duration,
        on_wait: impl FnOnce(&LockHolder),
    ) -> Result<ReadLock, WriteError> {
        let path = out_dir.join(LOCK_FILE_NAME);
        let mut waiting = Waiting::new(&path, timeout, on_wait);
        let file = loop {
            let file = match sys::open(&path, false) {
                Ok(file) => file,
                Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => break None,
                Err(e) => return Err(WriteError::io("open the lock file", path)(e)),
            };
            if sys::try_lock(&file, false).map_err(WriteError::io("lock", &path))? {
                break Some(file);
            }
            waiting.tick()?;
        };
        Ok(ReadLock { held: Held { out_dir: out_dir.to_path_buf(), path, file } })
    }

    /// The output folder.
    pub fn out_dir(&self) -> &Path {
        &self.held.out_dir
    }

    /// [`plan`](crate::plan()) under this lock.
    pub fn plan(&self, files: &FileSet) -> Result<Plan, WriteError> {
        crate::plan::plan_locked(self.out_dir(), files)
    }

    /// [`check`](crate::check()) under this lock.
    pub fn check(&self, files: &FileSet) -> Result<CheckReport, WriteError> {
        crate::check::check_locked(self.out_dir(), files)
    }
}

/// The state of a run waiting for a lock: when it started, and whether it said so.
struct Waiting<'p, F> {
    path: &'p Path,
    started: Instant,
    timeout: Duration,
    on_wait: Option<F>,
}

impl<'p, F: FnOnce(&LockHolder)> Waiting<'p, F> {
    fn new(path: &'p Path, timeout: Duration, on_wait: F) -> Self {
        Waiting { path, started: Instant::now(), timeout, on_wait: Some(on_wait) }
    }

    /// Tells the caller once, sleeps a moment, and fails once the timeout is over.
    fn tick(&mut self) -> Result<(), WriteError> {
        let holder = || LockHolder { lock_file: self.path.to_path_buf(), pid: holder_pid(self.path) };
        if let Some(on_wait) = self.on_wait.take() {
            on_wait(&holder());
        }
        let waited = self.started.elapsed();
        if waited >= self.timeout {
            return Err(WriteError::Locked { holder: holder(), waited });
        }
        std::thread::sleep(POLL.min(self.timeout - waited));
        Ok(())
    }
}

/// The process id the holder wrote into the lock file, if it has.
fn holder_pid(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Whether the process `pid` may still be running: only a process known to be gone is not.
pub(crate) fn is_running(pid: u32) -> bool {
    sys::is_running(pid)
}

#[cfg(unix)]
mod sys {
    use std::fs::{self, File};
    use std::io;
    use std::os::unix::fs::MetadataExt as _;
    use std::path::Path;

    use rustix::fs::{FlockOperation, OFlags, flock};
    use std::os::unix::fs::OpenOptionsExt as _;

    /// Opens the lock file without following a symbolic link (a committed link could otherwise
    /// make a run truncate a file elsewhere); `create` for a writer.
    pub(super) fn open(path: &Path, create: bool) -> io::Result<File> {
        let mut options = fs::OpenOptions::new();
        options.read(true).custom_flags(OFlags::NOFOLLOW.bits() as i32);
        if create {
            options.write(true).create(true).truncate(false);
        }
        options.open(path)
    }

    /// Tries to lock `file` without waiting: `Ok(false)` when another run holds it.
    pub(super) fn try_lock(file: &File, exclusive: bool) -> io::Result<bool> {
        let operation =
            if exclusive { FlockOperation::NonBlockingLockExclusive } else { FlockOperation::NonBlockingLockShared };
        match flock(file, operation) {
            Ok(()) => Ok(true),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `path` still names the open `file` (not deleted or replaced since it was opened).
    pub(super) fn is_the_file_at(file: &File, path: &Path) -> io::Result<bool> {
        let open = file.metadata()?;
        match fs::symlink_metadata(path) {
            Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(super) fn is_running(pid: u32) -> bool {
        let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else { return false };
        // EPERM means the process exists but belongs to someone else; only ESRCH means it is gone.
        !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH))
    }
}

#[cfg(not(unix))]
mod sys {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub(super) fn open(path: &Path, create: bool) -> io::Result<File> {
        std::fs::OpenOptions::new().read(true).write(create).create(create).truncate(false).open(path)
    }

    pub(super) fn try_lock(_file: &File, _exclusive: bool) -> io::Result<bool> {
        Ok(true)
    }

    pub(super) fn is_the_file_at(_file: &File, path: &Path) -> io::Result<bool> {
        Ok(path.exists())
    }

    pub(super) fn is_running(_pid: u32) -> bool {
        false
    }
}
