//! Two `homeflake gen` runs on one output folder at once, as an editor's save hook and a terminal
//! (or a CI retry) start them: 50 pairs at 3 hosts and 50 at 300, half of them with the same
//! inventory and half with two different ones. Every run must succeed (the second waits for the
//! first), the tree must be exactly one inventory's output with a manifest that matches it, and
//! the next `gen --check` must be clean.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use homeflake::files::{LOCK_FILE_NAME, MANIFEST_FILE_NAME};
use homeflake::{FileSet, check};

const PAIRS: usize = 50;

/// Version `a` or `b` of a lab of `hosts` hosts: `b` has another gateway (nearly every file
/// changes) and lacks the last worker (its file is removed), so a pair of different inventories
/// writes, replaces and removes files at once.
fn inventory(hosts: usize, version: char) -> String {
    let gateway = if version == 'a' { "10.30.0.1" } else { "10.30.0.2" };
    let mut text = format!(
        "name = \"pairs\"\ndomain = \"pairs.example.net\"\n\n[network]\nlan = \"10.30.0.0/16\"\ngateway = \"{gateway}\"\n\n\
         [kubernetes]\npod-cidr = \"10.128.0.0/14\"\n"
    );
    let count = if version == 'a' { hosts } else { hosts - 1 };
    for i in 0..count {
        let roles = if i == 0 { "\"control-plane\", \"worker\"" } else { "\"worker\"" };
        let address = 10 + i;
        write!(
            text,
            "\n[[hosts]]\nname = \"node{i}\"\nhardware = \"uefi-pc\"\nroles = [{roles}]\nlan-interface = \"enp1s0\"\n\
             lan-address = \"10.30.{}.{}\"\n",
            address / 256,
            address % 256
        )
        .unwrap();
    }
    text
}

fn generate(text: &str) -> FileSet {
    let loaded = homeflake::from_toml_str("homeflake.toml", text).expect("the inventory is valid");
    homeflake::generate(&loaded.cluster)
}

fn contents(files: &FileSet) -> BTreeMap<String, String> {
    files.iter().map(|(path, file)| (path.to_string(), file.contents.to_string())).collect()
}

/// Every file under `dir` with its contents, by `/`-separated relative path.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn spawn_gen(args: &[&Path], log: &Path) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_homeflake"));
    command.arg("gen").arg("--inventory").arg(args[0]).arg("--out").arg(args[1]);
    command.stdout(Stdio::null()).stderr(fs::File::create(log).unwrap()).spawn().unwrap()
}

/// What the pairs of one size did, for the summary line.
struct Figures {
    waited: usize,
    millis: u128,
}

fn run_pairs(hosts: usize) -> Figures {
    // The small tree on a disk, whose flushes make each write phase long enough for two runs to
    // overlap in it; the large one in memory, where its many files already do, to keep the test
    // short. (Without the lock, a few runs in a hundred then fail.)
    let shm = Path::new("/dev/shm");
    let in_memory = hosts >= 100 && shm.is_dir();
    let dir = if in_memory { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }.unwrap();
    let texts = ['a', 'b'].map(|v| inventory(hosts, v));
    let sets = texts.each_ref().map(|t| generate(t));
    let expected = sets.each_ref().map(contents);
    let inventories: [PathBuf; 2] = ['a', 'b'].map(|v| dir.path().join(format!("inventory-{v}")));
    for (path, text) in inventories.iter().zip(&texts) {
        fs::create_dir(path).unwrap();
        fs::write(path.join("homeflake.toml"), text).unwrap();
    }
    let out = dir.path().join("flake");
    let logs = [dir.path().join("first.log"), dir.path().join("second.log")];
    let started = Instant::now();
    let mut waited = 0;
    for pair in 0..PAIRS {
        // Same inventory in even pairs; in odd pairs both, in turn first.
        let versions = match pair % 4 {
            0 => [0, 0],
            2 => [1, 1],
            1 => [0, 1],
            _ => [1, 0],
        };
        let mut children: Vec<Child> = versions
            .iter()
            .zip(&logs)
            .map(|(&v, log)| spawn_gen(&[inventories[v].as_path(), out.as_path()], log))
            .collect();
        let context = format!("{hosts} hosts, pair {pair} (inventories {versions:?})");
        for (child, log) in children.iter_mut().zip(&logs) {
            let status = child.wait().unwrap();
            let stderr = fs::read_to_string(log).unwrap();
            assert!(status.success(), "{context}: a gen failed ({status}):\n{stderr}");
            waited += usize::from(stderr.contains("waiting for homeflake"));
        }

        let mut on_disk = tree(&out);
        assert!(on_disk.remove(MANIFEST_FILE_NAME).is_some(), "{context}: no manifest");
        assert!(!on_disk.contains_key(LOCK_FILE_NAME), "{context}: the lock file was left behind");
        let winner = (0..2).find(|&v| on_disk == expected[v]).unwrap_or_else(|| {
            let stray: Vec<_> = on_disk
                .iter()
                .filter(|(path, text)| expected.iter().all(|e| e.get(*path) != Some(*text)))
                .map(|(path, _)| path)
                .take(5)
                .collect();
            panic!("{context}: the tree is neither inventory's output; files from neither: {stray:?}")
        });
        let report = check(&out, &sets[winner]).unwrap();
        assert!(report.is_up_to_date(), "{context}: the manifest does not match the disk:\n{report}");
        let check_run = Command::new(env!("CARGO_BIN_EXE_homeflake"))
            .args(["gen", "--check", "--inventory"])
            .arg(&inventories[winner])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            check_run.status.success(),
            "{context}: the next gen --check is not clean:\n{}",
            String::from_utf8_lossy(&check_run.stderr)
        );
    }
    Figures { waited, millis: started.elapsed().as_millis() }
}

#[test]
fn concurrent_gens_on_one_folder_wait_for_each_other_and_leave_one_inventorys_tree() {
    for hosts in [3, 300] {
        let figures = run_pairs(hosts);
        eprintln!(
            "concurrent pairs at {hosts} hosts: {PAIRS} pairs in {} ms, all runs exit 0; in {} a run waited for the other",
            figures.millis, figures.waited
        );
    }
}
