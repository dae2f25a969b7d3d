//! The writer's promises, each on a temporary folder: only changed files are written, stale generated
//! files are removed, hand edits and foreign files are never overwritten unless forced, nothing is
//! written when a conflict exists, and no path leads outside the output folder.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use homeflake_files::{
    Action, ApplyOptions, Conflict, FileSet, GeneratedFile, MANIFEST_FILE_NAME, RelPath, WriteError, apply, check, plan,
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
    let files = set(&[("hosts/yomogi.nix", "{ }\n"), ("flake.nix", "{ outputs = _: { }; }\n")]);

    let report = apply_ok(&dir, &files);

    assert_eq!(names(&report.written), ["flake.nix", "hosts/yomogi.nix"]);
    assert_eq!(report.summary(), "2 written, 0 unchanged, 0 removed");
    assert_eq!(read(&dir, "hosts/yomogi.nix"), "{ }\n");
    let manifest = read(&dir, MANIFEST_FILE_NAME);
    let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).map(|l| &l[66..]).collect();
    assert_eq!(listed, ["flake.nix", "hosts/yomogi.nix"]);
    assert!(
        manifest.lines().any(
            |l| l.starts_with("1d6faa9e1a76d13f3ab8558a3640158b1f0a54f624a4e37ddc3ef41ed4191058  hosts/yomogi.nix")
        )
    );
    assert!(check(&dir, &files).unwrap().is_up_to_date());
}

#[test]
fn unchanged_files_keep_their_mtime_and_the_manifest_is_not_rewritten() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let files = set(&[("a.nix", "a\n"), ("b.nix", "b\n")]);
    apply_ok(dir, &files);
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    for path in ["a.nix", "b.nix", MANIFEST_FILE_NAME] {
        fs::File::options().write(true).open(dir.join(path)).unwrap().set_modified(long_ago).unwrap();
    }

    let report = apply_ok(dir, &set(&[("a.nix", "a\n"), ("b.nix", "b, changed\n")]));

    assert_eq!(names(&report.written), ["b.nix"]);
    assert_eq!(names(&report.unchanged), ["a.nix"]);
    assert_eq!(fs::metadata(dir.join("a.nix")).unwrap().modified().unwrap(), long_ago);
    assert_ne!(fs::metadata(dir.join("b.nix")).unwrap().modified().unwrap(), long_ago);

    fs::File::options().write(true).open(dir.join(MANIFEST_FILE_NAME)).unwrap().set_modified(long_ago).unwrap();
    let again = apply_ok(dir, &set(&[("a.nix", "a\n"), ("b.nix", "b, changed\n")]));
    assert_eq!(again.summary(), "0 written, 2 unchanged, 0 removed");
    assert_eq!(fs::metadata(dir.join(MANIFEST_FILE_NAME)).unwrap().modified().unwrap(), long_ago);
}

#[test]
fn updates_an_untouched_generated_file_and_keeps_its_permissions() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("deploy.sh", "echo old\n")]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(dir.join("deploy.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    }

    let plan = plan(dir, &set(&[("deploy.sh", "echo new\n")])).unwrap();
    assert!(matches!(plan.files()[0].action(), Action::Update { .. }));
    assert_eq!(plan.summary(), "would write 1, 0 unchanged, would remove 0");

    let report = apply_ok(dir, &set(&[("deploy.sh", "echo new\n")]));
    assert_eq!(names(&report.written), ["deploy.sh"]);
    assert_eq!(read(dir, "deploy.sh"), "echo new\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(fs::metadata(dir.join("deploy.sh")).unwrap().permissions().mode() & 0o777, 0o755);
    }
}

#[test]
fn removes_stale_generated_files_and_the_folders_they_leave_empty() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("flake.nix", "f\n"), ("hosts/old/a.nix", "a\n"), ("mixed/gen.nix", "g\n")]));
    fs::write(dir.join("mixed/notes.txt"), "mine\n").unwrap();

    let report = apply_ok(dir, &set(&[("flake.nix", "f\n")]));

    assert_eq!(names(&report.removed), ["hosts/old/a.nix", "mixed/gen.nix"]);
    assert_eq!(report.summary(), "0 written, 1 unchanged, 2 removed");
    assert!(!dir.join("hosts").exists(), "the emptied folders are removed");
    assert_eq!(read(dir, "mixed/notes.txt"), "mine\n", "a folder still holding a person's file stays");
    assert!(!read(dir, MANIFEST_FILE_NAME).contains("a.nix"));
}

