//! Crash safety of the real binary: `homeflake gen` on an inventory of thousands of hosts, switching
//! between two versions A and B, is killed with SIGKILL at random moments. After every kill each file in
//! the tree must hold exactly its A or its B contents (never a truncated or mixed file), leftovers must be
//! recognisable temporary files, and the next gen must see no false hand edit.
//!
//! Half the kills are aimed at the write phase, which starts when the child replaces the manifest with
//! one marked "an apply is under way"; a quarter at the moment the first file is renamed into place,
//! since files are staged and flushed together and only the rename loop leaves a tree half A, half B;
//! the rest fall anywhere in the child's life, loading included.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use homeflake::files::{LOCK_FILE_NAME, MANIFEST_FILE_NAME};
use homeflake::{FileSet, check, plan};

const HOSTS: usize = 2500;
const KILLS: usize = 20;

/// Version A or B of a lab of [`HOSTS`] hosts on a /16 LAN: Raspberry Pis and PCs, one PC control plane,
/// the rest workers. B has another gateway and state version, so nearly every file differs; a tenth of
/// the hosts exist only in A and another tenth only in B, so switching versions creates and removes files.
fn inventory(version: char) -> String {
    let (gateway, state_version, only_in_other) = match version {
        'a' => ("10.30.0.1", "24.11", 7),
        _ => ("10.30.0.2", "25.05", 3),
    };
    let mut text = format!(
        "name = \"crash\"\ndomain = \"crash.example.net\"\nstate-version = \"{state_version}\"\n\n\
         [network]\nlan = \"10.30.0.0/16\"\ngateway = \"{gateway}\"\n\n\
         [kubernetes]\npod-cidr = \"10.128.0.0/12\"\nservice-cidr = \"10.0.0.0/24\"\n\n\
         [kubernetes.dns.coredns-image]\nimage-name = \"coredns/coredns\"\n\
         image-digest = \"sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e\"\n\
         final-image-tag = \"1.10.1\"\nsha256 = \"0c4vdbklgjrzi6qc5020dvi8x3mayq4li09rrq2w0hcjdljj0yf9\"\n"
    );
    for i in (0..HOSTS).filter(|i| i % 10 != only_in_other) {
        let (hardware, interface) = if i % 2 == 0 { ("raspberry-pi-4", "end0") } else { ("uefi-pc", "enp1s0") };
        let roles = if i == 1 { "control-plane" } else { "worker" };
        let address = 10 + i;
        write!(
            text,
            "\n[[hosts]]\nname = \"node{i}\"\nhardware = \"{hardware}\"\nroles = [\"{roles}\"]\n\
             lan-interface = \"{interface}\"\nlan-address = \"10.30.{}.{}\"\n",
            address / 256,
            address % 256
        )
        .unwrap();
    }
    text
}

fn generate(text: &str) -> FileSet {
    let loaded = homeflake::from_toml_str("homeflake.toml", text).expect("the crash inventory is valid");
    homeflake::generate(&loaded.cluster)
}

fn contents(files: &FileSet) -> BTreeMap<String, String> {
    files.iter().map(|(path, file)| (path.to_string(), file.contents.to_string())).collect()
}

/// The temporary folder, the two inventories and the output folder.
struct Lab {
    _dir: tempfile::TempDir,
    inventories: [PathBuf; 2],
    out: PathBuf,
    log: PathBuf,
}

impl Lab {
    fn inventory(&self, version: char) -> &Path {
        &self.inventories[usize::from(version == 'b')]
    }

    /// Starts `homeflake gen` towards `version`, its stderr going to the log.
    fn spawn_gen(&self, version: char) -> Child {
        Command::new(env!("CARGO_BIN_EXE_homeflake"))
            .arg("gen")
            .arg("--inventory")
            .arg(self.inventory(version))
            .arg("--out")
            .arg(&self.out)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&self.log).unwrap())
            .spawn()
            .unwrap()
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
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
                out.push((path.strip_prefix(root).unwrap().to_str().unwrap().to_owned(), path));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// What a tree holds after a kill.
#[derive(Default)]
struct Seen {
    /// Files whose contents are A's and not B's.
    a_only: usize,
    /// Files whose contents are B's and not A's.
    b_only: usize,
    /// Temporary files left by the killed gen.
    temps: usize,
}

