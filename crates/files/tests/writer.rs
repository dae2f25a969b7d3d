//! The writer's promises, each on a temporary folder: only changed files are written, stale generated
//! files are removed, hand edits and foreign files are never overwritten unless forced, nothing is
//! written when a conflict exists, and no path leads outside the output folder.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use sha2::{Digest as _, Sha256};

use homeflake_files::{
    Action, ApplyOptions, Conflict, FileSet, GeneratedFile, LOCK_FILE_NAME, MANIFEST_FILE_NAME, ReadLock, RelPath,
    WriteError, WriteLock, apply, check, plan,
};

fn set(files: &[(&str, &str)]) -> FileSet {
    let mut set = FileSet::new();
    for (path, contents) in files {
        set.insert(RelPath::new(path).unwrap(), GeneratedFile { contents: (*contents).into(), sources: vec![] });
    }
    set
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap()
}

fn names(paths: &[RelPath]) -> Vec<&str> {
    paths.iter().map(RelPath::as_str).collect()
}

const FORCE: ApplyOptions = ApplyOptions { force: true };

fn apply_ok(dir: &Path, files: &FileSet) -> homeflake_files::ApplyReport {
    apply(dir, files, ApplyOptions::default()).unwrap_or_else(|e| panic!("apply failed: {e}"))
}

fn conflicts_of(error: WriteError) -> homeflake_files::ConflictReport {
    match error {
        WriteError::Conflicts(report) => report,
        other => panic!("expected conflicts, got {other}"),
    }
}

#[test]
fn creates_files_and_folders_then_records_them_in_a_sorted_manifest() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("flake");
    let files = set(&[("hosts/yomogi/default.nix", "{ }\n"), ("flake.nix", "{ outputs = _: { }; }\n")]);

    let report = apply_ok(&dir, &files);

    assert_eq!(names(&report.written), ["flake.nix", "hosts/yomogi/default.nix"]);
    assert_eq!(report.summary(), "2 written, 0 unchanged, 0 removed");
    assert_eq!(read(&dir, "hosts/yomogi/default.nix"), "{ }\n");
    let manifest = read(&dir, MANIFEST_FILE_NAME);
    let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).map(|l| &l[66..]).collect();
    assert_eq!(listed, ["flake.nix", "hosts/yomogi/default.nix"]);
    assert!(manifest.lines().any(|l| {
        l.starts_with("1d6faa9e1a76d13f3ab8558a3640158b1f0a54f624a4e37ddc3ef41ed4191058  hosts/yomogi/default.nix")
    }));
    assert!(check(&dir, &files).unwrap().is_up_to_date());
}

#[test]
fn unchanged_files_keep_their_mtime_and_the_manifest_is_not_rewritten() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let files = set(&[("modules/a.nix", "a\n"), ("modules/b.nix", "b\n")]);
    apply_ok(dir, &files);
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    for path in ["modules/a.nix", "modules/b.nix", MANIFEST_FILE_NAME] {
        fs::File::options().write(true).open(dir.join(path)).unwrap().set_modified(long_ago).unwrap();
    }

    let report = apply_ok(dir, &set(&[("modules/a.nix", "a\n"), ("modules/b.nix", "b, changed\n")]));

    assert_eq!(names(&report.written), ["modules/b.nix"]);
    assert_eq!(names(&report.unchanged), ["modules/a.nix"]);
    assert_eq!(fs::metadata(dir.join("modules/a.nix")).unwrap().modified().unwrap(), long_ago);
    assert_ne!(fs::metadata(dir.join("modules/b.nix")).unwrap().modified().unwrap(), long_ago);

    fs::File::options().write(true).open(dir.join(MANIFEST_FILE_NAME)).unwrap().set_modified(long_ago).unwrap();
    let again = apply_ok(dir, &set(&[("modules/a.nix", "a\n"), ("modules/b.nix", "b, changed\n")]));
    assert_eq!(again.summary(), "0 written, 2 unchanged, 0 removed");
    assert_eq!(fs::metadata(dir.join(MANIFEST_FILE_NAME)).unwrap().modified().unwrap(), long_ago);
}

