//! The kinds of path homeflake generates: the one list the writer trusts.
//!
//! The manifest is a committed text file, so a pull request can add a line to it. The writer
//! therefore never takes the manifest's word for what it may remove: a path is homeflake's only if
//! it is of a kind the generator writes (now or in any earlier layout), listed in [`GENERATED`]. The
//! writer refuses a file set with a path of another kind, and a manifest that names one is reported
//! as tampered with; so the inventory, `host.toml`, `extra.nix`, `hardware-configuration.nix` and
//! anything in a dot-folder such as `.git` can never be removed, whatever the manifest says and
//! even with `force`.
//!
//! A new kind of generated file is added to [`GENERATED`]; the generator's tests fail for any
//! generated path that no pattern matches.

use crate::file_set::RelPath;

/// Every kind of path homeflake generates, as `/`-separated patterns: `*` is one path part and
/// `**` any number of folders (none included); in a part, `*` stands for any text (`*.nix`).
pub const GENERATED: &[&str] = &[
    "flake.nix",
    "flake.lock",
    "hosts/*/default.nix",
    "modules/**/*.nix",
    "docs/*.md",
    "cluster/helmfile.yaml",
    "cluster/values/*.yaml",
    "cluster/manifests/*.yaml",
];

/// File names that belong to the user wherever they stand: the inventory and the files a host's
/// folder keeps beside the generated `default.nix`. No pattern may ever match them.
pub const USER_OWNED_NAMES: &[&str] =
    &["homeflake.toml", "homeflake.json", "host.toml", "extra.nix", "hardware-configuration.nix"];

/// Whether `path` is of a kind homeflake generates, and so may be written, replaced and removed.
///
/// Never true for a path with a part starting with `.` (dot-folders such as `.git`, hidden files,
/// temporary files, the manifest) or for a file named in [`USER_OWNED_NAMES`].
pub fn is_generated_kind(path: &RelPath) -> bool {
    if path.components().any(|part| part.starts_with('.')) || USER_OWNED_NAMES.contains(&path.file_name()) {
        return false;
    }
    let parts: Vec<&str> = path.components().collect();
    GENERATED.iter().any(|pattern| matches(&pattern.split('/').collect::<Vec<_>>(), &parts))
}

/// The patterns as one line for messages: `flake.nix, flake.lock, hosts/*/default.nix, …`.
pub(crate) fn describe() -> String {
    GENERATED.join(", ")
}

fn matches(pattern: &[&str], parts: &[&str]) -> bool {
    match (pattern.split_first(), parts.split_first()) {
        (None, None) => true,
        (Some((&"**", rest)), _) => {
            // Zero folders, or one more folder (never the file name) and try again.
            matches(rest, parts) || (parts.len() > 1 && matches(pattern, &parts[1..]))
        }
        (Some((first, rest)), Some((part, tail))) => part_matches(first, part) && matches(rest, tail),
        _ => false,
    }
}

fn part_matches(pattern: &str, part: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == part,
        Some((prefix, suffix)) => {
            part.len() >= prefix.len() + suffix.len() && part.starts_with(prefix) && part.ends_with(suffix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated(path: &str) -> bool {
        is_generated_kind(&RelPath::new(path).unwrap())
    }

    #[test]
    fn the_generated_layout_is_matched() {
        for path in [
            "flake.nix",
            "flake.lock",
            "hosts/yomogi/default.nix",
            "modules/base.nix",
            "modules/k8s/master.nix",
            "modules/a/b/c.nix",
            "docs/topology.md",
            "cluster/helmfile.yaml",
            "cluster/values/traefik.yaml",
            "cluster/manifests/issuer.yaml",
        ] {
            assert!(generated(path), "{path} is generated");
        }
    }

    #[test]
    fn user_files_dot_folders_and_other_paths_are_not() {
        for path in [
            "homeflake.toml",
            "homeflake.json",
            "hosts/tokiwa/host.toml",
            "hosts/tokiwa/extra.nix",
            "hosts/tokiwa/hardware-configuration.nix",
            "hosts/tokiwa/default.nix.orig",
            "hosts/default.nix",
            "hosts/a/b/default.nix",
            ".git/config",
            ".github/workflows/ci.yml",
            ".homeflake-manifest",
            "modules/.git/x.nix",
            "modules/.x.nix",
            "modules/extra.nix",
            "modules/hardware-configuration.nix",
            "modules/notes.txt",
            "modules",
            "docs/a/b.md",
            "docs/x.txt",
            "cluster/values/a/b.yaml",
            "cluster/other.yaml",
            "README.md",
            "flake.nix/x",
        ] {
            assert!(!generated(path), "{path} is not generated");
        }
    }
}
