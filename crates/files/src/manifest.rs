//! The manifest: which files in the output folder homeflake wrote, and the sha256 of what it wrote.
//!
//! It is one file, [`MANIFEST_FILE_NAME`], at the root of the output folder. One file rather than a
//! `.homeflake/` folder because a single file is replaced by one atomic rename in a folder the writer
//! already guards, there is no extra folder that could be missing, half-made or a symbolic link, and
//! it sits next to `flake.nix` where it is committed with the generated tree (so a CI `check` on a
//! fresh clone still knows which files are generated).
//!
//! The format is the one `sha256sum` prints, so `sha256sum -c .homeflake-manifest` verifies a tree by
//! hand: a comment header, then one line per file, sorted by path, each the lowercase hex sha256,
//! two spaces, and the `/`-separated relative path:
//!
//! ```text
//! # homeflake manifest v1: files homeflake generated here, with the sha256 of what it last wrote.
//! # homeflake rewrites this file after every write; do not edit it.
//! 0f343b0931126a20f133d67c2b018a3b5e6a3b4b2e5e9d3a1b1c3c4a0f9e8d7c  flake.nix
//! 9b74c9897bac770ffc029102a200c5de0b1b1b8b5f5d6b1b0e1c0f5b9a8d7e6f  hosts/yomogi/default.nix
//! ```
//!
//! The manifest is trusted only for paths of the kinds homeflake generates ([`layout`]): a line naming
//! any other path (the inventory, `extra.nix`, `.git/config`, …) is reported as tampering.
//!
//! While an apply is under way the manifest may list a path twice, once with the content it had and
//! once with the content being written, so that after a crash either content is known to be
//! homeflake's own and never mistaken for a hand edit. The next apply rewrites it with one line each.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::WriteError;
use crate::file_set::RelPath;
use crate::layout;

/// The manifest's file name, at the root of the output folder.
pub const MANIFEST_FILE_NAME: &str = ".homeflake-manifest";

const HEADER: &str = "# homeflake manifest v1";

/// The sha256 of a file's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ContentHash([u8; 32]);

impl ContentHash {
    /// Hashes `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(Sha256::digest(bytes).into())
    }

    fn parse_hex(hex: &str) -> Option<ContentHash> {
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ContentHash(out))
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Generated paths, each with the content hashes homeflake knows it wrote there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    entries: BTreeMap<RelPath, BTreeSet<ContentHash>>,
}

impl Manifest {
    /// Records that homeflake may have left `hash` at `path`.
    pub(crate) fn record(&mut self, path: RelPath, hash: ContentHash) {
        self.entries.entry(path).or_default().insert(hash);
    }

    /// Whether `path` is a file homeflake generated.
    pub(crate) fn contains(&self, path: &RelPath) -> bool {
        self.entries.contains_key(path)
    }

    /// Whether homeflake wrote exactly the content with `hash` at `path`.
    pub(crate) fn wrote(&self, path: &RelPath, hash: &ContentHash) -> bool {
        self.entries.get(path).is_some_and(|hashes| hashes.contains(hash))
    }

    /// Every recorded path, in order.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &RelPath> {
        self.entries.keys()
    }

    /// Parses manifest text; `file` is only used in errors.
    pub(crate) fn parse(text: &str, file: &Path) -> Result<Manifest, WriteError> {
        let bad = |line: usize, reason: &str| WriteError::BadManifest {
            path: file.to_path_buf(),
            line,
            reason: reason.to_string(),
        };
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
        match lines.next() {
            Some((_, first)) if first == HEADER || first.starts_with(&format!("{HEADER}:")) => {}
            _ => return Err(bad(1, "the first line is not `# homeflake manifest v1`")),
        }
        let mut manifest = Manifest::default();
        for (number, line) in lines {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (hex, path) = line.split_once("  ").ok_or_else(|| bad(number, "expected `<sha256>  <path>`"))?;
            let hash = ContentHash::parse_hex(hex).ok_or_else(|| bad(number, "not a lowercase hex sha256"))?;
            let path = RelPath::new(path).map_err(|e| bad(number, &e.to_string()))?;
            if !layout::is_generated_kind(&path) {
                return Err(WriteError::ManifestTampered {
                    path: file.to_path_buf(),
                    line: number,
                    entry: path,
                    kinds: layout::describe(),
                });
            }
            manifest.record(path, hash);
        }
        Ok(manifest)
    }

    /// The manifest as text; `in_progress` adds a comment saying an apply is under way.
    pub(crate) fn render(&self, in_progress: bool) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        out.push_str(": files homeflake generated here, with the sha256 of what it last wrote.\n");
        out.push_str("# homeflake rewrites this file after every write; do not edit it.\n");
        if in_progress {
            out.push_str("# An apply is under way or was interrupted: a path listed twice may hold either content.\n");
        }
        for (path, hashes) in &self.entries {
            for hash in hashes {
                let _ = writeln!(out, "{hash}  {path}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_sha256sum_lines_and_parses_back() {
        let mut manifest = Manifest::default();
        manifest.record(RelPath::new("modules/c.nix").unwrap(), ContentHash::of(b"c"));
        manifest.record(RelPath::new("flake.nix").unwrap(), ContentHash::of(b"a"));
        let text = manifest.render(false);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            [
                "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  flake.nix",
                "2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6  modules/c.nix",
            ]
        );
        assert_eq!(Manifest::parse(&text, Path::new("m")).unwrap(), manifest);
    }

    #[test]
    fn rejects_an_escaping_path_and_a_missing_header() {
        let escaping = format!("{HEADER}\n{}  ../etc/passwd\n", ContentHash::of(b""));
        assert!(matches!(Manifest::parse(&escaping, Path::new("m")), Err(WriteError::BadManifest { line: 2, .. })));
        assert!(matches!(Manifest::parse("hello\n", Path::new("m")), Err(WriteError::BadManifest { line: 1, .. })));
    }
}