#[test]
fn updates_an_untouched_generated_file_and_keeps_its_permissions() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("modules/deploy.nix", "old\n")]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir.join("modules/deploy.nix"), fs::Permissions::from_mode(0o755)).unwrap();
    }

    let plan = plan(dir, &set(&[("modules/deploy.nix", "new\n")])).unwrap();
    assert!(matches!(plan.files()[0].action(), Action::Update { .. }));
    assert_eq!(plan.summary(), "would write 1, 0 unchanged, would remove 0");

    let report = apply_ok(dir, &set(&[("modules/deploy.nix", "new\n")]));
    assert_eq!(names(&report.written), ["modules/deploy.nix"]);
    assert_eq!(read(dir, "modules/deploy.nix"), "new\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(fs::metadata(dir.join("modules/deploy.nix")).unwrap().permissions().mode() & 0o777, 0o755);
    }
}

#[test]
fn removes_stale_generated_files_and_the_folders_they_leave_empty() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("flake.nix", "f\n"), ("hosts/old/default.nix", "a\n"), ("modules/mixed/gen.nix", "g\n")]));
    fs::write(dir.join("modules/mixed/notes.txt"), "mine\n").unwrap();

    let report = apply_ok(dir, &set(&[("flake.nix", "f\n")]));

    assert_eq!(names(&report.removed), ["hosts/old/default.nix", "modules/mixed/gen.nix"]);
    assert_eq!(report.summary(), "0 written, 1 unchanged, 2 removed");
    assert!(!dir.join("hosts").exists(), "the emptied folders are removed");
    assert_eq!(read(dir, "modules/mixed/notes.txt"), "mine\n", "a folder still holding a person's file stays");
    assert!(!read(dir, MANIFEST_FILE_NAME).contains("hosts/old"));
}

#[test]
fn a_hand_edited_file_is_refused_with_its_name_and_diff_and_nothing_is_written() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(
        dir,
        &set(&[
            ("hosts/yomogi/default.nix", "{\n  a = 1;\n}\n"),
            ("modules/other.nix", "o\n"),
            ("modules/stale.nix", "s\n"),
        ]),
    );
    fs::write(dir.join("hosts/yomogi/default.nix"), "{\n  a = 2; # tuned by hand\n}\n").unwrap();
    let manifest_before = read(dir, MANIFEST_FILE_NAME);
    let next = set(&[
        ("hosts/yomogi/default.nix", "{\n  a = 3;\n}\n"),
        ("modules/other.nix", "o, changed\n"),
        ("modules/new.nix", "n\n"),
    ]);

    let error = apply(dir, &next, ApplyOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`hosts/yomogi/default.nix` was edited by hand since homeflake wrote it"), "{message}");
    assert!(message.contains("-  a = 2; # tuned by hand\n+  a = 3;\n"), "{message}");
    assert!(
        message.contains("--- hosts/yomogi/default.nix (on disk)\n+++ hosts/yomogi/default.nix (generated)\n"),
        "{message}"
    );
    let report = conflicts_of(error);
    assert_eq!(report.len(), 1);
    assert!(matches!(report.iter().next().unwrap().1, Conflict::HandEdited { generated: Some(_), .. }));

    assert_eq!(read(dir, "hosts/yomogi/default.nix"), "{\n  a = 2; # tuned by hand\n}\n");
    assert_eq!(read(dir, "modules/other.nix"), "o\n", "no other file is written either");
    assert_eq!(read(dir, "modules/stale.nix"), "s\n", "nor a stale one removed");
    assert!(!dir.join("modules/new.nix").exists());
    assert_eq!(read(dir, MANIFEST_FILE_NAME), manifest_before);

    let forced = apply(dir, &next, FORCE).unwrap();
    assert_eq!(names(&forced.forced), ["hosts/yomogi/default.nix"]);
    assert_eq!(names(&forced.written), ["hosts/yomogi/default.nix", "modules/new.nix", "modules/other.nix"]);
    assert_eq!(names(&forced.removed), ["modules/stale.nix"]);
    assert_eq!(read(dir, "hosts/yomogi/default.nix"), "{\n  a = 3;\n}\n");
    assert!(check(dir, &next).unwrap().is_up_to_date());
}