/// Asserts every file is the A or B contents of its path, or a recognisable temporary file.
fn assert_only_old_or_new(
    dir: &Path,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    context: &str,
) -> Seen {
    let mut seen = Seen::default();
    for (rel, full) in tree(dir) {
        let name = rel.rsplit('/').next().unwrap();
        // A killed run leaves its lock file (the kernel released the lock); the next run reuses it.
        if rel == MANIFEST_FILE_NAME || rel == LOCK_FILE_NAME {
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
            "{context}: `{rel}` is neither its A nor its B contents ({} bytes on disk, A {:?}, B {:?})",
            on_disk.len(),
            a.get(&rel).map(String::len),
            b.get(&rel).map(String::len)
        );
        seen.a_only += usize::from(is_a && !is_b);
        seen.b_only += usize::from(is_b && !is_a);
    }
    seen
}

/// Where a kill is aimed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Aim {
    /// At a random moment of the write phase.
    Writes,
    /// Right after the first file is renamed into place, inside the rename loop.
    Renames,
    /// At a random moment of the whole run.
    Anywhere,
}

/// The first path, in the writer's order (path order), whose file on disk is not yet its `target`
/// contents, with the inode it has now (`None` when it does not exist yet).
fn first_to_change(dir: &Path, target: &BTreeMap<String, String>) -> Option<(PathBuf, Option<u64>)> {
    target.iter().find_map(|(rel, text)| {
        let full = dir.join(rel);
        let on_disk = fs::read_to_string(&full).ok();
        (on_disk.as_ref() != Some(text)).then(|| {
            let inode = fs::symlink_metadata(&full).ok().map(|m| m.ino());
            (full, inode)
        })
    })
}

/// Spins until the file `first` names is replaced (its inode changes) or the child exits. Spinning,
/// not sleeping: the rename loop of a few thousand files lasts only milliseconds.
fn wait_for_rename(dir: &Path, child: &mut Child, first: Option<(PathBuf, Option<u64>)>) {
    let Some((path, before)) = first else { return };
    debug_assert!(path.starts_with(dir));
    let mut polls = 0u32;
    loop {
        if fs::symlink_metadata(&path).ok().map(|m| m.ino()) != before {
            return;
        }
        polls = polls.wrapping_add(1);
        if polls.is_multiple_of(64) && child.try_wait().unwrap().is_some() {
            return;
        }
    }
}

