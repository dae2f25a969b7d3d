//! The README's promise: on a fresh clone, its first two commands are `cargo run -- gen` and
//! `cargo test --workspace`, and the first one finds the committed root flake up to date.

use std::fs;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The commands of the README's code blocks, indented or fenced, in order; comments after `#` dropped.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut fenced = false;
    let mut previous_blank = true;
    let mut in_indented = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let indented = line.starts_with("    ") || line.starts_with('\t');
        in_indented = indented && (in_indented || previous_blank);
        if (fenced || in_indented) && !line.trim().is_empty() {
            let command = line.split(" #").next().unwrap().trim();
            commands.push(command.strip_prefix("$ ").unwrap_or(command).to_owned());
        }
        previous_blank = line.trim().is_empty();
    }
    commands
}

#[test]
fn the_readme_starts_with_gen_then_the_tests() {
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README.md at the root");
    let commands = readme_commands(&readme);
    assert_eq!(
        commands.iter().take(2).map(String::as_str).collect::<Vec<_>>(),
        ["cargo run -- gen", "cargo test --workspace"],
        "the README's first two commands (all: {commands:?})"
    );
}

#[test]
fn the_readme_parser_reads_indented_and_fenced_blocks() {
    let text = "# t\n\nSome text\n    not code: a continuation\n\n    cargo run -- gen\n    cargo test --workspace   # all\n\n```sh\n$ cargo run -- plan\n```\n";
    assert_eq!(readme_commands(text), ["cargo run -- gen", "cargo test --workspace", "cargo run -- plan"]);
}

/// What `cargo run -- gen --check` runs: the built binary, from the repository root.
#[test]
fn the_committed_root_flake_is_up_to_date() {
    let root = Path::new(ROOT);
    assert!(
        root.join("flake.nix").is_file(),
        "no flake.nix at the repository root: generate it with `cargo run -- gen` and commit it"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_homeflake"))
        .args(["gen", "--check"])
        .current_dir(root)
        .output()
        .expect("running homeflake");
    assert!(
        output.status.success(),
        "`cargo run -- gen --check` at the root failed ({}); run `cargo run -- gen` and commit the result:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The README's first command on a fresh clone: the committed inventory and flake, copied without
/// anything `gen` may have left behind, then `gen` writes nothing and a later inventory change applies
/// without a false hand-edit conflict.
#[test]
fn gen_on_a_fresh_clone_writes_nothing_and_then_follows_the_inventory() {
    let root = Path::new(ROOT);
    assert!(
        root.join("flake.nix").is_file(),
        "no flake.nix at the repository root: generate it with `cargo run -- gen` and commit it"
    );
    let clone = tempfile::tempdir().unwrap();
    let inventory = fs::read_to_string(root.join("homeflake.toml")).unwrap();
    fs::write(clone.path().join("homeflake.toml"), &inventory).unwrap();
    let loaded = homeflake::load(root).expect("the root inventory is valid");
    let files = homeflake::generate(&loaded.cluster);
    for (path, _) in files.iter() {
        let from = root.join(path.as_str());
        if from.is_file() {
            let to = clone.path().join(path.as_str());
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(&from, &to).unwrap();
        }
    }
    let manifest = homeflake::files::MANIFEST_FILE_NAME;
    if root.join(manifest).is_file() {
        fs::copy(root.join(manifest), clone.path().join(manifest)).unwrap();
    }

    let run = |what: &str| {
        let output =
            Command::new(env!("CARGO_BIN_EXE_homeflake")).arg("gen").current_dir(clone.path()).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{what} failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr));
        stdout
    };
    let first = run("gen on a fresh clone");
    assert!(
        first.starts_with(&format!("0 written, {} unchanged, 0 removed", files.len())),
        "gen on a fresh clone changed the committed flake: {first}"
    );
    let changed = inventory.replacen("state-version = \"25.05\"", "state-version = \"24.11\"", 1);
    assert_ne!(changed, inventory, "the example inventory sets state-version = \"25.05\"");
    fs::write(clone.path().join("homeflake.toml"), changed).unwrap();
    let second = run("gen after an inventory change");
    assert!(!second.starts_with("0 written"), "the inventory change wrote nothing: {second}");
}