#[test]
fn a_hand_edited_file_that_is_no_longer_generated_is_kept_unless_forced() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("modules/keep.nix", "k\n"), ("modules/gone.nix", "g\n")]));
    fs::write(dir.join("modules/gone.nix"), "g, edited\n").unwrap();
    let next = set(&[("modules/keep.nix", "k\n")]);

    let report = conflicts_of(apply(dir, &next, ApplyOptions::default()).unwrap_err());
    let (path, conflict) = report.iter().next().unwrap();
    assert_eq!(path.as_str(), "modules/gone.nix");
    assert_eq!(*conflict, Conflict::HandEdited { on_disk: "g, edited\n".into(), generated: None });
    assert!(dir.join("modules/gone.nix").exists());

    let forced = apply(dir, &next, FORCE).unwrap();
    assert_eq!(names(&forced.removed), ["modules/gone.nix"]);
    assert!(!dir.join("modules/gone.nix").exists());
}

#[test]
fn a_foreign_file_at_a_generated_path_is_untouched_and_reported() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(dir.join("flake.nix"), "# my own flake\n").unwrap();
    let files = set(&[("flake.nix", "{ }\n"), ("modules/hosts.nix", "h\n")]);

    let plan = plan(dir, &files).unwrap();
    let conflicts: Vec<_> = plan.conflicts().collect();
    assert_eq!(conflicts.len(), 1);
    assert!(matches!(conflicts[0].1, Conflict::Foreign { .. }));
    assert!(plan.diff(false).contains("conflict: `flake.nix` exists but homeflake never generated it"));
    assert_eq!(plan.summary(), "would write 1, 0 unchanged, would remove 0, 1 conflict");

    let message = apply(dir, &files, ApplyOptions::default()).unwrap_err().to_string();
    assert!(message.contains("`flake.nix` exists but homeflake never generated it"), "{message}");
    assert!(message.contains("-# my own flake\n+{ }"), "{message}");
    assert_eq!(read(dir, "flake.nix"), "# my own flake\n");
    assert!(!dir.join("modules/hosts.nix").exists());
    assert!(!dir.join(MANIFEST_FILE_NAME).exists());

    let check = check(dir, &files).unwrap();
    assert_eq!(names(&check.stale), ["flake.nix"]);

    apply(dir, &files, FORCE).unwrap();
    assert_eq!(read(dir, "flake.nix"), "{ }\n");
}

#[test]
fn a_foreign_file_with_the_generated_contents_is_adopted_and_other_files_are_never_touched() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(dir.join("flake.nix"), "{ }\n").unwrap();
    fs::write(dir.join("README.md"), "mine\n").unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options().write(true).open(dir.join("flake.nix")).unwrap().set_modified(long_ago).unwrap();

    let report = apply(dir, &set(&[("flake.nix", "{ }\n")]), FORCE).unwrap();

    assert_eq!(names(&report.unchanged), ["flake.nix"]);
    assert_eq!(fs::metadata(dir.join("flake.nix")).unwrap().modified().unwrap(), long_ago);
    assert!(read(dir, MANIFEST_FILE_NAME).contains("  flake.nix\n"), "adopted into the manifest");
    apply(dir, &set(&[("modules/other.nix", "o\n")]), FORCE).unwrap();
    assert_eq!(read(dir, "README.md"), "mine\n", "a file never generated is never touched, even forced");
    assert!(!dir.join("flake.nix").exists(), "the adopted file is now homeflake's and is removed when stale");
}

