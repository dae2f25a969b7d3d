//! `flake.lock`: version 7 with the pinned nixpkgs node (and disko's, following nixpkgs, when a host
//! has a system disk), laid out exactly as `nix flake lock` writes it.

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

/// One input of the flake, locked to a GitHub commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input<'a> {
    /// The input's name in `flake.nix`.
    pub name: &'a str,
    /// The reference as written in `flake.nix`.
    pub original: GithubRef<'a>,
    /// The commit it is locked to.
    pub locked: LockedRev<'a>,
    /// Whether its own `nixpkgs` input follows the flake's (`inputs.<name>.inputs.nixpkgs.follows`).
    pub follows_nixpkgs: bool,
}

/// The text of `flake.lock` for a flake with these inputs (nixpkgs among them).
pub fn render(inputs: &[Input<'_>]) -> String {
    let mut nodes = serde_json::Map::new();
    let mut root_inputs = serde_json::Map::new();
    for input in inputs {
        nodes.insert(input.name.to_owned(), node(input));
        root_inputs.insert(input.name.to_owned(), Value::from(input.name));
    }
    nodes.insert("root".to_owned(), json!({ "inputs": root_inputs }));
    let lock = json!({ "nodes": nodes, "root": "root", "version": 7 });
    // serde_json's maps are sorted and its pretty printer indents by two: the layout Nix writes.
    let mut text = serde_json::to_string_pretty(&lock).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// A node of the lock: what the input is locked to, as written, and the inputs it follows.
fn node(input: &Input<'_>) -> Value {
    let Input { original, locked, .. } = input;
    let mut original_node = json!({ "owner": original.owner, "repo": original.repo, "type": "github" });
    match original.git_ref {
        Some(rev) if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) => {
            original_node["rev"] = Value::from(rev);
        }
        Some(git_ref) => original_node["ref"] = Value::from(git_ref),
        None => {}
    }
    let mut node = json!({
        "locked": {
            "lastModified": locked.last_modified,
            "narHash": locked.nar_hash,
            "owner": original.owner,
            "repo": original.repo,
            "rev": locked.rev,
            "type": "github",
        },
        "original": original_node,
    });
    if input.follows_nixpkgs {
        node["inputs"] = json!({ "nixpkgs": ["nixpkgs"] });
    }
    node
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
        let nixpkgs = Input { name: "nixpkgs", original, locked, follows_nixpkgs: false };
        assert_eq!(render(&[nixpkgs]), expected);
    }

    #[test]
    fn a_following_input_names_the_root_nixpkgs() {
        let input = |name, url, follows_nixpkgs| Input {
            name,
            original: parse_github_url(url).unwrap(),
            locked: LockedRev {
                rev: "de5708739256238fb912c62f03988815db89ec9a",
                nar_hash: "sha256-x",
                last_modified: 1,
            },
            follows_nixpkgs,
        };
        let text = render(&[
            input("nixpkgs", "github:nixos/nixpkgs/25.11", false),
            input("disko", "github:nix-community/disko/v1.13.0", true),
        ]);
        let lock: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(lock["nodes"]["disko"]["inputs"], json!({ "nixpkgs": ["nixpkgs"] }));
        assert_eq!(lock["nodes"]["disko"]["original"]["ref"], "v1.13.0");
        assert_eq!(lock["nodes"]["root"]["inputs"], json!({ "disko": "disko", "nixpkgs": "nixpkgs" }));
        assert!(lock["nodes"]["nixpkgs"].get("inputs").is_none());
        // Nodes in key order, as Nix writes them.
        assert!(text.find("\"disko\"").unwrap() < text.find("\"nixpkgs\"").unwrap());
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
