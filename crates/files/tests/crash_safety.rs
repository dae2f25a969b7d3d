//! Crash safety of `apply`: a child process (this test binary, re-executed) applies one of two
//! large file sets, A and B, and is killed with SIGKILL at random moments. After every kill each file
//! in the tree must hold exactly its A or B contents, leftovers must be recognisable temporary files,
//! and the next plan must see no conflict (no false hand edit).
//!
//! Most kills are aimed at the write phase, which starts when the child replaces the manifest with
//! one marked "an apply is under way"; the rest fall anywhere in the child's life.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime};

use homeflake_files::{ApplyOptions, FileSet, GeneratedFile, MANIFEST_FILE_NAME, RelPath, apply, check, plan};

/// Set in the child: the output folder to apply to.
const CHILD_DIR: &str = "HOMEFLAKE_CRASH_CHILD_DIR";
/// Set in the child: which version to apply, `a` or `b`.
const CHILD_VERSION: &str = "HOMEFLAKE_CRASH_CHILD_VERSION";

const KILLS: usize = 30;

/// A deterministic file set: 2,400 small files in 40 folders (a tenth only in A, a tenth only in B),
/// and four files of about 300 kB; most contents differ between the versions.
fn file_set(version: char) -> FileSet {
    let mut files = FileSet::new();
    let mut add = |path: String, contents: String| {
        files.insert(RelPath::new(&path).unwrap(), GeneratedFile { contents, sources: vec![] });
    };
    for i in 0..2400 {
        let only_in = match i % 10 {
            3 => Some('a'),
            7 => Some('b'),
            _ => None,
        };
        if only_in.is_some_and(|v| v != version) {
            continue;
        }
        let body = if i % 4 == 0 { 'x' } else { version };
        let line = format!("  host{i} = \"{body}\"; # version {body}\n");
        add(format!("hosts/group{}/host{i}.nix", i % 40), format!("{{\n{}}}\n", line.repeat(1 + i % 30)));
    }
    for i in 0..4 {
        let line = format!("  blob{i}-{version} = \"{}\";\n", "0123456789abcdef".repeat(4));
        add(format!("large/blob{i}.nix"), format!("{{\n{}}}\n", line.repeat(4_000)));
    }
    files
}

/// The child's entry point: a no-op unless the parent set the environment variables.
#[test]
fn crash_child_applies_a_version() {
    let (Ok(dir), Ok(version)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_VERSION)) else { return };
    let version = version.chars().next().unwrap();
    apply(Path::new(&dir), &file_set(version), ApplyOptions::default()).expect("child apply");
}