#[test]
fn check_lists_stale_missing_and_extra_files_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(
        dir,
        &set(&[
            ("modules/same.nix", "s\n"),
            ("modules/stale.nix", "old\n"),
            ("modules/missing.nix", "m\n"),
            ("modules/old.nix", "e\n"),
        ]),
    );
    fs::remove_file(dir.join("modules/missing.nix")).unwrap();
    let manifest_before = read(dir, MANIFEST_FILE_NAME);
    let files = set(&[
        ("modules/same.nix", "s\n"),
        ("modules/stale.nix", "new\n"),
        ("modules/missing.nix", "m\n"),
        ("modules/added.nix", "a\n"),
    ]);

    let report = check(dir, &files).unwrap();

    assert!(!report.is_up_to_date());
    assert_eq!(names(&report.stale), ["modules/stale.nix"]);
    assert_eq!(names(&report.missing), ["modules/added.nix", "modules/missing.nix"]);
    assert_eq!(names(&report.extra), ["modules/old.nix"]);
    assert_eq!(
        report.to_string(),
        "stale: modules/stale.nix\nmissing: modules/added.nix\nmissing: modules/missing.nix\nextra: modules/old.nix\n"
    );
    assert_eq!(read(dir, "modules/stale.nix"), "old\n");
    assert!(!dir.join("modules/added.nix").exists());
    assert_eq!(read(dir, MANIFEST_FILE_NAME), manifest_before);
    assert!(check(&out.path().join("absent"), &files).unwrap().missing.len() == 4);
    assert!(!out.path().join("absent").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_or_file_cannot_lead_outside_the_output_folder() {
    let out = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let dir = out.path().join("flake");
    fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("hosts")).unwrap();

    let files = set(&[("flake.nix", "f\n"), ("hosts/yomogi/default.nix", "{ }\n")]);
    for result in
        [apply(&dir, &files, FORCE).map(|_| ()), plan(&dir, &files).map(|_| ()), check(&dir, &files).map(|_| ())]
    {
        match result {
            Err(WriteError::SymlinkInPath { path }) => assert_eq!(path, dir.join("hosts")),
            other => panic!("expected a refused symlink, got {other:?}"),
        }
    }
    assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside");
    assert!(!dir.join("flake.nix").exists(), "nothing written inside either");

    fs::remove_file(dir.join("hosts")).unwrap();
    fs::write(outside.path().join("target"), "outside\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("target"), dir.join("flake.nix")).unwrap();
    assert!(matches!(apply(&dir, &files, FORCE), Err(WriteError::SymlinkInPath { .. })));
    assert_eq!(fs::read_to_string(outside.path().join("target")).unwrap(), "outside\n");
}

#[cfg(unix)]
#[test]
fn a_manifest_entry_through_a_symlink_is_never_removed() {
    let out = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("modules/old/a.nix", "a\n")]));
    fs::remove_dir_all(dir.join("modules/old")).unwrap();
    fs::write(outside.path().join("a.nix"), "a\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("modules/old")).unwrap();

    assert!(matches!(apply(dir, &set(&[]), FORCE), Err(WriteError::SymlinkInPath { .. })));
    assert_eq!(fs::read_to_string(outside.path().join("a.nix")).unwrap(), "a\n");
}

#[test]
fn leftover_temporary_files_are_ignored_by_plans_and_deleted_by_the_next_apply() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let files = set(&[("hosts/a/default.nix", "a\n")]);
    apply_ok(dir, &files);
    let dead = dead_pid();
    let dead_temps =
        [format!("hosts/a/.default.nix.homeflake-tmp-{dead}-0"), format!(".homeflake-manifest.homeflake-tmp-{dead}-1")];
    for temp in &dead_temps {
        fs::write(dir.join(temp), "half writ").unwrap();
    }
    // A run that does not lock (an older homeflake) and is still writing keeps its file.
    let mut live = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    let live_temp = format!("hosts/a/.default.nix.homeflake-tmp-{}-0", live.id());
    fs::write(dir.join(&live_temp), "being written").unwrap();

    assert!(check(dir, &files).unwrap().is_up_to_date());
    let report = apply_ok(dir, &files);

    assert_eq!(report.leftover_temps_removed.len(), 2);
    for temp in &dead_temps {
        assert!(!dir.join(temp).exists(), "{temp} is left");
    }
    assert_eq!(read(dir, &live_temp), "being written", "a live run's file was removed");
    live.kill().unwrap();
    live.wait().unwrap();
}

/// The id of a process that has exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    child.id()
}