#[test]
fn a_hand_edited_file_is_refused_with_its_name_and_diff_and_nothing_is_written() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("hosts/yomogi.nix", "{\n  a = 1;\n}\n"), ("other.nix", "o\n"), ("stale.nix", "s\n")]));
    fs::write(dir.join("hosts/yomogi.nix"), "{\n  a = 2; # tuned by hand\n}\n").unwrap();
    let manifest_before = read(dir, MANIFEST_FILE_NAME);
    let next = set(&[("hosts/yomogi.nix", "{\n  a = 3;\n}\n"), ("other.nix", "o, changed\n"), ("new.nix", "n\n")]);

    let error = apply(dir, &next, ApplyOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`hosts/yomogi.nix` was edited by hand since homeflake wrote it"), "{message}");
    assert!(message.contains("-  a = 2; # tuned by hand\n+  a = 3;\n"), "{message}");
    assert!(message.contains("--- hosts/yomogi.nix (on disk)\n+++ hosts/yomogi.nix (generated)\n"), "{message}");
    let report = conflicts_of(error);
    assert_eq!(report.len(), 1);
    assert!(matches!(report.iter().next().unwrap().1, Conflict::HandEdited { generated: Some(_), .. }));

    assert_eq!(read(dir, "hosts/yomogi.nix"), "{\n  a = 2; # tuned by hand\n}\n");
    assert_eq!(read(dir, "other.nix"), "o\n", "no other file is written either");
    assert_eq!(read(dir, "stale.nix"), "s\n", "nor a stale one removed");
    assert!(!dir.join("new.nix").exists());
    assert_eq!(read(dir, MANIFEST_FILE_NAME), manifest_before);

    let forced = apply(dir, &next, FORCE).unwrap();
    assert_eq!(names(&forced.forced), ["hosts/yomogi.nix"]);
    assert_eq!(names(&forced.written), ["hosts/yomogi.nix", "new.nix", "other.nix"]);
    assert_eq!(names(&forced.removed), ["stale.nix"]);
    assert_eq!(read(dir, "hosts/yomogi.nix"), "{\n  a = 3;\n}\n");
    assert!(check(dir, &next).unwrap().is_up_to_date());
}

#[test]
fn a_hand_edited_file_that_is_no_longer_generated_is_kept_unless_forced() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("keep.nix", "k\n"), ("gone.nix", "g\n")]));
    fs::write(dir.join("gone.nix"), "g, edited\n").unwrap();
    let next = set(&[("keep.nix", "k\n")]);

    let report = conflicts_of(apply(dir, &next, ApplyOptions::default()).unwrap_err());
    let (path, conflict) = report.iter().next().unwrap();
    assert_eq!(path.as_str(), "gone.nix");
    assert_eq!(*conflict, Conflict::HandEdited { on_disk: "g, edited\n".into(), generated: None });
    assert!(dir.join("gone.nix").exists());

    let forced = apply(dir, &next, FORCE).unwrap();
    assert_eq!(names(&forced.removed), ["gone.nix"]);
    assert!(!dir.join("gone.nix").exists());
}

#[test]
fn a_foreign_file_at_a_generated_path_is_untouched_and_reported() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    fs::write(dir.join("flake.nix"), "# my own flake\n").unwrap();
    let files = set(&[("flake.nix", "{ }\n"), ("hosts.nix", "h\n")]);

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
    assert!(!dir.join("hosts.nix").exists());
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
    apply(dir, &set(&[("other.nix", "o\n")]), FORCE).unwrap();
    assert_eq!(read(dir, "README.md"), "mine\n", "a file never generated is never touched, even forced");
    assert!(!dir.join("flake.nix").exists(), "the adopted file is now homeflake's and is removed when stale");
}