/// A small xorshift generator, seeded from the clock; the seed is printed in every failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn killed_gens_leave_only_old_or_new_contents_and_no_false_hand_edit() {
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    let (text_a, text_b) = (inventory('a'), inventory('b'));
    let (set_a, set_b) = (generate(&text_a), generate(&text_b));
    let (a, b) = (contents(&set_a), contents(&set_b));
    let differing = a.iter().filter(|(path, text)| b.get(*path).is_some_and(|other| other != *text)).count();
    assert!(differing * 10 >= a.len() * 8, "only {differing} of {} files differ between A and B", a.len());

    // A SIGKILL tests the process dying, not the machine: what the kernel accepted survives it on any
    // filesystem, so a memory-backed one keeps the test fast when there is one.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let inventories = ['a', 'b'].map(|v| dir.path().join(format!("inventory-{v}")));
    for (path, text) in inventories.iter().zip([&text_a, &text_b]) {
        fs::create_dir(path).unwrap();
        fs::write(path.join("homeflake.toml"), text).unwrap();
    }
    let lab = Lab { out: dir.path().join("flake"), log: dir.path().join("gen.log"), inventories, _dir: dir };

    // Uninterrupted runs: A from empty, then B over A, which measures how long a switch takes.
    assert!(lab.spawn_gen('a').wait().unwrap().success(), "the first gen failed:\n{}", lab.log());
    assert!(check(&lab.out, &set_a).unwrap().is_up_to_date());
    let (started, before) = (Instant::now(), manifest_inode(&lab.out));
    let mut child = lab.spawn_gen('b');
    let writing = wait_for_write_phase(&lab.out, &mut child, before).expect("a write phase in the second gen");
    assert!(child.wait().unwrap().success(), "the second gen failed:\n{}", lab.log());
    let (full_run, write_phase) = (started.elapsed().as_micros() as u64, writing.elapsed().as_micros() as u64);
    assert!(check(&lab.out, &set_b).unwrap().is_up_to_date());

    let (mut killed_mid_write, mut mixed, mut temps_seen) = (0, 0, 0);
    // Each gen heads for the version the tree is farther from, so that its write phase is long, and
    // three kills in four are aimed within the time its share of changes takes to write.
    let (mut version, mut share_per_mille) = ('a', 1000);
    for kill in 0..KILLS {
        let before = manifest_inode(&lab.out);
        let mut child = lab.spawn_gen(version);
        let target = if version == 'a' { &a } else { &b };
        let first_rename = first_to_change(&lab.out, target);
        let aim = [Aim::Writes, Aim::Renames, Aim::Writes, Aim::Anywhere][kill % 4];
        let (start, delay) = match aim {
            Aim::Writes => {
                let start = wait_for_write_phase(&lab.out, &mut child, before).unwrap_or_else(Instant::now);
                (start, Duration::from_micros(rng.below(write_phase * share_per_mille / 1000 * 11 / 10)))
            }
            Aim::Renames => {
                wait_for_rename(&lab.out, &mut child, first_rename);
                (Instant::now(), Duration::ZERO)
            }
            Aim::Anywhere => (Instant::now(), Duration::from_micros(rng.below(full_run * 11 / 10))),
        };
        let aim_at_writes = aim != Aim::Anywhere;
        let phase = match aim {
            Aim::Writes => "into writing",
            Aim::Renames => "after the first rename",
            Aim::Anywhere => "after start",
        };
        let context = format!("kill {kill} (to {version}, {delay:?} {phase}, seed {seed})");
        while start.elapsed() < delay && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_micros(500));
        }
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        let status = child.wait().unwrap();
        // A gen that finished before the kill must have succeeded: no false hand edit, no error.
        assert!(status.success() || status.code().is_none(), "{context}: gen failed ({status}):\n{}", lab.log());
        let seen = assert_only_old_or_new(&lab.out, &a, &b, &context);
        killed_mid_write += usize::from(running && aim_at_writes);
        temps_seen += seen.temps;
        mixed += usize::from(seen.a_only > 0 && seen.b_only > 0);
        version = if seen.a_only > seen.b_only { 'b' } else { 'a' };
        share_per_mille = (seen.a_only.max(seen.b_only) * 1000 / (seen.a_only + seen.b_only).max(1)) as u64;
        for (name, next) in [("A", &set_a), ("B", &set_b)] {
            let plan = plan(&lab.out, next).unwrap_or_else(|e| panic!("{context}: plan towards {name} failed: {e}"));
            let conflicts: Vec<_> = plan.conflicts().map(|(path, c)| c.describe(path)).collect();
            let first: Vec<_> = conflicts.iter().take(3).collect();
            assert!(conflicts.is_empty(), "{context}: {} false conflicts towards {name}: {first:?}", conflicts.len());
        }
    }
    assert!(killed_mid_write >= KILLS / 3, "only {killed_mid_write} of {KILLS} kills hit a writing gen (seed {seed})");
    assert!(mixed >= 1, "none of {KILLS} kills left a tree half A, half B (seed {seed})");

    // The next, uninterrupted gen finishes the job and cleans every temporary file up.
    let status = lab.spawn_gen('a').wait().unwrap();
    assert!(status.success(), "the final gen failed ({status}, seed {seed}):\n{}", lab.log());
    assert_eq!(assert_only_old_or_new(&lab.out, &a, &a, "final gen").temps, 0, "temporary files left after a full gen");
    assert!(check(&lab.out, &set_a).unwrap().is_up_to_date(), "not up to date after the final gen");
    let on_disk = tree(&lab.out).into_iter().filter(|(rel, _)| rel != MANIFEST_FILE_NAME).count();
    assert_eq!(on_disk, a.len(), "files other than A's remain (or the lock file)");
    eprintln!(
        "crash safety ({} files): a full gen takes {full_run} µs, its writes {write_phase} µs; of {KILLS} kills \
         {killed_mid_write} hit a writing gen, {mixed} left a half-A half-B tree; {temps_seen} temporary files seen",
        a.len()
    );
}