#[test]
fn a_second_run_waits_for_the_folders_lock_and_gives_up_naming_the_holder() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("flake");
    let lock =
        WriteLock::acquire(&dir, Duration::ZERO, |holder| panic!("nobody holds it yet, not {holder:?}")).unwrap();
    let pid = std::process::id();
    assert_eq!(read(&dir, LOCK_FILE_NAME), format!("{pid}\n"), "the holder names itself in the lock file");

    let mut told = Vec::new();
    let error = WriteLock::acquire(&dir, Duration::from_millis(200), |holder| told.push(holder.clone())).unwrap_err();
    assert_eq!(told.len(), 1, "the waiting run is told once: {told:?}");
    assert_eq!(told[0].pid, Some(pid));
    match &error {
        WriteError::Locked { holder, .. } => assert_eq!(holder.pid, Some(pid)),
        other => panic!("expected Locked, got {other}"),
    }
    let message = error.to_string();
    assert!(message.contains(&format!("homeflake (pid {pid}) is writing into")), "{message}");
    assert!(message.contains(".homeflake-lock") && message.contains("nothing was written"), "{message}");
    let read_error = ReadLock::acquire(&dir, Duration::from_millis(100), |_| {}).unwrap_err();
    assert!(matches!(read_error, WriteError::Locked { .. }), "a reader does not wait: {read_error}");

    // A run that waits long enough goes ahead as soon as the holder is done.
    let files = set(&[("flake.nix", "f\n")]);
    let waiting = {
        let (dir, files) = (dir.clone(), files.clone());
        std::thread::spawn(move || apply(&dir, &files, ApplyOptions::default()))
    };
    std::thread::sleep(Duration::from_millis(300));
    assert!(!waiting.is_finished(), "the second writer did not wait");
    assert!(!dir.join("flake.nix").exists(), "the second writer wrote while the first held the lock");
    drop(lock);
    waiting.join().unwrap().unwrap_or_else(|e| panic!("the waiting apply failed: {e}"));
    assert_eq!(read(&dir, "flake.nix"), "f\n");
    assert!(!dir.join(LOCK_FILE_NAME).exists(), "the lock file is left behind");
    assert!(ReadLock::acquire(&dir, Duration::ZERO, |_| panic!("no writer")).is_ok());
}

#[test]
fn a_lock_file_that_is_a_symbolic_link_is_never_written_through() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(dir.join("target"), "precious\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("target"), dir.join(LOCK_FILE_NAME)).unwrap();
    let result = apply(dir, &set(&[("flake.nix", "f\n")]), ApplyOptions::default());
    #[cfg(unix)]
    assert!(matches!(result, Err(WriteError::Io { .. })), "{result:?}");
    assert_eq!(read(dir, "target"), "precious\n");
}

#[test]
fn plan_diff_shows_creations_updates_and_removals_with_optional_colour() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("modules/a.nix", "one\ntwo\n"), ("modules/b.nix", "b\n")]));
    let plan = plan(dir, &set(&[("modules/a.nix", "one\n2\n"), ("modules/c.nix", "c\n")])).unwrap();

    assert_eq!(
        plan.diff(false),
        "--- a/modules/a.nix\n+++ b/modules/a.nix\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n\
         --- a/modules/b.nix\n+++ /dev/null\n@@ -1 +0,0 @@\n-b\n\
         --- /dev/null\n+++ b/modules/c.nix\n@@ -0,0 +1 @@\n+c\n"
    );
    let coloured = plan.diff(true);
    assert!(coloured.contains("\x1b[31m-two\x1b[0m\n\x1b[32m+2\x1b[0m\n"), "{coloured:?}");
    assert_eq!(plan.summary(), "would write 2, 0 unchanged, would remove 1");
    assert!(!plan.is_up_to_date());
}

#[test]
fn reserved_and_contradictory_paths_are_refused() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let manifest = set(&[(MANIFEST_FILE_NAME, "x\n")]);
    assert!(matches!(apply(dir, &manifest, FORCE), Err(WriteError::ReservedPath { .. })));
    let temp = set(&[("a/.b.homeflake-tmp-1", "x\n")]);
    assert!(matches!(plan(dir, &temp), Err(WriteError::ReservedPath { .. })));
    let both = set(&[("modules/a.nix", "x\n"), ("modules/a.nix/b.nix", "y\n")]);
    match apply(dir, &both, FORCE) {
        Err(WriteError::FileAndFolder { path }) => assert_eq!(path.as_str(), "modules/a.nix"),
        other => panic!("expected FileAndFolder, got {other:?}"),
    }
    assert_eq!(fs::read_dir(dir).unwrap().count(), 0);
}