#[test]
fn check_lists_stale_missing_and_extra_files_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("same.nix", "s\n"), ("stale.nix", "old\n"), ("missing.nix", "m\n"), ("extra.nix", "e\n")]));
    fs::remove_file(dir.join("missing.nix")).unwrap();
    let manifest_before = read(dir, MANIFEST_FILE_NAME);
    let files = set(&[("same.nix", "s\n"), ("stale.nix", "new\n"), ("missing.nix", "m\n"), ("added.nix", "a\n")]);

    let report = check(dir, &files).unwrap();

    assert!(!report.is_up_to_date());
    assert_eq!(names(&report.stale), ["stale.nix"]);
    assert_eq!(names(&report.missing), ["added.nix", "missing.nix"]);
    assert_eq!(names(&report.extra), ["extra.nix"]);
    assert_eq!(report.to_string(), "stale: stale.nix\nmissing: added.nix\nmissing: missing.nix\nextra: extra.nix\n");
    assert_eq!(read(dir, "stale.nix"), "old\n");
    assert!(!dir.join("added.nix").exists());
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

    let files = set(&[("flake.nix", "f\n"), ("hosts/yomogi.nix", "{ }\n")]);
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
    apply_ok(dir, &set(&[("old/a.nix", "a\n")]));
    fs::remove_dir_all(dir.join("old")).unwrap();
    fs::write(outside.path().join("a.nix"), "a\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.join("old")).unwrap();

    assert!(matches!(apply(dir, &set(&[]), FORCE), Err(WriteError::SymlinkInPath { .. })));
    assert_eq!(fs::read_to_string(outside.path().join("a.nix")).unwrap(), "a\n");
}

#[test]
fn leftover_temporary_files_are_ignored_by_plans_and_deleted_by_the_next_apply() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    let files = set(&[("hosts/a.nix", "a\n")]);
    apply_ok(dir, &files);
    fs::write(dir.join("hosts/.a.nix.homeflake-tmp-123-0"), "a, half writ").unwrap();
    fs::write(dir.join(".homeflake-manifest.homeflake-tmp-123-1"), "# homeflake").unwrap();

    assert!(check(dir, &files).unwrap().is_up_to_date());
    let report = apply_ok(dir, &files);

    assert_eq!(report.leftover_temps_removed.len(), 2);
    assert!(!dir.join("hosts/.a.nix.homeflake-tmp-123-0").exists());
    assert!(!dir.join(".homeflake-manifest.homeflake-tmp-123-1").exists());
}

#[test]
fn plan_diff_shows_creations_updates_and_removals_with_optional_colour() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("a.nix", "one\ntwo\n"), ("b.nix", "b\n")]));
    let plan = plan(dir, &set(&[("a.nix", "one\n2\n"), ("c.nix", "c\n")])).unwrap();

    assert_eq!(
        plan.diff(false),
        "--- a/a.nix\n+++ b/a.nix\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n\
         --- a/b.nix\n+++ /dev/null\n@@ -1 +0,0 @@\n-b\n\
         --- /dev/null\n+++ b/c.nix\n@@ -0,0 +1 @@\n+c\n"
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
    let both = set(&[("hosts", "x\n"), ("hosts/a.nix", "y\n")]);
    match apply(dir, &both, FORCE) {
        Err(WriteError::FileAndFolder { path }) => assert_eq!(path.as_str(), "hosts"),
        other => panic!("expected FileAndFolder, got {other:?}"),
    }
    assert_eq!(fs::read_dir(dir).unwrap().count(), 0);
}

#[test]
fn a_damaged_manifest_stops_everything() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path();
    apply_ok(dir, &set(&[("a.nix", "a\n")]));
    fs::write(dir.join(MANIFEST_FILE_NAME), "# homeflake manifest v1\nnot a line\n").unwrap();
    let error = apply(dir, &set(&[("a.nix", "b\n")]), FORCE).unwrap_err();
    assert!(matches!(error, WriteError::BadManifest { line: 2, .. }), "{error}");
    assert_eq!(read(dir, "a.nix"), "a\n");
}
