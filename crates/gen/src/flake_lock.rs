//! `flake.lock`: version 7 with the pinned nixpkgs node, laid out exactly as `nix flake lock` writes it.

use serde_json::{Value, json};

/// The parts of a `github:owner/repo[/ref]` flake reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRef<'a> {
    /// Repository owner.
    pub owner: &'a str,
    /// Repository name.
    pub repo: &'a str,
    /// Branch or tag, if any.
    pub git_ref: Option<&'a str>,
}

/// Splits a `github:owner/repo[/ref]` URL; `None` for any other kind of flake reference.
pub fn parse_github_url(url: &str) -> Option<GithubRef<'_>> {
    let rest = url.strip_prefix("github:")?;
    let mut parts = rest.splitn(3, '/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let git_ref = parts.next().filter(|s| !s.is_empty());
    if rest.contains('?') || git_ref.is_some_and(|r| r.contains('/')) {
        return None;
    }
    Some(GithubRef { owner, repo, git_ref })
}

/// A locked revision of nixpkgs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedRev<'a> {
    /// The commit.
    pub rev: &'a str,
    /// The NAR hash, `sha256-…`.
    pub nar_hash: &'a str,
    /// The commit time, seconds since the epoch.
    pub last_modified: u64,
}

/// The text of `flake.lock` for a flake whose only input is `nixpkgs`.
pub fn render(original: &GithubRef<'_>, locked: &LockedRev<'_>) -> String {
    let mut original_node = json!({ "owner": original.owner, "repo": original.repo, "type": "github" });
    match original.git_ref {
        Some(rev) if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) => {
            original_node["rev"] = Value::from(rev);
        }
        Some(git_ref) => original_node["ref"] = Value::from(git_ref),
        None => {}
    }
    let lock = json!({
        "nodes": {
            "nixpkgs": {
                "locked": {
                    "lastModified": locked.last_modified,
                    "narHash": locked.nar_hash,
                    "owner": original.owner,
                    "repo": original.repo,
                    "rev": locked.rev,
                    "type": "github",
                },
                "original": original_node,
            },
            "root": { "inputs": { "nixpkgs": "nixpkgs" } },
        },
        "root": "root",
        "version": 7,
    });
    // serde_json's maps are sorted and its pretty printer indents by two: the layout Nix writes.
    let mut text = serde_json::to_string_pretty(&lock).expect("a JSON value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_matches_the_layout_nix_writes() {
        let original = parse_github_url("github:nixos/nixpkgs/25.11").unwrap();
        let locked = LockedRev {
            rev: "871b9fd269ff6246794583ce4ee1031e1da71895",
            nar_hash: "sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4=",
            last_modified: 1764521362,
        };
        let expected = r#"{
  "nodes": {
    "nixpkgs": {
      "locked": {
        "lastModified": 1764521362,
        "narHash": "sha256-M101xMtWdF1eSD0xhiR8nG8CXRlHmv6V+VoY65Smwf4=",
        "owner": "nixos",
        "repo": "nixpkgs",
        "rev": "871b9fd269ff6246794583ce4ee1031e1da71895",
        "type": "github"
      },
      "original": {
        "owner": "nixos",
        "ref": "25.11",
        "repo": "nixpkgs",
        "type": "github"
      }
    },
    "root": {
      "inputs": {
        "nixpkgs": "nixpkgs"
      }
    }
  },
  "root": "root",
  "version": 7
}
"#;
        assert_eq!(render(&original, &locked), expected);
    }

    #[test]
    fn only_github_references_are_understood() {
        assert_eq!(
            parse_github_url("github:NixOS/nixpkgs"),
            Some(GithubRef { owner: "NixOS", repo: "nixpkgs", git_ref: None })
        );
        assert_eq!(parse_github_url("git+https://example.org/nixpkgs"), None);
        assert_eq!(parse_github_url("github:nixos"), None);
        assert_eq!(parse_github_url("github:nixos/nixpkgs/a/b"), None);
    }
}