#[test]
fn a_damaged_manifest_stops_everything() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("modules/a.nix", "a\n")]));
    fs::write(dir.join(MANIFEST_FILE_NAME), "# homeflake manifest v1\nnot a line\n").unwrap();
    let error = apply(dir, &set(&[("modules/a.nix", "b\n")]), FORCE).unwrap_err();
    assert!(matches!(error, WriteError::BadManifest { line: 2, .. }), "{error}");
    assert_eq!(read(dir, "modules/a.nix"), "a\n");
}

/// A manifest line added by hand (as a pull request could) for a path homeflake never generates.
fn tamper(dir: &Path, line: &str) -> usize {
    let mut manifest = read(dir, MANIFEST_FILE_NAME);
    manifest.push_str(line);
    manifest.push('\n');
    fs::write(dir.join(MANIFEST_FILE_NAME), &manifest).unwrap();
    manifest.lines().count()
}

#[test]
fn a_manifest_line_naming_a_path_homeflake_never_generates_is_tampering_and_nothing_is_removed() {
    let user_files = [
        "homeflake.toml",
        "homeflake.json",
        "hosts/tokiwa/host.toml",
        "hosts/tokiwa/extra.nix",
        "hosts/tokiwa/hardware-configuration.nix",
        ".git/config",
        "modules/.git/hooks/pre-commit.nix",
        "notes.txt",
    ];
    for user_file in user_files {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path();
        let files = set(&[("flake.nix", "f\n"), ("hosts/tokiwa/default.nix", "t\n")]);
        apply_ok(dir, &files);
        fs::create_dir_all(dir.join(user_file).parent().unwrap()).unwrap();
        fs::write(dir.join(user_file), "mine\n").unwrap();
        // The line a tampering pull request adds: the file's true sha256 and its path.
        let sha256: String = Sha256::digest(b"mine\n").iter().map(|b| format!("{b:02x}")).collect();
        let line = tamper(dir, &format!("{sha256}  {user_file}"));

        for options in [ApplyOptions::default(), FORCE] {
            let error = apply(dir, &set(&[("flake.nix", "f\n")]), options).unwrap_err();
            match &error {
                WriteError::ManifestTampered { line: at, entry, .. } => {
                    assert_eq!((*at, entry.as_str()), (line, user_file), "{error}");
                }
                other => panic!("{user_file}: expected tampering, got {other}"),
            }
            let message = error.to_string();
            assert!(message.contains(&format!("line {line} names `{user_file}`")), "{message}");
            assert!(message.contains("Delete that line, or restore the manifest"), "{message}");
            assert_eq!(read(dir, user_file), "mine\n", "{user_file} was touched");
            assert_eq!(read(dir, "hosts/tokiwa/default.nix"), "t\n", "nothing is removed while tampered");
        }
        assert!(matches!(check(dir, &files), Err(WriteError::ManifestTampered { .. })));
    }
}

#[test]
fn a_file_set_with_a_path_of_a_kind_homeflake_never_generates_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    for path in ["homeflake.toml", "hosts/a/extra.nix", "hosts/a/hardware-configuration.nix", ".git/config", "x.sh"] {
        match apply(dir, &set(&[(path, "x\n")]), FORCE) {
            Err(WriteError::NotGeneratedKind { path: refused, .. }) => assert_eq!(refused.as_str(), path),
            other => panic!("{path}: expected a refused kind, got {other:?}"),
        }
    }
    assert_eq!(fs::read_dir(dir).unwrap().count(), 0);
}

#[test]
fn a_diff_never_sends_a_files_control_characters_to_the_terminal() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(dir.join("flake.nix"), "# mine\x1b]0;pwned\x07\x1b[2J\tend\n").unwrap();
    let message = apply(dir, &set(&[("flake.nix", "{ }\n")]), ApplyOptions::default()).unwrap_err().to_string();
    assert!(!message.contains('\x1b') && !message.contains('\x07'), "{message:?}");
    assert!(message.contains("-# mine\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\tend\n"), "{message}");
    let diff = plan(dir, &set(&[("flake.nix", "{ }\n")])).unwrap().diff(false);
    assert!(!diff.contains('\x1b'), "{diff:?}");
}