fn spawn_child(dir: &Path, version: char) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child_applies_a_version", "--test-threads=1", "--quiet"])
        .env(CHILD_DIR, dir)
        .env(CHILD_VERSION, version.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The manifest's inode number, which changes with every atomic replacement.
fn manifest_inode(dir: &Path) -> Option<u64> {
    fs::symlink_metadata(dir.join(MANIFEST_FILE_NAME)).ok().map(|m| m.ino())
}

/// Waits until the child replaced the manifest (inode `before`) with an "apply under way" one, and
/// returns when that was seen, or `None` if the child exited first.
fn wait_for_write_phase(dir: &Path, child: &mut Child, before: Option<u64>) -> Option<Instant> {
    loop {
        if manifest_inode(dir) != before
            && fs::read_to_string(dir.join(MANIFEST_FILE_NAME)).is_ok_and(|m| m.contains("apply is under way"))
        {
            return Some(Instant::now());
        }
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Every regular file under `dir`, relative, `/`-separated.
fn tree(dir: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/");
                out.push((rel, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

fn contents(files: &FileSet) -> BTreeMap<String, String> {
    files.iter().map(|(path, file)| (path.to_string(), file.contents.clone())).collect()
}

/// What a tree holds after a kill.
#[derive(Default)]
struct Snapshot {
    /// Files whose contents are A's and not B's.
    a_only: usize,
    /// Files whose contents are B's and not A's.
    b_only: usize,
    /// Temporary files left by the killed apply.
    temps: usize,
}

/// Asserts every file is the A or B contents of its path, or a recognisable temporary file.
fn assert_only_old_or_new(
    dir: &Path,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    context: &str,
) -> Snapshot {
    let mut seen = Snapshot::default();
    for (rel, full) in tree(dir) {
        let name = rel.rsplit('/').next().unwrap();
        if rel == MANIFEST_FILE_NAME {
            continue;
        }
        if name.starts_with('.') && name.contains(".homeflake-tmp-") {
            seen.temps += 1;
            continue;
        }
        let on_disk = fs::read_to_string(&full).unwrap();
        let (is_a, is_b) = (a.get(&rel) == Some(&on_disk), b.get(&rel) == Some(&on_disk));
        assert!(
            is_a || is_b,
            "{context}: `{rel}` is neither its A nor its B contents ({} bytes on disk)",
            on_disk.len()
        );
        seen.a_only += usize::from(is_a && !is_b);
        seen.b_only += usize::from(is_b && !is_a);
    }
    seen
}

/// A small xorshift generator, seeded from the clock; the seed is printed in every failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn killed_applies_leave_only_old_or_new_contents_and_no_false_hand_edit() {
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    let (set_a, set_b) = (file_set('a'), file_set('b'));
    let (a, b) = (contents(&set_a), contents(&set_b));
    // A SIGKILL tests the process dying, not the machine: what the kernel has accepted survives it on
    // any filesystem, so a memory-backed one where fsync is free keeps the test fast when there is one.
    let shm = Path::new("/dev/shm");
    let out = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let dir = out.path().join("flake");

    // Uninterrupted runs: A from empty, then B over A, which measures how long a switch takes.
    assert!(spawn_child(&dir, 'a').wait().unwrap().success(), "the first child apply failed");
    assert!(check(&dir, &set_a).unwrap().is_up_to_date());
    let (started, before) = (Instant::now(), manifest_inode(&dir));
    let mut child = spawn_child(&dir, 'b');
    let writing = wait_for_write_phase(&dir, &mut child, before).expect("a write phase in the second child apply");
    assert!(child.wait().unwrap().success(), "the second child apply failed");
    let (full_run, write_phase) = (started.elapsed().as_micros() as u64, writing.elapsed().as_micros() as u64);
    assert!(check(&dir, &set_b).unwrap().is_up_to_date());

    let (mut killed_mid_apply, mut mixed, mut temps_seen) = (0, 0, 0);
    for kill in 0..KILLS {
        let version = if kill % 2 == 0 { 'a' } else { 'b' };
        let before = manifest_inode(&dir);
        let mut child = spawn_child(&dir, version);
        let aim_at_writes = rng.below(4) != 0;
        let (start, delay) = if aim_at_writes {
            let start = wait_for_write_phase(&dir, &mut child, before).unwrap_or_else(Instant::now);
            (start, Duration::from_micros(rng.below(write_phase * 11 / 10)))
        } else {
            (Instant::now(), Duration::from_micros(rng.below(full_run * 11 / 10)))
        };
        let phase = if aim_at_writes { "into writing" } else { "after start" };
        let context = format!("kill {kill} (to {version}, {delay:?} {phase}, seed {seed})");
        while start.elapsed() < delay && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_micros(500));
        }
        if child.try_wait().unwrap().is_none() {
            killed_mid_apply += 1;
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(status.success() || status.code().is_none(), "{context}: the child failed: {status}");

        let seen = assert_only_old_or_new(&dir, &a, &b, &context);
        temps_seen += seen.temps;
        mixed += usize::from(seen.a_only > 0 && seen.b_only > 0);
        for next in [&set_a, &set_b] {
            let plan = plan(&dir, next).unwrap_or_else(|e| panic!("{context}: plan failed: {e}"));
            let conflicts: Vec<_> = plan.conflicts().map(|(path, c)| c.describe(path)).collect();
            let first: Vec<_> = conflicts.iter().take(3).collect();
            assert!(conflicts.is_empty(), "{context}: {} false conflicts after a kill: {first:?}", conflicts.len());
        }
    }
    assert!(
        killed_mid_apply >= KILLS / 3,
        "only {killed_mid_apply} of {KILLS} kills hit a running apply (seed {seed})"
    );
    assert!(mixed >= 3, "only {mixed} of {KILLS} kills left a tree half A, half B (seed {seed})");

    // A final, uninterrupted apply finishes the job and cleans every temporary file up.
    let report = apply(&dir, &set_a, ApplyOptions::default()).unwrap();
    assert_eq!(assert_only_old_or_new(&dir, &a, &a, "final apply").temps, 0, "temporary files left after a full apply");
    assert!(check(&dir, &set_a).unwrap().is_up_to_date(), "not up to date after the final apply");
    let on_disk: Vec<String> = tree(&dir).into_iter().map(|(rel, _)| rel).filter(|r| r != MANIFEST_FILE_NAME).collect();
    assert_eq!(on_disk.len(), a.len(), "files other than A's remain (report: {report:?})");
    eprintln!(
        "crash safety: a full switch takes {full_run} µs, its writes {write_phase} µs; of {KILLS} kills {killed_mid_apply} hit a running apply, \
         {mixed} left a half-A half-B tree; {temps_seen} temporary files seen, {} cleaned by the final apply",
        report.leftover_temps_removed.len()
    );
}
